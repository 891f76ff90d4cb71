//! Device sign-in (RFC 8628) from a configured provider.

use crate::error::Result;
use crate::model::token::TokenSet;
use crate::protocol::device::{DeviceAuthorization, DevicePoller};
use crate::protocol::signin::CompletedLogin;
use crate::transport::request::{BodyEncoding, TokenRequest};
use crate::transport::shape::header_name;
use crate::transport::url::ensure_secure_url;

use super::Provider;

impl Provider {
    /// Starts a device authorization (RFC 8628 section 3.1): posts the client's id (with the
    /// configured client authentication) and `scopes` (default: the provider's configured
    /// scopes, sent only when there are some) to the device authorization endpoint.
    /// [`Error::Unsupported`](crate::Error::Unsupported), with nothing sent, when the provider has none.
    pub async fn start_device_authorization(
        &self,
        scopes: Option<&[String]>,
    ) -> Result<DeviceAuthorization> {
        let endpoints = self.endpoints().await?;
        let Some(endpoint) = endpoints.device_authorization.clone() else {
            return Err(self.unsupported(
                "device authorization (RFC 8628)",
                format!(
                    "{} has no device authorization endpoint in its description or discovery \
                     document",
                    self.vendor().name
                ),
            ));
        };
        ensure_secure_url(&endpoint, "device_authorization_endpoint")?;
        let mut request = TokenRequest::post(endpoint, BodyEncoding::Form);
        let scopes = scopes.unwrap_or(self.scopes());
        if !scopes.is_empty() {
            request.param("scope", scopes.join(" "));
        }
        self.client_auth().await?.apply(&mut request)?;
        // RFC 8628 3.1 requires `client_id` in the body; Basic authentication carries it only
        // in its header.
        if !request.has_param("client_id") {
            request.param("client_id", self.client_id());
        }
        // The token endpoint's extra headers ask for JSON where a vendor answers form pairs
        // by default (GitHub's `/login/device/code`, like its token endpoint).
        for (name, value) in self.vendor().token_request.headers {
            request.header(header_name(name)?, value, false)?;
        }
        let errors = &self.vendor().errors;
        let response = self.http().send(&request).await?;
        DeviceAuthorization::from_response(&response)
            .map_err(|e| errors.classify(e).scrubbed(&request.sent_secrets()))
    }

    /// Polls until the user approves or refuses the device authorization, or it expires:
    /// [`DevicePoller::wait`] on this provider. Drop the future to stop.
    pub async fn poll_device_authorization(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenSet> {
        DevicePoller::new(self, authorization).wait().await
    }

    /// [`Provider::poll_device_authorization`], then the ID token, when one comes back,
    /// verified as a sign-in's is (signature, issuer, audience, lifetime, `at_hash`; a device
    /// login has no `nonce`). A bad ID token fails the login with [`Error::IdToken`](crate::Error::IdToken).
    pub async fn device_login(
        &self,
        authorization: &DeviceAuthorization,
    ) -> Result<CompletedLogin> {
        let tokens = self.poll_device_authorization(authorization).await?;
        let id_token = self.verify_login_id_token(&tokens, None).await?;
        self.completed_login(tokens, id_token)
    }
}
