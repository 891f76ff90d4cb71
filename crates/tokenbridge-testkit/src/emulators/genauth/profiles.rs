//! The `/oidc` and `/oauth` token endpoints of one application host, and the V3 token sets.

use super::{
    facts, OAUTH_REVOCATION_PATH, OAUTH_TOKEN_PATH, OIDC_REVOCATION_PATH, OIDC_TOKEN_PATH,
    V3_EXPIRE_IN,
};
use crate::oidc::{IdTokenSigning, Profile, UserinfoStyle};

/// The `/oidc` side: issuer `<base>/oidc`, id tokens, discovery and JWKS under `/oidc`,
/// standard `expires_in` and `Bearer`. Paths as GenAuth's V3 authentication OpenAPI spec
/// lists them (<https://github.com/Authing/authing-docs-factory>): `/oidc/auth`,
/// `/oidc/token`, `/oidc/token/revocation`, `/oidc/session/end`.
///
/// As GenAuth's defaults: ID tokens are signed HS256 with the application secret (the
/// documentation's example header; RS256 after
/// [`OidcProvider::set_id_token_signing`](crate::oidc::OidcProvider::set_id_token_signing)),
/// and a code gets a refresh token only when its authorize request asked for
/// `offline_access` with `prompt=consent` (GenAuth's OpenID Connect guide).
pub fn oidc_profile() -> Profile {
    let mut p = Profile::standard();
    p.name = "genauth-oidc".into();
    p.issuer_path = facts::OIDC_ISSUER_PATH.into();
    p.token_path = OIDC_TOKEN_PATH.into();
    p.authorize_path = Some(facts::OIDC_AUTHORIZE_PATH.into());
    p.revocation_path = Some(OIDC_REVOCATION_PATH.into());
    p.end_session_path = Some(facts::OIDC_END_SESSION_PATH.into());
    p.logout_redirect_param = facts::LOGOUT_REDIRECT_PARAM.into();
    // `post_logout_redirect_uri` is honoured only with `id_token_hint` (V3 OpenAPI spec).
    p.logout_redirect_needs_id_token_hint = true;
    p.discovery_path = Some(facts::OIDC_DISCOVERY_PATH.into());
    p.jwks_path = Some(facts::OIDC_JWKS_PATH.into());
    // `GET`/`POST /oidc/me`: standard claims, unset ones `null` (V3 OpenAPI spec).
    p.userinfo_path = Some(facts::OIDC_USERINFO_PATH.into());
    p.userinfo_style = UserinfoStyle::GenAuth;
    p.expires_in = 3600;
    p.default_scope = "openid profile".into();
    p.id_token_signing = IdTokenSigning::Hs256;
    p.refresh_tokens_need_consent = true;
    // inferred: not in GenAuth's documentation; `iss` on the authorize redirect (RFC 9207).
    p.send_iss = true;
    p
}

/// The `/oauth` side, as GenAuth's OAuth 2.0 page shows it
/// (<https://docs.genauth.ai/federation/oauth2/authorization-code/>): an opaque 40-hex access
/// token, no id token, scope `user`, `expires_in` 3599; `/oauth/auth`, `/oauth/token`,
/// `/oauth/token/revocation`, no logout.
///
/// inferred: not in GenAuth's documentation; the emulator accepts public clients (`none`) at
/// `/oauth/token` (the page lists `client_secret_post` and `client_secret_basic`), checks a
/// code's PKCE challenge there (the page documents no PKCE), and issues a refresh token with
/// every code. Tests do not assert these as GenAuth's behaviour.
pub fn oauth_profile() -> Profile {
    let mut p = Profile::standard();
    p.name = "genauth-oauth".into();
    p.issuer_path = "/oauth".into();
    p.token_path = OAUTH_TOKEN_PATH.into();
    p.authorize_path = Some(facts::OAUTH_AUTHORIZE_PATH.into());
    p.revocation_path = Some(OAUTH_REVOCATION_PATH.into());
    p.end_session_path = None;
    p.discovery_path = None;
    p.jwks_path = None;
    p.userinfo_path = Some(facts::OAUTH_USERINFO_PATH.into());
    p.userinfo_style = UserinfoStyle::GenAuth;
    p.expires_in = 3599;
    p.jwt_access_tokens = false;
    p.issue_id_tokens = false;
    p.default_scope = "user".into();
    p
}

/// How V3 token sets are written: `expire_in` and `bearer`, issued by the `/oidc` issuer.
pub(super) fn v3_token_profile() -> Profile {
    let mut p = oidc_profile();
    p.name = "genauth-v3".into();
    p.expires_in = V3_EXPIRE_IN;
    p.expiry_field = "expire_in".into();
    p.token_type = "bearer".into();
    p
}
