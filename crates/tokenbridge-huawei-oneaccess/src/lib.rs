//! Huawei Cloud OneAccess for tokenbridge.
//!
//! [`HuaweiOneAccessExchanger`] turns an authorization code or a refresh token into a
//! [`TokenSet`](tokenbridge_core::TokenSet) at `<domain>/api/v1/oauth2/token`, for OIDC and
//! OAuth 2.0 applications alike. It follows the standard path of
//! [`tokenbridge_core::StandardExchanger`] and absorbs OneAccess's quirks:
//!
//! - `expires_in` arrives as the number `7200` or the string `"7200"`: both give the same
//!   lifetime;
//! - refresh tokens are off by default, and rotate on every refresh when on;
//! - errors are classified by `error` only, never by `error_description`, which OneAccess
//!   reuses across cases;
//! - the management API's `{"error_code", "error_msg"}` shape is reported as an
//!   [`Error::Vendor`](tokenbridge_core::Error::Vendor) if it ever reaches the token path;
//! - OIDC applications must send `redirect_uri`: a code without one is refused before
//!   anything is sent.
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, HttpClient, Protocol, SecretString, TokenExchanger};
//! use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
//!
//! let config = HuaweiOneAccessConfig::new(
//!     "https://example.huaweioneaccess.com",
//!     "client-id",
//!     SecretString::from("client-secret"),
//! )
//! .with_protocol(Protocol::OAuth2);
//! let oneaccess = HuaweiOneAccessExchanger::new("huawei", config, HttpClient::default())?;
//! let tokens = oneaccess
//!     .exchange(Grant::authorization_code("code-from-callback", "https://example.com"))
//!     .await?;
//! if let Some(refresh_token) = tokens.refresh_token() {
//!     // Store it: the next refresh returns a new one and this one stops working.
//! #   let _ = refresh_token;
//! }
//! # Ok(()) }
//! ```

mod config;
mod error;
mod exchanger;
mod wire;

pub use config::HuaweiOneAccessConfig;
pub use error::{parse_token_response, VENDOR};
pub use exchanger::{HuaweiOneAccessExchanger, DISCOVERY_PATH, TOKEN_PATH};
