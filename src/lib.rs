//! tokenbridge: sign users in and exchange credentials (authorization codes, refresh tokens,
//! client credentials, GenAuth QR-login tickets) for one normalized [`TokenSet`], whichever
//! identity vendor is configured.
//!
//! Switching vendor is a configuration change: load a [`Config`], ask the [`Registry`] once
//! for a [`Provider`] by name, and keep it (it is cheap to clone and caches discovery).
//!
//! ```no_run
//! # async fn run() -> tokenbridge::Result<()> {
//! use tokenbridge::{Config, Grant, Registry, TokenExchanger};
//!
//! let config = Config::from_file("tokenbridge.toml")?;
//! let provider = Registry::new().build(&config, "corp")?;
//! let tokens = provider
//!     .exchange(Grant::authorization_code("the-code", "https://app.example.com/callback"))
//!     .await?;
//! println!("{tokens}"); // secrets are never printed
//! # Ok(()) }
//! ```
//!
//! Built-in kinds, listed in [`kinds::BUILT_IN`]: `genauth` (module `genauth`),
//! `tencent-ciam` (`tencent_ciam`), `huawei-oneaccess` (`huawei_oneaccess`), `wechat` (`wechat`),
//! `dingtalk` (`dingtalk`), `feishu` (`feishu`) and `github` (`github`), each behind the
//! Cargo feature of its name, on by default, and `oidc` (any standard provider, always
//! available). Your own kinds implement [`adapter::ProviderFactory`] and are registered with
//! [`Registry::register`]; see
//! `docs/writing-an-adapter.md`.
//!
//! The facade names what applications and adapter authors use, once each: the application API
//! at the root and in [`session`], the adapter author's in [`adapter`]. Anything else of
//! `tokenbridge-core` is an implementation detail of this version.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod declared;
pub mod kinds;
mod registry;

/// The Rust blocks of the adapter guide, compiled as doctests (`cargo test --doc`); the
/// `rust,ignore` ones need the running emulator and are checked against the example by
/// `tests/custom_adapter_example.rs`, which compiles and runs it.
#[cfg(doctest)]
#[doc = include_str!("../docs/writing-an-adapter.md")]
mod adapter_guide {}

pub use config::Config;
pub use declared::DeclaredVendor;
pub use registry::Registry;
pub use tokenbridge_core::{
    url, AdapterError, AuthMethod, AuthorizationRequest, CallbackError, Capabilities,
    CompletedLogin, DeviceEnd, DeviceError, Endpoints, Error, ErrorKind, ExposeSecret, Grant,
    GrantKind, HttpClient, HttpConfig, LogoutRequest, OAuthError, OAuthErrorCode, PendingLogin,
    PkceVerifier, Protocol, Provider, ProviderBuilder, Result, RetryAfter, SecretString,
    TokenExchanger, TokenSet, TokenType, TokenTypeHint, TransportError, TransportKind,
    UnreadableResponse, Url, VendorError,
};

/// reqwest, the default transport, so an application building its own `reqwest::Client` for
/// [`HttpClient::with_reqwest`] matches versions.
#[cfg(feature = "reqwest")]
pub use tokenbridge_core::reqwest;
/// The HTTP seam: plug an HTTP client of your own ([`HttpClient::with_transport`]), or a
/// closure ([`transport_fn`]); see docs/architecture.md.
pub use tokenbridge_core::{transport_fn, ResponseBody, Transport};

/// Beyond the code flow (`docs/protocols.md`): device sign-in (RFC 8628), introspection
/// (RFC 7662), and DPoP-bound tokens (RFC 9449) with the headers that authorize a request.
pub use tokenbridge_core::{
    DeviceAuthorization, DevicePoller, DeviceProgress, DpopKey, Introspection, RequestAuthorization,
};

/// Identity: verified ID tokens, userinfo and JWT client authentication (`docs/identity.md`).
pub use tokenbridge_core::{
    ClientSecretJwt, Clock, HttpJwksSource, IdTokenError, IdTokenVerifier, IdTokenVerifierBuilder,
    Identity, JwksCache, JwksSource, PrivateKeyJwt, SigningAlgorithm, StaticJwksSource,
    SystemClock, VerifiedIdToken, VerifyOptions,
};

/// Building blocks of the types above: an authorization request's builder, the opt-in view
/// that serializes a token set's secrets for storage, and the error of the lenient value
/// readers ([`Identity::from_claims`], `adapter::wire`).
pub use tokenbridge_core::{AuthorizationRequestBuilder, MalformedValue, SerializeSecrets};

/// What an adapter author needs: the vendor contract (description, hooks, registration), the
/// request and response types, client authentication and the lenient wire parsing.
pub mod adapter {
    /// A vendor's rules on ID-token claims where the issuer is not one fixed string.
    pub use tokenbridge_core::IdTokenRules;
    pub use tokenbridge_core::{
        access_token_hash, add_grant_params, async_trait, unsupported_grant, BodyEncoding,
        HttpResponse, Jwk, Jwks, ProviderMetadata, TokenRequest, DEVICE_CODE_GRANT_TYPE, STANDARD,
    };
    pub use tokenbridge_core::{
        client_auth, BasicEncoding, ClientAuth, ClientSecretBasic, ClientSecretPost, NoClientAuth,
    };
    pub use tokenbridge_core::{
        BasicEncodingSetting, CommonSettings, HttpSettings, ProviderContext, ProviderFactory,
        ProviderTable, SecretSetting, StandardKind, StandardSettings, COMMON_KEYS,
    };
    pub use tokenbridge_core::{
        EndpointPaths, ErrorMapping, ErrorTable, HookContext, LogoutParams, StandardHooks,
        VendorDescription, VendorHooks,
    };

    /// The HTTP layer's helpers: URL checks and joins, and its limits.
    pub mod http {
        pub use tokenbridge_core::{
            is_loopback, join_path, parse_base_url, without_userinfo, HttpClient, HttpConfig,
            HttpResponse, DEFAULT_MAX_BODY_BYTES, DEFAULT_USER_AGENT, IDLE_TIMEOUT,
            MAX_IDLE_PER_HOST,
        };
    }

    /// Redaction of what a server echoes back, before it goes into an error or a log.
    pub mod redact {
        pub use tokenbridge_core::{redact_text, SentSecrets, SNIPPET_CHARS};
    }

    /// The lenient response pipeline: token answers, errors and their values read leniently.
    pub mod wire {
        pub use tokenbridge_core::{
            decode_json_object, json_type, parse_expires_in, parse_scope, parse_token_fast,
            parse_token_response, retry_after, standard_error, token_set_from_fields, unreadable,
            vendor_error_in, MAX_EXPIRES_IN,
        };
    }
    pub use tokenbridge_core::{
        parse_shaped_userinfo, parse_userinfo_with_aliases, userinfo_error,
    };
    pub use tokenbridge_core::{AuthorizeShape, EmailLookup, NonceMode, RevocationShape};
    pub use tokenbridge_core::{
        FieldNames, HttpMethod, ParamsIn, ResponseFormat, TokenPlacement, TokenRequestShape,
        TokenResponseShape, UserinfoShape,
    };
}

/// Sessions: tokens kept fresh for many tasks, with single-flight refresh and stores (memory,
/// file, Redis with the core crate's `redis` feature); see `docs/sessions.md`.
pub mod session {
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub use tokenbridge_core::RedisStore;
    pub use tokenbridge_core::{
        EndReason, FileStore, GrantFactory, MemoryStore, NoLock, SessionError, StoreError,
        StoreLock, TokenSession, TokenSessionBuilder, TokenStore, DEFAULT_REFRESH_MARGIN,
    };
}

/// The DingTalk adapter.
#[cfg(feature = "dingtalk")]
#[cfg_attr(docsrs, doc(cfg(feature = "dingtalk")))]
pub use tokenbridge_dingtalk as dingtalk;
/// The Feishu / Lark adapter.
#[cfg(feature = "feishu")]
#[cfg_attr(docsrs, doc(cfg(feature = "feishu")))]
pub use tokenbridge_feishu as feishu;
/// The GenAuth (formerly Authing) adapter.
#[cfg(feature = "genauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "genauth")))]
pub use tokenbridge_genauth as genauth;
/// The GitHub adapter.
#[cfg(feature = "github")]
#[cfg_attr(docsrs, doc(cfg(feature = "github")))]
pub use tokenbridge_github as github;
/// The Huawei Cloud OneAccess adapter.
#[cfg(feature = "huawei-oneaccess")]
#[cfg_attr(docsrs, doc(cfg(feature = "huawei-oneaccess")))]
pub use tokenbridge_huawei_oneaccess as huawei_oneaccess;
/// The Tencent Cloud CIAM adapter.
#[cfg(feature = "tencent-ciam")]
#[cfg_attr(docsrs, doc(cfg(feature = "tencent-ciam")))]
pub use tokenbridge_tencent_ciam as tencent_ciam;
/// The WeChat Open Platform website QR login adapter.
#[cfg(feature = "wechat")]
#[cfg_attr(docsrs, doc(cfg(feature = "wechat")))]
pub use tokenbridge_wechat as wechat;
