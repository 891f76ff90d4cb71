//! The provider's own userinfo endpoint through the middleware, against the embedded OpenID
//! Connect emulator: discovery, a refresh grant, a revoked access token refused with the
//! standard `WWW-Authenticate` challenge, one renewal and one resend.

use std::sync::Arc;

use http::StatusCode;
use reqwest_middleware::ClientBuilder;
use tokenbridge_core::TokenSession;
use tokenbridge_core::{AuthMethod, ExposeSecret, Grant, Provider, SecretString, TokenExchanger};
use tokenbridge_middleware::TokenMiddleware;
use tokenbridge_testkit::oidc::demo_user_claims;
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile};

const CLIENT_ID: &str = "web-app";
const CLIENT_SECRET: &str = "web-app-secret-Hn4";

async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_revoked_token_is_renewed_and_userinfo_answers() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator
        .provider()
        .register_client(ClientRegistration::confidential(
            CLIENT_ID,
            CLIENT_SECRET,
            AuthMethod::ClientSecretBasic,
        ));
    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .build()
        .unwrap();
    let refresh = emulator
        .provider()
        .issue_refresh_token(CLIENT_ID, "openid profile email");
    let signed_in = provider
        .exchange(Grant::refresh_token(refresh))
        .await
        .unwrap();
    let first = signed_in.access_token().expose_secret().to_owned();
    let userinfo = provider
        .endpoints()
        .await
        .unwrap()
        .userinfo
        .clone()
        .unwrap();
    let session = TokenSession::new(Arc::new(provider), signed_in);
    let api = ClientBuilder::new(reqwest::Client::new())
        .with(TokenMiddleware::new(session.clone()))
        .build();

    let response = api.get(userinfo.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let claims = json(response).await;
    assert_eq!(claims["sub"], demo_user_claims()["sub"]);

    // The provider revokes the token before it expires: the next call is refused, the session
    // renews with its refresh token, and the same call is sent again.
    emulator.provider().revoke_access_token(&first);
    emulator.clear_requests();
    let response = api.get(userinfo.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let claims = json(response).await;
    assert_eq!(claims["sub"], demo_user_claims()["sub"]);

    let renewed = session.access_token().await.unwrap();
    assert_ne!(renewed.expose_secret(), first);
    let sent: Vec<_> = emulator
        .requests()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.header("authorization").map(str::to_owned),
            )
        })
        .collect();
    let token_path = emulator
        .token_endpoint()
        .trim_start_matches(&emulator.base())
        .to_owned();
    assert_eq!(
        sent,
        [
            (
                "GET".to_owned(),
                userinfo.path().to_owned(),
                Some(format!("Bearer {first}"))
            ),
            (
                "POST".to_owned(),
                token_path,
                sent[1].2.clone() // the client's Basic credentials
            ),
            (
                "GET".to_owned(),
                userinfo.path().to_owned(),
                Some(format!("Bearer {}", renewed.expose_secret()))
            ),
        ]
    );
    assert!(sent[1].2.as_deref().unwrap().starts_with("Basic "));
}
