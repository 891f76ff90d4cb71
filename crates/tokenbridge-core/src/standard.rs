//! The exchanger for any RFC 6749 / OpenID Connect provider, and the hooks vendor adapters
//! use to reuse it.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::sync::OnceCell;
use url::Url;

use crate::auth::{AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, NoClientAuth};
use crate::discovery::ProviderMetadata;
use crate::error::{Error, Result};
use crate::exchanger::{ensure_supported, TokenExchanger};
use crate::grant::{Grant, GrantKind};
use crate::http::{join_path, parse_secure_url, HttpClient, HttpResponse};
use crate::request::{BodyEncoding, TokenRequest};
use crate::token::TokenSet;
use crate::wire::parse_standard_response;

/// The path of the discovery document below an issuer.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// Where a vendor adapter changes the standard exchange. Every method has the standard
/// behaviour as its default, so an adapter overrides only what its vendor does differently.
pub trait ExchangeHooks: Send + Sync + fmt::Debug {
    /// Adjusts the request after the grant's parameters and client authentication are set.
    fn prepare_request(&self, _request: &mut TokenRequest, _grant: &Grant) -> Result<()> {
        Ok(())
    }

    /// Turns the answer into tokens; the default is [`parse_standard_response`].
    fn parse_response(&self, response: &HttpResponse, provider: &str) -> Result<TokenSet> {
        parse_standard_response(response, provider)
    }

    /// Rewrites an error, e.g. to add a hint a vendor's odd error code needs.
    fn map_error(&self, error: Error, _grant: &Grant) -> Error {
        error
    }
}

/// The standard behaviour, with no changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardHooks;

impl ExchangeHooks for StandardHooks {}

/// How the token endpoint is found.
#[derive(Debug, Clone)]
enum EndpointSource {
    Fixed(Url),
    Discover { issuer: Option<Url>, document: Url },
}

/// What is settled on first use: the token endpoint and the client authentication.
#[derive(Debug)]
struct Resolved {
    token_endpoint: Url,
    auth: Arc<dyn ClientAuth>,
}

/// How the client authenticates, before discovery may choose the method.
#[derive(Clone)]
enum AuthSpec {
    Custom(Arc<dyn ClientAuth>),
    Secret {
        client_id: String,
        client_secret: Option<SecretString>,
        method: Option<AuthMethod>,
        basic_encoding: BasicEncoding,
    },
}

impl fmt::Debug for AuthSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSpec::Custom(a) => f.debug_tuple("Custom").field(a).finish(),
            AuthSpec::Secret {
                client_id,
                client_secret,
                method,
                basic_encoding,
            } => f
                .debug_struct("Secret")
                .field("client_id", client_id)
                .field(
                    "client_secret",
                    &client_secret.as_ref().map(|_| "[redacted]"),
                )
                .field("method", method)
                .field("basic_encoding", basic_encoding)
                .finish(),
        }
    }
}

/// A [`TokenExchanger`] for any RFC 6749 / OpenID Connect provider.
///
/// Configured with a token endpoint, or with an issuer whose discovery document is fetched
/// once, on first use, to find the token endpoint and the supported auth methods. Vendor
/// adapters wrap it with [`ExchangeHooks`].
///
/// ```no_run
/// # async fn run() -> tokenbridge_core::Result<()> {
/// use secrecy::SecretString;
/// use tokenbridge_core::{AuthMethod, Grant, StandardExchanger, TokenExchanger};
///
/// let exchanger = StandardExchanger::builder("corp")
///     .issuer("https://id.example.com")
///     .client_id("my-app")
///     .client_secret(SecretString::from("s3cret"))
///     .auth_method(AuthMethod::ClientSecretBasic)
///     .build()?;
/// let tokens = exchanger.exchange(Grant::refresh_token("rt-1")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StandardExchanger {
    provider: String,
    source: EndpointSource,
    auth: AuthSpec,
    http: HttpClient,
    grants: Vec<GrantKind>,
    hooks: Arc<dyn ExchangeHooks>,
    resolved: OnceCell<Resolved>,
}

/// Builds a [`StandardExchanger`]; see [`StandardExchanger::builder`].
#[derive(Debug)]
pub struct StandardExchangerBuilder {
    provider: String,
    token_endpoint: Option<String>,
    issuer: Option<String>,
    discovery_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    auth_method: Option<AuthMethod>,
    basic_encoding: BasicEncoding,
    client_auth: Option<Arc<dyn ClientAuth>>,
    http: Option<HttpClient>,
    grants: Vec<GrantKind>,
    hooks: Arc<dyn ExchangeHooks>,
}

impl StandardExchanger {
    /// Starts building an exchanger whose tokens carry `provider` as their provider id.
    pub fn builder(provider: impl Into<String>) -> StandardExchangerBuilder {
        StandardExchangerBuilder {
            provider: provider.into(),
            token_endpoint: None,
            issuer: None,
            discovery_url: None,
            client_id: None,
            client_secret: None,
            auth_method: None,
            basic_encoding: BasicEncoding::default(),
            client_auth: None,
            http: None,
            grants: vec![
                GrantKind::AuthorizationCode,
                GrantKind::RefreshToken,
                GrantKind::ClientCredentials,
                GrantKind::Other,
            ],
            hooks: Arc::new(StandardHooks),
        }
    }

    /// The HTTP client in use.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The token endpoint, running discovery first if it has not run yet.
    pub async fn token_endpoint(&self) -> Result<Url> {
        Ok(self.resolve().await?.token_endpoint.clone())
    }

    /// The name of the client authentication method in use (after discovery, if any).
    pub async fn auth_method_name(&self) -> Result<String> {
        Ok(self.resolve().await?.auth.method_name().to_owned())
    }

    async fn resolve(&self) -> Result<&Resolved> {
        self.resolved
            .get_or_try_init(|| async {
                match &self.source {
                    EndpointSource::Fixed(url) => Ok(Resolved {
                        token_endpoint: url.clone(),
                        auth: build_auth(&self.auth, None)?,
                    }),
                    EndpointSource::Discover { issuer, document } => {
                        let metadata = ProviderMetadata::fetch(&self.http, document.clone()).await?;
                        if let (Some(expected), Some(got)) = (issuer, &metadata.issuer) {
                            if expected.as_str().trim_end_matches('/') != got.trim_end_matches('/') {
                                return Err(Error::config(
                                    "issuer",
                                    format!(
                                        "the discovery document names issuer {got:?}, not the configured {:?} (OpenID Connect Discovery section 4.3); fix the issuer URL",
                                        expected.as_str()
                                    ),
                                ));
                            }
                        }
                        Ok(Resolved {
                            token_endpoint: metadata.token_endpoint_url()?,
                            auth: build_auth(
                                &self.auth,
                                metadata.token_endpoint_auth_methods_supported.as_deref(),
                            )?,
                        })
                    }
                }
            })
            .await
    }

    /// Builds the request `grant` would send, without sending it (discovery may run).
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        ensure_supported(self, grant.kind())?;
        let resolved = self.resolve().await?;
        let mut request = TokenRequest::post(resolved.token_endpoint.clone(), BodyEncoding::Form);
        grant_params(&mut request, grant)?;
        resolved.auth.apply(&mut request)?;
        self.hooks.prepare_request(&mut request, grant)?;
        Ok(request)
    }
}

/// Adds the RFC 6749 parameters of `grant` to `request`.
pub fn grant_params(request: &mut TokenRequest, grant: &Grant) -> Result<()> {
    match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            pkce_verifier,
        } => {
            request
                .static_param("grant_type", "authorization_code")
                .secret_param("code", code);
            if let Some(uri) = redirect_uri {
                request.param("redirect_uri", uri);
            }
            if let Some(v) = pkce_verifier {
                request.secret_param("code_verifier", v);
            }
        }
        Grant::RefreshToken {
            refresh_token,
            scopes,
        } => {
            request
                .static_param("grant_type", "refresh_token")
                .secret_param("refresh_token", refresh_token);
            if !scopes.is_empty() {
                request.param("scope", scopes.join(" "));
            }
        }
        Grant::ClientCredentials { scopes } => {
            request.static_param("grant_type", "client_credentials");
            if !scopes.is_empty() {
                request.param("scope", scopes.join(" "));
            }
        }
        Grant::Other { grant_type, params } => {
            request.param("grant_type", grant_type);
            for (name, value) in params {
                request.secret_param(name.clone(), value);
            }
        }
        Grant::QrTicket { .. } => {
            return Err(Error::config_general(
                "a QR ticket is not an RFC 6749 grant; exchange it through the GenAuth adapter",
            ))
        }
    }
    Ok(())
}

fn build_auth(spec: &AuthSpec, advertised: Option<&[String]>) -> Result<Arc<dyn ClientAuth>> {
    let (client_id, client_secret, method, basic_encoding) = match spec {
        AuthSpec::Custom(auth) => return Ok(Arc::clone(auth)),
        AuthSpec::Secret {
            client_id,
            client_secret,
            method,
            basic_encoding,
        } => (client_id, client_secret, *method, *basic_encoding),
    };
    // An absent or empty list says nothing (OpenID Connect Discovery's default would be Basic
    // only, but many providers simply omit the list), so every method is allowed then.
    let advertised = advertised.filter(|list| !list.is_empty());
    let advertises =
        |m: AuthMethod| advertised.is_none_or(|list| list.iter().any(|s| s == m.as_str()));
    let method = match method {
        Some(m) => {
            // `none` is exempt: providers that accept public clients (PKCE) often leave it out
            // of the list, and a public client has no other method to fall back to.
            if m != AuthMethod::None && !advertises(m) {
                return Err(Error::config(
                    "auth_method",
                    format!(
                        "{m} is configured, but the provider's discovery document advertises only {:?}; choose one of those",
                        advertised.unwrap_or_default()
                    ),
                ));
            }
            m
        }
        None if client_secret.is_none() => AuthMethod::None,
        // RFC 6749 section 2.3.1: servers must support Basic; prefer it unless the provider
        // advertises only post.
        None if advertises(AuthMethod::ClientSecretBasic) => AuthMethod::ClientSecretBasic,
        None if advertises(AuthMethod::ClientSecretPost) => AuthMethod::ClientSecretPost,
        None => {
            return Err(Error::config(
                "auth_method",
                format!(
                    "the provider's discovery document advertises only {:?}, none of which \
                     tokenbridge implements for a client secret (client_secret_basic, \
                     client_secret_post); give the exchanger a custom ClientAuth for the \
                     provider's method",
                    advertised.unwrap_or_default()
                ),
            ))
        }
    };
    if method == AuthMethod::ClientSecretBasic {
        let secret = client_secret.clone().ok_or_else(|| {
            Error::config("client_secret", "client_secret_basic needs a client secret")
        })?;
        return Ok(Arc::new(
            ClientSecretBasic::new(client_id.clone(), secret).with_encoding(basic_encoding),
        ));
    }
    if method == AuthMethod::None {
        return Ok(Arc::new(NoClientAuth::new(client_id.clone())));
    }
    crate::auth::client_auth(method, client_id.clone(), client_secret.clone())
}

impl StandardExchangerBuilder {
    /// The token endpoint URL. Either this or [`issuer`](Self::issuer) is required.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The issuer; `<issuer>/.well-known/openid-configuration` is fetched on first use.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// A discovery document at a non-standard place (e.g. Huawei OneAccess's
    /// `/api/v1/oauth2/.well-known/openid-configuration`). The document's `issuer` is checked
    /// only when [`issuer`](Self::issuer) is set too.
    pub fn discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = Some(url.into());
        self
    }

    /// The client id (required unless [`client_auth`](Self::client_auth) is given).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The client secret.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The client secret, if any.
    pub fn client_secret_opt(mut self, secret: Option<SecretString>) -> Self {
        self.client_secret = secret;
        self
    }

    /// The auth method. Without one, discovery's list decides (Basic preferred), or `none`
    /// when there is no secret.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// The auth method, if any.
    pub fn auth_method_opt(mut self, method: Option<AuthMethod>) -> Self {
        self.auth_method = method;
        self
    }

    /// How `client_secret_basic` encodes the credentials (RFC form encoding by default).
    pub fn basic_encoding(mut self, encoding: BasicEncoding) -> Self {
        self.basic_encoding = encoding;
        self
    }

    /// A custom client authentication, replacing id, secret and method.
    pub fn client_auth(mut self, auth: Arc<dyn ClientAuth>) -> Self {
        self.client_auth = Some(auth);
        self
    }

    /// The HTTP client (default: the shared pool with default timeouts and cap).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// The grant kinds to accept (default: code, refresh, client credentials, other).
    pub fn grants(mut self, grants: impl IntoIterator<Item = GrantKind>) -> Self {
        self.grants = grants.into_iter().collect();
        self
    }

    /// A vendor's hooks.
    pub fn hooks(mut self, hooks: Arc<dyn ExchangeHooks>) -> Self {
        self.hooks = hooks;
        self
    }

    /// Checks the configuration and builds the exchanger. Nothing is sent yet.
    pub fn build(self) -> Result<StandardExchanger> {
        if self.provider.is_empty() {
            return Err(Error::config("provider", "the provider id is empty"));
        }
        let source = match (&self.token_endpoint, &self.issuer, &self.discovery_url) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::config(
                    "token_endpoint",
                    "set either token_endpoint or issuer (discovery), not both",
                ))
            }
            (Some(t), None, None) => EndpointSource::Fixed(parse_secure_url(t, "token_endpoint")?),
            (None, issuer, Some(d)) => EndpointSource::Discover {
                issuer: issuer
                    .as_deref()
                    .map(|i| parse_secure_url(i, "issuer"))
                    .transpose()?,
                document: parse_secure_url(d, "discovery_url")?,
            },
            (None, Some(i), None) => {
                let issuer = parse_secure_url(i, "issuer")?;
                EndpointSource::Discover {
                    document: join_path(&issuer, DISCOVERY_PATH),
                    issuer: Some(issuer),
                }
            }
            (None, None, None) => {
                return Err(Error::config(
                    "token_endpoint",
                    "no token endpoint: set token_endpoint, or issuer for discovery",
                ))
            }
        };
        let auth = match self.client_auth {
            Some(auth) => AuthSpec::Custom(auth),
            None => {
                let client_id = self
                    .client_id
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| Error::config("client_id", "the client id is missing"))?;
                if self.auth_method.is_some_and(AuthMethod::needs_secret)
                    && self.client_secret.is_none()
                {
                    return Err(Error::config(
                        "client_secret",
                        format!(
                            "auth method {} needs a client secret; set one, or use auth_method \"none\"",
                            self.auth_method.unwrap_or_default()
                        ),
                    ));
                }
                AuthSpec::Secret {
                    client_id,
                    client_secret: self.client_secret,
                    method: self.auth_method,
                    basic_encoding: self.basic_encoding,
                }
            }
        };
        Ok(StandardExchanger {
            provider: self.provider,
            source,
            auth,
            http: self.http.unwrap_or_default(),
            grants: self.grants,
            hooks: self.hooks,
            resolved: OnceCell::new(),
        })
    }
}

#[async_trait]
impl TokenExchanger for StandardExchanger {
    fn provider_id(&self) -> &str {
        &self.provider
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &self.grants
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        let result = async {
            let request = self.build_request(&grant).await?;
            let response = self.http.send(&request).await?;
            self.hooks.parse_response(&response, &self.provider)
        }
        .await;
        result.map_err(|e| self.hooks.map_error(e, &grant))
    }
}

/// Which protocol flavour a vendor endpoint speaks, where a vendor offers both (GenAuth's
/// `/oidc/*` and `/oauth/*`, Huawei OneAccess's OIDC and OAuth 2.0 applications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// OpenID Connect: id tokens, `redirect_uri` required.
    #[default]
    Oidc,
    /// Plain OAuth 2.0: no id token.
    OAuth2,
}

impl Protocol {
    /// The configuration spelling: `oidc` or `oauth`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Oidc => "oidc",
            Protocol::OAuth2 => "oauth",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Protocol {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "oidc" => Ok(Protocol::Oidc),
            "oauth" | "oauth2" => Ok(Protocol::OAuth2),
            other => Err(Error::config(
                "protocol",
                format!("unknown protocol {other:?}; expected \"oidc\" or \"oauth\""),
            )),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Protocol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown protocol {s:?}; expected \"oidc\" or \"oauth\""
            ))
        })
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Configured method, whether there is a secret, the advertised list, and the expected
    /// method name or a part of the error message.
    type Case<'a> = (
        Option<AuthMethod>,
        bool,
        Option<&'a [&'a str]>,
        std::result::Result<&'a str, &'a str>,
    );

    fn spec(method: Option<AuthMethod>, secret: bool) -> AuthSpec {
        AuthSpec::Secret {
            client_id: "app".into(),
            client_secret: secret.then(|| SecretString::from("s")),
            method,
            basic_encoding: BasicEncoding::default(),
        }
    }

    #[test]
    fn auth_method_choice() {
        use AuthMethod::{ClientSecretBasic as Basic, ClientSecretPost as Post, None as Public};
        let all: &[&str] = &["none", "client_secret_post", "client_secret_basic"];
        let post_only: &[&str] = &["client_secret_post"];
        let jwt_only: &[&str] = &["private_key_jwt"];
        let empty: &[&str] = &[];
        let cases: Vec<Case<'_>> = vec![
            (None, true, None, Ok("client_secret_basic")),
            (None, true, Some(all), Ok("client_secret_basic")),
            (None, true, Some(post_only), Ok("client_secret_post")),
            (None, true, Some(empty), Ok("client_secret_basic")),
            (None, false, Some(post_only), Ok("none")),
            (None, false, None, Ok("none")),
            (
                None,
                true,
                Some(jwt_only),
                Err("advertises only [\"private_key_jwt\"]"),
            ),
            (Some(Post), true, None, Ok("client_secret_post")),
            (Some(Post), true, Some(all), Ok("client_secret_post")),
            (
                Some(Basic),
                true,
                Some(post_only),
                Err("client_secret_basic is configured"),
            ),
            (
                Some(Post),
                true,
                Some(jwt_only),
                Err("client_secret_post is configured"),
            ),
            // Public clients are not held to the list: providers often leave `none` out.
            (Some(Public), false, Some(post_only), Ok("none")),
        ];
        for (method, secret, advertised, expected) in cases {
            let advertised: Option<Vec<String>> =
                advertised.map(|l| l.iter().map(|s| (*s).to_owned()).collect());
            let got = build_auth(&spec(method, secret), advertised.as_deref());
            let what = format!("{method:?} secret={secret} {advertised:?}");
            match (got, expected) {
                (Ok(auth), Ok(name)) => assert_eq!(auth.method_name(), name, "{what}"),
                (Err(Error::Config { key, message }), Err(part)) => {
                    assert_eq!(key.as_deref(), Some("auth_method"), "{what}");
                    assert!(message.contains(part), "{what}: {message}");
                }
                (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn protocol_names() {
        for (text, protocol) in [
            ("oidc", Protocol::Oidc),
            ("oauth", Protocol::OAuth2),
            ("oauth2", Protocol::OAuth2),
        ] {
            assert_eq!(text.parse::<Protocol>().unwrap(), protocol);
        }
        assert_eq!(Protocol::OAuth2.to_string(), "oauth");
        assert!(matches!(
            "saml".parse::<Protocol>(),
            Err(Error::Config { key: Some(k), .. }) if k == "protocol"
        ));
    }
}
