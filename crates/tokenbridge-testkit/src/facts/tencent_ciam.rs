//! Tencent Cloud CIAM's documented facts.
//!
//! - \[CODE\] <https://cloud.tencent.com/document/product/1441/64398>: `/oauth2/token`, the code
//!   exchange and its refusals (a bare 401 for an unknown client, `401 invalid_client` for a
//!   code exchanged by another client), `expires_in` 299.
//! - \[PKCE\] <https://www.tencentcloud.com/document/product/1148/51481>: public apps exchange
//!   codes with PKCE; a wrong verifier is `invalid_client`.
//! - \[REFRESH\] <https://cloud.tencent.com/document/product/1441/64400>: the refresh answer
//!   echoes the refresh token.
//! - \[REVOKE\] <https://cloud.tencent.com/document/product/1441/64401>: `/oauth2/revoke`.
//! - \[LOGOUT\] <https://cloud.tencent.com/document/product/1441/64393>: `/logout` with
//!   `client_id` and `logout_redirect_uri`.
//! - \[JWKS\] <https://cloud.tencent.com/document/product/1441/64397>: `/oauth2/jwks`, key list
//!   spelled `"Keys"`.
//! - \[API\] the English API documentation of product 1148,
//!   <https://www.tencentcloud.com/document/product/1148>: discovery at
//!   `/.well-known/openid-configuration` (authorize `/oauth2/authorize`), `/userinfo`.

/// The token endpoint \[CODE\].
pub const TOKEN_PATH: &str = "/oauth2/token";
/// The authorization endpoint (the discovery sample in \[API\]).
pub const AUTHORIZE_PATH: &str = "/oauth2/authorize";
/// The revocation endpoint \[REVOKE\].
pub const REVOKE_PATH: &str = "/oauth2/revoke";
/// The userinfo endpoint \[API\].
pub const USERINFO_PATH: &str = "/userinfo";
/// The JWKS \[JWKS\].
pub const JWKS_PATH: &str = "/oauth2/jwks";
/// The JWKS's key-list member as documented \[JWKS\].
pub const JWKS_MEMBER: &str = "Keys";
/// The logout endpoint \[LOGOUT\].
pub const LOGOUT_PATH: &str = "/logout";
/// The logout parameter naming where to go afterwards \[LOGOUT\].
pub const LOGOUT_REDIRECT_PARAM: &str = "logout_redirect_uri";
/// The discovery document \[API\].
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The access token lifetime in \[CODE\]'s example: 300 s rounded down.
pub const EXPIRES_IN: u64 = 299;
