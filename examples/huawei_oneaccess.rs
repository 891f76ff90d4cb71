//! Huawei Cloud OneAccess with tokenbridge: code and refresh exchanges for an OIDC and an
//! OAuth 2.0 application, new refresh tokens on refresh, and the two spellings of `expires_in`.
//!
//! Runs offline against the loopback OneAccess emulator:
//!
//! ```text
//! cargo run --example huawei_oneaccess
//! ```
//!
//! To exchange a real code instead, set `ONEACCESS_BASE_URL` (the user access domain),
//! `ONEACCESS_CLIENT_ID`, `ONEACCESS_CLIENT_SECRET`, `ONEACCESS_REDIRECT_URI`,
//! `ONEACCESS_CODE` (from your callback) and optionally `ONEACCESS_PROTOCOL` (`oidc` or `oauth`).

use std::env;
use std::error::Error;

use tokenbridge_core::{ExposeSecret, Grant, Protocol, SecretString, TokenExchanger};
use tokenbridge_testkit::any_loopback_port;
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(base_url) = env::var("ONEACCESS_BASE_URL") {
        return exchange_real_code(base_url).await;
    }

    for options in [
        // The OIDC page's examples: `"expires_in": 7200`; refresh tokens enabled in the console.
        OneAccessOptions::oidc().with_refresh_tokens(true),
        // The OAuth 2.0 page's example: `"expires_in": "7200"`; no refresh token (the default).
        OneAccessOptions::oauth(),
    ] {
        let protocol = options.protocol;
        let oneaccess = HuaweiOneAccessEmulator::start_with(options, any_loopback_port()).await?;
        println!("OneAccess emulator ({protocol}) at {}", oneaccess.base());
        let provider = tokenbridge_huawei_oneaccess::builder("huawei", protocol)
            .base_url(oneaccess.base())
            .client_id(DEMO_CLIENT_ID)
            .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
            .build()?;
        let revocation = provider.capabilities().await?.revocation;
        println!("  revocation offered: {revocation}");

        let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
        let grant = match protocol {
            // OAuth 2.0 applications may leave redirect_uri out.
            Protocol::OAuth2 => Grant::authorization_code_without_redirect_uri(&code),
            _ => Grant::authorization_code(&code, DEMO_REDIRECT_URI),
        };
        let tokens = provider.exchange(grant).await?;
        println!("  code exchange: {tokens}");

        match tokens.refresh_token() {
            Some(old) => {
                let refreshed = provider
                    .exchange(Grant::refresh_token(old.expose_secret()))
                    .await?;
                println!("  refresh:       {refreshed}");
                // Each refresh returns a new refresh token; store it. (That the old one
                // stops working, as here, is the emulator's assumption.)
                if let Err(err) = provider
                    .exchange(Grant::refresh_token(old.expose_secret()))
                    .await
                {
                    println!("  old token again: {}\n                  {err}", err.kind());
                }
            }
            None => println!("  no refresh token: the application does not issue them"),
        }
    }
    Ok(())
}

async fn exchange_real_code(base_url: String) -> Result<(), Box<dyn Error>> {
    let var = |name: &str| env::var(name).map_err(|_| format!("set {name}"));
    let protocol: Protocol = env::var("ONEACCESS_PROTOCOL")
        .unwrap_or_else(|_| "oidc".into())
        .parse()?;
    let oneaccess = tokenbridge_huawei_oneaccess::builder("huawei", protocol)
        .base_url(base_url)
        .client_id(var("ONEACCESS_CLIENT_ID")?)
        .client_secret(SecretString::from(var("ONEACCESS_CLIENT_SECRET")?))
        .build()?;
    let tokens = oneaccess
        .exchange(Grant::authorization_code(
            var("ONEACCESS_CODE")?,
            var("ONEACCESS_REDIRECT_URI")?,
        ))
        .await?;
    println!("{tokens}");
    Ok(())
}
