//! The userinfo endpoint (OpenID Connect Core 5.3) in each vendor's style, and the access
//! tokens it accepts.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::provider::AccessRecord;
use super::{OidcProvider, UserinfoStyle};
use crate::reply::Reply;
use crate::server::lock;

impl OidcProvider {
    /// Mints an access token for the demo user, valid at the userinfo endpoint, as a code
    /// exchange would.
    pub fn issue_access_token(&self, client_id: &str) -> String {
        let token = self.next_id("at-");
        self.remember_access_token(&token, client_id);
        token
    }

    pub(super) fn remember_access_token(&self, token: &str, _client_id: &str) {
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
        if let Some(names) = &self.profile.userinfo_claims {
            claims.retain(|name, _| names.iter().any(|n| n == name));
        }
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
