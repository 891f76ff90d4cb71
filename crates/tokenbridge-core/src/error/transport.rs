//! Failures below HTTP, and answers that could not be read.

use std::fmt;

use super::RetryAfter;

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
