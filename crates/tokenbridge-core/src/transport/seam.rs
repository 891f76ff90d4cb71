//! The seam between tokenbridge and an HTTP client: one [`http::Request`] out, one
//! [`http::Response`] back whose body core reads itself.
//!
//! What core enforces whichever transport runs, because it does it around the transport:
//! `https` (or `http` to loopback) and no credentials in the URL, checked before the request
//! is handed over; the total timeout, a `tokio::time::timeout` around sending and reading; no
//! redirects (a 3xx answer is [`Error::Redirected`](crate::Error::Redirected), never followed
//! by core); and the body cap, counted chunk by chunk as core reads the [`ResponseBody`].
//!
//! What only a transport can do, and the reqwest transport (feature `reqwest`, on by default)
//! does: the connect timeout, not following redirects itself, and never sending a loopback
//! request through a proxy. A transport of your own must do these three.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use futures_util::{Stream, StreamExt};

use crate::error::{TransportError, TransportKind};

/// A boxed stream of body chunks, as a streaming transport hands them over.
type ChunkStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, TransportError>> + Send>>;

/// Sends one HTTP request and hands back the answer with its body unread.
///
/// tokenbridge calls it once per request and never retries (a request may carry a one-time
/// code). The request is complete: method, URL (parameters in its query for a `GET`), every
/// header including `Content-Type` and `User-Agent`, and the body. Before calling, core has
/// checked the URL (`https`, or `http` to loopback; no user name or password); around the call
/// it enforces the total timeout, refuses any 3xx answer and caps the body while reading it.
///
/// An implementation must, since core cannot: apply a connect timeout, not follow redirects,
/// and never send a request to a loopback host through a proxy. Report failures as a
/// [`TransportError`] built with [`TransportError::new`], whose kind tells whether the request
/// may have reached the server.
///
/// Plug a client of your own with [`HttpClient::with_transport`](crate::HttpClient::with_transport),
/// or a closure with [`transport_fn`].
#[async_trait]
pub trait Transport: std::any::Any + Send + Sync {
    /// Sends `request` and returns the status, headers and the body, still to be read.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<ResponseBody>, TransportError>;
}

/// The body of an answer, read by core in chunks so that the cap holds while reading.
///
/// A transport builds it from the whole body (`Vec<u8>`, `String`, `&'static [u8]`, `&'static
/// str`) or from a stream of chunks ([`ResponseBody::from_stream`]), which core stops reading
/// as soon as the cap is passed.
pub struct ResponseBody(Inner);

enum Inner {
    Full(Option<Vec<u8>>),
    Stream(ChunkStream),
    #[cfg(feature = "reqwest")]
    Reqwest(reqwest::Response),
}

/// One chunk as it arrived, moved rather than copied where it already is a `Vec`.
pub(crate) enum Chunk {
    Owned(Vec<u8>),
    #[cfg(feature = "reqwest")]
    Shared(bytes::Bytes),
}

impl Chunk {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Chunk::Owned(v) => v,
            #[cfg(feature = "reqwest")]
            Chunk::Shared(b) => b,
        }
    }

    pub(crate) fn into_bytes(self) -> bytes::Bytes {
        match self {
            Chunk::Owned(v) => v.into(),
            #[cfg(feature = "reqwest")]
            Chunk::Shared(b) => b,
        }
    }
}

impl ResponseBody {
    /// A body that arrives as a stream of chunks; an error ends it.
    pub fn from_stream(
        stream: impl Stream<Item = Result<Vec<u8>, TransportError>> + Send + 'static,
    ) -> Self {
        Self(Inner::Stream(Box::pin(stream)))
    }

    #[cfg(feature = "reqwest")]
    pub(crate) fn from_reqwest(response: reqwest::Response) -> Self {
        Self(Inner::Reqwest(response))
    }

    /// The next chunk, or `None` at the end.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Chunk>, TransportError> {
        match &mut self.0 {
            Inner::Full(body) => Ok(body.take().map(Chunk::Owned)),
            Inner::Stream(stream) => stream.next().await.transpose().map(|c| c.map(Chunk::Owned)),
            #[cfg(feature = "reqwest")]
            Inner::Reqwest(response) => response
                .chunk()
                .await
                .map(|c| c.map(Chunk::Shared))
                .map_err(transport_error),
        }
    }
}

impl From<Vec<u8>> for ResponseBody {
    fn from(body: Vec<u8>) -> Self {
        Self(Inner::Full(Some(body)))
    }
}

impl From<String> for ResponseBody {
    fn from(body: String) -> Self {
        body.into_bytes().into()
    }
}

impl From<&'static [u8]> for ResponseBody {
    fn from(body: &'static [u8]) -> Self {
        body.to_vec().into()
    }
}

impl From<&'static str> for ResponseBody {
    fn from(body: &'static str) -> Self {
        body.as_bytes().into()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds tokens; only its shape is shown.
        match &self.0 {
            Inner::Full(body) => f
                .debug_struct("ResponseBody")
                .field("len", &body.as_ref().map_or(0, Vec::len))
                .finish(),
            _ => f.write_str("ResponseBody(streaming)"),
        }
    }
}

impl TransportError {
    /// A failure of a [`Transport`]: `kind` says whether the request may have reached the
    /// server (see [`TransportError::may_have_been_sent`]); `source` is the client's error.
    /// Core fills in the endpoint, which a transport never has to spell (its URL may carry
    /// parameters).
    pub fn new(
        kind: TransportKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        let source = source.into();
        TransportError {
            kind,
            endpoint: String::new(),
            message: error_chain(source.as_ref()),
            source: Some(source),
        }
    }
}

/// A transport's error as text scrubbed of the request's credentials, kept as the source.
pub(crate) struct ScrubbedSource(pub(crate) String);

impl fmt::Display for ScrubbedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ScrubbedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for ScrubbedSource {}

/// An error and its sources, as one line.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// A [`Transport`] that calls a closure: for an application's own HTTP client, or a test that
/// answers without a socket. Built by [`transport_fn`].
pub struct FnTransport<F>(F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

/// A [`Transport`] from a closure taking the request and returning its answer, whose body is
/// anything that becomes a [`ResponseBody`] (a `Vec<u8>`, a `String`, a stream).
///
/// ```
/// use tokenbridge_core::transport_fn;
/// use tokenbridge_core::{HttpClient, HttpConfig};
///
/// let http = HttpClient::with_transport(
///     transport_fn(|request: http::Request<Vec<u8>>| async move {
///         assert_eq!(request.method(), http::Method::POST);
///         Ok(http::Response::builder()
///             .status(200)
///             .header("content-type", "application/json")
///             .body(r#"{"access_token":"at","token_type":"Bearer"}"#)
///             .unwrap())
///     }),
///     HttpConfig::default(),
/// );
/// # let _ = http;
/// ```
pub fn transport_fn<F, Fut, B>(f: F) -> FnTransport<F>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<B>, TransportError>> + Send,
    B: Into<ResponseBody>,
{
    FnTransport(f)
}

#[async_trait]
impl<F, Fut, B> Transport for FnTransport<F>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<B>, TransportError>> + Send,
    B: Into<ResponseBody>,
{
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<ResponseBody>, TransportError> {
        Ok((self.0)(request).await?.map(Into::into))
    }
}

/// A reqwest failure as a [`TransportError`], for the streamed body here and the reqwest
/// transport alike.
#[cfg(feature = "reqwest")]
pub(crate) fn transport_error(e: reqwest::Error) -> TransportError {
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
    // reqwest's Display names the URL; ours carry no credentials in the endpoint (they travel
    // in bodies and headers), and the caller scrubs what the request carried.
    TransportError::new(kind, e)
}
