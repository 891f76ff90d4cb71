//! An emulator of Huawei Cloud OneAccess's token endpoint and discovery document, answering as
//! OneAccess's documentation says
//! (<https://support.huaweicloud.com/api-oneaccess/IssueIDToken.html>,
//! <https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html>,
//! <https://support.huaweicloud.com/api-oneaccess/RenewOIDCToken.html>): opaque access tokens
//! valid 7200 seconds, `expires_in` as a number (the OIDC page's examples) or a string (the
//! OAuth 2.0 page's example), no refresh token unless the application enables one, a new
//! refresh token on each refresh, `client_secret_post` only, and `{error, error_description}`
//! refusals whose descriptions are as unreliable as the vendor's.
//!
//! Where the documentation is silent the emulator assumes, and says so here and in
//! `docs/providers/huawei-oneaccess.md`:
//! - a code minted with a `code_challenge` must be sent with its verifier (OneAccess does not
//!   document PKCE at all);
//! - a refreshed refresh token stops working (the refresh example only shows a new value);
//! - the JWKS path and the authorize path in its discovery document are its own choices;
//! - ID tokens carry `nonce` (when the authorize request had one) and `at_hash` (the token
//!   pages show no ID-token claims);
//! - an OIDC application's userinfo answers in the camelCase shape of ShowUser_0, which the
//!   documentation gives without saying which application protocol it is for;
//! - the authorize endpoint issues a code at once.
//!
//! Each is marked `inferred` where it is set below; no test or conformance check asserts one
//! as OneAccess's behaviour.
//!
//! One emulator plays one application protocol ([`OneAccessOptions::oidc`] or
//! [`OneAccessOptions::oauth`]). It starts with a demo client registered, for `tokenbridge
//! emulate` and examples: [`DEMO_CLIENT_ID`] / [`DEMO_CLIENT_SECRET`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::huawei_oneaccess::{
//!     HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_REDIRECT_URI,
//! };
//! use tokenbridge_testkit::oidc::ExpiryStyle;
//!
//! let options = OneAccessOptions::oauth().with_expiry_style(ExpiryStyle::Number);
//! let oneaccess = HuaweiOneAccessEmulator::start_with(options, tokenbridge_testkit::any_loopback_port())
//!     .await
//!     .unwrap();
//! let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
//! assert!(oneaccess.token_endpoint().ends_with("/api/v1/oauth2/token"));
//! # let _ = code;
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokenbridge_core::{AuthMethod, Protocol};

use crate::conformance::ProviderTarget;
use crate::facts::huawei_oneaccess as facts;
use crate::oidc::{
    ClientRegistration, ErrorReplies, ExpiryStyle, IdTokenSigning, OidcEmulator, Profile,
    RefreshStyle, Reply, UserinfoStyle,
};
use crate::server::any_loopback_port;

/// The token endpoint path.
pub const TOKEN_PATH: &str = facts::TOKEN_PATH;
/// The discovery document path.
pub const DISCOVERY_PATH: &str = facts::DISCOVERY_PATH;
/// Where this emulator serves its JWKS. OneAccess's real path is not documented; discovery's
/// `jwks_uri` points here.
// inferred: not in OneAccess's documentation; discovery's `jwks_uri` is what a client reads.
pub const JWKS_PATH: &str = "/api/v1/oauth2/jwks";
/// The documented userinfo path, listed in discovery and served in OneAccess's camelCase
/// shape (`id`, `userName`, `mobile`, no `sub`); it requires `Accept: application/json`.
pub const USERINFO_PATH: &str = facts::USERINFO_PATH;
/// The access token lifetime in the documentation's examples.
pub const EXPIRES_IN: u64 = facts::EXPIRES_IN;
/// The scope of an OAuth 2.0 application.
pub const OAUTH_SCOPE: &str = facts::OAUTH_SCOPE;

/// The demo application's client id.
pub const DEMO_CLIENT_ID: &str = "demo-app";
/// The demo application's client secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The redirect URI demo codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The one documented `invalid_grant` description, which OneAccess also uses on its refresh
/// page.
pub const INVALID_CODE_DESCRIPTION: &str = facts::INVALID_CODE_DESCRIPTION;

/// How the emulated application is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OneAccessOptions {
    /// OIDC (`redirect_uri` required, id tokens, scope `openid`) or OAuth 2.0 (`redirect_uri`
    /// optional, no id token, scope `get_user_info`).
    pub protocol: Protocol,
    /// How `expires_in` is written.
    pub expiry_style: ExpiryStyle,
    /// Whether code exchanges return a refresh token ("Refresh Token 有效期" set in the
    /// console); off by default, as in OneAccess.
    pub issue_refresh_tokens: bool,
    /// The status of `invalid_client` answers: OneAccess does not document whether it is 400
    /// or 401.
    pub invalid_client_status: u16,
}

impl OneAccessOptions {
    /// An OIDC application; `expires_in` as a number, as the OIDC page's examples show.
    pub fn oidc() -> Self {
        Self {
            protocol: Protocol::Oidc,
            expiry_style: ExpiryStyle::Number,
            issue_refresh_tokens: false,
            invalid_client_status: 401,
        }
    }

    /// An OAuth 2.0 application; `expires_in` as a string, as the OAuth 2.0 page's example
    /// shows.
    pub fn oauth() -> Self {
        Self {
            protocol: Protocol::OAuth2,
            expiry_style: ExpiryStyle::String,
            ..Self::oidc()
        }
    }

    /// Sets how `expires_in` is written.
    pub fn with_expiry_style(mut self, style: ExpiryStyle) -> Self {
        self.expiry_style = style;
        self
    }

    /// Turns refresh token issuance on or off.
    pub fn with_refresh_tokens(mut self, issue: bool) -> Self {
        self.issue_refresh_tokens = issue;
        self
    }

    /// Sets the status of `invalid_client` answers.
    pub fn with_invalid_client_status(mut self, status: u16) -> Self {
        self.invalid_client_status = status;
        self
    }

    /// The scope codes are granted when none is given.
    pub fn default_scope(&self) -> &'static str {
        match self.protocol {
            Protocol::OAuth2 => OAUTH_SCOPE,
            _ => "openid",
        }
    }
}

impl Default for OneAccessOptions {
    fn default() -> Self {
        Self::oidc()
    }
}

/// OneAccess's refusals. Only `invalid_grant` / "Invalid authorization code" (on the code and
/// the refresh pages) and `invalid_client` / "Bad client credentials" are documented; the
/// other cases reuse them or use the plain RFC 6749 codes.
pub fn error_replies(options: &OneAccessOptions) -> ErrorReplies {
    let invalid_client = Reply::oauth_error(
        options.invalid_client_status,
        "invalid_client",
        facts::BAD_CLIENT_DESCRIPTION,
    );
    let invalid_grant = Reply::oauth_error(400, "invalid_grant", INVALID_CODE_DESCRIPTION);
    ErrorReplies {
        unknown_client: invalid_client.clone(),
        unknown_client_pkce: None,
        bad_client_credentials: invalid_client,
        bad_code: invalid_grant.clone(),
        client_mismatch: None,
        redirect_mismatch: invalid_grant.clone(),
        bad_verifier: invalid_grant.clone(),
        // The refresh page's sample, misleading description included.
        bad_refresh_token: invalid_grant,
        unsupported_grant: Reply::oauth_error(
            400,
            "unsupported_grant_type",
            "Unsupported grant type",
        ),
        missing_parameter: Reply::oauth_error(400, "invalid_request", "Missing parameter"),
    }
}

/// OneAccess's token endpoint behaviour for `options`.
pub fn profile(options: &OneAccessOptions) -> Profile {
    let oidc = options.protocol == Protocol::Oidc;
    Profile {
        name: "huawei-oneaccess".into(),
        issuer_path: String::new(),
        token_path: TOKEN_PATH.into(),
        // Served by this module at OneAccess's path.
        discovery_path: None,
        jwks_path: Some(JWKS_PATH.into()),
        jwks_member: "keys".into(),
        expires_in: EXPIRES_IN,
        expiry_style: options.expiry_style.clone(),
        expiry_field: "expires_in".into(),
        token_type: "Bearer".into(),
        jwt_access_tokens: false,
        issue_id_tokens: oidc,
        issue_refresh_tokens: options.issue_refresh_tokens,
        refresh_tokens_need_consent: false,
        // inferred: not in OneAccess's documentation; the refresh example returns a new token,
        // that the old one stops working is an assumption.
        refresh_style: RefreshStyle::Rotate,
        default_scope: options.default_scope().into(),
        redirect_uri_required: oidc,
        // inferred: not in OneAccess's documentation; like every profile, a code minted with a
        // challenge is checked against its verifier, though OneAccess documents no PKCE.
        public_clients_require_pkce: false,
        auth_methods: vec![AuthMethod::ClientSecretPost],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        errors: error_replies(options),
        // inferred: not in OneAccess's documentation (the pages cited do not give it); the
        // adapter reads it from discovery.
        authorize_path: Some("/api/v1/oauth2/authorize".into()),
        // OneAccess documents no revocation endpoint.
        revocation_path: None,
        end_session_path: Some(facts::LOGOUT_PATH.into()),
        logout_redirect_param: facts::LOGOUT_REDIRECT_PARAM.into(),
        // inferred: not in the vendor's documentation; the redirect needs no other parameter.
        logout_redirect_needs_id_token_hint: false,
        // OneAccess's documentation does not mention RFC 9207's `iss` parameter.
        // OAuth 2.0 applications spell the authorize parameter `redirect_url`
        // (IssueOAuthAccessToken: "must equal the authorize request's redirect_url").
        authorize_redirect_param: match options.protocol {
            Protocol::OAuth2 => facts::OAUTH_AUTHORIZE_REDIRECT_PARAM.into(),
            _ => "redirect_uri".into(),
        },
        send_iss: false,
        // "TOKEN签名算法 默认为RS256": RS256 by default.
        id_token_signing: IdTokenSigning::Rs256,
        // ShowUser_0: camelCase claims, Accept required, 401 "unauthorized". inferred: not in
        // OneAccess's documentation; that OIDC applications get this shape too.
        userinfo_path: Some(USERINFO_PATH.into()),
        userinfo_style: UserinfoStyle::OneAccess,
        ..Profile::standard()
    }
}

/// The demo application, using `client_secret_post`.
pub fn demo_client() -> ClientRegistration {
    ClientRegistration::confidential(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        AuthMethod::ClientSecretPost,
    )
}

/// The discovery document this emulator serves. Its authorize and JWKS paths are the
/// emulator's (the pages cited do not give them); the token and userinfo paths are
/// documented.
pub fn discovery_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/api/v1/oauth2/authorize"),
        "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
        "userinfo_endpoint": format!("{issuer}{USERINFO_PATH}"),
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
    })
}

/// Huawei Cloud OneAccess on loopback. Stops when dropped.
///
/// Everything an [`OidcEmulator`] offers (base URL, clients, scripted replies, recorded
/// requests) is reached through `Deref`; minting codes and refresh tokens and the conformance
/// target use the application's protocol scope.
#[derive(Debug)]
pub struct HuaweiOneAccessEmulator {
    inner: OidcEmulator,
    options: OneAccessOptions,
}

impl Deref for HuaweiOneAccessEmulator {
    type Target = OidcEmulator;

    fn deref(&self) -> &OidcEmulator {
        &self.inner
    }
}

impl HuaweiOneAccessEmulator {
    /// An OIDC application on a free loopback port, with the demo client registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// An OIDC application on `addr`, with the demo client registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with(OneAccessOptions::oidc(), addr).await
    }

    /// An application set up as `options` on `addr`, with the demo client registered.
    pub async fn start_with(options: OneAccessOptions, addr: SocketAddr) -> std::io::Result<Self> {
        let inner = OidcEmulator::start_with_routes(profile(&options), addr, |provider| {
            let issuer = provider.issuer().to_owned();
            Router::new().route(
                DISCOVERY_PATH,
                get(move || {
                    let doc = discovery_document(&issuer);
                    async move { Reply::json(200, doc) }
                }),
            )
        })
        .await?;
        inner.register_client(demo_client());
        Ok(Self { inner, options })
    }

    /// How the emulated application is set up.
    pub fn options(&self) -> &OneAccessOptions {
        &self.options
    }

    /// Mints a code for `client_id` with the protocol's default scope, as the authorize
    /// endpoint would.
    pub fn issue_code(&self, client_id: &str, redirect_uri: &str) -> String {
        self.inner.issue_code(client_id, redirect_uri, None)
    }

    /// Mints a refresh token for `client_id`, as an earlier code exchange would when the
    /// application issues them.
    pub fn issue_refresh_token(&self, client_id: &str) -> String {
        self.inner
            .issue_refresh_token(client_id, self.options.default_scope())
    }

    /// A conformance target minting credentials for `client_id` with the protocol's scope.
    /// The `pkce` check is skipped: OneAccess documents no PKCE.
    pub fn target(&self, client_id: &str) -> ProviderTarget {
        self.inner
            .target(client_id)
            .with_scope(self.options.default_scope())
            .without_pkce_check()
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.inner.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_follow_the_protocol() {
        let oidc = profile(&OneAccessOptions::oidc());
        assert!(oidc.redirect_uri_required && oidc.issue_id_tokens);
        assert_eq!(oidc.default_scope, "openid");
        assert_eq!(oidc.expiry_style, ExpiryStyle::Number);
        assert!(!oidc.issue_refresh_tokens);
        let oauth = profile(&OneAccessOptions::oauth());
        assert!(!oauth.redirect_uri_required && !oauth.issue_id_tokens);
        assert_eq!(oauth.default_scope, "get_user_info");
        assert_eq!(oauth.expiry_style, ExpiryStyle::String);
        assert_eq!(oauth.auth_methods, [AuthMethod::ClientSecretPost]);
    }

    #[test]
    fn invalid_client_status_is_selectable() {
        let e = error_replies(&OneAccessOptions::oidc().with_invalid_client_status(400));
        assert_eq!(e.unknown_client.status, 400);
        assert_eq!(e.bad_client_credentials.status, 400);
        assert_eq!(
            serde_json::from_slice::<Value>(&e.bad_refresh_token.body).unwrap(),
            json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
        );
    }
}
