//! The core of tokenbridge: the normalized [`TokenSet`], [`Grant`], the one [`Error`] type
//! with its [`ErrorKind`], the HTTP layer with safe defaults, the lenient response pipeline,
//! and [`Provider`], the one configured-provider type where every capability is written once.
//!
//! A vendor adapter is data and hooks: a [`VendorDescription`] (endpoint paths, auth methods,
//! grants, an error-code table) and, where its protocol departs from the standard,
//! [`VendorHooks`]. It registers a [`ProviderFactory`] so configuration can name it.
//!
//! Every public item is re-exported here, at the crate root, and only here: the modules are
//! private, arranged in layers that import only the layers below them (see
//! docs/architecture.md): `error` → `model` → `transport` → `protocol` → `vendor` →
//! `provider` → `config` → `session`.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod error;
mod model;
mod protocol;
mod provider;
mod session;
mod transport;
mod vendor;

// The error layer: the one error type, the errors it carries, and redaction.
pub use error::redact::{redact_snippet, redact_text, SentSecrets, SNIPPET_CHARS};
pub use error::{
    AdapterError, CallbackError, DeviceEnd, DeviceError, EndReason, Error, ErrorKind, GrantKind,
    IdTokenError, MalformedValue, OAuthError, OAuthErrorCode, Result, RetryAfter, SessionError,
    SigningAlgorithm, StoreError, TransportError, TransportKind, UnreadableResponse, VendorError,
    MAX_CALLBACK_QUERY,
};

// The model layer: tokens, grants, PKCE, DPoP keys.
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub use model::dpop::access_token_hash as dpop_access_token_hash;
pub use model::dpop::{htu, DpopKey, DPOP_HEADER, DPOP_NONCE_HEADER, USE_DPOP_NONCE};
pub use model::grant::{Grant, DEVICE_CODE_GRANT_TYPE};
pub use model::pkce::{s256_challenge, PkceVerifier};
pub use model::random::random_token;
pub use model::token::{SerializeSecrets, TokenSet, TokenType};

// The transport layer: requests, the HTTP client and its seam, shapes, the response pipeline.
pub use transport::config::{
    HttpConfig, DEFAULT_MAX_BODY_BYTES, DEFAULT_USER_AGENT, IDLE_TIMEOUT, MAX_IDLE_PER_HOST,
};
pub use transport::http::{HttpClient, HttpResponse};
pub use transport::request::{form_encode, BodyEncoding, ParamValue, TokenRequest};
pub use transport::request_auth::RequestAuthorization;
pub use transport::seam::{transport_fn, FnTransport, ResponseBody, Transport};
pub use transport::shape::{
    EmailLookup, FieldNames, HttpMethod, ParamsIn, ResponseFormat, RevocationShape, TokenPlacement,
    TokenRequestShape, TokenResponseShape, UserinfoShape,
};
pub use transport::url::{
    is_loopback, join_path, parse_base_url, parse_secure_url, without_userinfo,
};
pub use transport::wire::{
    decode_json_object, json_type, parse_expires_in, parse_scope, parse_standard_fast,
    parse_standard_response, retry_after, standard_error, token_set_from_fields, unreadable,
    MAX_EXPIRES_IN,
};

// The protocol layer: OAuth 2.0 and OpenID Connect pieces on data.
pub use protocol::auth::{
    client_auth, AuthMethod, BasicEncoding, ClientAuth, ClientSecretBasic, ClientSecretJwt,
    ClientSecretPost, NoClientAuth, PrivateKeyJwt, ASSERTION_LIFETIME, CLIENT_ASSERTION_TYPE,
};
pub use protocol::device::{
    DeviceAuthorization, DevicePoller, DeviceProgress, DEFAULT_DEVICE_INTERVAL, SLOW_DOWN_STEP,
};
pub use protocol::discovery::{Jwk, Jwks, ProviderMetadata};
pub use protocol::exchanger::{unsupported_grant, TokenExchanger};
pub use protocol::id_token::{
    access_token_hash, Clock, IdTokenRules, IdTokenVerifier, IdTokenVerifierBuilder, SystemClock,
    VerifiedIdToken, VerifyOptions, DEFAULT_LEEWAY, MAX_HEADER_BYTES, MAX_SUBJECT_CHARS,
    MAX_TOKEN_BYTES,
};
pub use protocol::introspection::Introspection;
pub use protocol::jwks::{
    HttpJwksSource, JwksCache, JwksSource, StaticJwksSource, DEFAULT_REFRESH_INTERVAL,
};
pub use protocol::signin::{
    AuthorizationRequest, CompletedLogin, LogoutRequest, PendingLogin, TokenTypeHint,
};

pub use protocol::identity::{parse_userinfo_with_aliases, userinfo_error, Identity};

// The vendor layer: what a vendor is, as data and hooks.
pub use vendor::{
    parse_shaped_userinfo, parse_token_fast, parse_token_response, vendor_error_in, AuthorizeShape,
    Capabilities, EndpointPaths, ErrorMapping, ErrorTable, HookContext, LogoutParams, NonceMode,
    StandardHooks, VendorDescription, VendorHooks,
};

// The provider layer: one configured provider and its capabilities.
pub use provider::{
    add_grant_params, AuthorizationRequestBuilder, Endpoints, Protocol, Provider, ProviderBuilder,
    DISCOVERY_PATH, STANDARD,
};

// The configuration layer: settings, the factory trait, the table of providers.
pub use config::{
    BasicEncodingSetting, CommonSettings, EnvLookup, HttpSettings, ProviderContext,
    ProviderFactory, ProviderTable, SecretSetting, StandardKind, StandardSettings, COMMON_KEYS,
};

// The session layer: tokens kept fresh for many tasks.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use session::RedisStore;
pub use session::{
    FileStore, GrantFactory, MemoryStore, NoLock, StoreLock, TokenSession, TokenSessionBuilder,
    TokenStore, DEFAULT_REFRESH_MARGIN,
};

/// Re-exported for adapters implementing [`TokenExchanger`].
pub use async_trait::async_trait;
/// The `redis` crate, re-exported so applications open connections for [`RedisStore`] with
/// the same version.
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
