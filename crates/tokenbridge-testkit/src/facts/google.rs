//! Google's documented facts (OpenID Connect and OAuth 2.0 for web server applications).
//!
//! - \[REF\] <https://developers.google.com/identity/openid-connect/reference>: discovery at
//!   `https://accounts.google.com/.well-known/openid-configuration`; its `issuer` is
//!   `https://accounts.google.com`, and `accounts.google.com` "is also returned for legacy
//!   implementations"; no `end_session_endpoint` among the documented members.
//! - \[WS\] <https://developers.google.com/identity/protocols/oauth2/web-server>: authorize at
//!   `https://accounts.google.com/o/oauth2/v2/auth` (`access_type` `online`/`offline`,
//!   `prompt` `none`/`consent`/`select_account`, `include_granted_scopes`, `login_hint`); the
//!   token endpoint `https://oauth2.googleapis.com/token` (`client_secret` marked optional);
//!   a refresh token only with `access_type=offline`, "the first time that your application
//!   exchanges an authorization code"; the refresh answer has no `refresh_token`; revocation
//!   `https://oauth2.googleapis.com/revoke` with the token as a parameter, 200 on success and
//!   400 with an error code otherwise; `invalid_grant` for a bad code or refresh token.
//! - \[OIDC\] <https://developers.google.com/identity/openid-connect/openid-connect>: the `hd`
//!   request parameter only tunes the account chooser; the ID token's `hd` claim is to be
//!   checked; `iss` is `https://accounts.google.com` or `accounts.google.com`.
//! - \[BACK\] <https://developers.google.com/identity/sign-in/web/backend-auth>: "The value of
//!   `iss` in the ID token is equal to `accounts.google.com` or `https://accounts.google.com`".

/// The issuer in its modern spelling \[REF\].
pub const ISSUER: &str = "https://accounts.google.com";
/// The issuer's legacy spelling, without the scheme \[REF\], \[BACK\].
pub const LEGACY_ISSUER: &str = "accounts.google.com";
/// The discovery document \[REF\].
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The authorization endpoint \[WS\].
pub const AUTHORIZE_PATH: &str = "/o/oauth2/v2/auth";
/// The token endpoint (host `oauth2.googleapis.com`) \[WS\].
pub const TOKEN_PATH: &str = "/token";
/// The revocation endpoint (host `oauth2.googleapis.com`) \[WS\].
pub const REVOKE_PATH: &str = "/revoke";
/// The parameter asking for a refresh token, and its value \[WS\].
pub const OFFLINE_PARAM: (&str, &str) = ("access_type", "offline");
/// The parameter asking for consent again, and its value \[WS\].
pub const CONSENT_PARAM: (&str, &str) = ("prompt", "consent");
/// The hosted-domain request parameter and ID-token claim \[OIDC\].
pub const HOSTED_DOMAIN: &str = "hd";
/// The revocation endpoint's refusal of an unknown token: 400 with an error code \[WS\]; the
/// code's spelling `invalid_token` is the one Google's endpoint answers (inferred: the guide
/// names no code).
pub const REVOKE_ERROR: &str = "invalid_token";
