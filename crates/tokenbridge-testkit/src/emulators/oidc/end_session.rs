//! The end-session (logout) endpoint's answer.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::reply::Reply;

/// Logout: a redirect to where the client asked, or a page saying it is done.
pub(super) fn logout_response(redirect: Option<&String>) -> Response {
    match redirect.and_then(|r| HeaderValue::from_str(r).ok()) {
        Some(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, location);
            response
        }
        None => Reply::raw(200, "text/plain", "signed out".as_bytes().to_vec()).into_response(),
    }
}
