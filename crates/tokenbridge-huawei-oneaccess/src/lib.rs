//! Huawei Cloud OneAccess for tokenbridge: a [`VendorDescription`] per application protocol
//! and the registration.
//!
//! Everything lives below the tenant's user access domain (`https://{domain}`, e.g.
//! `https://example.huaweioneaccess.com`), configured as `base_url`. The token exchange is
//! core's [`Provider`]; this crate contributes OneAccess's data and one hook, [`hooks`], for
//! the management API's error shape and a hint on refused refreshes. Sources: the OneAccess
//! API reference at <https://support.huaweicloud.com/api-oneaccess/oneaccess_04_0002.html>;
//! each item cites its page.
//!
//! An application is registered as OIDC or OAuth 2.0 ([`Protocol`]): both use the same
//! endpoints, but only OAuth 2.0 makes `redirect_uri` optional with a code, hence [`OIDC`]
//! and [`OAUTH`].
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, Protocol, SecretString, TokenExchanger};
//!
//! let oneaccess = tokenbridge_huawei_oneaccess::builder("huawei", Protocol::OAuth2)
//!     .base_url("https://example.huaweioneaccess.com")
//!     .client_id("client-id")
//!     .client_secret(SecretString::from("client-secret"))
//!     .build()?;
//! let tokens = oneaccess
//!     .exchange(Grant::authorization_code_without_redirect_uri("code-from-callback"))
//!     .await?;
//! if let Some(refresh_token) = tokens.refresh_token() {
//!     // Store it: each refresh returns a new one.
//! #   let _ = refresh_token;
//! }
//! # Ok(()) }
//! ```

pub mod hooks;

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, ErrorKind, ErrorMapping, ErrorTable, FieldNames, GrantKind, LogoutParams, Protocol,
    Provider, ProviderBuilder, ProviderContext, ProviderFactory, Result, VendorDescription,
};

/// OneAccess for an OIDC application: `redirect_uri` is required with a code
/// (<https://support.huaweicloud.com/api-oneaccess/IssueIDToken.html>). See
/// [`description`] for the data both protocols share.
pub static OIDC: VendorDescription = oneaccess(true);

/// OneAccess's documented paths below the user access domain, as the descriptions use them
/// (the testkit writes them out on its own from OneAccess's pages, so conformance catches a
/// wrong one).
pub mod paths {
    /// The token endpoint (IssueIDToken, IssueOAuthAccessToken, RenewOIDCToken).
    pub const TOKEN: &str = "/api/v1/oauth2/token";
    /// The userinfo endpoint (ShowUser_0).
    pub const USERINFO: &str = "/api/v1/oauth2/userinfo";
    /// The logout endpoint (SingleLogout).
    pub const LOGOUT: &str = "/api/v1/logout";
    /// The discovery document.
    pub const DISCOVERY: &str = "/api/v1/oauth2/.well-known/openid-configuration";
}

/// OneAccess for an OAuth 2.0 application: `redirect_uri` is optional with a code, and must
/// equal the authorize request's `redirect_url` when sent
/// (<https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html>).
pub static OAUTH: VendorDescription = oneaccess(false);

/// The description for an application registered with `protocol`.
///
/// - Paths: token `/api/v1/oauth2/token` (IssueIDToken, IssueOAuthAccessToken and
///   <https://support.huaweicloud.com/api-oneaccess/RenewOIDCToken.html>), userinfo
///   `/api/v1/oauth2/userinfo` (<https://support.huaweicloud.com/api-oneaccess/ShowUser_0.md>),
///   logout `/api/v1/logout` with `redirect_url`
///   (<https://support.huaweicloud.com/api-oneaccess/SingleLogout.html>), discovery
///   `/api/v1/oauth2/.well-known/openid-configuration`, which gives `jwks_uri`. No revocation
///   endpoint is documented. The authorize path is not in the pages cited, so it is left to
///   discovery.
/// - Auth method: `client_secret_post` only (no JWT client authentication is documented).
///   Grants: code and refresh.
/// - Sign-in: the default scope is `openid` for OIDC applications and `get_user_info` (no
///   `nonce`) for OAuth 2.0 ones.
/// - Identity: the ID-token issuer, `jwks_uri` and algorithms (RS256 by default) come from
///   discovery; userinfo's camelCase claims are mapped by its field names ([`hooks::USERINFO_ALIASES`]).
pub fn description(protocol: Protocol) -> &'static VendorDescription {
    match protocol {
        Protocol::OAuth2 => &OAUTH,
        _ => &OIDC,
    }
}

const fn oneaccess(redirect_uri_required: bool) -> VendorDescription {
    let mut d = VendorDescription::standard("huawei-oneaccess", "Huawei Cloud OneAccess");
    d.paths.token = Some(paths::TOKEN);
    d.paths.userinfo = Some(paths::USERINFO);
    d.paths.end_session = Some(paths::LOGOUT);
    d.paths.discovery = Some(paths::DISCOVERY);
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
    d.public_grants = &[];
    d.redirect_uri_required = redirect_uri_required;
    if !redirect_uri_required {
        // The OAuth 2.0 token page: `redirect_uri` "must equal the authorize request's
        // `redirect_url`", so OAuth 2.0 applications spell the authorize parameter that way
        // (<https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html>). The
        // OIDC pages do not say; they keep OpenID Connect's `redirect_uri`.
        d.authorize_redirect_param = "redirect_url";
        // An OAuth 2.0 application's documented scope; `openid` (and with it a `nonce`) is
        // for OIDC applications
        // (<https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html>).
        d.default_scopes = &["get_user_info"];
    }
    let mut logout = LogoutParams::STANDARD;
    logout.id_token_hint = None;
    logout.post_logout_redirect_uri = "redirect_url";
    logout.client_id = None;
    logout.state = false;
    d.logout = logout;
    d.errors = ErrorTable(ERRORS);
    // The management and user APIs answer `{"error_code":"PARAM.0004","error_msg":"..."}`
    // (<https://support.huaweicloud.com/api-oneaccess/ErrorCode.html>). The token endpoint is
    // not documented to use it, but if a gateway or a version change answers in it, it is a
    // vendor error whose kind comes from the error table, not an unreadable answer.
    d.token_response.error_code_field = Some("error_code");
    d.token_response.error_message_field = Some("error_msg");
    d.token_response.error_message_missing =
        Some("OneAccess answered with a management API error and no message");
    // Userinfo (<https://support.huaweicloud.com/api-oneaccess/ShowUser_0.md>) answers
    // camelCase `id`, `userName` and `mobile`, with no `sub`.
    d.userinfo.fields = FieldNames(hooks::USERINFO_ALIASES);
    d.hooks = &hooks::OneAccessHooks;
    d
}

/// The codes whose meaning OneAccess documents, or that this crate infers. Management API
/// codes are from <https://support.huaweicloud.com/api-oneaccess/ErrorCode.html>.
const ERRORS: &[ErrorMapping] = &[
    // "clientId不能为空": the client id is empty.
    ErrorMapping::documented("PARAM.0004", ErrorKind::InvalidClient),
    // Userinfo's 401 "Full authentication is required to access this resource" (ShowUser_0).
    ErrorMapping::documented("unauthorized", ErrorKind::InvalidToken),
    // The other families (`PARAM.*`, `USER.00xx`, `APP_ACCOUNT.000x`) are listed without
    // meanings the token path could use; their kind follows the HTTP status (inferred).
];

/// A provider builder with the description for `protocol`: set `base_url`, `client_id` and
/// `client_secret`.
pub fn builder(id: impl Into<String>, protocol: Protocol) -> ProviderBuilder {
    Provider::builder(id).vendor(description(protocol))
}

/// The own settings of `kind = "huawei-oneaccess"`; the shared keys (`client_id`,
/// `client_secret`, `client_secret_env`, `auth_method`, `http`, `redirect_uri`, `scopes`) are
/// read by core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct HuaweiOneAccessSettings {
    /// The user access domain, e.g. `https://example.huaweioneaccess.com`; a path prefix is
    /// kept.
    pub base_url: String,
    /// `oidc` (the default) or `oauth`, as the application was registered.
    #[serde(default)]
    pub protocol: Option<Protocol>,
}

/// The registration of `kind = "huawei-oneaccess"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HuaweiOneAccess;

impl ProviderFactory for HuaweiOneAccess {
    fn kind(&self) -> &'static str {
        OIDC.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: HuaweiOneAccessSettings = context.settings()?;
        let vendor = description(settings.protocol.unwrap_or_default());
        context.build_vendor(vendor, Some(settings.base_url))
    }
}
