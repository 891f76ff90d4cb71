//! One token request sent, and the DPoP nonce its answer hands out kept for the next proof.

use crate::error::Result;
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::dpop::{is_use_dpop_nonce, nonce_from};
use crate::transport::request::TokenRequest;

use super::Provider;

/// What one token request came back with.
pub(crate) enum Sent {
    /// The answer: tokens, or the error to report.
    Answer(Result<TokenSet>),
    /// The server refused the DPoP proof for want of `nonce` (RFC 9449 section 8), before it
    /// looked at the grant: the request may go once more with a proof carrying it. `error` is
    /// the refusal, the answer when it does not.
    NonceRequired {
        nonce: String,
        error: crate::error::Error,
    },
}

impl Sent {
    /// The answer, a nonce refusal being an error like any other.
    pub(crate) fn into_answer(self) -> Result<TokenSet> {
        match self {
            Sent::Answer(answer) => answer,
            Sent::NonceRequired { error, .. } => Err(error),
        }
    }
}

impl Provider {
    /// Sends a token request once and reads its answer, keeping the DPoP nonce it hands out
    /// for the next proof. With `may_retry_nonce`, a `use_dpop_nonce` refusal that carries a
    /// nonce comes back as [`Sent::NonceRequired`] instead of an error.
    pub(crate) async fn send_token_request(
        &self,
        request: &TokenRequest,
        grant: &Grant,
        may_retry_nonce: bool,
    ) -> Sent {
        let response = match self.http().send(request).await {
            Ok(response) => response,
            Err(e) => return Sent::Answer(Err(e)),
        };
        let nonce = nonce_from(response.headers());
        if let Some(nonce) = &nonce {
            self.dpop_nonce().set(nonce);
        }
        let parsed =
            self.vendor()
                .hooks
                .parse_token_response(&response, grant, self.id(), self.vendor());
        match (parsed, nonce) {
            (Err(error), Some(nonce)) if may_retry_nonce && is_use_dpop_nonce(&error) => {
                Sent::NonceRequired { nonce, error }
            }
            (parsed, _) => Sent::Answer(parsed),
        }
    }
}
