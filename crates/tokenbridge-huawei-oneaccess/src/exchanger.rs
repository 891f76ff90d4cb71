//! The OneAccess exchanger: the standard token exchange at OneAccess's fixed endpoint, with
//! `client_secret_post`, the protocol's `redirect_uri` rule and the management error shape.

use std::sync::Arc;

use async_trait::async_trait;
use tokenbridge_core::http::join_path;
use tokenbridge_core::{
    AuthMethod, Error, ExchangeHooks, Grant, GrantKind, HttpClient, HttpResponse, Protocol,
    ProviderMetadata, Result, StandardExchanger, TokenExchanger, TokenRequest, TokenSet, Url,
};

use crate::config::HuaweiOneAccessConfig;
use crate::error::{add_hints, parse_token_response};

/// The token endpoint below the user access domain (vendor-apis.md sections 3.2 to 3.4).
pub const TOKEN_PATH: &str = "/api/v1/oauth2/token";
/// The discovery document below the user access domain (vendor-apis.md section 3.1).
pub const DISCOVERY_PATH: &str = "/api/v1/oauth2/.well-known/openid-configuration";

/// OneAccess's token endpoint documents code and refresh only.
const GRANTS: [GrantKind; 2] = [GrantKind::AuthorizationCode, GrantKind::RefreshToken];

#[derive(Debug)]
struct OneAccessHooks {
    protocol: Protocol,
}

impl ExchangeHooks for OneAccessHooks {
    fn prepare_request(&self, _request: &mut TokenRequest, grant: &Grant) -> Result<()> {
        if let Grant::AuthorizationCode { redirect_uri, .. } = grant {
            let missing = redirect_uri
                .as_deref()
                .is_none_or(|uri| uri.trim().is_empty());
            if self.protocol == Protocol::Oidc && missing {
                return Err(Error::config(
                    "redirect_uri",
                    "OneAccess OIDC applications require redirect_uri with the code: pass the \
                     callback URL (or callback domain) registered for the application, or \
                     configure protocol \"oauth\" if the application is an OAuth 2.0 one",
                ));
            }
        }
        Ok(())
    }

    fn parse_response(&self, response: &HttpResponse, provider: &str) -> Result<TokenSet> {
        parse_token_response(response, provider)
    }

    fn map_error(&self, error: Error, grant: &Grant) -> Error {
        add_hints(error, grant)
    }
}

/// Exchanges authorization codes and refresh tokens with Huawei Cloud OneAccess.
///
/// Requests go to `<base_url>/api/v1/oauth2/token`, form-encoded, with `client_id` and
/// `client_secret` in the body. `expires_in` is read whether it arrives as `7200` or `"7200"`.
/// A refresh token is only issued when the application's console sets a refresh token
/// lifetime; each refresh returns a new one, which the [`TokenSet`] carries.
///
/// ```no_run
/// # async fn run() -> tokenbridge_core::Result<()> {
/// use tokenbridge_core::{Grant, HttpClient, SecretString, TokenExchanger};
/// use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
///
/// let config = HuaweiOneAccessConfig::new(
///     "https://example.huaweioneaccess.com",
///     "client-id",
///     SecretString::from("client-secret"),
/// );
/// let oneaccess = HuaweiOneAccessExchanger::new("huawei", config, HttpClient::default())?;
/// let tokens = oneaccess
///     .exchange(Grant::authorization_code("code-from-callback", "https://example.com"))
///     .await?;
/// # Ok(()) }
/// ```
///
/// Cheap to clone: clones share the configuration and the HTTP client.
#[derive(Debug, Clone)]
pub struct HuaweiOneAccessExchanger {
    inner: Arc<StandardExchanger>,
    base_url: Url,
    token_endpoint: Url,
    protocol: Protocol,
}

impl HuaweiOneAccessExchanger {
    /// Checks `config` and builds the exchanger; nothing is sent yet. Tokens carry
    /// `provider_id`.
    pub fn new(
        provider_id: impl Into<String>,
        config: HuaweiOneAccessConfig,
        http: HttpClient,
    ) -> Result<Self> {
        let base_url = config.checked_base_url()?;
        let token_endpoint = join_path(&base_url, TOKEN_PATH);
        let protocol = config.protocol;
        let inner = StandardExchanger::builder(provider_id)
            .token_endpoint(token_endpoint.as_str())
            .client_id(config.client_id)
            .client_secret(config.client_secret)
            .auth_method(AuthMethod::ClientSecretPost)
            .http_client(http)
            .grants(GRANTS)
            .hooks(Arc::new(OneAccessHooks { protocol }))
            .build()?;
        Ok(Self {
            inner: Arc::new(inner),
            base_url,
            token_endpoint,
            protocol,
        })
    }

    /// The user access domain.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `<base_url>/api/v1/oauth2/token`.
    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    /// The protocol the application was registered with.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Fetches the discovery document at
    /// `<base_url>/api/v1/oauth2/.well-known/openid-configuration`, e.g. to find `jwks_uri`.
    pub async fn metadata(&self) -> Result<ProviderMetadata> {
        ProviderMetadata::fetch(self.inner.http(), join_path(&self.base_url, DISCOVERY_PATH)).await
    }

    /// The request `grant` would send, without sending it.
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        self.inner.build_request(grant).await
    }
}

#[async_trait]
impl TokenExchanger for HuaweiOneAccessExchanger {
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

    fn exchanger(base: &str, protocol: Protocol) -> HuaweiOneAccessExchanger {
        HuaweiOneAccessExchanger::new(
            "huawei",
            HuaweiOneAccessConfig::new(base, "app", SecretString::from("hunter2-secret"))
                .with_protocol(protocol),
            HttpClient::default(),
        )
        .unwrap()
    }

    #[test]
    fn endpoint_keeps_the_base_path() {
        let e = exchanger("https://gw.example.com/oneaccess/", Protocol::Oidc);
        assert_eq!(
            e.token_endpoint().as_str(),
            "https://gw.example.com/oneaccess/api/v1/oauth2/token"
        );
        assert_eq!(e.supported_grants(), &GRANTS);
        assert_eq!(e.protocol(), Protocol::Oidc);
    }

    #[test]
    fn clones_share_the_exchanger() {
        let e = exchanger("https://example.huaweioneaccess.com", Protocol::OAuth2);
        let clone = e.clone();
        assert!(Arc::ptr_eq(&clone.inner, &e.inner));
        assert_eq!(clone.token_endpoint(), e.token_endpoint());
        assert_eq!(
            clone.base_url().as_str(),
            "https://example.huaweioneaccess.com/"
        );
        assert_eq!(clone.protocol(), Protocol::OAuth2);
    }

    #[test]
    fn debug_hides_the_secret() {
        let e = exchanger("https://example.huaweioneaccess.com", Protocol::OAuth2);
        let shown = format!("{e:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
    }

    fn code_without_redirect() -> Grant {
        Grant::AuthorizationCode {
            code: SecretString::from("code-1"),
            redirect_uri: None,
            pkce_verifier: None,
        }
    }

    #[tokio::test]
    async fn oidc_needs_redirect_uri_before_anything_is_sent() {
        let e = exchanger("https://example.huaweioneaccess.com", Protocol::Oidc);
        let err = e.build_request(&code_without_redirect()).await.unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "redirect_uri"),
            "{err}"
        );
        let blank = Grant::authorization_code("code-1", " ");
        assert!(e.build_request(&blank).await.is_err());
    }

    #[tokio::test]
    async fn oauth_makes_redirect_uri_optional() {
        let e = exchanger("https://example.huaweioneaccess.com", Protocol::OAuth2);
        let request = e.build_request(&code_without_redirect()).await.unwrap();
        assert_eq!(
            String::from_utf8(request.body_bytes()).unwrap(),
            "grant_type=authorization_code&code=code-1&client_id=app&client_secret=hunter2-secret"
        );
    }
}
