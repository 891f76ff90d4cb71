//! DingTalk's documented facts (the `login.dingtalk.com` OAuth 2.0 sign-in).
//!
//! - \[FLOW\] <https://open.dingtalk.com/document/isvapp/obtain-identity-credentials>: the
//!   authorize URL `https://login.dingtalk.com/oauth2/auth` with `client_id`, `redirect_uri`,
//!   `response_type=code`, `scope` (`openid`, or `openid corpid`, space-separated), `state`
//!   (optional) and `prompt=consent` (required).
//! - \[GUIDE\] <https://open-dingtalk.github.io/developerpedia/docs/develop/permission/token/browser/get_user_app_token_browser/>:
//!   the callback `redirect_uri?authCode=...&state=...` (or `error=...&state=...`);
//!   `POST https://api.dingtalk.com/v1.0/oauth2/userAccessToken` with a JSON body; `corpId`
//!   only with scope `openid corpid`.
//! - \[TOKEN\] <https://open.dingtalk.com/document/isvapp/obtain-user-token> (international
//!   <https://help.dingtalk.io/open/development/obtain-user-token>, host `api.dingtalk.io`):
//!   `clientId`, `clientSecret`, `code`, `refreshToken`, `grantType`; the answer
//!   `accessToken`, `refreshToken`, `expireIn` (7200 s), `corpId`; the refresh token's 30 days.
//! - \[USER\] <https://open.dingtalk.com/document/isvapp/dingtalk-retrieve-user-information>
//!   (international <https://help.dingtalk.io/open/development/dingtalk-retrieve-user-information>):
//!   `GET /v1.0/contact/users/{unionId}` with `me` for the signed-in user, the token in
//!   `x-acs-dingtalk-access-token`; the answer `nick`, `avatarUrl`, `mobile`, `openId`,
//!   `unionId`, `email`, `stateCode`.
//!
//! Not documented (inferred, asserted by no test as DingTalk's behaviour): the error body
//! `{"code", "message", "requestid"}` with an HTTP 4xx (seen in reports of real answers) and
//! every error code of these two endpoints.

/// The authorize page \[FLOW\].
pub const AUTHORIZE_URL: &str = "https://login.dingtalk.com/oauth2/auth";
/// The authorize path \[FLOW\].
pub const AUTHORIZE_PATH: &str = "/oauth2/auth";
/// The required `prompt` value \[FLOW\].
pub const PROMPT: &str = "consent";
/// The callback's code parameter \[GUIDE\].
pub const CALLBACK_CODE_PARAM: &str = "authCode";
/// The token endpoint, for codes and refreshes \[GUIDE\]\[TOKEN\].
pub const TOKEN_PATH: &str = "/v1.0/oauth2/userAccessToken";
/// The signed-in user's profile \[USER\].
pub const USERINFO_PATH: &str = "/v1.0/contact/users/me";
/// The header carrying the user's access token \[USER\].
pub const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";
/// The access token's lifetime \[TOKEN\].
pub const EXPIRES_IN: u64 = 7200;
/// The scope adding `corpId` to the token answer \[FLOW\]\[GUIDE\].
pub const CORP_SCOPE: &str = "corpid";
