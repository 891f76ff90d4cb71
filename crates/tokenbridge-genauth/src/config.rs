//! The settings of one GenAuth application.

use std::fmt;
use tokenbridge_core::http::without_userinfo;

use tokenbridge_core::http::{join_path, parse_base_url};
use tokenbridge_core::{AuthMethod, Error, Protocol, Result, SecretString, Url};

/// One GenAuth (Authing) application, as the console shows it.
///
/// ```
/// use tokenbridge_core::{AuthMethod, Protocol, SecretString};
/// use tokenbridge_genauth::GenAuthConfig;
///
/// let config = GenAuthConfig::new("https://my-app.genauth.ai", "6342b8537axxxx047d314109")
///     .with_app_secret(SecretString::from("4203d30e5e915xxxxxx26c31c9adce68"))
///     .with_auth_method(AuthMethod::ClientSecretBasic)
///     .with_protocol(Protocol::Oidc);
/// assert_eq!(config.token_endpoint().unwrap().as_str(), "https://my-app.genauth.ai/oidc/token");
/// ```
#[derive(Clone)]
pub struct GenAuthConfig {
    base_url: String,
    app_id: String,
    app_secret: Option<SecretString>,
    auth_method: AuthMethod,
    protocol: Protocol,
}

impl GenAuthConfig {
    /// An application at `base_url` (the app host, e.g. `https://my-app.genauth.ai`,
    /// `https://my-app.authing.cn` or a custom domain; a path prefix is kept for proxies) with
    /// the application id `app_id`. The auth method defaults to `client_secret_post` and the
    /// protocol to OIDC.
    pub fn new(base_url: impl Into<String>, app_id: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            app_id: app_id.into(),
            app_secret: None,
            auth_method: AuthMethod::ClientSecretPost,
            protocol: Protocol::Oidc,
        }
    }

    /// The application secret; not needed, and refused, when the auth method is `none`.
    pub fn with_app_secret(mut self, secret: SecretString) -> Self {
        self.app_secret = Some(secret);
        self
    }

    /// The application's "token exchange auth method" (console: application configuration,
    /// other settings, authorization configuration). It applies to the token endpoint and to
    /// the QR-ticket exchange alike.
    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = method;
        self
    }

    /// Which token endpoint codes and refresh tokens go to: `/oidc/token` or `/oauth/token`.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The app host as configured.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The application id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The application secret, if set.
    pub fn app_secret(&self) -> Option<&SecretString> {
        self.app_secret.as_ref()
    }

    /// The token-exchange auth method.
    pub fn auth_method(&self) -> AuthMethod {
        self.auth_method
    }

    /// The protocol of the token endpoint.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The app host as a URL, checked.
    pub fn base(&self) -> Result<Url> {
        let url = parse_base_url(&self.base_url, "base_url", "https://my-app.genauth.ai")?;
        let path = url.path().trim_end_matches('/');
        if path.ends_with("/oidc") || path.ends_with("/oauth") {
            return Err(Error::config(
                "base_url",
                format!(
                    "{:?} ends in /oidc or /oauth; give the app host without it (that is the issuer): \
                     tokenbridge adds /oidc/token, /oauth/token and /api/v3/... itself",
                    self.base_url
                ),
            ));
        }
        Ok(url)
    }

    /// The token endpoint for the configured protocol: `<base>/oidc/token` or
    /// `<base>/oauth/token`.
    pub fn token_endpoint(&self) -> Result<Url> {
        let path = match self.protocol {
            Protocol::Oidc => "/oidc/token",
            _ => "/oauth/token",
        };
        Ok(join_path(&self.base()?, path))
    }

    /// Checks every setting; nothing is sent.
    pub fn validate(&self) -> Result<()> {
        self.base()?;
        if self.app_id.trim().is_empty() {
            return Err(Error::config(
                "app_id",
                "the application id is empty; copy it from the GenAuth console (application details)",
            ));
        }
        if self.app_id.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::config(
                "app_id",
                "the application id contains spaces or control characters",
            ));
        }
        if self.auth_method.needs_secret() && self.app_secret.is_none() {
            return Err(Error::config(
                "app_secret",
                format!(
                    "auth method {} needs the application secret; set app_secret, or use auth_method \"none\" \
                     if the application's token exchange auth method is none",
                    self.auth_method
                ),
            ));
        }
        if self.auth_method == AuthMethod::None && self.app_secret.is_some() {
            return Err(Error::config(
                "app_secret",
                "an application secret is set but auth_method is \"none\", so it would never be \
                 sent; remove the secret, or use client_secret_post or client_secret_basic",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for GenAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAuthConfig")
            .field("base_url", &without_userinfo(&self.base_url))
            .field("app_id", &self.app_id)
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("auth_method", &self.auth_method)
            .field("protocol", &self.protocol)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(err: &Error) -> Option<&str> {
        match err {
            Error::Config { key, .. } => key.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn defaults() {
        let c = GenAuthConfig::new("https://a.genauth.ai", "app");
        assert_eq!(c.auth_method(), AuthMethod::ClientSecretPost);
        assert_eq!(c.protocol(), Protocol::Oidc);
        assert!(c.app_secret().is_none());
    }

    #[test]
    fn endpoints_keep_a_path_prefix() {
        let c = GenAuthConfig::new("https://proxy.example.com/genauth/", "app")
            .with_protocol(Protocol::OAuth2);
        assert_eq!(
            c.token_endpoint().unwrap().as_str(),
            "https://proxy.example.com/genauth/oauth/token"
        );
        let c = c.with_protocol(Protocol::Oidc);
        assert_eq!(
            c.token_endpoint().unwrap().as_str(),
            "https://proxy.example.com/genauth/oidc/token"
        );
    }

    #[test]
    fn validation_names_the_key() {
        let secret = || SecretString::from("s");
        let cases = [
            (GenAuthConfig::new("http://a.genauth.ai", "app"), "base_url"),
            (GenAuthConfig::new("not a url", "app"), "base_url"),
            (
                GenAuthConfig::new("https://a.genauth.ai?x=1", "app"),
                "base_url",
            ),
            (
                GenAuthConfig::new("https://a.genauth.ai/oidc", "app"),
                "base_url",
            ),
            (GenAuthConfig::new("https://a.genauth.ai", " "), "app_id"),
            (GenAuthConfig::new("https://a.genauth.ai", "a b"), "app_id"),
            (
                GenAuthConfig::new("https://a.genauth.ai", "app"),
                "app_secret",
            ),
            (
                GenAuthConfig::new("https://a.genauth.ai", "app")
                    .with_auth_method(AuthMethod::ClientSecretBasic),
                "app_secret",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().unwrap_err();
            assert_eq!(key_of(&err), Some(key), "{config:?}: {err}");
        }
        GenAuthConfig::new("https://a.genauth.ai", "app")
            .with_auth_method(AuthMethod::None)
            .validate()
            .unwrap();
        let err = GenAuthConfig::new("https://a.genauth.ai", "app")
            .with_app_secret(secret())
            .with_auth_method(AuthMethod::None)
            .validate()
            .unwrap_err();
        assert_eq!(key_of(&err), Some("app_secret"), "{err}");
        assert!(err.to_string().contains("would never be sent"), "{err}");
        GenAuthConfig::new("http://127.0.0.1:9000", "app")
            .with_app_secret(secret())
            .validate()
            .unwrap();
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = GenAuthConfig::new("https://a.genauth.ai", "app")
            .with_app_secret(SecretString::from("very-secret-value"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn debug_hides_credentials_in_the_base_url() {
        for (base, shown_as) in [
            (
                "https://admin:hunter2@a.genauth.ai/prefix",
                "https://a.genauth.ai/prefix",
            ),
            ("https://hunter2@a.genauth.ai", "https://a.genauth.ai"),
            ("https://admin:hunter2@", "https://"),
            ("admin:hunter2@a.genauth.ai", "a.genauth.ai"),
            ("https://admin:hunter2@bad host?x=@", "https://bad host?x=@"),
            ("https://a.genauth.ai", "https://a.genauth.ai"),
            ("not a url", "not a url"),
        ] {
            let shown = format!("{:?}", GenAuthConfig::new(base, "app"));
            assert!(
                shown.contains(&format!("base_url: {shown_as:?}")),
                "{base}: {shown}"
            );
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
