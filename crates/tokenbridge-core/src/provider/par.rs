//! Pushed authorization requests (RFC 9126): the authorization request's parameters go to the
//! provider directly, with client authentication, and the browser carries only a reference.

use serde_json::Value;

use crate::error::Result;
use crate::provider::Provider;
use crate::transport::request::{BodyEncoding, TokenRequest};
use crate::transport::url::{ensure_secure_url, parse_secure_url};
use crate::transport::wire::{decode_json_object, standard_error, unreadable};

/// Whether `provider` pushes its authorization requests: configured with `par = true`, or
/// required by its discovery document (`require_pushed_authorization_requests`).
pub(crate) async fn wanted(provider: &Provider) -> Result<bool> {
    if provider.uses_par() {
        return Ok(true);
    }
    Ok(provider
        .metadata()
        .await?
        .and_then(|m| m.require_pushed_authorization_requests)
        .unwrap_or(false))
}

/// Pushes `params` (name, value, secret) to the provider's pushed authorization request
/// endpoint and returns the `request_uri` it answers with (RFC 9126 sections 2.1 and 2.2).
/// [`Error::Unsupported`](crate::Error::Unsupported), with nothing sent, when the provider
/// has no such endpoint.
pub(crate) async fn push(provider: &Provider, params: &[(&str, &str, bool)]) -> Result<String> {
    let endpoint = match provider
        .endpoints()
        .await?
        .pushed_authorization_request
        .clone()
    {
        Some(url) => url,
        // A vendor with fixed endpoints may list it only in its discovery document.
        None => match provider
            .metadata()
            .await?
            .and_then(|m| m.pushed_authorization_request_endpoint.as_deref())
        {
            Some(uri) => parse_secure_url(
                uri,
                "pushed_authorization_request_endpoint (from discovery)",
            )?,
            None => {
                return Err(provider.unsupported(
                    "pushed authorization requests (RFC 9126)",
                    format!(
                        "par = true, but {} has no pushed_authorization_request_endpoint in its \
                         description or discovery document",
                        provider.vendor().name
                    ),
                ))
            }
        },
    };
    ensure_secure_url(&endpoint, "pushed_authorization_request_endpoint")?;
    let mut request = TokenRequest::post(endpoint, BodyEncoding::Form);
    for (name, value, secret) in params {
        if *secret {
            request.secret_param(*name, &secrecy::SecretString::from((*value).to_owned()));
        } else {
            request.param(*name, *value);
        }
    }
    provider.client_auth().await?.apply(&mut request)?;
    // `client_id` is one of the authorization request's parameters (RFC 9126 section 2.1);
    // Basic authentication takes it out of the body, so it goes back in.
    if !request.has_param("client_id") {
        request.param("client_id", provider.client_id());
    }
    let errors = &provider.vendor().errors;
    let result = async {
        let response = provider.http().send(&request).await?;
        let object = decode_json_object(&response)?;
        if let Some(error) = standard_error(&response, &object) {
            return Err(error);
        }
        if !response.is_success() {
            return Err(unreadable(
                &response,
                "an error status without an OAuth 2.0 `error` field",
            ));
        }
        match object.get("request_uri") {
            Some(Value::String(uri)) if !uri.trim().is_empty() => Ok(uri.clone()),
            _ => Err(unreadable(
                &response,
                "the pushed authorization answer has no `request_uri` (RFC 9126 section 2.2)",
            )),
        }
    }
    .await;
    result.map_err(|e| errors.classify(e).scrubbed(&request.sent_secrets()))
}
