//! The Tencent CIAM exchanger: the standard token exchange at a fixed endpoint, with hints
//! for Tencent's misleading error codes.

use std::sync::Arc;

use async_trait::async_trait;
use tokenbridge_core::http::join_path;
use tokenbridge_core::{
    AuthMethod, Error, ExchangeHooks, Grant, GrantKind, HttpClient, Jwks, ProviderMetadata, Result,
    StandardExchanger, TokenExchanger, TokenRequest, TokenSet, Url,
};

use crate::config::TencentCiamConfig;
use crate::error::add_hints;

/// The token endpoint below the portal domain (vendor-apis.md section 2.3).
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The JWKS below the portal domain (vendor-apis.md section 2.7).
pub const JWKS_PATH: &str = "/oauth2/jwks";
/// The discovery document below the portal domain (vendor-apis.md section 2.2).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// Grants for confidential apps: the documented code, refresh and client credentials modes.
const CONFIDENTIAL_GRANTS: [GrantKind; 3] = [
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::ClientCredentials,
];
/// Grants for public apps: client credentials needs a secret, so only code (with PKCE) and
/// refresh remain.
const PUBLIC_GRANTS: [GrantKind; 2] = [GrantKind::AuthorizationCode, GrantKind::RefreshToken];

#[derive(Debug)]
struct TencentHooks {
    auth_method: AuthMethod,
}

impl ExchangeHooks for TencentHooks {
    fn map_error(&self, error: Error, grant: &Grant) -> Error {
        add_hints(error, grant, self.auth_method)
    }
}

/// Exchanges codes, refresh tokens and client credentials with Tencent Cloud CIAM.
///
/// Requests go to `<base_url>/oauth2/token`, form-encoded, authenticated as configured. Whatever
/// refresh token comes back is kept in the [`TokenSet`], including the unchanged one Tencent
/// often echoes. A public app (auth method `none`) does not offer client credentials.
///
/// ```no_run
/// # async fn run() -> tokenbridge_core::Result<()> {
/// use tokenbridge_core::{Grant, HttpClient, SecretString, TokenExchanger};
/// use tokenbridge_tencent_ciam::{TencentCiamConfig, TencentCiamExchanger};
///
/// let config = TencentCiamConfig::new("https://sample.portal.tencentciam.com", "web-app")
///     .with_client_secret(SecretString::from("s3cret"));
/// let ciam = TencentCiamExchanger::new("tencent", config, HttpClient::default())?;
/// let tokens = ciam
///     .exchange(Grant::authorization_code("code-from-callback", "https://example.com/callback"))
///     .await?;
/// # Ok(()) }
/// ```
///
/// Cheap to clone: clones share the configuration and the HTTP client.
#[derive(Debug, Clone)]
pub struct TencentCiamExchanger {
    inner: Arc<StandardExchanger>,
    base_url: Url,
    token_endpoint: Url,
    auth_method: AuthMethod,
}

impl TencentCiamExchanger {
    /// Checks `config` and builds the exchanger; nothing is sent yet. Tokens carry
    /// `provider_id`.
    pub fn new(
        provider_id: impl Into<String>,
        config: TencentCiamConfig,
        http: HttpClient,
    ) -> Result<Self> {
        let base_url = config.checked_base_url()?;
        let token_endpoint = join_path(&base_url, TOKEN_PATH);
        let auth_method = config.auth_method;
        let grants: &[GrantKind] = if auth_method == AuthMethod::None {
            &PUBLIC_GRANTS
        } else {
            &CONFIDENTIAL_GRANTS
        };
        let inner = StandardExchanger::builder(provider_id)
            .token_endpoint(token_endpoint.as_str())
            .client_id(config.client_id)
            .client_secret_opt(config.client_secret)
            .auth_method(auth_method)
            .http_client(http)
            .grants(grants.iter().copied())
            .hooks(Arc::new(TencentHooks { auth_method }))
            .build()?;
        Ok(Self {
            inner: Arc::new(inner),
            base_url,
            token_endpoint,
            auth_method,
        })
    }

    /// The portal domain.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `<base_url>/oauth2/token`.
    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    /// The client authentication in use.
    pub fn auth_method(&self) -> AuthMethod {
        self.auth_method
    }

    /// `<base_url>/oauth2/jwks`.
    pub fn jwks_uri(&self) -> Url {
        join_path(&self.base_url, JWKS_PATH)
    }

    /// Fetches the user directory's signing keys. Tencent's documentation writes the key list
    /// as `"Keys"`; `"keys"` is accepted too.
    pub async fn jwks(&self) -> Result<Jwks> {
        Jwks::fetch(self.inner.http(), self.jwks_uri()).await
    }

    /// Fetches the discovery document. It lists no userinfo, revocation or end-session
    /// endpoint; Tencent serves those at fixed paths (`/userinfo`, `/oauth2/revoke`, `/logout`).
    pub async fn metadata(&self) -> Result<ProviderMetadata> {
        ProviderMetadata::fetch(self.inner.http(), join_path(&self.base_url, DISCOVERY_PATH)).await
    }

    /// The request `grant` would send, without sending it.
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        self.inner.build_request(grant).await
    }
}

#[async_trait]
impl TokenExchanger for TencentCiamExchanger {
    fn provider_id(&self) -> &str {
        self.inner.provider_id()
    }

    fn supported_grants(&self) -> &[GrantKind] {
        self.inner.supported_grants()
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        self.inner.exchange(grant).await
    }
}

#[cfg(test)]
mod tests {
    use tokenbridge_core::SecretString;

    use super::*;

    fn exchanger(config: TencentCiamConfig) -> TencentCiamExchanger {
        TencentCiamExchanger::new("tencent", config, HttpClient::default()).unwrap()
    }

    #[test]
    fn endpoints_keep_the_base_path() {
        let e = exchanger(
            TencentCiamConfig::new("https://sso.example.com/ciam/", "app")
                .with_client_secret(SecretString::from("s")),
        );
        assert_eq!(
            e.token_endpoint().as_str(),
            "https://sso.example.com/ciam/oauth2/token"
        );
        assert_eq!(
            e.jwks_uri().as_str(),
            "https://sso.example.com/ciam/oauth2/jwks"
        );
    }

    #[test]
    fn clones_share_the_exchanger() {
        let e = exchanger(
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "web")
                .with_client_secret(SecretString::from("s")),
        );
        let clone = e.clone();
        assert!(Arc::ptr_eq(&clone.inner, &e.inner));
        assert_eq!(clone.token_endpoint(), e.token_endpoint());
        assert_eq!(
            clone.base_url().as_str(),
            "https://t.portal.tencentciam.com/"
        );
    }

    #[test]
    fn public_apps_do_not_offer_client_credentials() {
        let public = exchanger(
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "spa")
                .with_auth_method(AuthMethod::None),
        );
        assert_eq!(public.supported_grants(), &PUBLIC_GRANTS);
        let web = exchanger(
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "web")
                .with_client_secret(SecretString::from("s")),
        );
        assert!(web.supports(GrantKind::ClientCredentials));
        assert!(!web.supports(GrantKind::QrTicket));
    }

    #[test]
    fn debug_hides_the_secret() {
        let e = exchanger(
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "web")
                .with_client_secret(SecretString::from("hunter2-secret"))
                .with_auth_method(AuthMethod::ClientSecretBasic),
        );
        let shown = format!("{e:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
    }

    #[test]
    fn configuration_errors_surface_from_new() {
        let err = TencentCiamExchanger::new(
            "tencent",
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "web"),
            HttpClient::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "client_secret"),
            "{err}"
        );
        let err = TencentCiamExchanger::new(
            "",
            TencentCiamConfig::new("https://t.portal.tencentciam.com", "spa")
                .with_auth_method(AuthMethod::None),
            HttpClient::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "provider"),
            "{err}"
        );
    }
}
