//! Huawei Cloud OneAccess with tokenbridge: code and refresh exchanges for an OIDC and an
//! OAuth 2.0 application, refresh token rotation, and the two spellings of `expires_in`.
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

use tokenbridge::{ExposeSecret, Grant, HttpClient, Protocol, SecretString, TokenExchanger};
use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
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
        let exchanger = HuaweiOneAccessExchanger::new(
            "huawei",
            HuaweiOneAccessConfig::new(
                oneaccess.base(),
                DEMO_CLIENT_ID,
                SecretString::from(DEMO_CLIENT_SECRET),
            )
            .with_protocol(protocol),
            HttpClient::default(),
        )?;

        let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
        let tokens = exchanger
            .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
            .await?;
        println!("  code exchange: {tokens}");

        match tokens.refresh_token() {
            Some(old) => {
                let refreshed = exchanger
                    .exchange(Grant::refresh_token(old.expose_secret()))
                    .await?;
                println!("  refresh:       {refreshed}");
                // The old refresh token is spent: OneAccess rotates them.
                let err = exchanger
                    .exchange(Grant::refresh_token(old.expose_secret()))
                    .await
                    .err();
                if let Some(err) = err {
                    println!(
                        "  old token again: invalid grant: {}\n                  {err}",
                        err.is_invalid_grant()
                    );
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
    let config = HuaweiOneAccessConfig::new(
        base_url,
        var("ONEACCESS_CLIENT_ID")?,
        SecretString::from(var("ONEACCESS_CLIENT_SECRET")?),
    )
    .with_protocol(protocol);
    let oneaccess = HuaweiOneAccessExchanger::new("huawei", config, HttpClient::default())?;
    let tokens = oneaccess
        .exchange(Grant::authorization_code(
            var("ONEACCESS_CODE")?,
            var("ONEACCESS_REDIRECT_URI")?,
        ))
        .await?;
    println!("{tokens}");
    Ok(())
}
