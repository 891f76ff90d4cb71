//! Outgoing HTTP requests that carry a fresh access token.
//!
//! An application that signed a user in (or holds a service's client credentials) keeps the
//! tokens in a [`TokenSession`](tokenbridge_core::TokenSession). This crate puts the
//! session's access token on the application's own outgoing API calls:
//!
//! - [`TokenMiddleware`] (feature `reqwest`, default) for a `reqwest-middleware` client;
//! - [`TokenLayer`] / [`TokenService`] (feature `tower`, default) for any `tower` service over
//!   `http::Request` (hyper-util's client, tonic, ...).
//!
//! Both do the same thing:
//!
//! 1. set `Authorization` from the session, which renews the token first when it is due (one
//!    renewal however many requests ask at once); the header value is marked sensitive;
//! 2. on a `401` whose `WWW-Authenticate` carries a challenge of the scheme sent with
//!    `error="invalid_token"` (RFC 6750 section 3.1; several challenges, any scheme case and
//!    quoted parameters are read as RFC 9110 section 11.6.1 writes them), report the refused
//!    token to the session, which renews it once for all the requests it refused, and resend
//!    the request **once** with the new token, when the request can be cloned;
//! 3. return everything else as it is: another status, a 401 for another reason, a 401 to a
//!    request whose body streams, and whatever the resend got, a second 401 included.
//!
//! No token ever appears in an error, a log line or `Debug` output: errors wrap
//! [`tokenbridge_core::Error`], whose messages hold no secret, and the log lines (`tracing`,
//! at `debug`) name the provider, the method and the URL without its query.
//!
//! ```
//! use std::sync::Arc;
//!
//! use tokenbridge_core::{MemoryStore, TokenSession};
//! use tokenbridge_core::{ErrorKind, Provider, TokenSet};
//! use tokenbridge_middleware::TokenMiddleware;
//!
//! /// The signed-in user's profile at an API of the provider's realm.
//! async fn profile(provider: Provider, signed_in: TokenSet) -> Result<String, Box<dyn std::error::Error>> {
//!     let session = TokenSession::builder(Arc::new(provider))
//!         .tokens(signed_in)
//!         .store(Arc::new(MemoryStore::new()))
//!         .build();
//!     let api = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!         .with(TokenMiddleware::new(session))
//!         .build();
//!     match api.get("https://api.example.com/v1/me").send().await {
//!         Ok(response) => Ok(response.text().await?),
//!         // The session could not hand out a token: sign in again when it has ended.
//!         Err(reqwest_middleware::Error::Middleware(e)) => match e.downcast_ref::<tokenbridge_core::Error>() {
//!             Some(e) if e.kind() == ErrorKind::InvalidGrant => Err("signed out: sign in again".into()),
//!             _ => Err(e.into()),
//!         },
//!         Err(e) => Err(e.into()),
//!     }
//! }
//! # let _ = profile;
//! ```
//!
//! See `docs/outgoing.md` for the model in full.

// The crate documentation links to both integrations; with one alone, half the links dangle.
#![cfg_attr(
    not(all(feature = "reqwest", feature = "tower")),
    allow(rustdoc::broken_intra_doc_links)
)]

// Without a feature the crate is empty: both integrations share these.
#[cfg(any(feature = "reqwest", feature = "tower"))]
mod authorize;
#[cfg(any(feature = "reqwest", feature = "tower"))]
mod challenge;

#[cfg(feature = "tower")]
mod body;
#[cfg(feature = "reqwest")]
mod reqwest;
#[cfg(feature = "tower")]
mod tower;

#[cfg(feature = "tower")]
pub use crate::body::TryCloneBody;
#[cfg(feature = "reqwest")]
pub use crate::reqwest::TokenMiddleware;
#[cfg(feature = "tower")]
pub use crate::tower::{BoxError, ResponseFuture, TokenLayer, TokenService};
