//! A GenAuth QR-code login from start to finish: generate the code, show its URL, report each
//! status change ("scanned by Alice"), and end with a TokenSet.
//!
//! By default it runs offline against the loopback GenAuth emulator, and a background task
//! plays the phone (scan, then confirm):
//!
//! ```text
//! cargo run --example genauth_qr_login
//! ```
//!
//! Against a real application, set:
//! - `GENAUTH_APP_HOST`: the application host, e.g. `https://my-app.genauth.ai`
//! - `GENAUTH_APP_ID`: the application id
//! - `GENAUTH_APP_SECRET`: the application secret (not needed for `none`)
//! - `GENAUTH_AUTH_METHOD`: the application's token exchange auth method, `none`,
//!   `client_secret_post` (default) or `client_secret_basic`
//! - `GENAUTH_QRCODE_TYPE`: optional, `MOBILE_APP` (default), `WECHAT_MINIPROGRAM` or
//!   `WECHAT_OFFICIAL_ACCOUNT`
//!
//! then open the printed URL and scan it with your app within two minutes.

use std::env;
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use tokenbridge_core::{AuthMethod, ExposeSecret, Grant, Protocol, SecretString, TokenExchanger};
use tokenbridge_genauth::{QrCode, QrCodeType, QrLoginClient, QrLoginEnd, QrLoginError};
use tokenbridge_testkit::genauth::{GenAuthEmulator, DEMO_APP_ID, DEMO_APP_SECRET};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    match env::var("GENAUTH_APP_HOST") {
        Ok(app_host) => real_tenant(app_host).await,
        Err(_) => emulated().await,
    }
}

async fn emulated() -> Result<(), Box<dyn Error>> {
    let emulator = Arc::new(GenAuthEmulator::start().await?);
    println!("GenAuth emulator at {}", emulator.base());
    // Built once and reused: the provider holds the endpoints, the client authentication
    // (client_secret_post, GenAuth's default) and the HTTP client.
    let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url(emulator.base())
        .client_id(DEMO_APP_ID)
        .client_secret(SecretString::from(DEMO_APP_SECRET))
        .build()?;
    let genauth = QrLoginClient::new(provider)?;

    let qr = genauth.generate_qr_code(QrCodeType::MobileApp).await?;
    show(&qr);

    // The phone, played by the emulator: Alice scans, looks at the screen, confirms.
    let phone = {
        let emulator = Arc::clone(&emulator);
        let qrcode_id = qr.id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(800)).await;
            emulator.scan(&qrcode_id, "Alice", "https://files.example.com/alice.png");
            tokio::time::sleep(Duration::from_millis(800)).await;
            emulator.confirm(&qrcode_id);
        })
    };
    let tokens = genauth
        .poll_qr_login(&qr.id)
        .interval(Duration::from_millis(300))
        .run(|status| println!("  {status}"))
        .await?;
    phone.await?;
    println!("signed in: {tokens}");

    // The QR login's refresh token works at the application's OIDC token endpoint.
    if let Some(refresh_token) = tokens.refresh_token() {
        let refreshed = genauth
            .provider()
            .exchange(Grant::refresh_token(refresh_token.expose_secret()))
            .await?;
        println!("refreshed: {refreshed}");
    }
    Ok(())
}

async fn real_tenant(app_host: String) -> Result<(), Box<dyn Error>> {
    let app_id = env::var("GENAUTH_APP_ID").map_err(|_| "set GENAUTH_APP_ID")?;
    let auth_method: AuthMethod = env::var("GENAUTH_AUTH_METHOD")
        .unwrap_or_else(|_| "client_secret_post".into())
        .parse()?;
    let kind: QrCodeType = env::var("GENAUTH_QRCODE_TYPE")
        .unwrap_or_else(|_| "MOBILE_APP".into())
        .parse()?;
    let mut builder = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url(app_host)
        .client_id(app_id)
        .auth_method(auth_method);
    if let Ok(secret) = env::var("GENAUTH_APP_SECRET") {
        builder = builder.client_secret(SecretString::from(secret));
    }
    let genauth = QrLoginClient::new(builder.build()?)?;

    let qr = genauth.generate_qr_code(kind).await?;
    show(&qr);
    println!("scan it with your app within two minutes");
    match genauth
        .poll_qr_login(&qr.id)
        .run(|status| println!("  {status}"))
        .await
    {
        Ok(tokens) => {
            println!("signed in: {tokens}");
            Ok(())
        }
        Err(error) if error.adapter_error::<QrLoginError>().is_some() => {
            let login = error
                .adapter_error::<QrLoginError>()
                .ok_or("no QR login error")?;
            let what = match login.reason {
                QrLoginEnd::Cancelled => "declined on the phone",
                QrLoginEnd::Expired | QrLoginEnd::TimedOut => "not confirmed in time",
                _ => "failed",
            };
            println!("no sign-in: {what} ({login})");
            Ok(())
        }
        Err(other) => Err(other.into()),
    }
}

fn show(qr: &QrCode) {
    println!("QR code {} ({}): {}", qr.id, qr.kind, qr.url);
}
