//! An emulator of Tencent Cloud CIAM's token endpoint, JWKS and discovery document, answering
//! as Tencent's documentation says (<https://cloud.tencent.com/document/product/1441/64398>,
//! <https://www.tencentcloud.com/document/product/1148/51481> for PKCE,
//! <https://cloud.tencent.com/document/product/1441/64400> for refresh,
//! <https://cloud.tencent.com/document/product/1441/64397> for the JWKS): JWT-shaped tokens
//! with `expires_in` 299, the same refresh token echoed back, a JWKS whose key list is spelled
//! `"Keys"`, a discovery document without userinfo or revocation endpoints, and the documented
//! error answers, including the bare 401 for an unknown client and `401 invalid_client` for a
//! code exchanged by another client than the one it was issued to. ID tokens are signed RS256
//! with real fixture keys; `/userinfo` answers the standard claims and refuses in
//! `WWW-Authenticate` only, with no body (the English userinfo page).
//!
//! Where the documentation is silent the emulator assumes, and says so below and in
//! `docs/providers/tencent-ciam.md`:
//! - a public app's code issued without a `code_challenge` is refused with `401
//!   invalid_client` (undocumented: the PKCE page only says public apps use PKCE);
//! - a public app refreshes with `client_id` alone and is accepted (undocumented: the refresh
//!   page lists `client_secret` as required and says nothing of public apps);
//! - a confidential app's code sent with both its secret and a PKCE verifier is accepted
//!   (undocumented: the code page has the secret, the PKCE page the verifier, neither both);
//! - ID tokens carry `nonce` (when the authorize request had one) and `at_hash`
//!   (undocumented: the pages show no ID-token claims);
//! - the authorize endpoint issues a code at once, and a `redirect_uri` mismatch at the token
//!   endpoint is `invalid_grant` (undocumented).
//!
//! Each is marked `inferred` where it is set below; no test or conformance check asserts one
//! as Tencent's behaviour.
//!
//! It starts with two demo clients registered, for `tokenbridge emulate` and examples:
//! [`DEMO_CLIENT_ID`] / [`DEMO_CLIENT_SECRET`] (a Web app using `client_secret_post`) and
//! [`DEMO_PUBLIC_CLIENT_ID`] (a public SPA using PKCE).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::tencent_ciam::{TencentCiamEmulator, DEMO_CLIENT_ID, DEMO_REDIRECT_URI};
//!
//! let ciam = TencentCiamEmulator::start().await.unwrap();
//! let code = ciam.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, None);
//! assert!(code.starts_with("code-"));
//! assert!(ciam.token_endpoint().ends_with("/oauth2/token"));
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokenbridge_core::AuthMethod;

use crate::oidc::{
    ClientRegistration, CodeRequest, ErrorReplies, ExpiryStyle, IdTokenSigning, OidcEmulator,
    Profile, RefreshStyle, Reply, UserinfoStyle,
};
use crate::server::any_loopback_port;

// Tencent's documented paths, written out independently of the adapter: a wrong path in the
// adapter's description fails against this emulator.
use crate::facts::tencent_ciam as facts;

/// The token endpoint path.
pub const TOKEN_PATH: &str = facts::TOKEN_PATH;
/// The JWKS path.
pub const JWKS_PATH: &str = facts::JWKS_PATH;
/// The userinfo path.
pub const USERINFO_PATH: &str = facts::USERINFO_PATH;
/// The discovery document path.
pub const DISCOVERY_PATH: &str = facts::DISCOVERY_PATH;
/// The access token lifetime Tencent announces: 300 s rounded down.
pub const EXPIRES_IN: u64 = facts::EXPIRES_IN;

/// The demo Web app's client id.
pub const DEMO_CLIENT_ID: &str = "demo-app";
/// The demo Web app's client secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
/// The demo public (PKCE) app's client id; it has no secret.
pub const DEMO_PUBLIC_CLIENT_ID: &str = "demo-spa";
/// The redirect URI demo codes are issued for.
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// Tencent's documented error answers (the code, PKCE and refresh pages cited above).
pub fn error_replies() -> ErrorReplies {
    let invalid_client = Reply::json(401, json!({"error": "invalid_client"}));
    let invalid_grant = Reply::json(400, json!({"error": "invalid_grant"}));
    ErrorReplies {
        // "The client_id parameter is missing or incorrect": 401, no body, no content type.
        unknown_client: Reply::empty(401),
        // The PKCE page answers the same case with 400 invalid_request.
        unknown_client_pkce: Some(Reply::json(400, json!({"error": "invalid_request"}))),
        // Also the answer to a public app's code sent without PKCE (inferred: not in Tencent's
        // documentation; the request authenticates nothing, so it fails as client
        // authentication).
        bad_client_credentials: invalid_client.clone(),
        bad_code: invalid_grant.clone(),
        // "client_id differs from the one used at authorize": 401, no description (code and
        // PKCE pages).
        client_mismatch: Some(invalid_client.clone()),
        // inferred: not in Tencent's documentation; a mismatching redirect_uri spoils the code.
        redirect_mismatch: invalid_grant.clone(),
        // A wrong code_verifier is invalid_client, not invalid_grant.
        bad_verifier: invalid_client,
        bad_refresh_token: invalid_grant,
        unsupported_grant: Reply::json(
            400,
            json!({
                "error": "unsupported_grant_type",
                "error_description": "OAuth 2.0 Parameter: grant_type",
                "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2",
            }),
        ),
        missing_parameter: Reply::json(400, json!({"error": "invalid_request"})),
    }
}

/// Tencent CIAM's token endpoint behaviour.
pub fn profile() -> Profile {
    Profile {
        name: "tencent-ciam".into(),
        issuer_path: String::new(),
        token_path: TOKEN_PATH.into(),
        // Served by this module in Tencent's own shape.
        discovery_path: None,
        jwks_path: Some(JWKS_PATH.into()),
        jwks_member: facts::JWKS_MEMBER.into(),
        expires_in: EXPIRES_IN,
        expiry_style: ExpiryStyle::Number,
        expiry_field: "expires_in".into(),
        token_type: "Bearer".into(),
        jwt_access_tokens: true,
        issue_id_tokens: true,
        refresh_tokens_need_consent: false,
        issue_refresh_tokens: true,
        refresh_style: RefreshStyle::Echo,
        default_scope: "openid".into(),
        redirect_uri_required: true,
        // Public apps (SPA, mobile, mini-program) exchange codes in PKCE mode only (PKCE page).
        // inferred: not in Tencent's documentation; the refusal of a public app's code without
        // a challenge, and the acceptance of a secret and a verifier together.
        public_clients_require_pkce: true,
        // Discovery advertises post and basic; public apps send only client_id with PKCE.
        // inferred: not in Tencent's documentation; accepting `none` on a refresh (the refresh
        // page lists client_secret as required).
        auth_methods: AuthMethod::ALL.to_vec(),
        grant_types: vec![
            "authorization_code".into(),
            "client_credentials".into(),
            "refresh_token".into(),
        ],
        errors: error_replies(),
        authorize_path: Some(facts::AUTHORIZE_PATH.into()),
        revocation_path: Some(facts::REVOKE_PATH.into()),
        end_session_path: Some(facts::LOGOUT_PATH.into()),
        logout_redirect_param: facts::LOGOUT_REDIRECT_PARAM.into(),
        // inferred: not in the vendor's documentation; the redirect needs no other parameter.
        logout_redirect_needs_id_token_hint: false,
        // Tencent CIAM's documentation does not mention RFC 9207's `iss` parameter.
        authorize_redirect_param: "redirect_uri".into(),
        send_iss: false,
        // RS256 with the keys at /oauth2/jwks (discovery sample).
        id_token_signing: IdTokenSigning::Rs256,
        // GET /userinfo; refusals only in WWW-Authenticate (userinfo page).
        userinfo_path: Some(USERINFO_PATH.into()),
        userinfo_style: UserinfoStyle::Tencent,
        ..Profile::standard()
    }
}

/// The demo Web app, using `client_secret_post`.
pub fn demo_client() -> ClientRegistration {
    ClientRegistration::confidential(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        AuthMethod::ClientSecretPost,
    )
}

/// The demo public app, using PKCE and no secret.
pub fn demo_public_client() -> ClientRegistration {
    ClientRegistration::public(DEMO_PUBLIC_CLIENT_ID)
}

/// The discovery document in the shape of Tencent's sample: no `userinfo_endpoint`,
/// `revocation_endpoint` or `end_session_endpoint`.
pub fn discovery_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}{}", facts::AUTHORIZE_PATH),
        "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
    })
}

/// Tencent Cloud CIAM on loopback. Stops when dropped.
///
/// Everything an [`OidcEmulator`] offers (base URL, clients, codes, scripted replies, recorded
/// requests, a conformance target) is reached through `Deref`.
#[derive(Debug)]
pub struct TencentCiamEmulator {
    inner: OidcEmulator,
}

impl Deref for TencentCiamEmulator {
    type Target = OidcEmulator;

    fn deref(&self) -> &OidcEmulator {
        &self.inner
    }
}

impl TencentCiamEmulator {
    /// Starts on a free loopback port with the demo clients registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` with the demo clients registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with_profile(profile(), addr).await
    }

    /// Starts a variant of [`profile`] on `addr`, with the demo clients registered.
    pub async fn start_with_profile(profile: Profile, addr: SocketAddr) -> std::io::Result<Self> {
        let inner = OidcEmulator::start_with_routes(profile, addr, |provider| {
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
        inner.register_client(demo_public_client());
        Ok(Self { inner })
    }

    /// Mints a code granting `scope` (space-separated), or `openid` when `None`; pass the
    /// S256 `code_challenge` for PKCE.
    pub fn issue_code_with_scope(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
        scope: Option<&str>,
    ) -> String {
        self.provider().issue_code(CodeRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: scope.map(str::to_owned),
        })
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
    fn replies_match_the_documentation() {
        let e = error_replies();
        assert_eq!(e.unknown_client, Reply::empty(401));
        assert_eq!(e.unknown_client.content_type, None);
        assert_eq!(e.bad_verifier.status, 401);
        assert_eq!(
            serde_json::from_slice::<Value>(&e.bad_verifier.body).unwrap(),
            json!({"error": "invalid_client"})
        );
        let pkce = e.unknown_client_pkce.unwrap();
        assert_eq!(pkce.status, 400);
        assert_eq!(
            serde_json::from_slice::<Value>(&pkce.body).unwrap(),
            json!({"error": "invalid_request"})
        );
        let mismatch = e.client_mismatch.unwrap();
        assert_eq!(mismatch.status, 401);
        assert_eq!(
            serde_json::from_slice::<Value>(&mismatch.body).unwrap(),
            json!({"error": "invalid_client"})
        );
        assert!(profile().public_clients_require_pkce);
    }

    #[tokio::test]
    async fn serves_tencent_shaped_discovery_and_jwks() {
        let ciam = TencentCiamEmulator::start().await.unwrap();
        let doc = discovery_document(&ciam.base());
        assert!(doc.get("userinfo_endpoint").is_none());
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/oauth2/token", ciam.base())
        );
        let jwks = ciam.provider().jwks_document();
        assert!(jwks.get("Keys").is_some() && jwks.get("keys").is_none());
    }
}
