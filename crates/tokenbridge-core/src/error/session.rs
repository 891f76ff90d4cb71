//! What a [`TokenSession`](super::TokenSession) and its stores report.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Why a [`TokenSession`](crate::TokenSession) could not hand out a token.
///
/// It is `Clone` because one failed refresh is reported to every caller that waited on it.
/// It never holds a token: the provider errors it wraps are already redacted.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The session has ended for good: the user (or the service) must sign in again and
    /// start a new session. Every later call gets this error too.
    #[error("the session with provider {provider:?} has ended: {reason}; sign in again")]
    Ended {
        /// The provider id.
        provider: String,
        /// Why it ended.
        reason: EndReason,
    },

    /// Getting new tokens failed, in a way that leaves the session usable: the request was
    /// not sent, or the provider answered with a refusal other than `invalid_grant`. Every
    /// caller that waited on the attempt gets this error; the next attempt is allowed after
    /// `retry_in`.
    #[error(
        "getting new tokens from provider {provider:?} failed: {source}; the session tries \
         again in {} ms at the earliest",
        retry_in.as_millis()
    )]
    RefreshFailed {
        /// The provider id.
        provider: String,
        /// What the exchanger reported.
        source: Arc<Error>,
        /// How long the session waits before the next attempt.
        retry_in: Duration,
    },

    /// An earlier attempt failed and the session waits before the next one, so that many
    /// callers do not stampede a provider that is failing.
    #[error(
        "the session with provider {provider:?} is waiting {} ms before trying again; the last \
         attempt failed: {last}",
        retry_in.as_millis()
    )]
    BackingOff {
        /// The provider id.
        provider: String,
        /// How long until the next attempt is allowed.
        retry_in: Duration,
        /// The failure that started the wait.
        last: Arc<Error>,
    },

    /// The store failed to load, save or lock. Tokens the session received but could not save
    /// are kept in memory and saved before they are handed out, on a later call; they are
    /// never dropped silently.
    #[error("{0}")]
    Store(StoreError),

    /// There are no tokens to start from: the session was given none and its store is empty.
    #[error(
        "the session with provider {provider:?} has no tokens (its store is empty): sign in first"
    )]
    NoTokens {
        /// The provider id.
        provider: String,
    },

    /// The tokens (given, or found in the store) were issued by another provider than the
    /// session's; nothing is sent, so that their refresh token never reaches the wrong
    /// provider.
    #[error(
        "the session is for provider {provider:?} but its tokens were issued by provider \
         {found:?}: use the session of that provider, or sign in again"
    )]
    ProviderMismatch {
        /// The session's provider id.
        provider: String,
        /// The provider id the tokens carry.
        found: String,
    },

    /// The task getting new tokens stopped before it finished, because its runtime is
    /// shutting down.
    #[error(
        "getting new tokens from provider {provider:?} was cut off: the runtime is shutting down"
    )]
    Interrupted {
        /// The provider id.
        provider: String,
    },
}

impl SessionError {
    /// What the caller should do, as [`Error::kind`] says for any error: an ended session, or
    /// one without tokens, is [`ErrorKind::InvalidGrant`] (sign in again); a failed or waiting
    /// renewal has the kind of the provider's failure; a failing store is
    /// [`ErrorKind::Internal`]; tokens of another provider are [`ErrorKind::Configuration`];
    /// an interrupted renewal is [`ErrorKind::Cancelled`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::Ended { .. } | SessionError::NoTokens { .. } => ErrorKind::InvalidGrant,
            SessionError::RefreshFailed { source, .. } => source.kind(),
            SessionError::BackingOff { last, .. } => last.kind(),
            SessionError::Store(_) => ErrorKind::Internal,
            SessionError::ProviderMismatch { .. } => ErrorKind::Configuration,
            SessionError::Interrupted { .. } => ErrorKind::Cancelled,
        }
    }
}

/// Why a session ended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EndReason {
    /// The provider refused the refresh token (`invalid_grant`): it was revoked, expired, or
    /// already used.
    Refused(Arc<Error>),
    /// A refresh request failed after it may have reached the provider (a timeout, a broken
    /// connection, an answer that could not be read). A rotating provider may already have
    /// spent the refresh token, so the session never sends it a second time.
    OutcomeUnknown(Arc<Error>),
    /// The access token needs renewing and the provider issued no refresh token.
    NoRefreshToken,
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndReason::Refused(e) => write!(f, "the provider refused the refresh token ({e})"),
            EndReason::OutcomeUnknown(e) => write!(
                f,
                "the refresh request may have reached the provider but its outcome is unknown \
                 ({e}); the refresh token is not sent a second time because a rotating provider \
                 may already have spent it"
            ),
            EndReason::NoRefreshToken => {
                write!(f, "the access token expired and there is no refresh token")
            }
        }
    }
}

/// A session store that failed; names the store (file path, Redis key) and what failed.
///
/// Store implementations build one with [`StoreError::new`]; its message never holds a token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreError {
    /// Where the session is stored: a file path, a Redis key, ...
    pub location: String,
    /// What failed: `load`, `save`, `lock`, ...
    pub operation: &'static str,
    /// What went wrong and what to check.
    pub message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A store failure at `location` during `operation`.
    pub fn new(
        location: impl Into<String>,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            location: location.into(),
            operation,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps the underlying error. Its text must not contain a token: a parser's error may
    /// quote the input, so keep only the position of a parse error, not the error itself.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "session store {}: {} failed: {}",
            self.location, self.operation, self.message
        )
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        Error::Session(Box::new(e))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        SessionError::Store(e).into()
    }
}

impl Error {
    /// The session's own error, when this is one.
    pub fn session_error(&self) -> Option<&SessionError> {
        match self {
            Error::Session(s) => Some(s),
            _ => None,
        }
    }

    /// Whether a session has ended and the user (or service) must sign in again.
    pub fn is_session_ended(&self) -> bool {
        matches!(self.session_error(), Some(SessionError::Ended { .. }))
    }
}
