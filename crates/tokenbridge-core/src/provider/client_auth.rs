//! The client authentication of a provider: configured, or chosen once discovery says
//! which methods the token endpoint takes.

use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::protocol::auth::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, NoClientAuth,
};

/// How the client authenticates, before discovery may choose the method.
#[derive(Clone)]
pub(super) enum AuthSpec {
    Custom(Arc<dyn ClientAuth>),
    Secret {
        client_id: String,
        client_secret: Option<SecretString>,
        method: Option<AuthMethod>,
        basic_encoding: BasicEncoding,
    },
}

impl fmt::Debug for AuthSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSpec::Custom(a) => f.debug_tuple("Custom").field(a).finish(),
            AuthSpec::Secret {
                client_id,
                client_secret,
                method,
                basic_encoding,
            } => f
                .debug_struct("Secret")
                .field("client_id", client_id)
                .field(
                    "client_secret",
                    &client_secret.as_ref().map(|_| "[redacted]"),
                )
                .field("method", method)
                .field("basic_encoding", basic_encoding)
                .finish(),
        }
    }
}

pub(super) fn build_auth(
    spec: &AuthSpec,
    advertised: Option<&[String]>,
) -> Result<Arc<dyn ClientAuth>> {
    let (client_id, client_secret, method, basic_encoding) = match spec {
        AuthSpec::Custom(auth) => return Ok(Arc::clone(auth)),
        AuthSpec::Secret {
            client_id,
            client_secret,
            method,
            basic_encoding,
        } => (client_id, client_secret, *method, *basic_encoding),
    };
    // An absent or empty list says nothing (OpenID Connect Discovery's default would be Basic
    // only, but many providers simply omit the list), so every method is allowed then.
    let advertised = advertised.filter(|list| !list.is_empty());
    let advertises =
        |m: AuthMethod| advertised.is_none_or(|list| list.iter().any(|s| s == m.as_str()));
    let method = match method {
        Some(m) => {
            // `none` is exempt: providers that accept public clients (PKCE) often leave it out
            // of the list, and a public client has no other method to fall back to.
            if m != AuthMethod::None && !advertises(m) {
                return Err(Error::config(
                    "auth_method",
                    format!(
                        "{m} is configured, but the provider's discovery document advertises only {:?}; choose one of those",
                        advertised.unwrap_or_default()
                    ),
                ));
            }
            m
        }
        None if client_secret.is_none() => AuthMethod::None,
        // RFC 6749 section 2.3.1: servers must support Basic; prefer it unless the provider
        // advertises only post.
        None if advertises(AuthMethod::ClientSecretBasic) => AuthMethod::ClientSecretBasic,
        None if advertises(AuthMethod::ClientSecretPost) => AuthMethod::ClientSecretPost,
        None => {
            return Err(Error::config(
                "auth_method",
                format!(
                    "the provider's discovery document advertises only {:?}, none of which \
                     tokenbridge implements for a client secret (client_secret_basic, \
                     client_secret_post); give the exchanger a custom ClientAuth for the \
                     provider's method",
                    advertised.unwrap_or_default()
                ),
            ))
        }
    };
    if method == AuthMethod::ClientSecretBasic {
        let secret = client_secret.clone().ok_or_else(|| {
            Error::config("client_secret", "client_secret_basic needs a client secret")
        })?;
        return Ok(Arc::new(
            ClientSecretBasic::new(client_id.clone(), secret).with_encoding(basic_encoding),
        ));
    }
    if method == AuthMethod::None {
        return Ok(Arc::new(NoClientAuth::new(client_id.clone())));
    }
    crate::protocol::auth::client_auth(method, client_id.clone(), client_secret.clone())
}
