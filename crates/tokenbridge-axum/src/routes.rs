//! `/login`, `/callback` and `/logout`.

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokenbridge_core::CompletedLogin;
use tokenbridge_core::{random_token, LogoutRequest, TokenTypeHint};
use tokenbridge_core::{ErrorKind, Identity, PendingLogin, Provider};
use tower_sessions::Session;

use crate::error::WebError;
use crate::extract::{UserRecord, USER};
use crate::{next, page, WebAuth};

/// The session key of the login in progress.
const PENDING: &str = "tokenbridge.pending";
/// The session key of the ID token, kept for the logout hint.
const ID_TOKEN: &str = "tokenbridge.id_token";

/// A login in progress: what the callback needs, and where to go after it.
#[derive(Serialize, Deserialize)]
struct Pending {
    login: PendingLogin,
    next: String,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

impl WebAuth {
    /// The routes to merge into the application (or nest; then include the prefix in the
    /// public URL):
    ///
    /// - `GET /login?next=/path`: starts a sign-in with the default provider and redirects to
    ///   its authorization page; `GET /login/{provider}` with another one. `next` must be a
    ///   path on this site (see [`safe_next`](crate::safe_next)); anything else is a 400.
    /// - `GET /callback` and `POST /callback` (form, for `response_mode=form_post`): completes
    ///   the sign-in (`state`, `iss`, `error`, the code exchange with PKCE, the ID token
    ///   check), rotates the session id and redirects to `next`; a refused callback is a 400
    ///   page naming the problem.
    /// - `POST /logout`: clears the session, revokes the refresh token where the provider
    ///   can, and redirects to the provider's logout page (with `id_token_hint` and the
    ///   post-logout redirect URI), or to `/` for a provider without one.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/login", get(login_default))
            .route("/login/{provider}", get(login_named))
            .route("/callback", get(callback_query).post(callback_form))
            .route("/logout", post(logout))
    }
}

async fn login_default(
    Extension(auth): Extension<WebAuth>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    login(&auth, &session, None, query).await
}

async fn login_named(
    Extension(auth): Extension<WebAuth>,
    session: Session,
    Path(provider): Path<String>,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    login(&auth, &session, Some(&provider), query).await
}

async fn login(
    auth: &WebAuth,
    session: &Session,
    name: Option<&str>,
    query: LoginQuery,
) -> Result<Response, WebError> {
    let provider = auth
        .provider(name)
        .ok_or_else(|| WebError::not_found("no such provider is configured"))?;
    let next = match query.next.as_deref() {
        None => "/".to_owned(),
        Some(raw) => next::safe_next(raw)
            .ok_or_else(|| {
                WebError::bad_request(
                    "refused `next`: after sign-in the browser only goes to a path on this site",
                )
            })?
            .to_owned(),
    };
    let request = provider
        .authorization_request()
        .redirect_uri(auth.callback_url())
        .build()
        .await?;
    // One login at a time per browser: a newer one replaces an unfinished one.
    session
        .insert(
            PENDING,
            Pending {
                login: request.pending,
                next,
            },
        )
        .await?;
    Ok(Redirect::to(request.url.as_str()).into_response())
}

async fn callback_query(
    Extension(auth): Extension<WebAuth>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    complete(&auth, &session, &query.unwrap_or_default()).await
}

async fn callback_form(
    Extension(auth): Extension<WebAuth>,
    session: Session,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = std::str::from_utf8(&body)
        .map_err(|_| WebError::bad_request("the callback form is not UTF-8"))?;
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    let resubmitted = fields.iter().any(|(name, _)| name == page::RESUBMITTED);
    if !resubmitted && session.get::<serde_json::Value>(PENDING).await?.is_none() {
        // Posted from the provider's site: the SameSite=Lax cookie stayed behind. Post again
        // from this site (see page::resubmit).
        return Ok(Html(page::resubmit(auth.callback_url(), &fields)).into_response());
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter().filter(|(name, _)| name != page::RESUBMITTED))
        .finish();
    complete(&auth, &session, &query).await
}

async fn complete(auth: &WebAuth, session: &Session, query: &str) -> Result<Response, WebError> {
    // Taken out of the session: a login is completed (or refused) once.
    let Some(pending) = session.remove::<Pending>(PENDING).await? else {
        return Err(WebError::bad_request(no_login_in_progress(query)));
    };
    let provider = auth
        .provider(Some(pending.login.provider_id()))
        .ok_or_else(|| {
            WebError::bad_request("the sign-in in progress names an unknown provider")
        })?;
    let login = provider.complete_login(query, pending.login).await?;
    let identity = identity(provider, &login).await?;
    let id_token = login
        .tokens
        .id_token()
        .map(|t| t.expose_secret().to_owned());
    // Session fixation: whatever id the browser had before, the signed-in session has a new
    // one, and a previous user's tokens in this browser are dropped.
    if let Some(previous) = session.remove::<UserRecord>(USER).await? {
        auth.vault().remove(&previous.tokens).await;
    }
    session.cycle_id().await?;
    let key = random_token(32)?;
    auth.vault().insert(provider, &key, login.tokens).await?;
    session
        .insert(USER, UserRecord::new(provider.id(), &identity, key))
        .await?;
    match id_token {
        Some(token) => session.insert(ID_TOKEN, token).await?,
        None => {
            session.remove::<String>(ID_TOKEN).await?;
        }
    }
    tracing::info!(target: "tokenbridge_axum", provider = provider.id(), "a user signed in");
    Ok(Redirect::to(&pending.next).into_response())
}

/// The message for a callback without a login in progress; it names the provider's `error`
/// when there is one (escaped on the page, cut to a reasonable length).
fn no_login_in_progress(query: &str) -> String {
    let error = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "error")
        .map(|(_, value)| value.chars().take(100).collect::<String>());
    match error {
        Some(error) => format!(
            "the provider answered `error={error}`, and no sign-in is in progress in this \
             browser; start again from /login"
        ),
        None => "no sign-in is in progress in this browser; start again from /login".to_owned(),
    }
}

/// Who signed in: the verified ID token's claims, completed from userinfo where the provider
/// has it (many providers put only `sub` in the ID token, OpenID Connect Core 5.4); a provider
/// without ID tokens (plain OAuth 2.0) is asked through userinfo alone.
async fn identity(provider: &Provider, login: &CompletedLogin) -> Result<Identity, WebError> {
    let (Some(mut identity), Some(id_token)) = (login.identity(), login.id_token.as_ref()) else {
        return Ok(provider.userinfo(login.tokens.access_token()).await?);
    };
    // The same user, or the answer is not used (OpenID Connect Core 5.3.4).
    match provider
        .userinfo_for(login.tokens.access_token(), id_token)
        .await
    {
        Ok(more) => {
            identity.name = identity.name.or(more.name);
            identity.preferred_username = identity.preferred_username.or(more.preferred_username);
            identity.email = identity.email.or(more.email);
            identity.email_verified = identity.email_verified.or(more.email_verified);
            identity.phone_number = identity.phone_number.or(more.phone_number);
            identity.picture = identity.picture.or(more.picture);
            for (name, value) in more.claims {
                identity.claims.entry(name).or_insert(value);
            }
        }
        Err(e) if e.kind() == ErrorKind::Unsupported => {}
        Err(e) => {
            tracing::warn!(target: "tokenbridge_axum", provider = provider.id(), error = %e, "userinfo failed at sign-in; the ID token's claims alone are used");
        }
    }
    Ok(identity)
}

async fn logout(
    Extension(auth): Extension<WebAuth>,
    session: Session,
) -> Result<Response, WebError> {
    let user = session.remove::<UserRecord>(USER).await?;
    let id_token = session
        .remove::<String>(ID_TOKEN)
        .await?
        .map(SecretString::from);
    // The server-side session goes first: whatever fails below, this browser is signed out.
    session.flush().await?;
    let Some(user) = user else {
        return Ok(Redirect::to("/").into_response());
    };
    let Some(provider) = auth.provider(Some(&user.provider)) else {
        auth.vault().remove(&user.tokens).await;
        return Ok(Redirect::to("/").into_response());
    };
    revoke(&auth, provider, &user.tokens).await;
    auth.vault().remove(&user.tokens).await;
    let mut request =
        LogoutRequest::new().post_logout_redirect_uri(auth.post_logout_redirect_uri());
    if let Some(token) = id_token {
        request = request.id_token_hint(token);
    }
    match provider.logout_url(request).await {
        // The only URL the app sends the browser to with a token in it: the ID token as the
        // hint the provider asked for (OpenID Connect RP-Initiated Logout 1.0, section 2).
        Ok(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Err(e) => {
            if e.kind() != ErrorKind::Unsupported {
                tracing::warn!(target: "tokenbridge_axum", provider = provider.id(), error = %e, "no logout URL; signed out of this application only");
            }
            Ok(Redirect::to("/").into_response())
        }
    }
}

/// Revokes the user's refresh token (or, without one, the access token) where the provider
/// offers revocation. A failure is logged: the session is gone either way.
async fn revoke(auth: &WebAuth, provider: &Provider, key: &str) {
    match provider.capabilities().await {
        Ok(capabilities) if capabilities.revocation => {}
        _ => return,
    }
    let tokens = match auth.vault().stored(provider, key).await {
        Ok(Some(tokens)) => tokens,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(target: "tokenbridge_axum", provider = provider.id(), error = %e, "could not read the tokens to revoke");
            return;
        }
    };
    let (token, hint) = match tokens.refresh_token() {
        Some(rt) => (rt, TokenTypeHint::RefreshToken),
        None => (tokens.access_token(), TokenTypeHint::AccessToken),
    };
    if let Err(e) = provider.revoke(token, Some(hint)).await {
        tracing::warn!(target: "tokenbridge_axum", provider = provider.id(), error = %e, kind = ?e.kind(), "the provider did not revoke the token");
    }
}
