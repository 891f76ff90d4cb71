//! [`Provider`]: one configured identity provider, where every capability is written once.
//!
//! A provider is built from a [`VendorDescription`] (paths, auth methods, grants, error
//! codes, hooks), a base URL or an issuer, and the client's credentials. The token exchange
//! ([`TokenExchanger`]) and every capability added later read the description; a vendor
//! contributes data and, where its protocol departs from the standard, a hook.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::sync::OnceCell;
use url::Url;

use crate::auth::{AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, NoClientAuth};
use crate::discovery::{Jwks, ProviderMetadata};
use crate::dpop::{add_dpop_proof, is_use_dpop_nonce, DpopKey};
use crate::endpoint_url::{vendor_issuer, vendor_url};
use crate::error::{Error, Result, TransportError, TransportKind};
use crate::exchanger::TokenExchanger;
use crate::grant::{Grant, GrantKind};
use crate::http::{join_path, parse_base_url, parse_secure_url, HttpClient};
use crate::id_token::{Clock, SigningAlgorithm};
use crate::identity::IdentitySettings;
use crate::request::{BodyEncoding, TokenRequest};
use crate::signin::CompletedLogins;
use crate::token::TokenSet;
use crate::vendor::{Capabilities, HookContext, VendorDescription};

/// The path of the discovery document below an issuer (OpenID Connect Discovery 1.0, 4).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The description of any standard OAuth 2.0 / OpenID Connect provider: the `oidc` kind.
pub static STANDARD: VendorDescription =
    VendorDescription::standard("oidc", "OAuth 2.0 / OpenID Connect");

mod debug;
mod revocation;

/// A provider's endpoints, as configured or discovered.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The issuer, when known (configured, or from discovery).
    pub issuer: Option<String>,
    /// The token endpoint.
    pub token: Url,
    /// The authorization endpoint.
    pub authorization: Option<Url>,
    /// The revocation endpoint (RFC 7009).
    pub revocation: Option<Url>,
    /// The userinfo endpoint.
    pub userinfo: Option<Url>,
    /// The JSON Web Key Set.
    pub jwks: Option<Url>,
    /// The end-session (logout) endpoint.
    pub end_session: Option<Url>,
    /// The token introspection endpoint (RFC 7662).
    pub introspection: Option<Url>,
    /// The device authorization endpoint (RFC 8628).
    pub device_authorization: Option<Url>,
    /// The pushed authorization request endpoint (RFC 9126).
    pub pushed_authorization_request: Option<Url>,
}

impl Endpoints {
    /// The capabilities these endpoints give.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            authorization: self.authorization.is_some(),
            revocation: self.revocation.is_some(),
            userinfo: self.userinfo.is_some(),
            jwks: self.jwks.is_some(),
            end_session: self.end_session.is_some(),
            introspection: self.introspection.is_some(),
            device_authorization: self.device_authorization.is_some(),
            pushed_authorization_requests: self.pushed_authorization_request.is_some(),
        }
    }
}

/// Endpoints known before any request: from the vendor's paths below the base URL, or set one
/// by one.
#[derive(Clone, Default)]
struct FixedEndpoints {
    token: Option<Url>,
    authorization: Option<Url>,
    revocation: Option<Url>,
    userinfo: Option<Url>,
    jwks: Option<Url>,
    end_session: Option<Url>,
    introspection: Option<Url>,
    device_authorization: Option<Url>,
    pushed_authorization_request: Option<Url>,
}

/// What is settled on first use: the endpoints and the client authentication.
#[derive(Debug)]
struct Resolved {
    endpoints: Endpoints,
    auth: Arc<dyn ClientAuth>,
    auth_method: Option<AuthMethod>,
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

/// One configured identity provider: a vendor's description, its endpoints and the client's
/// credentials. It exchanges grants for tokens ([`TokenExchanger`]) and is where every other
/// capability lives, written once for all vendors.
///
/// Built with [`Provider::builder`] (any standard provider), from a vendor crate's
/// description with [`ProviderBuilder::vendor`], or from configuration by the facade's
/// registry. Cheap to clone: clones share the endpoints, the discovery result and the HTTP
/// client.
///
/// ```no_run
/// # async fn run() -> tokenbridge_core::Result<()> {
/// use tokenbridge_core::{AuthMethod, Grant, Provider, SecretString, TokenExchanger};
///
/// let provider = Provider::builder("corp")
///     .issuer("https://id.example.com")
///     .client_id("my-app")
///     .client_secret(SecretString::from("s3cret"))
///     .auth_method(AuthMethod::ClientSecretBasic)
///     .build()?;
/// let tokens = provider.exchange(Grant::refresh_token("rt-1")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Provider {
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    vendor: &'static VendorDescription,
    base_url: Option<Url>,
    /// The vendor's separate refresh endpoint, when its description has one.
    refresh_endpoint: Option<Url>,
    /// The vendor's documented issuer, on the base URL's origin when one is configured.
    vendor_issuer: Option<String>,
    /// The claim read as the identity's subject instead of the vendor's own.
    subject_claim: Option<String>,
    issuer: Option<Url>,
    discovery: Option<Url>,
    fixed: FixedEndpoints,
    auth: AuthSpec,
    http: HttpClient,
    grants: Vec<GrantKind>,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    metadata: OnceCell<ProviderMetadata>,
    resolved: OnceCell<Resolved>,
    completed_logins: CompletedLogins,
    identity: IdentitySettings,
    par: bool,
    dpop: bool,
    dpop_nonce: crate::dpop::NonceCache,
}

/// Builds a [`Provider`]; see [`Provider::builder`].
pub struct ProviderBuilder {
    id: String,
    vendor: &'static VendorDescription,
    base_url: Option<String>,
    issuer: Option<String>,
    discovery_url: Option<String>,
    token_endpoint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    auth_method: Option<AuthMethod>,
    basic_encoding: Option<BasicEncoding>,
    client_auth: Option<Arc<dyn ClientAuth>>,
    http: Option<HttpClient>,
    grants: Option<Vec<GrantKind>>,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    id_token_alg: Option<SigningAlgorithm>,
    id_token_leeway: Option<std::time::Duration>,
    clock: Option<Arc<dyn Clock>>,
    par: bool,
    dpop: bool,
    subject_claim: Option<String>,
}

impl Provider {
    /// Starts building a standard provider whose tokens carry `id` as their provider id;
    /// [`ProviderBuilder::vendor`] switches to a vendor's description.
    pub fn builder(id: impl Into<String>) -> ProviderBuilder {
        ProviderBuilder {
            id: id.into(),
            vendor: &STANDARD,
            base_url: None,
            issuer: None,
            discovery_url: None,
            token_endpoint: None,
            client_id: None,
            client_secret: None,
            auth_method: None,
            basic_encoding: None,
            client_auth: None,
            http: None,
            grants: None,
            redirect_uri: None,
            scopes: Vec::new(),
            id_token_alg: None,
            id_token_leeway: None,
            clock: None,
            par: false,
            dpop: false,
            subject_claim: None,
        }
    }

    /// The provider's id (its name in the configuration).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The vendor's description.
    pub fn vendor(&self) -> &'static VendorDescription {
        self.inner.vendor
    }

    /// The configured base URL, for vendors whose endpoints live below one.
    pub fn base_url(&self) -> Option<&Url> {
        self.inner.base_url.as_ref()
    }

    /// The vendor's documented issuer
    /// ([`VendorDescription::issuer_path`](crate::VendorDescription::issuer_path)), on the
    /// base URL's origin when one is configured.
    pub(crate) fn vendor_issuer(&self) -> Option<&str> {
        self.inner.vendor_issuer.as_deref()
    }

    /// The configured [`ProviderBuilder::subject_claim`].
    pub(crate) fn subject_claim_name(&self) -> Option<&str> {
        self.inner.subject_claim.as_deref()
    }

    /// The HTTP client in use.
    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    /// The configured redirect URI, the default of sign-in requests.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.inner.redirect_uri.as_deref()
    }

    /// The configured scopes; empty when none were configured.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        match &self.inner.auth {
            AuthSpec::Custom(a) => a.client_id(),
            AuthSpec::Secret { client_id, .. } => client_id,
        }
    }

    /// The discovery document, fetched once (on first use) when the provider has one.
    /// `Ok(None)` when the provider is configured without discovery.
    pub async fn metadata(&self) -> Result<Option<&ProviderMetadata>> {
        let Some(document) = &self.inner.discovery else {
            return Ok(None);
        };
        let fetch = self.inner.metadata.get_or_try_init(|| async {
            let metadata = ProviderMetadata::fetch(&self.inner.http, document.clone()).await?;
            if let Some(expected) = &self.inner.issuer {
                check_issuer(expected, metadata.issuer.as_deref())?;
            }
            Ok(metadata)
        });
        // Callers arriving while a fetch hangs queue behind it; each is bound by its own
        // timeout, so the tenth caller does not wait for nine timeouts in a row.
        let timeout = self.inner.http.config().timeout;
        match tokio::time::timeout(timeout, fetch).await {
            Ok(result) => result.map(Some),
            Err(_) => Err(TransportError {
                kind: TransportKind::Timeout,
                endpoint: document.to_string(),
                message: format!(
                    "the discovery document did not arrive within {} s",
                    timeout.as_secs_f64()
                ),
                source: None,
            }
            .into()),
        }
    }

    /// The endpoints, running discovery first where the configuration relies on it.
    pub async fn endpoints(&self) -> Result<&Endpoints> {
        Ok(&self.resolve().await?.endpoints)
    }

    /// The token endpoint, running discovery first if needed.
    pub async fn token_endpoint(&self) -> Result<Url> {
        Ok(self.resolve().await?.endpoints.token.clone())
    }

    /// What this provider offers, running discovery first if needed. A vendor with a fixed
    /// token endpoint (Huawei OneAccess) resolves without discovery; its authorization
    /// endpoint and JWKS, which sign-in and ID-token checks take from its discovery document,
    /// are looked up there when its description does not give them.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        let mut capabilities = self.resolve().await?.endpoints.capabilities();
        if self.inner.fixed.token.is_some() && !(capabilities.authorization && capabilities.jwks) {
            if let Some(metadata) = self.metadata().await? {
                capabilities.authorization |= metadata.authorization_endpoint.is_some();
                capabilities.jwks |= metadata.jwks_uri.is_some();
            }
        }
        Ok(capabilities)
    }

    /// The name of the client authentication method in use (after discovery, if any).
    pub async fn auth_method_name(&self) -> Result<String> {
        Ok(self.resolve().await?.auth.method_name().to_owned())
    }

    /// The client authentication in use (after discovery, if any).
    pub async fn client_auth(&self) -> Result<Arc<dyn ClientAuth>> {
        Ok(Arc::clone(&self.resolve().await?.auth))
    }

    /// Whether authorization requests are pushed (RFC 9126) by configuration; discovery's
    /// `require_pushed_authorization_requests` pushes them too.
    pub fn uses_par(&self) -> bool {
        self.inner.par
    }

    /// Whether token requests carry DPoP proofs (RFC 9449).
    pub fn uses_dpop(&self) -> bool {
        self.inner.dpop
    }

    /// The last DPoP nonce the provider's token endpoint handed out (RFC 9449 section 8).
    pub(crate) fn dpop_nonce(&self) -> &crate::dpop::NonceCache {
        &self.inner.dpop_nonce
    }

    pub(crate) fn completed_logins(&self) -> &CompletedLogins {
        &self.inner.completed_logins
    }

    pub(crate) fn identity_settings(&self) -> &IdentitySettings {
        &self.inner.identity
    }

    /// The configured issuer (before discovery), if any.
    pub(crate) fn configured_issuer(&self) -> Option<&str> {
        self.inner
            .issuer
            .as_ref()
            .map(|i| i.as_str().trim_end_matches('/'))
    }

    /// The [`Error::Unsupported`] for a capability this provider lacks.
    pub fn unsupported(&self, capability: &str, reason: impl Into<String>) -> Error {
        Error::Unsupported {
            provider: self.inner.id.clone(),
            capability: capability.to_owned(),
            reason: reason.into(),
        }
    }

    /// Fetches the signing keys (`jwks_uri`); [`Error::Unsupported`] when there is none.
    pub async fn jwks(&self) -> Result<Jwks> {
        let url = match &self.endpoints().await?.jwks {
            Some(url) => url.clone(),
            None => match self.metadata().await?.and_then(|m| m.jwks_uri.as_deref()) {
                Some(uri) => parse_secure_url(uri, "jwks_uri (from discovery)")?,
                None => {
                    return Err(self.unsupported(
                        "signing keys (JWKS)",
                        format!(
                            "{} has no jwks_uri in its description or discovery document",
                            self.inner.vendor.name
                        ),
                    ))
                }
            },
        };
        Jwks::fetch(&self.inner.http, url).await
    }

    async fn resolve(&self) -> Result<&Resolved> {
        if let Some(resolved) = self.inner.resolved.get() {
            return Ok(resolved);
        }
        // Discovery runs before entering the cell below, so that callers queued while it hangs
        // are each bound by their own timeout (in `metadata`), not by one another's.
        if self.inner.fixed.token.is_none() {
            self.metadata().await?;
        }
        self.inner
            .resolved
            .get_or_try_init(|| async {
                let fixed = &self.inner.fixed;
                // A vendor with a fixed token endpoint is not asked for its discovery document
                // before the first exchange; capabilities that need it fetch it themselves.
                let metadata = if fixed.token.is_none() {
                    self.metadata().await?
                } else {
                    None
                };
                let discovered = |value: Option<&String>, key: &str| -> Result<Option<Url>> {
                    value
                        .map(|v| parse_secure_url(v, &format!("{key} (from discovery)")))
                        .transpose()
                };
                let token = match (&fixed.token, metadata) {
                    (Some(t), _) => t.clone(),
                    (None, Some(m)) => m.token_endpoint_url()?,
                    (None, None) => {
                        return Err(Error::config(
                            "token_endpoint",
                            "no token endpoint: set token_endpoint, or issuer for discovery",
                        ))
                    }
                };
                let pick = |fixed: &Option<Url>,
                            from: Option<&String>,
                            key: &str|
                 -> Result<Option<Url>> {
                    match fixed {
                        Some(u) => Ok(Some(u.clone())),
                        None => discovered(from, key),
                    }
                };
                let endpoints = Endpoints {
                    issuer: metadata
                        .and_then(|m| m.issuer.clone())
                        .or_else(|| self.inner.issuer.as_ref().map(|i| i.as_str().to_owned())),
                    token,
                    authorization: pick(
                        &fixed.authorization,
                        metadata.and_then(|m| m.authorization_endpoint.as_ref()),
                        "authorization_endpoint",
                    )?,
                    revocation: pick(
                        &fixed.revocation,
                        metadata.and_then(|m| m.revocation_endpoint.as_ref()),
                        "revocation_endpoint",
                    )?,
                    userinfo: pick(
                        &fixed.userinfo,
                        metadata.and_then(|m| m.userinfo_endpoint.as_ref()),
                        "userinfo_endpoint",
                    )?,
                    jwks: pick(
                        &fixed.jwks,
                        metadata.and_then(|m| m.jwks_uri.as_ref()),
                        "jwks_uri",
                    )?,
                    end_session: pick(
                        &fixed.end_session,
                        metadata.and_then(|m| m.end_session_endpoint.as_ref()),
                        "end_session_endpoint",
                    )?,
                    introspection: pick(
                        &fixed.introspection,
                        metadata.and_then(|m| m.introspection_endpoint.as_ref()),
                        "introspection_endpoint",
                    )?,
                    device_authorization: pick(
                        &fixed.device_authorization,
                        metadata.and_then(|m| m.device_authorization_endpoint.as_ref()),
                        "device_authorization_endpoint",
                    )?,
                    pushed_authorization_request: pick(
                        &fixed.pushed_authorization_request,
                        metadata.and_then(|m| m.pushed_authorization_request_endpoint.as_ref()),
                        "pushed_authorization_request_endpoint",
                    )?,
                };
                // Discovery's list of auth methods counts only where discovery gave the token
                // endpoint: a vendor's fixed endpoint follows its documentation instead.
                let advertised = match (&fixed.token, metadata) {
                    (None, Some(m)) => m.token_endpoint_auth_methods_supported.as_deref(),
                    _ => None,
                };
                let auth = build_auth(&self.inner.auth, advertised)?;
                let auth_method = auth.method_name().parse().ok();
                Ok(Resolved {
                    endpoints,
                    auth,
                    auth_method,
                })
            })
            .await
    }

    /// Builds the request `grant` would send, without sending it (discovery may run).
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        let resolved = self.prepare(grant).await?;
        self.token_request(grant, resolved)
    }

    async fn prepare(&self, grant: &Grant) -> Result<&Resolved> {
        if !self.supports(grant.kind()) {
            return Err(Error::UnsupportedGrant {
                provider: self.inner.id.clone(),
                grant: grant.kind(),
                supported: self.inner.grants.clone(),
            });
        }
        if self.inner.vendor.redirect_uri_required
            && grant.kind() == GrantKind::AuthorizationCode
            && grant.redirect_uri().is_none_or(|uri| uri.trim().is_empty())
        {
            return Err(Error::config(
                "redirect_uri",
                format!(
                    "{} requires redirect_uri with the code: pass the redirect URI of the \
                     authorize request (or configure redirect_uri for the provider)",
                    self.inner.vendor.name
                ),
            ));
        }
        self.resolve().await
    }

    fn hook_context<'a>(&'a self, resolved: &'a Resolved) -> HookContext<'a> {
        HookContext {
            provider: &self.inner.id,
            base_url: self.inner.base_url.as_ref(),
            token_endpoint: &resolved.endpoints.token,
            client_auth: &*resolved.auth,
            auth_method: resolved.auth_method,
        }
    }

    fn token_request(&self, grant: &Grant, resolved: &Resolved) -> Result<TokenRequest> {
        let context = self.hook_context(resolved);
        let hooks = self.inner.vendor.hooks;
        if let Some(request) = hooks.token_request(grant, &context) {
            return request;
        }
        let shape = &self.inner.vendor.token_request;
        let endpoint = match (&self.inner.refresh_endpoint, grant.kind()) {
            (Some(refresh), GrantKind::RefreshToken) => refresh.clone(),
            _ => resolved.endpoints.token.clone(),
        };
        let mut request = TokenRequest::post(endpoint, BodyEncoding::Form);
        add_grant_params(&mut request, grant);
        resolved.auth.apply(&mut request)?;
        shape.apply(&mut request, grant)?;
        hooks.prepare_request(&mut request, grant, &context)?;
        Ok(request)
    }
}

fn check_issuer(expected: &Url, got: Option<&str>) -> Result<()> {
    let trimmed = expected.as_str().trim_end_matches('/');
    let expected = expected.as_str();
    match got {
        Some(got) if got.trim_end_matches('/') == trimmed => Ok(()),
        Some(got) => Err(Error::config(
            "issuer",
            format!(
                "the discovery document names issuer {got:?}, not the configured {expected:?} \
                 (OpenID Connect Discovery section 4.3); fix the issuer URL"
            ),
        )),
        None => Err(Error::config(
            "issuer",
            format!(
                "the discovery document names no issuer, so it cannot be the configured \
                 {expected:?} (OpenID Connect Discovery section 4.3); nothing was sent to it"
            ),
        )),
    }
}

/// Adds the RFC 6749 parameters of `grant` to `request`.
pub fn add_grant_params(request: &mut TokenRequest, grant: &Grant) {
    // The standard grant types are literals, sent without a copy; an extension's is its own.
    match grant.kind().grant_type() {
        Some(grant_type) => request.static_param("grant_type", grant_type),
        None => request.param("grant_type", grant.grant_type()),
    };
    if let Some(code) = grant.code() {
        request.secret_param("code", code);
    }
    if let Some(uri) = grant.redirect_uri() {
        request.param("redirect_uri", uri);
    }
    if let Some(verifier) = grant.pkce_verifier() {
        request.secret_param("code_verifier", verifier.secret());
    }
    if let Some(refresh_token) = grant.refresh_token_value() {
        request.secret_param("refresh_token", refresh_token);
    }
    for (name, value) in grant.secret_params() {
        request.secret_param(name.as_str(), value);
    }
    if !grant.scopes().is_empty() {
        request.param("scope", grant.scopes().join(" "));
    }
    for (name, value) in grant.params() {
        request.param(name, value);
    }
}

#[async_trait]
impl TokenExchanger for Provider {
    fn provider_id(&self) -> &str {
        &self.inner.id
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &self.inner.grants
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "tokenbridge.exchange",
            provider = %self.inner.id,
            vendor = self.inner.vendor.kind,
            grant = %grant.kind(),
        );
        let started = std::time::Instant::now();
        let result = self.exchange_once(grant).instrument(span.clone()).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        span.in_scope(|| match &result {
            Ok(_) => tracing::info!(elapsed_ms, "tokenbridge: tokens received"),
            Err(error) => tracing::info!(
                elapsed_ms,
                error_kind = %error.kind(),
                may_have_been_sent = error.may_have_been_sent(),
                "tokenbridge: exchange failed"
            ),
        });
        result
    }
}

impl Provider {
    async fn exchange_once(&self, grant: Grant) -> Result<TokenSet> {
        let resolved = self.prepare(&grant).await?;
        let vendor = self.inner.vendor;
        let mut request = self.token_request(&grant, resolved).map_err(|e| {
            vendor
                .hooks
                .map_error(e, &grant, &self.hook_context(resolved))
        })?;
        // The grant's key when it refreshes DPoP-bound tokens; a new one for new tokens.
        let dpop_key = match (grant.dpop_key(), self.inner.dpop) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(DpopKey::generate()?),
            (None, false) => None,
        };
        if let Some(key) = &dpop_key {
            let nonce = self.dpop_nonce().get();
            add_dpop_proof(&mut request, key, nonce.as_deref())?;
        }
        let mut attempt = self.send_token_request(&request, &grant).await;
        if let (Some(key), Err(error), Some(nonce)) = (&dpop_key, &attempt.0, &attempt.1) {
            if is_use_dpop_nonce(error) {
                // Not a replay of a one-time credential: with `use_dpop_nonce` the server
                // refused the proof before it looked at the grant (RFC 9449 section 8), so the
                // code or refresh token is unspent. The same request goes once more, with a
                // fresh proof carrying the nonce the server just gave; never a second time.
                let nonce = nonce.clone();
                add_dpop_proof(&mut request, key, Some(&nonce))?;
                attempt = self.send_token_request(&request, &grant).await;
            }
        }
        attempt
            .0
            .map(|tokens| match dpop_key {
                Some(key) => tokens.with_dpop_key(Some(key)),
                None => tokens,
            })
            .map_err(|e| {
                let e = vendor.errors.classify(e);
                vendor
                    .hooks
                    .map_error(e, &grant, &self.hook_context(resolved))
                    // Only now, on the error path, are the request's credentials gathered.
                    .scrubbed(&request.sent_secrets())
            })
    }
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

impl ProviderBuilder {
    /// Uses a vendor's description (paths, auth methods, grants, error codes, hooks) instead
    /// of the standard one.
    pub fn vendor(mut self, vendor: &'static VendorDescription) -> Self {
        self.vendor = vendor;
        self
    }

    /// The base URL the vendor's endpoint paths are joined to (its tenant or app host). A
    /// path prefix, e.g. for a proxy, is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The issuer; `<issuer>/.well-known/openid-configuration` is fetched on first use, and
    /// its `issuer` must equal this one.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// A discovery document at a non-standard place. Its `issuer` is checked only when
    /// [`issuer`](Self::issuer) is set too.
    pub fn discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = Some(url.into());
        self
    }

    /// The token endpoint, for a provider configured without discovery.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
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

    /// The auth method. Without one: the vendor's documented default with a secret (or, with
    /// discovery, the advertised list decides, Basic preferred), `none` without a secret.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// How `client_secret_basic` encodes the credentials (default: the vendor's way).
    pub fn basic_encoding(mut self, encoding: BasicEncoding) -> Self {
        self.basic_encoding = Some(encoding);
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

    /// Narrows the grants accepted (default: the vendor's grants for the auth method).
    pub fn grants(mut self, grants: impl IntoIterator<Item = GrantKind>) -> Self {
        self.grants = Some(grants.into_iter().collect());
        self
    }

    /// The default redirect URI of sign-in requests.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The default scopes of sign-in requests.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The algorithm the provider signs this client's ID tokens with (the OpenID client
    /// metadata `id_token_signed_response_alg`): HS256 is verified with the client secret,
    /// the others with the JWKS. Default: the vendor's documented default (GenAuth: HS256 with
    /// the client secret or RS256), else what discovery lists, else RS256.
    pub fn id_token_signed_response_alg(mut self, algorithm: SigningAlgorithm) -> Self {
        self.id_token_alg = Some(algorithm);
        self
    }

    /// The clock-skew leeway of ID-token checks (default 60 s).
    pub fn id_token_leeway(mut self, leeway: std::time::Duration) -> Self {
        self.id_token_leeway = Some(leeway);
        self
    }

    /// Pushes every authorization request to the provider's pushed authorization request
    /// endpoint (RFC 9126) with client authentication, so the browser's URL carries only
    /// `client_id` and `request_uri` (configuration key `par`). Without it, requests are
    /// pushed only when discovery says `require_pushed_authorization_requests`.
    pub fn par(mut self, enabled: bool) -> Self {
        self.par = enabled;
        self
    }

    /// Binds tokens to a key (DPoP, RFC 9449; configuration key `dpop`): every token request
    /// carries a proof from an ES256 key pair generated for the session and kept with its
    /// tokens ([`TokenSet::dpop_key`]).
    pub fn dpop(mut self, enabled: bool) -> Self {
        self.dpop = enabled;
        self
    }

    /// Reads the identity's subject from the claim `name` instead of the vendor's own subject
    /// (configuration key `subject_claim`), e.g. `unionid` to name a WeChat user the same way
    /// across an organization's apps. The claim must be a non-empty string or a number
    /// (written as decimal text); an identity without it is an error, never a fallback.
    pub fn subject_claim(mut self, name: impl Into<String>) -> Self {
        self.subject_claim = Some(name.into());
        self
    }

    /// Where ID-token checks read "now" (default the system clock); for tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Checks the configuration and builds the provider. Nothing is sent yet.
    pub fn build(self) -> Result<Provider> {
        let vendor = self.vendor;
        if self.id.is_empty() {
            return Err(Error::config("provider", "the provider id is empty"));
        }
        if self
            .subject_claim
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Err(Error::config("subject_claim", "the claim name is empty"));
        }
        let base_url = self
            .base_url
            .as_deref()
            .map(|b| parse_base_url(b, "base_url", "https://tenant.example.com"))
            .transpose()?;
        let issuer = self
            .issuer
            .as_deref()
            .map(|i| parse_secure_url(i, "issuer"))
            .transpose()?;
        // A path joins the base URL; a vendor's absolute URL stands alone, or moves onto the
        // base URL's origin when one is configured.
        let at_base = |entry: Option<&'static str>| match entry {
            Some(entry) => vendor_url(base_url.as_ref(), entry),
            None => Ok(None),
        };
        let mut fixed = FixedEndpoints {
            token: at_base(vendor.paths.token)?,
            authorization: at_base(vendor.paths.authorization)?,
            revocation: at_base(vendor.paths.revocation)?,
            userinfo: at_base(vendor.paths.userinfo)?,
            jwks: at_base(vendor.paths.jwks)?,
            end_session: at_base(vendor.paths.end_session)?,
            introspection: at_base(vendor.paths.introspection)?,
            device_authorization: at_base(vendor.paths.device_authorization)?,
            pushed_authorization_request: at_base(vendor.paths.pushed_authorization_request)?,
        };
        let refresh_endpoint = at_base(vendor.token_request.refresh_path)?;
        let mut discovery = match (&self.discovery_url, &issuer) {
            (Some(d), _) => Some(parse_secure_url(d, "discovery_url")?),
            (None, Some(i)) => Some(join_path(i, DISCOVERY_PATH)),
            (None, None) => at_base(vendor.paths.discovery)?,
        };
        let vendor_issuer = vendor
            .issuer_path
            .and_then(|entry| vendor_issuer(base_url.as_ref(), entry));
        if let Some(t) = &self.token_endpoint {
            if self.issuer.is_some() || self.discovery_url.is_some() {
                return Err(Error::config(
                    "token_endpoint",
                    "set either token_endpoint or issuer (discovery), not both",
                ));
            }
            fixed.token = Some(parse_secure_url(t, "token_endpoint")?);
            discovery = None;
        }
        if fixed.token.is_none() && discovery.is_none() {
            return Err(match vendor.paths.token {
                Some(_) => Error::config(
                    "base_url",
                    format!(
                        "{} needs base_url, the host its endpoints live below",
                        vendor.name
                    ),
                ),
                None => Error::config(
                    "token_endpoint",
                    "no token endpoint: set token_endpoint, or issuer for discovery",
                ),
            });
        }
        let (auth, method) = match self.client_auth {
            Some(auth) => {
                let method = auth.method_name().parse().ok();
                (AuthSpec::Custom(auth), method)
            }
            None => {
                let client_id = self
                    .client_id
                    .filter(|id| !id.trim().is_empty())
                    .ok_or_else(|| Error::config("client_id", "the client id is missing"))?;
                let secret = self.client_secret.clone();
                if secret
                    .as_ref()
                    .is_some_and(|s| secrecy::ExposeSecret::expose_secret(s).is_empty())
                {
                    return Err(Error::config("client_secret", "the client secret is empty"));
                }
                let method = check_auth_method(
                    vendor,
                    self.auth_method,
                    secret.is_some(),
                    fixed.token.is_some(),
                )?;
                (
                    AuthSpec::Secret {
                        client_id,
                        client_secret: secret,
                        method,
                        basic_encoding: self.basic_encoding.unwrap_or(vendor.basic_encoding),
                    },
                    method,
                )
            }
        };
        let offered = vendor.grants_for(method.unwrap_or(AuthMethod::ClientSecretBasic));
        let grants = match self.grants {
            Some(grants) => grants,
            None => offered.to_vec(),
        };
        let redirect_uri = match self.redirect_uri {
            Some(uri) => {
                parse_secure_url(&uri, "redirect_uri").or_else(|e| {
                    // A custom scheme (`com.example.app:/cb`, RFC 8252 7.1) is fine for a
                    // native app; only http(s) URIs are held to the https rule.
                    match Url::parse(&uri) {
                        Ok(u) if !matches!(u.scheme(), "http" | "https") => Ok(u),
                        _ => Err(e),
                    }
                })?;
                Some(uri)
            }
            None => None,
        };
        Ok(Provider {
            inner: Arc::new(Inner {
                id: self.id,
                vendor,
                base_url,
                refresh_endpoint,
                vendor_issuer,
                subject_claim: self.subject_claim,
                issuer,
                discovery,
                fixed,
                auth,
                http: self.http.unwrap_or_default(),
                grants,
                redirect_uri,
                scopes: self.scopes,
                metadata: OnceCell::new(),
                resolved: OnceCell::new(),
                completed_logins: CompletedLogins::default(),
                identity: IdentitySettings {
                    algorithm: self.id_token_alg,
                    // Kept for HS256 ID tokens even with a custom client authentication.
                    client_secret: self.client_secret,
                    leeway: self.id_token_leeway,
                    clock: self.clock,
                    verifier: OnceCell::new(),
                },
                par: self.par,
                dpop: self.dpop,
                dpop_nonce: crate::dpop::NonceCache::default(),
            }),
        })
    }
}

/// Checks a configured auth method against the vendor's documented ones and the secret; with
/// a fixed token endpoint and no method configured, picks the vendor's default. `None` leaves
/// the choice to discovery.
fn check_auth_method(
    vendor: &VendorDescription,
    configured: Option<AuthMethod>,
    has_secret: bool,
    fixed_token_endpoint: bool,
) -> Result<Option<AuthMethod>> {
    if configured.is_none() && !has_secret && !vendor.auth_methods.contains(&AuthMethod::None) {
        return Err(Error::config(
            "client_secret",
            format!(
                "{} needs a client secret (it documents no public clients); set client_secret_env \
                 (or client_secret)",
                vendor.name
            ),
        ));
    }
    let method = match configured {
        Some(m) => m,
        None if fixed_token_endpoint || !has_secret => vendor.default_auth_method(has_secret),
        None => return Ok(None),
    };
    if !vendor.auth_methods.contains(&method) {
        let documented: Vec<&str> = vendor.auth_methods.iter().map(|m| m.as_str()).collect();
        return Err(Error::config(
            "auth_method",
            format!(
                "{} documents only {} at its token endpoint, not {method}",
                vendor.name,
                documented.join(", ")
            ),
        ));
    }
    match (method.needs_secret(), has_secret) {
        (true, false) => Err(Error::config(
            "client_secret",
            format!(
                "auth method {method} needs a client secret; set one, or use auth_method \"none\" \
                 for a public client (with PKCE)"
            ),
        )),
        (false, true) => Err(Error::config(
            "client_secret",
            "a client secret is set but auth_method is \"none\", so it would never be sent; \
             remove the secret for a public (PKCE) client, or choose a secret-based auth_method",
        )),
        _ => Ok(Some(method)),
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
        // Unquoted: a settings error quotes nothing a kind's table holds.
        s.parse()
            .map_err(|_| serde::de::Error::custom("unknown protocol; expected oidc or oauth"))
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
