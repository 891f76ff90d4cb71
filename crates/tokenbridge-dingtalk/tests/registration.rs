//! `kind = "dingtalk"` from configuration: through `tokenbridge::Config` and `Registry`, the
//! kind's own keys, and the mistakes refused with the key named and nothing sent.

use tokenbridge::{Config, GrantKind, Provider, Registry, TokenExchanger as _};
use tokenbridge_dingtalk::DESCRIPTION;
use tokenbridge_testkit::kind::config_error;

fn build(toml: &str) -> tokenbridge::Result<Provider> {
    let config = Config::from_toml_str(toml)?;
    Registry::new()
        .with_env(|name: &str| (name == "DINGTALK_SECRET").then(|| "from-env".to_owned()))
        .build(&config, "dingtalk")
}

#[test]
fn the_description_is_dingtalks_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("dingtalk", "DingTalk"));
    assert_eq!(
        d.paths.authorization,
        Some("https://login.dingtalk.com/oauth2/auth")
    );
    assert_eq!(
        d.paths.token,
        Some("https://api.dingtalk.com/v1.0/oauth2/userAccessToken")
    );
    assert_eq!(
        d.paths.userinfo,
        Some("https://api.dingtalk.com/v1.0/contact/users/me")
    );
    assert_eq!(d.paths.revocation, None);
    assert_eq!(d.paths.end_session, None);
    assert_eq!(d.callback_code_params, ["authCode"]);
    assert_eq!(d.authorize.params, [("prompt", "consent")]);
    assert!(!d.authorize.pkce);
    assert!(d.errors.0.iter().all(|m| m.inferred));
}

#[tokio::test]
async fn a_configured_provider_uses_dingtalks_hosts_without_base_url() {
    let provider = build(
        r#"
        [providers.dingtalk]
        kind = "dingtalk"
        client_id = "dingabc"
        client_secret_env = "DINGTALK_SECRET"
        redirect_uri = "https://app.example.com/callback"
        scopes = ["openid", "corpid"]
        "#,
    )
    .unwrap();
    assert_eq!(
        provider.token_endpoint().await.unwrap().as_str(),
        "https://api.dingtalk.com/v1.0/oauth2/userAccessToken"
    );
    let caps = provider.capabilities().await.unwrap();
    assert!(caps.authorization && caps.userinfo);
    assert!(!caps.revocation && !caps.end_session && !caps.jwks);
    assert!(provider.supports(GrantKind::RefreshToken));
    assert!(!provider.supports(GrantKind::ClientCredentials));
    let request = provider.authorization_request().build().await.unwrap();
    let state = tokenbridge::ExposeSecret::expose_secret(request.pending.state()).to_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "https://login.dingtalk.com/oauth2/auth?response_type=code&client_id=dingabc\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&scope=openid+corpid\
             &state={state}&prompt=consent"
        )
    );
}

#[tokio::test]
async fn base_url_moves_every_endpoint_to_one_origin() {
    let provider = build(
        r#"
        [providers.dingtalk]
        kind = "dingtalk"
        base_url = "http://127.0.0.1:9"
        client_id = "dingabc"
        client_secret = "s"
        "#,
    )
    .unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "http://127.0.0.1:9/v1.0/oauth2/userAccessToken"
    );
    assert_eq!(
        endpoints.authorization.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/oauth2/auth"
    );
    assert_eq!(
        endpoints.userinfo.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/v1.0/contact/users/me"
    );
}

#[test]
fn configuration_mistakes_name_the_key() {
    let cases = [
        (
            "kind = \"dingtalk\"\nclient_id = \"d\"\nclient_secret = \"s\"\ncorp_id = \"x\"",
            "providers.dingtalk.corp_id",
        ),
        ("kind = \"dingtalk\"\nclient_secret = \"s\"", "providers.dingtalk.client_id"),
        (
            "kind = \"dingtalk\"\nclient_id = \"d\"\nclient_secret = \"s\"\nbase_url = \"http://api.example.com\"",
            "providers.dingtalk.base_url",
        ),
        (
            "kind = \"dingtalk\"\nclient_id = \"d\"\nclient_secret_env = \"UNSET\"",
            "providers.dingtalk.client_secret_env",
        ),
    ];
    for (table, key) in cases {
        let toml = format!("[providers.dingtalk]\n{table}\n");
        assert_eq!(config_error(build(&toml)).0, key, "{toml}");
    }
}
