//! DingTalk sign-in (钉钉登录第三方网站, the `login.dingtalk.com` OAuth 2.0 flow) for
//! tokenbridge: a [`VendorDescription`] and its registration, `kind = "dingtalk"`.
//!
//! DingTalk is data only, no hooks: the callback carries the code as `authCode`; the token
//! endpoint takes a camelCase JSON body and answers `accessToken`, `refreshToken`, `expireIn`
//! and, with scope `openid corpid`, `corpId`; the user is `GET /v1.0/contact/users/me` with the
//! token in the `x-acs-dingtalk-access-token` header. The configuration's `client_id` is the
//! AppKey (or SuiteKey) and `client_secret` the AppSecret. Sources, each cited where used:
//! - \[FLOW\] <https://open.dingtalk.com/document/isvapp/obtain-identity-credentials>
//! - \[GUIDE\] <https://open-dingtalk.github.io/developerpedia/docs/develop/permission/token/browser/get_user_app_token_browser/>
//! - \[TOKEN\] <https://open.dingtalk.com/document/isvapp/obtain-user-token> (international:
//!   <https://help.dingtalk.io/open/development/obtain-user-token>)
//! - \[USER\] <https://open.dingtalk.com/document/isvapp/dingtalk-retrieve-user-information>
//!   (international: <https://help.dingtalk.io/open/development/dingtalk-retrieve-user-information>)
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, SecretString, TokenExchanger};
//!
//! let dingtalk = tokenbridge_dingtalk::builder("dingtalk")
//!     .client_id("dingxxxxxxxx")
//!     .client_secret(SecretString::from("the AppSecret"))
//!     .build()?;
//! let tokens = dingtalk
//!     .exchange(Grant::authorization_code_without_redirect_uri("authCode-from-callback"))
//!     .await?;
//! let user = dingtalk.userinfo_with_tokens(&tokens).await?; // subject: the openId
//! println!("{}", user.subject);
//! # Ok(()) }
//! ```

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, ErrorKind, ErrorMapping, ErrorTable, FieldNames, GrantKind, ParamsIn, Provider,
    ProviderBuilder, ProviderContext, ProviderFactory, Result, TokenPlacement, VendorDescription,
};

/// DingTalk's endpoints as the vendor's absolute URLs; `base_url` replaces their scheme, host
/// and port (the testkit writes the same facts out on its own from DingTalk's pages).
pub mod endpoints {
    /// The authorize page \[FLOW\]\[GUIDE\].
    pub const AUTHORIZE: &str = "https://login.dingtalk.com/oauth2/auth";
    /// The user access token, for a code and for a refresh \[GUIDE\]\[TOKEN\].
    pub const TOKEN: &str = "https://api.dingtalk.com/v1.0/oauth2/userAccessToken";
    /// The signed-in user's profile: `/v1.0/contact/users/{unionId}` with `me` \[USER\].
    pub const USERINFO: &str = "https://api.dingtalk.com/v1.0/contact/users/me";
}

/// DingTalk, as data.
///
/// - Authorize: `login.dingtalk.com/oauth2/auth` with `client_id`, `redirect_uri`,
///   `response_type=code`, `scope`, `state` and the required `prompt=consent` \[FLOW\]
///   \[GUIDE\]. `scope` is `openid`, or `openid corpid` (space-separated) for the
///   organization's `corpId`. No PKCE and no `nonce` is documented, so none is sent.
/// - Callback: `authCode` and `state` \[GUIDE\]; `code` is accepted too.
/// - Token: `POST api.dingtalk.com/v1.0/oauth2/userAccessToken`, a JSON body with `clientId`,
///   `clientSecret`, `code` or `refreshToken`, and `grantType` (`authorization_code` or
///   `refresh_token`), no `redirect_uri` \[TOKEN\]. The answer: `accessToken`, `refreshToken`,
///   `expireIn` (7200), and `corpId` with scope `openid corpid` (kept in
///   [`TokenSet::extra`](tokenbridge_core::TokenSet::extra)); the refresh token lives 30
///   days.
/// - Errors: `{"code", "message", "requestid"}` with an HTTP 4xx, seen only in reports of
///   real answers (inferred), read at any status.
/// - Userinfo: `GET /v1.0/contact/users/me` with `x-acs-dingtalk-access-token` \[USER\];
///   `openId` is the subject, `nick` the name, `avatarUrl` the picture; `unionId`,
///   `mobile`, `stateCode` stay in the claims.
/// - No revocation, logout, ID token or discovery is documented.
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("dingtalk", "DingTalk");
    d.paths.authorization = Some(endpoints::AUTHORIZE);
    d.paths.token = Some(endpoints::TOKEN);
    d.paths.userinfo = Some(endpoints::USERINFO);
    // The secret goes in the JSON body among the parameters [TOKEN].
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
    d.public_grants = &[];
    d.default_scopes = &["openid"];
    d.authorize.params = &[("prompt", "consent")];
    d.authorize.pkce = false;
    d.authorize.nonce = tokenbridge_core::NonceMode::Never;
    d.callback_code_params = &["authCode"];
    d.token_request.params_in = ParamsIn::Json;
    d.token_request.fields = FieldNames(&[
        ("client_id", "clientId"),
        ("client_secret", "clientSecret"),
        ("grant_type", "grantType"),
        ("refresh_token", "refreshToken"),
    ]);
    d.token_request.omit_params = &["redirect_uri", "code_verifier", "scope"];
    d.token_response.fields = FieldNames(&[
        ("access_token", "accessToken"),
        ("refresh_token", "refreshToken"),
        ("expires_in", "expireIn"),
    ]);
    // inferred: the error body is known only from reports of real answers.
    d.token_response.error_code_field = Some("code");
    d.token_response.error_message_field = Some("message");
    d.token_response.request_id_fields = &["requestid"];
    d.errors = ErrorTable(ERRORS);
    d.userinfo.token = TokenPlacement::Header("x-acs-dingtalk-access-token");
    d.userinfo.fields = FieldNames(&[
        ("sub", "openId"),
        ("name", "nick"),
        ("picture", "avatarUrl"),
        ("email", "email"),
        ("phone_number", "mobile"),
    ]);
    d
};

/// DingTalk documents no error codes for this endpoint: every mapping is inferred from the
/// code's name, the app access-token page's table (`invalid.client`) and reports of real
/// answers (`InvalidAuthentication` with HTTP 400 for a bad token).
const ERRORS: &[ErrorMapping] = &[
    ErrorMapping::inferred("invalidAuthCode", ErrorKind::InvalidGrant),
    ErrorMapping::inferred("invalidRefreshToken", ErrorKind::InvalidGrant),
    ErrorMapping::inferred("invalid.client", ErrorKind::InvalidClient),
    ErrorMapping::inferred("unsupported.grant.type", ErrorKind::InvalidRequest),
    ErrorMapping::inferred("InvalidAuthentication", ErrorKind::InvalidToken),
    ErrorMapping::inferred("Forbidden.AccessDenied", ErrorKind::AccessDenied),
    ErrorMapping::inferred("Throttling", ErrorKind::RateLimited),
    ErrorMapping::inferred("ServiceUnavailable", ErrorKind::ProviderUnavailable),
];

/// A provider builder with DingTalk's description: set `client_id` (the AppKey) and
/// `client_secret` (the AppSecret); `base_url` only to point every endpoint elsewhere.
pub fn builder(id: impl Into<String>) -> ProviderBuilder {
    Provider::builder(id).vendor(&DESCRIPTION)
}

/// The own settings of `kind = "dingtalk"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `redirect_uri`, `scopes`, ...) are read by core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DingTalkSettings {
    /// Replaces the scheme, host and port of every DingTalk endpoint (an emulator, a proxy);
    /// absent: DingTalk's own hosts.
    #[serde(default)]
    pub base_url: Option<String>,
}

/// The registration of `kind = "dingtalk"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DingTalk;

impl ProviderFactory for DingTalk {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: DingTalkSettings = context.settings()?;
        context.build_vendor(&DESCRIPTION, settings.base_url)
    }
}
