//! An emulator of GitHub's OAuth endpoints (`github.com`) and the REST endpoints a sign-in
//! uses (`api.github.com`), answering as the pages in [`facts::github`](crate::facts::github)
//! say, all on one loopback origin:
//!
//! - `GET /login/oauth/authorize`, approving at once with a code (inferred: no login page);
//! - `POST /login/oauth/access_token` for codes, refresh tokens and device codes: form pairs
//!   unless the request's `Accept` asks for JSON, errors as `{error, error_description,
//!   error_uri}`; codes work once and expire after 10 minutes, PKCE is S256 only, a refresh
//!   token works once and is replaced (expiring user tokens, as GitHub Apps have by default);
//! - `POST /login/device/code` and the device code grant, with [`GitHubEmulator::approve_device`]
//!   standing for the user entering the code;
//! - `GET /user` (a `User-Agent` is required; `id` a number, `email` null unless set) and
//!   `GET /user/emails`;
//! - `DELETE /applications/{client_id}/token` with Basic authentication and
//!   `{"access_token": ...}`, answering 204.
//!
//! Where the documentation is silent the emulator assumes, and says so:
//! - inferred: token errors of the web flow come with HTTP 200 (documented for the device
//!   flow only; GitHub's web-flow examples give no status);
//! - inferred: a wrong PKCE verifier is `bad_verification_code`;
//! - inferred: a request to the REST endpoints without `User-Agent` gets 403, an unknown token
//!   401 `{"message": "Bad credentials"}`;
//! - inferred: revocation with wrong Basic credentials is 401, of an unknown token 404;
//! - inferred: `/user/emails` refused to a token without the permission is 404
//!   ([`GitHubEmulator::set_emails_forbidden`]).

mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::conformance::{ConformanceTarget, IssuedCode};
use crate::facts::github as facts;
use crate::reply::Reply;
use crate::server::{any_loopback_port, lock, EmulatorServer};

/// The authorize path.
pub const AUTHORIZE_PATH: &str = facts::AUTHORIZE_PATH;
/// The token path.
pub const TOKEN_PATH: &str = facts::TOKEN_PATH;
/// The device code path.
pub const DEVICE_CODE_PATH: &str = facts::DEVICE_CODE_PATH;
/// The authenticated user's path.
pub const USER_PATH: &str = facts::USER_PATH;
/// The user's email addresses.
pub const EMAILS_PATH: &str = facts::EMAILS_PATH;
/// The demo application's client id.
pub const DEMO_CLIENT_ID: &str = "demo-app";
/// The demo application's client secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The redirect URI demo codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The demo user's id (a number, as GitHub sends it).
pub const DEMO_USER_ID: u64 = 583_231;
/// The demo user's login.
pub const DEMO_LOGIN: &str = "octocat";
/// The demo user's primary verified address, listed only by `/user/emails`.
pub const DEMO_PRIMARY_EMAIL: &str = "octocat@github.com";
/// How long a code lives \[OAUTH\].
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    scope: String,
    challenge: Option<String>,
    issued: Instant,
    used: bool,
}

struct RefreshGrant {
    client_id: String,
    scope: String,
    used: bool,
    from_device: bool,
    /// The access token issued with it, which stops working when it is used \[REFRESH\].
    access_token: Option<String>,
}

/// A device authorization: pending until approved or denied.
struct DeviceGrant {
    client_id: String,
    user_code: String,
    scope: String,
    issued: Instant,
    /// `None`: pending; `Some(true)`: approved; `Some(false)`: denied.
    decision: Option<bool>,
    used: bool,
}

struct Books {
    clients: HashMap<String, String>,
    codes: HashMap<String, CodeGrant>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    /// Access token → (client id, scope).
    access_tokens: HashMap<String, (String, String)>,
    devices: HashMap<String, DeviceGrant>,
    public_email: Option<String>,
    emails: Value,
    emails_forbidden: bool,
    scripted: Option<Reply>,
    next: u64,
}

impl Books {
    fn mint(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", super::unique(self.next))
    }
}

/// The emulator's books, shared by its handlers.
struct Shared {
    books: Mutex<Books>,
}

impl Shared {
    fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        challenge: Option<&str>,
    ) -> String {
        let mut books = lock(&self.books);
        let code = books.mint("");
        books.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: client_id.into(),
                redirect_uri: redirect_uri.into(),
                scope: scope.into(),
                challenge: challenge.map(str::to_owned),
                issued: Instant::now(),
                used: false,
            },
        );
        code
    }
}

/// GitHub on loopback. Stops when dropped.
pub struct GitHubEmulator {
    server: EmulatorServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for GitHubEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubEmulator")
            .field("base", &self.server.base())
            .finish_non_exhaustive()
    }
}

impl Deref for GitHubEmulator {
    type Target = EmulatorServer;

    /// The recording server: `base()`, `base_url()`, `requests()`, `requests_to(path)`.
    fn deref(&self) -> &EmulatorServer {
        &self.server
    }
}

impl GitHubEmulator {
    /// On a free loopback port, with the demo application registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// On `addr`, with the demo application registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            books: Mutex::new(Books {
                clients: HashMap::from([(DEMO_CLIENT_ID.into(), DEMO_CLIENT_SECRET.into())]),
                codes: HashMap::new(),
                refresh_tokens: HashMap::new(),
                access_tokens: HashMap::new(),
                devices: HashMap::new(),
                public_email: None,
                emails: json!([
                    {"email": "octo@users.noreply.github.com", "primary": false, "verified": true, "visibility": null},
                    {"email": DEMO_PRIMARY_EMAIL, "primary": true, "verified": true, "visibility": "private"},
                ]),
                emails_forbidden: false,
                scripted: None,
                next: 0,
            }),
        });
        let state = Arc::clone(&shared);
        let server = EmulatorServer::start(addr, move |_| {
            Router::new()
                .route(AUTHORIZE_PATH, get(routes::authorize))
                .route(TOKEN_PATH, post(routes::token))
                .route(DEVICE_CODE_PATH, post(routes::device_code))
                .route(USER_PATH, get(routes::user))
                .route(EMAILS_PATH, get(routes::emails))
                .route("/applications/{client_id}/token", delete(routes::revoke))
                .with_state(state)
        })
        .await?;
        Ok(Self { server, shared })
    }

    /// The revocation path for `client_id`.
    pub fn revoke_path(client_id: &str) -> String {
        format!(
            "{}{client_id}{}",
            facts::REVOKE_PATH_PREFIX,
            facts::REVOKE_PATH_SUFFIX
        )
    }

    /// Registers another application.
    pub fn register_client(&self, client_id: &str, client_secret: &str) {
        lock(&self.shared.books)
            .clients
            .insert(client_id.into(), client_secret.into());
    }

    /// Mints a code for `client_id` as the authorize page would, with an optional S256
    /// `code_challenge`.
    pub fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        challenge: Option<&str>,
    ) -> String {
        self.shared
            .issue_code(client_id, redirect_uri, scope, challenge)
    }

    /// Mints a refresh token for `client_id`, as an exchange of expiring tokens would.
    pub fn issue_refresh_token(&self, client_id: &str) -> String {
        let mut books = lock(&self.shared.books);
        let token = books.mint("ghr_");
        books.refresh_tokens.insert(
            token.clone(),
            RefreshGrant {
                client_id: client_id.into(),
                scope: String::new(),
                used: false,
                from_device: false,
                access_token: None,
            },
        );
        token
    }

    /// Mints an access token of the demo application for the demo user, with `scope`.
    pub fn issue_access_token(&self, scope: &str) -> String {
        let mut books = lock(&self.shared.books);
        let token = books.mint("ghu_");
        books
            .access_tokens
            .insert(token.clone(), (DEMO_CLIENT_ID.into(), scope.into()));
        token
    }

    /// Whether `access_token` still works (not revoked, not replaced by a refresh).
    pub fn is_active(&self, access_token: &str) -> bool {
        lock(&self.shared.books)
            .access_tokens
            .contains_key(access_token)
    }

    /// The user's public email in `/user` (`None`: null, GitHub's answer for a private one).
    pub fn set_public_email(&self, email: Option<&str>) {
        lock(&self.shared.books).public_email = email.map(str::to_owned);
    }

    /// What `/user/emails` lists: `{email, primary, verified, visibility}` entries.
    pub fn set_emails(&self, emails: Value) {
        lock(&self.shared.books).emails = emails;
    }

    /// Refuses `/user/emails` (404), as to a token without the `user:email` scope.
    pub fn set_emails_forbidden(&self, forbidden: bool) {
        lock(&self.shared.books).emails_forbidden = forbidden;
    }

    /// Answers the next token request with `reply` (an error, a 503...).
    pub fn script_token_reply(&self, reply: Reply) {
        lock(&self.shared.books).scripted = Some(reply);
    }

    /// Makes the next token request fail with the OAuth `error` (HTTP 200, as GitHub's
    /// device flow documents).
    pub fn fail_next_token_request(&self, error: &str, description: &str) {
        self.script_token_reply(Reply::json(
            200,
            json!({"error": error, "error_description": description, "error_uri": "https://docs.github.com"}),
        ));
    }

    /// The user enters `user_code` and approves (`true`) or cancels (`false`).
    pub fn decide_device(&self, user_code: &str, approve: bool) -> bool {
        let mut books = lock(&self.shared.books);
        match books
            .devices
            .values_mut()
            .find(|d| d.user_code == user_code)
        {
            Some(device) => {
                device.decision = Some(approve);
                true
            }
            None => false,
        }
    }

    /// The user enters `user_code` and approves; `false` when no authorization has it.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.decide_device(user_code, true)
    }

    /// A conformance target for the demo application.
    pub fn target(&self) -> GitHubTarget<'_> {
        GitHubTarget { emulator: self }
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await;
    }
}

/// The conformance target over a [`GitHubEmulator`].
#[derive(Debug)]
pub struct GitHubTarget<'a> {
    emulator: &'a GitHubEmulator,
}

impl ConformanceTarget for GitHubTarget<'_> {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        let code = self.emulator.issue_code(
            DEMO_CLIENT_ID,
            DEMO_REDIRECT_URI,
            "",
            code_challenge.as_deref(),
        );
        Some(IssuedCode {
            code,
            redirect_uri: DEMO_REDIRECT_URI.into(),
        })
    }

    fn issue_refresh_token(&self) -> Option<String> {
        Some(self.emulator.issue_refresh_token(DEMO_CLIENT_ID))
    }

    fn token_request_count(&self) -> usize {
        self.emulator.requests_to(TOKEN_PATH).len()
    }
}
