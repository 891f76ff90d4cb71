//! An adapter's own error, carried in [`Error`](crate::Error) with the kind the adapter gives
//! it, so an application matches on [`ErrorKind`] whichever adapter failed, and can still
//! reach the adapter's type (GenAuth's QR login end) by downcasting.

use std::error::Error as StdError;
use std::fmt;

use super::ErrorKind;

/// An error of an adapter's own (GenAuth's QR login, for one), with its [`ErrorKind`].
#[derive(Debug)]
pub struct AdapterError {
    kind: ErrorKind,
    may_have_been_sent: bool,
    source: Box<dyn StdError + Send + Sync>,
}

impl AdapterError {
    /// `source`, reported with `kind`. A request is taken to have been sent, which is the safe
    /// assumption for a one-time credential; see [`AdapterError::not_sent`].
    pub fn new(kind: ErrorKind, source: impl StdError + Send + Sync + 'static) -> Self {
        Self {
            kind,
            may_have_been_sent: true,
            source: Box::new(source),
        }
    }

    /// Marks the error as raised before any request was sent.
    pub fn not_sent(mut self) -> Self {
        self.may_have_been_sent = false;
        self
    }

    /// What the caller should do about it.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether a request could have reached the provider.
    pub fn may_have_been_sent(&self) -> bool {
        self.may_have_been_sent
    }

    /// The adapter's error, when it is a `T`.
    pub fn downcast_ref<T: StdError + 'static>(&self) -> Option<&T> {
        self.source.downcast_ref::<T>()
    }
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl StdError for AdapterError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}
