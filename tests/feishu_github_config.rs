#![cfg(all(feature = "feishu", feature = "github"))]
//! `kind = "feishu"` and `kind = "github"` from a configuration file through the registry:
//! the hosts they build, `base_url` over every host, and mistakes named by key.

use tokenbridge::{Config, Error, Registry};

fn build(toml: &str, name: &str) -> tokenbridge::Result<tokenbridge::Provider> {
    let config = Config::from_toml_str(toml)?;
    Registry::new().build(&config, name)
}

fn config_key(result: tokenbridge::Result<tokenbridge::Provider>) -> String {
    match result {
        Err(Error::Config { key: Some(key), .. }) => key,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[tokio::test]
async fn both_kinds_build_from_one_file() {
    let toml = r#"
[providers.lark]
kind = "feishu"
region = "lark"
client_id = "cli_a"
client_secret = "s"

[providers.gh]
kind = "github"
base_url = "http://127.0.0.1:8080"
client_id = "Iv1.a"
client_secret = "s"
subject_claim = "login"
"#;
    let lark = build(toml, "lark").unwrap();
    assert_eq!(
        lark.endpoints()
            .await
            .unwrap()
            .authorization
            .as_ref()
            .unwrap()
            .as_str(),
        "https://accounts.larksuite.com/open-apis/authen/v1/authorize"
    );
    let gh = build(toml, "gh").unwrap();
    let endpoints = gh.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "http://127.0.0.1:8080/login/oauth/access_token"
    );
    assert_eq!(
        endpoints.revocation.as_ref().unwrap().as_str(),
        "http://127.0.0.1:8080/applications/%7Bclient_id%7D/token"
    );
}

#[test]
fn mistakes_name_the_key() {
    for (toml, key) in [
        (
            "[providers.f]\nkind = \"feishu\"\nclient_id = \"a\"\nclient_secret = \"s\"\nregion = \"jp\"\n",
            "providers.f.region",
        ),
        (
            "[providers.f]\nkind = \"feishu\"\nclient_id = \"a\"\nclient_secret = \"s\"\nappid = \"x\"\n",
            "providers.f.appid",
        ),
        (
            "[providers.g]\nkind = \"github\"\nclient_secret = \"s\"\n",
            "providers.g.client_id",
        ),
        (
            "[providers.g]\nkind = \"github\"\nclient_id = \"a\"\nclient_secret = \"s\"\nbase_url = \"http://github.example.com\"\n",
            "providers.g.base_url",
        ),
    ] {
        let name = if toml.contains("providers.f") { "f" } else { "g" };
        assert_eq!(config_key(build(toml, name)), key, "{toml}");
    }
}
