//! Sign-in and sign-out, written once for every vendor: the authorization request (RFC 6749
//! 4.1.1 with PKCE S256, `state` and `nonce`), the callback (RFC 6749 4.1.2, RFC 9207 `iss`),
//! token revocation (RFC 7009) and the RP-initiated logout URL.
//!
//! Each vendor contributes only data: its endpoint paths and the spelling of its logout
//! parameters, from its [`VendorDescription`](crate::VendorDescription).

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::dpop::DpopKey;
use crate::error::{Error, OAuthError, Result};
use crate::exchanger::TokenExchanger;
use crate::grant::Grant;
use crate::http::{ensure_secure_url, parse_secure_url};
use crate::pkce::PkceVerifier;
use crate::provider::Provider;
use crate::token::TokenSet;
use crate::wire::{decode_json_object, standard_error, unreadable};

/// The largest callback query [`Provider::complete_login`] reads; a real one is well under
/// 2 KiB.
pub const MAX_CALLBACK_QUERY: usize = 8 * 1024;

/// Random bytes in `state` and `nonce`: 256 bits, above the 128 RFC 6749 10.10 asks for.
const RANDOM_BYTES: usize = 32;

/// `n` bytes from the operating system's random generator, base64url without padding.
pub fn random_token(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::internal(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Why a callback was refused before any token request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// `state` is missing.
    MissingState,
    /// `state` differs from the one this login sent.
    StateMismatch,
    /// `iss` names another issuer than the provider's (RFC 9207).
    IssuerMismatch {
        /// The issuer the callback named.
        got: String,
        /// The provider's issuer.
        expected: String,
    },
    /// `iss` is missing although the provider says it always sends it (RFC 9207 2.4).
    MissingIssuer,
    /// No `code` and no `error`.
    MissingCode,
    /// A parameter appears more than once.
    DuplicateParameter(String),
    /// The query is larger than [`MAX_CALLBACK_QUERY`].
    TooLarge(usize),
    /// The callback URL or query could not be read.
    Malformed(String),
    /// This login was already completed: a callback is accepted once.
    Replayed,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::MissingState => write!(
                f,
                "the callback has no `state`: it did not come from this login; start a new one"
            ),
            CallbackError::StateMismatch => write!(
                f,
                "the callback's `state` differs from this login's: it belongs to another login \
                 or was forged; start a new one"
            ),
            CallbackError::IssuerMismatch { got, expected } => write!(
                f,
                "the callback's `iss` is {got:?}, not the provider's {expected:?} (RFC 9207): \
                 the response may come from another provider (mix-up attack)"
            ),
            CallbackError::MissingIssuer => write!(
                f,
                "the callback has no `iss`, although the provider's discovery document says it \
                 always sends one (RFC 9207)"
            ),
            CallbackError::MissingCode => {
                write!(f, "the callback has neither a `code` nor an `error`")
            }
            CallbackError::DuplicateParameter(name) => write!(
                f,
                "the callback repeats the parameter `{name}`; refusing an ambiguous response"
            ),
            CallbackError::TooLarge(n) => write!(
                f,
                "the callback query is {n} bytes, more than the {MAX_CALLBACK_QUERY} accepted"
            ),
            CallbackError::Malformed(why) => write!(f, "the callback cannot be read: {why}"),
            CallbackError::Replayed => write!(
                f,
                "this login was already completed; a callback is accepted once"
            ),
        }
    }
}

/// A login started by [`Provider::authorization_request`], kept until its callback arrives.
///
/// It holds the `state`, the `nonce`, the PKCE verifier and, with DPoP, the key pair the code
/// is bound to: a web application stores it in its
/// server-side session (it serializes with serde; the serialized form contains those secrets,
/// so it must not go into a cookie readable by the browser). `Debug` shows no secret.
#[derive(Serialize, Deserialize)]
pub struct PendingLogin {
    provider: String,
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    state: SecretString,
    #[serde(
        default,
        serialize_with = "expose_opt",
        deserialize_with = "secret_opt"
    )]
    nonce: Option<SecretString>,
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    code_verifier: SecretString,
    redirect_uri: String,
    /// With DPoP: the key the code is bound to (`dpop_jkt`, RFC 9449 section 10), which the
    /// code exchange proves possession of and the tokens are then bound to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_key",
        deserialize_with = "key_opt"
    )]
    dpop_key: Option<DpopKey>,
}

fn expose_key<S: serde::Serializer>(
    key: &Option<DpopKey>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match key {
        Some(key) => s.serialize_some(&key.to_stored()),
        None => s.serialize_none(),
    }
}

fn key_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DpopKey>, D::Error> {
    Option::<serde_json::Value>::deserialize(d)?
        .map(|v| DpopKey::from_stored(&v).map_err(serde::de::Error::custom))
        .transpose()
}

fn expose<S: serde::Serializer>(
    secret: &SecretString,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

fn expose_opt<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match secret {
        Some(v) => s.serialize_some(v.expose_secret()),
        None => s.serialize_none(),
    }
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

fn secret_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    Option::<String>::deserialize(d).map(|o| o.map(SecretString::from))
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("provider", &self.provider)
            .field("state", &"[redacted]")
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("code_verifier", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field("dpop_key", &self.dpop_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl PendingLogin {
    /// The provider this login belongs to.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The redirect URI the authorization request named; the code exchange repeats it.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `nonce` sent, which the ID token must carry.
    pub fn nonce(&self) -> Option<&SecretString> {
        self.nonce.as_ref()
    }

    /// The `state` sent.
    pub fn state(&self) -> &SecretString {
        &self.state
    }

    /// With DPoP, the key whose thumbprint the request sent as `dpop_jkt`; the code exchange
    /// proves possession of it, and the tokens are bound to it.
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop_key.as_ref()
    }
}

/// The URL to send the browser to, and the login to keep until the callback.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorization URL.
    pub url: Url,
    /// What [`Provider::complete_login`] needs when the callback arrives.
    pub pending: PendingLogin,
}

/// Builds an authorization request; see [`Provider::authorization_request`].
#[derive(Debug)]
pub struct AuthorizationRequestBuilder<'a> {
    provider: &'a Provider,
    redirect_uri: Option<String>,
    scopes: Option<Vec<String>>,
    params: Vec<(String, String)>,
}

/// The reserved parameters a caller cannot override through
/// [`AuthorizationRequestBuilder::param`]: tokenbridge sets them for the login's safety.
const RESERVED: [&str; 10] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "redirect_url",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "dpop_jkt",
];

impl AuthorizationRequestBuilder<'_> {
    /// The redirect URI (default: the provider's configured `redirect_uri`).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The scopes (default: the provider's configured `scopes`, else the vendor's
    /// [`default_scopes`](crate::VendorDescription::default_scopes): `openid` alone, or
    /// `get_user_info` for a Huawei OneAccess OAuth 2.0 application).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// An extra parameter: `prompt`, `login_hint`, `ui_locales`, or a vendor's own.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Builds the URL with a fresh `state`, a `nonce` when `openid` is requested, and a PKCE
    /// S256 challenge; for a vendor that issues refresh tokens only with consent (GenAuth),
    /// `prompt` gets `consent` whenever `offline_access` is requested. Discovery may run
    /// first, to find the authorization endpoint.
    pub async fn build(self) -> Result<AuthorizationRequest> {
        let provider = self.provider;
        if let Some((name, _)) = self
            .params
            .iter()
            .find(|(n, _)| RESERVED.contains(&n.as_str()))
        {
            return Err(Error::invalid_input(
                name.clone(),
                format!("`{name}` is set by tokenbridge for every login and cannot be overridden"),
            ));
        }
        let endpoints = provider.endpoints().await?;
        // A vendor with a fixed token endpoint and no documented authorize path (Huawei
        // OneAccess) has it only in its discovery document, which resolving skipped.
        let discovered = match &endpoints.authorization {
            Some(_) => None,
            None => provider
                .metadata()
                .await?
                .and_then(|m| m.authorization_endpoint.as_deref())
                .map(|uri| parse_secure_url(uri, "authorization_endpoint (from discovery)"))
                .transpose()?,
        };
        let Some(endpoint) = endpoints.authorization.clone().or(discovered) else {
            return Err(provider.unsupported(
                "sign-in (authorization endpoint)",
                format!(
                    "{} has no authorization endpoint in its description or discovery document",
                    provider.vendor().name
                ),
            ));
        };
        ensure_secure_url(&endpoint, "authorization_endpoint")?;
        let redirect_uri = self
            .redirect_uri
            .or_else(|| provider.redirect_uri().map(str::to_owned))
            .ok_or_else(|| {
                Error::config(
                    "redirect_uri",
                    "no redirect URI: configure the provider's redirect_uri or pass one",
                )
            })?;
        let vendor = provider.vendor();
        let scopes = self.scopes.unwrap_or_else(|| {
            if provider.scopes().is_empty() {
                vendor
                    .default_scopes
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect()
            } else {
                provider.scopes().to_vec()
            }
        });
        let mut extra = self.params;
        if vendor.offline_access_needs_consent && scopes.iter().any(|s| s == "offline_access") {
            with_consent_prompt(&mut extra);
        }
        let state = SecretString::from(random_token(RANDOM_BYTES)?);
        let nonce = if scopes.iter().any(|s| s == "openid") {
            Some(SecretString::from(random_token(RANDOM_BYTES)?))
        } else {
            None
        };
        let verifier = PkceVerifier::generate()?;
        let challenge = verifier.s256_challenge();
        // (name, value, whether the value is a secret to keep out of logs).
        let mut params: Vec<(&str, &str, bool)> = vec![
            ("response_type", "code", false),
            ("client_id", provider.client_id(), false),
            (
                provider.vendor().authorize_redirect_param,
                &redirect_uri,
                false,
            ),
        ];
        let scope = scopes.join(" ");
        // RFC 6749 3.3: the scope is optional; a vendor with no default scope (Feishu, GitHub)
        // gets none rather than an empty one.
        if !scope.is_empty() {
            params.push(("scope", &scope, false));
        }
        params.push(("state", state.expose_secret(), true));
        if let Some(nonce) = &nonce {
            params.push(("nonce", nonce.expose_secret(), true));
        }
        params.push(("code_challenge", &challenge, false));
        params.push(("code_challenge_method", "S256", false));
        // RFC 9449 section 10: the code is bound to this login's key, so a code that leaks
        // is useless without it.
        let dpop_key = if provider.uses_dpop() {
            Some(DpopKey::generate()?)
        } else {
            None
        };
        if let Some(key) = &dpop_key {
            params.push(("dpop_jkt", key.thumbprint(), false));
        }
        for (name, value) in &extra {
            params.push((name, value, false));
        }
        let mut url = endpoint;
        if crate::par::wanted(provider).await? {
            // RFC 9126 section 4: the browser carries only the client id and the reference;
            // the callback that comes back is checked exactly as without PAR.
            let request_uri = crate::par::push(provider, &params).await?;
            url.query_pairs_mut()
                .append_pair("client_id", provider.client_id())
                .append_pair("request_uri", &request_uri);
        } else {
            let mut query = url.query_pairs_mut();
            for (name, value, _) in &params {
                query.append_pair(name, value);
            }
        }
        Ok(AuthorizationRequest {
            url,
            pending: PendingLogin {
                provider: provider.id().to_owned(),
                state,
                nonce,
                code_verifier: verifier.secret().clone(),
                redirect_uri,
                dpop_key,
            },
        })
    }
}

/// Adds `consent` to the caller's `prompt` (a space-separated list), or sets `prompt=consent`:
/// the vendor issues no refresh token for `offline_access` without it. `prompt=none` is left
/// alone, since OpenID Connect Core 3.1.2.1 forbids combining it with another value.
fn with_consent_prompt(params: &mut Vec<(String, String)>) {
    match params.iter_mut().find(|(name, _)| name == "prompt") {
        Some((_, value)) => {
            let values: Vec<&str> = value.split_ascii_whitespace().collect();
            if !values.contains(&"consent") && !values.contains(&"none") {
                let joined = values
                    .into_iter()
                    .chain(["consent"])
                    .collect::<Vec<_>>()
                    .join(" ");
                *value = joined;
            }
        }
        None => params.push(("prompt".to_owned(), "consent".to_owned())),
    }
}

/// The parameters of a callback, each at most once.
#[derive(Debug, Default)]
struct CallbackParams {
    code: Option<SecretString>,
    state: Option<SecretString>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

/// Reads the query of a callback URL, or a bare query (with or without `?`); each name of
/// `code_aliases` (DingTalk's `authCode`) is read as `code`, and counts as it for duplicates.
fn parse_callback(
    callback: &str,
    code_aliases: &[&str],
) -> std::result::Result<CallbackParams, CallbackError> {
    let query = match Url::parse(callback) {
        Ok(url) => url.query().unwrap_or_default().to_owned(),
        Err(_) => match callback.split_once('?') {
            Some((_, q)) => q.to_owned(),
            None => callback.to_owned(),
        },
    };
    let query = query.split('#').next().unwrap_or_default();
    if query.len() > MAX_CALLBACK_QUERY {
        return Err(CallbackError::TooLarge(query.len()));
    }
    let mut seen = HashSet::new();
    let mut params = CallbackParams::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let name = if code_aliases.contains(&name.as_ref()) {
            std::borrow::Cow::Borrowed("code")
        } else {
            name
        };
        if !seen.insert(name.to_string()) {
            return Err(CallbackError::DuplicateParameter(name.into_owned()));
        }
        let value = value.into_owned();
        match name.as_ref() {
            "code" => params.code = Some(SecretString::from(value)),
            "state" => params.state = Some(SecretString::from(value)),
            "iss" => params.iss = Some(value),
            "error" => params.error = Some(value),
            "error_description" => params.error_description = Some(value),
            "error_uri" => params.error_uri = Some(value),
            _ => {}
        }
    }
    Ok(params)
}

/// Compares two secrets in time that depends only on their lengths, so an attacker probing
/// `state` learns nothing from timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// States of completed logins, remembered by hash so that a replayed callback is refused
/// before anything is sent. Bounded: the oldest half is forgotten when it is full.
#[derive(Debug, Default)]
pub(crate) struct CompletedLogins {
    seen: Mutex<Seen>,
}

/// The hashes remembered, as a set for look-ups and in order for forgetting the oldest.
#[derive(Debug, Default)]
struct Seen {
    set: HashSet<[u8; 32]>,
    order: Vec<[u8; 32]>,
}

const COMPLETED_LOGINS_KEPT: usize = 10_000;

impl CompletedLogins {
    /// Records `state`; false when it was already recorded.
    fn insert(&self, state: &SecretString) -> bool {
        let hash: [u8; 32] = Sha256::digest(state.expose_secret().as_bytes()).into();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.set.insert(hash) {
            return false;
        }
        seen.order.push(hash);
        if seen.order.len() > COMPLETED_LOGINS_KEPT {
            let forget: Vec<[u8; 32]> = seen.order.drain(..COMPLETED_LOGINS_KEPT / 2).collect();
            for h in forget {
                seen.set.remove(&h);
            }
        }
        true
    }
}

/// The result of a completed sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct CompletedLogin {
    /// The tokens.
    pub tokens: TokenSet,
    /// The ID token's claims, verified (signature, issuer, audience, lifetime, the login's
    /// `nonce`, `at_hash`); `None` when no ID token came back, or when the provider offers no
    /// way to verify one (no JWKS).
    pub id_token: Option<crate::id_token::VerifiedIdToken>,
    /// The user the ID token names, read when the login completed.
    identity: Option<crate::identity::Identity>,
}

impl CompletedLogin {
    /// A completed login of `provider`: the identity is read from the verified ID token
    /// (with the provider's `subject_claim`), so a token without that claim fails the login.
    pub(crate) fn new(
        provider: &Provider,
        tokens: TokenSet,
        id_token: Option<crate::id_token::VerifiedIdToken>,
    ) -> Result<Self> {
        let identity = id_token
            .as_ref()
            .map(|t| provider.identity_from_id_token(t))
            .transpose()?;
        Ok(CompletedLogin {
            tokens,
            id_token,
            identity,
        })
    }

    /// The signed-in user, from the verified ID token.
    pub fn identity(&self) -> Option<crate::identity::Identity> {
        self.identity.clone()
    }
}

/// Which token [`Provider::revoke`] is given (RFC 7009 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl TokenTypeHint {
    /// The RFC 7009 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// What an RP-initiated logout URL carries; every part is optional.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct LogoutRequest {
    /// The ID token of the session, where the vendor takes one.
    pub id_token_hint: Option<SecretString>,
    /// Where the vendor sends the browser after logout.
    pub post_logout_redirect_uri: Option<String>,
    /// A value handed back with that redirect.
    pub state: Option<String>,
}

impl LogoutRequest {
    /// An empty logout request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the ID token hint.
    pub fn id_token_hint(mut self, id_token: SecretString) -> Self {
        self.id_token_hint = Some(id_token);
        self
    }

    /// Sets where to go after logout.
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Sets the state.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }
}

impl Provider {
    /// Starts a sign-in: see [`AuthorizationRequestBuilder`].
    ///
    /// ```no_run
    /// # async fn run(provider: tokenbridge_core::Provider) -> tokenbridge_core::Result<()> {
    /// let request = provider
    ///     .authorization_request()
    ///     .redirect_uri("https://app.example.com/callback")
    ///     .param("prompt", "login")
    ///     .build()
    ///     .await?;
    /// // Redirect the browser to request.url; keep request.pending in the session.
    /// # Ok(()) }
    /// ```
    pub fn authorization_request(&self) -> AuthorizationRequestBuilder<'_> {
        AuthorizationRequestBuilder {
            provider: self,
            redirect_uri: None,
            scopes: None,
            params: Vec::new(),
        }
    }

    /// Completes a sign-in from its callback (the full callback URL, or its query): checks
    /// `state` in constant time, checks `iss` (RFC 9207), turns an `error` callback into a
    /// typed error, then exchanges the code with the login's PKCE verifier and redirect URI.
    /// A refused callback sends nothing; a callback is accepted once. An ID token that comes
    /// back is verified (see [`Provider::id_token_verifier`]) with this login's `nonce` and
    /// the access token's `at_hash`; a bad one fails the login with [`Error::IdToken`].
    pub async fn complete_login(
        &self,
        callback: &str,
        pending: PendingLogin,
    ) -> Result<CompletedLogin> {
        let refuse = |e: CallbackError| Error::Callback(Box::new(e));
        if pending.provider != self.id() {
            return Err(Error::invalid_input(
                "pending",
                format!(
                    "this pending login belongs to provider {:?}, not {:?}",
                    pending.provider,
                    self.id()
                ),
            ));
        }
        let params =
            parse_callback(callback, self.vendor().callback_code_params).map_err(refuse)?;
        let state = params
            .state
            .as_ref()
            .ok_or_else(|| refuse(CallbackError::MissingState))?;
        if !constant_time_eq(
            state.expose_secret().as_bytes(),
            pending.state.expose_secret().as_bytes(),
        ) {
            return Err(refuse(CallbackError::StateMismatch));
        }
        self.check_callback_issuer(params.iss.as_deref()).await?;
        if let Some(code) = params.error {
            return Err(OAuthError::new(None, code)
                .with_description(params.error_description)
                .with_uri(params.error_uri)
                .into());
        }
        // An empty `code=` is no code: nothing is sent for it.
        let code = params
            .code
            .filter(|c| !c.expose_secret().trim().is_empty())
            .ok_or_else(|| refuse(CallbackError::MissingCode))?;
        if !self.completed_logins().insert(&pending.state) {
            return Err(refuse(CallbackError::Replayed));
        }
        let verifier = PkceVerifier::new(pending.code_verifier.expose_secret())?;
        let grant = Grant::authorization_code(code.expose_secret(), pending.redirect_uri)
            .with_pkce_verifier(verifier);
        let grant = match pending.dpop_key {
            Some(key) => grant.with_dpop_key(key),
            None => grant,
        };
        let tokens = self.exchange(grant).await?;
        // OpenID Connect Core 3.1.3.7: the ID token is checked before the login is trusted.
        let id_token = self
            .verify_login_id_token(&tokens, pending.nonce.as_ref())
            .await?;
        CompletedLogin::new(self, tokens, id_token)
    }

    async fn check_callback_issuer(&self, iss: Option<&str>) -> Result<()> {
        let refuse = |e: CallbackError| Error::Callback(Box::new(e));
        let metadata = self.metadata().await?;
        let required = metadata
            .and_then(|m| m.authorization_response_iss_parameter_supported)
            .unwrap_or(false);
        // The issuer as ID-token verification knows it: discovery's (fetched above even for a
        // vendor with fixed endpoints), else the configured one, else the vendor's documented
        // one below the base URL.
        let expected = match metadata.and_then(|m| m.issuer.clone()) {
            Some(issuer) => Some(issuer),
            None => self
                .endpoints()
                .await?
                .issuer
                .clone()
                .or_else(|| self.vendor_issuer().map(str::to_owned)),
        };
        match (iss, expected) {
            (Some(got), Some(expected)) => {
                if got.trim_end_matches('/') != expected.trim_end_matches('/') {
                    return Err(refuse(CallbackError::IssuerMismatch {
                        got: got.to_owned(),
                        expected,
                    }));
                }
            }
            // A vendor without a known issuer cannot be checked against; RFC 9207 asks the
            // client to compare with the issuer it knows, so nothing is known to mismatch.
            (Some(_), None) => {}
            (None, _) if required => return Err(refuse(CallbackError::MissingIssuer)),
            (None, _) => {}
        }
        Ok(())
    }

    /// Revokes a token (RFC 7009) with the configured client authentication.
    /// [`Error::Unsupported`], with nothing sent, when the provider has no revocation endpoint.
    pub async fn revoke(&self, token: &SecretString, hint: Option<TokenTypeHint>) -> Result<()> {
        let endpoints = self.endpoints().await?;
        let Some(endpoint) = endpoints.revocation.clone() else {
            return Err(self.unsupported(
                "token revocation",
                format!(
                    "{} documents no token revocation endpoint",
                    self.vendor().name
                ),
            ));
        };
        let request = self.revocation_request(endpoint, token, hint).await?;
        let response = self.http().send(&request).await?;
        // RFC 7009 2.2: 200 whether or not the token was valid; the body is read only by a
        // vendor that reports failures with a 2xx.
        if response.is_success() {
            return self
                .vendor()
                .hooks
                .check_revocation_response(&response, self.vendor())
                .map_err(|e| self.vendor().errors.classify(e));
        }
        let object = decode_json_object(&response).map_err(|e| self.vendor().errors.classify(e))?;
        Err(self
            .vendor()
            .errors
            .classify(standard_error(&response, &object).unwrap_or_else(|| {
                unreadable(
                    &response,
                    "an error status without an OAuth 2.0 `error` field",
                )
            })))
    }

    /// The RP-initiated logout URL, with the parameters spelled as the vendor documents them.
    /// [`Error::Unsupported`] when the provider has no logout endpoint.
    pub async fn logout_url(&self, request: LogoutRequest) -> Result<Url> {
        let endpoints = self.endpoints().await?;
        let Some(mut url) = endpoints.end_session.clone() else {
            return Err(self.unsupported(
                "logout (end-session endpoint)",
                format!(
                    "{} has no end-session endpoint in its description or discovery document",
                    self.vendor().name
                ),
            ));
        };
        ensure_secure_url(&url, "end_session_endpoint")?;
        let spelling = self.vendor().logout;
        {
            let mut query = url.query_pairs_mut();
            if let (Some(name), Some(token)) = (spelling.id_token_hint, &request.id_token_hint) {
                query.append_pair(name, token.expose_secret());
            }
            if let Some(uri) = &request.post_logout_redirect_uri {
                query.append_pair(spelling.post_logout_redirect_uri, uri);
            }
            if let Some(name) = spelling.client_id {
                query.append_pair(name, self.client_id());
            }
            if spelling.state {
                if let Some(state) = &request.state {
                    query.append_pair("state", state);
                }
            }
        }
        // An empty query leaves a bare `?`; drop it so the URL is the endpoint itself.
        if url.query() == Some("") {
            url.set_query(None);
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_parsing_refuses_ambiguity_and_size() {
        let p =
            parse_callback("https://app/cb?code=c1&state=s1&iss=https%3A%2F%2Fid", &[]).unwrap();
        assert_eq!(p.code.unwrap().expose_secret(), "c1");
        assert_eq!(p.iss.as_deref(), Some("https://id"));
        let p = parse_callback("?code=c1&state=s1", &[]).unwrap();
        assert_eq!(p.state.unwrap().expose_secret(), "s1");
        let p = parse_callback("code=c1&state=s1#frag", &[]).unwrap();
        assert!(p.code.is_some());
        assert_eq!(
            parse_callback("code=a&code=b&state=s", &[]).unwrap_err(),
            CallbackError::DuplicateParameter("code".into())
        );
        let huge = format!("code=c&state={}", "s".repeat(MAX_CALLBACK_QUERY));
        assert!(matches!(
            parse_callback(&huge, &[]).unwrap_err(),
            CallbackError::TooLarge(_)
        ));
    }

    #[test]
    fn consent_joins_the_prompt_the_caller_gave() {
        let prompt = |given: Option<&str>| {
            let mut params = given
                .map(|p| vec![("prompt".to_owned(), p.to_owned())])
                .unwrap_or_default();
            with_consent_prompt(&mut params);
            params
        };
        assert_eq!(prompt(None), [("prompt".to_owned(), "consent".to_owned())]);
        assert_eq!(
            prompt(Some("login")),
            [("prompt".to_owned(), "login consent".to_owned())]
        );
        assert_eq!(
            prompt(Some("consent login")),
            [("prompt".to_owned(), "consent login".to_owned())]
        );
        assert_eq!(
            prompt(Some("none")),
            [("prompt".to_owned(), "none".to_owned())]
        );
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn completed_logins_are_remembered_once() {
        let logins = CompletedLogins::default();
        let s = SecretString::from("state-1");
        assert!(logins.insert(&s));
        assert!(!logins.insert(&s));
        assert!(logins.insert(&SecretString::from("state-2")));
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(RANDOM_BYTES).unwrap();
        let b = random_token(RANDOM_BYTES).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn pending_login_round_trips_and_hides_secrets() {
        let pending = PendingLogin {
            provider: "corp".into(),
            state: SecretString::from("st-secret"),
            nonce: Some(SecretString::from("nonce-secret")),
            code_verifier: SecretString::from("verifier-secret"),
            redirect_uri: "http://127.0.0.1/cb".into(),
            dpop_key: Some(DpopKey::generate().unwrap()),
        };
        let shown = format!("{pending:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let stored = serde_json::to_string(&pending).unwrap();
        let back: PendingLogin = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.state.expose_secret(), "st-secret");
        assert_eq!(back.nonce.unwrap().expose_secret(), "nonce-secret");
        assert_eq!(back.code_verifier.expose_secret(), "verifier-secret");
        assert_eq!(back.redirect_uri, "http://127.0.0.1/cb");
        assert_eq!(
            back.dpop_key.unwrap().thumbprint(),
            pending.dpop_key.as_ref().unwrap().thumbprint()
        );
        assert!(!shown.contains("pkcs8"), "{shown}");
    }
}
