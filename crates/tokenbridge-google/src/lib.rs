//! Google for tokenbridge: a [`VendorDescription`], the ID-token rules for Google's two
//! issuer spellings and the hosted domain, and the registration of `kind = "google"`.
//!
//! Google is a standard OpenID Connect provider spread over several hosts; the description
//! writes each endpoint as Google's absolute URL, and `base_url` (for an emulator or a proxy)
//! replaces their scheme, host and port. Sources, each cited where it is used:
//! - \[REF\] <https://developers.google.com/identity/openid-connect/reference>
//! - \[WS\] <https://developers.google.com/identity/protocols/oauth2/web-server>
//! - \[OIDC\] <https://developers.google.com/identity/openid-connect/openid-connect>
//! - \[BACK\] <https://developers.google.com/identity/sign-in/web/backend-auth>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::SecretString;
//!
//! let google = tokenbridge_google::builder("google", &tokenbridge_google::GoogleSettings::default())
//!     .client_id("1234567890-abc.apps.googleusercontent.com")
//!     .client_secret(SecretString::from("GOCSPX-..."))
//!     .redirect_uri("https://app.example.com/callback")
//!     .build()?;
//! let login = google.authorization_request().build().await?;
//! println!("{}", login.url);
//! # Ok(()) }
//! ```

mod rules;

use std::sync::Arc;

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, EndpointPaths, ErrorKind, ErrorMapping, ErrorTable, GrantKind, Provider,
    ProviderBuilder, ProviderContext, ProviderFactory, Result, SigningAlgorithm, VendorDescription,
};

pub use rules::GoogleIdTokenRules;

/// Google's endpoints as absolute URLs, as [`DESCRIPTION`] uses them.
pub mod urls {
    /// The issuer in its modern spelling; `accounts.google.com` is also valid \[REF\].
    pub const ISSUER: &str = "https://accounts.google.com";
    /// The discovery document \[REF\].
    pub const DISCOVERY: &str = "https://accounts.google.com/.well-known/openid-configuration";
    /// The authorization endpoint \[WS\].
    pub const AUTHORIZE: &str = "https://accounts.google.com/o/oauth2/v2/auth";
    /// The token endpoint \[WS\].
    pub const TOKEN: &str = "https://oauth2.googleapis.com/token";
    /// The revocation endpoint \[WS\].
    pub const REVOKE: &str = "https://oauth2.googleapis.com/revoke";
    /// The userinfo endpoint (inferred: from Google's live discovery document; the reference
    /// names only the member `userinfo_endpoint`).
    pub const USERINFO: &str = "https://openidconnect.googleapis.com/v1/userinfo";
    /// The signing keys (inferred: from Google's live discovery document; the reference names
    /// only the member `jwks_uri`).
    pub const JWKS: &str = "https://www.googleapis.com/oauth2/v3/certs";
}

/// Google, as data.
///
/// - Endpoints: [`urls`]; no end-session endpoint is documented (the reference's discovery
///   members have none \[REF\]), so `logout-url` is unsupported.
/// - Auth methods: `client_secret_post` (the guide's requests, the default) and
///   `client_secret_basic` (listed by discovery); `none` for a client without a secret, as
///   `client_secret` is marked optional \[WS\] (PKCE is sent with every sign-in).
/// - ID tokens: RS256 from [`urls::JWKS`]; `iss` is `https://accounts.google.com` or
///   `accounts.google.com` \[BACK\], checked by [`GoogleIdTokenRules`].
/// - Errors: RFC 6749's codes \[WS\]; the table adds the authorization errors Google
///   documents beyond them.
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("google", "Google");
    d.paths = PATHS;
    d.issuer_path = Some(urls::ISSUER);
    d.auth_methods = &[
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretBasic,
        AuthMethod::None,
    ];
    d.grants = GRANTS;
    d.public_grants = GRANTS;
    d.redirect_uri_required = true;
    d.default_scopes = &["openid", "email", "profile"];
    d.id_token_algorithms = &[SigningAlgorithm::Rs256];
    d.errors = ErrorTable(ERRORS);
    d
};

const PATHS: EndpointPaths = {
    let mut p = EndpointPaths::NONE;
    p.token = Some(urls::TOKEN);
    p.authorization = Some(urls::AUTHORIZE);
    p.revocation = Some(urls::REVOKE);
    p.userinfo = Some(urls::USERINFO);
    p.jwks = Some(urls::JWKS);
    p.discovery = Some(urls::DISCOVERY);
    p
};

/// The web-server guide documents the code and refresh grants \[WS\].
const GRANTS: &[GrantKind] = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];

/// Google's own codes beyond RFC 6749's, from the guide's error list \[WS\].
const ERRORS: &[ErrorMapping] = &[
    // "The OAuth client was deleted."
    ErrorMapping::documented("deleted_client", ErrorKind::InvalidClient),
    // "unable to authorize one or more scopes requested due to the policies of their Google
    // Workspace administrator".
    ErrorMapping::documented("admin_policy_enforced", ErrorKind::AccessDenied),
    // The user is not in the Google Cloud organization of an internal app.
    ErrorMapping::documented("org_internal", ErrorKind::AccessDenied),
    // The authorization request came from an embedded user agent.
    ErrorMapping::documented("disallowed_useragent", ErrorKind::InvalidRequest),
    // The redirect URI is not one registered for the client: fix the client's settings.
    ErrorMapping::documented("redirect_uri_mismatch", ErrorKind::InvalidClient),
];

/// The own settings of `kind = "google"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `auth_method`, `http`, `redirect_uri`, `scopes`, ...) are read by core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GoogleSettings {
    /// Replaces the scheme, host and port of every endpoint and of the issuer (an emulator,
    /// a proxy); https, or http on loopback.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Ask for a refresh token: every sign-in sends `access_type=offline` and
    /// `prompt=consent`, since Google returns one only at the first offline grant unless
    /// consent is asked again \[WS\].
    #[serde(default)]
    pub offline: bool,
    /// The Google Workspace domain users must belong to: sent as `hd`, and the ID token's
    /// `hd` claim must equal it \[OIDC\].
    #[serde(default)]
    pub hosted_domain: Option<String>,
}

impl GoogleSettings {
    /// Settings with `offline` and `hosted_domain` as given.
    pub fn new(offline: bool, hosted_domain: Option<String>) -> Self {
        Self {
            base_url: None,
            offline,
            hosted_domain,
        }
    }
}

/// A provider builder with Google's description, its ID-token rules and the sign-in
/// parameters `settings` ask for; set `client_id` and, for a web client, `client_secret`.
pub fn builder(id: impl Into<String>, settings: &GoogleSettings) -> ProviderBuilder {
    apply(Provider::builder(id).vendor(&DESCRIPTION), settings)
}

fn apply(mut builder: ProviderBuilder, settings: &GoogleSettings) -> ProviderBuilder {
    if let Some(base) = &settings.base_url {
        builder = builder.base_url(base.clone());
    }
    if settings.offline {
        builder = builder
            .authorization_param("access_type", "offline")
            .authorization_param("prompt", "consent");
    }
    if let Some(domain) = &settings.hosted_domain {
        builder = builder.authorization_param("hd", domain.clone());
    }
    builder.id_token_rules(Arc::new(GoogleIdTokenRules::new(
        settings.hosted_domain.clone(),
    )))
}

/// The registration of `kind = "google"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Google;

impl ProviderFactory for Google {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: GoogleSettings = context.settings()?;
        if settings
            .hosted_domain
            .as_deref()
            .is_some_and(|d| d.trim().is_empty())
        {
            return Err(context
                .table()
                .config_error(Some("hosted_domain"), "the hosted domain is empty"));
        }
        context.build(apply(context.builder(&DESCRIPTION)?, &settings))
    }
}
