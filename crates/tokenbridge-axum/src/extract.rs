//! The extractors: who is signed in, and their tokens.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokenbridge_core::TokenSession;
use tokenbridge_core::{Identity, Provider};
use tower_sessions::Session;

use crate::error::AuthRejection;
use crate::WebAuth;

/// The session key of the signed-in user.
pub(crate) const USER: &str = "tokenbridge.user";

/// What the server-side session keeps about the signed-in user. The tokens are not here but
/// in the vault, under `tokens`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub(crate) provider: String,
    pub(crate) subject: String,
    pub(crate) name: Option<String>,
    pub(crate) preferred_username: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) email_verified: Option<bool>,
    pub(crate) claims: Map<String, Value>,
    /// The random key of the user's tokens in the vault.
    pub(crate) tokens: String,
}

impl UserRecord {
    pub(crate) fn new(provider: &str, identity: &Identity, tokens: String) -> Self {
        Self {
            provider: provider.to_owned(),
            subject: identity.subject.clone(),
            name: identity.name.clone(),
            preferred_username: identity.preferred_username.clone(),
            email: identity.email.clone(),
            email_verified: identity.email_verified,
            claims: identity.claims.clone(),
            tokens,
        }
    }

    /// `None` for a record without a subject, which sign-in never writes.
    fn identity(&self) -> Option<Identity> {
        let mut minimal = Map::new();
        minimal.insert("sub".into(), Value::String(self.subject.clone()));
        // The stored fields win over the claims (a vendor's aliases were applied at sign-in).
        let mut identity = Identity::from_claims(self.claims.clone())
            .or_else(|_| Identity::from_claims(minimal))
            .ok()?;
        identity.subject = self.subject.clone();
        identity.name = self.name.clone();
        identity.preferred_username = self.preferred_username.clone();
        identity.email = self.email.clone();
        identity.email_verified = self.email_verified;
        identity.claims = self.claims.clone();
        Some(identity)
    }
}

/// The signed-in user. Rejects with `401 {"error": "not signed in"}` when nobody is; take
/// `Option<SignedIn>` for a page that has a signed-out variant.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedIn {
    /// The id of the provider the user signed in with.
    pub provider: String,
    /// Who the provider says the user is: from the verified ID token (or, for a provider
    /// without ID tokens, from userinfo at sign-in).
    pub identity: Identity,
}

/// The signed-in user's [`TokenSession`]: hands out a fresh access token, renewing it first
/// when it is due, once for all the concurrent requests of this user.
#[derive(Debug, Clone)]
pub struct UserTokens(pub TokenSession);

/// A fresh access token of the signed-in user (see [`UserTokens`]). It is a
/// [`SecretString`]: `Debug` does not show it.
#[derive(Debug, Clone)]
pub struct AccessToken(pub SecretString);

/// The layer's state and the session, or why they are missing.
fn parts_of(parts: &Parts) -> Result<(WebAuth, Session), AuthRejection> {
    let auth = parts.extensions.get::<WebAuth>().cloned().ok_or_else(|| {
        AuthRejection::Internal(
            "the tokenbridge layer is missing: add `.layer(auth.layer())` to the router".into(),
        )
    })?;
    let session = parts.extensions.get::<Session>().cloned().ok_or_else(|| {
        AuthRejection::Internal(
            "the session layer is missing: add `.layer(auth.layer())` to the router".into(),
        )
    })?;
    Ok((auth, session))
}

async fn user_of(session: &Session) -> Result<Option<UserRecord>, AuthRejection> {
    session
        .get::<UserRecord>(USER)
        .await
        .map_err(|e| AuthRejection::Internal(format!("the session store failed: {e}")))
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await?
            .ok_or(AuthRejection::NotSignedIn)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SignedIn {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let (_, session) = parts_of(parts)?;
        Ok(user_of(&session).await?.and_then(|user| {
            Some(SignedIn {
                identity: user.identity()?,
                provider: user.provider,
            })
        }))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for UserTokens {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (auth, session) = parts_of(parts)?;
        let user = user_of(&session).await?.ok_or(AuthRejection::NotSignedIn)?;
        let provider = provider_of(&auth, &user)?;
        match auth.vault().get(provider, &user.tokens).await {
            Ok(Some(tokens)) => Ok(UserTokens(tokens)),
            Ok(None) => Err(end(&auth, &session, &user).await),
            Err(e) => Err(AuthRejection::Internal(format!(
                "the token store failed: {e}"
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AccessToken {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let UserTokens(tokens) = UserTokens::from_request_parts(parts, state).await?;
        match tokens.access_token().await {
            Ok(token) => Ok(AccessToken(token)),
            Err(e) if e.is_session_ended() || e.is_invalid_grant() => {
                let (auth, session) = parts_of(parts)?;
                match user_of(&session).await? {
                    Some(user) => Err(end(&auth, &session, &user).await),
                    None => Err(AuthRejection::SignInExpired),
                }
            }
            Err(e) => Err(AuthRejection::Provider(e)),
        }
    }
}

fn provider_of<'a>(auth: &'a WebAuth, user: &UserRecord) -> Result<&'a Provider, AuthRejection> {
    auth.provider(Some(&user.provider)).ok_or_else(|| {
        AuthRejection::Internal(format!(
            "the session names provider {:?}, which is no longer configured",
            user.provider
        ))
    })
}

/// Signs the user out here (not at the provider) because the sign-in cannot be renewed.
async fn end(auth: &WebAuth, session: &Session, user: &UserRecord) -> AuthRejection {
    auth.vault().remove(&user.tokens).await;
    if let Err(e) = session.flush().await {
        return AuthRejection::Internal(format!("the session store failed: {e}"));
    }
    AuthRejection::SignInExpired
}
