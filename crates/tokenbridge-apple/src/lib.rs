//! Sign in with Apple for tokenbridge: a [`VendorDescription`], the ES256 client secret
//! ([`AppleClientSecret`]) and the registration of `kind = "apple"`.
//!
//! Apple's endpoints live on `https://appleid.apple.com`; `base_url` (an emulator, a proxy)
//! replaces their scheme, host and port, and the issuer's. Sources, each cited where used:
//! - \[AUTH\] <https://developer.apple.com/documentation/signinwithapplerestapi/request-an-authorization-to-the-sign-in-with-apple-server>
//! - \[TOKEN\] <https://developer.apple.com/documentation/signinwithapplerestapi/generate-and-validate-tokens>
//! - \[RESP\] <https://developer.apple.com/documentation/signinwithapplerestapi/tokenresponse>
//! - \[ERR\] <https://developer.apple.com/documentation/signinwithapplerestapi/errorresponse>
//! - \[KEYS\] <https://developer.apple.com/documentation/signinwithapplerestapi/fetch-apple's-public-key-for-verifying-token-signature>
//! - \[REVOKE\] <https://developer.apple.com/documentation/signinwithapplerestapi/revoke-tokens>
//! - \[IDT\] <https://developer.apple.com/documentation/signinwithapplejs/authorizationi/id_token>
//! - \[NONCE\] <https://developer.apple.com/documentation/signinwithapplejs/clientconfigi/nonce>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::SecretString;
//!
//! let pem = SecretString::from(std::fs::read_to_string("AuthKey_KEY1234567.p8").unwrap());
//! let apple = tokenbridge_apple::builder("apple", "com.example.web", "TEAM123456", "KEY1234567", &pem)?
//!     .redirect_uri("https://app.example.com/callback")
//!     .build()?;
//! let login = apple.authorization_request().build().await?;
//! println!("{}", login.url); // response_mode=form_post: the callback is a POST
//! # Ok(()) }
//! ```

mod secret;

use std::sync::Arc;

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, EndpointPaths, Error, ErrorKind, ErrorMapping, ErrorTable, GrantKind, NonceMode,
    Provider, ProviderBuilder, ProviderContext, ProviderFactory, Result, SecretString,
    SigningAlgorithm, VendorDescription,
};

pub use secret::{
    AppleClientSecret, DEFAULT_LIFETIME, MAX_LIFETIME, RENEW_BEFORE, SECRET_AUDIENCE,
};

/// Apple's endpoints as absolute URLs, as [`DESCRIPTION`] uses them.
pub mod urls {
    /// The issuer of ID tokens \[IDT\].
    pub const ISSUER: &str = "https://appleid.apple.com";
    /// The authorization endpoint \[AUTH\].
    pub const AUTHORIZE: &str = "https://appleid.apple.com/auth/authorize";
    /// The token endpoint \[TOKEN\].
    pub const TOKEN: &str = "https://appleid.apple.com/auth/token";
    /// The revocation endpoint \[REVOKE\].
    pub const REVOKE: &str = "https://appleid.apple.com/auth/revoke";
    /// The public keys of ID tokens \[KEYS\].
    pub const KEYS: &str = "https://appleid.apple.com/auth/keys";
}

/// Sign in with Apple, as data.
///
/// - Endpoints: [`urls`]; no userinfo, discovery or end-session endpoint is documented, so
///   `userinfo` and `logout-url` are unsupported (the user is the ID token).
/// - Client authentication: `client_id` and `client_secret` in the form body \[TOKEN\], the
///   secret being the ES256 JWT of [`AppleClientSecret`].
/// - `redirect_uri` goes with a code only "if the application provided a `redirect_uri` in the
///   initial authorization request" \[TOKEN\], so it is not required.
/// - Sign-in scopes are `name` and `email` (the only valid ones \[AUTH\]); any scope needs
///   `response_mode=form_post` \[AUTH\], which every sign-in sends: the callback is a form
///   POST whose `user` JSON (first sign-in only) ends up in the identity.
/// - The refresh answer carries no refresh token \[RESP\]; core keeps the one the session has.
/// - Revocation answers 200 even for an invalid token \[REVOKE\].
/// - ID tokens: issuer `https://appleid.apple.com` \[IDT\], keys from [`urls::KEYS`], RS256
///   (inferred: Apple's pages do not name the algorithm; the keys it publishes are RS256).
///   `email_verified` and `is_private_email` may be strings or booleans \[IDT\]: core reads
///   both.
/// - `nonce`: every sign-in sends one, though its scopes are not `openid`: Apple documents the
///   authorization's `nonce` as "the value that associates a client session and an ID token",
///   present in the ID token "only if passed during the authorization request" \[NONCE\]
///   \[IDT\]; the callback requires it back in the ID token.
/// - Errors: `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
///   `unsupported_grant_type`, `invalid_scope` \[ERR\], RFC 6749's meanings; the callback's
///   one error is `user_cancelled_authorize` \[AUTH\].
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("apple", "Sign in with Apple");
    d.paths = PATHS;
    d.issuer_path = Some(urls::ISSUER);
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
    d.public_grants = &[];
    d.redirect_uri_required = false;
    d.default_scopes = &["name", "email"];
    d.id_token_algorithms = &[SigningAlgorithm::Rs256];
    d.authorize.nonce = NonceMode::Always;
    d.errors = ErrorTable(ERRORS);
    d
};

const PATHS: EndpointPaths = {
    let mut p = EndpointPaths::NONE;
    p.token = Some(urls::TOKEN);
    p.authorization = Some(urls::AUTHORIZE);
    p.revocation = Some(urls::REVOKE);
    p.jwks = Some(urls::KEYS);
    p
};

const ERRORS: &[ErrorMapping] = &[
    // "The only error code that might be returned is user_cancelled_authorize" [AUTH].
    ErrorMapping::documented("user_cancelled_authorize", ErrorKind::AccessDenied),
];

/// The own settings of `kind = "apple"`. The shared keys `client_id` (the Services ID),
/// `key_id`, and `private_key_file` or `private_key_env` (the `.p8` key) are read by core's
/// [`ProviderContext`]; `client_secret` is not used (the secret is made from the key).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AppleSettings {
    /// The 10-character Team ID, the client secret's `iss`.
    pub team_id: String,
    /// Replaces the scheme, host and port of every endpoint and of the issuer (an emulator,
    /// a proxy); https, or http on loopback.
    #[serde(default)]
    pub base_url: Option<String>,
}

/// A provider builder with Apple's description, its client secret made from `private_key_pem`,
/// and `response_mode=form_post` on every sign-in.
pub fn builder(
    id: impl Into<String>,
    client_id: &str,
    team_id: &str,
    key_id: &str,
    private_key_pem: &SecretString,
) -> Result<ProviderBuilder> {
    let secret = AppleClientSecret::new(client_id, team_id, key_id, private_key_pem)?;
    Ok(apply(
        Provider::builder(id).vendor(&DESCRIPTION),
        secret,
        None,
    ))
}

fn apply(
    builder: ProviderBuilder,
    secret: AppleClientSecret,
    base_url: Option<String>,
) -> ProviderBuilder {
    let builder = builder
        .client_auth(Arc::new(secret))
        .authorization_param("response_mode", "form_post");
    match base_url {
        Some(base) => builder.base_url(base),
        None => builder,
    }
}

/// The registration of `kind = "apple"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Apple;

impl ProviderFactory for Apple {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: AppleSettings = context.settings()?;
        let common = context.common()?;
        let table = context.table();
        if common.client_secret.is_some() || common.client_secret_env.is_some() {
            let key = if common.client_secret.is_some() {
                "client_secret"
            } else {
                "client_secret_env"
            };
            return Err(table.config_error(
                Some(key),
                "Sign in with Apple's client secret is a JWT tokenbridge signs with the .p8 \
                 key: set private_key_file (or private_key_env), key_id and team_id instead",
            ));
        }
        if let Some(method) = common
            .auth_method
            .filter(|m| *m != AuthMethod::ClientSecretPost)
        {
            return Err(table.config_error(
                Some("auth_method"),
                format!(
                    "Sign in with Apple authenticates with client_secret_post (its JWT client \
                     secret), not {method}"
                ),
            ));
        }
        let key_id = common.key_id.clone().ok_or_else(|| {
            table.config_error(
                Some("key_id"),
                "Sign in with Apple needs key_id, the 10-character id of the .p8 key",
            )
        })?;
        let pem = context.private_key_pem()?.ok_or_else(|| {
            table.config_error(
                Some("private_key_file"),
                "Sign in with Apple needs its .p8 key: set private_key_file (a path) or \
                 private_key_env (a variable holding the PEM text)",
            )
        })?;
        let secret = AppleClientSecret::new(&common.client_id, &settings.team_id, key_id, &pem)
            .map_err(|e| match e {
                Error::Config { key, message } => {
                    let key = match (key.as_deref(), &common.private_key_env) {
                        (Some("private_key_file"), Some(_)) => Some("private_key_env"),
                        (other, _) => other,
                    };
                    table.config_error(key, message)
                }
                other => other,
            })?;
        let builder = context.builder_with_own_key(&DESCRIPTION)?;
        context.build(apply(builder, secret, settings.base_url))
    }
}
