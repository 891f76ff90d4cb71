//! The one error type every tokenbridge crate returns, and [`ErrorKind`], what the caller
//! should do about it.
//!
//! Adapters translate their vendor's failures into these variants, and their vendor's codes
//! into kinds through an [`ErrorTable`](crate::vendor::ErrorTable), so an application matches
//! on the same kinds whichever vendor is configured. Nothing here ever holds a secret: response
//! snippets are redacted before they are stored (see [`crate::redact`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::grant::GrantKind;

/// Result alias used throughout tokenbridge.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a caller should do about an [`Error`]: the same answer at every vendor.
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
    /// The provider asks to slow down; see [`Error::retry_after`].
    RateLimited,
    /// The provider failed (HTTP 5xx, `server_error`, `temporarily_unavailable`): try later.
    ProviderUnavailable,
    /// A timeout elapsed; [`Error::may_have_been_sent`] says whether a credential is spent.
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

/// Everything that can go wrong while talking to a provider. [`Error::kind`] says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an OAuth 2.0 error (RFC 6749 section 5.2), or with an error
    /// status that carries no body at all.
    #[error("{0}")]
    OAuth(Box<OAuthError>),

    /// The vendor's business envelope reported a failure (for example GenAuth's `statusCode`).
    #[error("{0}")]
    Vendor(Box<VendorError>),

    /// The request did not complete: connection refused, DNS failure, TLS failure or timeout.
    #[error("{0}")]
    Transport(Box<TransportError>),

    /// The provider answered, but the answer could not be understood.
    #[error("{0}")]
    UnreadableResponse(Box<UnreadableResponse>),

    /// The response body was larger than the configured cap.
    #[error(
        "the response from {endpoint} exceeded the {limit}-byte body limit; \
         check that the URL points at a token endpoint, or raise HttpConfig::max_body_bytes"
    )]
    ResponseTooLarge {
        /// The endpoint that was called.
        endpoint: String,
        /// The cap in bytes that was exceeded.
        limit: usize,
    },

    /// The token endpoint answered with a redirect, which tokenbridge never follows.
    #[error(
        "{endpoint} answered HTTP {status} with a redirect {target}; tokenbridge does not follow \
         redirects from a provider (the request may carry credentials): check the configured URL \
         (scheme, host, path, trailing slash)",
        target = location.as_deref().map_or_else(|| "without a Location header".to_owned(), |l| format!("to {l}"))
    )]
    Redirected {
        /// The endpoint that was called.
        endpoint: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any, with credential-looking query values redacted.
        location: Option<String>,
    },

    /// The provider does not support the grant it was asked for; nothing was sent.
    #[error(
        "provider {provider:?} does not support the {grant} grant; supported: {supported}",
        supported = display_kinds(supported)
    )]
    UnsupportedGrant {
        /// The provider id.
        provider: String,
        /// The grant that was requested.
        grant: GrantKind,
        /// What the provider does support.
        supported: Vec<GrantKind>,
    },

    /// The provider lacks a capability (for example Huawei OneAccess documents no token
    /// revocation); nothing was sent.
    #[error("provider {provider:?} does not offer {capability}: {reason}")]
    Unsupported {
        /// The provider id.
        provider: String,
        /// The capability, e.g. `token revocation`.
        capability: String,
        /// Why, and what to do instead.
        reason: String,
    },

    /// An interactive login (for example a QR-code login) ended without tokens.
    #[error("{0}")]
    Login(Box<LoginError>),

    /// A sign-in callback was refused before anything was exchanged.
    #[error("{0}")]
    Callback(Box<crate::signin::CallbackError>),

    /// The configuration is wrong; nothing was sent.
    #[error("configuration error{}: {message}", key.as_deref().map(|k| format!(" in `{k}`")).unwrap_or_default())]
    Config {
        /// The configuration key at fault, when one is.
        key: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// An argument of the call is wrong; nothing was sent.
    #[error("invalid argument `{argument}`: {message}")]
    InvalidInput {
        /// The argument (or the part of it) at fault, e.g. `code_verifier`.
        argument: String,
        /// What is wrong and how to fix the call.
        message: String,
    },

    /// A failure inside this process that no configuration change fixes.
    #[error("{message}")]
    Internal {
        /// What failed.
        message: String,
    },

    /// An ID token failed verification (OpenID Connect Core 3.1.3.7).
    #[error("{0}")]
    IdToken(Box<crate::id_token::IdTokenError>),

    /// A [`TokenSession`](crate::session::TokenSession) could not hand out a token: the session
    /// has ended, a refresh failed and it is backing off, or its store failed.
    #[error("{0}")]
    Session(Box<crate::session::SessionError>),
}

fn display_kinds(kinds: &[GrantKind]) -> String {
    if kinds.is_empty() {
        return "none".to_owned();
    }
    kinds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// A configuration error about `key`.
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            key: Some(key.into()),
            message: message.into(),
        }
    }

    /// A configuration error that concerns no single key.
    pub fn config_general(message: impl Into<String>) -> Self {
        Error::Config {
            key: None,
            message: message.into(),
        }
    }

    /// An [`Error::InvalidInput`] about `argument`.
    pub fn invalid_input(argument: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            argument: argument.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            message: message.into(),
        }
    }

    /// This error with every spelling of the credentials a request carried removed from the
    /// text it keeps of the answer (descriptions, messages, snippets, locations).
    pub fn scrubbed(self, sent: &crate::redact::SentSecrets) -> Self {
        if sent.is_empty() {
            return self;
        }
        match self {
            Error::OAuth(mut p) => {
                sent.scrub_opt(&mut p.description);
                sent.scrub_opt(&mut p.uri);
                sent.scrub_opt(&mut p.hint);
                if let OAuthErrorCode::Other(code) = &p.code {
                    p.code = OAuthErrorCode::Other(sent.scrub(code));
                }
                Error::OAuth(p)
            }
            Error::Vendor(mut v) => {
                v.message = sent.scrub(&v.message);
                sent.scrub_opt(&mut v.api_code);
                sent.scrub_opt(&mut v.request_id);
                Error::Vendor(v)
            }
            Error::UnreadableResponse(mut u) => {
                u.reason = sent.scrub(&u.reason);
                u.snippet = sent.scrub(&u.snippet);
                Error::UnreadableResponse(u)
            }
            Error::Redirected {
                endpoint,
                status,
                mut location,
            } => {
                sent.scrub_opt(&mut location);
                Error::Redirected {
                    endpoint,
                    status,
                    location,
                }
            }
            Error::Transport(mut t) => {
                t.message = sent.scrub(&t.message);
                Error::Transport(t)
            }
            other => other,
        }
    }

    /// What the caller should do about this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::OAuth(p) => p.kind,
            Error::Vendor(v) => v.kind,
            Error::Transport(t) => match t.kind {
                TransportKind::Timeout | TransportKind::ConnectTimeout => ErrorKind::Timeout,
                TransportKind::Connect | TransportKind::Other => ErrorKind::Transport,
            },
            Error::UnreadableResponse(u) => match u.status {
                Some(429) => ErrorKind::RateLimited,
                Some(s) if s >= 500 => ErrorKind::ProviderUnavailable,
                _ => ErrorKind::UnreadableResponse,
            },
            Error::ResponseTooLarge { .. } | Error::Redirected { .. } => {
                ErrorKind::UnreadableResponse
            }
            Error::UnsupportedGrant { .. } | Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::Login(l) => match l.reason {
                LoginEnd::Expired => ErrorKind::InvalidGrant,
                LoginEnd::Cancelled => ErrorKind::AccessDenied,
                LoginEnd::TimedOut => ErrorKind::Timeout,
                LoginEnd::Aborted => ErrorKind::Cancelled,
                LoginEnd::Failed => ErrorKind::Cancelled,
            },
            Error::Config { .. } => ErrorKind::Configuration,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Callback(_) => ErrorKind::InvalidCallback,
            Error::Internal { .. } => ErrorKind::Internal,
            Error::IdToken(e) => match e.as_ref() {
                // The token was not judged: the provider's keys could not be fetched.
                crate::id_token::IdTokenError::KeySource(source) => source.kind(),
                _ => ErrorKind::InvalidToken,
            },
            Error::Session(s) => s.kind(),
        }
    }

    /// Whether trying the same request again later may succeed: rate limits, provider
    /// failures, timeouts and connection failures. A caller must still not replay a one-time
    /// credential (see [`GrantKind::is_one_time`]) unless [`Error::may_have_been_sent`] is false.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited
                | ErrorKind::ProviderUnavailable
                | ErrorKind::Timeout
                | ErrorKind::Transport
        ) && !matches!(self, Error::Transport(t) if t.kind == TransportKind::Other)
    }

    /// Whether the request could have reached the provider, which decides whether a one-time
    /// credential it carried is spent. False only when it certainly was not sent (a
    /// configuration error, a connection that was never made, an unsupported call).
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Transport(t) => t.may_have_been_sent(),
            // Without a status the refusal did not come from an answer to a request: it came
            // in a sign-in callback, before anything was sent.
            Error::OAuth(p) if p.status.is_none() => false,
            Error::Config { .. }
            | Error::InvalidInput { .. }
            | Error::Callback(_)
            | Error::Unsupported { .. }
            | Error::UnsupportedGrant { .. }
            | Error::Internal { .. } => false,
            _ => true,
        }
    }

    /// Whether the credential itself was refused: `kind() == ErrorKind::InvalidGrant`.
    pub fn is_invalid_grant(&self) -> bool {
        self.kind() == ErrorKind::InvalidGrant
    }

    /// Whether the client's own credentials were refused: `kind() == ErrorKind::InvalidClient`.
    pub fn is_invalid_client(&self) -> bool {
        self.kind() == ErrorKind::InvalidClient
    }

    /// The provider's `Retry-After`, when it sent one with the refusal.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Error::OAuth(p) => p.retry_after,
            Error::Vendor(v) => v.retry_after,
            Error::UnreadableResponse(u) => u.retry_after,
            _ => None,
        }
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::OAuth(p) => p.status,
            Error::Vendor(v) => Some(v.http_status),
            Error::UnreadableResponse(u) => u.status,
            Error::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The provider's refusal, when this is one.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        match self {
            Error::OAuth(p) => Some(p),
            _ => None,
        }
    }

    /// The vendor business error, when this is one.
    pub fn vendor_error(&self) -> Option<&VendorError> {
        match self {
            Error::Vendor(v) => Some(v),
            _ => None,
        }
    }
}

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

/// A failure reported in a vendor's business envelope rather than as an OAuth 2.0 error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// The vendor, e.g. `genauth`.
    pub(crate) vendor: String,
    /// The HTTP status the envelope came with (often 200).
    pub(crate) http_status: u16,
    /// The envelope's business status on the HTTP scale, e.g. GenAuth `statusCode` 400.
    pub(crate) status_code: i64,
    /// The vendor's fine-grained code (GenAuth `apiCode`, Huawei `error_code`), as text.
    pub(crate) api_code: Option<String>,
    /// What the caller should do: from the vendor's error table, else from the statuses.
    pub(crate) kind: ErrorKind,
    /// Whether `kind` came from an undocumented (inferred) entry of the vendor's table, or
    /// from the statuses alone.
    pub(crate) kind_inferred: bool,
    /// The vendor's message.
    pub(crate) message: String,
    /// The vendor's request id (GenAuth `requestId` or `uniqueId`), to quote to support.
    pub(crate) request_id: Option<String>,
    /// The `Retry-After` header, when sent.
    pub(crate) retry_after: Option<RetryAfter>,
}

impl VendorError {
    /// A vendor error with the essentials; its kind follows from the statuses until a vendor's
    /// table sets it.
    pub fn new(
        vendor: impl Into<String>,
        http_status: u16,
        status_code: i64,
        message: impl Into<String>,
    ) -> Self {
        let http_kind = ErrorKind::from_status(http_status);
        let kind = match http_kind {
            // A gateway's 429 or 5xx wins over whatever business status the body carries.
            Some(k @ (ErrorKind::RateLimited | ErrorKind::ProviderUnavailable)) => k,
            _ => u16::try_from(status_code)
                .ok()
                .and_then(ErrorKind::from_status)
                .or(http_kind)
                .unwrap_or(ErrorKind::InvalidRequest),
        };
        Self {
            vendor: vendor.into(),
            http_status,
            status_code,
            api_code: None,
            kind,
            kind_inferred: true,
            message: message.into(),
            request_id: None,
            retry_after: None,
        }
    }

    /// The vendor, e.g. `genauth`.
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// The HTTP status the envelope came with (often 200).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The envelope's business status on the HTTP scale, e.g. GenAuth `statusCode` 400.
    pub fn status_code(&self) -> i64 {
        self.status_code
    }

    /// The vendor's fine-grained code (GenAuth `apiCode`, Huawei `error_code`), as text.
    pub fn api_code(&self) -> Option<&str> {
        self.api_code.as_deref()
    }

    /// What the caller should do: from the vendor's error table, else from the statuses.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the kind came from an undocumented (inferred) entry of the vendor's table, or
    /// from the statuses alone.
    pub fn is_kind_inferred(&self) -> bool {
        self.kind_inferred
    }

    /// The vendor's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The vendor's request id (GenAuth `requestId` or `uniqueId`), to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `Retry-After` header, when sent.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.retry_after
    }

    /// Sets the vendor's fine-grained code.
    pub fn with_api_code(mut self, api_code: Option<String>) -> Self {
        self.api_code = api_code;
        self
    }

    /// Sets the kind, saying whether the vendor documents it (`inferred == false`) or it was
    /// deduced.
    pub fn with_kind(mut self, kind: ErrorKind, inferred: bool) -> Self {
        self.kind = kind;
        self.kind_inferred = inferred;
        self
    }

    /// Sets the vendor's request id.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// Sets the `Retry-After` the answer carried.
    pub fn with_retry_after(mut self, retry_after: Option<RetryAfter>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Sets the kind in place, for hooks that adjust an error they are handed.
    pub fn set_kind(&mut self, kind: ErrorKind, inferred: bool) {
        self.kind = kind;
        self.kind_inferred = inferred;
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} reported an error (HTTP {}, status {}",
            self.vendor, self.http_status, self.status_code
        )?;
        if let Some(code) = &self.api_code {
            write!(f, ", code {code}")?;
        }
        write!(f, "): {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id}: quote it to the vendor's support)")?;
        }
        if let Some(r) = &self.retry_after {
            write!(f, "; {r}")?;
        }
        Ok(())
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be made (refused, DNS, TLS). The request was not sent.
    Connect,
    /// The connection was not made before the connect timeout. The request was not sent.
    ConnectTimeout,
    /// The total timeout elapsed after the connection was made: the request may have reached
    /// the server.
    Timeout,
    /// Anything else, e.g. the connection dropped mid-response.
    Other,
}

/// A request that did not complete.
#[derive(Debug, thiserror::Error)]
#[error("{what} {endpoint} failed: {message}; {advice}", what = self.what(), advice = self.advice())]
#[non_exhaustive]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportKind,
    /// The endpoint that was called (never contains a credential).
    pub endpoint: String,
    /// The underlying error, as text.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// Whether the request could have reached the server.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(self.kind, TransportKind::Timeout | TransportKind::Other)
    }

    fn what(&self) -> &'static str {
        match self.kind {
            TransportKind::Connect | TransportKind::ConnectTimeout => "connecting to",
            TransportKind::Timeout | TransportKind::Other => "the request to",
        }
    }

    fn advice(&self) -> &'static str {
        match self.kind {
            TransportKind::Connect => {
                "the request was not sent; check the URL, DNS, proxy and TLS setup; this is retryable"
            }
            TransportKind::ConnectTimeout => {
                "no connection was made before the connect timeout, so the request was not sent; \
                 check the network or raise HttpConfig's connect timeout; this is retryable"
            }
            TransportKind::Timeout => {
                "it timed out after the request was sent, so it may have reached the provider; \
                 check the network or raise HttpConfig's timeouts, and start a new login rather \
                 than resending a code or ticket"
            }
            TransportKind::Other => {
                "the connection broke after the request was sent, so it may have reached the provider; check the network"
            }
        }
    }
}

/// A response that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableResponse {
    /// The endpoint that answered.
    pub endpoint: String,
    /// HTTP status.
    pub status: Option<u16>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// What was wrong with it.
    pub reason: String,
    /// The start of the body, with anything that looks like a credential replaced.
    pub snippet: String,
    /// The `Retry-After` header, when sent.
    pub retry_after: Option<RetryAfter>,
}

impl fmt::Display for UnreadableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not understand the answer from {}", self.endpoint)?;
        let content_type = self.content_type.as_deref().unwrap_or("no content type");
        match self.status {
            Some(s) => write!(f, " (HTTP {s}, {content_type})")?,
            None => write!(f, " ({content_type})")?,
        }
        write!(f, ": {}", self.reason)?;
        if !self.snippet.is_empty() {
            write!(f, "; body starts: {:?}", self.snippet)?;
        }
        if let Some(r) = &self.retry_after {
            write!(f, "; {r}")?;
        }
        if self.status.is_some_and(|s| s >= 500 || s == 429) {
            write!(
                f,
                "; the provider or a gateway in front of it failed: try again later, and check the URL if it persists"
            )
        } else {
            write!(
                f,
                "; check that the URL points at the provider's endpoint, not a proxy, gateway or web page"
            )
        }
    }
}

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

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::OAuth(Box::new(e))
    }
}

impl From<VendorError> for Error {
    fn from(e: VendorError) -> Self {
        Error::Vendor(Box::new(e))
    }
}

impl From<UnreadableResponse> for Error {
    fn from(e: UnreadableResponse) -> Self {
        Error::UnreadableResponse(Box::new(e))
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(Box::new(e))
    }
}

impl From<crate::id_token::IdTokenError> for Error {
    fn from(e: crate::id_token::IdTokenError) -> Self {
        Error::IdToken(Box::new(e))
    }
}

impl From<LoginError> for Error {
    fn from(e: LoginError) -> Self {
        Error::Login(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_classify() {
        let e: Error = OAuthError::new(Some(400), "invalid_grant").into();
        assert!(e.is_invalid_grant() && !e.is_invalid_client() && !e.is_retryable());
        let e: Error = OAuthError::new(Some(401), "invalid_client").into();
        assert!(e.is_invalid_client());
        let e: Error = OAuthError::new(Some(503), "server_error").into();
        assert!(e.is_retryable());
        let e: Error = VendorError::new("genauth", 429, 429, "too many requests").into();
        assert!(e.is_retryable());
        let e: Error = VendorError::new("genauth", 200, 400, "bad ticket").into();
        assert!(!e.is_retryable());
        let e: Error = TransportError {
            kind: TransportKind::Connect,
            endpoint: "https://x/token".into(),
            message: "refused".into(),
            source: None,
        }
        .into();
        assert!(e.is_retryable());
    }

    fn unreadable_at(status: u16) -> Error {
        UnreadableResponse {
            endpoint: "https://x/token".into(),
            status: Some(status),
            content_type: None,
            reason: "r".into(),
            snippet: String::new(),
            retry_after: None,
        }
        .into()
    }

    #[test]
    fn retryability_boundaries_for_every_origin() {
        // (status, expected kind of an unknown-code refusal, retryable)
        let table = [
            (428, ErrorKind::InvalidRequest, false),
            (429, ErrorKind::RateLimited, true),
            (499, ErrorKind::InvalidRequest, false),
            (500, ErrorKind::ProviderUnavailable, true),
            (599, ErrorKind::ProviderUnavailable, true),
        ];
        for (status, kind, retryable) in table {
            let provider: Error = OAuthError::new(Some(status), "weird_code").into();
            assert_eq!(
                (provider.kind(), provider.is_retryable()),
                (kind, retryable),
                "provider {status}"
            );
            let vendor: Error = VendorError::new("v", status, i64::from(status), "m").into();
            assert_eq!(vendor.is_retryable(), retryable, "vendor {status}");
            let vendor_200: Error = VendorError::new("v", 200, i64::from(status), "m").into();
            assert_eq!(
                vendor_200.is_retryable(),
                retryable,
                "vendor status_code {status}"
            );
            let unreadable = unreadable_at(status);
            assert_eq!(unreadable.is_retryable(), retryable, "unreadable {status}");
        }
    }

    #[test]
    fn oauth_codes_round_trip_and_classify() {
        for (code, kind) in [
            ("invalid_grant", ErrorKind::InvalidGrant),
            ("invalid_client", ErrorKind::InvalidClient),
            ("unauthorized_client", ErrorKind::InvalidClient),
            ("invalid_request", ErrorKind::InvalidRequest),
            ("invalid_scope", ErrorKind::InvalidScope),
            ("access_denied", ErrorKind::AccessDenied),
            ("unsupported_grant_type", ErrorKind::Unsupported),
            ("invalid_token", ErrorKind::InvalidToken),
            ("temporarily_unavailable", ErrorKind::ProviderUnavailable),
            ("slow_down", ErrorKind::RateLimited),
        ] {
            let parsed = OAuthErrorCode::parse(code);
            assert!(!matches!(parsed, OAuthErrorCode::Other(_)), "{code}");
            assert_eq!(parsed.as_str(), code);
            assert_eq!(OAuthError::new(Some(400), code).kind, kind, "{code}");
        }
        let other = OAuthErrorCode::parse("login_required");
        assert_eq!(other, OAuthErrorCode::Other("login_required".into()));
        assert_eq!(other.as_str(), "login_required");
        // A 5xx wins over whatever code the body carries.
        assert_eq!(
            OAuthError::new(Some(503), "invalid_request").kind,
            ErrorKind::ProviderUnavailable
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            RetryAfter::parse(" 120 "),
            Some(RetryAfter::Delay(Duration::from_secs(120)))
        );
        let at = RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let RetryAfter::At(when) = at else {
            panic!("expected a date, got {at:?}")
        };
        assert_eq!(
            when.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            1_445_412_480
        );
        assert_eq!(at.delay_from(when + Duration::from_secs(5)), Duration::ZERO);
        assert_eq!(RetryAfter::parse("soon"), None);
        assert_eq!(RetryAfter::parse("-5"), None);
    }

    #[test]
    fn may_have_been_sent_is_precise() {
        let transport = |kind| -> Error {
            TransportError {
                kind,
                endpoint: "https://x/token".into(),
                message: "m".into(),
                source: None,
            }
            .into()
        };
        assert!(!transport(TransportKind::Connect).may_have_been_sent());
        assert!(!transport(TransportKind::ConnectTimeout).may_have_been_sent());
        assert!(transport(TransportKind::Timeout).may_have_been_sent());
        assert!(transport(TransportKind::Other).may_have_been_sent());
        assert_eq!(
            transport(TransportKind::ConnectTimeout).kind(),
            ErrorKind::Timeout
        );
        assert!(transport(TransportKind::ConnectTimeout)
            .to_string()
            .contains("the request was not sent"));
        assert!(!Error::config("k", "m").may_have_been_sent());
        let refused: Error = OAuthError::new(Some(400), "invalid_grant").into();
        assert!(refused.may_have_been_sent());
    }
}
