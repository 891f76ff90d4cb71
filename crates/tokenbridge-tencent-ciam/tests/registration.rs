//! The description as data, the registration of `kind = "tencent-ciam"`, and the
//! configuration mistakes core refuses for it (naming the key, sending nothing).

use serde_json::{json, Value};
use tokenbridge_core::{
    AuthMethod, ErrorKind, GrantKind, Provider, ProviderFactory, SecretString, TokenExchanger,
};
use tokenbridge_tencent_ciam::{TencentCiam, DESCRIPTION};
use tokenbridge_testkit::kind::{build_kind, config_error};

const BASE: &str = "https://t.portal.tencentciam.com";

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(
        &TencentCiam,
        "tencent",
        settings,
        &[("CIAM_SECRET", "from-env")],
    )
}

#[test]
fn the_description_is_tencents_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("tencent-ciam", "Tencent Cloud CIAM"));
    assert_eq!(d.paths.token, Some("/oauth2/token"));
    assert_eq!(d.paths.authorization, Some("/oauth2/authorize"));
    assert_eq!(d.paths.revocation, Some("/oauth2/revoke"));
    assert_eq!(d.paths.userinfo, Some("/userinfo"));
    assert_eq!(d.paths.jwks, Some("/oauth2/jwks"));
    assert_eq!(d.paths.end_session, Some("/logout"));
    assert_eq!(d.paths.discovery, Some("/.well-known/openid-configuration"));
    assert_eq!(
        d.auth_methods,
        [
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretBasic,
            AuthMethod::None
        ]
    );
    assert_eq!(d.default_auth_method(true), AuthMethod::ClientSecretPost);
    assert_eq!(
        d.grants_for(AuthMethod::ClientSecretPost),
        [
            GrantKind::AuthorizationCode,
            GrantKind::RefreshToken,
            GrantKind::ClientCredentials
        ]
    );
    assert_eq!(
        d.grants_for(AuthMethod::None),
        [GrantKind::AuthorizationCode, GrantKind::RefreshToken]
    );
    assert!(d.redirect_uri_required);
    assert_eq!(d.logout.id_token_hint, None);
    assert_eq!(d.logout.post_logout_redirect_uri, "logout_redirect_uri");
    assert_eq!(d.logout.client_id, Some("client_id"));
    let m = d.errors.lookup("user_not_found").unwrap();
    assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidToken, true));
    assert!(d.errors.lookup("invalid_client").is_none());
}

#[tokio::test]
async fn registration_builds_a_provider_from_configuration() {
    assert_eq!(TencentCiam.kind(), "tencent-ciam");
    let provider = build(json!({
        "base_url": BASE,
        "client_id": "web-app",
        "client_secret_env": "CIAM_SECRET",
        "redirect_uri": "https://app.example.com/cb",
        "scopes": "openid profile",
    }))
    .unwrap();
    assert_eq!(provider.id(), "tencent");
    assert_eq!(provider.vendor().kind, "tencent-ciam");
    assert_eq!(provider.client_id(), "web-app");
    assert_eq!(provider.redirect_uri(), Some("https://app.example.com/cb"));
    assert_eq!(provider.scopes(), ["openid", "profile"]);
    assert_eq!(
        provider.token_endpoint().await.unwrap().as_str(),
        "https://t.portal.tencentciam.com/oauth2/token"
    );
    assert_eq!(
        provider.auth_method_name().await.unwrap(),
        "client_secret_post"
    );
    let caps = provider.capabilities().await.unwrap();
    assert!(caps.authorization && caps.revocation && caps.userinfo && caps.jwks);
    assert!(caps.end_session);

    let public = build(json!({"base_url": BASE, "client_id": "spa"})).unwrap();
    assert_eq!(public.auth_method_name().await.unwrap(), "none");
    assert!(!public.supports(GrantKind::ClientCredentials));
}

#[test]
fn configuration_mistakes_name_the_key() {
    let cases = [
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": "s", "protocol": "oidc"}),
            "providers.tencent.protocol",
        ),
        (
            json!({"client_id": "a", "client_secret": "s"}),
            "providers.tencent.base_url",
        ),
        (
            json!({"base_url": "http://t.portal.tencentciam.com", "client_id": "a", "auth_method": "none"}),
            "providers.tencent.base_url",
        ),
        (
            json!({"base_url": "t.portal.tencentciam.com", "client_id": "a"}),
            "providers.tencent.base_url",
        ),
        (
            json!({"base_url": format!("{BASE}?x=1"), "client_id": "a"}),
            "providers.tencent.base_url",
        ),
        (
            json!({"base_url": BASE, "client_id": " "}),
            "providers.tencent.client_id",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "auth_method": "client_secret_post"}),
            "providers.tencent.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "auth_method": "client_secret_basic"}),
            "providers.tencent.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": ""}),
            "providers.tencent.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret": "s", "auth_method": "none"}),
            "providers.tencent.client_secret",
        ),
        (
            json!({"base_url": BASE, "client_id": "a", "client_secret_env": "UNSET"}),
            "providers.tencent.client_secret_env",
        ),
    ];
    for (settings, key) in cases {
        let shown = settings.to_string();
        assert_eq!(config_error(build(settings)).0, key, "{shown}");
    }
}

#[test]
fn credentials_in_the_base_url_are_refused_and_not_shown() {
    for base in [
        "https://admin:hunter2@t.portal.tencentciam.com/ciam",
        "https://hunter2@t.portal.tencentciam.com",
    ] {
        let (key, message) = config_error(
            tokenbridge_tencent_ciam::builder("tencent")
                .base_url(base)
                .client_id("a")
                .build(),
        );
        assert_eq!(key, "base_url");
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[test]
fn debug_hides_the_secret() {
    let provider = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(BASE)
        .client_id("web")
        .client_secret(SecretString::from("hunter2-secret"))
        .auth_method(AuthMethod::ClientSecretBasic)
        .build()
        .unwrap();
    let shown = format!("{provider:?}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[tokio::test]
async fn clones_share_the_provider() {
    let provider = tokenbridge_tencent_ciam::builder("tencent")
        .base_url("https://sso.example.com/ciam/")
        .client_id("web")
        .client_secret(SecretString::from("s"))
        .build()
        .unwrap();
    let clone = provider.clone();
    assert_eq!(
        clone.token_endpoint().await.unwrap().as_str(),
        "https://sso.example.com/ciam/oauth2/token"
    );
    assert_eq!(
        clone.base_url().map(|u| u.as_str()),
        Some("https://sso.example.com/ciam/")
    );
    assert!(provider.supports(GrantKind::ClientCredentials));
    assert!(!provider.supports(GrantKind::Extension));
}
