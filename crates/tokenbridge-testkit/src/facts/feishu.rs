//! Feishu / Lark's documented facts.
//!
//! - \[AUTHORIZE\] <https://open.feishu.cn/document/authentication-management/access-token/obtain-oauth-code>:
//!   `GET https://accounts.feishu.cn/open-apis/authen/v1/authorize` with `client_id`,
//!   `response_type=code` (required), `redirect_uri`, `scope`, `state`, `code_challenge`,
//!   `code_challenge_method` (`S256` recommended, `plain` the default); the callback carries
//!   `code` and `state`, or `error=access_denied`. A code lives 5 minutes and works once.
//! - \[TOKEN\] <https://open.feishu.cn/document/authentication-management/access-token/get-user-access-token>:
//!   `POST https://open.feishu.cn/open-apis/authen/v2/oauth/token`, JSON body (`Content-Type:
//!   application/json; charset=utf-8`) of `grant_type`, `client_id`, `client_secret`, `code`,
//!   optional `redirect_uri`, `code_verifier`, `scope`. The answer: `code` 0, `access_token`,
//!   `expires_in`, `refresh_token` and `refresh_token_expires_in` (only with
//!   `offline_access`), `token_type` `Bearer`, `scope`. Failures: `code`, `error`,
//!   `error_description`; HTTP 400 except 20050 (500) and 20072 (503).
//! - \[REFRESH\] <https://open.feishu.cn/document/authentication-management/access-token/refresh-user-access-token>:
//!   the same endpoint with `grant_type=refresh_token`, `client_id`, `client_secret`,
//!   `refresh_token`, optional `scope`; a refresh token works once and the answer brings a
//!   new one.
//! - \[USERINFO\] <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get>:
//!   `GET https://open.feishu.cn/open-apis/authen/v1/user_info` with `Authorization: Bearer`,
//!   answering `{code, msg, data: {name, en_name, avatar_url, open_id, union_id, email,
//!   enterprise_email, user_id, mobile, tenant_key, employee_no}}`.

/// The authorize path on `accounts.<host>` \[AUTHORIZE\].
pub const AUTHORIZE_PATH: &str = "/open-apis/authen/v1/authorize";
/// The token path (codes and refresh tokens) on `open.<host>` \[TOKEN\] \[REFRESH\].
pub const TOKEN_PATH: &str = "/open-apis/authen/v2/oauth/token";
/// The user info path on `open.<host>` \[USERINFO\].
pub const USERINFO_PATH: &str = "/open-apis/authen/v1/user_info";
/// Feishu's hosts \[AUTHORIZE\] \[TOKEN\].
pub const FEISHU_HOSTS: (&str, &str) = ("accounts.feishu.cn", "open.feishu.cn");
/// The scope without which no refresh token is issued \[TOKEN\].
pub const OFFLINE_ACCESS: &str = "offline_access";
/// `expires_in` in the example answer ("not fixed") \[TOKEN\].
pub const EXPIRES_IN: u64 = 7200;
/// `refresh_token_expires_in` in the example answer ("not fixed") \[TOKEN\].
pub const REFRESH_TOKEN_EXPIRES_IN: u64 = 604_800;

/// The documented token error codes, their HTTP status and meaning \[TOKEN\] \[REFRESH\].
pub const TOKEN_ERRORS: &[(u32, u16, &str)] = &[
    (20001, 400, "a required parameter is missing"),
    (20002, 400, "the client secret is invalid"),
    (20003, 400, "the authorization code was not found"),
    (20004, 400, "the authorization code has expired"),
    (20008, 400, "the user does not exist"),
    (20009, 400, "the tenant has not installed the application"),
    (20010, 400, "the user may not use the application"),
    (
        20024,
        400,
        "the code or refresh token belongs to another client",
    ),
    (20026, 400, "the refresh token is invalid"),
    (20036, 400, "the grant type is not supported"),
    (20037, 400, "the refresh token has expired"),
    (20048, 400, "the application does not exist"),
    (20049, 400, "the PKCE check failed"),
    (20050, 500, "server error, retry"),
    (20063, 400, "the request is malformed"),
    (20064, 400, "the refresh token was revoked"),
    (20065, 400, "the authorization code was already used"),
    (20066, 400, "the user's status is invalid"),
    (20067, 400, "the scope is listed twice"),
    (20068, 400, "the scope is not permitted"),
    (20069, 400, "the application is disabled"),
    (
        20070,
        400,
        "both Basic authentication and client_secret were sent",
    ),
    (20071, 400, "redirect_uri does not match"),
    (20072, 503, "temporarily unavailable, retry"),
    (20073, 400, "the refresh token was already used"),
    (20074, 400, "the application may not refresh tokens"),
];

/// The status and meaning of a documented token error `code`.
pub fn token_error(code: u32) -> Option<(u16, &'static str)> {
    TOKEN_ERRORS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, status, meaning)| (*status, *meaning))
}
