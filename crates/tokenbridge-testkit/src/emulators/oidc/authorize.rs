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
        let scope = query.get("scope").map(String::as_str).unwrap_or_default();
        let form_post = query.get("response_mode").map(String::as_str) == Some("form_post");
        if let Some(rules) = self.profile.form_post {
            if rules.required_with_scope && !scope.trim().is_empty() && !form_post {
                return bad("response_mode must be form_post when scopes are requested");
            }
        }
        let form_post = form_post && self.profile.form_post.is_some();
        let mode = lock(&self.state).authorize_mode.clone();
        let mut fields: Vec<(String, String)> = Vec::new();
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
                if let Some((name, value)) = &self.profile.refresh_token_param {
                    // Google: a refresh token at the first offline grant, and again only
                    // after consent is asked once more.
                    let mut state = lock(&self.state);
                    if query.get(name) == Some(value)
                        && (state.offline_granted.insert(client_id.clone()) || consent)
                    {
                        state.consented.insert(code.clone());
                    }
                }
                if form_post {
                    if let Some(user) = self.first_user(client_id, scope) {
                        fields.push(("user".into(), user));
                    }
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
        if form_post {
            // The result goes back as a form the browser posts to redirect_uri, in the
            // authorize redirect's own parameters, plus Apple's `user` when due.
            let mut all: Vec<(String, String)> = target
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            all.extend(fields);
            return form_post_page(redirect_uri, &all);
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

impl OidcProvider {
    /// The `user` JSON of a client's first form-POST authorization when the scope asks for
    /// `name` or `email` (Sign in with Apple), from the user's claims; `None` afterwards.
    fn first_user(&self, client_id: &str, scope: &str) -> Option<String> {
        let rules = self.profile.form_post?;
        let wants = |s: &str| scope.split(' ').any(|v| v == s);
        if !rules.first_user || !(wants("name") || wants("email")) {
            return None;
        }
        let mut state = lock(&self.state);
        if !state.user_posted.insert(client_id.to_owned()) {
            return None;
        }
        let claims = &state.user_claims;
        let text = |k: &str| claims.get(k).and_then(serde_json::Value::as_str);
        let mut user = serde_json::Map::new();
        if wants("name") {
            user.insert(
                "name".into(),
                serde_json::json!({
                    "firstName": text("given_name").unwrap_or("Demo"),
                    "lastName": text("family_name").unwrap_or("User"),
                }),
            );
        }
        if wants("email") {
            if let Some(email) = text("email") {
                user.insert("email".into(), email.into());
            }
        }
        Some(serde_json::Value::Object(user).to_string())
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
}

/// An HTML page whose form posts `fields` to `action` as soon as it loads, as a provider
/// answers `response_mode=form_post` (OAuth 2.0 Form Post Response Mode).
fn form_post_page(action: &str, fields: &[(String, String)]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(name),
                html_escape(value)
            )
        })
        .collect();
    let page = format!(
        "<!doctype html><html><body onload=\"document.forms[0].submit()\">\
         <form method=\"post\" action=\"{}\">{inputs}</form></body></html>",
        html_escape(action)
    );
    Reply::raw(200, "text/html; charset=utf-8", page.into_bytes()).into_response()
}

/// The form a form-POST answer of this emulator carries: its `action` and its fields, in
/// order, for a test to post as a browser would.
pub fn form_post_fields(page: &str) -> Option<(String, Vec<(String, String)>)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(html_unescape(&tag[start..end]))
    };
    let form_start = page.find("<form ")?;
    let form_tag = &page[form_start..form_start + page[form_start..].find('>')?];
    let action = attr(form_tag, "action")?;
    let fields = page
        .split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value")?))
        })
        .collect();
    Some((action, fields))
}
