//! tokenbridge: exchange credentials (authorization codes, refresh tokens, client
//! credentials, GenAuth QR-login tickets) for one normalized [`TokenSet`], whichever identity
//! vendor is configured.
//!
//! Switching vendor is a configuration change: load a [`Config`], ask the [`Registry`] for a
//! provider by name, and use the `Arc<dyn TokenExchanger>` it returns.
//!
//! ```no_run
//! # async fn run() -> tokenbridge::Result<()> {
//! use tokenbridge::{Config, Grant, Registry};
//!
//! let config = Config::from_file("tokenbridge.toml")?;
//! let exchanger = Registry::new().build(&config, "corp")?;
//! let tokens = exchanger
//!     .exchange(Grant::authorization_code("the-code", "https://app.example.com/callback"))
//!     .await?;
//! println!("{tokens}"); // secrets are never printed
//! # Ok(()) }
//! ```
//!
//! Built-in kinds, each behind a Cargo feature that is on by default:
//! `genauth` ([`genauth`]), `tencent-ciam` ([`tencent_ciam`]), `huawei-oneaccess`
//! ([`huawei_oneaccess`]), and `oidc` (any standard provider, always available). Your own kinds
//! are registered with [`Registry::register`]; see `docs/writing-an-adapter.md`.

pub mod config;
pub mod output;
pub mod registry;

pub use config::{
    Config, GenAuthSettings, HttpSettings, HuaweiOneAccessSettings, OidcSettings, ProviderConfig,
    ProviderTable, SecretSetting, TencentCiamSettings,
};
pub use registry::{Factory, ProviderContext, Registry};
pub use tokenbridge_core::*;

/// The GenAuth (formerly Authing) adapter.
#[cfg(feature = "genauth")]
pub use tokenbridge_genauth as genauth;
/// The Huawei Cloud OneAccess adapter.
#[cfg(feature = "huawei-oneaccess")]
pub use tokenbridge_huawei_oneaccess as huawei_oneaccess;
/// The Tencent Cloud CIAM adapter.
#[cfg(feature = "tencent-ciam")]
pub use tokenbridge_tencent_ciam as tencent_ciam;
