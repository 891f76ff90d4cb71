//! Configuration of a Huawei Cloud OneAccess application.

use std::fmt;
use tokenbridge_core::http::without_userinfo;

use tokenbridge_core::http::parse_base_url;
use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{Error, Protocol, Result, SecretString, Url};

/// One OneAccess application, as registered in the tenant's console.
///
/// `base_url` is the tenant's user access domain (`https://{domain}`, e.g.
/// `https://example.huaweioneaccess.com`). OneAccess documents only `client_secret_post`, so
/// the secret is required. `protocol` is how the application was registered: OIDC (the
/// default; `redirect_uri` must be sent with a code) or OAuth 2.0 (`redirect_uri` optional,
/// no id token).
///
/// ```
/// use tokenbridge_core::{Protocol, SecretString};
/// use tokenbridge_huawei_oneaccess::HuaweiOneAccessConfig;
///
/// let config = HuaweiOneAccessConfig::new(
///     "https://example.huaweioneaccess.com",
///     "cU0L3GsEq1vuOJ5iQrRSu5AyPnKL8",
///     SecretString::from("s3cret"),
/// )
/// .with_protocol(Protocol::OAuth2);
/// assert_eq!(config.protocol, Protocol::OAuth2);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct HuaweiOneAccessConfig {
    /// The user access domain, e.g. `https://example.huaweioneaccess.com`. A path prefix (for
    /// a proxy) is kept.
    pub base_url: String,
    /// The application's `client_id` (ClientId).
    pub client_id: String,
    /// The application's `client_secret` (ClientSecret).
    pub client_secret: SecretString,
    /// OIDC or OAuth 2.0, as the application was registered.
    pub protocol: Protocol,
}

impl HuaweiOneAccessConfig {
    /// An OIDC application at `base_url`.
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret,
            protocol: Protocol::Oidc,
        }
    }

    /// Sets the protocol the application was registered with.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Checks every setting, naming the key of the first wrong one in an [`Error::Config`].
    /// Nothing is sent.
    pub fn validate(&self) -> Result<()> {
        self.checked_base_url().map(drop)
    }

    /// [`validate`](Self::validate), returning the parsed base URL.
    pub(crate) fn checked_base_url(&self) -> Result<Url> {
        let base = parse_base_url(
            &self.base_url,
            "base_url",
            "https://example.huaweioneaccess.com",
        )?;
        if self.client_id.trim().is_empty() {
            return Err(Error::config(
                "client_id",
                "the client id is empty; copy ClientId from the application's settings in the OneAccess console",
            ));
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(Error::config(
                "client_secret",
                "the client secret is empty; OneAccess token requests need ClientSecret (client_secret_post)",
            ));
        }
        Ok(base)
    }
}

impl fmt::Debug for HuaweiOneAccessConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HuaweiOneAccessConfig")
            .field("base_url", &without_userinfo(&self.base_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("protocol", &self.protocol)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str, id: &str, secret: &str) -> HuaweiOneAccessConfig {
        HuaweiOneAccessConfig::new(base, id, SecretString::from(secret))
    }

    #[test]
    fn defaults_to_oidc() {
        let c = config("https://example.huaweioneaccess.com", "app", "s");
        assert_eq!(c.protocol, Protocol::Oidc);
        assert!(c.validate().is_ok());
        assert!(config("http://127.0.0.1:9/prefix", "app", "s")
            .with_protocol(Protocol::OAuth2)
            .validate()
            .is_ok());
    }

    #[test]
    fn rejects_mistakes_naming_the_key() {
        for (c, key) in [
            (
                config("http://example.huaweioneaccess.com", "app", "s"),
                "base_url",
            ),
            (
                config("example.huaweioneaccess.com", "app", "s"),
                "base_url",
            ),
            (
                config("https://example.huaweioneaccess.com#x", "app", "s"),
                "base_url",
            ),
            (
                config("https://example.huaweioneaccess.com", "", "s"),
                "client_id",
            ),
            (
                config("https://example.huaweioneaccess.com", "app", ""),
                "client_secret",
            ),
        ] {
            match c.validate() {
                Err(Error::Config { key: Some(k), .. }) => assert_eq!(k, key, "{c:?}"),
                other => panic!("{c:?}: expected a config error on {key}, got {other:?}"),
            }
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!(
            "{:?}",
            config(
                "https://example.huaweioneaccess.com",
                "app",
                "hunter2-secret"
            )
        );
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn debug_hides_credentials_in_the_base_url() {
        for (base, shown_as) in [
            (
                "https://admin:hunter2@example.huaweioneaccess.com/gw",
                "https://example.huaweioneaccess.com/gw",
            ),
            (
                "https://hunter2@example.huaweioneaccess.com",
                "https://example.huaweioneaccess.com",
            ),
            ("https://admin:hunter2@", "https://"),
            (
                "admin:hunter2@example.huaweioneaccess.com",
                "example.huaweioneaccess.com",
            ),
            ("https://admin:hunter2@bad host?x=@", "https://bad host?x=@"),
            (
                "https://example.huaweioneaccess.com",
                "https://example.huaweioneaccess.com",
            ),
        ] {
            let shown = format!("{:?}", config(base, "app", "s"));
            assert!(
                shown.contains(&format!("base_url: {shown_as:?}")),
                "{base}: {shown}"
            );
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
