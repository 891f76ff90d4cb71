//! The registration of `kind = "feishu"`: the region picks the hosts, `base_url` replaces
//! them, and configuration mistakes name the key.

use serde_json::{json, Value};
use tokenbridge_core::{AuthMethod, GrantKind, Provider, SecretString};
use tokenbridge_feishu::{Feishu, DESCRIPTION, LARK};
use tokenbridge_testkit::kind::{build_kind, config_error};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(
        &Feishu,
        "feishu",
        settings,
        &[("FEISHU_SECRET", "from-env")],
    )
}

#[test]
fn the_descriptions_are_the_documentation() {
    for (d, name) in [(&DESCRIPTION, "Feishu"), (&LARK, "Lark")] {
        assert_eq!((d.kind, d.name), ("feishu", name));
        assert_eq!(d.auth_methods, [AuthMethod::ClientSecretPost]);
        assert_eq!(
            d.grants,
            [GrantKind::AuthorizationCode, GrantKind::RefreshToken]
        );
        assert!(d.public_grants.is_empty());
        assert!(d.default_scopes.is_empty());
        assert!(d.paths.end_session.is_none() && d.paths.jwks.is_none());
        assert!(d.paths.revocation.is_none());
        for code in ["20003", "20065", "20073", "20037", "20064"] {
            let m = d.errors.lookup(code).unwrap();
            assert_eq!(
                (m.kind, m.inferred),
                (tokenbridge_core::ErrorKind::InvalidGrant, false)
            );
        }
        assert!(d.errors.lookup("99991668").unwrap().inferred);
    }
    assert_eq!(
        DESCRIPTION.paths.authorization,
        Some("https://accounts.feishu.cn/open-apis/authen/v1/authorize")
    );
    assert_eq!(
        LARK.paths.userinfo,
        Some("https://open.larksuite.com/open-apis/authen/v1/user_info")
    );
}

#[tokio::test]
async fn the_region_picks_the_hosts_and_base_url_replaces_them() {
    let feishu =
        build(json!({"client_id": "cli_a", "client_secret_env": "FEISHU_SECRET"})).unwrap();
    assert_eq!(feishu.vendor().name, "Feishu");
    assert_eq!(
        feishu.token_endpoint().await.unwrap().as_str(),
        "https://open.feishu.cn/open-apis/authen/v2/oauth/token"
    );
    assert_eq!(
        feishu.auth_method_name().await.unwrap(),
        "client_secret_post"
    );
    let lark =
        build(json!({"client_id": "cli_a", "client_secret": "s", "region": "lark"})).unwrap();
    assert_eq!(lark.vendor().name, "Lark");
    assert_eq!(
        lark.token_endpoint().await.unwrap().as_str(),
        "https://open.larksuite.com/open-apis/authen/v2/oauth/token"
    );
    let proxied = build(json!({
        "client_id": "cli_a",
        "client_secret": "s",
        "region": "lark",
        "base_url": "http://127.0.0.1:9999",
    }))
    .unwrap();
    assert_eq!(
        proxied.token_endpoint().await.unwrap().as_str(),
        "http://127.0.0.1:9999/open-apis/authen/v2/oauth/token"
    );
    let caps = proxied.capabilities().await.unwrap();
    assert!(caps.authorization && caps.userinfo);
    assert!(!caps.revocation && !caps.end_session && !caps.jwks);
}

#[test]
fn configuration_mistakes_name_the_key() {
    let cases = [
        (
            json!({"client_id": "a", "client_secret": "s", "region": "cn"}),
            "providers.feishu.region",
        ),
        (
            json!({"client_id": "a", "client_secret": "s", "tenant": "x"}),
            "providers.feishu.tenant",
        ),
        (
            json!({"client_id": "a", "client_secret": "s", "base_url": "http://feishu.example.com"}),
            "providers.feishu.base_url",
        ),
        (json!({"client_secret": "s"}), "providers.feishu.client_id"),
        (
            json!({"client_id": "a", "client_secret_env": "UNSET"}),
            "providers.feishu.client_secret_env",
        ),
    ];
    for (settings, key) in cases {
        let shown = settings.to_string();
        assert_eq!(config_error(build(settings)).0, key, "{shown}");
    }
}

#[test]
fn debug_hides_the_secret() {
    let provider = tokenbridge_feishu::builder("feishu", tokenbridge_feishu::Region::Feishu)
        .client_id("cli_a")
        .client_secret(SecretString::from("hunter2-secret"))
        .build()
        .unwrap();
    let shown = format!("{provider:?}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
}
