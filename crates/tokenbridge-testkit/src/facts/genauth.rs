//! GenAuth's documented facts.
//!
//! - \[OAUTH\] <https://docs.genauth.ai/federation/oauth2/authorization-code/>: `/oauth/auth`,
//!   `/oauth/token` (auth methods `client_secret_post` and `client_secret_basic`), `/oauth/me`.
//! - \[SPEC\] the V3 authentication OpenAPI spec (`authentication-openapi.json` in
//!   <https://github.com/Authing/authing-docs-factory>): the `/oidc/*` and `/oauth/*` paths,
//!   revocation, logout and its parameters, the V3 routes and `x-authing-app-id`.
//! - \[QR\] <https://docs.genauth.ai/guides/authentication/qrcode/use-self-build-app/full-api-list.html>
//!   and \[TICKET\]
//!   <https://docs.genauth.ai/reference/sdk/python/authentication/登录/exchange-tokenset-with-qrcode-ticket.html>:
//!   the QR-code routes, the ticket exchange, `expire_in`.
//! - \[QR-SETTINGS\]
//!   <https://docs.authing.cn/v2/guides/authentication/qrcode/use-self-build-app/customize-settings.html>:
//!   QR and ticket validity.
//! - \[ERRORS\] <https://docs.authing.cn/v2/reference/error-code.html>: `2011`.

use std::time::Duration;

/// `/oidc/token` \[SPEC\].
pub const OIDC_TOKEN_PATH: &str = "/oidc/token";
/// `/oidc/auth` \[SPEC\].
pub const OIDC_AUTHORIZE_PATH: &str = "/oidc/auth";
/// `/oidc/token/revocation` \[SPEC\].
pub const OIDC_REVOCATION_PATH: &str = "/oidc/token/revocation";
/// `/oidc/me` \[SPEC\].
pub const OIDC_USERINFO_PATH: &str = "/oidc/me";
/// `/oidc/.well-known/jwks.json` \[SPEC\].
pub const OIDC_JWKS_PATH: &str = "/oidc/.well-known/jwks.json";
/// `/oidc/session/end` \[SPEC\].
pub const OIDC_END_SESSION_PATH: &str = "/oidc/session/end";
/// `/oidc/.well-known/openid-configuration` \[SPEC\].
pub const OIDC_DISCOVERY_PATH: &str = "/oidc/.well-known/openid-configuration";
/// The issuer of `/oidc` ID tokens, below the application host (the `iss` of \[OAUTH\]'s
/// decoded token).
pub const OIDC_ISSUER_PATH: &str = "/oidc";
/// `/oauth/token` \[OAUTH\], \[SPEC\].
pub const OAUTH_TOKEN_PATH: &str = "/oauth/token";
/// `/oauth/auth` \[OAUTH\].
pub const OAUTH_AUTHORIZE_PATH: &str = "/oauth/auth";
/// `/oauth/token/revocation` \[SPEC\].
pub const OAUTH_REVOCATION_PATH: &str = "/oauth/token/revocation";
/// `/oauth/me` \[OAUTH\].
pub const OAUTH_USERINFO_PATH: &str = "/oauth/me";
/// The logout parameter naming where to go afterwards \[SPEC\].
pub const LOGOUT_REDIRECT_PARAM: &str = "post_logout_redirect_uri";

/// `POST`: creates a QR code \[QR\].
pub const GENE_QRCODE_PATH: &str = "/api/v3/gene-qrcode";
/// `GET ?qrcodeId=`: a QR code's status \[QR\].
pub const QRCODE_STATUS_PATH: &str = "/api/v3/get-qrcode-status";
/// `POST`: exchanges a QR-code ticket for tokens \[TICKET\].
pub const EXCHANGE_TICKET_PATH: &str = "/api/v3/exchange-tokenset-with-qrcode-ticket";
/// The header naming the application on every V3 call \[SPEC\].
pub const APP_ID_HEADER: &str = "x-authing-app-id";

/// The lifetime written as `expire_in` in V3 token sets, the value of \[TICKET\]'s example.
pub const V3_EXPIRE_IN: u64 = 7200;
/// The console's default QR-code validity \[QR-SETTINGS\].
pub const DEFAULT_QR_VALIDITY: Duration = Duration::from_secs(120);
/// The console's default ticket validity \[QR-SETTINGS\].
pub const TICKET_VALIDITY: Duration = Duration::from_secs(300);

/// "应用不存在", the application does not exist: `statusCode` 499 \[ERRORS\].
pub const APP_NOT_FOUND_STATUS_CODE: i64 = 499;
/// The `apiCode` of [`APP_NOT_FOUND_STATUS_CODE`] \[ERRORS\].
pub const APP_NOT_FOUND_API_CODE: i64 = 2011;
