//! An emulator of an RFC 6749 / OpenID Connect provider, configurable per vendor through a
//! [`Profile`].
//!
//! [`OidcProvider`] holds the state (registered clients, one-time codes, refresh tokens) and
//! answers token requests; [`OidcEmulator`] serves one on loopback. Vendor emulators either
//! use a profile of their own or mount several providers in one router.
//!
//! Each endpoint is a file of its own: `token`, `authorize`, `userinfo`, `revocation`,
//! `end_session`, `discovery` (with the JWKS); `clients` authenticates the caller, `id_token`
//! signs, `provider` keeps the books and `routes` wires them to paths.

mod authorize;
mod clients;
mod discovery;
mod emulator;
mod end_session;
mod id_token;
mod profile;
mod provider;
mod revocation;
mod routes;
mod token;
mod userinfo;

pub use authorize::form_post_fields;
pub use clients::{certificate_x5t, ClientRegistration, CodeRequest};
pub use emulator::OidcEmulator;
pub use profile::{
    AuthorizeMode, ErrorReplies, ExpiryStyle, FormPost, IdTokenSigning, Profile, RefreshStyle,
    SecretJwt, UserinfoStyle,
};
pub use provider::{demo_user_claims, OidcProvider, DEMO_SUBJECT};
pub use token::{fake_jwt, s256};

pub use crate::reply::Reply;
