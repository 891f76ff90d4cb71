//! The one error type every tokenbridge crate returns, and [`ErrorKind`], what the caller
//! should do about it.
//!
//! Adapters translate their vendor's failures into these variants, and their vendor's codes
//! into kinds through an [`ErrorTable`](crate::ErrorTable), so an application matches
//! on the same kinds whichever vendor is configured. Nothing here ever holds a secret: response
//! snippets are redacted before they are stored (see [`crate::redact`]).

/// Result alias used throughout tokenbridge.
pub type Result<T, E = Error> = std::result::Result<T, E>;

mod adapter;
mod callback;
mod device;
mod grant_kind;
mod id_token;
mod kind;
pub(crate) mod malformed;
mod oauth;
pub(crate) mod redact;
mod session;
mod transport;
mod vendor;

pub use adapter::AdapterError;
pub use callback::{CallbackError, MAX_CALLBACK_QUERY};
pub use device::{DeviceEnd, DeviceError};
pub use grant_kind::GrantKind;
pub use id_token::{IdTokenError, SigningAlgorithm};
pub use kind::{ErrorKind, OAuthErrorCode, RetryAfter};
pub use malformed::MalformedValue;
pub use oauth::OAuthError;
pub use session::{EndReason, SessionError, StoreError};
pub use transport::{TransportError, TransportKind, UnreadableResponse};
pub use vendor::VendorError;

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

    /// A device sign-in (RFC 8628) ended without tokens.
    #[error("{0}")]
    Device(Box<DeviceError>),

    /// An adapter's own error (GenAuth's QR login, for one), with the kind it gives it;
    /// [`Error::adapter_error`] reaches the adapter's type.
    #[error("{0}")]
    Adapter(Box<AdapterError>),

    /// A sign-in callback was refused before anything was exchanged.
    #[error("{0}")]
    Callback(Box<crate::error::CallbackError>),

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
    IdToken(Box<crate::error::IdTokenError>),

    /// A [`TokenSession`](crate::TokenSession) could not hand out a token: the session
    /// has ended, a refresh failed and it is backing off, or its store failed.
    #[error("{0}")]
    Session(Box<crate::error::SessionError>),
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
    pub fn scrubbed(self, sent: &crate::error::redact::SentSecrets) -> Self {
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
            Error::Adapter(a) => a.kind(),
            Error::Device(d) => match d.end {
                DeviceEnd::Expired => ErrorKind::InvalidGrant,
                DeviceEnd::Aborted | DeviceEnd::Ended => ErrorKind::Cancelled,
            },
            Error::Config { .. } => ErrorKind::Configuration,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Callback(_) => ErrorKind::InvalidCallback,
            Error::Internal { .. } => ErrorKind::Internal,
            Error::IdToken(e) => match e.as_ref() {
                // The token was not judged: the provider's keys could not be fetched.
                crate::error::IdTokenError::KeySource(source) => source.kind(),
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
            Error::Adapter(a) => a.may_have_been_sent(),
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

    /// The adapter's own error, when this is an [`Error::Adapter`] holding a `T` (GenAuth's
    /// `QrLoginError`, for one).
    pub fn adapter_error<T: std::error::Error + 'static>(&self) -> Option<&T> {
        match self {
            Error::Adapter(a) => a.downcast_ref::<T>(),
            _ => None,
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

impl From<crate::error::IdTokenError> for Error {
    fn from(e: crate::error::IdTokenError) -> Self {
        Error::IdToken(Box::new(e))
    }
}

impl From<DeviceError> for Error {
    fn from(e: DeviceError) -> Self {
        Error::Device(Box::new(e))
    }
}

impl From<AdapterError> for Error {
    fn from(e: AdapterError) -> Self {
        Error::Adapter(Box::new(e))
    }
}

#[cfg(test)]
mod tests;
