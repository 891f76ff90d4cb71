//! HTTP with safe defaults: timeouts, a body cap enforced while reading, no redirects,
//! `https` except on loopback, and one shared connection pool.

use std::fmt;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, LOCATION, USER_AGENT};
use url::Url;

use crate::error::{Error, Result, TransportError, TransportKind};
use crate::redact::{redact_text, SentSecrets};
use crate::request::TokenRequest;

/// The `User-Agent` sent with every request.
pub const DEFAULT_USER_AGENT: &str = concat!("tokenbridge/", env!("CARGO_PKG_VERSION"));

/// Default cap on a response body: 1 MiB. Token responses are a few kilobytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Timeouts and limits for talking to a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// How long to wait for a connection. Default 10 s.
    pub connect_timeout: Duration,
    /// How long a whole request may take, body included. Default 30 s.
    pub timeout: Duration,
    /// The most body bytes read from a response; more is an error. Default 1 MiB.
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

/// A status, headers and the whole (capped) body of an answer.
#[derive(Clone)]
pub struct HttpResponse {
    /// The endpoint that answered.
    pub endpoint: Url,
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// When the answer's headers arrived: the start of the tokens' lifetime.
    pub received_at: SystemTime,
    /// The credentials the request carried, scrubbed from anything kept of this answer.
    sent: SentSecrets,
}

impl HttpResponse {
    /// A response received now; for adapters' unit tests and custom transports.
    pub fn new(endpoint: Url, status: u16, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            endpoint,
            status,
            headers,
            body: body.into(),
            received_at: SystemTime::now(),
            sent: SentSecrets::default(),
        }
    }

    /// The same response, remembering the credentials the request carried so that errors
    /// built from it never repeat them.
    pub fn with_sent_secrets(mut self, sent: SentSecrets) -> Self {
        self.sent = sent;
        self
    }

    /// The credentials the request carried.
    pub fn sent_secrets(&self) -> &SentSecrets {
        &self.sent
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `Content-Type` header, if present and text.
    pub fn content_type(&self) -> Option<String> {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds tokens; only its size is shown.
        f.debug_struct("HttpResponse")
            .field("endpoint", &self.endpoint.as_str())
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends [`TokenRequest`]s with tokenbridge's safety rules. Cheap to clone: clones share one
/// connection pool.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: HttpConfig,
    /// Whether each request must set the User-Agent: only for a client tokenbridge did not
    /// build with it as the default.
    sets_user_agent: bool,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .finish()
    }
}

/// The shared pool, and whether its requests need the User-Agent set (only if its fallback
/// build, without one, was used).
static SHARED: OnceLock<(reqwest::Client, bool)> = OnceLock::new();

/// Idle connections kept per host after a burst: enough for 64 requests in flight to reuse
/// their connections, and a bound on what a larger burst leaves open.
pub const MAX_IDLE_PER_HOST: usize = 64;
/// How long an idle connection is kept.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Hosts never sent through a proxy, whatever `NO_PROXY` says.
const LOOPBACK_HOSTS: &str = "localhost,127.0.0.0/8,::1";

/// The proxies the environment names (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, upper or lower
/// case), each excluding loopback and the hosts in `NO_PROXY`.
fn environment_proxies() -> Result<Vec<reqwest::Proxy>> {
    let var = |name: &str| {
        std::env::var(name.to_ascii_lowercase())
            .or_else(|_| std::env::var(name))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let no_proxy = match var("NO_PROXY") {
        Some(list) => format!("{list},{LOOPBACK_HOSTS}"),
        None => LOOPBACK_HOSTS.to_owned(),
    };
    let mut proxies = Vec::new();
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"] {
        if let Some(url) = var(name) {
            let proxy = match name {
                "HTTPS_PROXY" => reqwest::Proxy::https(url.as_str()),
                "HTTP_PROXY" => reqwest::Proxy::http(url.as_str()),
                _ => reqwest::Proxy::all(url.as_str()),
            }
            .map_err(|_| {
                Error::config(
                    name,
                    format!("the proxy {:?} is not a valid URL", shown_url(&url)),
                )
            })?;
            proxies.push(proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy)));
        }
    }
    Ok(proxies)
}

fn build_reqwest(config: &HttpConfig) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(DEFAULT_USER_AGENT)
        // A burst must not leave hundreds of idle sockets behind: a few per host, for a while.
        .pool_max_idle_per_host(MAX_IDLE_PER_HOST)
        .pool_idle_timeout(IDLE_TIMEOUT)
        // Proxies come from the environment as usual, except for loopback: a request to
        // 127.0.0.1 must never travel to a proxy in clear (it carries codes and secrets).
        .no_proxy();
    for proxy in environment_proxies()? {
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| Error::internal(format!("could not build the HTTP client: {e}")))
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::shared(HttpConfig::default())
    }
}

impl HttpClient {
    /// A client on the process-wide shared connection pool, with `config`'s timeouts and cap.
    ///
    /// The shared pool's connect timeout is the default (10 s); for another connect timeout use
    /// [`HttpClient::new`], which builds a pool of its own.
    pub fn shared(config: HttpConfig) -> Self {
        let (inner, sets_user_agent) = SHARED
            .get_or_init(|| match build_reqwest(&HttpConfig::default()) {
                Ok(client) => (client, false),
                // Building a rustls client with no custom settings does not fail in
                // practice. If it ever does, the fallback must still never follow a
                // redirect, which reqwest's defaults would do.
                Err(_) => (
                    reqwest::Client::builder()
                        .redirect(reqwest::redirect::Policy::none())
                        .no_proxy()
                        .build()
                        .unwrap_or_default(),
                    true,
                ),
            })
            .clone();
        Self {
            inner,
            config,
            sets_user_agent,
        }
    }

    /// The shared pool when `config` keeps the default connect timeout, otherwise a pool of
    /// its own.
    pub fn from_config(config: HttpConfig) -> Result<Self> {
        if config.connect_timeout == HttpConfig::default().connect_timeout {
            Ok(Self::shared(config))
        } else {
            Self::new(config)
        }
    }

    /// A client with its own connection pool built from `config`.
    pub fn new(config: HttpConfig) -> Result<Self> {
        Ok(Self {
            inner: build_reqwest(&config)?,
            config,
            sets_user_agent: false,
        })
    }

    /// Uses a caller's `reqwest::Client` (proxies, custom roots). Configure it with
    /// `redirect(Policy::none())`: tokenbridge treats any 3xx answer as an error either way,
    /// but only the client can stop itself from following one.
    pub fn with_reqwest(client: reqwest::Client, config: HttpConfig) -> Self {
        Self {
            inner: client,
            config,
            // The caller's client may have another default User-Agent (or none); every request
            // still says it comes from tokenbridge, as it always has.
            sets_user_agent: true,
        }
    }

    /// The same connection pool with other timeouts and body cap (the pool's connect timeout
    /// stays as it was built).
    pub fn with_config(&self, config: HttpConfig) -> Self {
        Self {
            inner: self.inner.clone(),
            config,
            sets_user_agent: self.sets_user_agent,
        }
    }

    /// The timeouts and limits in force.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends `request` once and reads the answer, enforcing the body cap while reading.
    ///
    /// Never retries: the request may carry a one-time credential. Emits a `tracing` event
    /// with the method, the endpoint's host and path, the status and the duration (never a
    /// parameter, header or body).
    pub async fn send(&self, request: &TokenRequest) -> Result<HttpResponse> {
        let started = std::time::Instant::now();
        let result = self.send_once(request).await;
        let endpoint = request.endpoint();
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(response) => tracing::debug!(
                method = %request.method(),
                host = endpoint.host_str().unwrap_or_default(),
                path = endpoint.path(),
                status = response.status,
                elapsed_ms,
                "tokenbridge: answer received"
            ),
            Err(error) => tracing::debug!(
                method = %request.method(),
                host = endpoint.host_str().unwrap_or_default(),
                path = endpoint.path(),
                error_kind = %error.kind(),
                elapsed_ms,
                "tokenbridge: request failed"
            ),
        }
        result
    }

    async fn send_once(&self, request: &TokenRequest) -> Result<HttpResponse> {
        // Borrowed for checks and errors; the URL is copied once for reqwest (`url()`) and once
        // for the answer, where it used to be copied three times.
        let endpoint = request.endpoint();
        ensure_secure_url(endpoint, "endpoint")?;
        let mut builder = self
            .inner
            .request(request.method().clone(), request.url())
            .timeout(self.config.timeout);
        // Clients tokenbridge builds send this User-Agent by default (reqwest adds a default
        // header only when the request has none, so a hook's own still wins); a caller's
        // client may not, so it is set per request there.
        if self.sets_user_agent && !request.headers().contains_key(USER_AGENT) {
            builder = builder.header(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        }
        // Header by header rather than a cloned map: a value clone only bumps a reference
        // count. The encoding's Content-Type replaces one a hook may have set, as before.
        let content_type = request.content_type();
        for (name, value) in request.headers() {
            if content_type.is_none() || name != CONTENT_TYPE {
                builder = builder.header(name.clone(), value.clone());
            }
        }
        if let Some(ct) = content_type {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        let body = request.body_bytes();
        if !body.is_empty() {
            builder = builder.body(body);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| transport_error(endpoint, e))?;
        let received_at = SystemTime::now();
        let status = response.status().as_u16();
        // Taken, not cloned: reading the body below does not need them.
        let headers = std::mem::take(response.headers_mut());

        if (300..400).contains(&status) {
            return Err(Error::Redirected {
                endpoint: endpoint.to_string(),
                status,
                location: headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    // A redirect target may carry a code or token in its query or path.
                    .map(|l| redact_text(&request.sent_secrets().scrub(l))),
            });
        }

        let limit = self.config.max_body_bytes;
        let too_large = || Error::ResponseTooLarge {
            endpoint: endpoint.to_string(),
            limit,
        };
        let announced = response.content_length();
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        // A token answer usually arrives as one chunk, which is kept as it is: no buffer and
        // no copy. Further chunks go into a Vec sized once from the announced length; that is
        // only a hint (the cap is enforced on the bytes that arrive) and never more than the
        // cap, so a lying header cannot make us reserve more than a legitimate answer fills.
        let mut first: Option<Bytes> = None;
        let mut rest: Vec<u8> = Vec::new();
        let mut received = 0usize;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(endpoint, e))?
        {
            received += chunk.len();
            if received > limit {
                return Err(too_large());
            }
            match first.take() {
                None if rest.is_empty() => first = Some(chunk),
                None => rest.extend_from_slice(&chunk),
                Some(head) => {
                    let hint = announced.map_or(0, |n| n as usize).min(limit);
                    rest.reserve_exact(hint.max(received));
                    rest.extend_from_slice(&head);
                    rest.extend_from_slice(&chunk);
                }
            }
        }
        let body = match first {
            Some(only) => only,
            None => Bytes::from(rest),
        };
        Ok(HttpResponse {
            endpoint: endpoint.clone(),
            status,
            headers,
            body,
            received_at,
            // Scrubbing needs the request's credentials only when an error is reported, and
            // the caller that holds the request does it then (see `Error::scrubbed`).
            sent: SentSecrets::default(),
        })
    }
}

fn transport_error(endpoint: &Url, e: reqwest::Error) -> Error {
    // A vendor's query may carry credentials (WeChat's secret, a userinfo token): reqwest's
    // Display would name the URL with it.
    let e = e.without_url();
    // reqwest reports a connect timeout as both a timeout and a connect error: nothing was
    // sent then, which decides whether a one-time credential is spent.
    let kind = if e.is_timeout() && e.is_connect() {
        TransportKind::ConnectTimeout
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    let message = error_chain(&e);
    TransportError {
        kind,
        endpoint: endpoint.to_string(),
        message,
        source: Some(Box::new(e)),
    }
    .into()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`) or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks that `url` is `https`, or `http` to a loopback host, and carries no user name or
/// password; `key` names the setting in the error.
pub fn ensure_secure_url(url: &Url, key: &str) -> Result<()> {
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages; show it without them.
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        // The query and fragment may carry a credential too.
        let shown = shown_url(shown.as_str());
        return Err(Error::config(
            key,
            format!(
                "{shown} must not carry a user name or password; configure client_id and \
                 client_secret instead"
            ),
        ));
    }
    // Spelled out only for an error: this check runs before every request.
    let shown = || shown_url(url.as_str());
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::config(
            key,
            format!(
                "{} uses http to a non-loopback host; credentials would travel unencrypted. Use https (http is allowed only for 127.0.0.0/8, ::1 and localhost)",
                shown()
            ),
        )),
        other => Err(Error::config(
            key,
            format!("{} has scheme {other:?}; use an https URL", shown()),
        )),
    }
}

/// Parses a URL from configuration, naming `key` in the error, and applies
/// [`ensure_secure_url`].
pub fn parse_secure_url(value: &str, key: &str) -> Result<Url> {
    let url = Url::parse(value).map_err(|e| {
        Error::config(
            key,
            format!(
                "{:?} is not a valid URL ({e}); expected e.g. https://id.example.com",
                shown_url(value)
            ),
        )
    })?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::config(
            key,
            format!(
                "{:?} has no host; expected e.g. https://id.example.com",
                shown_url(value)
            ),
        ));
    }
    ensure_secure_url(&url, key)?;
    Ok(url)
}

/// Parses a vendor's base URL (the host every endpoint path is joined to) from
/// configuration: [`parse_secure_url`], and no query or fragment, which a joined path would
/// drop. `example` shows the expected form in the error.
pub fn parse_base_url(value: &str, key: &str, example: &str) -> Result<Url> {
    let url = parse_secure_url(value.trim(), key)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            key,
            format!(
                "{:?} has a query or fragment; give the host only, e.g. {example}",
                shown_url(value)
            ),
        ));
    }
    Ok(url)
}

/// `value` with any `user:password@` before the host removed, for messages about a URL that
/// may not parse.
pub fn without_userinfo(value: &str) -> String {
    let (scheme, rest) = match value.find("://") {
        Some(i) => value.split_at(i + 3),
        None => ("", value),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}{}", &rest[at + 1..]),
        None => value.to_owned(),
    }
}

/// `value` as it may be shown in a message: without `user:password@`, and with its query
/// and fragment replaced by `[redacted]`, since either may carry a credential.
pub fn shown_url(value: &str) -> String {
    let stripped = without_userinfo(value);
    match stripped.find(['?', '#']) {
        Some(i) => format!("{}{}[redacted]", &stripped[..i], &stripped[i..=i]),
        None => stripped,
    }
}

/// Joins a path onto a base URL, keeping any path prefix the base has (for proxies):
/// `https://h/prefix` + `/oauth2/token` is `https://h/prefix/oauth2/token`.
pub fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rules() {
        for ok in [
            "https://id.example.com",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9",
            "http://localhost:1",
            "http://LOCALHOST",
        ] {
            assert!(parse_secure_url(ok, "k").is_ok(), "{ok}");
        }
        for bad in [
            "http://id.example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://x",
            "not a url",
            "http://128.0.0.1",
            "https://user:hunter2@id.example.com",
        ] {
            let err = parse_secure_url(bad, "base_url").unwrap_err();
            assert!(
                matches!(&err, Error::Config { key: Some(k), .. } if k == "base_url"),
                "{bad}: {err}"
            );
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn unparseable_urls_lose_their_credentials_in_errors() {
        let err =
            parse_secure_url("https://user:hunter2@exa mple.com/t", "token_endpoint").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().contains("exa mple.com/t"), "{err}");
        assert_eq!(without_userinfo("https://a:b@h/p@q"), "https://h/p@q");
        assert_eq!(without_userinfo("no-scheme:pw@h"), "h");
        assert_eq!(without_userinfo("https://h/x"), "https://h/x");
    }

    #[test]
    fn base_urls_have_no_query_or_fragment() {
        assert!(parse_base_url(" https://h.example/p ", "base_url", "https://h.example").is_ok());
        for bad in ["https://h.example/?x=1", "https://h.example/#f"] {
            let err = parse_base_url(bad, "base_url", "https://h.example").unwrap_err();
            assert!(
                matches!(&err, Error::Config { key: Some(k), message } if k == "base_url" && message.contains("e.g. https://h.example")),
                "{err}"
            );
        }
    }

    #[test]
    fn join_keeps_prefix() {
        let base = Url::parse("https://h.example/prefix/").unwrap();
        assert_eq!(
            join_path(&base, "/oauth2/token").as_str(),
            "https://h.example/prefix/oauth2/token"
        );
        let base = Url::parse("https://h.example").unwrap();
        assert_eq!(
            join_path(&base, "oidc/token").as_str(),
            "https://h.example/oidc/token"
        );
    }
}
