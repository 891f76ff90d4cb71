//! A session kept in Redis and renewed once for a whole fleet of processes.

use std::fmt;
use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::{RedisError, Script};
use async_trait::async_trait;

use super::store::{parse_stored, StoreLock, TokenStore};
use crate::error::redact::scrub_quoted;
use crate::error::Result;
use crate::error::StoreError;
use crate::model::token::TokenSet;

/// Deletes the lock only when it still holds the caller's owner token, so a holder whose
/// lock expired (and was taken by another) cannot release the other's lock.
const RELEASE: &str = r#"
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
else
    return 0
end
"#;

/// Keeps a session's tokens in Redis under one key, shared by every process that uses the
/// same key, and coordinates their renewals.
///
/// - [`TokenStore::save`] writes the token set (with its secrets, see
///   [`TokenSet::serialize_secrets`]) under the key; [`TokenStore::load`] reads it.
/// - [`TokenStore::lock`] takes the lock key `<key>:lock` with `SET NX PX`: a random owner
///   token and an expiry (the lock TTL, default 30 s). Only its owner releases it (a
///   compare-and-delete script); if the holder dies, the lock expires by itself. The others
///   poll for it with a growing pause (10 ms up to 200 ms, with jitter) for at most the lock
///   wait (default 60 s), then reload: the session finds the renewed tokens and sends
///   nothing.
/// - Keep the TTL above the time a renewal can take (the exchanger's HTTP timeout): a lock
///   that expires mid-renewal lets a second process renew too.
#[derive(Clone)]
pub struct RedisStore {
    conn: MultiplexedConnection,
    key: String,
    lock_key: String,
    lock_ttl: Duration,
    lock_wait: Duration,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("key", &self.key)
            .field("lock_ttl", &self.lock_ttl)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store under `key` on an open connection.
    pub fn new(conn: MultiplexedConnection, key: impl Into<String>) -> Self {
        let key = key.into();
        Self {
            conn,
            lock_key: format!("{key}:lock"),
            key,
            lock_ttl: Duration::from_secs(30),
            lock_wait: Duration::from_secs(60),
        }
    }

    /// Connects to the Redis server at `url` (`redis://host:port/db`) and makes a store under
    /// `key`. The error never shows the URL, which may carry a password.
    pub async fn connect(url: &str, key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        let failed = |e: RedisError| {
            StoreError::new(
                format!("redis key {key:?}"),
                "connect",
                format!("cannot connect to Redis: {}", describe(&e)),
            )
        };
        let client = ::redis::Client::open(url).map_err(failed)?;
        let conn = client
            .get_multiplexed_async_connection()
            .await
            .map_err(failed)?;
        Ok(Self::new(conn, key))
    }

    /// How long the lock lives unless released (default 30 s; at least 1 ms).
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long [`TokenStore::lock`] waits for the lock before failing (default 60 s).
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The key holding the tokens.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key of the lock.
    pub fn lock_key(&self) -> &str {
        &self.lock_key
    }

    fn error(&self, key: &str, operation: &'static str, e: &RedisError) -> StoreError {
        StoreError::new(
            format!("redis key {key:?}"),
            operation,
            format!("Redis failed: {}", describe(e)),
        )
    }
}

/// A Redis error as text; quoted parts (which could echo a value) are removed.
fn describe(e: &RedisError) -> String {
    scrub_quoted(&e.to_string())
}

#[async_trait]
impl TokenStore for RedisStore {
    async fn load(&self) -> Result<Option<TokenSet>> {
        let mut conn = self.conn.clone();
        let bytes: Option<Vec<u8>> = ::redis::cmd("GET")
            .arg(&self.key)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error(&self.key, "load", &e))?;
        match bytes {
            None => Ok(None),
            Some(bytes) => Ok(Some(parse_stored(
                &bytes,
                &format!("redis key {:?}", self.key),
            )?)),
        }
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        let json = serde_json::to_vec(&tokens.serialize_secrets()).map_err(|e| {
            StoreError::new(
                format!("redis key {:?}", self.key),
                "save",
                format!(
                    "cannot serialize the tokens: {}",
                    scrub_quoted(&e.to_string())
                ),
            )
        })?;
        let mut conn = self.conn.clone();
        let () = ::redis::cmd("SET")
            .arg(&self.key)
            .arg(json)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error(&self.key, "save", &e))?;
        Ok(())
    }

    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        let mut owner = [0u8; 16];
        getrandom::fill(&mut owner).map_err(|e| {
            StoreError::new(
                format!("redis key {:?}", self.lock_key),
                "lock",
                format!("the OS random generator failed: {e}"),
            )
        })?;
        let owner: String = owner.iter().map(|b| format!("{b:02x}")).collect();
        let ttl_ms = u64::try_from(self.lock_ttl.as_millis()).unwrap_or(u64::MAX);
        let mut conn = self.conn.clone();
        // A wait too long for the clock is as good as no deadline.
        let deadline = tokio::time::Instant::now().checked_add(self.lock_wait);
        let mut pause = Duration::from_millis(10);
        loop {
            let taken: Option<String> = ::redis::cmd("SET")
                .arg(&self.lock_key)
                .arg(&owner)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms)
                .query_async(&mut conn)
                .await
                .map_err(|e| self.error(&self.lock_key, "lock", &e))?;
            if taken.is_some() {
                return Ok(Box::new(RedisLock {
                    conn,
                    lock_key: self.lock_key.clone(),
                    owner,
                }));
            }
            if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return Err(StoreError::new(
                    format!("redis key {:?}", self.lock_key),
                    "lock",
                    format!(
                        "another process has held the lock for more than {} s",
                        self.lock_wait.as_secs_f64()
                    ),
                )
                .into());
            }
            // Jitter keeps the waiters of a fleet from polling in lockstep.
            tokio::time::sleep(pause.mul_f64(0.5 + 0.5 * super::unit_random())).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }
}

/// A held Redis lock; released by its owner token only. Dropped without release, it expires
/// after the TTL, like the lock of a process that died.
struct RedisLock {
    conn: MultiplexedConnection,
    lock_key: String,
    owner: String,
}

impl fmt::Debug for RedisLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLock")
            .field("lock_key", &self.lock_key)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl StoreLock for RedisLock {
    async fn release(self: Box<Self>) -> Result<()> {
        let mut conn = self.conn.clone();
        let _deleted: i64 = Script::new(RELEASE)
            .key(&self.lock_key)
            .arg(&self.owner)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| {
                StoreError::new(
                    format!("redis key {:?}", self.lock_key),
                    "unlock",
                    format!("Redis failed: {}", describe(&e)),
                )
            })?;
        Ok(())
    }
}
