//! The descriptions as data, the registration of `kind = "huawei-oneaccess"`, and the
//! configuration mistakes core refuses for it (naming the key, sending nothing).

use serde_json::{json, Value};
use tokenbridge_core::{
    AuthMethod, ErrorKind, GrantKind, Protocol, Provider, ProviderFactory, SecretString,
};
use tokenbridge_huawei_oneaccess::{description, HuaweiOneAccess, OAUTH, OIDC};
use tokenbridge_testkit::kind::{build_kind, config_error};

const BASE: &str = "https://example.huaweioneaccess.com";

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(
        &HuaweiOneAccess,
        "huawei",
        settings,
        &[("ONEACCESS_SECRET", "from-env")],
    )
}

#[test]
fn the_descriptions_are_oneaccess_documentation() {
    for d in [&OIDC, &OAUTH] {
        assert_eq!(
            (d.kind, d.name),
            ("huawei-oneaccess", "Huawei Cloud OneAccess")
        );
        assert_eq!(d.paths.token, Some("/api/v1/oauth2/token"));
        assert_eq!(
            d.paths.authorization, None,
            "not in the documentation cited"
        );
        assert_eq!(d.paths.revocation, None, "OneAccess documents none");
        assert_eq!(d.paths.userinfo, Some("/api/v1/oauth2/userinfo"));
        assert_eq!(d.paths.jwks, None, "from discovery's jwks_uri");
        assert_eq!(d.paths.end_session, Some("/api/v1/logout"));
        assert_eq!(
            d.paths.discovery,
            Some("/api/v1/oauth2/.well-known/openid-configuration")
        );
        assert_eq!(d.auth_methods, [AuthMethod::ClientSecretPost]);
        assert_eq!(
            d.grants,
            [GrantKind::AuthorizationCode, GrantKind::RefreshToken]
        );
        assert!(d.public_grants.is_empty());
        assert_eq!(d.logout.post_logout_redirect_uri, "redirect_url");
        assert_eq!(
            (d.logout.id_token_hint, d.logout.client_id, d.logout.state),
            (None, None, false)
        );
        let m = d.errors.lookup("PARAM.0004").unwrap();
        assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidClient, false));
        let m = d.errors.lookup("unauthorized").unwrap();
        assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidToken, false));
    }
    assert!(OIDC.redirect_uri_required);
    assert!(!OAUTH.redirect_uri_required);
    assert!(std::ptr::eq(description(Protocol::Oidc), &OIDC));
    assert!(std::ptr::eq(description(Protocol::OAuth2), &OAUTH));
}

#[tokio::test]
async fn registration_builds_a_provider_per_protocol() {
    assert_eq!(HuaweiOneAccess.kind(), "huawei-oneaccess");
    for (protocol, expected) in [
        (None, &OIDC),
        (Some("oidc"), &OIDC),
        (Some("oauth"), &OAUTH),
    ] {
        let mut settings = json!({
            "base_url": format!("{BASE}/gw/"),
            "client_id": "app",
            "client_secret_env": "ONEACCESS_SECRET",
        });
        if let Some(p) = protocol {
            settings["protocol"] = json!(p);
        }
        let provider = build(settings).unwrap();
        assert!(std::ptr::eq(provider.vendor(), expected), "{protocol:?}");
        assert_eq!(provider.id(), "huawei");
        assert_eq!(
            provider.token_endpoint().await.unwrap().as_str(),
            "https://example.huaweioneaccess.com/gw/api/v1/oauth2/token"
        );
        assert_eq!(
            provider.auth_method_name().await.unwrap(),
            "client_secret_post"
        );
        assert_eq!(provider.endpoints().await.unwrap().revocation, None);
    }
}

#[test]
fn configuration_mistakes_name_the_key() {
    let cases = [
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": "s", "protocol": "saml"}),
            "providers.huawei.protocol",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": "s", "issuer": BASE}),
            "providers.huawei.issuer",
        ),
        (
            json!({"client_id": "a", "client_secret": "s"}),
            "providers.huawei.base_url",
        ),
        (
            json!({"base_url": "http://example.huaweioneaccess.com", "client_id": "a", "client_secret": "s"}),
            "providers.huawei.base_url",
        ),
        (
            json!({"base_url": "example.huaweioneaccess.com", "client_id": "a", "client_secret": "s"}),
            "providers.huawei.base_url",
        ),
        (
            json!({"base_url": format!("{BASE}#x"), "client_id": "a", "client_secret": "s"}),
            "providers.huawei.base_url",
        ),
        (
            json!({"base_url": BASE, "client_id": "", "client_secret": "s"}),
            "providers.huawei.client_id",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": ""}),
            "providers.huawei.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": "s", "auth_method": "client_secret_basic"}),
            "providers.huawei.auth_method",
        ),
        // OneAccess documents no public clients: the secret is required.
        (
            json!({"base_url": BASE, "client_id": "a"}),
            "providers.huawei.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "auth_method": "none"}),
            "providers.huawei.auth_method",
        ),
    ];
    for (settings, key) in cases {
        let shown = settings.to_string();
        assert_eq!(config_error(build(settings)).0, key, "{shown}");
    }
}

#[test]
fn credentials_in_the_base_url_are_refused_and_not_shown() {
    let (key, message) = config_error(
        tokenbridge_huawei_oneaccess::builder("huawei", Protocol::Oidc)
            .base_url("https://admin:hunter2@example.huaweioneaccess.com/gw")
            .client_id("app")
            .client_secret(SecretString::from("s"))
            .build(),
    );
    assert_eq!(key, "base_url");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn debug_hides_the_secret() {
    let provider = tokenbridge_huawei_oneaccess::builder("huawei", Protocol::OAuth2)
        .base_url(BASE)
        .client_id("app")
        .client_secret(SecretString::from("hunter2-secret"))
        .build()
        .unwrap();
    let shown = format!("{provider:?}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}
