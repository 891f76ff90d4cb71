//! Client authentication at the token endpoint: the secret-based methods (`method`), the
//! JWT assertions (`jwt`, built on `method`'s trait), and the choice of one (`select`).

mod certificate;
mod jwt;
mod method;
mod select;

pub use jwt::{ClientSecretJwt, PrivateKeyJwt, ASSERTION_LIFETIME, CLIENT_ASSERTION_TYPE};
pub use method::{
    AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, ClientSecretPost, NoClientAuth,
};
pub use select::client_auth;
