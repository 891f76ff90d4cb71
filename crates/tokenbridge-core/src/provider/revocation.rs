//! The revocation request as the vendor's [`RevocationShape`](crate::RevocationShape) says:
//! RFC 7009's form `POST` by default, or another method, a JSON body, another name for the
//! token, the client id in the path and HTTP Basic (GitHub).

use secrecy::SecretString;
use url::Url;

use super::client_auth::AuthSpec;
use super::Provider;
use crate::error::{Error, Result};
use crate::protocol::auth::{ClientAuth as _, ClientSecretBasic};
use crate::protocol::signin::TokenTypeHint;
use crate::transport::request::TokenRequest;

/// The placeholder of a revocation path replaced by the client id, as `Url` stores it.
const CLIENT_ID_PLACEHOLDER: &str = "%7Bclient_id%7D";

impl Provider {
    /// The revocation request for `token` at `endpoint`, shaped as the vendor says.
    pub(crate) async fn revocation_request(
        &self,
        endpoint: Url,
        token: &SecretString,
        hint: Option<TokenTypeHint>,
    ) -> Result<TokenRequest> {
        let shape = &self.vendor().revocation;
        let endpoint = with_client_id(endpoint, self.client_id());
        let mut request = TokenRequest::post(endpoint, shape.params_in.encoding());
        request.set_shape(shape.method.to_http(), shape.params_in.encoding());
        request.secret_param(shape.token_param, token);
        if let (true, Some(hint)) = (shape.type_hint, hint) {
            request.param("token_type_hint", hint.as_str());
        }
        if shape.basic_auth {
            self.basic_auth()?.apply(&mut request)?;
        } else {
            self.client_auth().await?.apply(&mut request)?;
        }
        Ok(request)
    }

    /// HTTP Basic with the client's id and secret, whatever the configured method.
    fn basic_auth(&self) -> Result<ClientSecretBasic> {
        match &self.inner.auth {
            AuthSpec::Secret {
                client_id,
                client_secret: Some(secret),
                basic_encoding,
                ..
            } => Ok(ClientSecretBasic::new(client_id.clone(), secret.clone())
                .with_encoding(*basic_encoding)),
            _ => Err(Error::config(
                "client_secret",
                format!(
                    "{} revokes tokens with the client id and secret in HTTP Basic: configure \
                     the client secret",
                    self.vendor().name
                ),
            )),
        }
    }
}

/// `endpoint` with `{client_id}` in its path replaced by `client_id`, percent-encoded as one
/// path segment.
fn with_client_id(mut endpoint: Url, client_id: &str) -> Url {
    if endpoint.path().contains(CLIENT_ID_PLACEHOLDER) {
        let segment: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
        // Form encoding writes a space as `+`, which in a path is a literal plus.
        let segment = segment.replace('+', "%20");
        let path = endpoint.path().replace(CLIENT_ID_PLACEHOLDER, &segment);
        endpoint.set_path(&path);
    }
    endpoint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_id_fills_its_placeholder_as_one_segment() {
        let url = Url::parse("https://api.github.com/applications/{client_id}/token").unwrap();
        assert_eq!(
            with_client_id(url.clone(), "Iv1.8a61f9b3a7aba766").as_str(),
            "https://api.github.com/applications/Iv1.8a61f9b3a7aba766/token"
        );
        assert_eq!(
            with_client_id(url, "a/b c").as_str(),
            "https://api.github.com/applications/a%2Fb%20c/token"
        );
        let plain = Url::parse("https://id.example.com/revoke").unwrap();
        assert_eq!(with_client_id(plain.clone(), "x"), plain);
    }
}
