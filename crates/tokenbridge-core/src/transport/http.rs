//! HTTP with safe defaults: timeouts, a body cap enforced while reading, no redirects,
//! `https` except on loopback, over a [`Transport`] (reqwest by default, with one shared
//! connection pool per connect timeout).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, USER_AGENT};
use url::Url;

use crate::error::redact::{redact_text, SentSecrets};
use crate::error::{Error, Result, TransportError, TransportKind};
use crate::transport::config::{HttpConfig, DEFAULT_USER_AGENT};
use crate::transport::request::{refined_content_type, TokenRequest};
use crate::transport::seam::{Chunk, ResponseBody, ScrubbedSource, Transport};
use crate::transport::url::{ensure_secure_url, shown_url};

/// A status, headers and the whole (capped) body of an answer.
#[derive(Clone)]
pub struct HttpResponse {
    endpoint: Url,
    status: u16,
    headers: HeaderMap,
    /// Kept as it arrived: a one-chunk answer is not copied.
    body: Bytes,
    received_at: SystemTime,
    /// The credentials the request carried, scrubbed from anything kept of this answer.
    sent: SentSecrets,
}

impl HttpResponse {
    /// A response received now; for adapters' unit tests.
    pub fn new(endpoint: Url, status: u16, headers: HeaderMap, body: impl Into<Vec<u8>>) -> Self {
        Self {
            endpoint,
            status,
            headers,
            body: Bytes::from(body.into()),
            received_at: SystemTime::now(),
            sent: SentSecrets::default(),
        }
    }

    /// The same response, received at `received_at` (the start of its tokens' lifetime).
    pub fn with_received_at(mut self, received_at: SystemTime) -> Self {
        self.received_at = received_at;
        self
    }

    /// The same response, remembering the credentials the request carried so that errors
    /// built from it never repeat them.
    pub fn with_sent_secrets(mut self, sent: SentSecrets) -> Self {
        self.sent = sent;
        self
    }

    /// The endpoint that answered.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body. Holds tokens: never log it.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The same response with another body (e.g. with a vendor's own secrets blanked, before
    /// an error quotes it).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Bytes::from(body.into());
        self
    }

    /// The body, taken out of the response.
    pub fn into_body(self) -> Vec<u8> {
        Vec::from(self.body)
    }

    /// When the answer's headers arrived: the start of the tokens' lifetime.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
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

/// Sends [`TokenRequest`]s with tokenbridge's safety rules over a [`Transport`]. Cheap to
/// clone: clones share one transport (and its connection pool).
#[derive(Clone)]
pub struct HttpClient {
    /// `None` only without the `reqwest` feature, until the application plugs a transport.
    transport: Option<Arc<dyn Transport>>,
    config: HttpConfig,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .field("has_transport", &self.transport.is_some())
            .finish()
    }
}

impl Default for HttpClient {
    /// `HttpClient::shared` with the default configuration; without the `reqwest` feature,
    /// a client whose requests fail with a configuration error until a transport is plugged
    /// with [`HttpClient::with_transport`].
    fn default() -> Self {
        #[cfg(feature = "reqwest")]
        return Self::shared(HttpConfig::default());
        #[cfg(not(feature = "reqwest"))]
        return Self {
            transport: None,
            config: HttpConfig::default(),
        };
    }
}

#[cfg(feature = "reqwest")]
impl HttpClient {
    /// A client on a process-wide shared reqwest connection pool, with `config`'s timeouts
    /// and cap. Pools are shared per connect timeout, so `config`'s is kept.
    pub fn shared(config: HttpConfig) -> Self {
        let transport =
            crate::transport::reqwest_transport::ReqwestTransport::shared(config.connect_timeout);
        Self {
            transport: Some(transport),
            config,
        }
    }

    /// [`HttpClient::shared`]; kept for callers that handle a build error.
    pub fn from_config(config: HttpConfig) -> Result<Self> {
        Ok(Self::shared(config))
    }

    /// A client with a reqwest connection pool of its own built from `config`.
    pub fn new(config: HttpConfig) -> Result<Self> {
        let transport = crate::transport::reqwest_transport::ReqwestTransport::build(&config)?;
        Ok(Self {
            transport: Some(Arc::new(transport)),
            config,
        })
    }

    /// Uses a caller's `reqwest::Client` (proxies, custom roots). Configure it with
    /// `redirect(Policy::none())`: tokenbridge treats any 3xx answer as an error either way,
    /// but only the client can stop itself from following one. Its connect timeout and
    /// proxies are its own.
    pub fn with_reqwest(client: reqwest::Client, config: HttpConfig) -> Self {
        Self::with_transport(
            crate::transport::reqwest_transport::ReqwestTransport::new(client),
            config,
        )
    }
}

impl HttpClient {
    /// A client over the application's own [`Transport`] (see
    /// [`transport_fn`](crate::transport_fn) for a closure). Core still checks
    /// URLs, enforces `config`'s total timeout and body cap and refuses redirects; the
    /// connect timeout, not following redirects and keeping loopback away from proxies are
    /// the transport's job.
    pub fn with_transport(transport: impl Transport + 'static, config: HttpConfig) -> Self {
        Self {
            transport: Some(Arc::new(transport)),
            config,
        }
    }

    /// The same transport with other timeouts and body cap (a connection pool's connect
    /// timeout stays as it was built).
    pub fn with_config(&self, config: HttpConfig) -> Self {
        Self {
            transport: self.transport.clone(),
            config,
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
        // Timed only when the event below is recorded: the clock is read twice otherwise.
        let started = tracing::enabled!(tracing::Level::DEBUG).then(std::time::Instant::now);
        let transport = match self.checked_transport(request) {
            Ok(transport) => transport,
            Err(e) => return traced(request, started, Err(e)),
        };
        // Boxed: the transport's future is the largest part of an exchange's; on its own it
        // keeps every future around it small enough for the allocator's fast path.
        let timeout = self.config.timeout;
        let exchange = Box::pin(self.exchange(transport, request));
        let result = match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(TransportError {
                kind: TransportKind::Timeout,
                endpoint: request.endpoint().to_string(),
                message: format!("no complete answer within {timeout:?}"),
                source: None,
            }
            .into()),
        };
        traced(request, started, result)
    }

    /// The transport to send `request` with, once its URL is known to be one tokenbridge
    /// sends to (checked here, before any transport sees the request).
    fn checked_transport(&self, request: &TokenRequest) -> Result<&dyn Transport> {
        ensure_secure_url(request.endpoint(), "endpoint")?;
        self.transport.as_deref().ok_or_else(|| {
            Error::config(
                "http",
                "no HTTP transport: enable tokenbridge-core's `reqwest` feature or plug one with \
                 HttpClient::with_transport",
            )
        })
    }

    /// Sends and reads the answer; the caller bounds it with the total timeout.
    async fn exchange(
        &self,
        transport: &dyn Transport,
        request: &TokenRequest,
    ) -> Result<HttpResponse> {
        let endpoint = request.endpoint();
        // A transport's error may quote what it was sending (a code, a secret): its text is
        // scrubbed of the request's credentials, and its source, whose `Debug` could quote
        // them too, is replaced by that text.
        let at_endpoint = |mut e: TransportError| -> Error {
            e.endpoint = endpoint.to_string();
            e.message = request.sent_secrets().scrub(&e.message);
            if e.source.is_some() {
                e.source = Some(Box::new(ScrubbedSource(e.message.clone())));
            }
            e.into()
        };
        let response = dispatch(transport, request).await?.map_err(at_endpoint)?;
        let received_at = SystemTime::now();
        let (parts, mut body) = response.into_parts();
        let status = parts.status.as_u16();
        if parts.status.is_redirection() {
            return Err(Error::Redirected {
                endpoint: endpoint.to_string(),
                status,
                location: parts
                    .headers
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
        let announced = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        // A token answer usually arrives as one chunk, which becomes the body as it is. Further
        // chunks go into a Vec sized once from the announced length; that is only a hint (the
        // cap is enforced on the bytes that arrive) and never more than the cap, so a lying
        // header cannot make us reserve more than a legitimate answer fills.
        let mut first: Option<Chunk> = None;
        let mut rest: Vec<u8> = Vec::new();
        let mut received = 0usize;
        while let Some(chunk) = body.next_chunk().await.map_err(at_endpoint)? {
            received += chunk.as_slice().len();
            if received > limit {
                return Err(too_large());
            }
            match first.take() {
                None if rest.is_empty() => first = Some(chunk),
                None => rest.extend_from_slice(chunk.as_slice()),
                Some(head) => {
                    let hint = announced.map_or(0, |n| n as usize).min(limit);
                    rest.reserve_exact(hint.max(received));
                    rest.extend_from_slice(head.as_slice());
                    rest.extend_from_slice(chunk.as_slice());
                }
            }
        }
        let body = match first {
            Some(only) => only.into_bytes(),
            None => Bytes::from(rest),
        };
        Ok(HttpResponse {
            endpoint: endpoint.clone(),
            status,
            headers: parts.headers,
            body,
            received_at,
            // Scrubbing needs the request's credentials only when an error is reported, and
            // the caller that holds the request does it then (see `Error::scrubbed`).
            sent: SentSecrets::default(),
        })
    }
}

/// `result`, after the `tracing` event that reports it when events are recorded (`started`
/// is then set): the method, the endpoint's host and path, the status or the error's kind, and
/// the duration; never a parameter, header or body.
fn traced(
    request: &TokenRequest,
    started: Option<std::time::Instant>,
    result: Result<HttpResponse>,
) -> Result<HttpResponse> {
    let Some(started) = started else {
        return result;
    };
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

/// Hands `request` to `transport`; an error outside is one of building the request.
async fn dispatch(
    transport: &dyn Transport,
    request: &TokenRequest,
) -> Result<std::result::Result<http::Response<ResponseBody>, TransportError>> {
    // The default transport takes the request's URL as it is: through `http::Request` it would
    // be printed and parsed again, six allocations of an exchange's sixty.
    #[cfg(feature = "reqwest")]
    if let Some(reqwest) = (transport as &dyn std::any::Any)
        .downcast_ref::<crate::transport::reqwest_transport::ReqwestTransport>()
    {
        return Ok(reqwest
            .execute(
                request.method().clone(),
                request.url(),
                outgoing_headers(request),
                request.body_bytes(),
            )
            .await);
    }
    Ok(transport.send(to_http_request(request)?).await)
}

/// The request as it goes to a transport, with every header tokenbridge sends.
fn to_http_request(request: &TokenRequest) -> Result<http::Request<Vec<u8>>> {
    let url = request.url();
    let uri = http::Uri::try_from(String::from(url)).map_err(|_| {
        Error::config(
            "endpoint",
            format!(
                "{} is not a URL an HTTP request can be sent to",
                shown_url(request.endpoint().as_str())
            ),
        )
    })?;
    let mut outgoing = http::Request::new(request.body_bytes());
    *outgoing.method_mut() = request.method().clone();
    *outgoing.uri_mut() = uri;
    *outgoing.headers_mut() = outgoing_headers(request);
    Ok(outgoing)
}

/// Every header tokenbridge sends, `Content-Type` and `User-Agent` included, so that any
/// transport sends the same request.
fn outgoing_headers(request: &TokenRequest) -> HeaderMap {
    // The encoding's Content-Type replaces one a hook may have set (unless it only adds
    // parameters, see `refined_content_type`); a hook's own User-Agent wins over the default.
    // One pass over the request's few headers finds both, without a lookup by name.
    let media = request.content_type();
    let mut set_content_type = None;
    let mut has_user_agent = false;
    // Room for ours and for what a client adds (`Accept`, `Content-Length`), so the map is
    // allocated once.
    let mut headers = HeaderMap::with_capacity(request.headers().len() + 4);
    for (name, value) in request.headers() {
        if media.is_some() && name == CONTENT_TYPE {
            set_content_type = set_content_type.or(Some(value));
            continue;
        }
        has_user_agent |= name == USER_AGENT;
        headers.append(name.clone(), value.clone());
    }
    if let Some(media) = media {
        headers.append(CONTENT_TYPE, refined_content_type(media, set_content_type));
    }
    if !has_user_agent {
        headers.append(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::url::{join_path, parse_base_url, parse_secure_url, without_userinfo};

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
