//! The revocation endpoint (RFC 7009).

use std::collections::HashMap;

use axum::http::HeaderMap;

use super::clients::presented_client;
use super::OidcProvider;
use crate::reply::Reply;
use crate::server::lock;

impl OidcProvider {
    /// Tokens revoked so far, in order.
    pub fn revoked(&self) -> Vec<String> {
        lock(&self.state).revoked.clone()
    }

    /// Answers a revocation request (RFC 7009): the client authenticates as at the token
    /// endpoint; a refresh token it names stops working; 200 whether or not it was known.
    pub fn handle_revoke(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        let params: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let errors = &self.profile.errors;
        if !self.profile.revocation_authenticates {
            // The token alone names what to revoke (Google).
            return self.revoke_token(params.get("token"), None);
        }
        let Ok(presented) = presented_client(headers, &params) else {
            return errors.missing_parameter.clone();
        };
        let client = {
            let state = lock(&self.state);
            presented
                .client_id
                .as_ref()
                .and_then(|id| state.clients.get(id).cloned())
        };
        let Some(client) = client else {
            return errors.unknown_client.clone();
        };
        let revocation = self
            .profile
            .revocation_path
            .as_deref()
            .map(|p| self.url_for(p))
            .unwrap_or_default();
        if !self.authenticates(&client, &presented, &revocation) {
            return errors.bad_client_credentials.clone();
        }
        self.revoke_token(params.get("token"), Some(&client.client_id))
    }

    /// Revokes `token` (for `client_id`, when the request named one).
    fn revoke_token(&self, token: Option<&String>, client_id: Option<&str>) -> Reply {
        let Some(token) = token else {
            return self.profile.errors.missing_parameter.clone();
        };
        let mut state = lock(&self.state);
        let known =
            state.refresh_tokens.contains_key(token) || state.access_tokens.contains_key(token);
        if let (false, Some(reply)) = (known, &self.profile.revocation_unknown_token) {
            return reply.clone();
        }
        if let Some(record) = state.refresh_tokens.get_mut(token) {
            if client_id.is_none_or(|id| record.client_id == id) {
                record.active = false;
            }
        }
        if let Some(record) = state.access_tokens.get_mut(token) {
            record.active = false;
        }
        state.revoked.push(token.clone());
        Reply::raw(200, "text/plain", Vec::new())
    }
}
