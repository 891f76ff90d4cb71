//! One token request sent, and the DPoP nonce its answer hands out kept for the next proof.

use crate::error::Result;
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::dpop::nonce_from;
use crate::transport::request::TokenRequest;

use super::Provider;

impl Provider {
    /// Sends a token request once: the answer, and the DPoP nonce it handed out, if any (kept
    /// for the next proof).
    pub(crate) async fn send_token_request(
        &self,
        request: &TokenRequest,
        grant: &Grant,
    ) -> (Result<TokenSet>, Option<String>) {
        let response = match self.http().send(request).await {
            Ok(response) => response,
            Err(e) => return (Err(e), None),
        };
        let nonce = nonce_from(response.headers());
        if let Some(nonce) = &nonce {
            self.dpop_nonce().set(nonce);
        }
        let parsed =
            self.vendor()
                .hooks
                .parse_token_response(&response, grant, self.id(), self.vendor());
        (parsed, nonce)
    }
}
