//! A vendor on fixed hosts writes its endpoints as absolute URLs; `base_url` moves every one
//! of them onto its own origin (paths kept), and `subject_claim` picks the identity's subject.

mod support;

use secrecy::SecretString;
use tokenbridge_core::{
    AuthMethod, ErrorKind, Grant, HttpMethod, ParamsIn, Provider, TokenExchanger as _, TokenSet,
    TokenType, VendorDescription,
};

use support::{http_response, stub_reply};

/// Shaped like a vendor whose sign-in page, token API and user API live on three hosts.
static SPREAD_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("spread-vendor", "Spread Vendor");
    d.paths.authorization = Some("https://open.vendor.example/connect/authorize");
    d.paths.token = Some("https://api.vendor.example/oauth2/access_token");
    d.paths.userinfo = Some("https://users.vendor.example/me");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.token_request.method = HttpMethod::Get;
    d.token_request.params_in = ParamsIn::Query;
    d.token_request.refresh_path = Some("https://api.vendor.example/oauth2/refresh_token");
    d.userinfo.fields = tokenbridge_core::FieldNames(&[("sub", "openid")]);
    d
};

fn builder() -> tokenbridge_core::ProviderBuilder {
    Provider::builder("spread")
        .vendor(&SPREAD_VENDOR)
        .client_id("app-1")
        .client_secret(SecretString::from("s3cret"))
        .redirect_uri("https://app.example.com/cb")
}

#[tokio::test]
async fn without_base_url_the_vendors_own_hosts_are_used() {
    let provider = builder().build().unwrap();
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(
        request.url.origin().ascii_serialization(),
        "https://open.vendor.example"
    );
    assert_eq!(request.url.path(), "/connect/authorize");
}

#[tokio::test]
async fn base_url_replaces_the_origin_of_every_endpoint() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at-1","expires_in":7200}"#,
    ));
    let base = format!("http://{addr}");
    let provider = builder().base_url(&base).build().unwrap();

    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(
        request.url.origin().ascii_serialization(),
        base.trim_end_matches('/')
    );
    assert_eq!(request.url.path(), "/connect/authorize");

    provider
        .exchange(Grant::authorization_code(
            "code-1",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    assert!(raw.starts_with("GET /oauth2/access_token?"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains(&format!("\r\nhost: {addr}\r\n")),
        "{raw}"
    );
}

#[tokio::test]
async fn the_separate_refresh_endpoint_moves_too() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at-2"}"#,
    ));
    let provider = builder()
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    provider
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    assert!(raw.starts_with("GET /oauth2/refresh_token?"), "{raw}");
}

#[test]
fn a_plain_http_base_url_off_loopback_is_refused() {
    let error = builder()
        .base_url("http://proxy.example.com")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
}

#[tokio::test]
async fn subject_claim_picks_the_subject_and_keeps_the_vendors_own() {
    let answer = br#"{"openid":"o-1","unionid":"u-1","nickname":"Ann"}"#;
    let (addr, _requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        answer,
    ));
    let provider = builder()
        .base_url(format!("http://{addr}"))
        .subject_claim("unionid")
        .build()
        .unwrap();
    let tokens = TokenSet::new("spread", "at", TokenType::Bearer);
    let identity = provider.userinfo_with_tokens(&tokens).await.unwrap();
    assert_eq!(identity.subject, "u-1");
    assert_eq!(identity.claims["openid"], "o-1");

    // A claim the answer lacks is an error, never a quiet fallback to the vendor's subject.
    let (addr, _requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"openid":"o-1"}"#,
    ));
    let provider = builder()
        .base_url(format!("http://{addr}"))
        .subject_claim("unionid")
        .build()
        .unwrap();
    let error = provider.userinfo_with_tokens(&tokens).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnreadableResponse);
    assert!(error.to_string().contains("unionid"), "{error}");
}

#[test]
fn an_empty_subject_claim_is_a_configuration_error() {
    let error = builder().subject_claim(" ").build().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("subject_claim"), "{error}");
}

#[test]
fn a_numeric_subject_claim_is_written_in_decimal() {
    let claims = serde_json::json!({"sub": "s", "id": 583231});
    let identity = tokenbridge_core::Identity::from_claims(claims.as_object().unwrap().clone())
        .unwrap()
        .with_subject_from("id")
        .unwrap();
    assert_eq!(identity.subject, "583231");
    assert_eq!(identity.claims["sub"], "s");
}
