//! Each grant against the Tencent CIAM emulator, asserting the exact request sent and the
//! tokens returned.

use std::time::Duration;

use tokenbridge_core::{
    AuthMethod, ExposeSecret, Grant, HttpClient, PkceVerifier, SecretString, TokenExchanger,
    TokenType,
};
use tokenbridge_tencent_ciam::{TencentCiamConfig, TencentCiamExchanger};
use tokenbridge_testkit::oidc::ClientRegistration;
use tokenbridge_testkit::server::RecordedRequest;
use tokenbridge_testkit::tencent_ciam::{
    TencentCiamEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID,
    DEMO_REDIRECT_URI,
};

const FORM: &str = "application/x-www-form-urlencoded";
const REDIRECT_ENCODED: &str = "http%3A%2F%2F127.0.0.1%2Fcallback";

fn exchanger(config: TencentCiamConfig) -> TencentCiamExchanger {
    TencentCiamExchanger::new("tencent", config, HttpClient::default()).unwrap()
}

fn web_app(ciam: &TencentCiamEmulator) -> TencentCiamExchanger {
    exchanger(
        TencentCiamConfig::new(ciam.base(), DEMO_CLIENT_ID)
            .with_client_secret(SecretString::from(DEMO_CLIENT_SECRET)),
    )
}

fn spa(ciam: &TencentCiamEmulator) -> TencentCiamExchanger {
    exchanger(
        TencentCiamConfig::new(ciam.base(), DEMO_PUBLIC_CLIENT_ID)
            .with_auth_method(AuthMethod::None),
    )
}

/// The single token request the emulator received, checked for method, path and content type.
fn only_token_request(ciam: &TencentCiamEmulator) -> RecordedRequest {
    let requests = ciam.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = requests.into_iter().next().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/oauth2/token");
    assert_eq!(r.query, None);
    assert_eq!(r.header("content-type"), Some(FORM));
    assert_eq!(
        r.header("user-agent"),
        Some(concat!("tokenbridge/", env!("CARGO_PKG_VERSION")))
    );
    r
}

#[tokio::test]
async fn code_with_client_secret_post() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let code = ciam.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, None);
    let tokens = web_app(&ciam)
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();

    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}\
             &client_id=demo-app&client_secret=demo-secret"
        )
    );
    assert_eq!(r.header("authorization"), None);

    assert_eq!(tokens.provider(), "tencent");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
    assert_eq!(tokens.scopes(), Some(&["openid".to_owned()][..]));
    assert!(tokens.id_token().is_some());
    assert!(tokens.refresh_token().is_some());
    // JWT-shaped, as Tencent issues them.
    assert_eq!(tokens.access_token().expose_secret().split('.').count(), 3);
}

#[tokio::test]
async fn code_with_client_secret_basic() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    ciam.register_client(ClientRegistration::confidential(
        "basic-app",
        "s3cret+/:x y",
        AuthMethod::ClientSecretBasic,
    ));
    let exchanger = exchanger(
        TencentCiamConfig::new(ciam.base(), "basic-app")
            .with_client_secret(SecretString::from("s3cret+/:x y"))
            .with_auth_method(AuthMethod::ClientSecretBasic),
    );
    let code = ciam.issue_code("basic-app", DEMO_REDIRECT_URI, None);
    let tokens = exchanger
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();

    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        format!("grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}")
    );
    // base64("basic-app:s3cret%2B%2F%3Ax+y"): id and secret form-encoded first (RFC 6749 2.3.1).
    assert_eq!(
        r.header("authorization"),
        Some("Basic YmFzaWMtYXBwOnMzY3JldCUyQiUyRiUzQXgreQ==")
    );
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
}

#[tokio::test]
async fn code_with_pkce_and_no_secret() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let verifier = PkceVerifier::generate().unwrap();
    let code = ciam.issue_code(
        DEMO_PUBLIC_CLIENT_ID,
        DEMO_REDIRECT_URI,
        Some(verifier.s256_challenge()),
    );
    let tokens = spa(&ciam)
        .exchange(Grant::authorization_code_pkce(
            &code,
            DEMO_REDIRECT_URI,
            verifier.secret().expose_secret(),
        ))
        .await
        .unwrap();

    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}\
             &code_verifier={}&client_id=demo-spa",
            verifier.secret().expose_secret()
        )
    );
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.form_param("client_secret"), None);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
    assert!(tokens.id_token().is_some());
}

#[tokio::test]
async fn refresh_keeps_the_echoed_refresh_token() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let rt = ciam.issue_refresh_token(DEMO_CLIENT_ID, "openid");
    let exchanger = web_app(&ciam);
    let tokens = exchanger.exchange(Grant::refresh_token(&rt)).await.unwrap();

    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        format!("grant_type=refresh_token&refresh_token={rt}&client_id=demo-app&client_secret=demo-secret")
    );
    assert_eq!(tokens.refresh_token().unwrap().expose_secret(), rt);
    assert!(
        tokens.id_token().is_some(),
        "a refresh issues a new id token"
    );
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));

    // The echoed token keeps working.
    let again = exchanger.exchange(Grant::refresh_token(&rt)).await.unwrap();
    assert_eq!(again.refresh_token().unwrap().expose_secret(), rt);
}

#[tokio::test]
async fn public_app_refresh_sends_only_the_client_id() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let rt = ciam.issue_refresh_token(DEMO_PUBLIC_CLIENT_ID, "openid");
    let tokens = spa(&ciam)
        .exchange(Grant::refresh_token(&rt))
        .await
        .unwrap();
    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        format!("grant_type=refresh_token&refresh_token={rt}&client_id=demo-spa")
    );
    assert_eq!(tokens.refresh_token().unwrap().expose_secret(), rt);
}

#[tokio::test]
async fn client_credentials_with_scopes() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let tokens = web_app(&ciam)
        .exchange(Grant::client_credentials(["read:users", "write:users"]))
        .await
        .unwrap();
    let r = only_token_request(&ciam);
    assert_eq!(
        r.body_text(),
        "grant_type=client_credentials&scope=read%3Ausers+write%3Ausers\
         &client_id=demo-app&client_secret=demo-secret"
    );
    assert_eq!(
        tokens.scopes(),
        Some(&["read:users".to_owned(), "write:users".to_owned()][..])
    );
    assert!(tokens.id_token().is_none(), "no user, no id token");
    assert!(tokens.refresh_token().is_none());
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
}

#[tokio::test]
async fn client_credentials_without_scopes_with_basic() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    ciam.register_client(ClientRegistration::confidential(
        "m2m",
        "m2m-secret",
        AuthMethod::ClientSecretBasic,
    ));
    let exchanger = exchanger(
        TencentCiamConfig::new(ciam.base(), "m2m")
            .with_client_secret(SecretString::from("m2m-secret"))
            .with_auth_method(AuthMethod::ClientSecretBasic),
    );
    let tokens = exchanger
        .exchange(Grant::client_credentials(Vec::<String>::new()))
        .await
        .unwrap();
    let r = only_token_request(&ciam);
    assert_eq!(r.body_text(), "grant_type=client_credentials");
    // base64("m2m:m2m-secret")
    assert_eq!(
        r.header("authorization"),
        Some("Basic bTJtOm0ybS1zZWNyZXQ=")
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
}

#[tokio::test]
async fn base_path_prefix_is_kept() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let exchanger = exchanger(
        TencentCiamConfig::new(format!("{}/proxy/", ciam.base()), DEMO_CLIENT_ID)
            .with_client_secret(SecretString::from(DEMO_CLIENT_SECRET)),
    );
    let request = exchanger
        .build_request(&Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(
        request.endpoint().as_str(),
        format!("{}/proxy/oauth2/token", ciam.base())
    );
    assert_eq!(
        String::from_utf8(request.body_bytes()).unwrap(),
        "grant_type=refresh_token&refresh_token=rt-1&client_id=demo-app&client_secret=demo-secret"
    );
    assert!(ciam.requests().is_empty(), "building sends nothing");
}
