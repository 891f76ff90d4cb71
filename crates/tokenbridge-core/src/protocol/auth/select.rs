//! The built-in client authentication for a method, secret-based or JWT.

use std::sync::Arc;

use secrecy::SecretString;

use super::jwt::ClientSecretJwt;
use super::method::{AuthMethod, ClientAuth, ClientSecretBasic, ClientSecretPost, NoClientAuth};
use crate::error::{Error, Result};

/// Builds the built-in [`ClientAuth`] for `method`.
///
/// Fails when the method needs a secret and none is given. A secret given with `none` is
/// ignored: public clients have nothing to send.
pub fn client_auth(
    method: AuthMethod,
    client_id: impl Into<String>,
    client_secret: Option<SecretString>,
) -> Result<Arc<dyn ClientAuth>> {
    let client_id = client_id.into();
    if client_id.is_empty() {
        return Err(Error::config("client_id", "the client id is empty"));
    }
    let secret = || {
        client_secret.clone().ok_or_else(|| {
            Error::config(
                "client_secret",
                format!("auth method {method} needs a client secret; set client_secret (or client_secret_env), or use auth_method = \"none\" for a public client"),
            )
        })
    };
    Ok(match method {
        AuthMethod::None => Arc::new(NoClientAuth::new(client_id)),
        AuthMethod::ClientSecretPost => Arc::new(ClientSecretPost::new(client_id, secret()?)),
        AuthMethod::ClientSecretBasic => Arc::new(ClientSecretBasic::new(client_id, secret()?)),
        AuthMethod::ClientSecretJwt => Arc::new(ClientSecretJwt::new(client_id, secret()?)),
        AuthMethod::PrivateKeyJwt => {
            return Err(Error::config(
                "private_key",
                "auth method private_key_jwt signs with the client's private key, not a secret: \
                 build it with PrivateKeyJwt::from_pem_file or PrivateKeyJwt::from_pem",
            ))
        }
    })
}
