//! DPoP on the wire: the proof header of a token request, and the nonces servers hand out
//! (RFC 9449 sections 8 and 9). The key and its proofs are in `model::dpop`.

use std::sync::{Mutex, PoisonError};

use http::header::HeaderName;
use secrecy::ExposeSecret;

use crate::error::{Error, Result};
use crate::model::dpop::{DpopKey, DPOP_NONCE_HEADER, USE_DPOP_NONCE};
use crate::transport::request::TokenRequest;

/// The nonce a server asked for with a refusal: its `DPoP-Nonce` header.
pub(crate) fn nonce_from(headers: &http::header::HeaderMap) -> Option<String> {
    headers
        .get(DPOP_NONCE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The last nonce a provider's token endpoint handed out, sent with the next proof so that a
/// provider requiring nonces does not refuse every first request.
#[derive(Debug, Default)]
pub(crate) struct NonceCache(Mutex<Option<String>>);

impl NonceCache {
    pub(crate) fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, nonce: &str) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(nonce.to_owned());
    }
}

/// Sets (or replaces) the `DPoP` header of a request to the provider with a fresh proof.
pub(crate) fn add_dpop_proof(
    request: &mut TokenRequest,
    key: &DpopKey,
    nonce: Option<&str>,
) -> Result<()> {
    let proof = key.proof(request.method().as_str(), request.endpoint(), nonce, None)?;
    request.header(HeaderName::from_static("dpop"), proof.expose_secret(), true)?;
    Ok(())
}

/// Whether the provider asked for a DPoP nonce (RFC 9449 sections 8 and 9).
pub(crate) fn is_use_dpop_nonce(error: &Error) -> bool {
    matches!(error, Error::OAuth(p) if p.code == USE_DPOP_NONCE)
}
