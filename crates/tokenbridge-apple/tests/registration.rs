//! `kind = "apple"` built from configuration: its keys, the mistakes refused (naming the
//! key, sending nothing) and `base_url` on every endpoint.

use serde_json::{json, Value};
use tokenbridge_apple::{Apple, DESCRIPTION};
use tokenbridge_core::{Error, Provider, ProviderContext, ProviderFactory, ProviderTable};
use tokenbridge_testkit::apple::demo_private_key_pem;

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    let env = |name: &str| match name {
        "APPLE_KEY" => Some(demo_private_key_pem().to_owned()),
        "NOT_A_KEY" => {
            Some("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into())
        }
        _ => None,
    };
    let table = ProviderTable {
        name: "apple".into(),
        kind: "apple".into(),
        settings: settings.as_object().unwrap().clone(),
    };
    Apple.build(&ProviderContext::new(&table, &env, None))
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

fn config_key(result: tokenbridge_core::Result<Provider>) -> (String, String) {
    match result {
        Err(Error::Config {
            key: Some(key),
            message,
        }) => (key, message),
        other => panic!("expected a configuration error, got {other:?}"),
    }
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
        let (got, message) = config_key(build(with(changes.clone())));
        assert_eq!(
            got,
            format!("providers.apple.{key}"),
            "{changes}: {message}"
        );
        assert!(!message.contains("BEGIN"), "{message}");
    }
}
