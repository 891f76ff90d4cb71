//! The tokenbridge adapter for GenAuth, the international name of Authing: the same API
//! serves `https://<app>.genauth.ai`, `https://<app>.authing.cn` and custom domains.
//!
//! - QR-code login, the whole flow: [`GenAuthExchanger::generate_qr_code`],
//!   [`GenAuthExchanger::poll_qr_login`] (status changes as they happen, a deadline,
//!   cancellation), [`GenAuthExchanger::exchange_qr_ticket`].
//! - The V3 envelope `{statusCode, message, apiCode, requestId, data}`: success only with an
//!   HTTP 2xx **and** `statusCode` 200; anything else is an
//!   [`Error::Vendor`](tokenbridge_core::Error::Vendor) carrying `statusCode`, `apiCode` and
//!   `requestId` (or `uniqueId`).
//! - Authorization codes (with PKCE), refresh tokens and client credentials at `/oidc/token`
//!   or `/oauth/token`, with `none`, `client_secret_post` or `client_secret_basic`.
//!
//! Everything is reachable through [`TokenExchanger`](tokenbridge_core::TokenExchanger), the
//! QR ticket as [`Grant::QrTicket`](tokenbridge_core::Grant::QrTicket).
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{AuthMethod, HttpClient, SecretString};
//! use tokenbridge_genauth::{GenAuthConfig, GenAuthExchanger, QrCodeType};
//!
//! let config = GenAuthConfig::new("https://my-app.genauth.ai", "6342b8537axxxx047d314109")
//!     .with_app_secret(SecretString::from("4203d30e5e915xxxxxx26c31c9adce68"))
//!     .with_auth_method(AuthMethod::ClientSecretPost);
//! let genauth = GenAuthExchanger::new("genauth", config, HttpClient::default())?;
//!
//! let qr = genauth.generate_qr_code(QrCodeType::MobileApp).await?;
//! println!("show this QR code: {}", qr.url);
//! let tokens = genauth
//!     .poll_qr_login(&qr.id)
//!     .run(|status| println!("{status}")) // "scanned by Alice, waiting for confirmation"
//!     .await?;
//! println!("{tokens}");
//! # Ok(()) }
//! ```

mod config;
mod error;
mod exchanger;
mod qr;
mod wire;

pub use config::GenAuthConfig;
pub use error::VENDOR;
pub use exchanger::{
    GenAuthExchanger, APP_ID_HEADER, EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH, QRCODE_STATUS_PATH,
};
pub use qr::{
    QrLogin, QrLoginEvent, DEFAULT_MAX_CONSECUTIVE_ERRORS, DEFAULT_POLL_INTERVAL,
    DEFAULT_QR_DEADLINE, MIN_POLL_INTERVAL,
};
pub use wire::{
    open_envelope, parse_envelope_tokens, unwrap_envelope, QrAuthorization, QrCode, QrCodeOptions,
    QrCodeType, QrStatus, QrUser, STATUS_OK,
};

/// Re-exported so configuration code needs only this crate for GenAuth's settings.
pub use tokenbridge_core::{AuthMethod, Protocol};
