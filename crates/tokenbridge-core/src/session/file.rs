//! A session stored in a file, shared safely by several processes.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;

use super::store::{parse_stored, StoreLock, TokenStore};
use crate::error::redact::scrub_quoted;
use crate::error::Result;
use crate::error::StoreError;
use crate::model::token::TokenSet;

/// Keeps a session's tokens in a JSON file (written with [`TokenSet::serialize_secrets`]).
///
/// - Writes are atomic: a temporary file in the same directory, created with mode 0600 on
///   Unix, is written, flushed to disk and renamed over the file, and the directory is
///   flushed too. A reader sees the old tokens or the new ones, never half a file.
/// - Several processes can share the file: [`TokenStore::lock`] takes an exclusive lock on a
///   sibling file `<name>.lock` (which holds no token), so that they renew once and the others
///   read the renewed tokens. The operating system releases the lock when its holder exits,
///   however it exits.
/// - A missing file loads as "nothing stored"; an unreadable or corrupted one is a
///   [`StoreError`] naming the file, never a panic.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    lock_path: PathBuf,
    lock_timeout: Duration,
}

impl FileStore {
    /// A store in the file at `path`, locked through `<path>.lock`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut lock_name = path.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        Self {
            path,
            lock_path,
            lock_timeout: Duration::from_secs(60),
        }
    }

    /// How long [`TokenStore::lock`] waits for another process to finish its renewal before
    /// giving up with an error (default 60 s). Keep it above the HTTP timeout of the exchanger.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The session file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file beside it.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }

    fn error(&self, operation: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::new(self.path.display().to_string(), operation, message)
    }
}

#[async_trait]
impl TokenStore for FileStore {
    async fn load(&self) -> Result<Option<TokenSet>> {
        let path = self.path.clone();
        let read = tokio::task::spawn_blocking(move || fs::read(path))
            .await
            .map_err(|_| self.error("load", "the reading task was cut off"))?;
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(self
                    .error("load", format!("cannot read the file: {e}"))
                    .with_source(e)
                    .into())
            }
        };
        parse_stored(&bytes, &self.path.display().to_string())
            .map(Some)
            .map_err(Into::into)
    }

    async fn save(&self, tokens: &TokenSet) -> Result<()> {
        let json = serde_json::to_vec_pretty(&tokens.serialize_secrets()).map_err(|e| {
            self.error(
                "save",
                format!(
                    "cannot serialize the tokens: {}",
                    scrub_quoted(&e.to_string())
                ),
            )
        })?;
        let path = self.path.clone();
        let written = tokio::task::spawn_blocking(move || write_atomically(&path, &json))
            .await
            .map_err(|_| self.error("save", "the writing task was cut off"))?;
        written.map_err(|e| {
            self.error("save", format!("cannot write the file: {e}"))
                .with_source(e)
                .into()
        })
    }

    async fn lock(&self) -> Result<Box<dyn StoreLock>> {
        let lock_error = |message: String| {
            StoreError::new(self.lock_path.display().to_string(), "lock", message)
        };
        let file = open_private(
            OpenOptions::new().read(true).write(true).create(true),
            &self.lock_path,
        )
        .map_err(|e| lock_error(format!("cannot open the lock file: {e}")).with_source(e))?;
        // Polling with `try_lock` instead of a blocking `lock` keeps the wait cancellable and
        // on the runtime's clock, so it needs no blocking thread.
        // A wait too long for the clock is as good as no deadline.
        let deadline = tokio::time::Instant::now().checked_add(self.lock_timeout);
        let mut pause = Duration::from_millis(5);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(Box::new(FileLock {
                        file,
                        path: self.lock_path.clone(),
                    }))
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(lock_error(format!("cannot lock the lock file: {e}"))
                        .with_source(e)
                        .into())
                }
            }
            if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
                return Err(lock_error(format!(
                    "another process has held the lock for more than {} s",
                    self.lock_timeout.as_secs_f64()
                ))
                .into());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// The exclusive lock on a session's lock file; closing the file releases it too.
#[derive(Debug)]
struct FileLock {
    file: File,
    path: PathBuf,
}

#[async_trait]
impl StoreLock for FileLock {
    async fn release(self: Box<Self>) -> Result<()> {
        self.file.unlock().map_err(|e| {
            StoreError::new(
                self.path.display().to_string(),
                "unlock",
                format!("cannot unlock the lock file: {e}"),
            )
            .with_source(e)
            .into()
        })
    }
}

/// Opens `path` with `options`, readable by its owner only on Unix when it is created.
fn open_private(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Replaces `path` with `bytes` so that a crash at any point leaves the old content or the
/// new one: temporary file in the same directory (a rename across file systems is not
/// atomic), data flushed, rename, directory flushed so the rename itself is durable.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| io::Error::other(e.to_string()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".{}.{:016x}.tmp",
        std::process::id(),
        u64::from_le_bytes(suffix)
    ));
    let tmp = dir.join(tmp_name);

    let result = (|| {
        let mut file = open_private(OpenOptions::new().write(true).create_new(true), &tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        // Leave nothing holding a token beside the session file.
        let _ = fs::remove_file(&tmp);
    }
    result
}
