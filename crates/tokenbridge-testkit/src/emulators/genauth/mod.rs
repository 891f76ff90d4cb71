//! A GenAuth (Authing) emulator: the V3 QR-login API, and the `/oidc` and `/oauth` token
//! endpoints of one application host.
//!
//! - `POST /api/v3/gene-qrcode`, `GET /api/v3/get-qrcode-status`,
//!   `POST /api/v3/exchange-tokenset-with-qrcode-ticket`: answers in the V3 envelope
//!   `{statusCode, message, requestId, data}`; business failures come with HTTP 200 and an
//!   error `statusCode` plus an `apiCode` (see [`Failure`]).
//! - `/oidc/token` (issuer `<base>/oidc`, id tokens, discovery and JWKS under `/oidc`) and
//!   `/oauth/token` (opaque access token, no id token, scope `user`): two
//!   [`OidcProvider`](crate::oidc::OidcProvider)s.
//!
//! A test drives the QR code: [`GenAuthEmulator::scan`], [`GenAuthEmulator::confirm`] (a
//! one-time ticket is issued, or the token set itself for apps made with
//! [`GenAuthApp::returning_token_set`]), [`GenAuthEmulator::cancel`],
//! [`GenAuthEmulator::expire`], [`GenAuthEmulator::fail`]. Each application's auth method is
//! enforced on the ticket exchange and the token endpoints alike, and Basic credentials are
//! decoded raw (`base64(id:secret)`, no form-decoding), as GenAuth documents them.
//!
//! Every emulator starts with the demo application [`DEMO_APP_ID`] / [`DEMO_APP_SECRET`]
//! (`client_secret_post`) registered.
//!
//! The same QR-code controls are HTTP routes, for a program driving the emulator from another
//! process (`tokenbridge emulate`, end-to-end tests of a CLI or an app):
//!
//! - `GET /emulator/qrcodes`: every QR code, oldest first, as
//!   `{"qrcodes": [{"qrcodeId", "appId", "status", "user"?, "ticket"?}]}`;
//! - `POST /emulator/qrcode/{id}/scan` (query `displayName`, `photo`; default
//!   [`DEFAULT_SCANNER_NAME`]), `.../confirm`, `.../cancel`, `.../expire`, `.../fail`:
//!   answer `200 {"qrcodeId", "status"}` with the new status, `409` with the current status
//!   when the code is not in a state that allows the change, and `404` for an unknown id.
//!   All errors are `{"error", "message", "qrcodeId", "status"?}`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::genauth::{GenAuthEmulator, DEMO_APP_ID};
//!
//! let emulator = GenAuthEmulator::start().await.unwrap();
//! let qrcode_id = emulator.create_qr_code(DEMO_APP_ID);
//! assert!(emulator.scan(&qrcode_id, "Alice", "https://files.example.com/alice.png"));
//! assert!(emulator.confirm(&qrcode_id));
//! assert!(emulator.ticket(&qrcode_id).is_some());
//! # }
//! ```
//!
//! The files: `envelope` (the V3 answers and client authentication), `app` (an application),
//! `qrcode` (QR codes and tickets through their life), `api` (the three V3 calls), `control`
//! (the emulator's own routes), `profiles` (the `/oidc` and `/oauth` token endpoints),
//! `routes`, `emulator` and `target` (conformance).

mod api;
mod app;
mod control;
mod emulator;
mod envelope;
mod profiles;
mod qrcode;
mod routes;
mod target;
#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::facts::genauth as facts;

pub use app::GenAuthApp;
pub use emulator::GenAuthEmulator;
pub use envelope::{
    envelope_error, envelope_ok, Failure, APP_NOT_FOUND, CLIENT_AUTH_FAILED, INVALID_PARAMETER,
    QRCODE_NOT_FOUND, TICKET_INVALID,
};
pub use profiles::{oauth_profile, oidc_profile};
pub use qrcode::QrPhase;
pub use target::GenAuthTarget;

/// The demo application every emulator starts with.
pub const DEMO_APP_ID: &str = "demo-app";

/// The secret of [`DEMO_APP_ID`].
pub const DEMO_APP_SECRET: &str = "demo-secret";

/// `POST`: creates a QR code.
pub const GENE_QRCODE_PATH: &str = facts::GENE_QRCODE_PATH;
/// `GET ?qrcodeId=`: a QR code's status.
pub const QRCODE_STATUS_PATH: &str = facts::QRCODE_STATUS_PATH;
/// `POST`: exchanges a ticket for tokens.
pub const EXCHANGE_TICKET_PATH: &str = facts::EXCHANGE_TICKET_PATH;
/// The extension `grant_type` under which the GenAuth adapter exchanges a QR-login ticket.
/// GenAuth's API has no `grant_type` for it (the ticket goes to its own V3 endpoint); this
/// name only routes the grant inside tokenbridge, and equals the adapter's constant (its
/// conformance test compares the two).
pub const QR_TICKET_GRANT_TYPE: &str = "urn:tokenbridge:genauth:qrcode-ticket";
/// The OIDC token endpoint.
pub const OIDC_TOKEN_PATH: &str = facts::OIDC_TOKEN_PATH;
/// The OAuth 2.0 token endpoint.
pub const OAUTH_TOKEN_PATH: &str = facts::OAUTH_TOKEN_PATH;
/// The OIDC revocation endpoint.
pub const OIDC_REVOCATION_PATH: &str = facts::OIDC_REVOCATION_PATH;
/// The OAuth 2.0 revocation endpoint.
pub const OAUTH_REVOCATION_PATH: &str = facts::OAUTH_REVOCATION_PATH;

/// `GET`: the emulator's QR codes and their statuses (an emulator control, not GenAuth's API).
pub const CONTROL_QRCODES_PATH: &str = "/emulator/qrcodes";
/// The prefix of the per-code control routes: `POST <prefix>/{id}/scan` and so on.
pub const CONTROL_QRCODE_PREFIX: &str = "/emulator/qrcode";

/// Who scans a code through `POST /emulator/qrcode/{id}/scan` when the query names nobody.
pub const DEFAULT_SCANNER_NAME: &str = "Demo User";
/// The photo URL of [`DEFAULT_SCANNER_NAME`].
pub const DEFAULT_SCANNER_PHOTO: &str = "https://files.example.com/demo-user.png";

/// How long a QR code stays valid unless changed with [`GenAuthEmulator::set_qr_validity`]
/// (GenAuth's console default).
pub const DEFAULT_QR_VALIDITY: Duration = facts::DEFAULT_QR_VALIDITY;

/// How long a ticket stays valid (GenAuth's console default).
pub const TICKET_VALIDITY: Duration = facts::TICKET_VALIDITY;

/// The lifetime written as `expire_in` in V3 token sets (the value of GenAuth's examples).
pub const V3_EXPIRE_IN: u64 = facts::V3_EXPIRE_IN;
