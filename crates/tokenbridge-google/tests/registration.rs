//! The description as data, and `kind = "google"` built from configuration: its keys, the
//! configuration mistakes refused (naming the key, sending nothing), `base_url` on every
//! endpoint and the issuer.

use serde_json::{json, Value};
use tokenbridge_core::Provider;
use tokenbridge_google::{urls, Google, DESCRIPTION};
use tokenbridge_testkit::kind::{build_kind, config_error};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(
        &Google,
        "google",
        settings,
        &[("GOOGLE_SECRET", "from-env")],
    )
}

#[test]
fn the_description_is_googles_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("google", "Google"));
    assert_eq!(
        d.paths.authorization,
        Some("https://accounts.google.com/o/oauth2/v2/auth")
    );
    assert_eq!(d.paths.token, Some("https://oauth2.googleapis.com/token"));
    assert_eq!(
        d.paths.revocation,
        Some("https://oauth2.googleapis.com/revoke")
    );
    assert_eq!(
        d.paths.discovery,
        Some("https://accounts.google.com/.well-known/openid-configuration")
    );
    assert_eq!(d.paths.end_session, None);
    assert_eq!(d.issuer_path, Some(urls::ISSUER));
}

#[tokio::test]
async fn without_base_url_the_endpoints_are_googles() {
    let provider =
        build(json!({"client_id": "app", "client_secret_env": "GOOGLE_SECRET"})).unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(
        endpoints.userinfo.as_ref().unwrap().as_str(),
        "https://openidconnect.googleapis.com/v1/userinfo"
    );
    assert!(!provider.capabilities().await.unwrap().end_session);
}

#[tokio::test]
async fn base_url_moves_every_endpoint_and_the_issuer() {
    let provider = build(json!({
        "client_id": "app",
        "client_secret": "s",
        "base_url": "http://127.0.0.1:9",
        "offline": true,
        "hosted_domain": "example.com",
    }))
    .unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(endpoints.token.as_str(), "http://127.0.0.1:9/token");
    assert_eq!(
        endpoints.authorization.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/o/oauth2/v2/auth"
    );
    assert_eq!(
        endpoints.revocation.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/revoke"
    );
    assert_eq!(
        endpoints.jwks.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/oauth2/v3/certs"
    );
}

#[test]
fn unknown_and_bad_keys_are_named() {
    let (key, message) = config_error(build(json!({"client_id": "a", "hosted_domian": "x"})));
    assert_eq!(key, "providers.google.hosted_domian");
    assert!(message.contains("hosted_domain"), "{message}");
    let (key, _) = config_error(build(json!({"client_id": "a", "hosted_domain": " "})));
    assert_eq!(key, "providers.google.hosted_domain");
    let (key, _) = config_error(build(json!({"client_secret": "s"})));
    assert_eq!(key, "providers.google.client_id");
    let (key, _) = config_error(build(json!({"client_id": "a", "offline": "yes"})));
    assert_eq!(key, "providers.google.offline");
    let (key, _) = config_error(build(
        json!({"client_id": "a", "base_url": "http://example.com"}),
    ));
    assert_eq!(key, "providers.google.base_url");
}

#[test]
fn a_client_without_a_secret_is_public() {
    let provider = build(json!({"client_id": "desktop"})).unwrap();
    assert_eq!(provider.client_id(), "desktop");
}
