//! The handlers of the Feishu emulator.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::{facts, RefreshGrant, Shared, CODE_LIFETIME, DEMO_OPEN_ID, DEMO_UNION_ID};
use crate::reply::Reply;
use crate::server::lock;

/// A token error as documented: `{code, error, error_description}` at the code's status.
fn token_error(code: u32, error: &str) -> Response {
    let (status, meaning) = facts::token_error(code).unwrap_or((400, "error"));
    Reply::json(
        status,
        json!({"code": code, "error": error, "error_description": meaning}),
    )
    .into_response()
}

pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| query.get(name).map(String::as_str);
    let known = param("client_id").is_some_and(|id| lock(&shared.books).clients.contains_key(id));
    let target = param("redirect_uri").and_then(|uri| url::Url::parse(uri).ok());
    let (Some(client_id), Some(mut target), Some("code"), true) =
        (param("client_id"), target, param("response_type"), known)
    else {
        // inferred: the page documents no answer for a malformed authorize request.
        return (StatusCode::BAD_REQUEST, "invalid authorize request").into_response();
    };
    // "plain (default)" [AUTHORIZE].
    let challenge =
        param("code_challenge").map(|c| (c, param("code_challenge_method").unwrap_or("plain")));
    // inferred: approves at once, for the demo user.
    let code = shared.issue_code(
        client_id,
        target.as_str(),
        param("scope").unwrap_or(""),
        challenge,
    );
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = param("state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    // 302, as a browser sees it.
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let mut books = lock(&shared.books);
    if let Some(reply) = books.scripted_reply.take() {
        return reply.into_response();
    }
    if let Some(code) = books.scripted.take() {
        return token_error(code, "scripted");
    }
    // inferred: the code for a body that is not JSON.
    let Some(params) = json_body
        .then(|| serde_json::from_slice::<Map<String, Value>>(&body).ok())
        .flatten()
    else {
        return token_error(20063, "invalid_request");
    };
    let text = |name: &str| params.get(name).and_then(Value::as_str).map(str::to_owned);
    let (Some(grant_type), Some(client_id), Some(secret)) =
        (text("grant_type"), text("client_id"), text("client_secret"))
    else {
        return token_error(20001, "invalid_request");
    };
    if headers.contains_key(header::AUTHORIZATION) {
        return token_error(20070, "invalid_client");
    }
    match books.clients.get(&client_id) {
        // inferred: 20048 for an unknown application.
        None => return token_error(20048, "invalid_client"),
        Some(expected) if *expected != secret => return token_error(20002, "invalid_client"),
        Some(_) => {}
    }
    let scope = match grant_type.as_str() {
        "authorization_code" => {
            let Some(code) = text("code") else {
                return token_error(20001, "invalid_request");
            };
            let Some(grant) = books.codes.get_mut(&code) else {
                return token_error(20003, "invalid_grant");
            };
            if grant.used {
                return token_error(20065, "invalid_grant");
            }
            grant.used = true;
            if grant.issued.elapsed() > CODE_LIFETIME {
                return token_error(20004, "invalid_grant");
            }
            if grant.client_id != client_id {
                return token_error(20024, "invalid_grant");
            }
            if text("redirect_uri").is_some_and(|uri| uri != grant.redirect_uri) {
                return token_error(20071, "invalid_grant");
            }
            if let Some((challenge, method)) = &grant.challenge {
                let verified = text("code_verifier").is_some_and(|v| match method.as_str() {
                    "S256" => super::super::s256(&v) == *challenge,
                    _ => v == *challenge,
                });
                if !verified {
                    return token_error(20049, "invalid_grant");
                }
            }
            grant.scope.clone()
        }
        "refresh_token" => {
            let Some(refresh) = text("refresh_token") else {
                return token_error(20001, "invalid_request");
            };
            let Some(grant) = books.refresh_tokens.get_mut(&refresh) else {
                return token_error(20026, "invalid_grant");
            };
            if grant.used {
                return token_error(20073, "invalid_grant");
            }
            if grant.client_id != client_id {
                return token_error(20024, "invalid_grant");
            }
            // "仅能使用一次": the old refresh token stops working at once [REFRESH].
            grant.used = true;
            grant.scope.clone()
        }
        _ => return token_error(20036, "unsupported_grant_type"),
    };
    let access_token = books.mint("u-");
    books
        .access_tokens
        .insert(access_token.clone(), DEMO_OPEN_ID.into());
    let mut answer = json!({
        "code": 0,
        "access_token": access_token,
        "expires_in": facts::EXPIRES_IN,
        "token_type": "Bearer",
        "scope": scope,
    });
    if scope.split(' ').any(|s| s == facts::OFFLINE_ACCESS) {
        let refresh_token = books.mint("ur-");
        books.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshGrant {
                client_id,
                scope: scope.clone(),
                used: false,
            },
        );
        answer["refresh_token"] = json!(refresh_token);
        answer["refresh_token_expires_in"] = json!(facts::REFRESH_TOKEN_EXPIRES_IN);
    }
    Reply::json(200, answer).into_response()
}

pub(super) async fn user_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let known = token.and_then(|t| lock(&shared.books).access_tokens.get(t).cloned());
    let Some(open_id) = known else {
        // inferred: the page lists no error codes; the Open Platform's code for a bad
        // user_access_token, with HTTP 401.
        return Reply::json(
            401,
            json!({"code": 99991668, "msg": "Invalid access token for authorization. Please make a request with token attached."}),
        )
        .into_response();
    };
    Reply::json(
        200,
        json!({
            "code": 0,
            "msg": "success",
            "data": {
                "name": "张三",
                "en_name": "Zhang San",
                "avatar_url": "https://example.feishu.cn/avatar/640.jpg",
                "avatar_thumb": "https://example.feishu.cn/avatar/72.jpg",
                "open_id": open_id,
                "union_id": DEMO_UNION_ID,
                "email": "zhangsan@example.com",
                "enterprise_email": "zhangsan@corp.example.com",
                "user_id": "5d9bdxxx",
                "mobile": "+86130002883xx",
                "tenant_key": "736588c92lxf175d",
                "employee_no": "111222333",
            },
        }),
    )
    .into_response()
}
