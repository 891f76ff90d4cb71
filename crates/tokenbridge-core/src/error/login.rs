//! How a GenAuth QR login ended without tokens.

use std::fmt;

/// Why an interactive login ended without tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginEnd {
    /// The user cancelled on their device.
    Cancelled,
    /// The provider says the login (e.g. a QR code) expired.
    Expired,
    /// The caller's deadline passed first.
    TimedOut,
    /// The caller stopped waiting.
    Aborted,
    /// The provider reported a failure or a state tokenbridge does not know.
    Failed,
}

/// An interactive login that ended without tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginError {
    /// Why it ended.
    pub reason: LoginEnd,
    /// Details for a person.
    pub detail: String,
}

impl LoginError {
    /// A login error.
    pub fn new(reason: LoginEnd, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.reason {
            LoginEnd::Cancelled => "the user cancelled the login",
            LoginEnd::Expired => "the login expired before it was confirmed: start a new one",
            LoginEnd::TimedOut => "the login was not confirmed before the deadline",
            LoginEnd::Aborted => "the login was abandoned by the application",
            LoginEnd::Failed => "the login failed",
        };
        write!(f, "{what}")?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}
