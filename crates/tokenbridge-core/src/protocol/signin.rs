//! Sign-in and sign-out, written once for every vendor: the authorization request (RFC 6749
//! 4.1.1 with PKCE S256, `state` and `nonce`), the callback (RFC 6749 4.1.2, RFC 9207 `iss`),
//! token revocation (RFC 7009) and the RP-initiated logout URL.
//!
//! Each vendor contributes only data: its endpoint paths and the spelling of its logout
//! parameters, from its [`VendorDescription`](crate::VendorDescription).

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::CallbackError;
use crate::error::MAX_CALLBACK_QUERY;
use crate::model::dpop::DpopKey;
use crate::model::token::TokenSet;

/// A login started by [`Provider::authorization_request`](crate::Provider::authorization_request), kept until its callback arrives.
///
/// It holds the `state`, the `nonce`, the PKCE verifier and, with DPoP, the key pair the code
/// is bound to: a web application stores it in its
/// server-side session (it serializes with serde; the serialized form contains those secrets,
/// so it must not go into a cookie readable by the browser). `Debug` shows no secret.
#[derive(Serialize, Deserialize)]
pub struct PendingLogin {
    pub(crate) provider: String,
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    pub(crate) state: SecretString,
    #[serde(
        default,
        serialize_with = "expose_opt",
        deserialize_with = "secret_opt"
    )]
    pub(crate) nonce: Option<SecretString>,
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    pub(crate) code_verifier: SecretString,
    pub(crate) redirect_uri: String,
    /// With DPoP: the key the code is bound to (`dpop_jkt`, RFC 9449 section 10), which the
    /// code exchange proves possession of and the tokens are then bound to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_key",
        deserialize_with = "key_opt"
    )]
    pub(crate) dpop_key: Option<DpopKey>,
}

fn expose_key<S: serde::Serializer>(
    key: &Option<DpopKey>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match key {
        Some(key) => s.serialize_some(&key.to_stored()),
        None => s.serialize_none(),
    }
}

fn key_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DpopKey>, D::Error> {
    Option::<serde_json::Value>::deserialize(d)?
        .map(|v| DpopKey::from_stored(&v).map_err(serde::de::Error::custom))
        .transpose()
}

fn expose<S: serde::Serializer>(
    secret: &SecretString,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

fn expose_opt<S: serde::Serializer>(
    secret: &Option<SecretString>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match secret {
        Some(v) => s.serialize_some(v.expose_secret()),
        None => s.serialize_none(),
    }
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<SecretString, D::Error> {
    String::deserialize(d).map(SecretString::from)
}

fn secret_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    Option::<String>::deserialize(d).map(|o| o.map(SecretString::from))
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("provider", &self.provider)
            .field("state", &"[redacted]")
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("code_verifier", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field("dpop_key", &self.dpop_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl PendingLogin {
    /// The id of the provider this login belongs to.
    pub fn provider_id(&self) -> &str {
        &self.provider
    }

    /// The redirect URI the authorization request named; the code exchange repeats it.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `nonce` sent, which the ID token must carry.
    pub fn nonce(&self) -> Option<&SecretString> {
        self.nonce.as_ref()
    }

    /// The `state` sent.
    pub fn state(&self) -> &SecretString {
        &self.state
    }

    /// With DPoP, the key whose thumbprint the request sent as `dpop_jkt`; the code exchange
    /// proves possession of it, and the tokens are bound to it.
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop_key.as_ref()
    }
}

/// The URL to send the browser to, and the login to keep until the callback.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorization URL.
    pub url: Url,
    /// What [`Provider::complete_login`](crate::Provider::complete_login) needs when the callback arrives.
    pub pending: PendingLogin,
}

/// The parameters of a callback, each at most once.
#[derive(Debug, Default)]
pub(crate) struct CallbackParams {
    pub(crate) code: Option<SecretString>,
    pub(crate) state: Option<SecretString>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
    pub(crate) error_uri: Option<String>,
    pub(crate) user: Option<String>,
}

/// Reads the query of a callback URL, or a bare query (with or without `?`); each name of
/// `code_aliases` (DingTalk's `authCode`) is read as `code`, and counts as it for duplicates.
pub(crate) fn parse_callback(
    callback: &str,
    code_aliases: &[&str],
) -> std::result::Result<CallbackParams, CallbackError> {
    let query = match Url::parse(callback) {
        Ok(url) => url.query().unwrap_or_default().to_owned(),
        Err(_) => match callback.split_once('?') {
            Some((_, q)) => q.to_owned(),
            None => callback.to_owned(),
        },
    };
    let query = query.split('#').next().unwrap_or_default();
    if query.len() > MAX_CALLBACK_QUERY {
        return Err(CallbackError::TooLarge(query.len()));
    }
    let mut seen = HashSet::new();
    let mut params = CallbackParams::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let name = if code_aliases.contains(&name.as_ref()) {
            std::borrow::Cow::Borrowed("code")
        } else {
            name
        };
        if !seen.insert(name.to_string()) {
            return Err(CallbackError::DuplicateParameter(name.into_owned()));
        }
        let value = value.into_owned();
        match name.as_ref() {
            "code" => params.code = Some(SecretString::from(value)),
            "state" => params.state = Some(SecretString::from(value)),
            "iss" => params.iss = Some(value),
            "error" => params.error = Some(value),
            "error_description" => params.error_description = Some(value),
            "error_uri" => params.error_uri = Some(value),
            "user" => params.user = Some(value),
            _ => {}
        }
    }
    Ok(params)
}

/// Compares two secrets in time that depends only on their lengths, so an attacker probing
/// `state` learns nothing from timing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// States of completed logins, remembered by hash so that a replayed callback is refused
/// before anything is sent. Bounded: the oldest half is forgotten when it is full.
#[derive(Debug, Default)]
pub(crate) struct CompletedLogins {
    seen: Mutex<Seen>,
}

/// The hashes remembered, as a set for look-ups and in order for forgetting the oldest.
#[derive(Debug, Default)]
struct Seen {
    set: HashSet<[u8; 32]>,
    order: Vec<[u8; 32]>,
}

const COMPLETED_LOGINS_KEPT: usize = 10_000;

impl CompletedLogins {
    /// Records `state`; false when it was already recorded.
    pub(crate) fn insert(&self, state: &SecretString) -> bool {
        let hash: [u8; 32] = Sha256::digest(state.expose_secret().as_bytes()).into();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.set.insert(hash) {
            return false;
        }
        seen.order.push(hash);
        if seen.order.len() > COMPLETED_LOGINS_KEPT {
            let forget: Vec<[u8; 32]> = seen.order.drain(..COMPLETED_LOGINS_KEPT / 2).collect();
            for h in forget {
                seen.set.remove(&h);
            }
        }
        true
    }
}

/// The result of a completed sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct CompletedLogin {
    /// The tokens.
    pub tokens: TokenSet,
    /// The ID token's claims, verified (signature, issuer, audience, lifetime, the login's
    /// `nonce`, `at_hash`); `None` when no ID token came back, or when the provider offers no
    /// way to verify one (no JWKS).
    pub id_token: Option<crate::protocol::id_token::VerifiedIdToken>,
    /// The JSON object the callback carried in a `user` parameter, when it carried one
    /// (Sign in with Apple posts the user's name and email there, at the first sign-in
    /// only); a `user` that is not a JSON object is left out. Unverified: it came through
    /// the browser, not in a signed token.
    pub callback_user: Option<serde_json::Map<String, serde_json::Value>>,
    /// The user the ID token names, read when the login completed.
    identity: Option<crate::protocol::identity::Identity>,
}

impl CompletedLogin {
    /// A completed login: `identity` is the one the provider read from the verified ID token
    /// (with its `subject_claim`), so a token without that claim has already failed the login.
    pub(crate) fn new(
        tokens: TokenSet,
        id_token: Option<crate::protocol::id_token::VerifiedIdToken>,
        identity: Option<crate::protocol::identity::Identity>,
    ) -> Self {
        CompletedLogin {
            tokens,
            id_token,
            callback_user: None,
            identity,
        }
    }

    /// Keeps a callback's `user` object: in [`CompletedLogin::callback_user`], and in the
    /// identity's claims as `user`, whose name (`firstName` and `lastName`) and email fill
    /// what the ID token left empty.
    pub(crate) fn with_callback_user(
        mut self,
        user: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        if let Some(identity) = self.identity.as_mut() {
            crate::protocol::callback_user::merge_callback_user(identity, &user);
        }
        self.callback_user = Some(user);
        self
    }

    /// The signed-in user, from the verified ID token (and a callback's `user` object, see
    /// [`CompletedLogin::callback_user`]).
    pub fn identity(&self) -> Option<crate::protocol::identity::Identity> {
        self.identity.clone()
    }
}

/// Which token [`Provider::revoke`](crate::Provider::revoke) is given (RFC 7009 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl TokenTypeHint {
    /// The RFC 7009 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// What an RP-initiated logout URL carries; every part is optional.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct LogoutRequest {
    /// The ID token of the session, where the vendor takes one.
    pub id_token_hint: Option<SecretString>,
    /// Where the vendor sends the browser after logout.
    pub post_logout_redirect_uri: Option<String>,
    /// A value handed back with that redirect.
    pub state: Option<String>,
    /// Which account to sign out, where the vendor takes a hint (`logout_hint`).
    pub logout_hint: Option<String>,
}

impl LogoutRequest {
    /// An empty logout request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the ID token hint.
    pub fn id_token_hint(mut self, id_token: SecretString) -> Self {
        self.id_token_hint = Some(id_token);
        self
    }

    /// Sets where to go after logout.
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Sets the state.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Sets the logout hint.
    pub fn logout_hint(mut self, hint: impl Into<String>) -> Self {
        self.logout_hint = Some(hint.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_parsing_refuses_ambiguity_and_size() {
        let p =
            parse_callback("https://app/cb?code=c1&state=s1&iss=https%3A%2F%2Fid", &[]).unwrap();
        assert_eq!(p.code.unwrap().expose_secret(), "c1");
        assert_eq!(p.iss.as_deref(), Some("https://id"));
        let p = parse_callback("?code=c1&state=s1", &[]).unwrap();
        assert_eq!(p.state.unwrap().expose_secret(), "s1");
        let p = parse_callback("code=c1&state=s1#frag", &[]).unwrap();
        assert!(p.code.is_some());
        assert_eq!(
            parse_callback("code=a&code=b&state=s", &[]).unwrap_err(),
            CallbackError::DuplicateParameter("code".into())
        );
        let huge = format!("code=c&state={}", "s".repeat(MAX_CALLBACK_QUERY));
        assert!(matches!(
            parse_callback(&huge, &[]).unwrap_err(),
            CallbackError::TooLarge(_)
        ));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn completed_logins_are_remembered_once() {
        let logins = CompletedLogins::default();
        let s = SecretString::from("state-1");
        assert!(logins.insert(&s));
        assert!(!logins.insert(&s));
        assert!(logins.insert(&SecretString::from("state-2")));
    }

    #[test]
    fn pending_login_round_trips_and_hides_secrets() {
        let pending = PendingLogin {
            provider: "corp".into(),
            state: SecretString::from("st-secret"),
            nonce: Some(SecretString::from("nonce-secret")),
            code_verifier: SecretString::from("verifier-secret"),
            redirect_uri: "http://127.0.0.1/cb".into(),
            dpop_key: Some(DpopKey::generate().unwrap()),
        };
        let shown = format!("{pending:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let stored = serde_json::to_string(&pending).unwrap();
        let back: PendingLogin = serde_json::from_str(&stored).unwrap();
        assert_eq!(back.state.expose_secret(), "st-secret");
        assert_eq!(back.nonce.unwrap().expose_secret(), "nonce-secret");
        assert_eq!(back.code_verifier.expose_secret(), "verifier-secret");
        assert_eq!(back.redirect_uri, "http://127.0.0.1/cb");
        assert_eq!(
            back.dpop_key.unwrap().thumbprint(),
            pending.dpop_key.as_ref().unwrap().thumbprint()
        );
        assert!(!shown.contains("pkcs8"), "{shown}");
    }
}
