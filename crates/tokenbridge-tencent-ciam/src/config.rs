//! Configuration of a Tencent Cloud CIAM application.

use std::fmt;
use tokenbridge_core::http::without_userinfo;

use tokenbridge_core::http::parse_base_url;
use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{AuthMethod, Error, Result, SecretString, Url};

/// One Tencent Cloud CIAM application, as registered in the console.
///
/// `base_url` is the user directory's portal domain (`https://<tenant>.portal.tencentciam.com`)
/// or the custom domain configured for it; every endpoint lives below it. Confidential apps
/// (Web, M2M) authenticate with their secret, in the body (`client_secret_post`, the
/// documented default) or in a Basic header (`client_secret_basic`, which discovery
/// advertises too). Public apps (SPA, mobile, mini-program) have no secret: they use
/// `auth_method` `none` and prove themselves with a PKCE verifier.
///
/// ```
/// use tokenbridge_core::{AuthMethod, SecretString};
/// use tokenbridge_tencent_ciam::TencentCiamConfig;
///
/// let web = TencentCiamConfig::new("https://sample.portal.tencentciam.com", "web-app")
///     .with_client_secret(SecretString::from("s3cret"));
/// assert_eq!(web.auth_method, AuthMethod::ClientSecretPost);
///
/// let spa = TencentCiamConfig::new("https://sample.portal.tencentciam.com", "spa-app")
///     .with_auth_method(AuthMethod::None);
/// assert!(spa.client_secret.is_none());
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct TencentCiamConfig {
    /// The portal domain, e.g. `https://sample.portal.tencentciam.com`. A path prefix (for a
    /// proxy) is kept.
    pub base_url: String,
    /// The application's `client_id`.
    pub client_id: String,
    /// The application's `client_secret`; `None` for public (PKCE) apps.
    pub client_secret: Option<SecretString>,
    /// How the client authenticates at the token endpoint.
    pub auth_method: AuthMethod,
}

impl TencentCiamConfig {
    /// An application at `base_url` using `client_secret_post`; add the secret with
    /// [`with_client_secret`](Self::with_client_secret), or switch a public app to
    /// [`AuthMethod::None`] with [`with_auth_method`](Self::with_auth_method).
    pub fn new(base_url: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret: None,
            auth_method: AuthMethod::ClientSecretPost,
        }
    }

    /// Sets the client secret of a confidential app.
    pub fn with_client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Sets the token endpoint auth method.
    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = method;
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
            "https://sample.portal.tencentciam.com",
        )?;
        if self.client_id.trim().is_empty() {
            return Err(Error::config(
                "client_id",
                "the client id is empty; copy it from the application's settings in the CIAM console",
            ));
        }
        let has_secret = self
            .client_secret
            .as_ref()
            .is_some_and(|s| !s.expose_secret().is_empty());
        if self.client_secret.is_some() && !has_secret {
            return Err(Error::config("client_secret", "the client secret is empty"));
        }
        match (self.auth_method.needs_secret(), has_secret) {
            (true, false) => Err(Error::config(
                "client_secret",
                format!(
                    "auth method {} needs the application's client secret; public apps (SPA, mobile) \
                     have none and use auth_method \"none\" with PKCE",
                    self.auth_method
                ),
            )),
            (false, true) => Err(Error::config(
                "client_secret",
                "a client secret is set but auth_method is \"none\", so it would never be sent; \
                 remove the secret for a public (PKCE) app, or use client_secret_post",
            )),
            _ => Ok(base),
        }
    }
}

impl fmt::Debug for TencentCiamConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentCiamConfig")
            .field("base_url", &without_userinfo(&self.base_url))
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("auth_method", &self.auth_method)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(err: Error) -> Option<String> {
        match err {
            Error::Config { key, .. } => key,
            other => panic!("expected a configuration error, got {other}"),
        }
    }

    #[test]
    fn defaults_to_client_secret_post() {
        let c = TencentCiamConfig::new("https://t.portal.tencentciam.com", "app");
        assert_eq!(c.auth_method, AuthMethod::ClientSecretPost);
        assert!(c.client_secret.is_none());
    }

    #[test]
    fn accepts_each_valid_shape() {
        let base = "https://t.portal.tencentciam.com/";
        let secret = SecretString::from("s");
        for c in [
            TencentCiamConfig::new(base, "app").with_client_secret(secret.clone()),
            TencentCiamConfig::new(base, "app")
                .with_client_secret(secret)
                .with_auth_method(AuthMethod::ClientSecretBasic),
            TencentCiamConfig::new(base, "spa").with_auth_method(AuthMethod::None),
            TencentCiamConfig::new("http://127.0.0.1:8080/proxy", "spa")
                .with_auth_method(AuthMethod::None),
        ] {
            assert!(c.validate().is_ok(), "{c:?}");
        }
    }

    #[test]
    fn rejects_mistakes_naming_the_key() {
        let base = "https://t.portal.tencentciam.com";
        let cases = [
            (
                TencentCiamConfig::new("http://t.portal.tencentciam.com", "app")
                    .with_auth_method(AuthMethod::None),
                "base_url",
            ),
            (
                TencentCiamConfig::new("t.portal.tencentciam.com", "app")
                    .with_auth_method(AuthMethod::None),
                "base_url",
            ),
            (
                TencentCiamConfig::new(format!("{base}?x=1"), "app")
                    .with_auth_method(AuthMethod::None),
                "base_url",
            ),
            (
                TencentCiamConfig::new(base, " ").with_auth_method(AuthMethod::None),
                "client_id",
            ),
            (TencentCiamConfig::new(base, "app"), "client_secret"),
            (
                TencentCiamConfig::new(base, "app").with_auth_method(AuthMethod::ClientSecretBasic),
                "client_secret",
            ),
            (
                TencentCiamConfig::new(base, "app").with_client_secret(SecretString::from("")),
                "client_secret",
            ),
            (
                TencentCiamConfig::new(base, "app")
                    .with_client_secret(SecretString::from("s"))
                    .with_auth_method(AuthMethod::None),
                "client_secret",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().expect_err("must be rejected");
            assert_eq!(key_of(err).as_deref(), Some(key), "{config:?}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = TencentCiamConfig::new("https://t.portal.tencentciam.com", "app")
            .with_client_secret(SecretString::from("hunter2-secret"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(
            shown.contains("[redacted]") && shown.contains("app"),
            "{shown}"
        );
    }

    #[test]
    fn debug_hides_credentials_in_the_base_url() {
        for (base, shown_as) in [
            (
                "https://admin:hunter2@t.portal.tencentciam.com/ciam",
                "https://t.portal.tencentciam.com/ciam",
            ),
            (
                "https://hunter2@t.portal.tencentciam.com",
                "https://t.portal.tencentciam.com",
            ),
            ("https://admin:hunter2@", "https://"),
            (
                "admin:hunter2@t.portal.tencentciam.com",
                "t.portal.tencentciam.com",
            ),
            ("https://admin:hunter2@bad host?x=@", "https://bad host?x=@"),
            (
                "https://t.portal.tencentciam.com",
                "https://t.portal.tencentciam.com",
            ),
        ] {
            let shown = format!("{:?}", TencentCiamConfig::new(base, "app"));
            assert!(
                shown.contains(&format!("base_url: {shown_as:?}")),
                "{base}: {shown}"
            );
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
