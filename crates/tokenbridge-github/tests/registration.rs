//! The registration of `kind = "github"`: GitHub's hosts by default, `base_url` replacing
//! them, and configuration mistakes naming the key.

use serde_json::{json, Value};
use tokenbridge_core::{
    AuthMethod, ErrorKind, GrantKind, HttpMethod, ParamsIn, Provider, SecretString,
    TokenExchanger as _,
};
use tokenbridge_github::{GitHub, DESCRIPTION};
use tokenbridge_testkit::kind::{build_kind, config_error};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(
        &GitHub,
        "github",
        settings,
        &[("GITHUB_SECRET", "from-env")],
    )
}

#[test]
fn the_description_is_the_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("github", "GitHub"));
    assert_eq!(
        d.paths.token,
        Some("https://github.com/login/oauth/access_token")
    );
    assert_eq!(
        d.paths.revocation,
        Some("https://api.github.com/applications/{client_id}/token")
    );
    assert_eq!(d.revocation.method, HttpMethod::Delete);
    assert_eq!(d.revocation.params_in, ParamsIn::Json);
    assert_eq!(d.revocation.token_param, "access_token");
    assert!(d.revocation.basic_auth);
    assert_eq!(d.default_auth_method(true), AuthMethod::ClientSecretPost);
    assert_eq!(
        d.grants_for(AuthMethod::None),
        [GrantKind::RefreshToken, GrantKind::Extension]
    );
    assert!(d.paths.end_session.is_none() && d.paths.jwks.is_none());
    let m = d.errors.lookup("bad_verification_code").unwrap();
    assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidGrant, false));
}

#[tokio::test]
async fn configuration_builds_a_provider_on_githubs_hosts_or_the_base_url() {
    let github =
        build(json!({"client_id": "Iv1.abc", "client_secret_env": "GITHUB_SECRET"})).unwrap();
    assert_eq!(
        github.token_endpoint().await.unwrap().as_str(),
        "https://github.com/login/oauth/access_token"
    );
    let caps = github.capabilities().await.unwrap();
    assert!(caps.authorization && caps.userinfo && caps.revocation && caps.device_authorization);
    assert!(!caps.end_session && !caps.jwks);
    assert!(!github.supports(GrantKind::ClientCredentials));

    let local = build(json!({
        "client_id": "Iv1.abc",
        "client_secret": "s",
        "base_url": "http://127.0.0.1:8123",
    }))
    .unwrap();
    assert_eq!(
        local.token_endpoint().await.unwrap().as_str(),
        "http://127.0.0.1:8123/login/oauth/access_token"
    );
    assert_eq!(
        local
            .endpoints()
            .await
            .unwrap()
            .userinfo
            .as_ref()
            .unwrap()
            .as_str(),
        "http://127.0.0.1:8123/user"
    );
}

#[test]
fn configuration_mistakes_name_the_key() {
    for (settings, key) in [
        (
            json!({"client_id": "a", "client_secret": "s", "region": "lark"}),
            "providers.github.region",
        ),
        (
            json!({"client_id": "a", "client_secret": "s", "base_url": "http://github.example.com"}),
            "providers.github.base_url",
        ),
        (json!({"client_secret": "s"}), "providers.github.client_id"),
        (
            json!({"client_id": "a", "client_secret_env": "UNSET"}),
            "providers.github.client_secret_env",
        ),
    ] {
        let shown = settings.to_string();
        assert_eq!(config_error(build(settings)).0, key, "{shown}");
    }
}

#[test]
fn debug_hides_the_secret() {
    let provider = tokenbridge_github::builder("github")
        .client_id("Iv1.abc")
        .client_secret(SecretString::from("hunter2-secret"))
        .build()
        .unwrap();
    assert!(!format!("{provider:?}").contains("hunter2-secret"));
}
