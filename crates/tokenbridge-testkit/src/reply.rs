//! Canned HTTP answers: the status, content type, body and delay an emulator sends, so a test
//! can script any answer a vendor documents (or that a broken server might give).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A canned HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, or none at all.
    pub content_type: Option<String>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// How long to wait before answering (for timeout tests).
    pub delay: Duration,
}

impl Reply {
    /// A JSON answer (`application/json;charset=UTF-8`).
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            content_type: Some("application/json;charset=UTF-8".into()),
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with no body and no content type (Tencent CIAM's bare 401).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// An answer with any content type and body, e.g. an HTML error page.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: Some(content_type.into()),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer, sent after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The RFC 6749 error shape with a description.
    pub fn oauth_error(status: u16, code: &str, description: &str) -> Self {
        Self::json(
            status,
            json!({"error": code, "error_description": description}),
        )
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(ct) = &self.content_type {
            if let Ok(v) = HeaderValue::from_str(ct) {
                headers.insert(axum::http::header::CONTENT_TYPE, v);
            }
        }
        headers.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, headers, self.body).into_response()
    }
}
