//! An emulator of an RFC 6749 / OpenID Connect token endpoint, configurable per vendor
//! through a [`Profile`].
//!
//! [`OidcProvider`] holds the state (registered clients, one-time codes, refresh tokens) and
//! answers token requests; [`OidcEmulator`] serves one on loopback. Vendor emulators either
//! use a profile of their own or mount several providers in one router.

use std::collections::{HashMap, HashSet, VecDeque};
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
use tokenbridge_core::jwt_auth::CLIENT_ASSERTION_TYPE;
use tokenbridge_core::{access_token_hash, AuthMethod, SigningAlgorithm};
use url::Url;

use crate::conformance::ProviderTarget;
use crate::jose::{self, TestKey};
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
    /// Whether a code exchange issues a refresh token only when the authorize request asked
    /// for `offline_access` with `prompt=consent` (GenAuth's OpenID Connect guide); codes
    /// minted with [`OidcProvider::issue_code`] then get none, those from
    /// [`OidcProvider::issue_consented_code`] do.
    pub refresh_tokens_need_consent: bool,
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
    /// Whether the logout endpoint follows that parameter only next to an `id_token_hint`
    /// (GenAuth); otherwise it answers a page saying the user is signed out.
    pub logout_redirect_needs_id_token_hint: bool,
    /// Whether the authorize endpoint adds `iss` to its redirect (RFC 9207), and discovery
    /// says so.
    pub send_iss: bool,
    /// How ID tokens are signed at first; [`OidcProvider::set_id_token_signing`] changes it.
    pub id_token_signing: IdTokenSigning,
    /// The userinfo endpoint's path, where the vendor has one.
    pub userinfo_path: Option<String>,
    /// How the userinfo endpoint answers.
    pub userinfo_style: UserinfoStyle,
    /// How the authorize request spells its redirect URI parameter.
    pub authorize_redirect_param: String,
}

/// How the emulator signs ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdTokenSigning {
    /// RS256 with the current signing key ([`TestKey::Rsa1`], [`TestKey::Rsa2`] after
    /// [`OidcProvider::rotate_keys`]), published in the JWKS.
    #[default]
    Rs256,
    /// HS256 keyed with the client's secret (GenAuth's default for an application); RS256 for
    /// a client without a secret.
    Hs256,
}

/// How the emulated userinfo endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UserinfoStyle {
    /// OpenID Connect Core 5.3: the standard claims; refusals as RFC 6750 describes them, a
    /// `WWW-Authenticate` challenge plus a JSON `error` body.
    #[default]
    Standard,
    /// GenAuth `/oidc/me`: the standard claims, unset ones as `null`.
    GenAuth,
    /// Tencent CIAM `/userinfo`: standard claims; refusals only in `WWW-Authenticate`, no
    /// body (400 without a token, 401 for a bad one).
    Tencent,
    /// Huawei OneAccess `/api/v1/oauth2/userinfo`: camelCase `id`, `userName`, `mobile` and no
    /// `sub`; `Accept: application/json` required; 401 `{"error":"unauthorized"}`.
    OneAccess,
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
            refresh_tokens_need_consent: false,
            refresh_style: RefreshStyle::Rotate,
            default_scope: "openid profile".into(),
            redirect_uri_required: true,
            public_clients_require_pkce: false,
            auth_methods: AuthMethod::ALL.into_iter().chain(AuthMethod::JWT).collect(),
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
            logout_redirect_needs_id_token_hint: false,
            send_iss: true,
            authorize_redirect_param: "redirect_uri".into(),
            id_token_signing: IdTokenSigning::Rs256,
            userinfo_path: Some("/userinfo".into()),
            userinfo_style: UserinfoStyle::Standard,
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
    /// The public key (SubjectPublicKeyInfo PEM) its `private_key_jwt` assertions verify
    /// with.
    pub public_key_pem: Option<String>,
}

impl ClientRegistration {
    /// A confidential client using `method`.
    pub fn confidential(id: &str, secret: &str, method: AuthMethod) -> Self {
        Self {
            client_id: id.into(),
            client_secret: Some(secret.into()),
            auth_method: method,
            public_key_pem: None,
        }
    }

    /// A client authenticating with `private_key_jwt`, its assertions verified with
    /// `public_key_pem` (RSA or EC P-256).
    pub fn private_key_jwt(id: &str, public_key_pem: &str) -> Self {
        Self {
            client_id: id.into(),
            client_secret: None,
            auth_method: AuthMethod::PrivateKeyJwt,
            public_key_pem: Some(public_key_pem.into()),
        }
    }

    /// A public client (`none`).
    pub fn public(id: &str) -> Self {
        Self {
            client_id: id.into(),
            client_secret: None,
            auth_method: AuthMethod::None,
            public_key_pem: None,
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
    /// Codes whose authorize request asked for `offline_access` with `prompt=consent`.
    consented: HashSet<String>,
    revoked: Vec<String>,
    signing: IdTokenSigning,
    signer: Option<TestKey>,
    published: Vec<TestKey>,
    access_tokens: HashMap<String, AccessRecord>,
    user_claims: Map<String, Value>,
    used_jtis: HashSet<String>,
}

/// An access token the emulator issued, for its userinfo endpoint.
#[derive(Debug, Clone)]
struct AccessRecord {
    subject: String,
    active: bool,
}

/// The demo user's claims, in standard spelling.
pub fn demo_user_claims() -> Map<String, Value> {
    let claims = json!({
        "sub": DEMO_SUBJECT,
        "name": "Demo User",
        "preferred_username": "demo",
        "email": "demo@example.com",
        "email_verified": true,
        "phone_number": "+86 138 0000 0000",
        "picture": "https://files.example.com/demo-user.png",
    });
    match claims {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The `sub` of the user every code is issued for.
pub const DEMO_SUBJECT: &str = "user-1";

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
    /// The JWT of `client_secret_jwt` / `private_key_jwt`.
    assertion: Option<String>,
}

impl OidcProvider {
    /// A provider whose issuer is `base_url` + the profile's issuer path.
    pub fn new(profile: Profile, base_url: &Url) -> Arc<Self> {
        let issuer = format!(
            "{}{}",
            base_url.as_str().trim_end_matches('/'),
            profile.issuer_path
        );
        let state = State {
            signing: profile.id_token_signing,
            signer: Some(TestKey::Rsa1),
            published: vec![TestKey::Rsa1],
            user_claims: demo_user_claims(),
            ..State::default()
        };
        Arc::new(Self {
            profile,
            issuer,
            state: Mutex::new(state),
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

    /// Mints a code as an authorize request asking for `offline_access` with `prompt=consent`
    /// would: with [`Profile::refresh_tokens_need_consent`], only such codes get a refresh
    /// token.
    pub fn issue_consented_code(&self, request: CodeRequest) -> String {
        let code = self.issue_code(request);
        lock(&self.state).consented.insert(code.clone());
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
            "id_token_signing_alg_values_supported": self.advertised_algorithms(),
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
        if let (Some(path), Some(obj)) = (&self.profile.userinfo_path, doc.as_object_mut()) {
            obj.insert(
                "userinfo_endpoint".into(),
                Value::String(self.url_for(path)),
            );
        }
        doc
    }

    /// `id_token_signing_alg_values_supported`: RS256, with HS256 first when ID tokens are
    /// signed with the client secret.
    fn advertised_algorithms(&self) -> Vec<&'static str> {
        match lock(&self.state).signing {
            IdTokenSigning::Hs256 => vec!["HS256", "RS256"],
            IdTokenSigning::Rs256 => vec!["RS256"],
        }
    }

    /// The JWKS document: the public keys published now (the profile's member name, `keys` or
    /// Tencent's `Keys`).
    pub fn jwks_document(&self) -> Value {
        let published = lock(&self.state).published.clone();
        let keys: Vec<Value> = published.iter().map(|k| k.public_jwk()).collect();
        json!({ self.profile.jwks_member.clone(): keys })
    }

    /// Rotates the signing key (OpenID Connect Core 10.1): ID tokens are signed with
    /// [`TestKey::Rsa2`] from now on, and the JWKS publishes both keys when `keep_previous`,
    /// else the new one only.
    pub fn rotate_keys(&self, keep_previous: bool) {
        let mut state = lock(&self.state);
        state.signer = Some(TestKey::Rsa2);
        state.published = if keep_previous {
            vec![TestKey::Rsa1, TestKey::Rsa2]
        } else {
            vec![TestKey::Rsa2]
        };
    }

    /// The key RS256 ID tokens are signed with now.
    pub fn signing_key(&self) -> TestKey {
        lock(&self.state).signer.unwrap_or(TestKey::Rsa1)
    }

    /// Switches how ID tokens are signed from now on.
    pub fn set_id_token_signing(&self, signing: IdTokenSigning) {
        lock(&self.state).signing = signing;
    }

    /// Replaces the demo user's claims (standard spelling, `sub` included) that ID tokens and
    /// userinfo carry; the `sub` of ID tokens stays [`DEMO_SUBJECT`] unless given here.
    pub fn set_user_claims(&self, claims: Map<String, Value>) {
        lock(&self.state).user_claims = claims;
    }

    fn subject(&self) -> String {
        lock(&self.state)
            .user_claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or(DEMO_SUBJECT)
            .to_owned()
    }

    /// Signs `claims` as this provider signs ID tokens for `client_id`: HS256 with the
    /// client's secret when so set (and the client has one), else RS256 with the current key
    /// and its `kid`.
    pub fn sign_id_token(&self, client_id: &str, claims: &Value) -> String {
        let (signing, signer, secret) = {
            let state = lock(&self.state);
            let secret = state
                .clients
                .get(client_id)
                .and_then(|c| c.client_secret.clone());
            (state.signing, state.signer.unwrap_or(TestKey::Rsa1), secret)
        };
        match (signing, secret) {
            (IdTokenSigning::Hs256, Some(secret)) => {
                jose::sign_hs256(secret.as_bytes(), None, claims)
            }
            _ => jose::sign_default(signer, claims),
        }
    }

    /// The algorithm [`OidcProvider::sign_id_token`] uses for `client_id`.
    pub fn id_token_algorithm(&self, client_id: &str) -> SigningAlgorithm {
        let state = lock(&self.state);
        let has_secret = state
            .clients
            .get(client_id)
            .is_some_and(|c| c.client_secret.is_some());
        match state.signing {
            IdTokenSigning::Hs256 if has_secret => SigningAlgorithm::Hs256,
            _ => SigningAlgorithm::Rs256,
        }
    }

    /// A fresh, valid ID token for `client_id`, as a code exchange would issue it: `iss`,
    /// `sub`, `aud`, `azp`, `iat`, `exp` (30 minutes), the user's profile claims, and `nonce`
    /// and `at_hash` when given.
    pub fn id_token_for(
        &self,
        client_id: &str,
        nonce: Option<&str>,
        access_token: Option<&str>,
    ) -> String {
        let now = now_secs();
        let mut claims = lock(&self.state).user_claims.clone();
        claims.insert("sub".into(), json!(self.subject()));
        for (name, value) in [
            ("iss", json!(self.issuer)),
            ("aud", json!(client_id)),
            ("azp", json!(client_id)),
            ("iat", json!(now)),
            ("exp", json!(now + 1800)),
            ("jti", json!(self.next_id(""))),
        ] {
            claims.insert(name.into(), value);
        }
        // Tencent CIAM and Huawei OneAccess: inferred: not in their documentation; their
        // token pages show no ID-token claims, so `nonce` (echoed from the authorize request)
        // and `at_hash` (always) are OpenID Connect Core's, not theirs. Tests of those
        // vendors do not assert the two claims are present.
        if let Some(nonce) = nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        if let Some(at) = access_token {
            let alg = self.id_token_algorithm(client_id);
            claims.insert("at_hash".into(), json!(access_token_hash(alg, at)));
        }
        self.sign_id_token(client_id, &Value::Object(claims))
    }

    /// Mints an access token for the demo user, valid at the userinfo endpoint, as a code
    /// exchange would.
    pub fn issue_access_token(&self, client_id: &str) -> String {
        let token = self.next_id("at-");
        self.remember_access_token(&token, client_id);
        token
    }

    fn remember_access_token(&self, token: &str, _client_id: &str) {
        let subject = self.subject();
        lock(&self.state).access_tokens.insert(
            token.to_owned(),
            AccessRecord {
                subject,
                active: true,
            },
        );
    }

    /// Makes `access_token` invalid at the userinfo endpoint (as if revoked or expired).
    pub fn revoke_access_token(&self, access_token: &str) {
        if let Some(record) = lock(&self.state).access_tokens.get_mut(access_token) {
            record.active = false;
        }
    }

    /// Answers a userinfo request as the profile's [`UserinfoStyle`] says.
    pub fn handle_userinfo(&self, headers: &HeaderMap) -> Response {
        let style = self.profile.userinfo_style;
        if style == UserinfoStyle::OneAccess
            && !headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("application/json"))
        {
            // Marked required by OneAccess (ShowUser_0); the refusal's shape is assumed.
            return Reply::oauth_error(
                400,
                "invalid_request",
                "the Accept header must be application/json",
            )
            .into_response();
        }
        let token = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned());
        let subject = token.as_ref().and_then(|t| {
            lock(&self.state)
                .access_tokens
                .get(t)
                .filter(|r| r.active)
                .map(|r| r.subject.clone())
        });
        let Some(subject) = subject else {
            return userinfo_refusal(style, token.is_none());
        };
        let mut claims = lock(&self.state).user_claims.clone();
        claims.insert("sub".into(), json!(subject));
        let body = match style {
            UserinfoStyle::OneAccess => {
                let get = |k: &str| claims.get(k).cloned().unwrap_or(Value::Null);
                json!({
                    "id": subject,
                    "name": get("name"),
                    "userName": get("preferred_username"),
                    "mobile": get("phone_number"),
                    "email": get("email"),
                })
            }
            UserinfoStyle::GenAuth => {
                for name in [
                    "nickname",
                    "given_name",
                    "family_name",
                    "middle_name",
                    "birthdate",
                    "gender",
                    "zoneinfo",
                    "locale",
                    "updated_at",
                    "website",
                    "profile",
                ] {
                    claims.entry(name).or_insert(Value::Null);
                }
                Value::Object(claims)
            }
            UserinfoStyle::Standard | UserinfoStyle::Tencent => Value::Object(claims),
        };
        Reply::json(200, body).into_response()
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
        if !self.profile.auth_methods.contains(&presented.method)
            || !self.authenticates(&client, &presented, &self.token_endpoint())
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
        let consented = !self.profile.refresh_tokens_need_consent
            || (scope.split(' ').any(|s| s == "offline_access")
                && lock(&self.state).consented.contains(code));
        let refresh = (self.profile.issue_refresh_tokens && consented)
            .then(|| self.issue_refresh_token(&client.client_id, &scope));
        let nonce = lock(&self.state).nonces.get(code).cloned();
        Reply::json(
            200,
            self.token_body_with_nonce(&client.client_id, &scope, true, refresh, nonce.as_deref()),
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
        self.token_body_with_nonce(client_id, scope, for_user, refresh_token, None)
    }

    /// [`OidcProvider::token_body`] with the `nonce` of the authorize request in the ID token.
    pub fn token_body_with_nonce(
        &self,
        client_id: &str,
        scope: &str,
        for_user: bool,
        refresh_token: Option<String>,
        nonce: Option<&str>,
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
        if for_user {
            self.remember_access_token(&access_token, client_id);
        }
        let mut body = Map::new();
        body.insert("access_token".into(), Value::String(access_token.clone()));
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
                Value::String(self.id_token_for(client_id, nonce, Some(&access_token))),
            );
        }
        Value::Object(body)
    }

    /// Whether `presented` authenticates `client` with its registered method: the secret for
    /// `client_secret_basic` / `client_secret_post`, a valid assertion for the JWT methods
    /// (see [`OidcProvider::check_assertion`]) addressed to `endpoint` or the token endpoint.
    fn authenticates(
        &self,
        client: &ClientRegistration,
        presented: &Presented,
        endpoint: &str,
    ) -> bool {
        if client.auth_method != presented.method {
            return false;
        }
        match client.auth_method {
            AuthMethod::None => true,
            AuthMethod::ClientSecretJwt | AuthMethod::PrivateKeyJwt => presented
                .assertion
                .as_deref()
                .is_some_and(|a| self.check_assertion(client, a, endpoint).is_ok()),
            _ => client.client_secret.is_some() && client.client_secret == presented.secret,
        }
    }

    /// Checks a client assertion (RFC 7523 section 3): signed with the registered secret
    /// (HS256, `client_secret_jwt`) or public key (RS256 / ES256, `private_key_jwt`); `iss`
    /// and `sub` are the client id; `aud` is `endpoint`, the token endpoint or the issuer;
    /// `exp` in the future; `jti` never seen before. Err says which check failed.
    pub fn check_assertion(
        &self,
        client: &ClientRegistration,
        assertion: &str,
        endpoint: &str,
    ) -> Result<(), String> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let (key, algorithms) = match client.auth_method {
            AuthMethod::ClientSecretJwt => {
                let secret = client
                    .client_secret
                    .as_deref()
                    .ok_or("no registered secret")?;
                (
                    DecodingKey::from_secret(secret.as_bytes()),
                    vec![Algorithm::HS256],
                )
            }
            AuthMethod::PrivateKeyJwt => {
                let pem = client
                    .public_key_pem
                    .as_deref()
                    .ok_or("no registered key")?;
                match DecodingKey::from_rsa_pem(pem.as_bytes()) {
                    Ok(k) => (k, vec![Algorithm::RS256, Algorithm::PS256]),
                    Err(_) => (
                        DecodingKey::from_ec_pem(pem.as_bytes())
                            .map_err(|_| "the registered key is neither RSA nor EC")?,
                        vec![Algorithm::ES256],
                    ),
                }
            }
            _ => return Err("not a JWT auth method".into()),
        };
        let header = jsonwebtoken::decode_header(assertion).map_err(|e| format!("header: {e}"))?;
        if !algorithms.contains(&header.alg) {
            return Err(format!("algorithm {:?} not allowed", header.alg));
        }
        let mut validation = Validation::new(header.alg);
        let audiences = [
            endpoint.to_owned(),
            self.token_endpoint(),
            self.issuer.clone(),
        ];
        validation.set_audience(&audiences);
        validation.set_issuer(&[client.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
            .map_err(|e| format!("assertion refused: {e}"))?;
        if data.claims.get("sub").and_then(Value::as_str) != Some(client.client_id.as_str()) {
            return Err("sub is not the client id".into());
        }
        let jti = data
            .claims
            .get("jti")
            .and_then(Value::as_str)
            .ok_or("no jti")?
            .to_owned();
        if !lock(&self.state).used_jtis.insert(jti) {
            return Err("jti reused (a replayed assertion)".into());
        }
        Ok(())
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
        let revocation = self
            .profile
            .revocation_path
            .as_deref()
            .map(|p| self.url_for(p))
            .unwrap_or_default();
        if !self.authenticates(&client, &presented, &revocation) {
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
    // inferred: not in any vendor's documentation; a real authorize endpoint shows a login
    // (and, for GenAuth with `prompt=consent`, a consent) page first. Only the redirect's
    // parameters are the documented ones.
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
        let Some(redirect_uri) = query.get(&self.profile.authorize_redirect_param) else {
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
                let consent = query
                    .get("prompt")
                    .is_some_and(|p| p.split(' ').any(|v| v == "consent"));
                let offline = query
                    .get("scope")
                    .is_some_and(|s| s.split(' ').any(|v| v == "offline_access"));
                if consent && offline {
                    lock(&self.state).consented.insert(code.clone());
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
            let needs_hint = self.profile.logout_redirect_needs_id_token_hint;
            router = router.route(
                path,
                get(
                    move |Query(query): Query<HashMap<String, String>>| async move {
                        let hinted = !needs_hint || query.contains_key("id_token_hint");
                        logout_response(query.get(&param).filter(|_| hinted))
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
        if let Some(path) = &self.profile.userinfo_path {
            let me = Arc::clone(self);
            let me_post = Arc::clone(self);
            router = router.route(
                path,
                get(move |headers: HeaderMap| async move { me.handle_userinfo(&headers) }).post(
                    move |headers: HeaderMap| async move { me_post.handle_userinfo(&headers) },
                ),
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

/// A userinfo refusal: `missing` when no bearer token came at all.
fn userinfo_refusal(style: UserinfoStyle, missing: bool) -> Response {
    let (status, code, description) = if missing {
        (
            400,
            "invalid_request",
            "Bearer token not found in the request",
        )
    } else {
        (
            401,
            "invalid_token",
            "the access token is invalid, expired or revoked",
        )
    };
    let challenge = format!(
        "Bearer error=\"{code}\", error_description=\"{description}\", \
         error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\""
    );
    let with_challenge = |mut response: Response| {
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, v);
        }
        response
    };
    match style {
        UserinfoStyle::Tencent => with_challenge(Reply::empty(status).into_response()),
        UserinfoStyle::OneAccess => Reply::oauth_error(
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        )
        .into_response(),
        UserinfoStyle::Standard | UserinfoStyle::GenAuth => {
            // RFC 6750 3.1: no error code when the request had no token at all.
            if missing {
                let mut response = Reply::empty(401).into_response();
                response.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"emulator\""),
                );
                response
            } else {
                with_challenge(Reply::oauth_error(status, code, description).into_response())
            }
        }
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
    if let Some(assertion) = params.get("client_assertion") {
        if basic.is_some()
            || params.contains_key("client_secret")
            || params.get("client_assertion_type").map(String::as_str)
                != Some(CLIENT_ASSERTION_TYPE)
        {
            return Err(());
        }
        // The client is named by the assertion's `sub` (RFC 7523 section 3); `client_id`,
        // when sent too, must agree.
        let sub = assertion
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned));
        let alg_hs = jsonwebtoken::decode_header(assertion)
            .map(|h| h.alg == jsonwebtoken::Algorithm::HS256)
            .unwrap_or(false);
        let client_id = match (params.get("client_id"), sub) {
            (Some(id), Some(sub)) if *id != sub => return Err(()),
            (_, Some(sub)) => Some(sub),
            (id, None) => id.cloned(),
        };
        return Ok(Presented {
            client_id,
            secret: None,
            method: if alg_hs {
                AuthMethod::ClientSecretJwt
            } else {
                AuthMethod::PrivateKeyJwt
            },
            assertion: Some(assertion.clone()),
        });
    }
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
            assertion: None,
        });
    }
    let client_id = params.get("client_id").cloned();
    Ok(match params.get("client_secret") {
        Some(secret) => Presented {
            client_id,
            secret: Some(secret.clone()),
            method: AuthMethod::ClientSecretPost,
            assertion: None,
        },
        None => Presented {
            client_id,
            secret: None,
            method: AuthMethod::None,
            assertion: None,
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
