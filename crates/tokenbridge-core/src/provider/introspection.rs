//! Token introspection (RFC 7662) at a configured provider.

use secrecy::SecretString;

use crate::error::Result;
use crate::protocol::introspection::Introspection;
use crate::protocol::signin::TokenTypeHint;
use crate::transport::request::{BodyEncoding, TokenRequest};
use crate::transport::url::ensure_secure_url;
use crate::transport::wire::{decode_json_object, standard_error, unreadable};

use super::Provider;

impl Provider {
    /// Asks the provider whether `token` is active (RFC 7662 section 2.1), authenticating as
    /// configured. `Ok` with `active: false` when it is not: that is the provider's answer,
    /// not a failure. [`Error::Unsupported`](crate::Error::Unsupported), with nothing sent,
    /// when the provider has no introspection endpoint (neither in its description nor in
    /// discovery).
    pub async fn introspect(
        &self,
        token: &SecretString,
        hint: Option<TokenTypeHint>,
    ) -> Result<Introspection> {
        let endpoints = self.endpoints().await?;
        let Some(endpoint) = endpoints.introspection.clone() else {
            return Err(self.unsupported(
                "token introspection",
                format!(
                    "{} has no introspection endpoint in its description or discovery document",
                    self.vendor().name
                ),
            ));
        };
        ensure_secure_url(&endpoint, "introspection_endpoint")?;
        let mut request = TokenRequest::post(endpoint, BodyEncoding::Form);
        request.secret_param("token", token);
        if let Some(hint) = hint {
            request.param("token_type_hint", hint.as_str());
        }
        request.header(http::header::ACCEPT, "application/json", false)?;
        self.client_auth().await?.apply(&mut request)?;
        let errors = &self.vendor().errors;
        let result = async {
            let response = self.http().send(&request).await?;
            if !response.is_success() {
                let object = decode_json_object(&response)?;
                return Err(standard_error(&response, &object).unwrap_or_else(|| {
                    unreadable(
                        &response,
                        "an error status without an OAuth 2.0 `error` field",
                    )
                }));
            }
            Introspection::from_response(&response)
        }
        .await;
        result.map_err(|e| errors.classify(e).scrubbed(&request.sent_secrets()))
    }
}
