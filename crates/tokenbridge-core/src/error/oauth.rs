//! An RFC 6749 error response, as the provider sent it.

use std::fmt;

use super::{ErrorKind, OAuthErrorCode, RetryAfter};

/// An OAuth 2.0 error answer (RFC 6749 section 5.2), or an error status without a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthError {
    /// HTTP status of the answer; `None` only when built by hand.
    pub(crate) status: Option<u16>,
    /// The `error` code, e.g. `invalid_grant`. When the body was empty this is derived from the
    /// status (401 gives `invalid_client`, 400 gives `invalid_request`, ...) and
    /// [`OAuthError::from_status_only`] is true.
    pub(crate) code: OAuthErrorCode,
    /// What the caller should do: from the code and status, unless the vendor's error table
    /// says otherwise.
    pub(crate) kind: ErrorKind,
    /// `error_description`, as sent.
    pub(crate) description: Option<String>,
    /// `error_uri`, as sent.
    pub(crate) uri: Option<String>,
    /// Whether `code` was derived from the HTTP status because the body was empty.
    pub(crate) from_status_only: bool,
    /// Extra guidance an adapter adds, e.g. that PKCE was in play so the verifier may be wrong.
    pub(crate) hint: Option<String>,
    /// The `Retry-After` header, when sent.
    pub(crate) retry_after: Option<RetryAfter>,
}

impl OAuthError {
    /// A refusal with the given status and OAuth error code; its kind follows from both.
    pub fn new(status: Option<u16>, code: impl Into<OAuthErrorCode>) -> Self {
        let code = code.into();
        let mut kind = code.kind(status);
        // A provider that answers 429 or 5xx is rate limiting or failing, whatever code it
        // chose to put in the body.
        if let Some(k @ (ErrorKind::RateLimited | ErrorKind::ProviderUnavailable)) =
            status.and_then(ErrorKind::from_status)
        {
            kind = k;
        }
        Self {
            status,
            code,
            kind,
            description: None,
            uri: None,
            from_status_only: false,
            hint: None,
            retry_after: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    /// Sets the error URI.
    pub fn with_uri(mut self, uri: Option<String>) -> Self {
        self.uri = uri;
        self
    }

    /// HTTP status of the answer; `None` only when built by hand or from a sign-in callback.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The `error` code, e.g. `invalid_grant`; derived from the status when the body was
    /// empty (see [`OAuthError::is_from_status_only`]).
    pub fn code(&self) -> &OAuthErrorCode {
        &self.code
    }

    /// What the caller should do: from the code and status, unless the vendor's error table
    /// or hooks say otherwise.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `error_description`, as sent.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// `error_uri`, as sent.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// Whether the code was derived from the HTTP status because the body was empty.
    pub fn is_from_status_only(&self) -> bool {
        self.from_status_only
    }

    /// Extra guidance an adapter added, e.g. that PKCE was in play so the verifier may be wrong.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The `Retry-After` header, when sent.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.retry_after
    }

    /// Overrides the kind, for a vendor whose codes mean something else than RFC 6749's.
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Marks the code as derived from the HTTP status of an empty answer.
    pub fn with_from_status_only(mut self, from_status_only: bool) -> Self {
        self.from_status_only = from_status_only;
        self
    }

    /// Sets the `Retry-After` the answer carried.
    pub fn with_retry_after(mut self, retry_after: Option<RetryAfter>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Overrides the kind in place, for hooks that adjust an error they are handed.
    pub fn set_kind(&mut self, kind: ErrorKind) {
        self.kind = kind;
    }

    /// Sets an adapter's hint in place, for hooks that adjust an error they are handed.
    pub fn set_hint(&mut self, hint: impl Into<String>) {
        self.hint = Some(hint.into());
    }

    /// Sets an adapter's hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What a person should check for this error.
    pub fn advice(&self) -> &'static str {
        match &self.code {
            OAuthErrorCode::UnauthorizedClient => {
                return "the client is not allowed this grant type: check the application's settings at the provider"
            }
            OAuthErrorCode::UnsupportedGrantType => {
                return "the provider does not accept this grant_type for this client"
            }
            _ => {}
        }
        match self.kind {
            ErrorKind::InvalidGrant => {
                "the code, ticket or refresh token is invalid, expired, already used or revoked, \
                 or the redirect_uri differs from the authorize request: start a new login"
            }
            ErrorKind::InvalidClient => {
                "check client_id, client_secret and the configured auth_method \
                 (none, client_secret_post or client_secret_basic)"
            }
            ErrorKind::Unsupported => "the provider does not accept this request for this client",
            ErrorKind::InvalidScope => "one of the requested scopes is unknown or not allowed for this client",
            ErrorKind::InvalidRequest => "a required parameter is missing or malformed: check the configuration and the grant's fields",
            ErrorKind::AccessDenied => "the user or the provider denied the request",
            ErrorKind::InvalidToken => "the access token was refused: refresh it or sign in again",
            ErrorKind::RateLimited => "the provider asks to slow down: wait before trying again",
            ErrorKind::ProviderUnavailable => "the provider has a problem: try again later",
            _ => "see the provider's documentation for this error code",
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the provider refused the request")?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, ": {}", self.code)?;
        if self.from_status_only {
            write!(f, " (derived from the status: the answer had no body)")?;
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        if let Some(u) = &self.uri {
            write!(f, " (see {u})")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        if let Some(r) = &self.retry_after {
            write!(f, "; {r}")?;
        }
        write!(f, "; {}", self.advice())
    }
}
