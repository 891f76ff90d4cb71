//! The V3 API's answers (the `{statusCode, message, apiCode, requestId, data}` envelope and
//! its failures) and its client authentication.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use tokenbridge_core::AuthMethod;

use super::{facts, GenAuthApp};

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

/// The body as a JSON object, if it is one.
pub(super) fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The V3 API's client authentication, as the application is configured: `none` needs
/// nothing (and takes no secret), `client_secret_post` needs `client_id` and `client_secret`
/// in the JSON body, `client_secret_basic` needs `Authorization: Basic base64(id:secret)` and
/// no secret in the body.
pub(super) fn client_authenticated(
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
