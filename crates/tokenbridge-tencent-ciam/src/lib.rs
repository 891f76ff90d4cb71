//! Tencent Cloud CIAM for tokenbridge: a [`VendorDescription`] and its registration.
//!
//! Everything lives below the user directory's portal domain
//! (`https://<tenant>.portal.tencentciam.com`, or its custom domain), configured as `base_url`.
//! The token exchange itself is core's [`Provider`]; this crate contributes Tencent's data
//! (paths, auth methods, grants, logout spellings) and one hook, [`hints`], for the codes
//! Tencent uses misleadingly. Sources: the product documentation at
//! <https://cloud.tencent.com/document/product/1441> (Chinese) and
//! <https://www.tencentcloud.com/document/product/1148> (English); each item cites its page.
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, PkceVerifier, TokenExchanger};
//!
//! // A public SPA: no secret, so auth method `none` and PKCE.
//! let ciam = tokenbridge_tencent_ciam::builder("tencent")
//!     .base_url("https://sample.portal.tencentciam.com")
//!     .client_id("spa-app")
//!     .build()?;
//! // Kept from the login redirect, whose authorize URL carried verifier.s256_challenge().
//! let verifier = PkceVerifier::generate()?;
//! let grant = Grant::authorization_code("code-from-callback", "https://example.com/callback")
//!     .with_pkce_verifier(verifier);
//! let tokens = ciam.exchange(grant).await?;
//! println!("{tokens}");
//! # Ok(()) }
//! ```

pub mod hints;

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, ErrorKind, ErrorMapping, ErrorTable, GrantKind, LogoutParams, Provider,
    ProviderBuilder, ProviderContext, ProviderFactory, Result, VendorDescription,
};

/// Tencent CIAM's paths below the portal domain, as [`DESCRIPTION`] uses them (and the
/// testkit writes them out on its own from Tencent's pages, so conformance catches a wrong one).
pub mod paths {
    /// The token endpoint.
    pub const TOKEN: &str = "/oauth2/token";
    /// The authorization endpoint.
    pub const AUTHORIZE: &str = "/oauth2/authorize";
    /// The revocation endpoint.
    pub const REVOKE: &str = "/oauth2/revoke";
    /// The userinfo endpoint.
    pub const USERINFO: &str = "/userinfo";
    /// The JSON Web Key Set.
    pub const JWKS: &str = "/oauth2/jwks";
    /// The logout endpoint.
    pub const LOGOUT: &str = "/logout";
    /// The discovery document.
    pub const DISCOVERY: &str = "/.well-known/openid-configuration";
}

/// Tencent Cloud CIAM, as data.
///
/// - Paths: token `/oauth2/token` (<https://cloud.tencent.com/document/product/1441/64398>),
///   authorize `/oauth2/authorize` and discovery `/.well-known/openid-configuration` (the
///   discovery sample), revocation `/oauth2/revoke`
///   (<https://cloud.tencent.com/document/product/1441/64401>), userinfo `/userinfo`, JWKS
///   `/oauth2/jwks` (<https://cloud.tencent.com/document/product/1441/64397>), logout `/logout`
///   (<https://cloud.tencent.com/document/product/1441/64393>). Discovery lists neither
///   userinfo, revocation nor logout, so all paths are fixed.
/// - Auth methods: `client_secret_post` (documented, the default), `client_secret_basic`
///   (advertised by discovery), `none` for public apps, which use PKCE
///   (<https://www.tencentcloud.com/document/product/1148/51481>).
/// - Grants: code, refresh and client credentials
///   (<https://www.tencentcloud.com/document/product/1148/51483>) for confidential apps; code
///   and refresh for public ones.
/// - `redirect_uri` is required with a code: the code-mode page marks it required.
/// - Logout takes `client_id` and `logout_redirect_uri`, and no `id_token_hint`.
/// - Identity: the issuer of ID tokens is the portal domain itself (the discovery sample),
///   signed RS256 with the keys at `/oauth2/jwks`. Userinfo is standard; its refusals come
///   only in `WWW-Authenticate` (RFC 6750), which core reads. No JWT client authentication is
///   documented, so `client_secret_jwt` and `private_key_jwt` are not offered.
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("tencent-ciam", "Tencent Cloud CIAM");
    d.paths.token = Some(paths::TOKEN);
    d.paths.authorization = Some(paths::AUTHORIZE);
    d.paths.revocation = Some(paths::REVOKE);
    d.paths.userinfo = Some(paths::USERINFO);
    d.paths.jwks = Some(paths::JWKS);
    d.paths.end_session = Some(paths::LOGOUT);
    d.paths.discovery = Some(paths::DISCOVERY);
    d.issuer_path = Some("");
    d.auth_methods = AUTH_METHODS;
    d.grants = GRANTS;
    d.public_grants = PUBLIC_GRANTS;
    d.redirect_uri_required = true;
    d.logout = logout_params();
    d.errors = ErrorTable(ERRORS);
    d.hooks = &hints::TencentHooks;
    d
};

const AUTH_METHODS: &[AuthMethod] = &[
    AuthMethod::ClientSecretPost,
    AuthMethod::ClientSecretBasic,
    AuthMethod::None,
];
const GRANTS: &[GrantKind] = &[
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::ClientCredentials,
];
/// Client credentials needs a secret, so public apps have code (with PKCE) and refresh.
const PUBLIC_GRANTS: &[GrantKind] = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];

/// Tencent's token endpoint speaks RFC 6749 codes with their standard meaning; where a code
/// misleads only in context (`invalid_client` for a wrong PKCE verifier) the [`hints`] hook
/// says so, since a table entry would change the code everywhere.
const ERRORS: &[ErrorMapping] = &[
    // Userinfo answers 404 `{"error":"user_not_found"}` for a deleted user; what to do (sign
    // in again) is inferred, the page gives no meaning beyond the name.
    ErrorMapping::inferred("user_not_found", ErrorKind::InvalidToken),
];

const fn logout_params() -> LogoutParams {
    let mut p = LogoutParams::STANDARD;
    p.id_token_hint = None;
    p.post_logout_redirect_uri = "logout_redirect_uri";
    p
}

/// A provider builder with Tencent's description: set `base_url`, `client_id` and, for Web
/// and M2M apps, `client_secret`.
pub fn builder(id: impl Into<String>) -> ProviderBuilder {
    Provider::builder(id).vendor(&DESCRIPTION)
}

/// The own settings of `kind = "tencent-ciam"`; the shared keys (`client_id`,
/// `client_secret`, `client_secret_env`, `auth_method`, `http`, `redirect_uri`, `scopes`) are
/// read by core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TencentCiamSettings {
    /// The portal domain, e.g. `https://sample.portal.tencentciam.com`; a path prefix (for a
    /// proxy) is kept.
    pub base_url: String,
}

/// The registration of `kind = "tencent-ciam"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TencentCiam;

impl ProviderFactory for TencentCiam {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: TencentCiamSettings = context.settings()?;
        context.build_vendor(&DESCRIPTION, Some(settings.base_url))
    }
}
