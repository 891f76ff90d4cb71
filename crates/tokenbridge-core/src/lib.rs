//! The core of tokenbridge: the normalized [`TokenSet`], [`Grant`], the one [`Error`] type
//! with its [`ErrorKind`], the HTTP layer with safe defaults, the lenient response pipeline,
//! and [`Provider`], the one configured-provider type where every capability is written once.
//!
//! A vendor adapter is data and hooks: a [`VendorDescription`] (endpoint paths, auth methods,
//! grants, an error-code table) and, where its protocol departs from the standard,
//! [`VendorHooks`]. It registers a [`ProviderFactory`] so configuration can name it.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod config;
pub mod device;
pub mod discovery;
pub mod dpop;
mod endpoint_url;
pub mod error;
pub mod exchanger;
pub mod grant;
pub mod http;
pub mod id_token;
pub mod identity;
pub mod introspection;
pub mod jwks;
pub mod jwt_auth;
mod malformed;
mod par;
pub mod pkce;
pub mod provider;
pub mod redact;
pub mod request;
pub mod request_auth;
pub mod session;
pub mod shape;
pub mod signin;
pub mod token;
pub mod transport;
#[cfg(feature = "reqwest")]
mod transport_reqwest;
mod userinfo;
mod userinfo_email;
pub mod vendor;
pub mod wire;

pub use self::http::{HttpClient, HttpConfig, HttpResponse};
pub use auth::{
    client_auth, AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, ClientSecretPost,
    NoClientAuth,
};
pub use config::{
    CommonSettings, HttpSettings, ProviderContext, ProviderFactory, ProviderTable, SecretSetting,
};
pub use device::{DeviceAuthorization, DevicePoller, DeviceProgress};
pub use discovery::{Jwk, Jwks, ProviderMetadata};
pub use dpop::DpopKey;
pub use error::{
    Error, ErrorKind, LoginEnd, LoginError, OAuthError, OAuthErrorCode, Result, RetryAfter,
    TransportError, TransportKind, UnreadableResponse, VendorError,
};
pub use exchanger::{ensure_supported, unsupported_grant, TokenExchanger};
pub use grant::{Grant, GrantKind, DEVICE_CODE_GRANT_TYPE};
pub use id_token::{
    access_token_hash, Clock, IdTokenError, IdTokenVerifier, IdTokenVerifierBuilder,
    SigningAlgorithm, SystemClock, VerifiedIdToken, VerifyOptions,
};
pub use identity::{
    parse_shaped_userinfo, parse_standard_userinfo, parse_userinfo_with_aliases, userinfo_error,
    Identity,
};
pub use introspection::Introspection;
pub use jwks::{HttpJwksSource, JwksCache, JwksSource, StaticJwksSource};
pub use jwt_auth::{ClientSecretJwt, PrivateKeyJwt};
pub use malformed::MalformedValue;
pub use pkce::PkceVerifier;
pub use provider::{Endpoints, Protocol, Provider, ProviderBuilder, STANDARD};
pub use request::{BodyEncoding, TokenRequest};
pub use request_auth::RequestAuthorization;
pub use session::{
    FileStore, MemoryStore, SessionError, TokenSession, TokenSessionBuilder, TokenStore,
};
pub use shape::{
    EmailLookup, FieldNames, HttpMethod, ParamsIn, ResponseFormat, RevocationShape, TokenPlacement,
    TokenRequestShape, TokenResponseShape, UserinfoShape,
};
pub use signin::{
    AuthorizationRequest, AuthorizationRequestBuilder, CallbackError, CompletedLogin,
    LogoutRequest, PendingLogin, TokenTypeHint,
};
pub use token::{SerializeSecrets, TokenSet, TokenType};
pub use transport::{transport_fn, FnTransport, ResponseBody, Transport};
pub use vendor::{
    Capabilities, EndpointPaths, ErrorMapping, ErrorTable, HookContext, LogoutParams,
    StandardHooks, VendorDescription, VendorHooks,
};

/// Re-exported for adapters implementing [`TokenExchanger`].
pub use async_trait::async_trait;
/// The `redis` crate, re-exported so applications open connections for
/// [`session::RedisStore`] with the same version.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis;
/// Re-exported because [`HttpClient::with_reqwest`] takes a `reqwest::Client`, so callers can
/// match versions.
#[cfg(feature = "reqwest")]
pub use reqwest;
/// Re-exported so adapters and applications use the same secret types.
pub use secrecy::{self, ExposeSecret, SecretString};
/// Re-exported for adapters building URLs.
pub use url::{self, Url};
