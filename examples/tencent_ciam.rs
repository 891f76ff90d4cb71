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
//! `TENCENT_CIAM_CLIENT_ID`, `TENCENT_CIAM_CLIENT_SECRET` (omit it for a public app),
//! `TENCENT_CIAM_REDIRECT_URI` and `TENCENT_CIAM_CODE` (from your callback).

use std::env;
use std::error::Error;

use tokenbridge_core::{ExposeSecret, Grant, PkceVerifier, SecretString, TokenExchanger};
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

    // A Web app: client_secret_post, the documented default. Built once, reused.
    let web = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(ciam.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()?;
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

    let m2m = web
        .exchange(Grant::client_credentials().with_scopes(["openid"]))
        .await?;
    println!("client credentials: {m2m}");

    // A public SPA: no secret (so auth method `none`), PKCE instead.
    let spa = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(ciam.base())
        .client_id(DEMO_PUBLIC_CLIENT_ID)
        .build()?;
    let verifier = PkceVerifier::generate()?;
    let code = ciam.issue_code(
        DEMO_PUBLIC_CLIENT_ID,
        DEMO_REDIRECT_URI,
        Some(verifier.s256_challenge()),
    );
    let tokens = spa
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI).with_pkce_verifier(verifier))
        .await?;
    println!("PKCE exchange:      {tokens}");

    // A wrong verifier: Tencent says invalid_client, and the error says to check the verifier.
    let verifier = PkceVerifier::generate()?;
    let code = ciam.issue_code(
        DEMO_PUBLIC_CLIENT_ID,
        DEMO_REDIRECT_URI,
        Some(verifier.s256_challenge()),
    );
    let wrong = PkceVerifier::generate()?;
    if let Err(err) = spa
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI).with_pkce_verifier(wrong))
        .await
    {
        println!(
            "wrong verifier:     {}\n                    {err}",
            err.kind()
        );
    }

    let jwks = web.jwks().await?;
    let kids: Vec<_> = jwks.keys.iter().filter_map(|k| k.kid.as_deref()).collect();
    println!("JWKS key ids:       {kids:?}");
    Ok(())
}

async fn exchange_real_code(base_url: String) -> Result<(), Box<dyn Error>> {
    let var = |name: &str| env::var(name).map_err(|_| format!("set {name}"));
    let mut builder = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(base_url)
        .client_id(var("TENCENT_CIAM_CLIENT_ID")?);
    if let Ok(secret) = env::var("TENCENT_CIAM_CLIENT_SECRET") {
        builder = builder.client_secret(SecretString::from(secret));
    }
    let ciam = builder.build()?;
    let tokens = ciam
        .exchange(Grant::authorization_code(
            var("TENCENT_CIAM_CODE")?,
            var("TENCENT_CIAM_REDIRECT_URI")?,
        ))
        .await?;
    println!("{tokens}");
    Ok(())
}
