//! The WeChat emulator's endpoints: the QR page, the code exchange, the refresh, userinfo
//! and the token check, each answering in WeChat's shapes.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{Shared, ACCESS_TTL, CODE_TTL, DEMO_USER, REFRESH_TTL};
use crate::emulators::books::{param, Issued};
use crate::facts::wechat as facts;
use crate::Reply;

pub(super) fn routes(shared: Arc<Shared>) -> Router {
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
