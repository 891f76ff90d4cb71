//! WeChat Open Platform website QR login (网站应用微信登录) for tokenbridge: a
//! [`VendorDescription`] and its registration, `kind = "wechat"`.
//!
//! WeChat is data only, no hooks: the authorize URL takes `appid` and ends with
//! `#wechat_redirect`; the code is exchanged with a `GET` whose query carries `appid`,
//! `secret`, `code` and `grant_type`; a refresh goes to its own path without the secret;
//! errors are `{"errcode": N, "errmsg": "..."}` read whatever the HTTP status; userinfo takes
//! the access token and the `openid` of the token answer in its query. There is no PKCE, no
//! ID token, no revocation and no logout. The configuration's `client_id` is the AppID and
//! `client_secret` the AppSecret. Sources, each cited where it is used:
//! - \[GUIDE\] <https://developers.weixin.qq.com/doc/oplatform/developers/dev/auth/web.md>
//! - \[TOKEN\] <https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Authorized_Interface_Calling_UnionID.html>
//! - \[REFRESH\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken>
//! - \[USERINFO\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsuserinfo>
//! - \[AUTH\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsauth>
//! - \[ERRORS\] <https://developers.weixin.qq.com/doc/oplatform/developers/errCode/errCode.html>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, SecretString, TokenExchanger};
//!
//! let wechat = tokenbridge_wechat::builder("wechat")
//!     .client_id("wx1234567890abcdef")
//!     .client_secret(SecretString::from("the AppSecret"))
//!     .build()?;
//! let tokens = wechat
//!     .exchange(Grant::authorization_code_without_redirect_uri("code-from-callback"))
//!     .await?;
//! // The user: `subject` is the openid, the unionid stays in `claims`.
//! let user = wechat.userinfo_with_tokens(&tokens).await?;
//! println!("{}", user.subject);
//! # Ok(()) }
//! ```

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, ErrorKind, ErrorMapping, ErrorTable, FieldNames, GrantKind, HttpMethod, ParamsIn,
    Provider, ProviderBuilder, ProviderContext, ProviderFactory, Result, TokenPlacement,
    VendorDescription,
};

/// WeChat's endpoints as the vendor's absolute URLs; `base_url` replaces their scheme, host
/// and port (the testkit writes the same facts out on its own from WeChat's pages).
pub mod endpoints {
    /// The QR-login authorize page \[GUIDE\].
    pub const AUTHORIZE: &str = "https://open.weixin.qq.com/connect/qrconnect";
    /// The code exchange, a `GET` \[TOKEN\].
    pub const TOKEN: &str = "https://api.weixin.qq.com/sns/oauth2/access_token";
    /// The refresh, a `GET` without the secret \[REFRESH\].
    pub const REFRESH: &str = "https://api.weixin.qq.com/sns/oauth2/refresh_token";
    /// The user's profile \[USERINFO\].
    pub const USERINFO: &str = "https://api.weixin.qq.com/sns/userinfo";
}

/// The scope of website QR login: the only one a website app may request \[GUIDE\].
pub const SCOPE: &str = "snsapi_login";

/// WeChat website QR login, as data.
///
/// - Authorize: `open.weixin.qq.com/connect/qrconnect?appid&redirect_uri&response_type=code
///   &scope=snsapi_login&state#wechat_redirect` \[GUIDE\]; the client id goes as `appid`, and
///   no PKCE or `nonce` is documented, so none is sent.
/// - Code exchange: `GET api.weixin.qq.com/sns/oauth2/access_token` with `appid`, `secret`,
///   `code` and `grant_type=authorization_code` in the query, all required, and no
///   `redirect_uri` \[TOKEN\]. The answer carries `access_token`, `expires_in` (7200),
///   `refresh_token`, `openid`, `scope` (comma-separated) and `unionid`; `openid` and
///   `unionid` stay in [`TokenSet::extra`](tokenbridge_core::TokenSet::extra).
/// - Refresh: `GET /sns/oauth2/refresh_token` with `appid`, `grant_type=refresh_token` and
///   `refresh_token` only, no secret \[REFRESH\]; its answer has no `unionid`. The refresh
///   token lives 30 days and is not extended by refreshing \[TOKEN\].
/// - Errors: `{"errcode", "errmsg"}` \[TOKEN\]\[ERRORS\], read at any HTTP status. That they
///   come with HTTP 200 is not on an official page (inferred from community reports).
/// - Userinfo: `GET /sns/userinfo?access_token&openid` \[USERINFO\]; `openid` is the subject,
///   `nickname` the name, `headimgurl` the picture; `unionid` stays in the claims.
/// - No revocation, logout, ID token or discovery is documented.
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("wechat", "WeChat");
    d.paths.authorization = Some(endpoints::AUTHORIZE);
    d.paths.token = Some(endpoints::TOKEN);
    d.paths.userinfo = Some(endpoints::USERINFO);
    // The secret goes in the query among the parameters [TOKEN].
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
    d.public_grants = &[];
    d.default_scopes = &[SCOPE];
    d.authorize.client_id_param = "appid";
    d.authorize.fragment = Some("wechat_redirect");
    // Several scopes are comma-separated [GUIDE]; a website app has only snsapi_login.
    d.authorize.scope_separator = ",";
    d.authorize.pkce = false;
    d.authorize.nonce = tokenbridge_core::NonceMode::Never;
    d.token_request.method = HttpMethod::Get;
    d.token_request.params_in = ParamsIn::Query;
    d.token_request.fields = FieldNames(&[("client_id", "appid"), ("client_secret", "secret")]);
    d.token_request.refresh_path = Some(endpoints::REFRESH);
    d.token_request.refresh_omits_secret = true;
    d.token_request.omit_params = &["redirect_uri", "code_verifier"];
    d.token_response.error_code_field = Some("errcode");
    d.token_response.error_message_field = Some("errmsg");
    // The valid answer of /sns/auth is {"errcode":0,"errmsg":"ok"} [AUTH].
    d.token_response.success_codes = &["0"];
    // The granted scopes come comma-separated (`snsapi_login,snsapi_userinfo`).
    d.token_response.scope_separator = ',';
    d.errors = ErrorTable(ERRORS);
    d.userinfo.token = TokenPlacement::Query("access_token");
    d.userinfo.params_from_tokens = &[("openid", "openid")];
    d.userinfo.fields = FieldNames(&[
        ("sub", "openid"),
        ("name", "nickname"),
        ("picture", "headimgurl"),
    ]);
    d
};

/// WeChat's `errcode`s by meaning.
const ERRORS: &[ErrorMapping] = &[
    // "invalid code" [TOKEN].
    ErrorMapping::documented("40029", ErrorKind::InvalidGrant),
    // "code been used": only a WeChat staff answer in the developer community says so
    // (https://developers.weixin.qq.com/community/develop/doc/000262c8de4e78e7141ce6aa056c00);
    // no reference page lists it, so inferred.
    ErrorMapping::inferred("40163", ErrorKind::InvalidGrant),
    // "refresh_token expired" and "invalid refresh_token": only in copies of WeChat's old
    // global return-code table, not on a current page; inferred.
    ErrorMapping::inferred("42002", ErrorKind::InvalidGrant),
    ErrorMapping::inferred("40030", ErrorKind::InvalidGrant),
    // "invalid appid" [ERRORS].
    ErrorMapping::documented("40013", ErrorKind::InvalidClient),
    // "invalid appsecret": only in copies of the old table and community posts; inferred.
    ErrorMapping::inferred("40125", ErrorKind::InvalidClient),
    // "system error, 系统繁忙" [ERRORS].
    ErrorMapping::documented("-1", ErrorKind::ProviderUnavailable),
    // "api minute-quota reach limit" and the daily quota [ERRORS].
    ErrorMapping::documented("45011", ErrorKind::RateLimited),
    ErrorMapping::documented("45009", ErrorKind::RateLimited),
    // "invalid credential, access_token is invalid or not latest", "invalid access_token",
    // "access_token expired" [ERRORS].
    ErrorMapping::documented("40001", ErrorKind::InvalidToken),
    ErrorMapping::documented("40014", ErrorKind::InvalidToken),
    ErrorMapping::documented("42001", ErrorKind::InvalidToken),
    // "invalid openid" [AUTH]; "access_token missing", "appid missing" [ERRORS].
    ErrorMapping::documented("40003", ErrorKind::InvalidRequest),
    ErrorMapping::documented("41001", ErrorKind::InvalidRequest),
    ErrorMapping::documented("41002", ErrorKind::InvalidRequest),
    // "api unauthorized", "user limited" [ERRORS].
    ErrorMapping::documented("48001", ErrorKind::AccessDenied),
    ErrorMapping::documented("50002", ErrorKind::AccessDenied),
];

/// A provider builder with WeChat's description: set `client_id` (the AppID) and
/// `client_secret` (the AppSecret); `base_url` only to point every endpoint elsewhere.
pub fn builder(id: impl Into<String>) -> ProviderBuilder {
    Provider::builder(id).vendor(&DESCRIPTION)
}

/// The own settings of `kind = "wechat"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `redirect_uri`, `scopes`, ...) are read by core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WeChatSettings {
    /// Replaces the scheme, host and port of every WeChat endpoint (an emulator, a proxy);
    /// absent: WeChat's own hosts.
    #[serde(default)]
    pub base_url: Option<String>,
}

/// The registration of `kind = "wechat"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeChat;

impl ProviderFactory for WeChat {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: WeChatSettings = context.settings()?;
        context.build_vendor(&DESCRIPTION, settings.base_url)
    }
}
