//! The end-session (logout) endpoint.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::OidcProvider;
use crate::reply::Reply;

impl OidcProvider {
    /// Answers a logout request: a redirect to where the profile's logout parameter says
    /// (only next to an `id_token_hint` where the profile requires one), else a page saying
    /// the user is signed out.
    pub fn handle_end_session(&self, query: &HashMap<String, String>) -> Response {
        let hinted = !self.profile.logout_redirect_needs_id_token_hint
            || query.contains_key("id_token_hint");
        let redirect = query
            .get(&self.profile.logout_redirect_param)
            .filter(|_| hinted);
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
}
