//! How a QR login ended without tokens: GenAuth's own error, carried in core's
//! [`Error::Adapter`] with the kind each end has.

use std::fmt;

use tokenbridge_core::{AdapterError, Error, ErrorKind};

/// Why a QR login ended without tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrLoginEnd {
    /// The user cancelled on their phone ([`ErrorKind::AccessDenied`]).
    Cancelled,
    /// GenAuth says the QR code expired ([`ErrorKind::InvalidGrant`]).
    Expired,
    /// The caller's deadline passed first ([`ErrorKind::Timeout`]).
    TimedOut,
    /// The caller stopped waiting ([`ErrorKind::Cancelled`]).
    Aborted,
    /// GenAuth reported a failure or a status tokenbridge does not know
    /// ([`ErrorKind::Cancelled`]).
    Failed,
}

impl QrLoginEnd {
    /// What the caller should do about a login that ended this way.
    pub fn kind(self) -> ErrorKind {
        match self {
            QrLoginEnd::Expired => ErrorKind::InvalidGrant,
            QrLoginEnd::Cancelled => ErrorKind::AccessDenied,
            QrLoginEnd::TimedOut => ErrorKind::Timeout,
            QrLoginEnd::Aborted | QrLoginEnd::Failed => ErrorKind::Cancelled,
        }
    }
}

/// A QR login that ended without tokens. It travels as an [`Error::Adapter`]; reach it with
/// `error.adapter_error::<QrLoginError>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrLoginError {
    /// Why it ended.
    pub reason: QrLoginEnd,
    /// Details for a person.
    pub detail: String,
}

impl QrLoginError {
    /// A QR login error.
    pub fn new(reason: QrLoginEnd, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for QrLoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.reason {
            QrLoginEnd::Cancelled => "the user cancelled the login",
            QrLoginEnd::Expired => "the login expired before it was confirmed: start a new one",
            QrLoginEnd::TimedOut => "the login was not confirmed before the deadline",
            QrLoginEnd::Aborted => "the login was abandoned by the application",
            QrLoginEnd::Failed => "the login failed",
        };
        write!(f, "{what}")?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for QrLoginError {}

impl From<QrLoginError> for Error {
    fn from(e: QrLoginError) -> Self {
        AdapterError::new(e.reason.kind(), e).into()
    }
}
