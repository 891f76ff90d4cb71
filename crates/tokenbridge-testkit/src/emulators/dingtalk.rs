//! An emulator of DingTalk's sign-in (`login.dingtalk.com`) and its two APIs, written from
//! DingTalk's documented facts ([`crate::facts::dingtalk`]): the authorize page, the
//! `userAccessToken` endpoint with its camelCase JSON body, and `/v1.0/contact/users/me` with
//! the token in `x-acs-dingtalk-access-token`. Everything is served on one loopback origin,
//! so a provider with `base_url = emulator.base()` reaches every endpoint.
//!
//! What it enforces, as documented: `prompt=consent` and `response_type=code` on the
//! authorize page, whose callback carries `authCode` and `state`; a `POST` with a JSON body
//! holding `clientId`, `clientSecret`, `grantType` and `code` or `refreshToken`; `expireIn`
//! 7200; `corpId` in the answer only with scope `openid corpid`; the user's token in its own
//! header, not `Authorization`.
//!
//! Where DingTalk's pages are silent the emulator assumes, and says so in
//! `docs/providers/dingtalk.md` (inferred, asserted by no test as DingTalk's behaviour):
//! - refusals are `{"code", "message", "requestid"}` with HTTP 400 (reports of real answers);
//!   the codes `invalidAuthCode` (unknown or used code), `invalidRefreshToken`,
//!   `invalid.client` (unknown client or wrong secret), `unsupported.grant.type` and
//!   `InvalidAuthentication` (userinfo with a bad token) are its own choice;
//! - a code works once and lives 5 minutes; a refresh issues a new refresh token and the old
//!   one keeps working until its 30 days end;
//! - the authorize page signs the demo user in at once (no DingTalk app scan).
//!
//! It starts with a demo app registered: [`DEMO_CLIENT_ID`] / [`DEMO_CLIENT_SECRET`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};

use super::books::{param, Books, Issued};
use crate::conformance::{ConformanceTarget, IssuedCode};
use crate::facts::dingtalk as facts;
use crate::server::{any_loopback_port, EmulatorServer, Recorder};
use crate::Reply;

/// The demo app's AppKey.
pub const DEMO_CLIENT_ID: &str = "demo-app";
/// The demo app's AppSecret.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The user the authorize page signs in.
pub const DEMO_USER: &str = "alice";
/// The organization of `corpId`.
pub const DEMO_CORP_ID: &str = "ding-demo-corp";
/// The redirect URI conformance codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// inferred: no lifetime is documented for an `authCode`.
const CODE_TTL: Duration = Duration::from_secs(300);
const ACCESS_TTL: Duration = Duration::from_secs(facts::EXPIRES_IN);
/// The refresh token's 30 days \[TOKEN\].
const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// A scripted refusal: HTTP status, `code`, `message`.
type Failure = (u16, String, String);

/// A running DingTalk emulator; it stops when dropped.
#[derive(Debug)]
pub struct DingTalkEmulator {
    server: EmulatorServer,
    books: Arc<Books<Failure>>,
}

impl Deref for DingTalkEmulator {
    type Target = EmulatorServer;

    /// The recording server: `base()`, `base_url()`, `requests()`, `requests_to(path)`.
    fn deref(&self) -> &EmulatorServer {
        &self.server
    }
}

impl DingTalkEmulator {
    /// Starts on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` (loopback).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let books = Arc::new(Books::new("ding"));
        books.register(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
        let state = Arc::clone(&books);
        let server = EmulatorServer::start(addr, move |_| routes(state)).await?;
        Ok(Self { server, books })
    }

    /// The recording server.
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// Registers an app.
    pub fn register_app(&self, client_id: &str, secret: &str) {
        self.books.register(client_id, secret);
    }

    /// A fresh `authCode` for `user` of `client_id`, granted `scope` (`openid`, or
    /// `openid corpid`).
    pub fn issue_code(&self, client_id: &str, user: &str, scope: &str) -> String {
        self.books.issue_code(client_id, user, scope, CODE_TTL)
    }

    /// The `openId` `user` has in `client_id`.
    pub fn open_id(&self, client_id: &str, user: &str) -> String {
        format!("o-{client_id}-{user}")
    }

    /// The `unionId` of `user`.
    pub fn union_id(&self, user: &str) -> String {
        format!("u-{user}")
    }

    /// The next token or userinfo request is refused with `status` and
    /// `{"code", "message", "requestid"}`, whatever it asks.
    pub fn fail_next(&self, status: u16, code: &str, message: &str) {
        self.books
            .fail_next((status, code.to_owned(), message.to_owned()));
    }

    /// A conformance target minting credentials for `client_id`.
    pub fn target(&self, client_id: &str) -> DingTalkTarget {
        DingTalkTarget {
            books: Arc::clone(&self.books),
            recorder: self.server.recorder(),
            client_id: client_id.to_owned(),
        }
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await
    }
}

/// The [`ConformanceTarget`] of a [`DingTalkEmulator`]: no PKCE (codes with a challenge
/// cannot be minted), codes and refresh tokens for [`DEMO_USER`].
#[derive(Debug)]
pub struct DingTalkTarget {
    books: Arc<Books<Failure>>,
    recorder: Recorder,
    client_id: String,
}

impl ConformanceTarget for DingTalkTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        // DingTalk documents no PKCE.
        if code_challenge.is_some() {
            return None;
        }
        let code = self
            .books
            .issue_code(&self.client_id, DEMO_USER, "openid", CODE_TTL);
        Some(IssuedCode {
            code,
            redirect_uri: DEMO_REDIRECT_URI.into(),
        })
    }

    fn issue_refresh_token(&self) -> Option<String> {
        let code = self
            .books
            .issue_code(&self.client_id, DEMO_USER, "openid", CODE_TTL);
        let issued = self.books.spend_code(&code).ok()?;
        Some(self.books.issue_refresh_token(&issued, REFRESH_TTL))
    }

    fn token_request_count(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| r.path == facts::TOKEN_PATH)
            .count()
    }
}

fn routes(books: Arc<Books<Failure>>) -> Router {
    Router::new()
        .route(facts::AUTHORIZE_PATH, get(authorize))
        .route(facts::TOKEN_PATH, post(token))
        .route(facts::USERINFO_PATH, get(userinfo))
        .with_state(books)
}

/// inferred: the error body and its status.
fn refuse(books: &Books<Failure>, status: u16, code: &str, message: &str) -> Response {
    Reply::json(
        status,
        json!({"code": code, "message": message, "requestid": books.mint("req")}),
    )
    .into_response()
}

/// inferred: the page signs the demo user in at once and redirects with `authCode` and
/// `state`; a request missing a documented required parameter is answered 400 in plain text.
async fn authorize(
    State(books): State<Arc<Books<Failure>>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let bad =
        |why: &str| Reply::raw(400, "text/plain; charset=utf-8", why.to_owned()).into_response();
    let Some(client_id) = param(&q, "client_id") else {
        return bad("client_id missing");
    };
    if books.secret_of(client_id).is_none() {
        return bad("unknown client_id");
    }
    if param(&q, "response_type") != Some("code") {
        return bad("response_type must be code");
    }
    if param(&q, "prompt") != Some(facts::PROMPT) {
        return bad("prompt must be consent");
    }
    let scope = param(&q, "scope").unwrap_or_default();
    let scopes: Vec<&str> = scope.split(' ').collect();
    if !scopes.contains(&"openid") {
        return bad("scope must be openid or openid corpid");
    }
    let Some(Ok(mut target)) = param(&q, "redirect_uri").map(url::Url::parse) else {
        return bad("redirect_uri missing or not a URL");
    };
    let code = books.issue_code(client_id, DEMO_USER, scope, CODE_TTL);
    target
        .query_pairs_mut()
        .append_pair(facts::CALLBACK_CODE_PARAM, &code);
    if let Some(state) = param(&q, "state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(target.as_str()).into_response()
}

fn string<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

async fn token(
    State(books): State<Arc<Books<Failure>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some((status, code, message)) = books.next_failure() {
        return refuse(&books, status, &code, &message);
    }
    let json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body @ Value::Object(_)) if json => body,
        _ => {
            return refuse(
                &books,
                400,
                "MissingBody",
                "body is mandatory for this action.",
            )
        }
    };
    let (Some(client_id), Some(secret)) =
        (string(&body, "clientId"), string(&body, "clientSecret"))
    else {
        return refuse(
            &books,
            400,
            "invalid.client",
            "clientId and clientSecret are required",
        );
    };
    if books.secret_of(client_id).as_deref() != Some(secret) {
        return refuse(
            &books,
            400,
            "invalid.client",
            "invalid clientId or clientSecret",
        );
    }
    let issued = match string(&body, "grantType") {
        Some("authorization_code") => match string(&body, "code").map(|c| books.spend_code(c)) {
            Some(Ok(issued)) if issued.client_id == client_id => issued,
            _ => return refuse(&books, 400, "invalidAuthCode", "invalid authCode"),
        },
        Some("refresh_token") => {
            match string(&body, "refreshToken").map(|t| books.refresh_token(t)) {
                Some(Ok(issued)) if issued.client_id == client_id => issued,
                _ => return refuse(&books, 400, "invalidRefreshToken", "invalid refreshToken"),
            }
        }
        _ => {
            return refuse(
                &books,
                400,
                "unsupported.grant.type",
                "unsupported grantType",
            )
        }
    };
    answer(&books, &issued)
}

fn answer(books: &Books<Failure>, issued: &Issued) -> Response {
    let mut body = json!({
        "accessToken": books.issue_access_token(issued, ACCESS_TTL),
        "refreshToken": books.issue_refresh_token(issued, REFRESH_TTL),
        "expireIn": facts::EXPIRES_IN,
    });
    if issued.scope.split(' ').any(|s| s == facts::CORP_SCOPE) {
        body["corpId"] = Value::String(DEMO_CORP_ID.into());
    }
    Reply::json(200, body).into_response()
}

async fn userinfo(State(books): State<Arc<Books<Failure>>>, headers: HeaderMap) -> Response {
    if let Some((status, code, message)) = books.next_failure() {
        return refuse(&books, status, &code, &message);
    }
    let token = headers
        .get(facts::TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Ok(issued) = books.access_token(token) else {
        return refuse(&books, 400, "InvalidAuthentication", "不合法的access_token");
    };
    let name = &issued.user.name;
    Reply::json(
        200,
        json!({
            "nick": name,
            "avatarUrl": format!("https://static-legacy.dingtalk.com/media/{name}.png"),
            "mobile": "13800000000",
            "stateCode": "86",
            "openId": issued.user.open_id(&issued.client_id),
            "unionId": issued.user.union_id(),
            "email": format!("{name}@example.com"),
        }),
    )
    .into_response()
}
