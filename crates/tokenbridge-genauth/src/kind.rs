//! The `genauth` kind: how configuration names a GenAuth application.

use serde::Deserialize;
use tokenbridge_core::{parse_base_url, without_userinfo};
use tokenbridge_core::{
    Error, Protocol, Provider, ProviderBuilder, ProviderContext, ProviderFactory, Result,
};

use crate::vendor::{description, VENDOR};

/// The `genauth` kind, registered with the facade's registry like any third-party kind.
///
/// ```toml
/// [providers.genauth]
/// kind = "genauth"
/// base_url = "https://my-app.genauth.ai"
/// client_id = "6342b8537axxxx047d314109"
/// client_secret_env = "GENAUTH_APP_SECRET"
/// auth_method = "client_secret_post"   # or client_secret_basic; none with protocol = "oidc"
/// protocol = "oidc"                    # or oauth
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GenAuth;

/// The keys of the `genauth` kind beyond the ones every kind shares (`client_id`,
/// `client_secret`, `client_secret_env`, `auth_method`, `http`, `redirect_uri`, `scopes`).
/// Unknown keys are refused.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GenAuthSettings {
    /// The application host, e.g. `https://my-app.genauth.ai`, `https://my-app.authing.cn`
    /// or a custom domain; a path prefix (for a proxy) is kept. Not the issuer: a URL ending
    /// in `/oidc` or `/oauth` is refused.
    pub base_url: String,
    /// `oidc` (default: `/oidc/*`, id tokens) or `oauth` (`/oauth/*`, no id token).
    #[serde(default)]
    pub protocol: Option<Protocol>,
}

impl ProviderFactory for GenAuth {
    fn kind(&self) -> &'static str {
        VENDOR
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: GenAuthSettings = context.settings()?;
        check_base_url(&settings.base_url).map_err(|e| context.table().qualify(e))?;
        let vendor = description(settings.protocol.unwrap_or_default());
        context.build_vendor(vendor, Some(settings.base_url))
    }
}

/// A [`ProviderBuilder`] for a GenAuth application speaking `protocol`, whose tokens carry
/// `id` as their provider id. Set at least `base_url` (the application host) and `client_id`.
///
/// ```
/// use tokenbridge_core::{AuthMethod, Protocol, SecretString};
///
/// let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
///     .base_url("https://my-app.genauth.ai")
///     .client_id("6342b8537axxxx047d314109")
///     .client_secret(SecretString::from("4203d30e5e915xxxxxx26c31c9adce68"))
///     .auth_method(AuthMethod::ClientSecretBasic)
///     .build()?;
/// assert_eq!(provider.vendor().kind, "genauth");
/// # Ok::<(), tokenbridge_core::Error>(())
/// ```
pub fn builder(id: impl Into<String>, protocol: Protocol) -> ProviderBuilder {
    Provider::builder(id).vendor(description(protocol))
}

/// Refuses the issuer (`.../oidc`, `.../oauth`) in place of the application host, which would
/// give `/oidc/oidc/token`.
fn check_base_url(base_url: &str) -> Result<()> {
    let url = parse_base_url(base_url, "base_url", "https://my-app.genauth.ai")?;
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/oidc") || path.ends_with("/oauth") {
        return Err(Error::config(
            "base_url",
            format!(
                "{:?} ends in /oidc or /oauth; give the application host without it (that is the \
                 issuer): tokenbridge adds /oidc/token, /oauth/token and /api/v3/... itself",
                without_userinfo(base_url)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_not_a_base_url() {
        for bad in [
            "https://a.genauth.ai/oidc",
            "https://a.genauth.ai/oauth/",
            "http://a.genauth.ai",
            "https://a.genauth.ai?x=1",
            "not a url",
        ] {
            match check_base_url(bad) {
                Err(Error::Config { key: Some(k), .. }) => assert_eq!(k, "base_url", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        check_base_url("https://proxy.example.com/genauth/").unwrap();
        check_base_url("http://127.0.0.1:9000").unwrap();
    }
}
