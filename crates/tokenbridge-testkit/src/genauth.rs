//! A GenAuth (Authing) emulator: the V3 QR-login API, and the `/oidc` and `/oauth` token
//! endpoints of one application host.
//!
//! - `POST /api/v3/gene-qrcode`, `GET /api/v3/get-qrcode-status`,
//!   `POST /api/v3/exchange-tokenset-with-qrcode-ticket`: answers in the V3 envelope
//!   `{statusCode, message, requestId, data}`; business failures come with HTTP 200 and an
//!   error `statusCode` plus an `apiCode` (see [`Failure`]).
//! - `/oidc/token` (issuer `<base>/oidc`, id tokens, discovery and JWKS under `/oidc`) and
//!   `/oauth/token` (opaque access token, no id token, scope `user`): two
//!   [`OidcProvider`]s.
//!
//! A test drives the QR code: [`GenAuthEmulator::scan`], [`GenAuthEmulator::confirm`] (a
//! one-time ticket is issued, or the token set itself for apps made with
//! [`GenAuthApp::returning_token_set`]), [`GenAuthEmulator::cancel`],
//! [`GenAuthEmulator::expire`], [`GenAuthEmulator::fail`]. Each application's auth method is
//! enforced on the ticket exchange and the token endpoints alike, and Basic credentials are
//! decoded raw (`base64(id:secret)`, no form-decoding), as GenAuth documents them.
//!
//! Every emulator starts with the demo application [`DEMO_APP_ID`] / [`DEMO_APP_SECRET`]
//! (`client_secret_post`) registered.
//!
//! The same QR-code controls are HTTP routes, for a program driving the emulator from another
//! process (`tokenbridge emulate`, end-to-end tests of a CLI or an app):
//!
//! - `GET /emulator/qrcodes`: every QR code, oldest first, as
//!   `{"qrcodes": [{"qrcodeId", "appId", "status", "user"?, "ticket"?}]}`;
//! - `POST /emulator/qrcode/{id}/scan` (query `displayName`, `photo`; default
//!   [`DEFAULT_SCANNER_NAME`]), `.../confirm`, `.../cancel`, `.../expire`, `.../fail`:
//!   answer `200 {"qrcodeId", "status"}` with the new status, `409` with the current status
//!   when the code is not in a state that allows the change, and `404` for an unknown id.
//!   All errors are `{"error", "message", "qrcodeId", "status"?}`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::genauth::{GenAuthEmulator, DEMO_APP_ID};
//!
//! let emulator = GenAuthEmulator::start().await.unwrap();
//! let qrcode_id = emulator.create_qr_code(DEMO_APP_ID);
//! assert!(emulator.scan(&qrcode_id, "Alice", "https://files.example.com/alice.png"));
//! assert!(emulator.confirm(&qrcode_id));
//! assert!(emulator.ticket(&qrcode_id).is_some());
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokenbridge_core::{AuthMethod, Protocol};
use url::Url;

use crate::conformance::{ConformanceTarget, IssuedCode, IssuedExtension, ProviderTarget};
use crate::facts::genauth as facts;
use crate::oidc::{
    ClientRegistration, CodeRequest, IdTokenSigning, OidcProvider, Profile, Reply, UserinfoStyle,
};
use crate::server::{any_loopback_port, lock, EmulatorServer, RecordedRequest, Recorder};

/// The demo application every emulator starts with.
pub const DEMO_APP_ID: &str = "demo-app";

/// The secret of [`DEMO_APP_ID`].
pub const DEMO_APP_SECRET: &str = "demo-secret";

/// `POST`: creates a QR code.
pub const GENE_QRCODE_PATH: &str = facts::GENE_QRCODE_PATH;
/// `GET ?qrcodeId=`: a QR code's status.
pub const QRCODE_STATUS_PATH: &str = facts::QRCODE_STATUS_PATH;
/// `POST`: exchanges a ticket for tokens.
pub const EXCHANGE_TICKET_PATH: &str = facts::EXCHANGE_TICKET_PATH;
/// The extension `grant_type` under which the GenAuth adapter exchanges a QR-login ticket.
/// GenAuth's API has no `grant_type` for it (the ticket goes to its own V3 endpoint); this
/// name only routes the grant inside tokenbridge, and equals the adapter's constant (its
/// conformance test compares the two).
pub const QR_TICKET_GRANT_TYPE: &str = "urn:tokenbridge:genauth:qrcode-ticket";
/// The OIDC token endpoint.
pub const OIDC_TOKEN_PATH: &str = facts::OIDC_TOKEN_PATH;
/// The OAuth 2.0 token endpoint.
pub const OAUTH_TOKEN_PATH: &str = facts::OAUTH_TOKEN_PATH;
/// The OIDC revocation endpoint.
pub const OIDC_REVOCATION_PATH: &str = facts::OIDC_REVOCATION_PATH;
/// The OAuth 2.0 revocation endpoint.
pub const OAUTH_REVOCATION_PATH: &str = facts::OAUTH_REVOCATION_PATH;

/// The endpoints where GenAuth reads `Authorization: Basic base64(<id>:<secret>)` (GenAuth's
/// SDKs attach Basic only to the token, revocation and ticket-exchange paths). GenAuth
/// documents the value raw, without RFC 6749's form-encoding of id and secret, so the emulator
/// decodes it raw too: a form-encoded `+`, `%` or space does not match.
const RAW_BASIC_PATHS: [&str; 4] = [
    OIDC_TOKEN_PATH,
    OAUTH_TOKEN_PATH,
    OIDC_REVOCATION_PATH,
    OAUTH_REVOCATION_PATH,
];
/// `GET`: the emulator's QR codes and their statuses (an emulator control, not GenAuth's API).
pub const CONTROL_QRCODES_PATH: &str = "/emulator/qrcodes";
/// The prefix of the per-code control routes: `POST <prefix>/{id}/scan` and so on.
pub const CONTROL_QRCODE_PREFIX: &str = "/emulator/qrcode";

/// Who scans a code through `POST /emulator/qrcode/{id}/scan` when the query names nobody.
pub const DEFAULT_SCANNER_NAME: &str = "Demo User";
/// The photo URL of [`DEFAULT_SCANNER_NAME`].
pub const DEFAULT_SCANNER_PHOTO: &str = "https://files.example.com/demo-user.png";

/// How long a QR code stays valid unless changed with [`GenAuthEmulator::set_qr_validity`]
/// (GenAuth's console default).
pub const DEFAULT_QR_VALIDITY: Duration = facts::DEFAULT_QR_VALIDITY;

/// How long a ticket stays valid (GenAuth's console default).
pub const TICKET_VALIDITY: Duration = facts::TICKET_VALIDITY;

/// The lifetime written as `expire_in` in V3 token sets (the value of GenAuth's examples).
pub const V3_EXPIRE_IN: u64 = facts::V3_EXPIRE_IN;

/// A business failure, answered as HTTP 200 with this envelope.
///
/// GenAuth does not document the `apiCode`s of these failures; apart from
/// [`APP_NOT_FOUND`] (the values of GenAuth's error-code page) they are the emulator's own
/// choice, so tests should match on the kind of error, not on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// `statusCode`.
    pub status_code: i64,
    /// `apiCode`.
    pub api_code: i64,
    /// `message`.
    pub message: &'static str,
}

/// Unknown or missing `x-authing-app-id`: statusCode 499, apiCode 2011, as on GenAuth's
/// error-code page ("应用不存在", the application does not exist).
pub const APP_NOT_FOUND: Failure = Failure {
    status_code: facts::APP_NOT_FOUND_STATUS_CODE,
    api_code: facts::APP_NOT_FOUND_API_CODE,
    message: "application does not exist",
};

/// A missing or malformed parameter.
// inferred: not in GenAuth's documentation; the statusCode and apiCode are the emulator's own
// choice (so are those of the next three failures).
pub const INVALID_PARAMETER: Failure = Failure {
    status_code: 400,
    api_code: 1001,
    message: "invalid request parameters",
};

/// Wrong client id or secret, or another auth method than the application's (the
/// emulator's own codes).
pub const CLIENT_AUTH_FAILED: Failure = Failure {
    status_code: 401,
    api_code: 2002,
    message: "client authentication failed: check client_id, client_secret and the application's token exchange auth method",
};

/// Unknown QR code, or one of another application (the emulator's own codes).
pub const QRCODE_NOT_FOUND: Failure = Failure {
    status_code: 404,
    api_code: 2003,
    message: "QR code does not exist",
};

/// Unknown, used or expired ticket, or one of another application (the emulator's own
/// codes).
pub const TICKET_INVALID: Failure = Failure {
    status_code: 400,
    api_code: 2004,
    message: "ticket is invalid or expired",
};

/// A successful V3 envelope around `data`.
pub fn envelope_ok(data: Value) -> Value {
    json!({"statusCode": 200, "message": "success", "data": data})
}

/// A failure envelope, as GenAuth sends it: no `data`, with `apiCode` and `requestId`.
pub fn envelope_error(failure: Failure, request_id: &str) -> Value {
    json!({
        "statusCode": failure.status_code,
        "message": failure.message,
        "apiCode": failure.api_code,
        "requestId": request_id,
    })
}

/// One emulated application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAuthApp {
    /// The application id (`x-authing-app-id`, `client_id`).
    pub app_id: String,
    /// The application secret; `None` for `none`.
    pub app_secret: Option<String>,
    /// The "token exchange auth method", enforced on the ticket exchange and the token
    /// endpoints.
    pub auth_method: AuthMethod,
    /// The console switch "Web polling interface returns complete user information": an
    /// AUTHORIZED status then carries `tokenSet` instead of `ticket`.
    pub return_token_set: bool,
}

impl GenAuthApp {
    /// A confidential application using `auth_method`.
    pub fn new(app_id: &str, app_secret: &str, auth_method: AuthMethod) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: Some(app_secret.into()),
            auth_method,
            return_token_set: false,
        }
    }

    /// An application whose auth method is `none` (single-page and native apps).
    pub fn public(app_id: &str) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: None,
            auth_method: AuthMethod::None,
            return_token_set: false,
        }
    }

    /// [`DEMO_APP_ID`] with [`DEMO_APP_SECRET`], `client_secret_post`.
    pub fn demo() -> Self {
        Self::new(DEMO_APP_ID, DEMO_APP_SECRET, AuthMethod::ClientSecretPost)
    }

    /// The same application with the token set returned by the status poll.
    pub fn returning_token_set(mut self) -> Self {
        self.return_token_set = true;
        self
    }
}

/// Where a QR code is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrPhase {
    /// `PENDING`.
    Pending,
    /// `SCANNED`.
    Scanned,
    /// `AUTHORIZED`.
    Authorized,
    /// `CANCELLED`.
    Cancelled,
    /// `EXPIRED`.
    Expired,
    /// `ERROR`.
    Error,
}

impl QrPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            QrPhase::Pending => "PENDING",
            QrPhase::Scanned => "SCANNED",
            QrPhase::Authorized => "AUTHORIZED",
            QrPhase::Cancelled => "CANCELLED",
            QrPhase::Expired => "EXPIRED",
            QrPhase::Error => "ERROR",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, QrPhase::Pending | QrPhase::Scanned)
    }
}

#[derive(Debug, Clone)]
struct QrRecord {
    /// Creation order, for listing.
    serial: u64,
    app_id: String,
    phase: QrPhase,
    user: Option<(String, String)>,
    expires_at: Instant,
    ticket: Option<String>,
    token_set: Option<Value>,
}

#[derive(Debug, Clone)]
struct TicketRecord {
    app_id: String,
    expires_at: Instant,
    used: bool,
}

#[derive(Debug)]
struct State {
    apps: HashMap<String, GenAuthApp>,
    qrcodes: HashMap<String, QrRecord>,
    qr_serial: u64,
    tickets: HashMap<String, TicketRecord>,
    queued: VecDeque<Reply>,
    qr_validity: Duration,
    exchange_delay: Duration,
}

struct Shared {
    base: Url,
    state: Mutex<State>,
    oidc: Arc<OidcProvider>,
    oauth: Arc<OidcProvider>,
    /// Writes V3 token sets (`expire_in`, `bearer`), issued by the `/oidc` issuer.
    v3_tokens: Arc<OidcProvider>,
    counter: AtomicU64,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAuthState")
            .field("base", &self.base.as_str())
            .finish()
    }
}

/// The `/oidc` side: issuer `<base>/oidc`, id tokens, discovery and JWKS under `/oidc`,
/// standard `expires_in` and `Bearer`. Paths as GenAuth's V3 authentication OpenAPI spec
/// lists them (<https://github.com/Authing/authing-docs-factory>): `/oidc/auth`,
/// `/oidc/token`, `/oidc/token/revocation`, `/oidc/session/end`.
///
/// As GenAuth's defaults: ID tokens are signed HS256 with the application secret (the
/// documentation's example header; RS256 after
/// [`OidcProvider::set_id_token_signing`](crate::oidc::OidcProvider::set_id_token_signing)),
/// and a code gets a refresh token only when its authorize request asked for
/// `offline_access` with `prompt=consent` (GenAuth's OpenID Connect guide).
pub fn oidc_profile() -> Profile {
    let mut p = Profile::standard();
    p.name = "genauth-oidc".into();
    p.issuer_path = facts::OIDC_ISSUER_PATH.into();
    p.token_path = OIDC_TOKEN_PATH.into();
    p.authorize_path = Some(facts::OIDC_AUTHORIZE_PATH.into());
    p.revocation_path = Some(OIDC_REVOCATION_PATH.into());
    p.end_session_path = Some(facts::OIDC_END_SESSION_PATH.into());
    p.logout_redirect_param = facts::LOGOUT_REDIRECT_PARAM.into();
    // `post_logout_redirect_uri` is honoured only with `id_token_hint` (V3 OpenAPI spec).
    p.logout_redirect_needs_id_token_hint = true;
    p.discovery_path = Some(facts::OIDC_DISCOVERY_PATH.into());
    p.jwks_path = Some(facts::OIDC_JWKS_PATH.into());
    // `GET`/`POST /oidc/me`: standard claims, unset ones `null` (V3 OpenAPI spec).
    p.userinfo_path = Some(facts::OIDC_USERINFO_PATH.into());
    p.userinfo_style = UserinfoStyle::GenAuth;
    p.expires_in = 3600;
    p.default_scope = "openid profile".into();
    p.id_token_signing = IdTokenSigning::Hs256;
    p.refresh_tokens_need_consent = true;
    // inferred: not in GenAuth's documentation; `iss` on the authorize redirect (RFC 9207).
    p.send_iss = true;
    p
}

/// The `/oauth` side, as GenAuth's OAuth 2.0 page shows it
/// (<https://docs.genauth.ai/federation/oauth2/authorization-code/>): an opaque 40-hex access
/// token, no id token, scope `user`, `expires_in` 3599; `/oauth/auth`, `/oauth/token`,
/// `/oauth/token/revocation`, no logout.
///
/// inferred: not in GenAuth's documentation; the emulator accepts public clients (`none`) at
/// `/oauth/token` (the page lists `client_secret_post` and `client_secret_basic`), checks a
/// code's PKCE challenge there (the page documents no PKCE), and issues a refresh token with
/// every code. Tests do not assert these as GenAuth's behaviour.
pub fn oauth_profile() -> Profile {
    let mut p = Profile::standard();
    p.name = "genauth-oauth".into();
    p.issuer_path = "/oauth".into();
    p.token_path = OAUTH_TOKEN_PATH.into();
    p.authorize_path = Some(facts::OAUTH_AUTHORIZE_PATH.into());
    p.revocation_path = Some(OAUTH_REVOCATION_PATH.into());
    p.end_session_path = None;
    p.discovery_path = None;
    p.jwks_path = None;
    p.userinfo_path = Some(facts::OAUTH_USERINFO_PATH.into());
    p.userinfo_style = UserinfoStyle::GenAuth;
    p.expires_in = 3599;
    p.jwt_access_tokens = false;
    p.issue_id_tokens = false;
    p.default_scope = "user".into();
    p
}

fn v3_token_profile() -> Profile {
    let mut p = oidc_profile();
    p.name = "genauth-v3".into();
    p.expires_in = V3_EXPIRE_IN;
    p.expiry_field = "expire_in".into();
    p.token_type = "bearer".into();
    p
}

/// A running GenAuth emulator. It stops when dropped.
#[derive(Debug)]
pub struct GenAuthEmulator {
    server: EmulatorServer,
    shared: Arc<Shared>,
}

impl GenAuthEmulator {
    /// Starts on a free loopback port with the demo application registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` with the demo application registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let mut shared = None;
        let server = EmulatorServer::start(addr, |base| {
            let s = Arc::new(Shared {
                base: base.clone(),
                state: Mutex::new(State {
                    apps: HashMap::new(),
                    qrcodes: HashMap::new(),
                    qr_serial: 0,
                    tickets: HashMap::new(),
                    queued: VecDeque::new(),
                    qr_validity: DEFAULT_QR_VALIDITY,
                    exchange_delay: Duration::ZERO,
                }),
                oidc: OidcProvider::new(oidc_profile(), base),
                oauth: OidcProvider::new(oauth_profile(), base),
                v3_tokens: OidcProvider::new(v3_token_profile(), base),
                counter: AtomicU64::new(1),
            });
            let router = routes(&s);
            shared = Some(s);
            router
        })
        .await?;
        let shared = shared.ok_or_else(|| std::io::Error::other("router was not built"))?;
        let emulator = Self { server, shared };
        emulator.register_app(GenAuthApp::demo());
        Ok(emulator)
    }

    /// `http://127.0.0.1:<port>/`: the application host.
    pub fn base_url(&self) -> &Url {
        self.server.base_url()
    }

    /// The application host without the trailing slash, as configuration files write it.
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// The server (address, recorded requests).
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Requests received at `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.server.requests_to(path)
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.server.clear_requests();
    }

    /// Registers (or replaces) an application, on the V3 API and both token endpoints.
    pub fn register_app(&self, app: GenAuthApp) {
        let client = match &app.app_secret {
            Some(secret) if app.auth_method != AuthMethod::None => {
                ClientRegistration::confidential(&app.app_id, secret, app.auth_method)
            }
            _ => ClientRegistration::public(&app.app_id),
        };
        self.shared.oidc.register_client(client.clone());
        self.shared.oauth.register_client(client);
        lock(&self.shared.state)
            .apps
            .insert(app.app_id.clone(), app);
    }

    /// The `/oidc` provider (mint codes, queue token-endpoint replies).
    pub fn oidc(&self) -> &Arc<OidcProvider> {
        &self.shared.oidc
    }

    /// The `/oauth` provider.
    pub fn oauth(&self) -> &Arc<OidcProvider> {
        &self.shared.oauth
    }

    /// The provider behind `protocol`'s token endpoint.
    pub fn provider(&self, protocol: Protocol) -> &Arc<OidcProvider> {
        match protocol {
            Protocol::Oidc => &self.shared.oidc,
            _ => &self.shared.oauth,
        }
    }

    /// Makes the next V3 call (any of the three) get `reply` instead of the normal answer.
    /// Replies queue up in order. Token endpoints have their own queue:
    /// `oidc().push_reply(..)`.
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.shared.state).queued.push_back(reply);
    }

    /// Sets how long QR codes created from now on stay valid.
    pub fn set_qr_validity(&self, validity: Duration) {
        lock(&self.shared.state).qr_validity = validity;
    }

    /// Makes every ticket exchange answer only after `delay` (for deadline tests).
    pub fn set_exchange_delay(&self, delay: Duration) {
        lock(&self.shared.state).exchange_delay = delay;
    }

    /// Creates a QR code for `app_id` without an HTTP call, as `gene-qrcode` would.
    pub fn create_qr_code(&self, app_id: &str) -> String {
        self.shared.create_qr_code(app_id)
    }

    /// The QR code's phase, if it exists.
    pub fn qr_phase(&self, qrcode_id: &str) -> Option<QrPhase> {
        self.shared.phase(qrcode_id)
    }

    /// The phone scans: `PENDING` becomes `SCANNED` with this user. False if the code is
    /// unknown or not pending.
    pub fn scan(&self, qrcode_id: &str, display_name: &str, photo: &str) -> bool {
        self.shared.scan(qrcode_id, display_name, photo)
    }

    /// The user confirms: `SCANNED` becomes `AUTHORIZED`, with a fresh one-time ticket (or
    /// the token set, for apps returning it). False if the code is unknown or not scanned.
    pub fn confirm(&self, qrcode_id: &str) -> bool {
        self.shared.confirm(qrcode_id)
    }

    /// The user declines: `PENDING` or `SCANNED` becomes `CANCELLED`.
    pub fn cancel(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Cancelled)
    }

    /// The code expires now: `PENDING` or `SCANNED` becomes `EXPIRED`.
    pub fn expire(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Expired)
    }

    /// GenAuth fails the code: `PENDING` or `SCANNED` becomes `ERROR`.
    pub fn fail(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Error)
    }

    /// The ticket an `AUTHORIZED` code carries, if any.
    pub fn ticket(&self, qrcode_id: &str) -> Option<String> {
        lock(&self.shared.state)
            .qrcodes
            .get(qrcode_id)
            .and_then(|r| r.ticket.clone())
    }

    /// A fresh one-time ticket for `app_id`: a QR code created, scanned by "Test User" and
    /// confirmed. `None` if the app is unknown or returns token sets instead of tickets.
    pub fn issue_ticket(&self, app_id: &str) -> Option<String> {
        self.shared.issue_ticket(app_id)
    }

    /// Mints an authorization code at `protocol`'s token endpoint for `app_id`, as a sign-in
    /// with `scope=openid offline_access profile` and `prompt=consent` would: at `/oidc` it is
    /// the kind of code that gets a refresh token (GenAuth's OpenID Connect guide).
    pub fn issue_offline_code(
        &self,
        protocol: Protocol,
        app_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider(protocol).issue_consented_code(CodeRequest {
            client_id: app_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: Some("openid offline_access profile".into()),
        })
    }

    /// Mints an authorization code at `protocol`'s token endpoint for `app_id`, with the
    /// protocol's default scope; at `/oidc` it gets no refresh token (see
    /// [`GenAuthEmulator::issue_offline_code`]).
    pub fn issue_code(
        &self,
        protocol: Protocol,
        app_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider(protocol).issue_code(CodeRequest {
            client_id: app_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: None,
        })
    }

    /// A conformance target minting credentials for `app_id` (already registered), with
    /// codes from `protocol`'s token endpoint. The `pkce` check is skipped for OAuth 2.0:
    /// GenAuth documents no PKCE at `/oauth/token`.
    pub fn target(&self, app_id: &str, protocol: Protocol) -> GenAuthTarget {
        let provider = Arc::clone(self.provider(protocol));
        let token_path = provider.profile().token_path.clone();
        let mut standard = ProviderTarget::from_parts(
            provider,
            self.server.recorder(),
            // Ticket exchanges are counted by `ticket_exchanges`, added in
            // `token_request_count`.
            vec![token_path],
            app_id,
        );
        if protocol == Protocol::OAuth2 {
            // GenAuth's OAuth 2.0 page documents no PKCE at `/oauth/token`.
            standard = standard.without_pkce_check();
        }
        GenAuthTarget {
            standard,
            emulator: Arc::clone(&self.shared),
            recorder: self.server.recorder(),
            app_id: app_id.into(),
        }
    }

    /// Runs until the server stops (for the `tokenbridge emulate` command).
    pub async fn wait(self) {
        self.server.wait().await;
    }
}

/// A [`ConformanceTarget`] over a [`GenAuthEmulator`]: codes and refresh tokens from the
/// chosen token endpoint, tickets from a QR code scanned and confirmed on the spot.
#[derive(Debug, Clone)]
pub struct GenAuthTarget {
    standard: ProviderTarget,
    emulator: Arc<Shared>,
    recorder: Recorder,
    app_id: String,
}

impl GenAuthTarget {
    /// Requests received by the ticket-exchange endpoint so far.
    pub fn ticket_exchanges(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| r.path == EXCHANGE_TICKET_PATH)
            .count()
    }
}

impl ConformanceTarget for GenAuthTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        self.standard.issue_code(code_challenge)
    }

    fn issue_refresh_token(&self) -> Option<String> {
        self.standard.issue_refresh_token()
    }

    fn issue_extension(&self) -> Option<IssuedExtension> {
        let ticket = self.emulator.issue_ticket(&self.app_id)?;
        Some(IssuedExtension {
            grant_type: QR_TICKET_GRANT_TYPE.to_owned(),
            params: vec![("ticket".to_owned(), ticket)],
        })
    }

    fn token_request_count(&self) -> usize {
        self.standard.token_request_count() + self.ticket_exchanges()
    }
}

fn expire_if_due(record: &mut QrRecord) {
    if record.phase.is_open() && Instant::now() >= record.expires_at {
        record.phase = QrPhase::Expired;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Shared {
    fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!(
            "{}-{prefix}-{n}-{:?}",
            self.base,
            SystemTime::now()
        ));
        format!("{prefix}{}", &hex(&digest)[..24])
    }

    fn request_id(&self) -> String {
        let id = self.next_id("");
        format!(
            "{}-{}-{}-{}-{}",
            &id[0..8],
            &id[8..12],
            &id[12..16],
            &id[16..20],
            &id[20..24]
        )
    }

    fn create_qr_code(&self, app_id: &str) -> String {
        let id = self.next_id("qr-");
        let mut state = lock(&self.state);
        let expires_at = Instant::now() + state.qr_validity;
        state.qr_serial += 1;
        let serial = state.qr_serial;
        state.qrcodes.insert(
            id.clone(),
            QrRecord {
                serial,
                app_id: app_id.into(),
                phase: QrPhase::Pending,
                user: None,
                expires_at,
                ticket: None,
                token_set: None,
            },
        );
        id
    }

    fn transition(&self, qrcode_id: &str, change: impl FnOnce(&mut QrRecord) -> bool) -> bool {
        let mut state = lock(&self.state);
        let Some(record) = state.qrcodes.get_mut(qrcode_id) else {
            return false;
        };
        expire_if_due(record);
        change(record)
    }

    fn phase(&self, qrcode_id: &str) -> Option<QrPhase> {
        let mut state = lock(&self.state);
        let record = state.qrcodes.get_mut(qrcode_id)?;
        expire_if_due(record);
        Some(record.phase)
    }

    /// Ends an open (`PENDING` or `SCANNED`) code with `phase`.
    fn end(&self, qrcode_id: &str, phase: QrPhase) -> bool {
        self.transition(qrcode_id, |record| {
            if !record.phase.is_open() {
                return false;
            }
            record.phase = phase;
            true
        })
    }

    fn scan(&self, qrcode_id: &str, display_name: &str, photo: &str) -> bool {
        self.transition(qrcode_id, |record| {
            if record.phase != QrPhase::Pending {
                return false;
            }
            record.phase = QrPhase::Scanned;
            record.user = Some((display_name.into(), photo.into()));
            true
        })
    }

    fn confirm(&self, qrcode_id: &str) -> bool {
        let app = {
            let state = lock(&self.state);
            state
                .qrcodes
                .get(qrcode_id)
                .and_then(|r| state.apps.get(&r.app_id).cloned())
        };
        let Some(app) = app else {
            return false;
        };
        // Minted before taking the lock again: minting tokens takes the providers' locks.
        let ticket = self.next_id("tk-");
        let token_set = app.return_token_set.then(|| self.v3_token_set(&app.app_id));
        let confirmed = self.transition(qrcode_id, |record| {
            if record.phase != QrPhase::Scanned {
                return false;
            }
            record.phase = QrPhase::Authorized;
            match &token_set {
                Some(tokens) => record.token_set = Some(tokens.clone()),
                None => record.ticket = Some(ticket.clone()),
            }
            true
        });
        if confirmed && token_set.is_none() {
            lock(&self.state).tickets.insert(
                ticket,
                TicketRecord {
                    app_id: app.app_id,
                    expires_at: Instant::now() + TICKET_VALIDITY,
                    used: false,
                },
            );
        }
        confirmed
    }

    fn issue_ticket(&self, app_id: &str) -> Option<String> {
        if !lock(&self.state).apps.contains_key(app_id) {
            return None;
        }
        let id = self.create_qr_code(app_id);
        if !(self.scan(&id, "Test User", "https://files.example.com/test-user.png")
            && self.confirm(&id))
        {
            return None;
        }
        lock(&self.state)
            .qrcodes
            .get(&id)
            .and_then(|r| r.ticket.clone())
    }

    /// A V3 token set (`expire_in`, `bearer`) whose refresh token works at `/oidc/token`.
    fn v3_token_set(&self, app_id: &str) -> Value {
        let scope = "openid profile";
        let refresh = self.oidc.issue_refresh_token(app_id, scope);
        self.v3_tokens
            .token_body(app_id, scope, true, Some(refresh))
    }

    fn fail(&self, failure: Failure) -> Reply {
        Reply::json(200, envelope_error(failure, &self.request_id()))
    }

    fn ok(&self, data: Value) -> Reply {
        let mut body = envelope_ok(data);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("requestId".into(), Value::String(self.request_id()));
        }
        Reply::json(200, body)
    }

    /// `GET /emulator/qrcodes`.
    fn list_qr_codes(&self) -> Reply {
        let mut state = lock(&self.state);
        let mut records: Vec<(&String, &mut QrRecord)> = state.qrcodes.iter_mut().collect();
        records.sort_by_key(|(_, r)| r.serial);
        let listed: Vec<Value> = records
            .into_iter()
            .map(|(id, record)| {
                expire_if_due(record);
                let mut entry = Map::new();
                entry.insert("qrcodeId".into(), json!(id));
                entry.insert("appId".into(), json!(record.app_id));
                entry.insert("status".into(), json!(record.phase.as_str()));
                if let Some((name, photo)) = &record.user {
                    entry.insert("user".into(), json!({"displayName": name, "photo": photo}));
                }
                if let Some(ticket) = &record.ticket {
                    entry.insert("ticket".into(), json!(ticket));
                }
                Value::Object(entry)
            })
            .collect();
        Reply::json(200, json!({ "qrcodes": listed }))
    }

    /// `POST /emulator/qrcode/{id}/{action}`: the same transitions as the emulator's
    /// methods, answered in JSON.
    fn control(&self, qrcode_id: &str, action: &str, query: Option<&str>) -> Reply {
        let param = |name: &str| {
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let changed = match action {
            "scan" => {
                let name = param("displayName").unwrap_or_else(|| DEFAULT_SCANNER_NAME.into());
                let photo = param("photo").unwrap_or_else(|| DEFAULT_SCANNER_PHOTO.into());
                self.scan(qrcode_id, &name, &photo)
            }
            "confirm" => self.confirm(qrcode_id),
            "cancel" => self.end(qrcode_id, QrPhase::Cancelled),
            "expire" => self.end(qrcode_id, QrPhase::Expired),
            "fail" => self.end(qrcode_id, QrPhase::Error),
            _ => {
                return Reply::json(
                    404,
                    json!({
                        "error": "unknown_action",
                        "message": format!("unknown action {action:?}; use scan, confirm, cancel, expire or fail"),
                        "qrcodeId": qrcode_id,
                    }),
                )
            }
        };
        match self.phase(qrcode_id) {
            None => Reply::json(
                404,
                json!({
                    "error": "qrcode_not_found",
                    "message": format!("no QR code {qrcode_id:?}; GET {CONTROL_QRCODES_PATH} lists them"),
                    "qrcodeId": qrcode_id,
                }),
            ),
            Some(phase) if changed => Reply::json(
                200,
                json!({"qrcodeId": qrcode_id, "status": phase.as_str()}),
            ),
            Some(phase) => Reply::json(
                409,
                json!({
                    "error": "invalid_transition",
                    "message": format!(
                        "cannot {action} QR code {qrcode_id:?}: it is {}; scan needs PENDING, confirm needs SCANNED, cancel, expire and fail need PENDING or SCANNED",
                        phase.as_str()
                    ),
                    "qrcodeId": qrcode_id,
                    "status": phase.as_str(),
                }),
            ),
        }
    }

    fn queued(&self) -> Option<Reply> {
        lock(&self.state).queued.pop_front()
    }

    fn app_for(&self, headers: &HeaderMap) -> Result<GenAuthApp, Reply> {
        let id = headers
            .get(facts::APP_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        lock(&self.state)
            .apps
            .get(id)
            .cloned()
            .ok_or_else(|| self.fail(APP_NOT_FOUND))
    }

    fn gene_qrcode(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let Some(params) = json_object(body) else {
            return self.fail(INVALID_PARAMETER);
        };
        let kind = params.get("type").and_then(Value::as_str).unwrap_or("");
        if ![
            "MOBILE_APP",
            "WECHAT_MINIPROGRAM",
            "WECHAT_OFFICIAL_ACCOUNT",
        ]
        .contains(&kind)
        {
            return self.fail(INVALID_PARAMETER);
        }
        let id = self.create_qr_code(&app.app_id);
        let url = format!("{}qrcode/{id}", self.base);
        self.ok(json!({"qrcodeId": id, "url": url}))
    }

    fn qrcode_status(&self, headers: &HeaderMap, query: Option<&str>) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let id = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "qrcodeId")
            .map(|(_, v)| v.into_owned());
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return self.fail(INVALID_PARAMETER);
        };
        let record = {
            let mut state = lock(&self.state);
            match state.qrcodes.get_mut(&id) {
                Some(record) if record.app_id == app.app_id => {
                    expire_if_due(record);
                    Some(record.clone())
                }
                _ => None,
            }
        };
        let Some(record) = record else {
            return self.fail(QRCODE_NOT_FOUND);
        };
        let mut data = Map::new();
        data.insert("status".into(), json!(record.phase.as_str()));
        if matches!(
            record.phase,
            QrPhase::Scanned | QrPhase::Authorized | QrPhase::Cancelled
        ) {
            if let Some((name, photo)) = &record.user {
                data.insert(
                    "briefUserInfo".into(),
                    json!({"displayName": name, "photo": photo}),
                );
            }
        }
        if record.phase == QrPhase::Authorized {
            if let Some(tokens) = &record.token_set {
                data.insert("tokenSet".into(), tokens.clone());
            } else if let Some(ticket) = &record.ticket {
                data.insert("ticket".into(), json!(ticket));
            }
        }
        self.ok(Value::Object(data))
    }

    fn exchange_ticket(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let Some(params) = json_object(body) else {
            return self.fail(INVALID_PARAMETER);
        };
        if !client_authenticated(&app, headers, &params) {
            return self.fail(CLIENT_AUTH_FAILED);
        }
        let ticket = match params.get("ticket") {
            Some(Value::String(t)) if !t.is_empty() => t.clone(),
            _ => return self.fail(INVALID_PARAMETER),
        };
        {
            let mut state = lock(&self.state);
            match state.tickets.get_mut(&ticket) {
                Some(record)
                    if !record.used
                        && record.app_id == app.app_id
                        && Instant::now() < record.expires_at =>
                {
                    record.used = true;
                }
                _ => return self.fail(TICKET_INVALID),
            }
        }
        let tokens = self.v3_token_set(&app.app_id);
        let delay = lock(&self.state).exchange_delay;
        self.ok(tokens).delayed(delay)
    }
}

fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The V3 API's client authentication, as the application is configured: `none` needs
/// nothing (and takes no secret), `client_secret_post` needs `client_id` and `client_secret`
/// in the JSON body, `client_secret_basic` needs `Authorization: Basic base64(id:secret)` and
/// no secret in the body.
fn client_authenticated(
    app: &GenAuthApp,
    headers: &HeaderMap,
    params: &Map<String, Value>,
) -> bool {
    let body_text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|encoded| {
            STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|pair| {
                    pair.split_once(':')
                        .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
                })
        });
    let body_secret = body_text("client_secret");
    match app.auth_method {
        AuthMethod::None => basic.is_none() && body_secret.is_none(),
        AuthMethod::ClientSecretPost => {
            basic.is_none()
                && body_text("client_id").as_deref() == Some(app.app_id.as_str())
                && body_secret.is_some()
                && body_secret == app.app_secret
        }
        AuthMethod::ClientSecretBasic => match basic {
            Some(Some((id, secret))) => {
                body_secret.is_none() && id == app.app_id && Some(secret) == app.app_secret
            }
            _ => false,
        },
        _ => false,
    }
}

fn routes(shared: &Arc<Shared>) -> Router {
    let gene = Arc::clone(shared);
    let status = Arc::clone(shared);
    let exchange = Arc::clone(shared);
    let list = Arc::clone(shared);
    let control = Arc::clone(shared);
    let v3 = Router::new()
        .route(
            GENE_QRCODE_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&gene);
                async move { send(shared.gene_qrcode(&headers, &body)).await }
            }),
        )
        .route(
            QRCODE_STATUS_PATH,
            get(move |headers: HeaderMap, RawQuery(query): RawQuery| {
                let shared = Arc::clone(&status);
                async move { send(shared.qrcode_status(&headers, query.as_deref())).await }
            }),
        )
        .route(
            EXCHANGE_TICKET_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&exchange);
                async move { send(shared.exchange_ticket(&headers, &body)).await }
            }),
        )
        .route(
            "/qrcode/{id}",
            get(|Path(id): Path<String>| async move {
                Reply::raw(
                    200,
                    "text/plain; charset=utf-8",
                    format!(
                        "GenAuth emulator QR code {id}: scan it with POST {CONTROL_QRCODE_PREFIX}/{id}/scan, \
                         then confirm it with POST {CONTROL_QRCODE_PREFIX}/{id}/confirm\n"
                    ),
                )
            }),
        )
        .route(
            CONTROL_QRCODES_PATH,
            get(move || {
                let shared = Arc::clone(&list);
                async move { shared.list_qr_codes() }
            }),
        )
        .route(
            &format!("{CONTROL_QRCODE_PREFIX}/{{id}}/{{action}}"),
            post(
                move |Path((id, action)): Path<(String, String)>, RawQuery(query): RawQuery| {
                    let shared = Arc::clone(&control);
                    async move { shared.control(&id, &action, query.as_deref()) }
                },
            ),
        );
    v3.merge(shared.oidc.routes())
        .merge(shared.oauth.routes())
        .layer(middleware::from_fn(raw_basic))
}

/// The token and revocation endpoints come from [`OidcProvider`], which undoes RFC 6749's
/// form-encoding of Basic credentials. GenAuth does not (see [`RAW_BASIC_PATHS`]): the raw
/// id and secret are form-encoded here, so the provider's decoding gives them back unchanged.
async fn raw_basic(mut request: Request, next: Next) -> Response {
    if RAW_BASIC_PATHS.contains(&request.uri().path()) {
        let reencoded = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| {
                let (id, secret) = pair.split_once(':')?;
                let form = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let value = format!(
                    "Basic {}",
                    STANDARD.encode(format!("{}:{}", form(id), form(secret)))
                );
                HeaderValue::from_str(&value).ok()
            });
        if let Some(value) = reencoded {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
    }
    next.run(request).await
}

async fn send(reply: Reply) -> Reply {
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn qr_codes_follow_the_documented_transitions() {
        let emulator = GenAuthEmulator::start().await.unwrap();
        let id = emulator.create_qr_code(DEMO_APP_ID);
        assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Pending));
        assert!(!emulator.confirm(&id), "confirm needs a scan first");
        assert!(emulator.scan(&id, "Alice", "p"));
        assert!(!emulator.scan(&id, "Bob", "p"), "scanned once");
        assert!(emulator.confirm(&id));
        assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Authorized));
        assert!(emulator.ticket(&id).is_some_and(|t| t.starts_with("tk-")));
        for end in [
            GenAuthEmulator::cancel,
            GenAuthEmulator::expire,
            GenAuthEmulator::fail,
        ] {
            assert!(!end(&emulator, &id), "an authorized code is final");
        }
        assert!(!emulator.scan("qr-unknown", "Alice", "p"));
        assert_eq!(emulator.qr_phase("qr-unknown"), None);

        let id = emulator.create_qr_code(DEMO_APP_ID);
        assert!(emulator.cancel(&id));
        assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Cancelled));
        assert!(!emulator.expire(&id));
    }

    #[tokio::test]
    async fn codes_expire_by_themselves() {
        let emulator = GenAuthEmulator::start().await.unwrap();
        emulator.set_qr_validity(Duration::ZERO);
        let id = emulator.create_qr_code(DEMO_APP_ID);
        assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Expired));
        assert!(!emulator.scan(&id, "Alice", "p"));
    }

    #[tokio::test]
    async fn token_set_apps_get_no_ticket() {
        let emulator = GenAuthEmulator::start().await.unwrap();
        emulator.register_app(GenAuthApp::public("spa").returning_token_set());
        assert_eq!(emulator.issue_ticket("spa"), None);
        assert_eq!(emulator.issue_ticket("no-such-app"), None);
        assert!(emulator.issue_ticket(DEMO_APP_ID).is_some());
        let target = emulator.target("spa", Protocol::Oidc);
        assert!(target.issue_extension().is_none());
    }

    /// Sends a control request and returns the status and JSON body.
    async fn call(emulator: &GenAuthEmulator, get: bool, path_and_query: &str) -> (u16, Value) {
        let url = emulator.base_url().join(path_and_query).unwrap();
        let request = if get {
            tokenbridge_core::TokenRequest::get(url)
        } else {
            tokenbridge_core::TokenRequest::post(url, tokenbridge_core::BodyEncoding::None)
        };
        let response = tokenbridge_core::HttpClient::default()
            .send(&request)
            .await
            .unwrap();
        assert_eq!(
            response.content_type().as_deref(),
            Some("application/json;charset=UTF-8")
        );
        (
            response.status(),
            serde_json::from_slice(response.body()).unwrap(),
        )
    }

    #[tokio::test]
    async fn control_routes_drive_the_same_codes() {
        let emulator = GenAuthEmulator::start().await.unwrap();
        let first = emulator.create_qr_code(DEMO_APP_ID);
        let second = emulator.create_qr_code(DEMO_APP_ID);
        assert_eq!(
            call(&emulator, true, CONTROL_QRCODES_PATH).await,
            (
                200,
                json!({"qrcodes": [
                    {"qrcodeId": first, "appId": DEMO_APP_ID, "status": "PENDING"},
                    {"qrcodeId": second, "appId": DEMO_APP_ID, "status": "PENDING"},
                ]})
            )
        );

        let scan = format!("/emulator/qrcode/{first}/scan?displayName=Alice%20Li&photo=https%3A%2F%2Fp.example.com%2Fa.png");
        assert_eq!(
            call(&emulator, false, &scan).await,
            (200, json!({"qrcodeId": first, "status": "SCANNED"}))
        );
        assert_eq!(emulator.qr_phase(&first), Some(QrPhase::Scanned));
        let (status, body) = call(&emulator, false, &scan).await;
        assert_eq!(status, 409);
        assert_eq!(body["error"], "invalid_transition");
        assert_eq!(body["status"], "SCANNED");
        assert_eq!(body["qrcodeId"], first.as_str());

        let confirm = format!("/emulator/qrcode/{first}/confirm");
        assert_eq!(
            call(&emulator, false, &confirm).await,
            (200, json!({"qrcodeId": first, "status": "AUTHORIZED"}))
        );
        let ticket = emulator.ticket(&first).unwrap();

        // The defaults, and the ends.
        assert_eq!(
            call(&emulator, false, &format!("/emulator/qrcode/{second}/scan")).await,
            (200, json!({"qrcodeId": second, "status": "SCANNED"}))
        );
        assert_eq!(
            call(
                &emulator,
                false,
                &format!("/emulator/qrcode/{second}/cancel")
            )
            .await,
            (200, json!({"qrcodeId": second, "status": "CANCELLED"}))
        );
        let third = emulator.create_qr_code(DEMO_APP_ID);
        assert_eq!(
            call(
                &emulator,
                false,
                &format!("/emulator/qrcode/{third}/expire")
            )
            .await,
            (200, json!({"qrcodeId": third, "status": "EXPIRED"}))
        );
        let fourth = emulator.create_qr_code(DEMO_APP_ID);
        assert_eq!(
            call(&emulator, false, &format!("/emulator/qrcode/{fourth}/fail")).await,
            (200, json!({"qrcodeId": fourth, "status": "ERROR"}))
        );
        let (status, body) = call(
            &emulator,
            false,
            &format!("/emulator/qrcode/{third}/confirm"),
        )
        .await;
        assert_eq!((status, &body["status"]), (409, &json!("EXPIRED")));

        assert_eq!(
            call(&emulator, true, CONTROL_QRCODES_PATH).await,
            (
                200,
                json!({"qrcodes": [
                    {"qrcodeId": first, "appId": DEMO_APP_ID, "status": "AUTHORIZED",
                     "user": {"displayName": "Alice Li", "photo": "https://p.example.com/a.png"},
                     "ticket": ticket},
                    {"qrcodeId": second, "appId": DEMO_APP_ID, "status": "CANCELLED",
                     "user": {"displayName": DEFAULT_SCANNER_NAME, "photo": DEFAULT_SCANNER_PHOTO}},
                    {"qrcodeId": third, "appId": DEMO_APP_ID, "status": "EXPIRED"},
                    {"qrcodeId": fourth, "appId": DEMO_APP_ID, "status": "ERROR"},
                ]})
            )
        );
    }

    #[tokio::test]
    async fn control_routes_refuse_unknown_codes_and_actions() {
        let emulator = GenAuthEmulator::start().await.unwrap();
        for action in ["scan", "confirm", "cancel", "expire", "fail"] {
            let (status, body) = call(
                &emulator,
                false,
                &format!("/emulator/qrcode/qr-nope/{action}"),
            )
            .await;
            assert_eq!(status, 404, "{action}");
            assert_eq!(body["error"], "qrcode_not_found");
            assert_eq!(body["qrcodeId"], "qr-nope");
            assert!(body["message"]
                .as_str()
                .unwrap()
                .contains(CONTROL_QRCODES_PATH));
        }
        let id = emulator.create_qr_code(DEMO_APP_ID);
        let (status, body) =
            call(&emulator, false, &format!("/emulator/qrcode/{id}/approve")).await;
        assert_eq!((status, &body["error"]), (404, &json!("unknown_action")));
        assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Pending));
        assert_eq!(
            call(&emulator, true, CONTROL_QRCODES_PATH).await.1["qrcodes"][0]["status"],
            "PENDING"
        );
    }

    #[test]
    fn v3_token_sets_use_expire_in_and_lower_case_bearer() {
        let base = Url::parse("http://127.0.0.1:1/").unwrap();
        let v3 = OidcProvider::new(v3_token_profile(), &base);
        let body = v3.token_body("app", "openid profile", true, Some("rt".into()));
        assert_eq!(body["expire_in"], V3_EXPIRE_IN);
        assert_eq!(body["token_type"], "bearer");
        assert!(body.get("expires_in").is_none());
        assert!(body["id_token"].is_string());
    }
}
