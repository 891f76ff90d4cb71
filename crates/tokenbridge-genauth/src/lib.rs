//! The tokenbridge adapter for GenAuth, the international name of Authing: the same API
//! serves `https://<app>.genauth.ai`, `https://<app>.authing.cn` and custom domains.
//!
//! The crate is data, hooks and the QR-code login:
//! - [`OIDC`] and [`OAUTH`], GenAuth's two protocol flavours as
//!   [`VendorDescription`](tokenbridge_core::VendorDescription)s (endpoint paths below the
//!   application host, auth methods, grants, its `apiCode` table); core's
//!   [`Provider`](tokenbridge_core::Provider) does the rest;
//! - hooks for the V3 envelope `{statusCode, message, apiCode, requestId, data}` (success only
//!   with an HTTP 2xx **and** `statusCode` 200; anything else is an
//!   [`Error::Vendor`](tokenbridge_core::Error::Vendor)) and for the QR-code ticket, an
//!   extension grant ([`qr_ticket_grant`]) sent to the V3 API;
//! - [`GenAuth`], the `genauth` kind configuration names, and [`builder`] for code;
//! - [`QrLoginClient`]: generate a QR code, follow its status ([`QrLogin`]: status changes as
//!   they happen, a deadline, cancellation), exchange the ticket.
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{AuthMethod, Protocol, SecretString};
//! use tokenbridge_genauth::{QrCodeType, QrLoginClient};
//!
//! let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
//!     .base_url("https://my-app.genauth.ai")
//!     .client_id("6342b8537axxxx047d314109")
//!     .client_secret(SecretString::from("4203d30e5e915xxxxxx26c31c9adce68"))
//!     .auth_method(AuthMethod::ClientSecretPost)
//!     .build()?;
//! let qr_login = QrLoginClient::new(provider)?;
//!
//! let qr = qr_login.generate_qr_code(QrCodeType::MobileApp).await?;
//! println!("show this QR code: {}", qr.url);
//! let tokens = qr_login
//!     .poll_qr_login(&qr.id)
//!     .run(|status| println!("{status}")) // "scanned by Alice, waiting for confirmation"
//!     .await?;
//! println!("{tokens}");
//! # Ok(()) }
//! ```

mod client;
mod error;
mod kind;
mod qr;
mod qr_error;
mod vendor;
mod wire;

pub use client::QrLoginClient;
pub use kind::{builder, GenAuth, GenAuthSettings};
pub use qr::{
    QrLogin, QrLoginEvent, DEFAULT_MAX_CONSECUTIVE_ERRORS, DEFAULT_POLL_INTERVAL,
    DEFAULT_QR_DEADLINE, MIN_POLL_INTERVAL,
};
pub use qr_error::{QrLoginEnd, QrLoginError};
pub use vendor::{
    description, paths, qr_ticket_grant, APP_ID_HEADER, EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH,
    OAUTH, OIDC, QRCODE_STATUS_PATH, QR_TICKET_GRANT_TYPE, VENDOR,
};
pub use wire::{QrAuthorization, QrCode, QrCodeOptions, QrCodeType, QrStatus, QrUser};

// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub use wire::{open_envelope, parse_envelope_tokens};

/// Re-exported so configuration code needs only this crate for GenAuth's settings.
pub use tokenbridge_core::{AuthMethod, Protocol};
