//! A tower-sessions store in Redis, for applications with several replicas.

use std::fmt;

use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use redis::RedisError;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

/// Keeps each session as one Redis key, `<prefix>:<session id>`, holding the record as JSON
/// and expiring with it (`EXAT`), so Redis itself forgets abandoned sessions.
///
/// The records hold a pending login's `state`, `nonce` and PKCE verifier and the ID token of
/// the signed-in user: protect this Redis like the token store (authentication, TLS, no
/// access from the browser's side of the network).
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: MultiplexedConnection,
    prefix: String,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisSessionStore {
    /// A store on an open connection, under keys starting with `prefix:`.
    pub fn new(conn: MultiplexedConnection, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
        }
    }

    fn key(&self, id: &Id) -> String {
        format!("{}:{id}", self.prefix)
    }

    /// Writes `record`; with `only_new`, only when its id is not taken (`NX`). False when it
    /// was not written for that reason.
    async fn write(&self, record: &Record, only_new: bool) -> Result<bool> {
        let key = self.key(&record.id);
        let expires_at = record.expiry_date.unix_timestamp();
        let mut conn = self.conn.clone();
        if expires_at <= OffsetDateTime::now_utc().unix_timestamp() {
            // Already expired: nothing to keep.
            let _: () = redis::cmd("DEL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .map_err(backend)?;
            return Ok(true);
        }
        let json = serde_json::to_string(record)
            .map_err(|e| Error::Encode(format!("the session record cannot be encoded: {e}")))?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(&key).arg(json).arg("EXAT").arg(expires_at);
        if only_new {
            cmd.arg("NX");
        }
        let written: Option<String> = cmd.query_async(&mut conn).await.map_err(backend)?;
        Ok(written.is_some())
    }
}

/// The error of a Redis call, without what Redis echoed (which could include a value).
fn backend(e: RedisError) -> Error {
    Error::Backend(format!(
        "Redis session store: {:?} error{}",
        e.kind(),
        e.code().map(|c| format!(" ({c})")).unwrap_or_default()
    ))
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A new id never replaces an existing session: on the (astronomically unlikely)
        // collision, draw another.
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.write(record, false).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let json: Option<String> = redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(backend)?;
        json.map(|json| {
            serde_json::from_str::<Record>(&json).map_err(|e| {
                Error::Decode(format!(
                    "the session record is not readable (line {}, column {}); it is ignored",
                    e.line(),
                    e.column()
                ))
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let mut conn = self.conn.clone();
        let _: () = redis::cmd("DEL")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
