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

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::books::{param, Books, Issued};
use crate::conformance::{ConformanceTarget, IssuedCode};
use crate::facts::wechat as facts;
use crate::server::{any_loopback_port, EmulatorServer, RecordedRequest, Recorder};
use crate::Reply;

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
        let server = EmulatorServer::start(addr, move |_| routes(state)).await?;
        Ok(Self { server, shared })
    }

    /// The origin every endpoint is served on, for `base_url`.
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// The recording server.
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

fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(facts::AUTHORIZE_PATH, get(authorize))
        .route(facts::TOKEN_PATH, get(token).post(require_get))
        .route(facts::REFRESH_PATH, get(refresh).post(require_get))
        .route(facts::USERINFO_PATH, get(userinfo).post(require_get))
        .route(facts::AUTH_PATH, get(check).post(require_get))
        .with_state(shared)
}

type Params = Query<HashMap<String, String>>;

/// The refusal `{"errcode", "errmsg"}` with its documented (or old-table) message.
fn refuse(shared: &Shared, errcode: i64) -> Response {
    let errmsg = match errcode {
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40003 => "invalid openid",
        40013 => "invalid appid",
        40014 => "invalid access_token",
        40029 => "invalid code",
        40030 => "invalid refresh_token",
        40125 => "invalid appsecret",
        40163 => "code been used",
        41002 => "appid missing",
        42001 => "access_token expired",
        42002 => "refresh_token expired",
        43001 => "require GET method",
        45011 => "api minute-quota reach limit, must slower, retry next minute",
        _ => "error",
    };
    let status = shared.error_status.load(Ordering::Relaxed);
    Reply::json(status, json!({"errcode": errcode, "errmsg": errmsg})).into_response()
}

async fn require_get(State(shared): State<Arc<Shared>>) -> Response {
    refuse(&shared, 43001)
}

/// inferred: the QR page signs the demo user in at once and redirects with `code` and
/// `state`; a request that is not the documented one is answered 400 in plain text.
async fn authorize(State(shared): State<Arc<Shared>>, Query(q): Params) -> Response {
    let bad =
        |why: &str| Reply::raw(400, "text/plain; charset=utf-8", why.to_owned()).into_response();
    let Some(appid) = param(&q, facts::APPID_PARAM) else {
        return bad("appid missing");
    };
    if shared.books.secret_of(appid).is_none() {
        return bad("unknown appid");
    }
    if param(&q, "response_type") != Some("code") {
        return bad("response_type must be code");
    }
    if param(&q, "scope") != Some(facts::SCOPE) {
        return bad("scope must be snsapi_login");
    }
    let Some(redirect_uri) = param(&q, "redirect_uri") else {
        return bad("redirect_uri missing");
    };
    let code = shared
        .books
        .issue_code(appid, DEMO_USER, facts::SCOPE, CODE_TTL);
    let mut target = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => return bad("redirect_uri is not a URL"),
    };
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = param(&q, "state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(target.as_str()).into_response()
}

/// The client of a request: `Err` with the errcode when the AppID is missing or unknown.
fn app<'a>(shared: &Shared, q: &'a HashMap<String, String>) -> Result<(&'a str, String), i64> {
    let Some(appid) = param(q, facts::APPID_PARAM) else {
        return Err(41002);
    };
    match shared.books.secret_of(appid) {
        Some(secret) => Ok((appid, secret)),
        None => Err(40013),
    }
}

fn tokens(issued: &Issued, access_token: &str, refresh_token: &str, unionid: bool) -> Response {
    let mut body = json!({
        "access_token": access_token,
        "expires_in": facts::EXPIRES_IN,
        "refresh_token": refresh_token,
        "openid": issued.user.open_id(&issued.client_id),
        "scope": issued.scope,
    });
    if unionid {
        body["unionid"] = Value::String(issued.user.union_id());
    }
    Reply::json(200, body).into_response()
}

async fn token(State(shared): State<Arc<Shared>>, Query(q): Params) -> Response {
    if let Some(errcode) = shared.books.next_failure() {
        return refuse(&shared, errcode);
    }
    let (appid, secret) = match app(&shared, &q) {
        Ok(app) => app,
        Err(errcode) => return refuse(&shared, errcode),
    };
    // inferred: 40125 for a missing or wrong AppSecret.
    if param(&q, facts::SECRET_PARAM) != Some(secret.as_str()) {
        return refuse(&shared, 40125);
    }
    // inferred: the errcode of a wrong grant_type is not documented.
    if param(&q, "grant_type") != Some("authorization_code") {
        return refuse(&shared, 40029);
    }
    let Some(code) = param(&q, "code") else {
        return refuse(&shared, 40029);
    };
    let issued = match shared.books.spend_code(code) {
        Ok(issued) if issued.client_id == appid => issued,
        Err(true) => return refuse(&shared, 40163),
        _ => return refuse(&shared, 40029),
    };
    let access = shared.books.issue_access_token(&issued, ACCESS_TTL);
    let refresh = shared.books.issue_refresh_token(&issued, REFRESH_TTL);
    tokens(&issued, &access, &refresh, true)
}

async fn refresh(State(shared): State<Arc<Shared>>, Query(q): Params) -> Response {
    if let Some(errcode) = shared.books.next_failure() {
        return refuse(&shared, errcode);
    }
    let appid = match app(&shared, &q) {
        Ok((appid, _)) => appid,
        Err(errcode) => return refuse(&shared, errcode),
    };
    let Some(refresh_token) = param(&q, "refresh_token") else {
        return refuse(&shared, 40030);
    };
    // inferred: the errcode of a wrong grant_type is not documented.
    if param(&q, "grant_type") != Some("refresh_token") {
        return refuse(&shared, 40030);
    }
    let issued = match shared.books.refresh_token(refresh_token) {
        Ok(issued) if issued.client_id == appid => issued,
        Err(true) => return refuse(&shared, 42002),
        _ => return refuse(&shared, 40030),
    };
    // A live access token of the same sign-in is renewed; otherwise a new one is issued.
    let live = {
        let mut tokens = crate::server::lock(&shared.books.access_tokens);
        let now = tokio::time::Instant::now();
        let found = tokens
            .iter_mut()
            .find(|(_, t)| t.user == issued.user && t.client_id == appid && t.expires_at > now);
        found.map(|(token, t)| {
            t.expires_at = now + ACCESS_TTL;
            token.clone()
        })
    };
    let access = live.unwrap_or_else(|| shared.books.issue_access_token(&issued, ACCESS_TTL));
    // The refresh token is not extended: the answer repeats it.
    tokens(&issued, &access, refresh_token, false)
}

/// The sign-in an access token of the query belongs to, checked against the query's
/// `openid`; `Err` with the errcode otherwise (the codes' choice is inferred).
fn signed_in(shared: &Shared, q: &HashMap<String, String>) -> Result<(Issued, String), i64> {
    let token = param(q, "access_token").ok_or(41001)?;
    let issued = match shared.books.access_token(token) {
        Ok(issued) => issued,
        Err(true) => return Err(42001),
        Err(false) => return Err(40001),
    };
    let openid = issued.user.open_id(&issued.client_id);
    if param(q, "openid") != Some(openid.as_str()) {
        return Err(40003);
    }
    Ok((issued, openid))
}

/// `/sns/auth`: `{"errcode":0,"errmsg":"ok"}` for a valid token \[AUTH\].
async fn check(State(shared): State<Arc<Shared>>, Query(q): Params) -> Response {
    match signed_in(&shared, &q) {
        Ok(_) => Reply::json(200, json!({"errcode": 0, "errmsg": "ok"})).into_response(),
        Err(errcode) => refuse(&shared, errcode),
    }
}

async fn userinfo(State(shared): State<Arc<Shared>>, Query(q): Params) -> Response {
    if let Some(errcode) = shared.books.next_failure() {
        return refuse(&shared, errcode);
    }
    let (issued, openid) = match signed_in(&shared, &q) {
        Ok(found) => found,
        Err(errcode) => return refuse(&shared, errcode),
    };
    let name = &issued.user.name;
    Reply::json(
        200,
        json!({
            "openid": openid,
            "nickname": name,
            "sex": 0,
            "province": "",
            "city": "",
            "country": "CN",
            "headimgurl": format!("https://thirdwx.qlogo.cn/mmopen/{name}/132"),
            "privilege": [],
            "unionid": issued.user.union_id(),
        }),
    )
    .into_response()
}
