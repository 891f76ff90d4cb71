//! Huawei Cloud OneAccess's documented facts.
//!
//! - \[OIDC-TOKEN\] <https://support.huaweicloud.com/api-oneaccess/IssueIDToken.html>: the
//!   token endpoint, `redirect_uri` required with a code, `expires_in` 7200 as a number.
//! - \[OAUTH-TOKEN\] <https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html>:
//!   the same endpoint for OAuth 2.0 applications, `redirect_uri` optional (equal to the
//!   authorize request's `redirect_url` when sent), scope `get_user_info`, `expires_in` as a
//!   string.
//! - \[REFRESH\] <https://support.huaweicloud.com/api-oneaccess/RenewOIDCToken.html>: a refresh
//!   returns a new refresh token; a bad one is `invalid_grant` "Invalid authorization code".
//! - \[USERINFO\] <https://support.huaweicloud.com/api-oneaccess/ShowUser_0.html>: the userinfo
//!   endpoint.
//! - \[LOGOUT\] <https://support.huaweicloud.com/api-oneaccess/SingleLogout.html>:
//!   `/api/v1/logout` with `redirect_url`.
//! - Discovery at `/api/v1/oauth2/.well-known/openid-configuration`, which gives the
//!   authorize endpoint and `jwks_uri` (the OneAccess API reference,
//!   <https://support.huaweicloud.com/api-oneaccess/oneaccess_04_0002.html>).

/// The token endpoint \[OIDC-TOKEN\], \[OAUTH-TOKEN\], \[REFRESH\].
pub const TOKEN_PATH: &str = "/api/v1/oauth2/token";
/// The userinfo endpoint \[USERINFO\].
pub const USERINFO_PATH: &str = "/api/v1/oauth2/userinfo";
/// The logout endpoint \[LOGOUT\].
pub const LOGOUT_PATH: &str = "/api/v1/logout";
/// The logout parameter naming where to go afterwards \[LOGOUT\].
pub const LOGOUT_REDIRECT_PARAM: &str = "redirect_url";
/// The discovery document.
pub const DISCOVERY_PATH: &str = "/api/v1/oauth2/.well-known/openid-configuration";
/// How an OAuth 2.0 application's authorize request spells its redirect URI \[OAUTH-TOKEN\].
pub const OAUTH_AUTHORIZE_REDIRECT_PARAM: &str = "redirect_url";
/// The scope of an OAuth 2.0 application \[OAUTH-TOKEN\].
pub const OAUTH_SCOPE: &str = "get_user_info";
/// The access token lifetime in the token pages' examples.
pub const EXPIRES_IN: u64 = 7200;
/// The one documented `invalid_grant` description, on the code and the refresh pages.
pub const INVALID_CODE_DESCRIPTION: &str = "Invalid authorization code";
/// The documented `invalid_client` description \[OIDC-TOKEN\].
pub const BAD_CLIENT_DESCRIPTION: &str = "Bad client credentials";
