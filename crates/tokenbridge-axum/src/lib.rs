//! Web sign-in for axum applications, with any provider tokenbridge can configure.
//!
//! [`WebAuth`] gives an application three things:
//!
//! - a router to merge ([`WebAuth::routes`]): `GET /login` (optional `?next=` relative path),
//!   `GET /login/{provider}`, `GET` and form `POST /callback`, and `POST /logout`;
//! - a layer ([`WebAuth::layer`]): the server-side session (tower-sessions) whose cookie holds
//!   only a random id;
//! - extractors: [`SignedIn`] (the normalized [`Identity`](tokenbridge_core::Identity) of the
//!   user), [`UserTokens`] (the user's
//!   [`TokenSession`](tokenbridge_core::TokenSession)) and [`AccessToken`] (a fresh
//!   access token, renewed once however many requests need it at the same moment).
//!
//! ```no_run
//! use axum::{routing::get, Json, Router};
//! use tokenbridge_axum::{SignedIn, WebAuth};
//!
//! async fn me(user: SignedIn) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "subject": user.identity.subject }))
//! }
//!
//! # async fn run(provider: tokenbridge_core::Provider) -> tokenbridge_core::Result<()> {
//! let auth = WebAuth::builder("https://app.example.com").provider(provider).build()?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .merge(auth.routes())
//!     .layer(auth.layer());
//! # let _ = app; Ok(()) }
//! ```
//!
//! Security defaults, and why, are in `docs/web.md`: the pending login and the tokens stay on
//! the server; the cookie is `HttpOnly`, `SameSite=Lax`, and `Secure` when the public URL is
//! https; the session id changes at sign-in; `next` is only ever a path on this site; sign-out
//! clears the server session, revokes the refresh token where the provider can, and ends the
//! session at the provider.

mod error;
mod extract;
mod next;
mod page;
#[cfg(feature = "redis")]
mod redis_store;
mod routes;
mod store;
mod vault;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use tokenbridge_core::DEFAULT_REFRESH_MARGIN;
use tokenbridge_core::{Error, Provider, Result};
use tower_layer::Stack;
use tower_sessions::cookie::time;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer, SessionStore};
use url::Url;

pub use self::error::AuthRejection;
pub use self::extract::{AccessToken, SignedIn, UserTokens};
pub use self::next::safe_next;
pub use self::page::escape_html;
#[cfg(feature = "redis")]
pub use self::redis_store::RedisSessionStore;
pub use self::store::SharedStore;

use self::vault::Vault;

/// The name of the session cookie.
pub const COOKIE_NAME: &str = "tokenbridge_session";

/// The default [`WebAuthBuilder::session_idle`]: 8 hours.
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

/// The layer [`WebAuth::layer`] returns: the session layer, and the [`WebAuth`] the routes and
/// extractors read.
pub type AuthLayer = Stack<Extension<WebAuth>, SessionManagerLayer<SharedStore>>;

/// Web sign-in for one application, with one or several providers. Cheap to clone.
#[derive(Clone)]
pub struct WebAuth {
    inner: Arc<Inner>,
}

struct Inner {
    /// The first one is the default, reached through `/login`.
    providers: Vec<Provider>,
    callback_url: String,
    post_logout_redirect_uri: String,
    secure: bool,
    idle: Duration,
    store: SharedStore,
    vault: Vault,
}

impl fmt::Debug for WebAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.inner.providers.iter().map(Provider::id).collect();
        f.debug_struct("WebAuth")
            .field("providers", &ids)
            .field("callback_url", &self.inner.callback_url)
            .field("secure", &self.inner.secure)
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

/// Configures a [`WebAuth`]; from [`WebAuth::builder`].
pub struct WebAuthBuilder {
    public_url: String,
    providers: Vec<Provider>,
    post_logout_redirect_uri: Option<String>,
    margin: Duration,
    idle: Duration,
    store: Option<SharedStore>,
    vault: Option<Vault>,
}

impl fmt::Debug for WebAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebAuthBuilder")
            .field("public_url", &self.public_url)
            .field("providers", &self.providers.len())
            .finish_non_exhaustive()
    }
}

impl WebAuth {
    /// Starts the configuration. `public_url` is where browsers reach the routes of
    /// [`WebAuth::routes`] (`https://app.example.com`, or `https://app.example.com/auth` when
    /// they are nested under `/auth`): the redirect URI is `<public_url>/callback`, which is
    /// what to register at the provider.
    pub fn builder(public_url: impl Into<String>) -> WebAuthBuilder {
        WebAuthBuilder {
            public_url: public_url.into(),
            providers: Vec::new(),
            post_logout_redirect_uri: None,
            margin: DEFAULT_REFRESH_MARGIN,
            idle: DEFAULT_SESSION_IDLE,
            store: None,
            vault: None,
        }
    }

    /// The redirect URI sent to the providers.
    pub fn callback_url(&self) -> &str {
        &self.inner.callback_url
    }

    /// The providers, the default one first.
    pub fn providers(&self) -> &[Provider] {
        &self.inner.providers
    }

    /// The session layer with this configuration; apply it to the whole application, so the
    /// extractors work in its own routes too.
    pub fn layer(&self) -> AuthLayer {
        let expiry = time::Duration::seconds(
            i64::try_from(self.inner.idle.as_secs()).unwrap_or(i64::MAX / 2),
        );
        let sessions = SessionManagerLayer::new(self.inner.store.clone())
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(self.inner.secure)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(expiry));
        Stack::new(Extension(self.clone()), sessions)
    }

    pub(crate) fn provider(&self, name: Option<&str>) -> Option<&Provider> {
        match name {
            None => self.inner.providers.first(),
            Some(name) => self.inner.providers.iter().find(|p| p.id() == name),
        }
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    pub(crate) fn post_logout_redirect_uri(&self) -> &str {
        &self.inner.post_logout_redirect_uri
    }
}

impl WebAuthBuilder {
    /// Adds a provider; the first one added is the default (`/login`), each is also reached
    /// as `/login/<its id>`.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Where the provider sends the browser after sign-out (default: `/` below the public
    /// URL's origin). It must be registered at the provider as a post-logout redirect URI.
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Renews a user's access token when it has less than `margin` left (default 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// A session unused for this long ends (default [`DEFAULT_SESSION_IDLE`]); every request
    /// that reads it extends it.
    pub fn session_idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Where sessions are kept (default: this process's memory). With several replicas, use a
    /// shared store such as `RedisSessionStore` (feature `redis`) and also keep the tokens
    /// there (`WebAuthBuilder::redis` does both).
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.store = Some(SharedStore::new(store));
        self
    }

    /// Keeps the sessions and the users' tokens in Redis, under keys starting with `prefix`,
    /// so every replica serves every user and a token is renewed once for all of them.
    #[cfg(feature = "redis")]
    pub fn redis(mut self, conn: ::redis::aio::MultiplexedConnection, prefix: &str) -> Self {
        self.store = Some(SharedStore::new(RedisSessionStore::new(
            conn.clone(),
            format!("{prefix}:session"),
        )));
        self.vault = Some(Vault::redis(conn, format!("{prefix}:tokens")));
        self
    }

    /// Checks the configuration. Nothing is sent.
    pub fn build(self) -> Result<WebAuth> {
        if self.providers.is_empty() {
            return Err(Error::config_general(
                "web sign-in needs at least one provider (WebAuthBuilder::provider)",
            ));
        }
        let public = Url::parse(&self.public_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                Error::config(
                    "public_url",
                    format!(
                        "{:?} is not an absolute http(s) URL such as https://app.example.com",
                        self.public_url
                    ),
                )
            })?;
        if public.query().is_some() || public.fragment().is_some() {
            return Err(Error::config(
                "public_url",
                "the public URL cannot have a query or a fragment",
            ));
        }
        let base = public.as_str().trim_end_matches('/');
        let origin = public.origin().ascii_serialization();
        let mut vault = self.vault.unwrap_or_else(Vault::memory);
        vault.configure(self.margin, self.idle);
        Ok(WebAuth {
            inner: Arc::new(Inner {
                providers: self.providers,
                callback_url: format!("{base}/callback"),
                post_logout_redirect_uri: self
                    .post_logout_redirect_uri
                    .unwrap_or_else(|| format!("{origin}/")),
                secure: public.scheme() == "https",
                idle: self.idle,
                store: self
                    .store
                    .unwrap_or_else(|| SharedStore::new(MemoryStore::default())),
                vault,
            }),
        })
    }
}
