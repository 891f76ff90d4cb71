//! Code and refresh exchanges against the OneAccess emulator in both protocols and with both
//! forms of `expires_in`, asserting the exact request sent and the tokens returned.

use std::time::Duration;

use tokenbridge_core::{
    ExposeSecret, Grant, HttpClient, Protocol, SecretString, TokenExchanger, TokenType,
};
use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
use tokenbridge_testkit::any_loopback_port;
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
};
use tokenbridge_testkit::oidc::ExpiryStyle;
use tokenbridge_testkit::server::RecordedRequest;

const REDIRECT_ENCODED: &str = "http%3A%2F%2F127.0.0.1%2Fcallback";

async fn setup(options: OneAccessOptions) -> (HuaweiOneAccessEmulator, HuaweiOneAccessExchanger) {
    let protocol = options.protocol;
    let oneaccess = HuaweiOneAccessEmulator::start_with(options, any_loopback_port())
        .await
        .unwrap();
    let config = HuaweiOneAccessConfig::new(
        oneaccess.base(),
        DEMO_CLIENT_ID,
        SecretString::from(DEMO_CLIENT_SECRET),
    )
    .with_protocol(protocol);
    let exchanger = HuaweiOneAccessExchanger::new("huawei", config, HttpClient::default()).unwrap();
    (oneaccess, exchanger)
}

fn only_token_request(oneaccess: &HuaweiOneAccessEmulator) -> RecordedRequest {
    let requests = oneaccess.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = requests.into_iter().next().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/v1/oauth2/token");
    assert_eq!(r.query, None);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("authorization"), None, "client_secret_post only");
    r
}

#[tokio::test]
async fn oidc_code_with_numeric_expiry() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let tokens = exchanger
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}\
             &client_id=demo-app&client_secret=demo-secret"
        )
    );
    assert_eq!(tokens.provider(), "huawei");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.scopes(), Some(&["openid".to_owned()][..]));
    assert!(tokens.id_token().is_some());
    assert!(
        tokens.refresh_token().is_none(),
        "no refresh token unless the application enables one"
    );
    assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());
}

#[tokio::test]
async fn string_and_number_expiry_give_the_same_lifetime() {
    for style in [ExpiryStyle::Number, ExpiryStyle::String] {
        for options in [OneAccessOptions::oidc(), OneAccessOptions::oauth()] {
            let options = options.with_expiry_style(style.clone());
            let (oneaccess, exchanger) = setup(options.clone()).await;
            let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
            let tokens = exchanger
                .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
                .await
                .unwrap();
            assert_eq!(
                tokens.expires_in(),
                Some(Duration::from_secs(7200)),
                "{options:?}"
            );
            let sent = only_token_request(&oneaccess);
            assert_eq!(sent.form_param("code").as_deref(), Some(code.as_str()));
        }
    }
}

#[tokio::test]
async fn oauth_code_without_redirect_uri_and_no_id_token() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let tokens = exchanger
        .exchange(Grant::AuthorizationCode {
            code: SecretString::from(code.clone()),
            redirect_uri: None,
            pkce_verifier: None,
        })
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!("grant_type=authorization_code&code={code}&client_id=demo-app&client_secret=demo-secret")
    );
    assert_eq!(tokens.scopes(), Some(&["get_user_info".to_owned()][..]));
    assert!(tokens.id_token().is_none());
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    // Opaque, not a JWT.
    assert!(!tokens.access_token().expose_secret().contains('.'));
}

#[tokio::test]
async fn oauth_code_with_redirect_uri_must_match() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let err = exchanger
        .exchange(Grant::authorization_code(
            code,
            "http://127.0.0.1/elsewhere",
        ))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant(), "{err}");
}

#[tokio::test]
async fn oidc_code_without_redirect_uri_is_refused_before_sending() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let err = exchanger
        .exchange(Grant::AuthorizationCode {
            code: SecretString::from(code.clone()),
            redirect_uri: None,
            pkce_verifier: None,
        })
        .await
        .unwrap_err();
    match &err {
        tokenbridge_core::Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("redirect_uri"));
            assert!(message.contains("oauth"), "{message}");
            assert!(!message.contains(&code), "{message}");
        }
        other => panic!("expected a configuration error, got {other}"),
    }
    assert!(oneaccess.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn refresh_rotates_and_the_token_set_carries_the_new_one() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc().with_refresh_tokens(true)).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let first = exchanger
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let rt1 = first.refresh_token().unwrap().expose_secret().to_owned();
    oneaccess.clear_requests();

    let second = exchanger
        .exchange(Grant::refresh_token(&rt1))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!("grant_type=refresh_token&refresh_token={rt1}&client_id=demo-app&client_secret=demo-secret")
    );
    let rt2 = second.refresh_token().unwrap().expose_secret().to_owned();
    assert_ne!(rt1, rt2, "OneAccess rotates refresh tokens");
    assert!(second.id_token().is_some());
    assert_eq!(second.expires_in(), Some(Duration::from_secs(7200)));

    // The old one is spent; the new one works.
    let err = exchanger
        .exchange(Grant::refresh_token(&rt1))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant(), "{err}");
    let third = exchanger
        .exchange(Grant::refresh_token(&rt2))
        .await
        .unwrap();
    assert!(third.refresh_token().is_some());
}

#[tokio::test]
async fn oauth_refresh() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let rt = oneaccess.issue_refresh_token(DEMO_CLIENT_ID);
    let tokens = exchanger.exchange(Grant::refresh_token(&rt)).await.unwrap();
    assert_eq!(tokens.scopes(), Some(&["get_user_info".to_owned()][..]));
    assert!(tokens.id_token().is_none());
    assert_ne!(tokens.refresh_token().unwrap().expose_secret(), rt);
}

#[tokio::test]
async fn discovery_is_read_from_the_oneaccess_path() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let metadata = exchanger.metadata().await.unwrap();
    assert_eq!(metadata.token_endpoint, exchanger.token_endpoint().as_str());
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported,
        Some(vec!["client_secret_post".to_owned()])
    );
    assert!(metadata.jwks_uri.is_some());
    let requests = oneaccess.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        "/api/v1/oauth2/.well-known/openid-configuration"
    );
    // The advertised JWKS is served.
    let jwks = tokenbridge_core::Jwks::fetch(
        &HttpClient::default(),
        tokenbridge_core::Url::parse(metadata.jwks_uri.as_deref().unwrap()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(jwks.keys.len(), 1);
}

#[tokio::test]
async fn protocol_is_reported() {
    let (_oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    assert_eq!(exchanger.protocol(), Protocol::OAuth2);
}
