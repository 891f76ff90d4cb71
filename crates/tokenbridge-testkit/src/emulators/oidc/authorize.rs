//! The authorize endpoint: a code at once (no login page), or the error or mix-up a test
//! asked for.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::{AuthorizeMode, CodeRequest, OidcProvider};
use crate::reply::Reply;
use crate::server::lock;

impl OidcProvider {
    /// How the authorize endpoint answers from now on.
    pub fn set_authorize_mode(&self, mode: AuthorizeMode) {
        lock(&self.state).authorize_mode = mode;
    }

    /// The `nonce` the authorize request that minted `code` carried.
    pub fn nonce_for_code(&self, code: &str) -> Option<String> {
        lock(&self.state).nonces.get(code).cloned()
    }

    /// The authorize endpoint's path: the profile's, or the token path with its last segment
    /// replaced by `authorize` (`/oauth2/token` gives `/oauth2/authorize`).
    pub fn authorize_path(&self) -> String {
        if let Some(path) = &self.profile.authorize_path {
            return path.clone();
        }
        let token_path = &self.profile.token_path;
        match token_path.rfind('/') {
            Some(i) => format!("{}/authorize", &token_path[..i]),
            None => "/authorize".to_owned(),
        }
    }

    /// Answers an authorize request without a login page: the code is issued at once and the
    /// browser (or `curl`) is redirected to `redirect_uri?code=...&state=...`. This lets
    /// application developers drive their real redirect flow against the emulator.
    // inferred: not in any vendor's documentation; a real authorize endpoint shows a login
    // (and, for GenAuth with `prompt=consent`, a consent) page first. Only the redirect's
    // parameters are the documented ones.
    pub fn handle_authorize(&self, query: &HashMap<String, String>) -> Response {
        let bad = |description: &str| {
            Reply::oauth_error(400, "invalid_request", description).into_response()
        };
        let Some(client_id) = query.get("client_id") else {
            return bad("client_id is required");
        };
        if !lock(&self.state).clients.contains_key(client_id) {
            return Reply::oauth_error(400, "unauthorized_client", "unknown client_id")
                .into_response();
        }
        let Some(redirect_uri) = query.get(&self.profile.authorize_redirect_param) else {
            return bad("redirect_uri is required");
        };
        let Ok(mut target) = Url::parse(redirect_uri) else {
            return bad("redirect_uri is not a URL");
        };
        if query.get("response_type").map(String::as_str) != Some("code") {
            return bad("response_type must be code");
        }
        let code_challenge = query.get("code_challenge").cloned();
        if code_challenge.is_some()
            && query.get("code_challenge_method").map(String::as_str) != Some("S256")
        {
            return bad("only code_challenge_method=S256 is supported");
        }
        let mode = lock(&self.state).authorize_mode.clone();
        {
            let mut pairs = target.query_pairs_mut();
            if let AuthorizeMode::Deny(error) = &mode {
                pairs.append_pair("error", error);
                pairs.append_pair("error_description", "the user denied the request");
            } else {
                let code = self.issue_code(CodeRequest {
                    client_id: client_id.clone(),
                    redirect_uri: redirect_uri.clone(),
                    code_challenge,
                    scope: query.get("scope").cloned(),
                });
                if let Some(nonce) = query.get("nonce") {
                    lock(&self.state).nonces.insert(code.clone(), nonce.clone());
                }
                let consent = query
                    .get("prompt")
                    .is_some_and(|p| p.split(' ').any(|v| v == "consent"));
                let offline = query
                    .get("scope")
                    .is_some_and(|s| s.split(' ').any(|v| v == "offline_access"));
                if consent && offline {
                    lock(&self.state).consented.insert(code.clone());
                }
                pairs.append_pair("code", &code);
            }
            if let Some(state) = query.get("state") {
                pairs.append_pair("state", state);
            }
            match mode {
                AuthorizeMode::WrongIssuer => {
                    pairs.append_pair("iss", "https://attacker.example.com");
                }
                _ if self.profile.send_iss => {
                    pairs.append_pair("iss", &self.issuer);
                }
                _ => {}
            }
        }
        let mut response = StatusCode::FOUND.into_response();
        if let Ok(location) = HeaderValue::from_str(target.as_str()) {
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, location);
        }
        response
    }
}
