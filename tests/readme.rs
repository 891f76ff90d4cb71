//! The README's code example, compiled and run against the loopback emulator, so the README
//! cannot drift from the real API.

use tokenbridge::AuthMethod;
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile};

include!("readme/example.rs");

mod web {
    include!("readme/web.rs");

    pub(super) fn build(config_file: &str) -> tokenbridge::Result<Router> {
        app(config_file)
    }
}

mod switching {
    include!("readme/switching.rs");

    pub(super) async fn run(
        config_file: &str,
        provider: &str,
        code: String,
    ) -> tokenbridge::Result<TokenSet> {
        let provider = provider_from(config_file, provider)?;
        sign_in_with(&provider, code).await
    }
}

/// The README's configuration block.
fn readme_toml() -> &'static str {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\n")
        .map(|i| i + "```toml\n".len())
        .unwrap_or(0);
    let end = readme[start..]
        .find("```")
        .map(|i| start + i)
        .unwrap_or(start);
    &readme[start..end]
}

#[test]
fn the_readme_configuration_builds() {
    let config = tokenbridge::Config::from_toml_str(readme_toml()).unwrap();
    let registry = tokenbridge::Registry::new()
        .with_env(|var| var.ends_with("_SECRET").then(|| "s".to_owned()));
    let all = registry.build_all(&config).unwrap();
    assert_eq!(
        all.keys().map(String::as_str).collect::<Vec<_>>(),
        ["any", "corp"]
    );
}

#[tokio::test]
async fn the_readme_switching_example_signs_in() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator
        .provider()
        .register_client(ClientRegistration::public("my-app"));
    let path = std::env::temp_dir().join(format!("tokenbridge-readme-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        format!(
            "[providers.corp]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"my-app\"\nauth_method = \"none\"\n",
            emulator.issuer()
        ),
    )
    .unwrap();
    let code = emulator.issue_code("my-app", "https://app.example.com/callback", None);
    let tokens = switching::run(path.to_str().unwrap(), "corp", code).await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(tokens.unwrap().provider_id(), "corp");
}

#[test]
fn the_readme_shows_the_example_verbatim() {
    let readme = include_str!("../README.md");
    for example in [
        include_str!("readme/example.rs"),
        include_str!("readme/switching.rs"),
        include_str!("readme/web.rs"),
    ] {
        assert!(
            readme.contains(&format!("```rust\n{example}```")),
            "README.md must contain tests/readme/*.rs verbatim as ```rust blocks"
        );
    }
}

#[tokio::test]
async fn the_readme_example_signs_in() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator
        .provider()
        .register_client(ClientRegistration::confidential(
            "my-app",
            "s3cret",
            AuthMethod::ClientSecretBasic,
        ));
    let code = emulator.issue_code("my-app", "https://app.example.com/callback", None);

    let provider = corp(emulator.issuer(), SecretString::from("s3cret")).unwrap();
    let access_token = sign_in(&provider, code.clone()).await.unwrap();
    assert_eq!(access_token.map(|t| t.split('.').count()), Some(3));

    // The same code again: refused as an invalid grant, which the example turns into None.
    let again = sign_in(&provider, code).await.unwrap();
    assert_eq!(again, None);
    // One provider, one discovery, however many sign-ins.
    assert_eq!(
        emulator
            .server()
            .requests_to("/.well-known/openid-configuration")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_readme_web_app_signs_in_at_the_configured_provider() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("tokenbridge-readme-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("tokenbridge.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.corp]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"my-app\"\nclient_secret = \"s\"\n",
            emulator.issuer()
        ),
    )
    .unwrap();
    let app = web::build(config.to_str().unwrap()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = tokenbridge::reqwest::Client::builder()
        .redirect(tokenbridge::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let me = http.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(me.status(), 401);
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 303);
    let location = login.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(emulator.issuer()), "{location}");
    assert!(
        location.contains("redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback"),
        "{location}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
