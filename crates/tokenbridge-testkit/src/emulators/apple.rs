//! An emulator of Sign in with Apple, answering as Apple's documentation says (the pages are
//! listed in [`crate::facts::apple`]): `/auth/authorize` (a form POST back to the
//! `redirect_uri` when `response_mode=form_post`, required whenever a scope is asked, with
//! the `user` JSON at a client's first authorization only), `/auth/token` (the client secret
//! is an ES256 JWT checked against the client's registered key, team id and key id; the
//! refresh answer carries no refresh token), `/auth/revoke` (200 even for a token it never
//! issued) and `/auth/keys`. ID tokens are RS256 from `/auth/keys` and carry
//! `email_verified` and `is_private_email` as the strings `"true"`/`"false"`, and the
//! authorization request's `nonce` when it had one, whatever its scopes (\[NONCE\] and
//! \[IDT\] in [`crate::facts::apple`]).
//!
//! Where Apple's documentation is silent the emulator assumes, and says so here and in
//! `docs/providers/apple.md` (each marked `inferred` below; no test asserts one as Apple's):
//! - token-endpoint errors are answered with HTTP 400 (Apple gives the body, not the status);
//! - a refresh token stays valid after a refresh (the answer simply has none);
//! - the authorize endpoint issues a code at once, without a sign-in page.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::apple::{AppleEmulator, DEMO_CLIENT_ID};
//!
//! let apple = AppleEmulator::start().await.unwrap();
//! let code = apple.issue_code(DEMO_CLIENT_ID, "http://127.0.0.1/callback", None);
//! assert!(apple.token_endpoint().ends_with("/auth/token"));
//! # let _ = code;
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;

use serde_json::{json, Map, Value};
use tokenbridge_core::AuthMethod;

use crate::facts::apple as facts;
use crate::jose::TestKey;
use crate::oidc::{
    ClientRegistration, ErrorReplies, FormPost, OidcEmulator, Profile, RefreshStyle, SecretJwt,
};
use crate::reply::Reply;
use crate::server::any_loopback_port;

/// The demo Services ID.
pub const DEMO_CLIENT_ID: &str = "com.example.web";
/// The demo team id (10 characters, as Apple's).
pub const DEMO_TEAM_ID: &str = "TEAM123456";
/// The demo key id (10 characters, as Apple's).
pub const DEMO_KEY_ID: &str = "KEY1234567";
/// The demo user's `sub`.
pub const DEMO_SUBJECT: &str = "001234.0123456789abcdef0123456789abcdef.1234";

/// The demo client's private key, a PKCS#8 P-256 PEM like Apple's `.p8` download.
pub fn demo_private_key_pem() -> &'static str {
    TestKey::EcP256.private_pem()
}

/// Apple's error answers: `{"error": "..."}` only ([`facts::ERRORS`]); the status 400 is
/// inferred: Apple documents the body, not the status.
pub fn error_replies() -> ErrorReplies {
    let error = |code: &str| Reply::json(400, json!({ "error": code }));
    ErrorReplies {
        unknown_client: error("invalid_client"),
        unknown_client_pkce: None,
        // "invalid client secret (expired token, malformed claims, or invalid signature)".
        bad_client_credentials: error("invalid_client"),
        // "invalid code (expired or previously used authorization code)".
        bad_code: error("invalid_grant"),
        client_mismatch: None,
        // "mismatched or invalid redirect URI" is listed under invalid_client.
        redirect_mismatch: error("invalid_client"),
        // inferred: Apple documents no PKCE at its token endpoint.
        bad_verifier: error("invalid_grant"),
        // "or invalid refresh token".
        bad_refresh_token: error("invalid_grant"),
        unsupported_grant: error("unsupported_grant_type"),
        missing_parameter: error("invalid_request"),
    }
}

/// The demo user's ID-token claims: Apple's string booleans, no name (Apple: the name is
/// "not included in the user's identity token").
pub fn demo_user_claims() -> Map<String, Value> {
    let claims = json!({
        "sub": DEMO_SUBJECT,
        "email": "demo@privaterelay.appleid.com",
        "email_verified": "true",
        "is_private_email": "true",
    });
    claims.as_object().cloned().unwrap_or_default()
}

/// Sign in with Apple's behaviour.
pub fn profile() -> Profile {
    Profile {
        name: "apple".into(),
        issuer_path: String::new(),
        token_path: facts::TOKEN_PATH.into(),
        discovery_path: None,
        jwks_path: Some(facts::KEYS_PATH.into()),
        // TOKEN's example: `"token_type": "Bearer", "expires_in": 3600`.
        expires_in: 3600,
        token_type: "Bearer".into(),
        jwt_access_tokens: false,
        refresh_style: RefreshStyle::Keep,
        default_scope: String::new(),
        // "include the redirect_uri parameter only if the application provided a
        // redirect_uri in the initial authorization request".
        redirect_uri_required: false,
        auth_methods: vec![AuthMethod::ClientSecretPost],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        errors: error_replies(),
        authorize_path: Some(facts::AUTHORIZE_PATH.into()),
        revocation_path: Some(facts::REVOKE_PATH.into()),
        end_session_path: None,
        send_iss: false,
        userinfo_path: None,
        secret_jwt: Some(SecretJwt {
            audience: facts::ISSUER.into(),
            issuer: DEMO_TEAM_ID.into(),
            key_id: DEMO_KEY_ID.into(),
            max_lifetime: facts::MAX_SECRET_LIFETIME,
        }),
        form_post: Some(FormPost {
            required_with_scope: true,
            first_user: true,
        }),
        id_tokens_always: true,
        ..Profile::standard()
    }
}

/// The demo Services ID, whose client secrets are signed with [`demo_private_key_pem`].
pub fn demo_client() -> ClientRegistration {
    let mut client =
        ClientRegistration::private_key_jwt(DEMO_CLIENT_ID, TestKey::EcP256.public_pem());
    client.auth_method = AuthMethod::ClientSecretPost;
    client
}

/// Sign in with Apple on loopback. Stops when dropped; everything an [`OidcEmulator`] offers
/// is reached through `Deref`.
#[derive(Debug)]
pub struct AppleEmulator {
    inner: OidcEmulator,
}

impl Deref for AppleEmulator {
    type Target = OidcEmulator;

    fn deref(&self) -> &OidcEmulator {
        &self.inner
    }
}

impl AppleEmulator {
    /// Starts on a free loopback port with the demo client registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` with the demo client registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let inner = OidcEmulator::start_on(profile(), addr).await?;
        inner.register_client(demo_client());
        inner.provider().set_user_claims(demo_user_claims());
        Ok(Self { inner })
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.inner.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scope_needs_form_post_and_the_form_carries_the_user_once() {
        let apple = AppleEmulator::start().await.unwrap();
        let url = |mode: &str| {
            format!(
                "{}/auth/authorize?client_id={DEMO_CLIENT_ID}&redirect_uri=http://127.0.0.1/cb\
                 &response_type=code&scope=name%20email&state=s{mode}",
                apple.base()
            )
        };
        let query = |u: &str| -> std::collections::HashMap<String, String> {
            url::Url::parse(u)
                .unwrap()
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        let refused = apple.provider().handle_authorize(&query(&url("")));
        assert_eq!(refused.status(), 400);
        async fn page(apple: &AppleEmulator, url: String) -> (String, Vec<(String, String)>) {
            let query: std::collections::HashMap<String, String> = url::Url::parse(&url)
                .unwrap()
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let response = apple.provider().handle_authorize(&query);
            assert_eq!(response.status(), 200);
            let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                .await
                .unwrap();
            crate::oidc::form_post_fields(std::str::from_utf8(&body).unwrap()).unwrap()
        }
        let (action, first) = page(&apple, url("&response_mode=form_post")).await;
        assert_eq!(action, "http://127.0.0.1/cb");
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["code", "state", "user"]);
        let user: Value = serde_json::from_str(&first[2].1).unwrap();
        assert_eq!(user["email"], "demo@privaterelay.appleid.com");
        let (_, second) = page(&apple, url("&response_mode=form_post")).await;
        assert!(second.iter().all(|(n, _)| n != "user"));
    }
}
