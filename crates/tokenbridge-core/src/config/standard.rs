//! The `oidc` kind: any standard provider, configured with the common settings alone.

use serde::Deserialize;

use crate::config::{ProviderContext, ProviderFactory};
use crate::error::Result;
use crate::protocol::auth::BasicEncoding;
use crate::provider::{Provider, STANDARD};

/// The `oidc` kind: any standard OAuth 2.0 / OpenID Connect provider, found through discovery
/// (`issuer`) or configured by its token endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardKind;

/// The own settings of the `oidc` kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StandardSettings {
    /// The issuer; its discovery document gives the endpoints.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The token endpoint, instead of `issuer`.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// `form` (default) or `raw` encoding of Basic credentials.
    #[serde(default)]
    pub basic_encoding: BasicEncodingSetting,
}

/// How `client_secret_basic` encodes credentials, in configuration.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BasicEncodingSetting {
    /// Form-urlencode first (RFC 6749 section 2.3.1; default).
    #[default]
    Form,
    /// Raw, for servers that do not url-decode.
    Raw,
}

impl From<BasicEncodingSetting> for BasicEncoding {
    fn from(s: BasicEncodingSetting) -> Self {
        match s {
            BasicEncodingSetting::Form => BasicEncoding::FormUrlEncoded,
            BasicEncodingSetting::Raw => BasicEncoding::Raw,
        }
    }
}

impl ProviderFactory for StandardKind {
    fn kind(&self) -> &'static str {
        STANDARD.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: StandardSettings = context.settings()?;
        let mut builder = context
            .builder(&STANDARD)?
            .basic_encoding(settings.basic_encoding.into());
        match (settings.issuer, settings.token_endpoint) {
            (Some(issuer), None) => builder = builder.issuer(issuer),
            (None, Some(endpoint)) => builder = builder.token_endpoint(endpoint),
            (Some(_), Some(_)) => {
                return Err(context.table.config_error(
                    Some("token_endpoint"),
                    "set either issuer (for discovery) or token_endpoint, not both",
                ))
            }
            (None, None) => {
                return Err(context.table.config_error(
                    Some("issuer"),
                    "set issuer (for discovery) or token_endpoint",
                ))
            }
        }
        context.build(builder)
    }
}
