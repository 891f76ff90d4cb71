//! How a device sign-in (RFC 8628) ended without tokens.

use std::fmt;

/// Why a device sign-in ended without tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceEnd {
    /// The device code expired (`expired_token`, or its `expires_in` passed) before the user
    /// approved: start a new one.
    Expired,
    /// The caller stopped waiting (`DevicePoller::cancel_on`).
    Aborted,
    /// The poller had already ended; nothing was sent.
    Ended,
}

/// A device sign-in that ended without tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceError {
    /// Why it ended.
    pub end: DeviceEnd,
    /// Details for a person.
    pub detail: String,
}

impl DeviceError {
    /// A device sign-in error.
    pub fn new(end: DeviceEnd, detail: impl Into<String>) -> Self {
        Self {
            end,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.end {
            DeviceEnd::Expired => {
                "the device sign-in expired before it was approved: start a new one"
            }
            DeviceEnd::Aborted => "the device sign-in was abandoned by the application",
            DeviceEnd::Ended => "the device sign-in had already ended",
        };
        write!(f, "{what}")?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for DeviceError {}
