//! `kind = "apple"` built from configuration: its keys, the mistakes refused (naming the
//! key, sending nothing) and `base_url` on every endpoint.

use serde_json::{json, Value};
use tokenbridge_apple::{Apple, DESCRIPTION};
use tokenbridge_core::Provider;
use tokenbridge_testkit::apple::demo_private_key_pem;
use tokenbridge_testkit::kind::{build_kind, config_error};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    let env = [
        ("APPLE_KEY", demo_private_key_pem()),
        (
            "NOT_A_KEY",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ),
    ];
    build_kind(&Apple, "apple", settings, &env)
}

fn valid() -> Value {
    json!({
        "client_id": "com.example.web",
        "team_id": "TEAM123456",
        "key_id": "KEY1234567",
        "private_key_env": "APPLE_KEY",
    })
}

fn with(changes: Value) -> Value {
    let mut settings = valid();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            settings.as_object_mut().unwrap().remove(k);
        } else {
            settings[k] = v.clone();
        }
    }
    settings
}

#[test]
fn the_description_is_apples_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("apple", "Sign in with Apple"));
    assert_eq!(
        d.paths.authorization,
        Some("https://appleid.apple.com/auth/authorize")
    );
    assert_eq!(d.paths.token, Some("https://appleid.apple.com/auth/token"));
    assert_eq!(
        d.paths.revocation,
        Some("https://appleid.apple.com/auth/revoke")
    );
    assert_eq!(d.paths.jwks, Some("https://appleid.apple.com/auth/keys"));
    assert_eq!((d.paths.userinfo, d.paths.end_session), (None, None));
    assert_eq!(d.issuer_path, Some("https://appleid.apple.com"));
}

#[tokio::test]
async fn a_valid_table_builds_on_apples_hosts_or_on_base_url() {
    let provider = build(valid()).unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "https://appleid.apple.com/auth/token"
    );
    assert_eq!(
        provider.auth_method_name().await.unwrap(),
        "client_secret_post"
    );
    let provider = build(with(json!({"base_url": "http://127.0.0.1:9/apple"}))).unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "http://127.0.0.1:9/apple/auth/token"
    );
    assert_eq!(
        endpoints.revocation.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/apple/auth/revoke"
    );
}

#[test]
fn each_missing_or_wrong_key_is_named() {
    let cases = [
        (json!({"team_id": null}), "team_id"),
        (json!({"key_id": null}), "key_id"),
        (json!({"private_key_env": null}), "private_key_file"),
        (json!({"private_key_env": "UNSET"}), "private_key_env"),
        (json!({"private_key_env": "NOT_A_KEY"}), "private_key_env"),
        (json!({"client_secret": "s"}), "client_secret"),
        (json!({"client_secret_env": "S"}), "client_secret_env"),
        (json!({"auth_method": "client_secret_basic"}), "auth_method"),
        (json!({"team": "x"}), "team"),
        (json!({"base_url": "http://apple.example"}), "base_url"),
    ];
    for (changes, key) in cases {
        let (got, message) = config_error(build(with(changes.clone())));
        assert_eq!(
            got,
            format!("providers.apple.{key}"),
            "{changes}: {message}"
        );
        assert!(!message.contains("BEGIN"), "{message}");
    }
}
