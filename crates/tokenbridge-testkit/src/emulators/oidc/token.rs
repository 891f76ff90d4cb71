//! The token endpoint: client authentication, then the code, refresh or client-credentials
//! grant, and the success body as the profile writes it.

use std::collections::HashMap;
use std::time::SystemTime;

use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokenbridge_core::AuthMethod;

use super::clients::presented_client;
use super::provider::now_secs;
use super::{ClientRegistration, ExpiryStyle, OidcProvider, RefreshStyle};
use crate::reply::Reply;
use crate::server::lock;

/// A JWT-shaped token (`HS256` header, the given claims, a signature that verifies nothing).
pub fn fake_jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT","kid":"emulator-key"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{header}.{payload}")));
    format!("{header}.{payload}.{signature}")
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl OidcProvider {
    /// Answers a token request: client authentication, then the grant.
    pub fn handle_token(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = lock(&self.state).queued.pop_front() {
            return reply;
        }
        let params: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let errors = &self.profile.errors;
        let presented = match presented_client(headers, &params) {
            Ok(p) => p,
            Err(()) => return errors.missing_parameter.clone(),
        };
        let client = {
            let state = lock(&self.state);
            presented
                .client_id
                .as_ref()
                .and_then(|id| state.clients.get(id).cloned())
        };
        let Some(client) = client else {
            if params.contains_key("code_verifier") {
                if let Some(reply) = &errors.unknown_client_pkce {
                    return reply.clone();
                }
            }
            return errors.unknown_client.clone();
        };
        if !self.profile.auth_methods.contains(&presented.method)
            || !self.authenticates(&client, &presented, &self.token_endpoint())
        {
            return self
                .certificate_refusal(&client, &presented)
                .unwrap_or_else(|| errors.bad_client_credentials.clone());
        }
        let grant_type = params.get("grant_type").map(String::as_str).unwrap_or("");
        if !self.profile.grant_types.iter().any(|g| g == grant_type) {
            return errors.unsupported_grant.clone();
        }
        match grant_type {
            "authorization_code" => self.code_grant(&client, &params),
            "refresh_token" => self.refresh_grant(&client, &params),
            "client_credentials" => {
                let scope = params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| self.profile.default_scope.clone());
                Reply::json(200, self.token_body(&client.client_id, &scope, false, None))
            }
            _ => errors.unsupported_grant.clone(),
        }
    }

    fn code_grant(&self, client: &ClientRegistration, params: &HashMap<String, String>) -> Reply {
        let errors = &self.profile.errors;
        let Some(code) = params.get("code") else {
            return errors.missing_parameter.clone();
        };
        let record = {
            let mut state = lock(&self.state);
            match state.codes.get_mut(code) {
                Some(r) if r.request.client_id != client.client_id => {
                    return errors
                        .client_mismatch
                        .as_ref()
                        .unwrap_or(&errors.bad_code)
                        .clone();
                }
                Some(r)
                    if self.profile.public_clients_require_pkce
                        && client.auth_method == AuthMethod::None
                        && r.request.code_challenge.is_none() =>
                {
                    // The client is not authenticated, so the code is not spent.
                    return errors.bad_client_credentials.clone();
                }
                Some(r) if !r.used && r.expires > SystemTime::now() => {
                    // Spent by this request whatever happens next, as RFC 6749 section 4.1.2 asks.
                    r.used = true;
                    r.clone()
                }
                _ => return errors.bad_code.clone(),
            }
        };
        match params.get("redirect_uri") {
            Some(uri) if *uri != record.request.redirect_uri => {
                return errors.redirect_mismatch.clone()
            }
            None if self.profile.redirect_uri_required => return errors.missing_parameter.clone(),
            _ => {}
        }
        if let Some(challenge) = &record.request.code_challenge {
            match params.get("code_verifier") {
                Some(v) if s256(v) == *challenge => {}
                _ => return errors.bad_verifier.clone(),
            }
        }
        let scope = record
            .request
            .scope
            .clone()
            .unwrap_or_else(|| self.profile.default_scope.clone());
        let consented = if self.profile.refresh_token_param.is_some() {
            lock(&self.state).consented.contains(code)
        } else {
            !self.profile.refresh_tokens_need_consent
                || (scope.split(' ').any(|s| s == "offline_access")
                    && lock(&self.state).consented.contains(code))
        };
        let refresh = (self.profile.issue_refresh_tokens && consented)
            .then(|| self.issue_refresh_token(&client.client_id, &scope));
        let nonce = lock(&self.state).nonces.get(code).cloned();
        Reply::json(
            200,
            self.token_body_with_nonce(&client.client_id, &scope, true, refresh, nonce.as_deref()),
        )
    }

    fn refresh_grant(
        &self,
        client: &ClientRegistration,
        params: &HashMap<String, String>,
    ) -> Reply {
        let errors = &self.profile.errors;
        let Some(token) = params.get("refresh_token") else {
            return errors.missing_parameter.clone();
        };
        let scope = {
            let mut state = lock(&self.state);
            match state.refresh_tokens.get_mut(token) {
                Some(r) if r.active && r.client_id == client.client_id => {
                    if self.profile.refresh_style == RefreshStyle::Rotate {
                        r.active = false;
                    }
                    r.scope.clone()
                }
                _ => return errors.bad_refresh_token.clone(),
            }
        };
        let scope = params.get("scope").cloned().unwrap_or(scope);
        let refresh = match self.profile.refresh_style {
            RefreshStyle::Rotate => Some(self.issue_refresh_token(&client.client_id, &scope)),
            RefreshStyle::Echo => Some(token.clone()),
            RefreshStyle::Keep => None,
        };
        Reply::json(
            200,
            self.token_body(&client.client_id, &scope, true, refresh),
        )
    }

    /// A success body as this profile writes it.
    pub fn token_body(
        &self,
        client_id: &str,
        scope: &str,
        for_user: bool,
        refresh_token: Option<String>,
    ) -> Value {
        self.token_body_with_nonce(client_id, scope, for_user, refresh_token, None)
    }

    /// [`OidcProvider::token_body`] with the `nonce` of the authorize request in the ID token.
    pub fn token_body_with_nonce(
        &self,
        client_id: &str,
        scope: &str,
        for_user: bool,
        refresh_token: Option<String>,
        nonce: Option<&str>,
    ) -> Value {
        let p = &self.profile;
        let now = now_secs();
        let jti = self.next_id("");
        let access_token = if p.jwt_access_tokens {
            fake_jwt(&json!({
                "iss": self.issuer, "sub": if for_user { "user-1" } else { client_id },
                "aud": client_id, "iat": now, "nbf": now, "exp": now + p.expires_in,
                "scope": scope, "jti": jti,
            }))
        } else {
            self.next_id("").repeat(2)[..40].to_owned()
        };
        if for_user {
            self.remember_access_token(&access_token, client_id);
        }
        let mut body = Map::new();
        body.insert("access_token".into(), Value::String(access_token.clone()));
        body.insert("token_type".into(), Value::String(p.token_type.clone()));
        match p.expiry_style {
            ExpiryStyle::Number => {
                body.insert(p.expiry_field.clone(), json!(p.expires_in));
            }
            ExpiryStyle::String => {
                body.insert(p.expiry_field.clone(), json!(p.expires_in.to_string()));
            }
            ExpiryStyle::Absent => {}
        }
        body.insert("scope".into(), Value::String(scope.into()));
        if let Some(rt) = refresh_token {
            body.insert("refresh_token".into(), Value::String(rt));
        }
        if for_user
            && p.issue_id_tokens
            && (p.id_tokens_always || scope.split(' ').any(|s| s == "openid"))
        {
            body.insert(
                "id_token".into(),
                Value::String(self.id_token_for(client_id, nonce, Some(&access_token))),
            );
        }
        Value::Object(body)
    }
}
