//! An emulator of Feishu / Lark's OAuth endpoints, answering as the pages in
//! [`facts::feishu`](crate::facts::feishu) say: the authorize page (which approves at once and
//! redirects with a code), the v2 token endpoint for codes and refresh tokens (a JSON body,
//! `code` 0 on success, documented error codes and statuses), and user info in its
//! `{code, msg, data}` envelope. All three are served on one loopback origin, standing in for
//! both `accounts.<host>` and `open.<host>`.
//!
//! Enforced as documented: `Content-Type: application/json` on the token endpoint, the client
//! secret (20002), one-time codes (20065) that expire after 5 minutes (20004), a code bound to
//! its client (20024) and to the redirect URI when one is sent (20071), PKCE with `plain` as
//! the default method (20049), refresh tokens only with `offline_access`, each usable once
//! (20073) and replaced by the next, and 20070 when Basic authentication and `client_secret`
//! come together.
//!
//! Where the documentation is silent the emulator assumes, and says so:
//! - inferred: the authorize endpoint approves at once for the demo user;
//! - inferred: an unknown `client_id` is 20048 ("the application does not exist");
//! - inferred: a body that is not a JSON object is 20063 ("malformed request");
//! - inferred: user info with an unknown token is HTTP 401 `{"code": 99991668, "msg": ...}`
//!   (the page lists no error codes);
//! - inferred: an authorize request without `response_type=code` or from an unknown client is
//!   a plain 400 page.

mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tokio::time::Instant;

use crate::conformance::{ConformanceTarget, IssuedCode};
use crate::facts::feishu as facts;
use crate::reply::Reply;
use crate::server::{any_loopback_port, lock, EmulatorServer};

/// The authorize path.
pub const AUTHORIZE_PATH: &str = facts::AUTHORIZE_PATH;
/// The token path.
pub const TOKEN_PATH: &str = facts::TOKEN_PATH;
/// The user info path.
pub const USERINFO_PATH: &str = facts::USERINFO_PATH;
/// The demo application's App ID.
pub const DEMO_CLIENT_ID: &str = "demo-app";
/// The demo application's App Secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The redirect URI demo codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The demo user's `open_id`.
pub const DEMO_OPEN_ID: &str = "ou_7d8a6e6df7621556ce0d21922b676706ccs";
/// The demo user's `union_id`.
pub const DEMO_UNION_ID: &str = "on_d89jhk2f9d7h3kj4fdf9f1ubb8vb2dfb";
/// How long a code lives \[AUTHORIZE\].
pub const CODE_LIFETIME: Duration = Duration::from_secs(300);

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    scope: String,
    /// `(code_challenge, code_challenge_method)`.
    challenge: Option<(String, String)>,
    issued: Instant,
    used: bool,
}

struct RefreshGrant {
    client_id: String,
    scope: String,
    used: bool,
}

#[derive(Default)]
struct Books {
    clients: HashMap<String, String>,
    codes: HashMap<String, CodeGrant>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    access_tokens: HashMap<String, String>,
    scripted: Option<u32>,
    scripted_reply: Option<Reply>,
    next: u64,
}

impl Books {
    fn mint(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", super::unique(self.next))
    }
}

/// The emulator's books, shared by its handlers.
#[derive(Default)]
struct Shared {
    books: Mutex<Books>,
}

impl Shared {
    fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        challenge: Option<(&str, &str)>,
    ) -> String {
        let mut books = lock(&self.books);
        let code = books.mint("code-");
        books.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: client_id.into(),
                redirect_uri: redirect_uri.into(),
                scope: scope.into(),
                challenge: challenge.map(|(c, m)| (c.to_owned(), m.to_owned())),
                issued: Instant::now(),
                used: false,
            },
        );
        code
    }
}

/// Feishu / Lark on loopback. Stops when dropped.
pub struct FeishuEmulator {
    server: EmulatorServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FeishuEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeishuEmulator")
            .field("base", &self.server.base())
            .finish_non_exhaustive()
    }
}

impl Deref for FeishuEmulator {
    type Target = EmulatorServer;

    /// The recording server: `base()`, `base_url()`, `requests()`, `requests_to(path)`.
    fn deref(&self) -> &EmulatorServer {
        &self.server
    }
}

impl FeishuEmulator {
    /// On a free loopback port, with the demo application registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// On `addr`, with the demo application registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        lock(&shared.books)
            .clients
            .insert(DEMO_CLIENT_ID.into(), DEMO_CLIENT_SECRET.into());
        let state = Arc::clone(&shared);
        let server = EmulatorServer::start(addr, move |_| {
            Router::new()
                .route(AUTHORIZE_PATH, get(routes::authorize))
                .route(TOKEN_PATH, post(routes::token))
                .route(USERINFO_PATH, get(routes::user_info))
                .with_state(state)
        })
        .await?;
        Ok(Self { server, shared })
    }

    /// Registers another application.
    pub fn register_client(&self, client_id: &str, client_secret: &str) {
        lock(&self.shared.books)
            .clients
            .insert(client_id.into(), client_secret.into());
    }

    /// Mints a code for `client_id` as the authorize page would, for `scope` (space-separated;
    /// `offline_access` brings a refresh token) and an optional `(challenge, method)`.
    pub fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        challenge: Option<(&str, &str)>,
    ) -> String {
        self.shared
            .issue_code(client_id, redirect_uri, scope, challenge)
    }

    /// Mints a refresh token for `client_id`, as a code exchange with `offline_access` would.
    pub fn issue_refresh_token(&self, client_id: &str) -> String {
        let mut books = lock(&self.shared.books);
        let token = books.mint("ur-");
        books.refresh_tokens.insert(
            token.clone(),
            RefreshGrant {
                client_id: client_id.into(),
                scope: facts::OFFLINE_ACCESS.into(),
                used: false,
            },
        );
        token
    }

    /// Mints an access token for the demo user.
    pub fn issue_access_token(&self) -> String {
        let mut books = lock(&self.shared.books);
        let token = books.mint("u-");
        books
            .access_tokens
            .insert(token.clone(), DEMO_OPEN_ID.into());
        token
    }

    /// Makes the next token request fail with the error `code`, at its documented HTTP
    /// status (400 for a code the pages do not list).
    pub fn fail_next_token_request(&self, code: u32) {
        lock(&self.shared.books).scripted = Some(code);
    }

    /// Answers the next token request with `reply`, whatever it asks.
    pub fn script_token_reply(&self, reply: Reply) {
        lock(&self.shared.books).scripted_reply = Some(reply);
    }

    /// A conformance target for the demo application; its codes carry `offline_access`.
    pub fn target(&self) -> FeishuTarget<'_> {
        FeishuTarget { emulator: self }
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await;
    }
}

/// The conformance target over a [`FeishuEmulator`].
#[derive(Debug)]
pub struct FeishuTarget<'a> {
    emulator: &'a FeishuEmulator,
}

impl ConformanceTarget for FeishuTarget<'_> {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        let code = self.emulator.issue_code(
            DEMO_CLIENT_ID,
            DEMO_REDIRECT_URI,
            facts::OFFLINE_ACCESS,
            code_challenge.as_deref().map(|c| (c, "S256")),
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
