//! The books of an emulator written from scratch (WeChat, DingTalk): the users it signs in,
//! the codes, refresh tokens and access tokens it issued, each with its client, user, scope
//! and expiry on tokio's clock (so a test with a paused clock can let them expire).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::server::lock;

/// A user an emulator signs in: a name, and the ids the vendor derives from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    /// The key the test names the user by, e.g. `alice`.
    pub(crate) name: String,
}

impl User {
    /// The per-application id: the same user has another one in each application.
    pub(crate) fn open_id(&self, client_id: &str) -> String {
        format!("o-{client_id}-{}", self.name)
    }

    /// The id shared by every application of one developer account.
    pub(crate) fn union_id(&self) -> String {
        format!("u-{}", self.name)
    }
}

/// What a code, a refresh token or an access token was issued for.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) client_id: String,
    pub(crate) user: User,
    pub(crate) scope: String,
    pub(crate) expires_at: Instant,
}

/// Everything an emulator issued, and the answers a test scripted for the next requests.
#[derive(Debug)]
pub(crate) struct Books<F> {
    prefix: String,
    counter: AtomicU64,
    pub(crate) clients: Mutex<HashMap<String, String>>,
    pub(crate) codes: Mutex<HashMap<String, Issued>>,
    pub(crate) used_codes: Mutex<HashSet<String>>,
    pub(crate) refresh_tokens: Mutex<HashMap<String, Issued>>,
    pub(crate) access_tokens: Mutex<HashMap<String, Issued>>,
    pub(crate) failures: Mutex<VecDeque<F>>,
}

impl<F> Books<F> {
    /// Empty books whose credentials start with `prefix`.
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            counter: AtomicU64::new(0),
            clients: Mutex::default(),
            codes: Mutex::default(),
            used_codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            access_tokens: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    /// A fresh credential: `<prefix>-<what>-<n>-<random-looking tail>`.
    pub(crate) fn mint(&self, what: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let tail = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        format!("{}-{what}-{n}-{tail:08x}", self.prefix)
    }

    /// Registers (or replaces) a client and its secret.
    pub(crate) fn register(&self, client_id: &str, secret: &str) {
        lock(&self.clients).insert(client_id.to_owned(), secret.to_owned());
    }

    /// The secret of `client_id`, when it is registered.
    pub(crate) fn secret_of(&self, client_id: &str) -> Option<String> {
        lock(&self.clients).get(client_id).cloned()
    }

    /// A fresh code for `user` of `client_id`.
    pub(crate) fn issue_code(
        &self,
        client_id: &str,
        user: &str,
        scope: &str,
        ttl: Duration,
    ) -> String {
        let code = self.mint("code");
        lock(&self.codes).insert(code.clone(), issued(client_id, user, scope, ttl));
        code
    }

    /// Spends `code`: what it was issued for, or whether it was used before (`Err(true)`) or
    /// never issued or expired (`Err(false)`).
    pub(crate) fn spend_code(&self, code: &str) -> Result<Issued, bool> {
        if lock(&self.used_codes).contains(code) {
            return Err(true);
        }
        let issued = lock(&self.codes).remove(code).ok_or(false)?;
        lock(&self.used_codes).insert(code.to_owned());
        if issued.expires_at <= Instant::now() {
            return Err(false);
        }
        Ok(issued)
    }

    /// A fresh access token like `like`'s, living `ttl`.
    pub(crate) fn issue_access_token(&self, like: &Issued, ttl: Duration) -> String {
        let token = self.mint("at");
        let mut issued = like.clone();
        issued.expires_at = Instant::now() + ttl;
        lock(&self.access_tokens).insert(token.clone(), issued);
        token
    }

    /// A fresh refresh token like `like`'s, living `ttl`.
    pub(crate) fn issue_refresh_token(&self, like: &Issued, ttl: Duration) -> String {
        let token = self.mint("rt");
        let mut issued = like.clone();
        issued.expires_at = Instant::now() + ttl;
        lock(&self.refresh_tokens).insert(token.clone(), issued);
        token
    }

    /// What `token` was issued for; `Err(true)` when it expired, `Err(false)` when unknown.
    pub(crate) fn access_token(&self, token: &str) -> Result<Issued, bool> {
        live(lock(&self.access_tokens).get(token))
    }

    /// What the refresh token was issued for; `Err(true)` when it expired, `Err(false)` when
    /// unknown.
    pub(crate) fn refresh_token(&self, token: &str) -> Result<Issued, bool> {
        live(lock(&self.refresh_tokens).get(token))
    }

    /// Scripts the answer of the next token or userinfo request.
    pub(crate) fn fail_next(&self, failure: F) {
        lock(&self.failures).push_back(failure);
    }

    /// The scripted answer for this request, if any.
    pub(crate) fn next_failure(&self) -> Option<F> {
        lock(&self.failures).pop_front()
    }
}

fn issued(client_id: &str, user: &str, scope: &str, ttl: Duration) -> Issued {
    Issued {
        client_id: client_id.to_owned(),
        user: User {
            name: user.to_owned(),
        },
        scope: scope.to_owned(),
        expires_at: Instant::now() + ttl,
    }
}

fn live(issued: Option<&Issued>) -> Result<Issued, bool> {
    match issued {
        None => Err(false),
        Some(i) if i.expires_at <= Instant::now() => Err(true),
        Some(i) => Ok(i.clone()),
    }
}

/// One query or JSON parameter, when present and not empty.
pub(crate) fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}
