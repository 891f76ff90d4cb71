//! Sessions: tokens that stay fresh.
//!
//! A [`TokenSession`] holds the tokens of one user, or of one service, for one provider and
//! hands out a valid access token, renewing it before it expires. Any number of tasks share
//! one session (it is a cheap `Clone`); concurrent callers during a renewal cause one request
//! to the provider. Every new [`TokenSet`] goes through a [`TokenStore`] before it is handed
//! out: [`MemoryStore`], [`FileStore`], or, with the `redis` feature, `RedisStore`, which
//! coordinates renewal across processes.
//!
//! See `docs/sessions.md` for the model in full.

mod builder;
mod file;
mod held;
#[cfg(feature = "redis")]
mod redis;
mod store;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, Shared};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use url::Url;

pub use self::builder::TokenSessionBuilder;
pub use self::file::FileStore;
use self::held::Held;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisStore;
pub use self::store::{MemoryStore, NoLock, StoreLock, TokenStore};

use crate::error::EndReason;
use crate::error::SessionError;
use crate::error::StoreError;
use crate::error::{Error, Result};
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::exchanger::TokenExchanger;
use crate::transport::request_auth::RequestAuthorization;

/// The default [`TokenSessionBuilder::refresh_margin`]: 60 s.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The longest back-off [`TokenSessionBuilder::backoff`] accepts: a day.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// Makes the grant a client-credentials session exchanges for each new token.
pub type GrantFactory = Arc<dyn Fn() -> Grant + Send + Sync>;

/// The tokens of one user or one service at one provider, kept fresh.
///
/// - [`TokenSession::access_token`] returns the held access token while it has more than the
///   refresh margin (default 60 s) left, and renews it first otherwise. A token whose lifetime
///   the provider did not announce is used until a caller reports it refused
///   ([`TokenSession::access_token_after_rejection`]).
/// - **Single flight**: however many callers ask during a renewal, one request goes to the
///   provider and every caller gets its result or its error. The renewal runs as its own
///   task, so a caller that drops its future does not cancel it for the others.
/// - Renewal uses the refresh token (keeping it when the answer carries none, taking the new
///   one when it rotates), or, for a client-credentials session, a fresh grant.
/// - Every new [`TokenSet`] is saved in the [`TokenStore`] before it is handed out; a store
///   that fails is an error, and the unsaved tokens stay in memory until a save succeeds.
/// - `invalid_grant` on refresh ends the session ([`SessionError::Ended`] on every later
///   call). So does a refresh whose outcome is unknown (a timeout after sending): the refresh
///   token may be spent and is never sent twice. Other failures are retried after a back-off
///   (1 s doubling to 30 s by default, with jitter) shared by all callers.
///
/// Time: the expiry is converted once, when tokens enter the session (received or loaded),
/// from the wall clock (`expires_at` - now) into a deadline on tokio's monotonic clock, which
/// alone decides afterwards. A wall-clock jump does not matter, and tests can drive it with
/// tokio's paused clock. Persisted `received_at` and `expires_at` stay wall-clock.
///
/// ```
/// use std::sync::Arc;
/// use tokenbridge_core::{MemoryStore, TokenSession};
/// use tokenbridge_core::{ExposeSecret, TokenExchanger, TokenSet};
///
/// async fn call_api(exchanger: Arc<dyn TokenExchanger>, signed_in: TokenSet) -> tokenbridge_core::Result<()> {
///     let session = TokenSession::builder(exchanger)
///         .tokens(signed_in)
///         .store(Arc::new(MemoryStore::new()))
///         .build();
///     let header = session.authorization_header().await?;
///     // send `Authorization: {header.expose_secret()}` ...
///     # let _ = header.expose_secret();
///     Ok(())
/// }
/// ```
#[derive(Clone)]
pub struct TokenSession {
    inner: Arc<Inner>,
}

type Flight = Shared<BoxFuture<'static, Result<Arc<TokenSet>, SessionError>>>;

struct Inner {
    provider: String,
    exchanger: Arc<dyn TokenExchanger>,
    store: Arc<dyn TokenStore>,
    grant_factory: Option<GrantFactory>,
    margin: Duration,
    backoff_initial: Duration,
    backoff_max: Duration,
    stale_while_failing: bool,
    state: Mutex<State>,
}

struct State {
    /// The tokens handed out, with their deadline on the monotonic clock.
    current: Option<Held>,
    /// Whether `current` still has to be saved before it is handed out.
    unsaved: bool,
    ended: Option<EndReason>,
    /// The renewal in progress, shared by every caller waiting on it.
    flight: Option<Flight>,
    /// No renewal before this instant: the back-off after a failure.
    not_before: Option<Instant>,
    last_error: Option<Arc<Error>>,
    failures: u32,
}

impl TokenSession {
    /// Configures a session with `exchanger`, the provider the tokens come from.
    pub fn builder(exchanger: Arc<dyn TokenExchanger>) -> TokenSessionBuilder {
        TokenSessionBuilder {
            exchanger,
            tokens: None,
            store: None,
            grant_factory: None,
            margin: DEFAULT_REFRESH_MARGIN,
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            stale_while_failing: true,
        }
    }

    /// A session from `tokens` with the default settings, kept in memory.
    pub fn new(exchanger: Arc<dyn TokenExchanger>, tokens: TokenSet) -> Self {
        Self::builder(exchanger).tokens(tokens).build()
    }

    /// The id of the provider the tokens come from.
    pub fn provider_id(&self) -> &str {
        &self.inner.provider
    }

    /// A valid access token, renewed first when it is due.
    pub async fn access_token(&self) -> Result<SecretString> {
        Ok(self.token_set().await?.access_token().clone())
    }

    /// The value of an `Authorization` header: the token type (`Bearer`, `DPoP`, ...) and a
    /// valid access token. A `DPoP` token also needs a proof header, which is not made here:
    /// use [`TokenSession::authorization_for`].
    pub async fn authorization_header(&self) -> Result<SecretString> {
        let tokens = self.token_set().await?;
        Ok(SecretString::from(format!(
            "{} {}",
            tokens.token_type(),
            tokens.access_token().expose_secret()
        )))
    }

    /// The headers that authorize a `method` request to `url`, with a valid access token
    /// (renewed first when due): `Authorization: Bearer <token>`, or for DPoP-bound tokens
    /// `Authorization: DPoP <token>` and a `DPoP` proof for this method and URL, with `ath`
    /// (RFC 9449 section 7.1). Make one per request: a proof is not reused. Use
    /// [`RequestAuthorization::headers`] to set them.
    ///
    /// ```
    /// # async fn f(session: tokenbridge_core::TokenSession) -> tokenbridge_core::Result<()> {
    /// let url = tokenbridge_core::Url::parse("https://api.example.com/orders").unwrap();
    /// let auth = session.authorization_for("GET", &url).await?;
    /// let headers = auth.headers()?; // Authorization, and DPoP for a bound token
    /// # let _ = headers; Ok(()) }
    /// ```
    pub async fn authorization_for(&self, method: &str, url: &Url) -> Result<RequestAuthorization> {
        let tokens = self.token_set().await?;
        RequestAuthorization::for_tokens(&tokens, method, url, None)
    }

    /// The whole token set whose access token is valid, renewed first when it is due.
    pub async fn token_set(&self) -> Result<Arc<TokenSet>> {
        let flight = {
            let mut state = self.inner.state();
            let now = Instant::now();
            if let Some(reason) = &state.ended {
                return Err(self.inner.ended(reason.clone()).into());
            }
            if let Some(held) = &state.current {
                if !state.unsaved && held.fresh(now, self.inner.margin) {
                    return Ok(Arc::clone(&held.tokens));
                }
            }
            match &state.flight {
                Some(flight) => flight.clone(),
                None => {
                    if let Some(not_before) = state.not_before.filter(|nb| now < *nb) {
                        // While backing off, a token that still works is better than an error.
                        if let Some(held) = state
                            .current
                            .as_ref()
                            .filter(|h| self.inner.stale_while_failing && h.valid(now))
                        {
                            if !state.unsaved {
                                return Ok(Arc::clone(&held.tokens));
                            }
                        }
                        if let Some(last) = &state.last_error {
                            return Err(SessionError::BackingOff {
                                provider: self.inner.provider.clone(),
                                retry_in: not_before - now,
                                last: Arc::clone(last),
                            }
                            .into());
                        }
                    }
                    let flight = Inner::start_flight(&self.inner);
                    state.flight = Some(flight.clone());
                    flight
                }
            }
        };
        flight.await.map_err(Error::from)
    }

    /// Reports that the provider refused `rejected` (for example a 401 from an API). When it
    /// is the access token the session holds, the next call renews it, once, however many
    /// callers report it; a token renewed since then is not affected.
    pub fn invalidate(&self, rejected: &SecretString) {
        let mut state = self.inner.state();
        if let Some(held) = &mut state.current {
            if held.tokens.has_access_token(rejected) {
                held.rejected = true;
            }
        }
    }

    /// [`TokenSession::invalidate`], then a valid access token.
    pub async fn access_token_after_rejection(
        &self,
        rejected: &SecretString,
    ) -> Result<SecretString> {
        self.invalidate(rejected);
        self.access_token().await
    }

    /// Whether the session has ended: every call fails with [`SessionError::Ended`] and the
    /// user or service must sign in again.
    pub fn is_ended(&self) -> bool {
        self.inner.state().ended.is_some()
    }
}

impl fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state();
        f.debug_struct("TokenSession")
            .field("provider", &self.inner.provider)
            .field("store", &self.inner.store)
            .field("client_credentials", &self.inner.grant_factory.is_some())
            .field("margin", &self.inner.margin)
            .field("tokens", &state.current.as_ref().map(|h| &h.tokens))
            .field("ended", &state.ended.is_some())
            .field("renewing", &state.flight.is_some())
            .finish()
    }
}

/// Clears the flight when the renewal task ends, however it ends (finished, panicked or
/// dropped with its runtime), so the session never waits on a renewal that is gone.
struct ClearFlight(Arc<Inner>);

impl Drop for ClearFlight {
    fn drop(&mut self) {
        self.0.state().flight = None;
    }
}

/// How far a failed request went, which decides whether it may be sent again.
enum Delivery {
    /// It never left: nothing was spent.
    NotSent,
    /// The provider answered with a refusal: it issued nothing, so nothing was spent.
    Answered,
    /// It may have reached the provider, which may have acted on it.
    Unknown,
}

fn delivery(error: &Error) -> Delivery {
    if !error.may_have_been_sent() {
        return Delivery::NotSent;
    }
    match error {
        Error::OAuth(_) | Error::Vendor(_) | Error::Redirected { .. } => Delivery::Answered,
        Error::UnreadableResponse(u) if u.status.is_some_and(|s| s >= 400) => Delivery::Answered,
        // Timeouts, broken connections, unreadable or oversized success answers: tokens may
        // have been issued and the refresh token spent.
        _ => Delivery::Unknown,
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent state: every update is one
        // assignment.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ended(&self, reason: EndReason) -> SessionError {
        SessionError::Ended {
            provider: self.provider.clone(),
            reason,
        }
    }

    fn start_flight(this: &Arc<Self>) -> Flight {
        let inner = Arc::clone(this);
        let provider = this.provider.clone();
        // A task of its own, so that no caller dropping its future cancels the renewal.
        let task = tokio::spawn(async move {
            let _clear = ClearFlight(Arc::clone(&inner));
            inner.renew().await
        });
        async move {
            match task.await {
                Ok(result) => result,
                Err(_) => Err(SessionError::Interrupted { provider }),
            }
        }
        .boxed()
        .shared()
    }

    fn store_error(error: Error) -> SessionError {
        match error {
            Error::Session(s) => *s,
            other => SessionError::Store(StoreError::new(
                "the session store",
                "store",
                other.to_string(),
            )),
        }
    }

    /// Saves `held` and makes it current; on failure it stays current but unsaved, so a
    /// later call saves it before handing it out.
    async fn save_current(&self, held: &Held) -> Result<(), SessionError> {
        {
            let mut state = self.state();
            state.current = Some(held.clone());
            state.unsaved = true;
        }
        self.store
            .save(&held.tokens)
            .await
            .map_err(Self::store_error)?;
        let mut state = self.state();
        if state
            .current
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(&c.tokens, &held.tokens))
        {
            state.unsaved = false;
        }
        Ok(())
    }

    /// Loads the stored tokens, refusing those of another provider: their refresh token must
    /// never be sent to this one.
    async fn load(&self) -> Result<Option<TokenSet>, SessionError> {
        let stored = self.store.load().await.map_err(Self::store_error)?;
        if let Some(tokens) = &stored {
            self.check_provider(tokens)?;
        }
        Ok(stored)
    }

    fn check_provider(&self, tokens: &TokenSet) -> Result<(), SessionError> {
        if tokens.provider_id() == self.provider {
            Ok(())
        } else {
            Err(SessionError::ProviderMismatch {
                provider: self.provider.clone(),
                found: tokens.provider_id().to_owned(),
            })
        }
    }

    /// Adopts tokens found in the store (saved there already).
    fn adopt(&self, held: &Held) {
        let mut state = self.state();
        state.current = Some(held.clone());
        state.unsaved = false;
        state.failures = 0;
        state.not_before = None;
    }

    /// The renewal: runs in its own task, one at a time.
    async fn renew(&self) -> Result<Arc<TokenSet>, SessionError> {
        let (held, unsaved) = {
            let state = self.state();
            (state.current.clone(), state.unsaved)
        };
        let now = Instant::now();
        match held {
            // Tokens received earlier whose save failed: save them first and send nothing,
            // their refresh token may be the only one that still works.
            Some(held) if unsaved => {
                self.check_provider(&held.tokens)?;
                self.save_current(&held).await?;
                if held.fresh(now, self.margin) {
                    return Ok(held.tokens);
                }
                self.renew_locked(Some(held)).await
            }
            // A new session: tokens in the store may be fresh, and reading needs no lock.
            None => {
                let stored = self.load().await?;
                if let Some(stored) = stored {
                    let stored = Held::new(Arc::new(stored));
                    self.adopt(&stored);
                    if stored.fresh(Instant::now(), self.margin) {
                        return Ok(stored.tokens);
                    }
                    return self.renew_locked(Some(stored)).await;
                }
                self.renew_locked(None).await
            }
            Some(held) => self.renew_locked(Some(held)).await,
        }
    }

    /// Lock the store, reload, renew only when still due, save, unlock.
    async fn renew_locked(&self, held: Option<Held>) -> Result<Arc<TokenSet>, SessionError> {
        let lock = self.store.lock().await.map_err(Self::store_error)?;
        let result = self.reload_and_renew(held).await;
        // A lock that fails to release expires by itself (Redis) or goes with the closed
        // file; the tokens are saved either way, so the renewal's own result is what counts.
        let _ = lock.release().await;
        result
    }

    async fn reload_and_renew(&self, held: Option<Held>) -> Result<Arc<TokenSet>, SessionError> {
        let mut base = held;
        // Another process (or session on the same store) may have renewed while we waited.
        if let Some(stored) = self.load().await? {
            let newer = base
                .as_ref()
                .is_none_or(|b| !b.tokens.same_access_token(&stored));
            if newer {
                let stored = Held::new(Arc::new(stored));
                self.adopt(&stored);
                if stored.fresh(Instant::now(), self.margin) {
                    return Ok(stored.tokens);
                }
                // Due as well, but its refresh token is the latest one.
                base = Some(stored);
            }
        }

        let grant = match &self.grant_factory {
            // The session's DPoP key, if its tokens have one, signs every renewal's proofs:
            // one key per session, not one per token.
            Some(factory) => match base.as_ref().and_then(|b| b.tokens.dpop_key()) {
                Some(key) => {
                    let grant = factory();
                    if grant.dpop_key().is_some() {
                        grant
                    } else {
                        grant.with_dpop_key(key.clone())
                    }
                }
                None => factory(),
            },
            None => {
                let Some(base) = &base else {
                    return Err(SessionError::NoTokens {
                        provider: self.provider.clone(),
                    });
                };
                match base.tokens.refresh_token() {
                    // A DPoP-bound refresh token is refreshed with proofs from its own key.
                    Some(rt) => match base.tokens.dpop_key() {
                        Some(key) => {
                            Grant::refresh_token(rt.expose_secret()).with_dpop_key(key.clone())
                        }
                        None => Grant::refresh_token(rt.expose_secret()),
                    },
                    None => return Err(self.end(EndReason::NoRefreshToken)),
                }
            }
        };

        match self.exchanger.exchange(grant).await {
            Ok(new) => {
                let new = match (&base, &self.grant_factory) {
                    (Some(base), None) => new.keep_refresh_token_from(&base.tokens),
                    _ => new,
                };
                let held = Held::new(Arc::new(new));
                {
                    let mut state = self.state();
                    state.failures = 0;
                    state.not_before = None;
                    state.last_error = None;
                }
                self.save_current(&held).await?;
                Ok(held.tokens)
            }
            Err(error) => {
                let failure = self.failed(error);
                if let (SessionError::Ended { .. }, Some(base)) = (&failure, &base) {
                    self.forget_refresh_token(base).await;
                }
                // While backing off, a token that still works is better than an error; the
                // failure stays the answer once it no longer works.
                match (&failure, base) {
                    (SessionError::RefreshFailed { .. }, Some(base))
                        if self.stale_while_failing && base.valid(Instant::now()) =>
                    {
                        Ok(base.tokens)
                    }
                    _ => Err(failure),
                }
            }
        }
    }

    fn end(&self, reason: EndReason) -> SessionError {
        self.state().ended = Some(reason.clone());
        self.ended(reason)
    }

    /// After the session ended on a refresh (refused, or its outcome unknown): stores the
    /// tokens without their refresh token, so that no other session or process on the same
    /// store sends it again; they find the session ended too. A failed save changes nothing
    /// for this session, which has ended whatever the store says.
    async fn forget_refresh_token(&self, base: &Held) {
        if base.tokens.refresh_token().is_none() {
            return;
        }
        let spent = TokenSet::clone(&base.tokens).with_refresh_token(None);
        if let Err(e) = self.store.save(&spent).await {
            tracing::warn!(
                provider = %self.provider,
                error = %e,
                "could not remove the spent refresh token from the session store"
            );
        }
    }

    /// Records a failed renewal: ends the session, or backs off.
    fn failed(&self, error: Error) -> SessionError {
        let refreshing = self.grant_factory.is_none();
        let error = Arc::new(error);
        if refreshing {
            if error.is_invalid_grant() {
                return self.end(EndReason::Refused(error));
            }
            if matches!(delivery(&error), Delivery::Unknown) {
                return self.end(EndReason::OutcomeUnknown(error));
            }
        }
        let mut state = self.state();
        state.failures = state.failures.saturating_add(1);
        let doubling = 2u32.saturating_pow(state.failures - 1);
        let full = self
            .backoff_initial
            .saturating_mul(doubling)
            .min(self.backoff_max);
        let retry_in =
            Duration::try_from_secs_f64(full.as_secs_f64() * (0.5 + 0.5 * unit_random()))
                .unwrap_or(full);
        state.not_before = Some(Instant::now() + retry_in);
        state.last_error = Some(Arc::clone(&error));
        SessionError::RefreshFailed {
            provider: self.provider.clone(),
            source: error,
            retry_in,
        }
    }
}

/// A number in [0, 1) for jitter; 1 when the OS generator fails, which keeps the full wait.
fn unit_random() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{OAuthError, TransportError, TransportKind};

    fn transport(kind: TransportKind) -> Error {
        TransportError {
            kind,
            endpoint: "http://127.0.0.1:9/token".into(),
            message: "fake".into(),
            source: None,
        }
        .into()
    }

    #[test]
    fn only_what_cannot_have_been_spent_is_sent_again() {
        let not_sent = [
            transport(TransportKind::Connect),
            transport(TransportKind::ConnectTimeout),
            Error::config_general("bad"),
        ];
        for e in &not_sent {
            assert!(matches!(delivery(e), Delivery::NotSent), "{e}");
        }
        let answered = [
            Error::from(OAuthError::new(Some(503), "server_error")),
            Error::from(OAuthError::new(Some(401), "invalid_client")),
        ];
        for e in &answered {
            assert!(matches!(delivery(e), Delivery::Answered), "{e}");
        }
        let unknown = [
            transport(TransportKind::Timeout),
            transport(TransportKind::Other),
            Error::ResponseTooLarge {
                endpoint: "http://127.0.0.1:9/token".into(),
                limit: 1,
            },
        ];
        for e in &unknown {
            assert!(matches!(delivery(e), Delivery::Unknown), "{e}");
        }
    }
}
