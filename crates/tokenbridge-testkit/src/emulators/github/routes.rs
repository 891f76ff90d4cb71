//! The handlers of the GitHub emulator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::{facts, DeviceGrant, RefreshGrant, Shared, CODE_LIFETIME, DEMO_LOGIN, DEMO_USER_ID};
use crate::reply::Reply;
use crate::server::lock;

/// Whether the request's `Accept` asks for JSON.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// An answer of the OAuth endpoints: JSON when asked for, form pairs by default \[OAUTH\].
fn oauth_answer(headers: &HeaderMap, members: &Map<String, Value>) -> Response {
    if wants_json(headers) {
        return Reply::json(200, Value::Object(members.clone())).into_response();
    }
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in members {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        form.append_pair(name, &text);
    }
    Reply::raw(
        200,
        "application/x-www-form-urlencoded; charset=utf-8",
        form.finish(),
    )
    .into_response()
}

/// An OAuth error, with HTTP 200 (documented for the device flow; inferred for the web flow).
fn oauth_error(headers: &HeaderMap, error: &str, description: &str) -> Response {
    let mut members = Map::new();
    members.insert("error".into(), json!(error));
    members.insert("error_description".into(), json!(description));
    members.insert(
        "error_uri".into(),
        json!("https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"),
    );
    oauth_answer(headers, &members)
}

fn bad_code(headers: &HeaderMap) -> Response {
    let (error, description) = facts::BAD_VERIFICATION_CODE;
    oauth_error(headers, error, description)
}

fn bad_client(headers: &HeaderMap) -> Response {
    let (error, description) = facts::INCORRECT_CLIENT_CREDENTIALS;
    oauth_error(headers, error, description)
}

pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| query.get(name).map(String::as_str);
    let known = param("client_id").is_some_and(|id| lock(&shared.books).clients.contains_key(id));
    let target = param("redirect_uri").and_then(|uri| url::Url::parse(uri).ok());
    let (Some(client_id), Some(mut target), true) = (param("client_id"), target, known) else {
        // inferred: GitHub's error page for an unknown application or a missing redirect.
        return (StatusCode::BAD_REQUEST, "invalid authorize request").into_response();
    };
    // "Must be S256 - the plain code challenge method is not supported" [OAUTH].
    if param("code_challenge").is_some() && param("code_challenge_method") != Some("S256") {
        return (
            StatusCode::BAD_REQUEST,
            "code_challenge_method must be S256",
        )
            .into_response();
    }
    // inferred: approves at once, for the demo user.
    let code = shared.issue_code(
        client_id,
        target.as_str(),
        param("scope").unwrap_or(""),
        param("code_challenge"),
    );
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = param("state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    // 302, as a browser sees it.
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// Tokens for `client_id` with `scope`: expiring user tokens, as GitHub Apps have by default
/// \[APP\].
fn issue_tokens(
    shared: &Shared,
    headers: &HeaderMap,
    client_id: &str,
    scope: &str,
    from_device: bool,
) -> Response {
    let mut books = lock(&shared.books);
    let access_token = books.mint("ghu_");
    let refresh_token = books.mint("ghr_");
    books
        .access_tokens
        .insert(access_token.clone(), (client_id.into(), scope.into()));
    books.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshGrant {
            client_id: client_id.into(),
            scope: scope.into(),
            used: false,
            from_device,
            access_token: Some(access_token.clone()),
        },
    );
    let members = json!({
        "access_token": access_token,
        "expires_in": facts::EXPIRES_IN,
        "refresh_token": refresh_token,
        "refresh_token_expires_in": facts::REFRESH_TOKEN_EXPIRES_IN,
        "scope": scope,
        "token_type": "bearer",
    });
    match members {
        Value::Object(m) => oauth_answer(headers, &m),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(reply) = lock(&shared.books).scripted.take() {
        return reply.into_response();
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let param = |name: &str| params.get(name).map(String::as_str);
    let Some(client_id) = param("client_id") else {
        return bad_client(&headers);
    };
    let Some(registered) = lock(&shared.books).clients.get(client_id).cloned() else {
        return bad_client(&headers);
    };
    let secret_ok = param("client_secret") == Some(registered.as_str());
    match param("grant_type") {
        // The code exchange takes no grant_type [OAUTH]; the standard one is accepted too.
        None | Some("authorization_code") => {
            if !secret_ok {
                return bad_client(&headers);
            }
            let scope = {
                let mut books = lock(&shared.books);
                let Some(grant) = param("code").and_then(|c| books.codes.get_mut(c)) else {
                    drop(books);
                    return bad_code(&headers);
                };
                let fresh = !grant.used
                    && grant.issued.elapsed() <= CODE_LIFETIME
                    && grant.client_id == client_id;
                grant.used = true;
                if !fresh {
                    drop(books);
                    return bad_code(&headers);
                }
                if param("redirect_uri").is_some_and(|uri| uri != grant.redirect_uri) {
                    drop(books);
                    let (error, description) = facts::REDIRECT_URI_MISMATCH;
                    return oauth_error(&headers, error, description);
                }
                // "Required if code_challenge was sent" [OAUTH]; inferred: the error code.
                if let Some(challenge) = &grant.challenge {
                    if param("code_verifier").map(super::super::s256).as_ref() != Some(challenge) {
                        drop(books);
                        return bad_code(&headers);
                    }
                }
                grant.scope.clone()
            };
            issue_tokens(&shared, &headers, client_id, &scope, false)
        }
        Some("refresh_token") => {
            let (scope, from_device) = {
                let mut books = lock(&shared.books);
                let Some(grant) =
                    param("refresh_token").and_then(|t| books.refresh_tokens.get_mut(t))
                else {
                    drop(books);
                    return oauth_error(
                        &headers,
                        facts::BAD_REFRESH_TOKEN,
                        "The refresh token passed is incorrect or expired.",
                    );
                };
                // "Required unless the token was generated using the device flow" [REFRESH].
                if !(secret_ok || grant.from_device && param("client_secret").is_none()) {
                    drop(books);
                    return bad_client(&headers);
                }
                if grant.used || grant.client_id != client_id {
                    drop(books);
                    return oauth_error(
                        &headers,
                        facts::BAD_REFRESH_TOKEN,
                        "The refresh token passed is incorrect or expired.",
                    );
                }
                grant.used = true;
                let old = grant.access_token.take();
                let kept = (grant.scope.clone(), grant.from_device);
                // "that refresh token and the old user access token will no longer work"
                // [REFRESH].
                if let Some(old) = old {
                    books.access_tokens.remove(&old);
                }
                kept
            };
            issue_tokens(&shared, &headers, client_id, &scope, from_device)
        }
        Some(facts::DEVICE_GRANT_TYPE) => {
            device_poll(&shared, &headers, client_id, param("device_code"))
        }
        Some(_) => oauth_error(
            &headers,
            "unsupported_grant_type",
            "The grant type is not supported.",
        ),
    }
}

fn device_poll(
    shared: &Shared,
    headers: &HeaderMap,
    client_id: &str,
    device_code: Option<&str>,
) -> Response {
    let scope = {
        let mut books = lock(&shared.books);
        let Some(device) = device_code.and_then(|c| books.devices.get_mut(c)) else {
            drop(books);
            return oauth_error(
                headers,
                "incorrect_device_code",
                "The device_code provided is not valid.",
            );
        };
        if device.client_id != client_id {
            drop(books);
            return oauth_error(
                headers,
                "incorrect_device_code",
                "The device_code provided is not valid.",
            );
        }
        if device.used || device.issued.elapsed() > Duration::from_secs(facts::DEVICE_EXPIRES_IN) {
            drop(books);
            return oauth_error(headers, "expired_token", "The device_code has expired.");
        }
        match device.decision {
            None => {
                drop(books);
                return oauth_error(
                    headers,
                    "authorization_pending",
                    "The authorization request is still pending.",
                );
            }
            Some(false) => {
                drop(books);
                return oauth_error(
                    headers,
                    "access_denied",
                    "The authorization request was denied.",
                );
            }
            Some(true) => {
                device.used = true;
                device.scope.clone()
            }
        }
    };
    issue_tokens(shared, headers, client_id, &scope, true)
}

pub(super) async fn device_code(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut books = lock(&shared.books);
    let Some(client_id) = params
        .get("client_id")
        .filter(|id| books.clients.contains_key(*id))
        .cloned()
    else {
        drop(books);
        return bad_client(&headers);
    };
    let device_code = books.mint("dc_");
    let n = books.next;
    let user_code = format!("{:04X}-{:04X}", (n * 7919) % 0xFFFF, (n * 104_729) % 0xFFFF);
    books.devices.insert(
        device_code.clone(),
        DeviceGrant {
            client_id,
            user_code: user_code.clone(),
            scope: params.get("scope").cloned().unwrap_or_default(),
            issued: Instant::now(),
            decision: None,
            used: false,
        },
    );
    drop(books);
    let members = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": facts::DEVICE_VERIFICATION_URI,
        "expires_in": facts::DEVICE_EXPIRES_IN,
        "interval": facts::DEVICE_INTERVAL,
    });
    match members {
        Value::Object(m) => oauth_answer(&headers, &m),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The REST API's checks: a `User-Agent` \[REST\], then a known token (`Bearer` or `token`).
fn rest_token(shared: &Shared, headers: &HeaderMap) -> Result<String, Reply> {
    if !headers.contains_key(header::USER_AGENT) {
        // inferred: the status for a missing User-Agent ("will be rejected" [REST]).
        return Err(Reply::json(
            403,
            json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"}),
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("token "))
        })
        .filter(|t| lock(&shared.books).access_tokens.contains_key(*t));
    token.map(str::to_owned).ok_or_else(|| {
        // inferred: GitHub's answer to a bad token.
        Reply::json(401, json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}))
    })
}

pub(super) async fn user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = rest_token(&shared, &headers) {
        return refusal.into_response();
    }
    let email = lock(&shared.books).public_email.clone();
    Reply::json(
        200,
        json!({
            "login": DEMO_LOGIN,
            "id": DEMO_USER_ID,
            "node_id": "MDQ6VXNlcjU4MzIzMQ==",
            "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
            "html_url": "https://github.com/octocat",
            "type": "User",
            "site_admin": false,
            "name": "The Octocat",
            "company": "@github",
            "email": email,
        }),
    )
    .into_response()
}

pub(super) async fn emails(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = rest_token(&shared, &headers) {
        return refusal.into_response();
    }
    let books = lock(&shared.books);
    if books.emails_forbidden {
        // inferred: the status of a token without `user:email`.
        return Reply::json(404, json!({"message": "Not Found"})).into_response();
    }
    Reply::json(200, books.emails.clone()).into_response()
}

pub(super) async fn revoke(
    State(shared): State<Arc<Shared>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let mut books = lock(&shared.books);
    let authenticated = basic
        .as_deref()
        .and_then(|b| b.split_once(':'))
        .is_some_and(|(id, secret)| {
            id == client_id && books.clients.get(id).is_some_and(|s| s == secret)
        });
    if !authenticated {
        // inferred: the status and body for wrong Basic credentials.
        return Reply::json(401, json!({"message": "Requires authentication"})).into_response();
    }
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("access_token")?.as_str().map(str::to_owned));
    let Some(token) = token else {
        return Reply::json(422, json!({"message": "Validation Failed"})).into_response();
    };
    match books.access_tokens.get(&token) {
        Some((owner, _)) if *owner == client_id => {
            books.access_tokens.remove(&token);
            StatusCode::NO_CONTENT.into_response()
        }
        // inferred: the status for a token the application does not know.
        _ => Reply::json(404, json!({"message": "Not Found"})).into_response(),
    }
}
