//! Where the signed-in users' tokens live: one [`TokenSession`] per user and process, over a
//! token store (memory, or Redis shared by the replicas).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokenbridge_core::{MemoryStore, StoreLock, TokenSession, TokenStore};
use tokenbridge_core::{Provider, Result, TokenSet};
use tokio::time::Instant;

/// The users' tokens, by a random key kept in their server-side session.
pub(crate) struct Vault {
    backend: Backend,
    margin: Duration,
    idle: Duration,
    /// The sessions of this process: one per user, so that the requests of one user share
    /// one renewal.
    live: Mutex<HashMap<String, Live>>,
}

enum Backend {
    Memory,
    #[cfg(feature = "redis")]
    Redis {
        conn: ::redis::aio::MultiplexedConnection,
        prefix: String,
    },
}

struct Live {
    session: TokenSession,
    store: Arc<Renewals>,
    last_used: Instant,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.backend {
            Backend::Memory => "memory",
            #[cfg(feature = "redis")]
            Backend::Redis { .. } => "redis",
        };
        f.debug_struct("Vault")
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
}

impl Vault {
    pub(crate) fn memory() -> Self {
        Self::with(Backend::Memory)
    }

    #[cfg(feature = "redis")]
    pub(crate) fn redis(conn: ::redis::aio::MultiplexedConnection, prefix: String) -> Self {
        Self::with(Backend::Redis { conn, prefix })
    }

    fn with(backend: Backend) -> Self {
        Self {
            backend,
            margin: tokenbridge_core::DEFAULT_REFRESH_MARGIN,
            idle: crate::DEFAULT_SESSION_IDLE,
            live: Mutex::default(),
        }
    }

    pub(crate) fn configure(&mut self, margin: Duration, idle: Duration) {
        self.margin = margin;
        self.idle = idle;
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store of `key`; a renewal is logged when it saves.
    fn store(&self, provider: &Provider, key: &str) -> Arc<Renewals> {
        let inner: Arc<dyn TokenStore> = match &self.backend {
            Backend::Memory => {
                let _ = key;
                Arc::new(MemoryStore::new())
            }
            #[cfg(feature = "redis")]
            Backend::Redis { conn, prefix } => Arc::new(tokenbridge_core::RedisStore::new(
                conn.clone(),
                format!("{prefix}:{key}"),
            )),
        };
        Arc::new(Renewals {
            inner,
            provider: provider.id().to_owned(),
        })
    }

    fn session(&self, provider: &Provider, store: Arc<Renewals>) -> TokenSession {
        TokenSession::builder(Arc::new(provider.clone()))
            .store(store)
            .refresh_margin(self.margin)
            .build()
    }

    /// Keeps the tokens of a user who just signed in.
    pub(crate) async fn insert(
        &self,
        provider: &Provider,
        key: &str,
        tokens: TokenSet,
    ) -> Result<()> {
        let store = self.store(provider, key);
        // Saved through the inner store: the first save is a sign-in, not a renewal.
        store.inner.save(&tokens).await?;
        self.expire(key).await;
        let session = self.session(provider, Arc::clone(&store));
        let now = Instant::now();
        let mut live = self.live();
        // Users who left without signing out: their sessions have expired by now.
        let idle = self.idle;
        live.retain(|_, l| now.saturating_duration_since(l.last_used) < idle);
        live.insert(
            key.to_owned(),
            Live {
                session,
                store,
                last_used: now,
            },
        );
        Ok(())
    }

    /// The session of `key`; `None` when its tokens are gone (a restart of a memory-only
    /// application, or expired in Redis).
    pub(crate) async fn get(&self, provider: &Provider, key: &str) -> Result<Option<TokenSession>> {
        if let Some(live) = self.live().get_mut(key) {
            live.last_used = Instant::now();
            return Ok(Some(live.session.clone()));
        }
        if matches!(self.backend, Backend::Memory) {
            return Ok(None);
        }
        // Another replica signed this user in: its tokens are in the shared store.
        let store = self.store(provider, key);
        if store.load().await?.is_none() {
            return Ok(None);
        }
        self.expire(key).await;
        let session = self.session(provider, Arc::clone(&store));
        let mut live = self.live();
        let entry = live.entry(key.to_owned()).or_insert(Live {
            session,
            store,
            last_used: Instant::now(),
        });
        Ok(Some(entry.session.clone()))
    }

    /// The tokens of `key` as stored, without renewing them (for sign-out).
    pub(crate) async fn stored(&self, provider: &Provider, key: &str) -> Result<Option<TokenSet>> {
        let store = self.live().get(key).map(|l| Arc::clone(&l.store));
        match store {
            Some(store) => store.load().await,
            None if matches!(self.backend, Backend::Memory) => Ok(None),
            None => self.store(provider, key).load().await,
        }
    }

    /// Forgets the tokens of `key`, here and in the shared store.
    pub(crate) async fn remove(&self, key: &str) {
        self.live().remove(key);
        #[cfg(feature = "redis")]
        if let Backend::Redis { conn, prefix } = &self.backend {
            let mut conn = conn.clone();
            let result: std::result::Result<(), ::redis::RedisError> = ::redis::cmd("DEL")
                .arg(format!("{prefix}:{key}"))
                .query_async(&mut conn)
                .await;
            if let Err(e) = result {
                tracing::warn!(target: "tokenbridge_axum", kind = ?e.kind(), "could not delete a signed-out user's tokens from Redis; they expire with the session");
            }
        }
        #[cfg(not(feature = "redis"))]
        let _ = key;
    }

    /// Makes the shared copy of `key` expire with an idle session.
    async fn expire(&self, key: &str) {
        #[cfg(feature = "redis")]
        if let Backend::Redis { conn, prefix } = &self.backend {
            let mut conn = conn.clone();
            let result: std::result::Result<(), ::redis::RedisError> = ::redis::cmd("EXPIRE")
                .arg(format!("{prefix}:{key}"))
                .arg(self.idle.as_secs().max(1))
                .query_async(&mut conn)
                .await;
            if let Err(e) = result {
                tracing::warn!(target: "tokenbridge_axum", kind = ?e.kind(), "could not set the expiry of a user's tokens in Redis");
            }
        }
        #[cfg(not(feature = "redis"))]
        let _ = key;
    }
}

/// A token store that logs each save: after sign-in, a save is a renewal.
struct Renewals {
    inner: Arc<dyn TokenStore>,
    provider: String,
}

impl fmt::Debug for Renewals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

#[async_trait]
impl TokenStore for Renewals {
    async fn load(&self) -> Result<Option<TokenSet>> {
        self.inner.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        self.inner.save(tokens).await?;
        // TokenSet's Display shows no secret; only the provider and the lifetime are logged.
        tracing::info!(
            target: "tokenbridge_axum",
            provider = %self.provider,
            expires_in = ?tokens.expires_in(),
            "renewed the access token of a signed-in user"
        );
        Ok(())
    }

    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        self.inner.lock().await
    }
}
