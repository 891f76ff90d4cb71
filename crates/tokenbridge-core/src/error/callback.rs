//! Why a sign-in callback was refused.

use std::fmt;

/// The largest callback query [`Provider::complete_login`](crate::Provider::complete_login) reads; a real one is well under
/// 2 KiB.
pub const MAX_CALLBACK_QUERY: usize = 8 * 1024;

/// Why a callback was refused before any token request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// `state` is missing.
    MissingState,
    /// `state` differs from the one this login sent.
    StateMismatch,
    /// `iss` names another issuer than the provider's (RFC 9207).
    IssuerMismatch {
        /// The issuer the callback named.
        got: String,
        /// The provider's issuer.
        expected: String,
    },
    /// `iss` is missing although the provider says it always sends it (RFC 9207 2.4).
    MissingIssuer,
    /// No `code` and no `error`.
    MissingCode,
    /// A parameter appears more than once.
    DuplicateParameter(String),
    /// The query is larger than [`MAX_CALLBACK_QUERY`].
    TooLarge(usize),
    /// The callback URL or query could not be read.
    Malformed(String),
    /// This login was already completed: a callback is accepted once.
    Replayed,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::MissingState => write!(
                f,
                "the callback has no `state`: it did not come from this login; start a new one"
            ),
            CallbackError::StateMismatch => write!(
                f,
                "the callback's `state` differs from this login's: it belongs to another login \
                 or was forged; start a new one"
            ),
            CallbackError::IssuerMismatch { got, expected } => write!(
                f,
                "the callback's `iss` is {got:?}, not the provider's {expected:?} (RFC 9207): \
                 the response may come from another provider (mix-up attack)"
            ),
            CallbackError::MissingIssuer => write!(
                f,
                "the callback has no `iss`, although the provider's discovery document says it \
                 always sends one (RFC 9207)"
            ),
            CallbackError::MissingCode => {
                write!(f, "the callback has neither a `code` nor an `error`")
            }
            CallbackError::DuplicateParameter(name) => write!(
                f,
                "the callback repeats the parameter `{name}`; refusing an ambiguous response"
            ),
            CallbackError::TooLarge(n) => write!(
                f,
                "the callback query is {n} bytes, more than the {MAX_CALLBACK_QUERY} accepted"
            ),
            CallbackError::Malformed(why) => write!(f, "the callback cannot be read: {why}"),
            CallbackError::Replayed => write!(
                f,
                "this login was already completed; a callback is accepted once"
            ),
        }
    }
}
