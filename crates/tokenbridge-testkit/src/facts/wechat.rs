//! WeChat Open Platform website QR login's documented facts.
//!
//! - \[GUIDE\] <https://developers.weixin.qq.com/doc/oplatform/developers/dev/auth/web.md>: the
//!   QR-login authorize URL `https://open.weixin.qq.com/connect/qrconnect?appid=APPID
//!   &redirect_uri=REDIRECT_URI&response_type=code&scope=SCOPE&state=STATE#wechat_redirect`,
//!   scope `snsapi_login`; the callback carries `code` and `state`.
//! - \[TOKEN\] <https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Authorized_Interface_Calling_UnionID.html>:
//!   `GET https://api.weixin.qq.com/sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`,
//!   the answer (`access_token`, `expires_in` 7200, `refresh_token`, `openid`, `scope`
//!   comma-separated, `unionid`), the refresh token's 30 days, the error example
//!   `{"errcode":40029,"errmsg":"invalid code"}`.
//! - \[REFRESH\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken>:
//!   `GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token`, no secret;
//!   the answer has no `unionid`.
//! - \[USERINFO\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsuserinfo>:
//!   `GET /sns/userinfo?access_token&openid(&lang)`, answering `openid`, `nickname`, `sex`,
//!   `province`, `city`, `country`, `headimgurl`, `privilege`, `unionid`.
//! - \[AUTH\] <https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsauth>:
//!   `GET /sns/auth?access_token&openid`, `{"errcode":0,"errmsg":"ok"}` when valid, the
//!   failure example `{"errcode":40003,"errmsg":"invalid openid"}`.
//! - \[ERRORS\] <https://developers.weixin.qq.com/doc/oplatform/developers/errCode/errCode.html>:
//!   the global codes -1, 40001, 40013, 40014, 42001, 45011.
//! - \[STAFF\] <https://developers.weixin.qq.com/community/develop/doc/000262c8de4e78e7141ce6aa056c00>:
//!   a WeChat staff answer, not a reference page: 40163 is a code already used.

/// The authorize page's host and path \[GUIDE\].
pub const AUTHORIZE_URL: &str = "https://open.weixin.qq.com/connect/qrconnect";
/// The authorize path \[GUIDE\].
pub const AUTHORIZE_PATH: &str = "/connect/qrconnect";
/// The fragment the authorize URL ends with \[GUIDE\].
pub const AUTHORIZE_FRAGMENT: &str = "wechat_redirect";
/// The client-id parameter of every request \[GUIDE\]\[TOKEN\].
pub const APPID_PARAM: &str = "appid";
/// The client-secret parameter of the code exchange \[TOKEN\].
pub const SECRET_PARAM: &str = "secret";
/// The website app's only scope \[GUIDE\].
pub const SCOPE: &str = "snsapi_login";
/// The code exchange, a `GET` \[TOKEN\].
pub const TOKEN_PATH: &str = "/sns/oauth2/access_token";
/// The refresh, a `GET` without the secret \[REFRESH\].
pub const REFRESH_PATH: &str = "/sns/oauth2/refresh_token";
/// The user's profile \[USERINFO\].
pub const USERINFO_PATH: &str = "/sns/userinfo";
/// The token check, `{"errcode":0,"errmsg":"ok"}` when valid.
pub const AUTH_PATH: &str = "/sns/auth";
/// The host of the API endpoints \[TOKEN\].
pub const API_HOST: &str = "api.weixin.qq.com";
/// The access token's lifetime \[TOKEN\].
pub const EXPIRES_IN: u64 = 7200;
/// The refresh token's lifetime, fixed from the sign-in \[TOKEN\].
pub const REFRESH_TOKEN_DAYS: u64 = 30;

/// Invalid code \[TOKEN\].
pub const INVALID_CODE: i64 = 40029;
/// Code already used \[STAFF\] (not on a reference page).
pub const CODE_USED: i64 = 40163;
/// Invalid refresh token: only in copies of the old global table (inferred).
pub const INVALID_REFRESH_TOKEN: i64 = 40030;
/// Refresh token expired: only in copies of the old global table (inferred).
pub const REFRESH_TOKEN_EXPIRED: i64 = 42002;
/// Invalid AppID \[ERRORS\].
pub const INVALID_APPID: i64 = 40013;
/// Invalid AppSecret: only in copies of the old global table (inferred).
pub const INVALID_SECRET: i64 = 40125;
/// System busy \[ERRORS\].
pub const BUSY: i64 = -1;
/// Minute quota reached \[ERRORS\].
pub const RATE_LIMITED: i64 = 45011;
/// Invalid credential (access token invalid or not the latest) \[ERRORS\].
pub const INVALID_CREDENTIAL: i64 = 40001;
/// Invalid access token \[ERRORS\].
pub const INVALID_ACCESS_TOKEN: i64 = 40014;
/// Access token expired \[ERRORS\].
pub const ACCESS_TOKEN_EXPIRED: i64 = 42001;
/// Invalid openid (the `/sns/auth` example) \[AUTH\].
pub const INVALID_OPENID: i64 = 40003;
