//! What a caller should do about an error, the RFC 6749 error codes, and `Retry-After`.

use std::fmt;
use std::time::{Duration, SystemTime};

/// What a caller should do about an [`Error`](crate::Error): the same answer at every vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The code, ticket or refresh token was refused: spent, expired, unknown or revoked.
    /// Start a new sign-in; never resend it.
    InvalidGrant,
    /// The client's own credentials or auth method were refused: fix the configuration.
    InvalidClient,
    /// The request was malformed or missed a parameter the provider requires.
    InvalidRequest,
    /// A requested scope is unknown or not allowed for this client.
    InvalidScope,
    /// The user or the provider denied the request.
    AccessDenied,
    /// The access token was refused by a resource endpoint (userinfo), or an ID token failed
    /// verification: refresh or sign in again.
    InvalidToken,
    /// The provider (or this configuration of it) does not offer what was asked; nothing was sent.
    Unsupported,
    /// The provider asks to slow down; see [`Error::retry_after`](crate::Error::retry_after).
    RateLimited,
    /// The provider failed (HTTP 5xx, `server_error`, `temporarily_unavailable`): try later.
    ProviderUnavailable,
    /// A timeout elapsed; [`Error::may_have_been_sent`](crate::Error::may_have_been_sent) says whether a credential is spent.
    Timeout,
    /// The connection failed or broke.
    Transport,
    /// The provider answered something that is not a valid answer (HTML, wrong JSON, too large,
    /// a redirect).
    UnreadableResponse,
    /// The configuration is wrong; nothing was sent.
    Configuration,
    /// An argument of the call is wrong (a malformed PKCE verifier, a parameter tokenbridge
    /// sets itself, another provider's pending sign-in): fix the call; nothing was sent.
    InvalidInput,
    /// A sign-in callback was refused (wrong or missing `state`, wrong `iss`, replayed,
    /// ambiguous); nothing was exchanged. Start a new sign-in.
    InvalidCallback,
    /// An interactive login was stopped by the application or ended without a result.
    Cancelled,
    /// A failure inside this process that no configuration change fixes (the OS random
    /// generator failed, a value could not be put in a header).
    Internal,
}

impl ErrorKind {
    /// The kind's name in snake case, e.g. `invalid_grant`, for logs and machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::InvalidScope => "invalid_scope",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::InvalidToken => "invalid_token",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::ProviderUnavailable => "provider_unavailable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::UnreadableResponse => "unreadable_response",
            ErrorKind::Configuration => "configuration",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidCallback => "invalid_callback",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind an HTTP error status stands for when nothing more specific is known.
    pub fn from_status(status: u16) -> Option<ErrorKind> {
        Some(match status {
            400 => ErrorKind::InvalidRequest,
            401 => ErrorKind::InvalidClient,
            403 => ErrorKind::AccessDenied,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::ProviderUnavailable,
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth 2.0 / OpenID Connect error code (RFC 6749 sections 4.1.2.1 and 5.2, RFC 6750
/// section 3.1, OpenID Connect Core 3.1.2.6), with a fallback for extension codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `unsupported_response_type`
    UnsupportedResponseType,
    /// `unsupported_token_type` (RFC 7009)
    UnsupportedTokenType,
    /// `invalid_scope`
    InvalidScope,
    /// `access_denied`
    AccessDenied,
    /// `invalid_token` (RFC 6750)
    InvalidToken,
    /// `insufficient_scope` (RFC 6750)
    InsufficientScope,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// `slow_down` (RFC 8628)
    SlowDown,
    /// `login_required`, `consent_required`, `interaction_required` and the other OpenID
    /// Connect prompt errors are kept as [`OAuthErrorCode::Other`].
    Other(String),
}

impl OAuthErrorCode {
    const KNOWN: [(&'static str, OAuthErrorCode); 14] = [
        ("invalid_request", OAuthErrorCode::InvalidRequest),
        ("invalid_client", OAuthErrorCode::InvalidClient),
        ("invalid_grant", OAuthErrorCode::InvalidGrant),
        ("unauthorized_client", OAuthErrorCode::UnauthorizedClient),
        (
            "unsupported_grant_type",
            OAuthErrorCode::UnsupportedGrantType,
        ),
        (
            "unsupported_response_type",
            OAuthErrorCode::UnsupportedResponseType,
        ),
        (
            "unsupported_token_type",
            OAuthErrorCode::UnsupportedTokenType,
        ),
        ("invalid_scope", OAuthErrorCode::InvalidScope),
        ("access_denied", OAuthErrorCode::AccessDenied),
        ("invalid_token", OAuthErrorCode::InvalidToken),
        ("insufficient_scope", OAuthErrorCode::InsufficientScope),
        ("server_error", OAuthErrorCode::ServerError),
        (
            "temporarily_unavailable",
            OAuthErrorCode::TemporarilyUnavailable,
        ),
        ("slow_down", OAuthErrorCode::SlowDown),
    ];

    /// Reads a code as sent; unknown codes are kept in [`OAuthErrorCode::Other`].
    pub fn parse(code: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|(name, _)| *name == code)
            .map_or_else(
                || OAuthErrorCode::Other(code.to_owned()),
                |(_, c)| c.clone(),
            )
    }

    /// The code as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::Other(s) => s,
            known => Self::KNOWN
                .iter()
                .find(|(_, c)| c == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// What the code means for the caller. Extension codes fall back on the HTTP status.
    pub fn kind(&self, status: Option<u16>) -> ErrorKind {
        match self {
            OAuthErrorCode::InvalidGrant => ErrorKind::InvalidGrant,
            OAuthErrorCode::InvalidClient | OAuthErrorCode::UnauthorizedClient => {
                ErrorKind::InvalidClient
            }
            OAuthErrorCode::InvalidRequest => ErrorKind::InvalidRequest,
            OAuthErrorCode::UnsupportedGrantType
            | OAuthErrorCode::UnsupportedResponseType
            | OAuthErrorCode::UnsupportedTokenType => ErrorKind::Unsupported,
            OAuthErrorCode::InvalidScope | OAuthErrorCode::InsufficientScope => {
                ErrorKind::InvalidScope
            }
            OAuthErrorCode::AccessDenied => ErrorKind::AccessDenied,
            OAuthErrorCode::InvalidToken => ErrorKind::InvalidToken,
            OAuthErrorCode::ServerError | OAuthErrorCode::TemporarilyUnavailable => {
                ErrorKind::ProviderUnavailable
            }
            OAuthErrorCode::SlowDown => ErrorKind::RateLimited,
            OAuthErrorCode::Other(_) => status
                .and_then(ErrorKind::from_status)
                .unwrap_or(ErrorKind::InvalidRequest),
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(code: &str) -> Self {
        OAuthErrorCode::parse(code)
    }
}

impl From<String> for OAuthErrorCode {
    fn from(code: String) -> Self {
        OAuthErrorCode::parse(&code)
    }
}

impl PartialEq<str> for OAuthErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for OAuthErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// When a provider asks to be called again: a `Retry-After` header (RFC 9110 section 10.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAfter {
    /// A number of seconds from the answer.
    Delay(Duration),
    /// An HTTP date.
    At(SystemTime),
}

impl RetryAfter {
    /// Reads a `Retry-After` value: delay-seconds or an HTTP date; anything else is ignored.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(RetryAfter::Delay(Duration::from_secs(secs)));
        }
        httpdate::parse_http_date(value).ok().map(RetryAfter::At)
    }

    /// How long to wait from `now`.
    pub fn delay_from(&self, now: SystemTime) -> Duration {
        match self {
            RetryAfter::Delay(d) => *d,
            RetryAfter::At(t) => t.duration_since(now).unwrap_or_default(),
        }
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryAfter::Delay(d) => write!(f, "retry after {} s", d.as_secs()),
            RetryAfter::At(t) => write!(f, "retry after {}", httpdate::fmt_http_date(*t)),
        }
    }
}
