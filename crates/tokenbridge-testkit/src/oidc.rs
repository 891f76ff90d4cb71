//! An emulator of an RFC 6749 / OpenID Connect token endpoint, configurable per vendor
//! through a [`Profile`].
//!
//! [`OidcProvider`] holds the state (registered clients, one-time codes, refresh tokens) and
//! answers token requests; [`OidcEmulator`] serves one on loopback. Vendor emulators either
//! use a profile of their own or mount several providers in one router.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokenbridge_core::AuthMethod;
use url::Url;

use crate::conformance::ProviderTarget;
use crate::server::{any_loopback_port, lock, EmulatorServer, RecordedRequest};

/// A canned HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, or none at all.
    pub content_type: Option<String>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// How long to wait before answering (for timeout tests).
    pub delay: Duration,
}

impl Reply {
    /// A JSON answer (`application/json;charset=UTF-8`).
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            content_type: Some("application/json;charset=UTF-8".into()),
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with no body and no content type (Tencent CIAM's bare 401).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with any content type and body, e.g. an HTML error page.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: Some(content_type.into()),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The RFC 6749 error shape with a description.
    pub fn oauth_error(status: u16, code: &str, description: &str) -> Self {
        Self::json(
            status,
            json!({"error": code, "error_description": description}),
        )
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(ct) = &self.content_type {
            if let Ok(v) = HeaderValue::from_str(ct) {
                headers.insert(axum::http::header::CONTENT_TYPE, v);
            }
        }
        headers.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, headers, self.body).into_response()
    }
}

/// How the lifetime is written in a token answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryStyle {
    /// `"expires_in": 7200`.
    Number,
    /// `"expires_in": "7200"` (Huawei OneAccess's OAuth 2.0 page).
    String,
    /// No lifetime at all.
    Absent,
}

/// What a refresh does to the refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshStyle {
    /// A new refresh token each time; the old one stops working (Huawei OneAccess).
    Rotate,
    /// The same refresh token comes back (Tencent CIAM's sample).
    Echo,
}

/// The answers a profile gives to each kind of failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReplies {
    /// `client_id` missing or unknown.
    pub unknown_client: Reply,
    /// `client_id` missing or unknown in a request that carries a `code_verifier`, for vendors
    /// that answer PKCE requests differently (Tencent CIAM: 400 `invalid_request` instead of a
    /// bare 401); `None` gives [`ErrorReplies::unknown_client`].
    pub unknown_client_pkce: Option<Reply>,
    /// The secret is wrong, or the client used another auth method than registered.
    pub bad_client_credentials: Reply,
    /// Unknown, used or expired code; or a code issued to another client when
    /// [`ErrorReplies::client_mismatch`] is `None`.
    pub bad_code: Reply,
    /// A code issued to another client than the one exchanging it, for vendors that answer
    /// this case as a client error (Tencent CIAM: 401 `invalid_client`); `None` gives
    /// [`ErrorReplies::bad_code`].
    pub client_mismatch: Option<Reply>,
    /// `redirect_uri` differs from the authorize request.
    pub redirect_mismatch: Reply,
    /// The PKCE verifier does not match the challenge, or is missing.
    pub bad_verifier: Reply,
    /// Unknown or revoked refresh token.
    pub bad_refresh_token: Reply,
    /// A `grant_type` the provider does not support.
    pub unsupported_grant: Reply,
    /// A required parameter is missing.
    pub missing_parameter: Reply,
}

impl ErrorReplies {
    /// RFC 6749 answers with descriptions.
    pub fn standard() -> Self {
        Self {
            unknown_client: Reply::oauth_error(
                401,
                "invalid_client",
                "client authentication failed",
            ),
            unknown_client_pkce: None,
            bad_client_credentials: Reply::oauth_error(
                401,
                "invalid_client",
                "client authentication failed",
            ),
            bad_code: Reply::oauth_error(400, "invalid_grant", "grant request is invalid"),
            client_mismatch: None,
            redirect_mismatch: Reply::oauth_error(400, "invalid_grant", "redirect_uri mismatch"),
            bad_verifier: Reply::oauth_error(400, "invalid_grant", "PKCE verification failed"),
            bad_refresh_token: Reply::oauth_error(400, "invalid_grant", "refresh token is invalid"),
            unsupported_grant: Reply::oauth_error(
                400,
                "unsupported_grant_type",
                "unsupported grant_type",
            ),
            missing_parameter: Reply::oauth_error(
                400,
                "invalid_request",
                "missing required parameter",
            ),
        }
    }
}

/// How one vendor's token endpoint behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// A name for messages, e.g. `oidc`.
    pub name: String,
    /// Path prefix of the issuer (e.g. `/oidc` for GenAuth); the issuer is base URL + prefix.
    pub issuer_path: String,
    /// Token endpoint path, e.g. `/token`.
    pub token_path: String,
    /// Discovery document path, if served.
    pub discovery_path: Option<String>,
    /// JWKS path, if served.
    pub jwks_path: Option<String>,
    /// The JWKS top-level member: `keys`, or `Keys` as Tencent's doc writes it.
    pub jwks_member: String,
    /// The lifetime given to access tokens, in seconds.
    pub expires_in: u64,
    /// How the lifetime is written.
    pub expiry_style: ExpiryStyle,
    /// The lifetime's key: `expires_in`, or `expire_in`.
    pub expiry_field: String,
    /// The `token_type` value as sent, e.g. `Bearer` or `bearer`.
    pub token_type: String,
    /// Whether access tokens look like JWTs (otherwise opaque hex).
    pub jwt_access_tokens: bool,
    /// Whether an `id_token` is issued when the scope has `openid`.
    pub issue_id_tokens: bool,
    /// Whether code exchanges issue a refresh token.
    pub issue_refresh_tokens: bool,
    /// What a refresh does to the refresh token.
    pub refresh_style: RefreshStyle,
    /// The scope written when none was requested.
    pub default_scope: String,
    /// Whether `redirect_uri` must be sent with a code (OIDC: yes; some OAuth 2.0: optional).
    pub redirect_uri_required: bool,
    /// Whether a public client (auth method `none`) must use PKCE: its code is refused with
    /// [`ErrorReplies::bad_client_credentials`] when it was issued without a
    /// `code_challenge`, since such a request proves nothing about the client.
    pub public_clients_require_pkce: bool,
    /// The auth methods advertised and accepted.
    pub auth_methods: Vec<AuthMethod>,
    /// The grant types accepted.
    pub grant_types: Vec<String>,
    /// Failure answers.
    pub errors: ErrorReplies,
    /// The authorize endpoint's path; `None` derives it from the token path
    /// (`/oauth2/token` gives `/oauth2/authorize`).
    pub authorize_path: Option<String>,
    /// The revocation endpoint's path (RFC 7009), where the vendor has one.
    pub revocation_path: Option<String>,
    /// The end-session (logout) endpoint's path, where the vendor has one.
    pub end_session_path: Option<String>,
    /// The parameter of the logout request naming where to go afterwards.
    pub logout_redirect_param: String,
    /// Whether the authorize endpoint adds `iss` to its redirect (RFC 9207), and discovery
    /// says so.
    pub send_iss: bool,
}

/// How the emulated authorize endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthorizeMode {
    /// Approve at once, redirecting with a code.
    #[default]
    Approve,
    /// Redirect with `error` set to this code (e.g. `access_denied`).
    Deny(String),
    /// Approve, but name another issuer in `iss` (a mix-up).
    WrongIssuer,
}

impl Profile {
    /// A strict, standard OpenID Connect provider at the server root.
    pub fn standard() -> Self {
        Self {
            name: "oidc".into(),
            issuer_path: String::new(),
            token_path: "/token".into(),
            discovery_path: Some("/.well-known/openid-configuration".into()),
            jwks_path: Some("/jwks".into()),
            jwks_member: "keys".into(),
            expires_in: 3600,
            expiry_style: ExpiryStyle::Number,
            expiry_field: "expires_in".into(),
            token_type: "Bearer".into(),
            jwt_access_tokens: true,
            issue_id_tokens: true,
            issue_refresh_tokens: true,
            refresh_style: RefreshStyle::Rotate,
            default_scope: "openid profile".into(),
            redirect_uri_required: true,
            public_clients_require_pkce: false,
            auth_methods: AuthMethod::ALL.to_vec(),
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
            errors: ErrorReplies::standard(),
            authorize_path: None,
            revocation_path: Some("/revoke".into()),
            end_session_path: Some("/logout".into()),
            logout_redirect_param: "post_logout_redirect_uri".into(),
            send_iss: true,
        }
    }
}

/// A client the emulator knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    /// `client_id`.
    pub client_id: String,
    /// The secret, for confidential clients.
    pub client_secret: Option<String>,
    /// The one auth method this client must use.
    pub auth_method: AuthMethod,
}

impl ClientRegistration {
    /// A confidential client using `method`.
    pub fn confidential(id: &str, secret: &str, method: AuthMethod) -> Self {
        Self {
            client_id: id.into(),
            client_secret: Some(secret.into()),
            auth_method: method,
        }
    }

    /// A public client (`none`).
    pub fn public(id: &str) -> Self {
        Self {
            client_id: id.into(),
            client_secret: None,
            auth_method: AuthMethod::None,
        }
    }
}

/// What an authorize request would have carried, for minting a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    /// The client the code is for.
    pub client_id: String,
    /// The `redirect_uri` of the authorize request.
    pub redirect_uri: String,
    /// The S256 `code_challenge`, for PKCE.
    pub code_challenge: Option<String>,
    /// The scope granted.
    pub scope: Option<String>,
}

#[derive(Debug, Clone)]
struct CodeRecord {
    request: CodeRequest,
    used: bool,
    expires: SystemTime,
}

#[derive(Debug, Clone)]
struct RefreshRecord {
    client_id: String,
    scope: String,
    active: bool,
}

#[derive(Debug, Default)]
struct State {
    clients: HashMap<String, ClientRegistration>,
    codes: HashMap<String, CodeRecord>,
    refresh_tokens: HashMap<String, RefreshRecord>,
    queued: VecDeque<Reply>,
    authorize_mode: AuthorizeMode,
    nonces: HashMap<String, String>,
    revoked: Vec<String>,
}

/// The state and logic of one emulated token endpoint.
pub struct OidcProvider {
    profile: Profile,
    issuer: String,
    state: Mutex<State>,
    counter: AtomicU64,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("profile", &self.profile.name)
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// Seconds since the epoch.
fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A JWT-shaped token (`HS256` header, the given claims, a signature that verifies nothing).
pub fn fake_jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT","kid":"emulator-key"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{header}.{payload}")));
    format!("{header}.{payload}.{signature}")
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The client that presented itself, and how.
struct Presented {
    client_id: Option<String>,
    secret: Option<String>,
    method: AuthMethod,
}

impl OidcProvider {
    /// A provider whose issuer is `base_url` + the profile's issuer path.
    pub fn new(profile: Profile, base_url: &Url) -> Arc<Self> {
        let issuer = format!(
            "{}{}",
            base_url.as_str().trim_end_matches('/'),
            profile.issuer_path
        );
        Arc::new(Self {
            profile,
            issuer,
            state: Mutex::new(State::default()),
            counter: AtomicU64::new(1),
        })
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        let root = self
            .issuer
            .strip_suffix(&self.profile.issuer_path)
            .unwrap_or(&self.issuer);
        format!("{root}{}", self.profile.token_path)
    }

    fn url_for(&self, path: &str) -> String {
        let root = self
            .issuer
            .strip_suffix(&self.profile.issuer_path)
            .unwrap_or(&self.issuer);
        format!("{root}{path}")
    }

    /// Registers a client.
    pub fn register_client(&self, client: ClientRegistration) {
        lock(&self.state)
            .clients
            .insert(client.client_id.clone(), client);
    }

    fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!(
            "{}-{prefix}-{n}-{:?}",
            self.issuer,
            SystemTime::now()
        ));
        format!("{prefix}{}", &hex(&digest)[..24])
    }

    /// Mints a one-time code, valid ten minutes, as an authorize request would.
    pub fn issue_code(&self, request: CodeRequest) -> String {
        let code = self.next_id("code-");
        lock(&self.state).codes.insert(
            code.clone(),
            CodeRecord {
                request,
                used: false,
                expires: SystemTime::now() + Duration::from_secs(600),
            },
        );
        code
    }

    /// Mints a refresh token for `client_id`, as a previous code exchange would.
    pub fn issue_refresh_token(&self, client_id: &str, scope: &str) -> String {
        let token = self.next_id("rt-");
        lock(&self.state).refresh_tokens.insert(
            token.clone(),
            RefreshRecord {
                client_id: client_id.into(),
                scope: scope.into(),
                active: true,
            },
        );
        token
    }

    /// Makes the next token request get `reply` instead of the normal answer.
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.state).queued.push_back(reply);
    }

    /// The discovery document.
    pub fn discovery_document(&self) -> Value {
        let mut doc = json!({
            "issuer": self.issuer,
            "authorization_endpoint": self.url_for(&self.authorize_path()),
            "token_endpoint": self.token_endpoint(),
            "token_endpoint_auth_methods_supported":
                self.profile.auth_methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "response_types_supported": ["code"],
            "grant_types_supported": self.profile.grant_types,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "scopes_supported": ["openid"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": self.profile.send_iss,
        });
        if let Some(obj) = doc.as_object_mut() {
            for (key, path) in [
                ("revocation_endpoint", &self.profile.revocation_path),
                ("end_session_endpoint", &self.profile.end_session_path),
            ] {
                if let Some(path) = path {
                    obj.insert(key.into(), Value::String(self.url_for(path)));
                }
            }
        }
        if let (Some(path), Some(obj)) = (&self.profile.jwks_path, doc.as_object_mut()) {
            obj.insert("jwks_uri".into(), Value::String(self.url_for(path)));
        }
        doc
    }

    /// The JWKS document (one RSA-shaped public key).
    pub fn jwks_document(&self) -> Value {
        json!({ self.profile.jwks_member.clone(): [{
            "kty": "RSA", "e": "AQAB", "kid": "emulator-key",
            "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"
        }]})
    }

    /// Answers a token request: client authentication, then the grant.
    pub fn handle_token(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = lock(&self.state).queued.pop_front() {
            return reply;
        }
        let params: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let errors = &self.profile.errors;
        let presented = match presented_client(headers, &params) {
            Ok(p) => p,
            Err(()) => return errors.missing_parameter.clone(),
        };
        let client = {
            let state = lock(&self.state);
            presented
                .client_id
                .as_ref()
                .and_then(|id| state.clients.get(id).cloned())
        };
        let Some(client) = client else {
            if params.contains_key("code_verifier") {
                if let Some(reply) = &errors.unknown_client_pkce {
                    return reply.clone();
                }
            }
            return errors.unknown_client.clone();
        };
        if client.auth_method != presented.method
            || (client.auth_method != AuthMethod::None && client.client_secret != presented.secret)
            || !self.profile.auth_methods.contains(&presented.method)
        {
            return errors.bad_client_credentials.clone();
        }
        let grant_type = params.get("grant_type").map(String::as_str).unwrap_or("");
        if !self.profile.grant_types.iter().any(|g| g == grant_type) {
            return errors.unsupported_grant.clone();
        }
        match grant_type {
            "authorization_code" => self.code_grant(&client, &params),
            "refresh_token" => self.refresh_grant(&client, &params),
            "client_credentials" => {
                let scope = params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| self.profile.default_scope.clone());
                Reply::json(200, self.token_body(&client.client_id, &scope, false, None))
            }
            _ => errors.unsupported_grant.clone(),
        }
    }

    fn code_grant(&self, client: &ClientRegistration, params: &HashMap<String, String>) -> Reply {
        let errors = &self.profile.errors;
        let Some(code) = params.get("code") else {
            return errors.missing_parameter.clone();
        };
        let record = {
            let mut state = lock(&self.state);
            match state.codes.get_mut(code) {
                Some(r) if r.request.client_id != client.client_id => {
                    return errors
                        .client_mismatch
                        .as_ref()
                        .unwrap_or(&errors.bad_code)
                        .clone();
                }
                Some(r)
                    if self.profile.public_clients_require_pkce
                        && client.auth_method == AuthMethod::None
                        && r.request.code_challenge.is_none() =>
                {
                    // The client is not authenticated, so the code is not spent.
                    return errors.bad_client_credentials.clone();
                }
                Some(r) if !r.used && r.expires > SystemTime::now() => {
                    // Spent by this request whatever happens next, as RFC 6749 section 4.1.2 asks.
                    r.used = true;
                    r.clone()
                }
                _ => return errors.bad_code.clone(),
            }
        };
        match params.get("redirect_uri") {
            Some(uri) if *uri != record.request.redirect_uri => {
                return errors.redirect_mismatch.clone()
            }
            None if self.profile.redirect_uri_required => return errors.missing_parameter.clone(),
            _ => {}
        }
        if let Some(challenge) = &record.request.code_challenge {
            match params.get("code_verifier") {
                Some(v) if s256(v) == *challenge => {}
                _ => return errors.bad_verifier.clone(),
            }
        }
        let scope = record
            .request
            .scope
            .clone()
            .unwrap_or_else(|| self.profile.default_scope.clone());
        let refresh = self
            .profile
            .issue_refresh_tokens
            .then(|| self.issue_refresh_token(&client.client_id, &scope));
        Reply::json(
            200,
            self.token_body(&client.client_id, &scope, true, refresh),
        )
    }

    fn refresh_grant(
        &self,
        client: &ClientRegistration,
        params: &HashMap<String, String>,
    ) -> Reply {
        let errors = &self.profile.errors;
        let Some(token) = params.get("refresh_token") else {
            return errors.missing_parameter.clone();
        };
        let scope = {
            let mut state = lock(&self.state);
            match state.refresh_tokens.get_mut(token) {
                Some(r) if r.active && r.client_id == client.client_id => {
                    if self.profile.refresh_style == RefreshStyle::Rotate {
                        r.active = false;
                    }
                    r.scope.clone()
                }
                _ => return errors.bad_refresh_token.clone(),
            }
        };
        let scope = params.get("scope").cloned().unwrap_or(scope);
        let refresh = match self.profile.refresh_style {
            RefreshStyle::Rotate => self.issue_refresh_token(&client.client_id, &scope),
            RefreshStyle::Echo => token.clone(),
        };
        Reply::json(
            200,
            self.token_body(&client.client_id, &scope, true, Some(refresh)),
        )
    }

    /// A success body as this profile writes it.
    pub fn token_body(
        &self,
        client_id: &str,
        scope: &str,
        for_user: bool,
        refresh_token: Option<String>,
    ) -> Value {
        let p = &self.profile;
        let now = now_secs();
        let jti = self.next_id("");
        let access_token = if p.jwt_access_tokens {
            fake_jwt(&json!({
                "iss": self.issuer, "sub": if for_user { "user-1" } else { client_id },
                "aud": client_id, "iat": now, "nbf": now, "exp": now + p.expires_in,
                "scope": scope, "jti": jti,
            }))
        } else {
            self.next_id("").repeat(2)[..40].to_owned()
        };
        let mut body = Map::new();
        body.insert("access_token".into(), Value::String(access_token));
        body.insert("token_type".into(), Value::String(p.token_type.clone()));
        match p.expiry_style {
            ExpiryStyle::Number => {
                body.insert(p.expiry_field.clone(), json!(p.expires_in));
            }
            ExpiryStyle::String => {
                body.insert(p.expiry_field.clone(), json!(p.expires_in.to_string()));
            }
            ExpiryStyle::Absent => {}
        }
        body.insert("scope".into(), Value::String(scope.into()));
        if let Some(rt) = refresh_token {
            body.insert("refresh_token".into(), Value::String(rt));
        }
        if for_user && p.issue_id_tokens && scope.split(' ').any(|s| s == "openid") {
            body.insert(
                "id_token".into(),
                Value::String(fake_jwt(&json!({
                    "iss": self.issuer, "sub": "user-1", "aud": client_id, "azp": client_id,
                    "iat": now, "exp": now + 1800, "jti": self.next_id(""),
                }))),
            );
        }
        Value::Object(body)
    }

    /// How the authorize endpoint answers from now on.
    pub fn set_authorize_mode(&self, mode: AuthorizeMode) {
        lock(&self.state).authorize_mode = mode;
    }

    /// The `nonce` the authorize request that minted `code` carried.
    pub fn nonce_for_code(&self, code: &str) -> Option<String> {
        lock(&self.state).nonces.get(code).cloned()
    }

    /// Tokens revoked so far, in order.
    pub fn revoked(&self) -> Vec<String> {
        lock(&self.state).revoked.clone()
    }

    /// Answers a revocation request (RFC 7009): the client authenticates as at the token
    /// endpoint; a refresh token it names stops working; 200 whether or not it was known.
    pub fn handle_revoke(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        let params: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let errors = &self.profile.errors;
        let Ok(presented) = presented_client(headers, &params) else {
            return errors.missing_parameter.clone();
        };
        let client = {
            let state = lock(&self.state);
            presented
                .client_id
                .as_ref()
                .and_then(|id| state.clients.get(id).cloned())
        };
        let Some(client) = client else {
            return errors.unknown_client.clone();
        };
        if client.auth_method != presented.method
            || (client.auth_method != AuthMethod::None && client.client_secret != presented.secret)
        {
            return errors.bad_client_credentials.clone();
        }
        let Some(token) = params.get("token") else {
            return errors.missing_parameter.clone();
        };
        let mut state = lock(&self.state);
        if let Some(record) = state.refresh_tokens.get_mut(token) {
            if record.client_id == client.client_id {
                record.active = false;
            }
        }
        state.revoked.push(token.clone());
        Reply::raw(200, "text/plain", Vec::new())
    }

    /// The authorize endpoint's path: the profile's, or the token path with its last segment
    /// replaced by `authorize` (`/oauth2/token` gives `/oauth2/authorize`).
    pub fn authorize_path(&self) -> String {
        if let Some(path) = &self.profile.authorize_path {
            return path.clone();
        }
        let token_path = &self.profile.token_path;
        match token_path.rfind('/') {
            Some(i) => format!("{}/authorize", &token_path[..i]),
            None => "/authorize".to_owned(),
        }
    }

    /// Answers an authorize request without a login page: the code is issued at once and the
    /// browser (or `curl`) is redirected to `redirect_uri?code=...&state=...`. This lets
    /// application developers drive their real redirect flow against the emulator.
    pub fn handle_authorize(&self, query: &HashMap<String, String>) -> Response {
        let bad = |description: &str| {
            Reply::oauth_error(400, "invalid_request", description).into_response()
        };
        let Some(client_id) = query.get("client_id") else {
            return bad("client_id is required");
        };
        if !lock(&self.state).clients.contains_key(client_id) {
            return Reply::oauth_error(400, "unauthorized_client", "unknown client_id")
                .into_response();
        }
        let Some(redirect_uri) = query.get("redirect_uri") else {
            return bad("redirect_uri is required");
        };
        let Ok(mut target) = Url::parse(redirect_uri) else {
            return bad("redirect_uri is not a URL");
        };
        if query.get("response_type").map(String::as_str) != Some("code") {
            return bad("response_type must be code");
        }
        let code_challenge = query.get("code_challenge").cloned();
        if code_challenge.is_some()
            && query.get("code_challenge_method").map(String::as_str) != Some("S256")
        {
            return bad("only code_challenge_method=S256 is supported");
        }
        let mode = lock(&self.state).authorize_mode.clone();
        {
            let mut pairs = target.query_pairs_mut();
            if let AuthorizeMode::Deny(error) = &mode {
                pairs.append_pair("error", error);
                pairs.append_pair("error_description", "the user denied the request");
            } else {
                let code = self.issue_code(CodeRequest {
                    client_id: client_id.clone(),
                    redirect_uri: redirect_uri.clone(),
                    code_challenge,
                    scope: query.get("scope").cloned(),
                });
                if let Some(nonce) = query.get("nonce") {
                    lock(&self.state).nonces.insert(code.clone(), nonce.clone());
                }
                pairs.append_pair("code", &code);
            }
            if let Some(state) = query.get("state") {
                pairs.append_pair("state", state);
            }
            match mode {
                AuthorizeMode::WrongIssuer => {
                    pairs.append_pair("iss", "https://attacker.example.com");
                }
                _ if self.profile.send_iss => {
                    pairs.append_pair("iss", &self.issuer);
                }
                _ => {}
            }
        }
        let mut response = StatusCode::FOUND.into_response();
        if let Ok(location) = HeaderValue::from_str(target.as_str()) {
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, location);
        }
        response
    }

    /// Routes for the token endpoint, discovery and JWKS, relative to the server root.
    pub fn routes(self: &Arc<Self>) -> Router {
        let me = Arc::clone(self);
        let mut router = Router::new().route(
            &self.profile.token_path,
            post(move |headers: HeaderMap, body: Bytes| {
                let me = Arc::clone(&me);
                async move {
                    let reply = me.handle_token(&headers, &body);
                    if !reply.delay.is_zero() {
                        tokio::time::sleep(reply.delay).await;
                    }
                    reply
                }
            }),
        );
        let me = Arc::clone(self);
        router = router.route(
            &self.authorize_path(),
            get(
                move |Query(query): Query<HashMap<String, String>>| async move {
                    me.handle_authorize(&query)
                },
            ),
        );
        if let Some(path) = &self.profile.discovery_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                get(move || async move { Reply::json(200, me.discovery_document()) }),
            );
        }
        if let Some(path) = &self.profile.revocation_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                post(move |headers: HeaderMap, body: Bytes| async move {
                    me.handle_revoke(&headers, &body)
                }),
            );
        }
        if let Some(path) = &self.profile.end_session_path {
            let param = self.profile.logout_redirect_param.clone();
            router = router.route(
                path,
                get(
                    move |Query(query): Query<HashMap<String, String>>| async move {
                        logout_response(query.get(&param))
                    },
                ),
            );
        }
        if let Some(path) = &self.profile.jwks_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                get(move || async move { Reply::json(200, me.jwks_document()) }),
            );
        }
        router
    }
}

/// Logout: a redirect to where the client asked, or a page saying it is done.
fn logout_response(redirect: Option<&String>) -> Response {
    match redirect.and_then(|r| HeaderValue::from_str(r).ok()) {
        Some(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, location);
            response
        }
        None => Reply::raw(200, "text/plain", "signed out".as_bytes().to_vec()).into_response(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Works out which client presented itself and with which method. Err when the request mixes
/// methods (RFC 6749 section 2.3: only one per request) or the Basic header is malformed.
fn presented_client(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Presented, ()> {
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if let Some(encoded) = basic {
        if params.contains_key("client_secret") {
            return Err(());
        }
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| ())?;
        let decoded = String::from_utf8(decoded).map_err(|_| ())?;
        let (id, secret) = decoded.split_once(':').ok_or(())?;
        let unescape = |s: &str| -> String {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Ok(Presented {
            client_id: Some(unescape(id)),
            secret: Some(unescape(secret)),
            method: AuthMethod::ClientSecretBasic,
        });
    }
    let client_id = params.get("client_id").cloned();
    Ok(match params.get("client_secret") {
        Some(secret) => Presented {
            client_id,
            secret: Some(secret.clone()),
            method: AuthMethod::ClientSecretPost,
        },
        None => Presented {
            client_id,
            secret: None,
            method: AuthMethod::None,
        },
    })
}

/// A standard OpenID Connect provider served on loopback.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
/// use tokenbridge_core::AuthMethod;
///
/// let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
/// emulator.provider().register_client(ClientRegistration::confidential("app", "s3cret", AuthMethod::ClientSecretBasic));
/// let code = emulator.issue_code("app", "http://127.0.0.1/cb", None);
/// assert!(code.starts_with("code-"));
/// # }
/// ```
#[derive(Debug)]
pub struct OidcEmulator {
    server: EmulatorServer,
    provider: Arc<OidcProvider>,
}

impl OidcEmulator {
    /// Starts `profile` on a free loopback port.
    pub async fn start(profile: Profile) -> std::io::Result<Self> {
        Self::start_on(profile, any_loopback_port()).await
    }

    /// Starts `profile` on `addr`.
    pub async fn start_on(profile: Profile, addr: std::net::SocketAddr) -> std::io::Result<Self> {
        Self::start_with_routes(profile, addr, |_| Router::new()).await
    }

    /// Starts `profile` on `addr` with a vendor's extra routes (e.g. a discovery document of
    /// its own shape) beside the provider's.
    pub async fn start_with_routes(
        profile: Profile,
        addr: std::net::SocketAddr,
        extra_routes: impl FnOnce(&Arc<OidcProvider>) -> Router,
    ) -> std::io::Result<Self> {
        let mut provider = None;
        let server = EmulatorServer::start(addr, |base| {
            let p = OidcProvider::new(profile, base);
            let router = p.routes().merge(extra_routes(&p));
            provider = Some(p);
            router
        })
        .await?;
        let provider = provider.ok_or_else(|| std::io::Error::other("router was not built"))?;
        Ok(Self { server, provider })
    }

    /// The base URL without the trailing slash, as configuration writes it.
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        self.server.base_url()
    }

    /// Registers a client.
    pub fn register_client(&self, client: ClientRegistration) {
        self.provider.register_client(client);
    }

    /// Mints a refresh token for `client_id`, as an earlier code exchange would.
    pub fn issue_refresh_token(&self, client_id: &str, scope: &str) -> String {
        self.provider.issue_refresh_token(client_id, scope)
    }

    /// Makes the next token request get `reply` (e.g. a documentation sample, verbatim).
    pub fn push_reply(&self, reply: Reply) {
        self.provider.push_reply(reply);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.server.clear_requests();
    }

    /// A conformance target minting credentials for `client_id`.
    pub fn target(&self, client_id: &str) -> ProviderTarget {
        ProviderTarget::new(self, client_id)
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await;
    }

    /// The provider state (register clients, mint codes, queue replies).
    pub fn provider(&self) -> &Arc<OidcProvider> {
        &self.provider
    }

    /// The server (base URL, recorded requests).
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        self.provider.issuer()
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        self.provider.token_endpoint()
    }

    /// Mints a code for `client_id` (see [`OidcProvider::issue_code`]).
    pub fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider.issue_code(CodeRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: None,
        })
    }

    /// Requests received at the token endpoint.
    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server.requests_to(&self.provider.profile().token_path)
    }
}
