//! What the routes and the extractors answer when they cannot do their job.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tokenbridge_core::{Error, ErrorKind};

use crate::page;

/// Why an extractor of this crate refused a request. As a response it is JSON
/// (`{"error": "..."}`), meant for API routes; a page route can take `Option<SignedIn>`
/// instead and render its signed-out variant.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthRejection {
    /// Nobody is signed in in this browser: `401 {"error": "not signed in"}`.
    NotSignedIn,
    /// The user's sign-in can no longer be renewed (the provider refused the refresh token,
    /// or the tokens are gone): the session is cleared, `401`.
    SignInExpired,
    /// The provider could not renew the access token now: `502`, with the reason.
    Provider(Error),
    /// The session store failed, or the layer is missing: `500`.
    Internal(String),
}

impl std::fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthRejection::NotSignedIn => write!(f, "not signed in"),
            AuthRejection::SignInExpired => write!(f, "the sign-in has expired; sign in again"),
            AuthRejection::Provider(e) => write!(f, "the provider could not renew the token: {e}"),
            AuthRejection::Internal(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for AuthRejection {}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let status = match &self {
            AuthRejection::NotSignedIn | AuthRejection::SignInExpired => StatusCode::UNAUTHORIZED,
            AuthRejection::Provider(_) => StatusCode::BAD_GATEWAY,
            AuthRejection::Internal(why) => {
                tracing::error!(target: "tokenbridge_axum", "{why}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// A failed sign-in or sign-out: an HTML page naming the problem (tokenbridge's messages never
/// hold a secret; the page escapes them anyway).
#[derive(Debug)]
pub(crate) struct WebError {
    status: StatusCode,
    message: String,
}

impl WebError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        // A refused callback, a provider's refusal, a bad ID token: the request was wrong
        // (400). The provider unreachable or broken: 502. Our own configuration or call: 500.
        let status = match e.kind() {
            ErrorKind::ProviderUnavailable
            | ErrorKind::Timeout
            | ErrorKind::Transport
            | ErrorKind::RateLimited
            | ErrorKind::UnreadableResponse => StatusCode::BAD_GATEWAY,
            ErrorKind::Configuration
            | ErrorKind::InvalidInput
            | ErrorKind::Internal
            | ErrorKind::InvalidClient => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        Self {
            status,
            message: e.to_string(),
        }
    }
}

impl From<tower_sessions::session::Error> for WebError {
    fn from(e: tower_sessions::session::Error) -> Self {
        Self::internal(format!("the session store failed: {e}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let title = if self.status == StatusCode::BAD_REQUEST {
            "Sign-in refused"
        } else {
            "Sign-in failed"
        };
        tracing::warn!(target: "tokenbridge_axum", status = self.status.as_u16(), "{}", self.message);
        (self.status, Html(page::failure(title, &self.message))).into_response()
    }
}
