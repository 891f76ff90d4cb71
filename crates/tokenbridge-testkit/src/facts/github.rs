//! GitHub's documented facts.
//!
//! - \[OAUTH\] <https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps>:
//!   `GET https://github.com/login/oauth/authorize` (`client_id`, `redirect_uri`, `login`,
//!   `scope`, `state`, `allow_signup`, `prompt`, `code_challenge` with
//!   `code_challenge_method=S256` only); codes expire after 10 minutes;
//!   `POST https://github.com/login/oauth/access_token` with `client_id`, `client_secret`,
//!   `code`, `redirect_uri`, `code_verifier` (required when a challenge was sent), answering
//!   `access_token=...&scope=...&token_type=bearer` unless `Accept: application/json`;
//!   `bad_refresh_token`; the device flow (`POST https://github.com/login/device/code` with
//!   `client_id` and `scope`, answering `device_code`, `user_code`, `verification_uri`,
//!   `expires_in` 900, `interval` 5; its errors `authorization_pending`, `slow_down`,
//!   `expired_token`, `incorrect_device_code`, `access_denied`, `device_flow_disabled`).
//! - \[APP\] <https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app>:
//!   expiring user tokens: `expires_in` always 28800, `refresh_token` (`ghr_`),
//!   `refresh_token_expires_in` always 15811200, `scope` empty, `token_type` `bearer`; until
//!   the user enters a device code GitHub answers 200 with an `error`.
//! - \[REFRESH\] <https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens>:
//!   `grant_type=refresh_token`, `client_id`, `client_secret` (not for device-flow tokens),
//!   `refresh_token`; a used refresh token and the old access token stop working.
//! - \[ERRORS\] <https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors>:
//!   `incorrect_client_credentials`, `redirect_uri_mismatch`, `bad_verification_code`,
//!   `unverified_user_email`, with `error_description` and `error_uri` (JSON examples only,
//!   no HTTP status given).
//! - \[USER\] <https://docs.github.com/en/rest/users/users#get-the-authenticated-user>:
//!   `GET https://api.github.com/user`; `id` an integer, `email` a string or null.
//! - \[EMAILS\] <https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user>:
//!   `GET /user/emails`: `[{email, primary, verified, visibility}]`; needs the `user:email`
//!   scope.
//! - \[REVOKE\] <https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token>:
//!   `DELETE /applications/{client_id}/token`, Basic authentication with the client id and
//!   secret, body parameter `access_token`; 204 No Content.
//! - \[REST\] <https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api>:
//!   every request needs a `User-Agent`; `Accept: application/vnd.github+json` is
//!   recommended.

/// The authorize path on `github.com` \[OAUTH\].
pub const AUTHORIZE_PATH: &str = "/login/oauth/authorize";
/// The token path on `github.com` \[OAUTH\].
pub const TOKEN_PATH: &str = "/login/oauth/access_token";
/// The device code path on `github.com` \[OAUTH\].
pub const DEVICE_CODE_PATH: &str = "/login/device/code";
/// Where the user enters a device code \[OAUTH\].
pub const DEVICE_VERIFICATION_URI: &str = "https://github.com/login/device";
/// The authenticated user on `api.github.com` \[USER\].
pub const USER_PATH: &str = "/user";
/// The user's email addresses on `api.github.com` \[EMAILS\].
pub const EMAILS_PATH: &str = "/user/emails";
/// The revocation path, `{client_id}` standing for the client id \[REVOKE\].
pub const REVOKE_PATH_PREFIX: &str = "/applications/";
/// The revocation path's last segment \[REVOKE\].
pub const REVOKE_PATH_SUFFIX: &str = "/token";
/// `expires_in` of an expiring user token \[APP\].
pub const EXPIRES_IN: u64 = 28_800;
/// `refresh_token_expires_in` of a GitHub App's refresh token \[APP\].
pub const REFRESH_TOKEN_EXPIRES_IN: u64 = 15_811_200;
/// A device code's lifetime by default \[OAUTH\].
pub const DEVICE_EXPIRES_IN: u64 = 900;
/// The device flow's polling interval \[OAUTH\].
pub const DEVICE_INTERVAL: u64 = 5;
/// The device code grant type \[OAUTH\].
pub const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The documented token errors and their descriptions \[ERRORS\] \[OAUTH\].
pub const BAD_VERIFICATION_CODE: (&str, &str) = (
    "bad_verification_code",
    "The code passed is incorrect or expired.",
);
/// \[ERRORS\]
pub const INCORRECT_CLIENT_CREDENTIALS: (&str, &str) = (
    "incorrect_client_credentials",
    "The client_id and/or client_secret passed are incorrect.",
);
/// \[ERRORS\]
pub const REDIRECT_URI_MISMATCH: (&str, &str) = (
    "redirect_uri_mismatch",
    "The redirect_uri MUST match the registered callback URL for this application.",
);
/// \[ERRORS\]
pub const UNVERIFIED_USER_EMAIL: (&str, &str) = (
    "unverified_user_email",
    "The user must have a verified primary email.",
);
/// \[OAUTH\] ("Refreshing an access token").
pub const BAD_REFRESH_TOKEN: &str = "bad_refresh_token";
