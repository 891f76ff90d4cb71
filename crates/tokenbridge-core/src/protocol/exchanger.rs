//! The trait every provider implements.

use std::fmt;

use async_trait::async_trait;

use crate::error::GrantKind;
use crate::error::{Error, Result};
use crate::model::grant::Grant;
use crate::model::token::TokenSet;

/// Exchanges a [`Grant`] for a [`TokenSet`] with one configured provider.
///
/// Object-safe, and its futures are `Send`: applications hold an
/// `Arc<dyn TokenExchanger>` chosen from configuration at run time.
///
/// ```
/// use std::sync::Arc;
/// use tokenbridge_core::{Grant, TokenExchanger};
///
/// async fn sign_in(exchanger: Arc<dyn TokenExchanger>, code: String) -> tokenbridge_core::Result<()> {
///     let tokens = exchanger
///         .exchange(Grant::authorization_code(code, "https://app.example.com/callback"))
///         .await?;
///     println!("{tokens}");
///     Ok(())
/// }
/// ```
#[async_trait]
pub trait TokenExchanger: Send + Sync + fmt::Debug {
    /// The id of the configured provider; copied into every [`TokenSet`] it returns.
    fn provider_id(&self) -> &str;

    /// The grant kinds this exchanger can exchange.
    fn supported_grants(&self) -> &[GrantKind];

    /// Whether `kind` is supported.
    fn supports(&self, kind: GrantKind) -> bool {
        self.supported_grants().contains(&kind)
    }

    /// Exchanges `grant` for tokens. A grant that is not supported gives
    /// [`Error::UnsupportedGrant`] without any request being sent.
    async fn exchange(&self, grant: Grant) -> Result<TokenSet>;
}

/// The [`Error::UnsupportedGrant`] an exchanger returns for `kind`.
pub fn unsupported_grant(exchanger: &(impl TokenExchanger + ?Sized), kind: GrantKind) -> Error {
    Error::UnsupportedGrant {
        provider: exchanger.provider_id().to_owned(),
        grant: kind,
        supported: exchanger.supported_grants().to_vec(),
    }
}
