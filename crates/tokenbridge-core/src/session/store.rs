//! Where a session keeps its tokens: the [`TokenStore`] trait and the in-memory store.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use crate::error::redact::scrub_quoted;
use crate::error::Result;
use crate::error::StoreError;
use crate::model::token::TokenSet;

/// Where a [`TokenSession`](super::TokenSession) keeps its tokens.
///
/// The session calls [`TokenStore::save`] with every new [`TokenSet`] before it hands the
/// access token out, so a rotated refresh token is durable before anyone can use the access
/// token that came with it. A store that fails returns an error; it never drops tokens
/// silently.
///
/// A store shared by several processes also implements [`TokenStore::lock`], so that they
/// renew once: the session takes the lock, reloads, renews only when the stored tokens are
/// still due, saves, and releases.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored tokens; `None` when nothing is stored yet.
    async fn load(&self) -> Result<Option<TokenSet>>;

    /// Stores `tokens`, replacing what was there. It returns once the tokens would survive a
    /// crash of this process.
    async fn save(&self, tokens: &TokenSet) -> Result<()>;

    /// Takes the exclusive lock that guards a renewal, waiting while another holder has it.
    ///
    /// The default is no lock at all, right for a store used by one session in one process.
    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        Ok(Box::new(NoLock))
    }
}

/// A lock taken with [`TokenStore::lock`]. Dropping it without [`StoreLock::release`] may
/// leave it held until it expires (Redis) or its file is closed.
#[async_trait]
pub trait StoreLock: Send + fmt::Debug {
    /// Releases the lock.
    async fn release(self: Box<Self>) -> Result<()>;
}

/// The lock of a store that needs none.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLock;

#[async_trait]
impl StoreLock for NoLock {
    async fn release(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

/// Keeps the tokens in memory: nothing survives the process. Sessions that share one
/// `MemoryStore` (through an `Arc`) renew once, through its lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<Option<TokenSet>>,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `tokens`.
    pub fn with_tokens(tokens: TokenSet) -> Self {
        Self {
            tokens: Mutex::new(Some(tokens)),
            lock: Arc::default(),
        }
    }

    /// What the store holds now.
    pub fn tokens(&self) -> Option<TokenSet> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn load(&self) -> Result<Option<TokenSet>> {
        Ok(self.tokens())
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        *self.tokens.lock().unwrap_or_else(PoisonError::into_inner) = Some(tokens.clone());
        Ok(())
    }

    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        let guard = Arc::clone(&self.lock).lock_owned().await;
        Ok(Box::new(MemoryLock(guard)))
    }
}

#[derive(Debug)]
struct MemoryLock(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

#[async_trait]
impl StoreLock for MemoryLock {
    async fn release(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}

#[async_trait]
impl<S: TokenStore + ?Sized> TokenStore for Arc<S> {
    async fn load(&self) -> Result<Option<TokenSet>> {
        (**self).load().await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        (**self).save(tokens).await
    }

    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        (**self).lock().await
    }
}

/// Reads a token set written with [`TokenSet::serialize_secrets`]; the error names `location`
/// and the position of the fault, never the content.
pub(crate) fn parse_stored(bytes: &[u8], location: &str) -> Result<TokenSet, StoreError> {
    serde_json::from_slice::<TokenSet>(bytes).map_err(|e| {
        StoreError::new(
            location,
            "load",
            format!(
                "it holds no stored token set: {} (line {}, column {}); sign in again to \
                 replace it",
                scrub_quoted(&e.to_string()),
                e.line(),
                e.column()
            ),
        )
    })
}
