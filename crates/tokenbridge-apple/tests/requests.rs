//! The exact requests sent to Sign in with Apple (through `base_url` on the emulator): the
//! form-POST sign-in with its `user` JSON, the code exchange with the ES256 client secret,
//! revocation, and the exact errors returned.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use tokenbridge_core::{
    Error, ErrorKind, Grant, LogoutRequest, Provider, SecretString, TokenExchanger, TokenTypeHint,
};
use tokenbridge_testkit::apple::{
    demo_private_key_pem, AppleEmulator, DEMO_CLIENT_ID, DEMO_KEY_ID, DEMO_SUBJECT, DEMO_TEAM_ID,
};
use tokenbridge_testkit::oidc::form_post_fields;
use tokenbridge_testkit::Reply;

const REDIRECT: &str = "http://127.0.0.1/callback";
/// A code as Apple writes them, for refusals that echo it.
const CODE: &str = "c8a2f7e1d2c3b4a5.0.rrxy.refused-code";

fn provider(apple: &AppleEmulator) -> Provider {
    let pem = SecretString::from(demo_private_key_pem());
    tokenbridge_apple::builder("apple", DEMO_CLIENT_ID, DEMO_TEAM_ID, DEMO_KEY_ID, &pem)
        .unwrap()
        .base_url(apple.base())
        .redirect_uri(REDIRECT)
        .build()
        .unwrap()
}

fn jwt_part(token: &str, i: usize) -> Value {
    let segment = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

/// Opens the authorize URL as a browser would and returns the form body it would post.
async fn form_post(url: &str) -> String {
    let response = tokenbridge_core::reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let (action, fields) = form_post_fields(&page).unwrap();
    assert_eq!(action, REDIRECT);
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

#[tokio::test]
async fn sign_in_is_a_form_post_whose_user_fills_the_identity_once() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let request = provider.authorization_request().build().await.unwrap();
    let url = &request.url;
    assert_eq!(url.path(), "/auth/authorize");
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("response_mode").as_deref(), Some("form_post"));
    assert_eq!(param("scope").as_deref(), Some("name email"));
    assert_eq!(param("client_id").as_deref(), Some(DEMO_CLIENT_ID));
    let body = form_post(url.as_str()).await;
    let login = provider
        .complete_login(&body, request.pending)
        .await
        .unwrap();
    let identity = login.identity().unwrap();
    assert_eq!(identity.subject, DEMO_SUBJECT);
    assert_eq!(identity.name.as_deref(), Some("Demo User"));
    assert_eq!(
        identity.email.as_deref(),
        Some("demo@privaterelay.appleid.com")
    );
    // Apple's string booleans.
    assert_eq!(identity.email_verified, Some(true));
    assert_eq!(identity.claims["is_private_email"], "true");
    assert_eq!(
        identity.claims["user"],
        json!({"name": {"firstName": "Demo", "lastName": "User"}, "email": "demo@privaterelay.appleid.com"})
    );
    assert_eq!(login.id_token.as_ref().unwrap().issuer, apple.issuer());

    // The second sign-in carries no `user`: the name is not in the ID token.
    let again = provider.authorization_request().build().await.unwrap();
    let body = form_post(again.url.as_str()).await;
    assert!(!body.contains("user="), "{body}");
    let login = provider.complete_login(&body, again.pending).await.unwrap();
    let identity = login.identity().unwrap();
    assert_eq!(identity.name, None);
    assert!(identity.claims.get("user").is_none());
    assert!(login.callback_user.is_none());
}

#[tokio::test]
async fn the_code_exchange_sends_the_es256_client_secret_in_the_form() {
    let apple = AppleEmulator::start().await.unwrap();
    let code = apple.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let tokens = provider(&apple)
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap();
    assert!(tokens.id_token().is_some());
    assert!(tokens.refresh_token().is_some());
    let requests = apple.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/auth/token")
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("authorization"), None);
    let names: Vec<String> = r.form().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        [
            "grant_type",
            "code",
            "redirect_uri",
            "client_id",
            "client_secret"
        ]
    );
    assert_eq!(r.form_param("code").as_deref(), Some(code.as_str()));
    assert_eq!(r.form_param("client_id").as_deref(), Some(DEMO_CLIENT_ID));
    let secret = r.form_param("client_secret").unwrap();
    assert_eq!(
        jwt_part(&secret, 0),
        json!({"typ": "JWT", "alg": "ES256", "kid": DEMO_KEY_ID})
    );
    let claims = jwt_part(&secret, 1);
    assert_eq!(claims["iss"], DEMO_TEAM_ID);
    assert_eq!(claims["sub"], DEMO_CLIENT_ID);
    assert_eq!(claims["aud"], "https://appleid.apple.com");
    assert!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap() <= 15_777_000);
}

#[tokio::test]
async fn the_secret_is_reused_across_requests() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    for _ in 0..2 {
        let rt = apple.issue_refresh_token(DEMO_CLIENT_ID, "name email");
        let tokens = provider.exchange(Grant::refresh_token(rt)).await.unwrap();
        // Apple's refresh answer has no refresh token.
        assert!(tokens.refresh_token().is_none());
    }
    let secrets: Vec<String> = apple
        .requests()
        .iter()
        .map(|r| r.form_param("client_secret").unwrap())
        .collect();
    assert_eq!(secrets[0], secrets[1]);
}

#[tokio::test]
async fn revocation_answers_200_even_for_a_token_never_issued() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    provider
        .revoke(
            &SecretString::from("never-issued-token"),
            Some(TokenTypeHint::RefreshToken),
        )
        .await
        .unwrap();
    let r = &apple.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/auth/revoke")
    );
    assert_eq!(r.form_param("token").as_deref(), Some("never-issued-token"));
    assert_eq!(
        r.form_param("token_type_hint").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(r.form_param("client_id").as_deref(), Some(DEMO_CLIENT_ID));
    assert!(r.form_param("client_secret").is_some());
}

#[tokio::test]
async fn userinfo_and_logout_are_not_offered() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let err = provider
        .userinfo(&SecretString::from("at"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = provider.logout_url(LogoutRequest::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(apple.requests().is_empty());
}

#[tokio::test]
async fn a_cancelled_sign_in_is_access_denied() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let request = provider.authorization_request().build().await.unwrap();
    let state = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let body = format!("error=user_cancelled_authorize&state={state}");
    let err = provider
        .complete_login(&body, request.pending)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AccessDenied);
    let Error::OAuth(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.code().as_str(), "user_cancelled_authorize");
    assert!(apple.token_requests().is_empty());
}

#[tokio::test]
async fn each_documented_error_has_its_kind_and_no_secret_shows() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let cases = [
        ("invalid_request", ErrorKind::InvalidRequest),
        ("invalid_client", ErrorKind::InvalidClient),
        ("invalid_grant", ErrorKind::InvalidGrant),
        ("unauthorized_client", ErrorKind::InvalidClient),
        ("unsupported_grant_type", ErrorKind::Unsupported),
        ("invalid_scope", ErrorKind::InvalidScope),
    ];
    for (code, kind) in cases {
        apple.push_reply(Reply::json(
            400,
            json!({ "error": code, "error_description": CODE }),
        ));
        let err = provider
            .exchange(Grant::authorization_code(CODE, REDIRECT))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        let Error::OAuth(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((e.status(), e.code().as_str()), (Some(400), code));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(CODE), "{shown}");
        let secret = apple
            .requests()
            .last()
            .unwrap()
            .form_param("client_secret")
            .unwrap();
        assert!(!shown.contains(&secret), "{shown}");
    }
}

#[tokio::test]
async fn a_session_keeps_its_refresh_token_when_apple_sends_none() {
    use std::sync::Arc;
    use tokenbridge_core::{ExposeSecret, TokenSession};

    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let code = apple.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let tokens = provider
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap();
    let refresh = tokens.refresh_token().unwrap().expose_secret().to_owned();
    let first = tokens.access_token().clone();
    let session = TokenSession::new(Arc::new(provider), tokens);
    session.invalidate(&first);
    let renewed = session.access_token_after_rejection(&first).await.unwrap();
    assert_ne!(renewed.expose_secret(), first.expose_secret());
    let held = session.token_set().await.unwrap();
    assert_eq!(held.refresh_token().unwrap().expose_secret(), refresh);
    let last = apple.token_requests().pop().unwrap();
    assert_eq!(
        last.form_param("grant_type").as_deref(),
        Some("refresh_token")
    );
}

#[tokio::test]
async fn every_sign_in_sends_a_nonce_and_gets_it_back_in_the_id_token() {
    use tokenbridge_core::ExposeSecret;
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    // Apple's scopes are `name` and `email`, never `openid`: the nonce is sent anyway.
    let request = provider.authorization_request().build().await.unwrap();
    let nonce = request.pending.nonce().unwrap().expose_secret().to_owned();
    let state = request.pending.state().expose_secret().to_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "{}/auth/authorize?response_type=code&client_id={DEMO_CLIENT_ID}\
             &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=name+email&state={state}\
             &nonce={nonce}&code_challenge={}&code_challenge_method=S256&response_mode=form_post",
            apple.base(),
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == "code_challenge")
                .unwrap()
                .1
        )
    );
    let body = form_post(request.url.as_str()).await;
    let login = provider
        .complete_login(&body, request.pending)
        .await
        .unwrap();
    assert_eq!(
        login.id_token.unwrap().nonce.as_deref(),
        Some(nonce.as_str())
    );
}

#[tokio::test]
async fn an_id_token_with_another_nonce_fails_the_sign_in() {
    let apple = AppleEmulator::start().await.unwrap();
    let provider = provider(&apple);
    let request = provider.authorization_request().build().await.unwrap();
    // The code is minted for another authorization request's nonce (a code injected from
    // another session): the emulator echoes that one into the ID token.
    let mut url = request.url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "nonce" {
                "another-nonce".into()
            } else {
                v
            };
            (k.into_owned(), v.into_owned())
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let body = form_post(url.as_str()).await;
    let error = provider
        .complete_login(&body, request.pending)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::IdToken(e) if matches!(**e, tokenbridge_core::IdTokenError::NonceMismatch { missing: false })
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert!(
        !format!("{error} {error:?}").contains("another-nonce"),
        "{error:?}"
    );
}
