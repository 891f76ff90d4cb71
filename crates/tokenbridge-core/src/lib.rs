//! The core of tokenbridge: the traits, the normalized [`TokenSet`], the one [`Error`] type,
//! the HTTP layer with safe defaults, the lenient response pipeline and the
//! [`StandardExchanger`] for any RFC 6749 / OpenID Connect provider.
//!
//! Vendor adapters (GenAuth, Tencent CIAM, Huawei OneAccess, or your own) are small crates
//! written against [`TokenExchanger`] and [`ClientAuth`], reusing [`StandardExchanger`] through
//! [`ExchangeHooks`] where their vendor follows the standard and the [`wire`] steps where it
//! does not.

pub mod auth;
pub mod discovery;
pub mod error;
pub mod exchanger;
pub mod grant;
pub mod http;
pub mod pkce;
pub mod request;
pub mod session;
pub mod standard;
pub mod token;
pub mod wire;

pub use auth::{
    client_auth, AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, ClientSecretPost,
    NoClientAuth,
};
pub use discovery::{Jwk, Jwks, ProviderMetadata};
pub use error::{
    Error, LoginEnd, LoginError, ProviderError, Result, TransportError, TransportKind,
    UnreadableResponse, VendorError,
};
pub use exchanger::{ensure_supported, unsupported_grant, TokenExchanger};
pub use grant::{Grant, GrantKind};
pub use http::{HttpClient, HttpConfig, HttpResponse};
pub use pkce::PkceVerifier;
pub use request::{BodyEncoding, TokenRequest};
pub use session::{
    FileStore, MemoryStore, SessionError, TokenSession, TokenSessionBuilder, TokenStore,
};
pub use standard::{
    ExchangeHooks, Protocol, StandardExchanger, StandardExchangerBuilder, StandardHooks,
};
pub use token::{SerializeSecrets, TokenSet, TokenType};

/// Re-exported for adapters implementing [`TokenExchanger`].
pub use async_trait::async_trait;
/// The `redis` crate, re-exported so applications open connections for
/// [`session::RedisStore`] with the same version.
#[cfg(feature = "redis")]
pub use redis;
/// Re-exported so adapters and applications use the same secret types.
pub use secrecy::{self, ExposeSecret, SecretString};
/// Re-exported for adapters building URLs.
pub use url::{self, Url};
