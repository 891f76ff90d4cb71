//! Sign in with Apple's documented facts.
//!
//! - \[AUTH\] <https://developer.apple.com/documentation/signinwithapplerestapi/request-an-authorization-to-the-sign-in-with-apple-server>:
//!   `GET https://appleid.apple.com/auth/authorize`; `response_mode` `query`, `fragment` or
//!   `form_post`, and "If you requested any scopes, the value must be `form_post`"; scopes
//!   `name` and `email`; the form POST carries `code`, `state`, `id_token` and, "only the first
//!   time the user authorizes the app", `user` (a JSON string); the only callback error is
//!   `user_cancelled_authorize`.
//! - \[TOKEN\] <https://developer.apple.com/documentation/signinwithapplerestapi/generate-and-validate-tokens>:
//!   `POST https://appleid.apple.com/auth/token`, form-encoded `client_id`, `client_secret`,
//!   `code`, `grant_type`, `redirect_uri` (or `refresh_token`).
//! - \[RESP\] <https://developer.apple.com/documentation/signinwithapplerestapi/tokenresponse>:
//!   `refresh_token` "isn't returned when validating an existing refresh token".
//! - \[ERR\] <https://developer.apple.com/documentation/signinwithapplerestapi/errorresponse>:
//!   `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
//!   `unsupported_grant_type`, `invalid_scope`.
//! - \[SECRET\] <https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret>:
//!   the client secret is an ES256 JWT: header `alg` ES256 and `kid`; claims `iss` (team id),
//!   `iat`, `exp` (at most 15777000 s later), `aud` `https://appleid.apple.com`, `sub` (the
//!   client id).
//! - \[KEYS\] <https://developer.apple.com/documentation/signinwithapplerestapi/fetch-apple's-public-key-for-verifying-token-signature>:
//!   `GET https://appleid.apple.com/auth/keys`.
//! - \[REVOKE\] <https://developer.apple.com/documentation/signinwithapplerestapi/revoke-tokens>:
//!   `POST https://appleid.apple.com/auth/revoke` with `client_id`, `client_secret`, `token`,
//!   `token_type_hint`; 200 "the provided token has been revoked successfully or was
//!   previously invalid"; 400 with an error response.
//! - \[IDT\] <https://developer.apple.com/documentation/signinwithapplejs/authorizationi/id_token>:
//!   `iss` is `https://appleid.apple.com`; `email_verified` and `is_private_email` are strings
//!   (`"true"`/`"false"`) or booleans; the ID token's `nonce` is present "only if passed during
//!   the authorization request".
//! - \[NONCE\] <https://developer.apple.com/documentation/signinwithapplejs/clientconfigi/nonce>:
//!   the authorization's `nonce` is "the value that associates a client session and an ID
//!   token", and it "mitigates replay attacks".

/// The issuer of ID tokens and the audience of client secrets \[IDT\], \[SECRET\].
pub const ISSUER: &str = "https://appleid.apple.com";
/// The authorization endpoint \[AUTH\].
pub const AUTHORIZE_PATH: &str = "/auth/authorize";
/// The token endpoint \[TOKEN\].
pub const TOKEN_PATH: &str = "/auth/token";
/// The revocation endpoint \[REVOKE\].
pub const REVOKE_PATH: &str = "/auth/revoke";
/// The public keys \[KEYS\].
pub const KEYS_PATH: &str = "/auth/keys";
/// The longest client-secret lifetime, in seconds \[SECRET\].
pub const MAX_SECRET_LIFETIME: u64 = 15_777_000;
/// The one callback error \[AUTH\].
pub const USER_CANCELLED: &str = "user_cancelled_authorize";
/// The token endpoint's error codes \[ERR\].
pub const ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];
