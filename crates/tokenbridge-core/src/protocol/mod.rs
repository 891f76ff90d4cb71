//! The OAuth 2.0 and OpenID Connect pieces, each on data handed in rather than on a
//! configured provider: client authentication, discovery, JWKS, ID-token verification, DPoP
//! on the wire, the device grant, introspection, userinfo requests and the sign-in values
//! (pending login, callback parsing).

pub(crate) mod auth;
pub(crate) mod callback_user;
pub(crate) mod device;
pub(crate) mod discovery;
pub(crate) mod dpop;
pub(crate) mod exchanger;
pub(crate) mod id_token;
pub(crate) mod identity;
pub(crate) mod introspection;
pub(crate) mod jwks;
pub(crate) mod signin;
pub(crate) mod userinfo;
