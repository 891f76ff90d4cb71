//! Tencent Cloud CIAM for tokenbridge.
//!
//! [`TencentCiamExchanger`] turns an authorization code (with the client secret, or with a
//! PKCE verifier for public apps), a refresh token, or client credentials into a
//! [`TokenSet`](tokenbridge_core::TokenSet) at `<portal>/oauth2/token`. It follows the standard
//! path of [`tokenbridge_core::StandardExchanger`] and absorbs Tencent's quirks:
//!
//! - an unknown `client_id` is answered with a bare 401 (no body, no content type): it is
//!   reported as `invalid_client`, not as an unreadable answer;
//! - a wrong PKCE verifier is answered with `invalid_client`: the error says PKCE was in play
//!   so the verifier is checked too;
//! - refresh often echoes the same refresh token: whatever comes back is kept;
//! - the JWKS sample spells its key list `"Keys"`: [`TencentCiamExchanger::jwks`] accepts it
//!   as well as `"keys"`.
//!
//! The crate has no `wire` module: Tencent's token answers are standard JSON, read by
//! `tokenbridge_core::wire`.
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{
//!     AuthMethod, ExposeSecret, Grant, HttpClient, PkceVerifier, TokenExchanger,
//! };
//! use tokenbridge_tencent_ciam::{TencentCiamConfig, TencentCiamExchanger};
//!
//! // A public SPA: no secret, PKCE instead.
//! let config = TencentCiamConfig::new("https://sample.portal.tencentciam.com", "spa-app")
//!     .with_auth_method(AuthMethod::None);
//! let ciam = TencentCiamExchanger::new("tencent", config, HttpClient::default())?;
//! // Kept from the login redirect, whose authorize URL carried verifier.s256_challenge().
//! let verifier = PkceVerifier::generate()?;
//! let tokens = ciam
//!     .exchange(Grant::authorization_code_pkce(
//!         "code-from-callback",
//!         "https://example.com/callback",
//!         verifier.secret().expose_secret(),
//!     ))
//!     .await?;
//! println!("{tokens}");
//! # Ok(()) }
//! ```

mod config;
mod error;
mod exchanger;

pub use config::TencentCiamConfig;
pub use error::VENDOR;
pub use exchanger::{TencentCiamExchanger, DISCOVERY_PATH, JWKS_PATH, TOKEN_PATH};
