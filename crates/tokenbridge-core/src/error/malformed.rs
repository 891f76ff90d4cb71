//! The error of the lenient readers of single values (an expiry, a scope, a claim set, a key
//! set): what was wrong with the value, for the caller to put in its own error.

use std::fmt;

/// A value in a provider's answer that could not be read, e.g. an `expires_in` of `"soon"`.
///
/// It says what is wrong with the value, never where it came from: the caller knows which
/// answer and which field it read, and wraps this in its [`Error`](crate::Error) (usually an
/// [`UnreadableResponse`](crate::UnreadableResponse)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedValue {
    reason: String,
}

impl MalformedValue {
    /// A value refused for `reason`, e.g. `"-1" is negative`.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// What is wrong with the value.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for MalformedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for MalformedValue {}
