//! An emulator of WeChat Open Platform website QR login, written from WeChat's documented
//! facts ([`crate::facts::wechat`]): the QR authorize page, the code exchange and the refresh
//! as `GET`s with their parameters in the query, `/sns/userinfo` with `access_token` and
//! `openid`, and `{"errcode","errmsg"}` refusals. Everything is served on one loopback
//! origin, so a provider with `base_url = emulator.base()` reaches every endpoint.
//!
//! What it enforces, as documented: the exact method (`GET`; a `POST` is `43001 require GET
//! method`); `appid`, `secret`, `code` and `grant_type=authorization_code` in the code
//! exchange; `appid`, `grant_type=refresh_token` and `refresh_token` in the refresh, which
//! needs no secret; `/sns/auth` checks a token; a code works once (40163 when used, 40029 when unknown); an unknown AppID
//! is 40013; the access token lives 7200 s and the refresh token 30 days, not extended by
//! refreshing; a refresh before the access token expired renews it (same token, new
//! lifetime); the refresh answer has no `unionid`; userinfo needs the `openid` the token was
//! issued for.
//!
//! Where WeChat's pages are silent the emulator assumes, and says so in
//! `docs/providers/wechat.md` (inferred, asserted by no test as WeChat's behaviour):
//! - errors come with HTTP 200 (community reports only; [`WeChatEmulator::set_error_status`]
//!   changes it);
//! - a wrong AppSecret is 40125, an unknown refresh token 40030, an expired one 42002 (only in
//!   copies of the old global table);
//! - a code lives 10 minutes;
//! - the authorize page issues a code for the demo user at once and redirects (no QR scan);
//! - an unknown access token at userinfo is 40001, an expired one 42001, another user's
//!   `openid` 40003.
//!
//! It starts with a demo app registered: [`DEMO_APPID`] / [`DEMO_SECRET`].

mod routes;

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::books::Books;
use crate::conformance::{ConformanceTarget, IssuedCode};
use crate::facts::wechat as facts;
use crate::server::{any_loopback_port, EmulatorServer, Recorder};

/// The demo website app's AppID.
pub const DEMO_APPID: &str = "demo-app";
/// The demo website app's AppSecret.
pub const DEMO_SECRET: &str = "demo-secret";
/// The user the authorize page signs in.
pub const DEMO_USER: &str = "alice";
/// The redirect URI conformance codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// inferred: no lifetime is documented for a website app's code (copies say 5 or 10 minutes).
const CODE_TTL: Duration = Duration::from_secs(600);
const ACCESS_TTL: Duration = Duration::from_secs(facts::EXPIRES_IN);
const REFRESH_TTL: Duration = Duration::from_secs(facts::REFRESH_TOKEN_DAYS * 24 * 3600);

struct Shared {
    books: Books<i64>,
    /// inferred: the HTTP status of refusals; 200 as community reports show.
    error_status: AtomicU16,
}

/// A running WeChat emulator; it stops when dropped.
#[derive(Debug)]
pub struct WeChatEmulator {
    server: EmulatorServer,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Deref for WeChatEmulator {
    type Target = EmulatorServer;

    /// The recording server: `base()`, `base_url()`, `requests()`, `requests_to(path)`.
    fn deref(&self) -> &EmulatorServer {
        &self.server
    }
}

impl WeChatEmulator {
    /// Starts on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` (loopback).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            books: Books::new("wx"),
            error_status: AtomicU16::new(200),
        });
        shared.books.register(DEMO_APPID, DEMO_SECRET);
        let state = Arc::clone(&shared);
        let server = EmulatorServer::start(addr, move |_| routes::routes(state)).await?;
        Ok(Self { server, shared })
    }

    /// The recording server.
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// Registers a website app.
    pub fn register_app(&self, appid: &str, secret: &str) {
        self.shared.books.register(appid, secret);
    }

    /// A fresh code for `user` of `appid`, as the QR scan would give.
    pub fn issue_code(&self, appid: &str, user: &str) -> String {
        self.shared
            .books
            .issue_code(appid, user, facts::SCOPE, CODE_TTL)
    }

    /// A fresh refresh token for `user` of `appid`, as a code exchange would give.
    pub fn issue_refresh_token(&self, appid: &str, user: &str) -> String {
        let code = self.issue_code(appid, user);
        match self.shared.books.spend_code(&code) {
            Ok(issued) => self.shared.books.issue_refresh_token(&issued, REFRESH_TTL),
            Err(_) => String::new(),
        }
    }

    /// The `openid` `user` has in `appid`.
    pub fn openid(&self, appid: &str, user: &str) -> String {
        format!("o-{appid}-{user}")
    }

    /// The `unionid` of `user`.
    pub fn unionid(&self, user: &str) -> String {
        format!("u-{user}")
    }

    /// The next token or userinfo request is answered with `errcode` (e.g. -1 busy, 45011
    /// rate limited) and a message, whatever it asks.
    pub fn fail_next(&self, errcode: i64) {
        self.shared.books.fail_next(errcode);
    }

    /// The HTTP status of refusals (200 by default).
    pub fn set_error_status(&self, status: u16) {
        self.shared.error_status.store(status, Ordering::Relaxed);
    }

    /// A conformance target minting credentials for `appid`.
    pub fn target(&self, appid: &str) -> WeChatTarget {
        WeChatTarget {
            shared: Arc::clone(&self.shared),
            recorder: self.server.recorder(),
            appid: appid.to_owned(),
        }
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await
    }
}

/// The [`ConformanceTarget`] of a [`WeChatEmulator`]: no PKCE (codes with a challenge
/// cannot be minted), codes and refresh tokens for [`DEMO_USER`].
#[derive(Debug)]
pub struct WeChatTarget {
    shared: Arc<Shared>,
    recorder: Recorder,
    appid: String,
}

impl ConformanceTarget for WeChatTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        // WeChat documents no PKCE.
        if code_challenge.is_some() {
            return None;
        }
        let code = self
            .shared
            .books
            .issue_code(&self.appid, DEMO_USER, facts::SCOPE, CODE_TTL);
        Some(IssuedCode {
            code,
            redirect_uri: DEMO_REDIRECT_URI.into(),
        })
    }

    fn issue_refresh_token(&self) -> Option<String> {
        let code = self
            .shared
            .books
            .issue_code(&self.appid, DEMO_USER, facts::SCOPE, CODE_TTL);
        let issued = self.shared.books.spend_code(&code).ok()?;
        Some(self.shared.books.issue_refresh_token(&issued, REFRESH_TTL))
    }

    fn token_request_count(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| r.path == facts::TOKEN_PATH || r.path == facts::REFRESH_PATH)
            .count()
    }
}
