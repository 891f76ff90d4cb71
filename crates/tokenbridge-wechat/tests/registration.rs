//! `kind = "wechat"` from configuration: through `tokenbridge::Config` and `Registry`, the
//! kind's own keys, and the mistakes refused with the key named and nothing sent.

use tokenbridge::{Config, ErrorKind, GrantKind, Provider, Registry, TokenExchanger as _};
use tokenbridge_testkit::kind::config_error;
use tokenbridge_wechat::{endpoints, DESCRIPTION};

fn build(toml: &str) -> tokenbridge::Result<Provider> {
    let config = Config::from_toml_str(toml)?;
    Registry::new()
        .with_env(|name: &str| (name == "WECHAT_SECRET").then(|| "from-env".to_owned()))
        .build(&config, "wechat")
}

#[test]
fn the_description_is_wechats_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("wechat", "WeChat"));
    assert_eq!(
        d.paths.authorization,
        Some("https://open.weixin.qq.com/connect/qrconnect")
    );
    assert_eq!(
        d.paths.token,
        Some("https://api.weixin.qq.com/sns/oauth2/access_token")
    );
    assert_eq!(
        d.token_request.refresh_path,
        Some("https://api.weixin.qq.com/sns/oauth2/refresh_token")
    );
    assert_eq!(d.paths.userinfo, Some(endpoints::USERINFO));
    assert_eq!(d.paths.revocation, None);
    assert_eq!(d.paths.end_session, None);
    assert_eq!(d.paths.jwks, None);
    assert_eq!(d.authorize.client_id_param, "appid");
    assert_eq!(d.authorize.fragment, Some("wechat_redirect"));
    assert!(!d.authorize.pkce);
    assert_eq!(d.default_scopes, ["snsapi_login"]);
    let used = d.errors.lookup("40163").unwrap();
    assert_eq!((used.kind, used.inferred), (ErrorKind::InvalidGrant, true));
    let busy = d.errors.lookup("-1").unwrap();
    assert_eq!(
        (busy.kind, busy.inferred),
        (ErrorKind::ProviderUnavailable, false)
    );
}

#[tokio::test]
async fn a_configured_provider_uses_wechats_hosts_without_base_url() {
    let provider = build(
        r#"
        [providers.wechat]
        kind = "wechat"
        client_id = "wx1234567890abcdef"
        client_secret_env = "WECHAT_SECRET"
        redirect_uri = "https://app.example.com/callback"
        "#,
    )
    .unwrap();
    assert_eq!(provider.vendor().kind, "wechat");
    assert_eq!(
        provider.token_endpoint().await.unwrap().as_str(),
        "https://api.weixin.qq.com/sns/oauth2/access_token"
    );
    let caps = provider.capabilities().await.unwrap();
    assert!(caps.authorization && caps.userinfo);
    assert!(!caps.revocation && !caps.end_session && !caps.jwks);
    assert!(provider.supports(GrantKind::RefreshToken));
    assert!(!provider.supports(GrantKind::ClientCredentials));

    let request = provider
        .authorization_request()
        .param("lang", "en")
        .build()
        .await
        .unwrap();
    let url = request.url.as_str();
    let state = tokenbridge::ExposeSecret::expose_secret(request.pending.state()).to_owned();
    assert_eq!(
        url,
        format!(
            "https://open.weixin.qq.com/connect/qrconnect?response_type=code\
             &appid=wx1234567890abcdef&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback\
             &scope=snsapi_login&state={state}&lang=en#wechat_redirect"
        )
    );
}

#[tokio::test]
async fn base_url_moves_every_endpoint_to_one_origin() {
    let provider = build(
        r#"
        [providers.wechat]
        kind = "wechat"
        base_url = "http://127.0.0.1:9"
        client_id = "wx1"
        client_secret = "s"
        "#,
    )
    .unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "http://127.0.0.1:9/sns/oauth2/access_token"
    );
    assert_eq!(
        endpoints.authorization.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/connect/qrconnect"
    );
    assert_eq!(
        endpoints.userinfo.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/sns/userinfo"
    );
}

#[test]
fn configuration_mistakes_name_the_key() {
    let cases = [
        (
            "kind = \"wechat\"\nclient_id = \"wx1\"\nclient_secret = \"s\"\nappid = \"wx1\"",
            "providers.wechat.appid",
        ),
        ("kind = \"wechat\"\nclient_secret = \"s\"", "providers.wechat.client_id"),
        (
            "kind = \"wechat\"\nclient_id = \"wx1\"\nclient_secret = \"s\"\nbase_url = \"http://api.example.com\"",
            "providers.wechat.base_url",
        ),
        (
            "kind = \"wechat\"\nclient_id = \"wx1\"\nclient_secret_env = \"UNSET\"",
            "providers.wechat.client_secret_env",
        ),
    ];
    for (table, key) in cases {
        let toml = format!("[providers.wechat]\n{table}\n");
        assert_eq!(config_error(build(&toml)).0, key, "{toml}");
    }
}
