//! How a session is configured: its tokens, store, renewal margin and back-off.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::exchanger::TokenExchanger;

use super::{GrantFactory, Held, Inner, MemoryStore, State, TokenSession, TokenStore, MAX_BACKOFF};

/// Configures a [`TokenSession`]; from [`TokenSession::builder`].
pub struct TokenSessionBuilder {
    pub(super) exchanger: Arc<dyn TokenExchanger>,
    pub(super) tokens: Option<TokenSet>,
    pub(super) store: Option<Arc<dyn TokenStore>>,
    pub(super) grant_factory: Option<GrantFactory>,
    pub(super) margin: Duration,
    pub(super) backoff_initial: Duration,
    pub(super) backoff_max: Duration,
    pub(super) stale_while_failing: bool,
}

impl fmt::Debug for TokenSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSessionBuilder")
            .field("provider", &self.exchanger.provider_id())
            .field("tokens", &self.tokens)
            .field("store", &self.store)
            .field("client_credentials", &self.grant_factory.is_some())
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenSessionBuilder {
    /// Starts the session from `tokens`, for example those of a sign-in. They are saved in the
    /// store before they are first handed out, and take precedence over what the store holds.
    /// Without them, the session starts from what the store holds.
    pub fn tokens(mut self, tokens: TokenSet) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Where the tokens are kept; a new [`MemoryStore`] by default.
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Makes this a client-credentials session (service to service): instead of refreshing,
    /// it exchanges a new grant from `factory` each time the token is due. The session never
    /// ends; failures are retried after the back-off.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use tokenbridge_core::{Grant, TokenExchanger, TokenSession};
    /// # fn f(exchanger: Arc<dyn TokenExchanger>) -> TokenSession {
    /// TokenSession::builder(exchanger)
    ///     .client_credentials(|| Grant::client_credentials().with_scopes(["orders.read"]))
    ///     .build()
    /// # }
    /// ```
    pub fn client_credentials(
        mut self,
        factory: impl Fn() -> Grant + Send + Sync + 'static,
    ) -> Self {
        self.grant_factory = Some(Arc::new(factory));
        self
    }

    /// Renews when the access token has less than `margin` left (default
    /// [`DEFAULT_REFRESH_MARGIN`](crate::DEFAULT_REFRESH_MARGIN)). It also covers clock skew with the provider and the time a
    /// request takes on its way.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The wait after a failed renewal: `initial` (default 1 s), doubling after each further
    /// failure up to `max` (default 30 s; at most a day). Each wait is drawn between half and all of that,
    /// so processes that failed together do not retry together.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        // Capped at a day: longer waits are a mistake, and it keeps the arithmetic in range.
        self.backoff_initial = initial.min(MAX_BACKOFF);
        self.backoff_max = max.max(initial).min(MAX_BACKOFF);
        self
    }

    /// Whether a token that still works (inside the refresh margin) is handed out while
    /// renewing it fails (default: true). False makes a failed renewal an error at once, for
    /// callers that asked for a token valid for at least the margin.
    pub fn stale_while_failing(mut self, allow: bool) -> Self {
        self.stale_while_failing = allow;
        self
    }

    /// The session. Nothing is loaded or sent until the first call.
    pub fn build(self) -> TokenSession {
        let provider = self.exchanger.provider_id().to_owned();
        let current = self.tokens.map(|t| Held::new(Arc::new(t)));
        let unsaved = current.is_some();
        TokenSession {
            inner: Arc::new(Inner {
                provider,
                exchanger: self.exchanger,
                store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                grant_factory: self.grant_factory,
                margin: self.margin,
                backoff_initial: self.backoff_initial,
                backoff_max: self.backoff_max,
                stale_while_failing: self.stale_while_failing,
                state: Mutex::new(State {
                    current,
                    unsaved,
                    ended: None,
                    flight: None,
                    not_before: None,
                    last_error: None,
                    failures: 0,
                }),
            }),
        }
    }
}
