//! An emulator of Google's OpenID Connect endpoints on one loopback origin, answering as
//! Google's documentation says (the pages are listed in [`crate::facts::google`]): discovery,
//! `/o/oauth2/v2/auth` (a refresh token only for `access_type=offline`, at a client's first
//! offline grant or with `prompt=consent`), `/token` (`client_secret_post` or
//! `client_secret_basic`, or PKCE alone for a client without a secret; the refresh answer has
//! no refresh token), `/revoke` (the token alone; 400 `invalid_token` for one it never
//! issued), userinfo at `/v1/userinfo` and the keys at `/oauth2/v3/certs`.
//!
//! Where Google's documentation is silent the emulator assumes, and says so here and in
//! `docs/providers/google.md` (each marked `inferred` below; no test asserts one as Google's):
//! - the userinfo and keys paths (`openidconnect.googleapis.com/v1/userinfo`,
//!   `www.googleapis.com/oauth2/v3/certs`) are those of Google's live discovery document,
//!   which the reference page does not spell out;
//! - token-endpoint errors are `400 {"error": ..., "error_description": ...}` (`invalid_client`
//!   with 401);
//! - the authorize endpoint issues a code at once, without a sign-in page.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::google::{GoogleEmulator, DEMO_CLIENT_ID};
//!
//! let google = GoogleEmulator::start().await.unwrap();
//! assert!(google.token_endpoint().ends_with("/token"));
//! # let _ = DEMO_CLIENT_ID;
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;

use serde_json::{json, Map, Value};
use tokenbridge_core::AuthMethod;

use crate::facts::google as facts;
use crate::oidc::{ClientRegistration, ErrorReplies, OidcEmulator, Profile, RefreshStyle};
use crate::reply::Reply;
use crate::server::any_loopback_port;

/// The userinfo path (inferred: from Google's live discovery document).
pub const USERINFO_PATH: &str = "/v1/userinfo";
/// The keys path (inferred: from Google's live discovery document).
pub const KEYS_PATH: &str = "/oauth2/v3/certs";
/// The demo web client's id.
pub const DEMO_CLIENT_ID: &str = "1234567890-demo.apps.googleusercontent.com";
/// The demo web client's secret.
pub const DEMO_CLIENT_SECRET: &str = "GOCSPX-demo-secret";
/// The demo client without a secret, using PKCE (`client_secret` is optional \[WS\]).
pub const DEMO_PUBLIC_CLIENT_ID: &str = "1234567890-desktop.apps.googleusercontent.com";
/// The demo user's Workspace domain (`hd`).
pub const DEMO_HOSTED_DOMAIN: &str = "example.com";
/// The demo user's `sub`.
pub const DEMO_SUBJECT: &str = "110169484474386276334";

/// Google's error answers: the codes are documented (`invalid_grant` for a bad code or
/// refresh token, `invalid_client`, `invalid_request`); the statuses are inferred.
pub fn error_replies() -> ErrorReplies {
    let error = |status: u16, code: &str, description: &str| {
        Reply::json(
            status,
            json!({ "error": code, "error_description": description }),
        )
    };
    ErrorReplies {
        unknown_client: error(401, "invalid_client", "The OAuth client was not found."),
        unknown_client_pkce: None,
        bad_client_credentials: error(401, "invalid_client", "Unauthorized"),
        bad_code: error(400, "invalid_grant", "Malformed auth code."),
        client_mismatch: None,
        redirect_mismatch: error(400, "redirect_uri_mismatch", "Bad Request"),
        bad_verifier: error(400, "invalid_grant", "Missing code verifier."),
        bad_refresh_token: error(400, "invalid_grant", "Bad Request"),
        unsupported_grant: error(400, "unsupported_grant_type", "Invalid grant_type"),
        missing_parameter: error(400, "invalid_request", "Missing required parameter"),
    }
}

/// The demo user's claims: a Workspace user of [`DEMO_HOSTED_DOMAIN`].
pub fn demo_user_claims() -> Map<String, Value> {
    let claims = json!({
        "sub": DEMO_SUBJECT,
        "name": "Demo User",
        "given_name": "Demo",
        "family_name": "User",
        "email": "demo@example.com",
        "email_verified": true,
        "picture": "https://lh3.googleusercontent.com/a/demo",
        "hd": DEMO_HOSTED_DOMAIN,
    });
    claims.as_object().cloned().unwrap_or_default()
}

/// Google's behaviour.
pub fn profile() -> Profile {
    Profile {
        name: "google".into(),
        issuer_path: String::new(),
        token_path: facts::TOKEN_PATH.into(),
        discovery_path: Some(facts::DISCOVERY_PATH.into()),
        jwks_path: Some(KEYS_PATH.into()),
        expires_in: 3599,
        token_type: "Bearer".into(),
        jwt_access_tokens: false,
        // "the refresh token is only returned if your application set the access_type
        // parameter to offline"; the refresh sample has no refresh_token.
        refresh_token_param: Some((facts::OFFLINE_PARAM.0.into(), facts::OFFLINE_PARAM.1.into())),
        refresh_style: RefreshStyle::Keep,
        default_scope: "openid email profile".into(),
        redirect_uri_required: true,
        auth_methods: vec![
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretBasic,
            AuthMethod::None,
        ],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        errors: error_replies(),
        authorize_path: Some(facts::AUTHORIZE_PATH.into()),
        revocation_path: Some(facts::REVOKE_PATH.into()),
        end_session_path: None,
        // inferred: Google's reference lists the member, not its value; the emulator does
        // not send `iss` on the redirect.
        send_iss: false,
        userinfo_path: Some(USERINFO_PATH.into()),
        revocation_authenticates: false,
        revocation_unknown_token: Some(Reply::json(400, json!({ "error": facts::REVOKE_ERROR }))),
        ..Profile::standard()
    }
}

/// The demo web client, using `client_secret_post`.
pub fn demo_client() -> ClientRegistration {
    ClientRegistration::confidential(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        AuthMethod::ClientSecretPost,
    )
}

/// The demo client without a secret.
pub fn demo_public_client() -> ClientRegistration {
    ClientRegistration::public(DEMO_PUBLIC_CLIENT_ID)
}

/// Google on loopback. Stops when dropped; everything an [`OidcEmulator`] offers is reached
/// through `Deref`.
#[derive(Debug)]
pub struct GoogleEmulator {
    inner: OidcEmulator,
}

impl Deref for GoogleEmulator {
    type Target = OidcEmulator;

    fn deref(&self) -> &OidcEmulator {
        &self.inner
    }
}

impl GoogleEmulator {
    /// Starts on a free loopback port with the demo clients registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` with the demo clients registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let inner = OidcEmulator::start_on(profile(), addr).await?;
        inner.register_client(demo_client());
        inner.register_client(demo_public_client());
        inner.provider().set_user_claims(demo_user_claims());
        Ok(Self { inner })
    }

    /// The issuer's legacy spelling for this emulator: its origin without the scheme
    /// (`127.0.0.1:port`), as Google's `accounts.google.com`.
    pub fn legacy_issuer(&self) -> String {
        let issuer = self.issuer();
        issuer
            .split_once("://")
            .map_or(issuer, |(_, rest)| rest)
            .to_owned()
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.inner.wait().await;
    }
}
