//! A service that shares one session across many tasks.
//!
//! ```text
//! cargo run --example shared_session
//! ```
//!
//! It starts the embedded OpenID Connect emulator (loopback only), signs a user in once, and
//! puts the tokens in a `TokenSession` kept in a session file. Then 50 tasks call a pretend API
//! for a few seconds, each asking the session for an `Authorization` header every time. The
//! emulator issues access tokens that live 2 seconds, so they expire during the run: every
//! expiry costs one refresh request, however many tasks are asking at that moment, and the
//! rotated refresh token is in the session file before any task uses the new access token.

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokenbridge::session::{FileStore, TokenSession};
use tokenbridge::{AuthMethod, Config, ExposeSecret, Grant, Registry, TokenExchanger};
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};

const REDIRECT_URI: &str = "http://127.0.0.1/callback";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The identity provider, with short-lived access tokens and rotating refresh tokens.
    let oidc = OidcEmulator::start(Profile {
        expires_in: 2,
        ..Profile::standard()
    })
    .await?;
    oidc.provider()
        .register_client(ClientRegistration::confidential(
            "demo-app",
            "demo-secret",
            AuthMethod::ClientSecretBasic,
        ));

    // The provider is built once, from configuration, and shared.
    let config = Config::from_toml_str(&format!(
        r#"
[providers.corp]
kind = "oidc"
issuer = "{issuer}"
client_id = "demo-app"
client_secret_env = "CORP_SECRET"
"#,
        issuer = oidc.issuer()
    ))?;
    let registry =
        Registry::new().with_env(|var| (var == "CORP_SECRET").then(|| "demo-secret".to_owned()));
    let provider: Arc<dyn TokenExchanger> = Arc::new(registry.build(&config, "corp")?);

    // Sign-in, once: what the browser brought back.
    let code = oidc.issue_code("demo-app", REDIRECT_URI, None);
    let signed_in = provider
        .exchange(Grant::authorization_code(code, REDIRECT_URI))
        .await?;
    println!("signed in: {signed_in}");

    // The session, kept in a file so a restart (or a `tokenbridge token` process) picks it up.
    let dir =
        std::env::temp_dir().join(format!("tokenbridge-shared-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = FileStore::new(dir.join("session.json"));
    let session = TokenSession::builder(provider)
        .tokens(signed_in)
        .store(Arc::new(store.clone()))
        // Renew when less than half a second is left (60 s by default).
        .refresh_margin(Duration::from_millis(500))
        .build();

    let calls = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let session = session.clone();
            let calls = Arc::clone(&calls);
            tokio::spawn(async move {
                for _ in 0..20 {
                    let header = session.authorization_header().await?;
                    call_api(i, &header).await;
                    calls.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok::<_, tokenbridge::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }

    let requests = oidc.token_requests();
    let refreshes = requests
        .iter()
        .filter(|r| r.form_param("grant_type").as_deref() == Some("refresh_token"))
        .count();
    println!(
        "{} API calls from 50 tasks over about 4 s; {} token requests: 1 sign-in and {refreshes} \
         refreshes, one per expiry",
        calls.load(Ordering::Relaxed),
        requests.len(),
    );
    let stored = tokenbridge::session::TokenStore::load(&store).await?;
    println!(
        "session file holds: {}",
        stored.map(|t| t.to_string()).unwrap_or_default()
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Stands in for a request to a resource server with `Authorization: <header>`.
async fn call_api(_task: usize, header: &tokenbridge::SecretString) {
    debug_assert!(header.expose_secret().starts_with("Bearer "));
    tokio::time::sleep(Duration::from_millis(5)).await;
}
