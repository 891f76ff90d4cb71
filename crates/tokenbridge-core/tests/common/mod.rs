//! A fake provider for session tests: counts requests, waits as told, rotates refresh tokens
//! and fails on demand.

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenbridge_core::{
    async_trait, Error, ExposeSecret, Grant, GrantKind, HttpResponse, OAuthError, TokenExchanger,
    TokenSet, TokenType, Url,
};

/// What the standard parser makes of a bare string sent with `status`.
fn unreadable(status: u16) -> Error {
    let answer = HttpResponse::new(
        Url::parse("http://127.0.0.1:9/token").unwrap(),
        status,
        Default::default(),
        "\"at-lost\"".to_owned(),
    );
    tokenbridge_core::parse_standard_response(&answer, "fake").unwrap_err()
}

/// What the fake answers to the next requests, in order, before it issues tokens again.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    InvalidGrant,
    ServerError,
    /// An answer too large to read: it may have carried tokens, so the outcome is unknown
    /// (like a timeout after sending; `TransportError` cannot be built outside core).
    OutcomeUnknown,
    /// A 200 answer that could not be read (a bare string where tokens were expected): it
    /// came from a provider that may have issued tokens, so the outcome is unknown.
    UnreadableSuccess,
    /// A 400 answer that could not be read: an answer, and a refusal, so nothing was issued.
    UnreadableRefusal,
    /// A failure before anything was sent.
    NotSent,
}

impl Failure {
    fn error(self) -> Error {
        match self {
            Failure::InvalidGrant => OAuthError::new(Some(400), "invalid_grant").into(),
            Failure::ServerError => OAuthError::new(Some(503), "server_error").into(),
            Failure::OutcomeUnknown => Error::ResponseTooLarge {
                endpoint: "http://127.0.0.1:9/token".into(),
                limit: 1,
            },
            Failure::UnreadableSuccess => unreadable(200),
            Failure::UnreadableRefusal => unreadable(400),
            Failure::NotSent => Error::config_general("fake: nothing was sent"),
        }
    }
}

#[derive(Debug)]
pub struct FakeProvider {
    calls: AtomicUsize,
    /// How long each request takes, on tokio's clock.
    pub delay: Mutex<Duration>,
    /// The `expires_in` of issued tokens.
    pub lifetime: Mutex<Option<Duration>>,
    /// Whether each answer carries a new refresh token.
    pub rotate: bool,
    failures: Mutex<VecDeque<Failure>>,
    /// The refresh tokens sent, in order.
    pub sent_refresh_tokens: Mutex<Vec<String>>,
    pub grants: Mutex<Vec<GrantKind>>,
}

impl FakeProvider {
    pub fn new(lifetime: Option<Duration>, rotate: bool) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            delay: Mutex::new(Duration::from_millis(200)),
            lifetime: Mutex::new(lifetime),
            rotate,
            failures: Mutex::default(),
            sent_refresh_tokens: Mutex::default(),
            grants: Mutex::default(),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn fail_next(&self, failure: Failure) {
        self.failures.lock().unwrap().push_back(failure);
    }

    pub fn sent(&self) -> Vec<String> {
        self.sent_refresh_tokens.lock().unwrap().clone()
    }

    /// The tokens a sign-in gave: `at-0`, `rt-0`.
    pub fn signed_in(&self) -> TokenSet {
        TokenSet::new("fake", "at-0", TokenType::Bearer)
            .with_expires_in(*self.lifetime.lock().unwrap())
            .with_refresh_token(Some("rt-0".into()))
    }
}

#[async_trait]
impl TokenExchanger for FakeProvider {
    fn provider_id(&self) -> &str {
        "fake"
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &[GrantKind::RefreshToken, GrantKind::ClientCredentials]
    }

    async fn exchange(&self, grant: Grant) -> tokenbridge_core::Result<TokenSet> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        self.grants.lock().unwrap().push(grant.kind());
        if let Some(refresh_token) = grant.refresh_token_value() {
            self.sent_refresh_tokens
                .lock()
                .unwrap()
                .push(refresh_token.expose_secret().to_owned());
        }
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        if let Some(failure) = self.failures.lock().unwrap().pop_front() {
            return Err(failure.error());
        }
        Ok(TokenSet::new("fake", format!("at-{n}"), TokenType::Bearer)
            .with_expires_in(*self.lifetime.lock().unwrap())
            .with_refresh_token(self.rotate.then(|| format!("rt-{n}"))))
    }
}

/// Runs `body` under a real-time limit, so that a lock that is never released (or a server
/// that never answers) fails the test with a message instead of hanging the whole suite. For
/// tests on real time only: on tokio's paused clock the limit would pass in no time.
pub async fn within<T>(
    limit: Duration,
    what: &str,
    body: impl std::future::Future<Output = T>,
) -> T {
    match tokio::time::timeout(limit, body).await {
        Ok(out) => out,
        Err(_) => panic!(
            "{what} did not finish within {limit:?}: a lock was probably never released, or a \
             server never answered"
        ),
    }
}
