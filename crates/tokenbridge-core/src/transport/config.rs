//! The timeouts and limits of talking to a provider, and the defaults every transport
//! shares: below both the HTTP client and the default transport, which each read them.

use std::time::Duration;

/// The `User-Agent` sent with every request, whichever transport sends it.
pub const DEFAULT_USER_AGENT: &str = concat!("tokenbridge/", env!("CARGO_PKG_VERSION"));

/// Default cap on a response body: 1 MiB. Token responses are a few kilobytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Idle connections the reqwest transport keeps per host after a burst: enough for 64
/// requests in flight to reuse their connections, and a bound on what a larger burst leaves
/// open.
pub const MAX_IDLE_PER_HOST: usize = 64;
/// How long the reqwest transport keeps an idle connection.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Timeouts and limits for talking to a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// How long to wait for a connection. Default 10 s. Applied by the transport (the reqwest
    /// transport does); core cannot see a connection being made.
    pub connect_timeout: Duration,
    /// How long a whole request may take, body included. Default 30 s. Enforced by core
    /// around any transport.
    pub timeout: Duration,
    /// The most body bytes read from a response; more is an error. Default 1 MiB. Enforced
    /// by core while reading, whichever transport runs.
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl HttpConfig {
    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the total timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the body cap.
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }
}
