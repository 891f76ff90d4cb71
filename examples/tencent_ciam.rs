//! Tencent Cloud CIAM with tokenbridge: a Web app's code and refresh exchanges, client
//! credentials, a public SPA's PKCE exchange, the JWKS, and what a refusal looks like.
//!
//! Runs offline against the loopback Tencent CIAM emulator:
//!
//! ```text
//! cargo run --example tencent_ciam
//! ```
//!
//! To exchange a real code instead, set `TENCENT_CIAM_BASE_URL` (the portal domain),
//! `TENCENT_CIAM_CLIENT_ID`, `TENCENT_CIAM_CLIENT_SECRET`, `TENCENT_CIAM_REDIRECT_URI` and
//! `TENCENT_CIAM_CODE` (from your callback).

use std::env;
use std::error::Error;

use tokenbridge::{
    AuthMethod, ExposeSecret, Grant, HttpClient, PkceVerifier, SecretString, TokenExchanger,
};
use tokenbridge_tencent_ciam::{TencentCiamConfig, TencentCiamExchanger};
use tokenbridge_testkit::tencent_ciam::{
    TencentCiamEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID,
    DEMO_REDIRECT_URI,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(base_url) = env::var("TENCENT_CIAM_BASE_URL") {
        return exchange_real_code(base_url).await;
    }

    let ciam = TencentCiamEmulator::start().await?;
    println!("Tencent CIAM emulator at {}", ciam.base());

    // A Web app: client_secret_post, the documented default.
    let web = TencentCiamExchanger::new(
        "tencent",
        TencentCiamConfig::new(ciam.base(), DEMO_CLIENT_ID)
            .with_client_secret(SecretString::from(DEMO_CLIENT_SECRET)),
        HttpClient::default(),
    )?;
    let code = ciam.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, None);
    let tokens = web
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await?;
    println!("code exchange:      {tokens}");

    // Tencent usually echoes the refresh token; store whatever comes back.
    if let Some(refresh_token) = tokens.refresh_token() {
        let refreshed = web
            .exchange(Grant::refresh_token(refresh_token.expose_secret()))
            .await?;
        let same = refreshed.refresh_token().map(|t| t.expose_secret())
            == Some(refresh_token.expose_secret());
        println!("refresh:            {refreshed} (same refresh token back: {same})");
    }

    let m2m = web.exchange(Grant::client_credentials(["openid"])).await?;
    println!("client credentials: {m2m}");

    // A public SPA: no secret, PKCE instead.
    let spa = TencentCiamExchanger::new(
        "tencent",
        TencentCiamConfig::new(ciam.base(), DEMO_PUBLIC_CLIENT_ID)
            .with_auth_method(AuthMethod::None),
        HttpClient::default(),
    )?;
    let verifier = PkceVerifier::generate()?;
    let code = ciam.issue_code(
        DEMO_PUBLIC_CLIENT_ID,
        DEMO_REDIRECT_URI,
        Some(verifier.s256_challenge()),
    );
    let tokens = spa
        .exchange(Grant::authorization_code_pkce(
            &code,
            DEMO_REDIRECT_URI,
            verifier.secret().expose_secret(),
        ))
        .await?;
    println!("PKCE exchange:      {tokens}");

    // A wrong verifier: Tencent says invalid_client, and the error says to check the verifier.
    let code = ciam.issue_code(
        DEMO_PUBLIC_CLIENT_ID,
        DEMO_REDIRECT_URI,
        Some(verifier.s256_challenge()),
    );
    let wrong = PkceVerifier::generate()?;
    if let Err(err) = spa
        .exchange(Grant::authorization_code_pkce(
            &code,
            DEMO_REDIRECT_URI,
            wrong.secret().expose_secret(),
        ))
        .await
    {
        println!(
            "wrong verifier:     invalid client: {}\n                    {err}",
            err.is_invalid_client()
        );
    }

    let jwks = web.jwks().await?;
    let kids: Vec<_> = jwks.keys.iter().filter_map(|k| k.kid.as_deref()).collect();
    println!("JWKS key ids:       {kids:?}");
    Ok(())
}

async fn exchange_real_code(base_url: String) -> Result<(), Box<dyn Error>> {
    let var = |name: &str| env::var(name).map_err(|_| format!("set {name}"));
    let mut config = TencentCiamConfig::new(base_url, var("TENCENT_CIAM_CLIENT_ID")?);
    match env::var("TENCENT_CIAM_CLIENT_SECRET") {
        Ok(secret) => config = config.with_client_secret(SecretString::from(secret)),
        Err(_) => config = config.with_auth_method(AuthMethod::None),
    }
    let ciam = TencentCiamExchanger::new("tencent", config, HttpClient::default())?;
    let tokens = ciam
        .exchange(Grant::authorization_code(
            var("TENCENT_CIAM_CODE")?,
            var("TENCENT_CIAM_REDIRECT_URI")?,
        ))
        .await?;
    println!("{tokens}");
    Ok(())
}
