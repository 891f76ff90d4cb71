//! [`Provider`]: one configured identity provider, where every capability is written once.
//!
//! A provider is built from a [`VendorDescription`] (paths, auth methods, grants, error
//! codes, hooks), a base URL or an issuer, and the client's credentials. The token exchange
//! ([`TokenExchanger`]) and every capability added later read the description; a vendor
//! contributes data and, where its protocol departs from the standard, a hook.

use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;
use tokio::sync::OnceCell;
use url::Url;

use crate::error::GrantKind;
use crate::error::SigningAlgorithm;
use crate::error::{Error, Result, TransportError, TransportKind};
use crate::protocol::auth::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, NoClientAuth,
};
use crate::protocol::discovery::{Jwks, ProviderMetadata};
use crate::protocol::id_token::Clock;
use crate::protocol::signin::CompletedLogins;
use crate::provider::identity::IdentitySettings;
use crate::transport::endpoint_url::{vendor_issuer, vendor_url};
use crate::transport::http::HttpClient;
use crate::transport::url::{join_path, parse_base_url, parse_secure_url};
use crate::vendor::{Capabilities, VendorDescription};

/// The path of the discovery document below an issuer (OpenID Connect Discovery 1.0, 4).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The description of any standard OAuth 2.0 / OpenID Connect provider: the `oidc` kind.
pub static STANDARD: VendorDescription =
    VendorDescription::standard("oidc", "OAuth 2.0 / OpenID Connect");

mod builder;
mod client_auth;
mod debug;
mod device;
mod exchange;
pub(crate) mod identity;
mod introspection;
mod par;
mod revocation;
mod send;
mod signin;
mod userinfo_email;

pub use builder::{Protocol, ProviderBuilder};
pub use exchange::add_grant_params;
pub use signin::AuthorizationRequestBuilder;

use client_auth::{build_auth, AuthSpec};

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

/// One configured identity provider: a vendor's description, its endpoints and the client's
/// credentials. It exchanges grants for tokens ([`TokenExchanger`](crate::TokenExchanger)) and is where every other
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
    dpop_nonce: crate::protocol::dpop::NonceCache,
    authorization_params: Vec<(String, String)>,
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
            id_token_rules: None,
            authorization_params: Vec::new(),
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
    pub(crate) fn dpop_nonce(&self) -> &crate::protocol::dpop::NonceCache {
        &self.inner.dpop_nonce
    }

    pub(crate) fn completed_logins(&self) -> &CompletedLogins {
        &self.inner.completed_logins
    }

    pub(crate) fn identity_settings(&self) -> &IdentitySettings {
        &self.inner.identity
    }

    /// The parameters every authorization request carries, as configured.
    pub(crate) fn authorization_params(&self) -> &[(String, String)] {
        &self.inner.authorization_params
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
        match self.inner.resolved.get() {
            Some(resolved) => Ok(resolved),
            // Boxed: the first call's discovery future is about 1.5 KB, and every exchange's
            // future would otherwise carry (and copy) room for it long after it has run.
            None => Box::pin(self.resolve_first()).await,
        }
    }

    async fn resolve_first(&self) -> Result<&Resolved> {
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

#[cfg(test)]
mod tests;
