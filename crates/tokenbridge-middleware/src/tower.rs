//! The `tower` layer, for any client that is a `Service<http::Request<B>>` (hyper-util's
//! client, a tonic channel, a test double).

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tokenbridge_core::TokenSession;
use tokenbridge_core::{Error, Url};
use tower::{Layer, Service};

use crate::authorize::{authorize, reauthorize, report_refused, LogUrl, SessionSource};
use crate::body::TryCloneBody;

/// The error of a [`TokenService`]: the inner service's error, or a [`tokenbridge_core::Error`]
/// when the session could not hand out a token (reach it with `downcast_ref`). As in
/// `tower-http`, errors are boxed so that the layer composes with any other.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The future of a [`TokenService`].
pub type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send + 'static>>;

/// A [`tower::Layer`] that wraps a client in a [`TokenService`].
///
/// ```
/// use tokenbridge_core::TokenSession;
/// use tokenbridge_middleware::{TokenLayer, TokenService};
/// use tower::Layer;
///
/// fn authorized<S>(client: S, session: TokenSession) -> TokenService<S> {
///     TokenLayer::new(session).layer(client)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TokenLayer {
    source: SessionSource,
}

impl TokenLayer {
    /// Authorizes every request with `session`.
    pub fn new(session: TokenSession) -> Self {
        Self {
            source: SessionSource::Fixed(session),
        }
    }

    /// Authorizes each request with the [`TokenSession`] in its extensions
    /// (`request.extensions_mut().insert(session)`), so that one client serves many users. A
    /// request without one fails with a [`tokenbridge_core::ErrorKind::Configuration`] error
    /// and is not sent.
    pub fn per_request() -> Self {
        Self {
            source: SessionSource::PerRequest,
        }
    }
}

impl<S> Layer<S> for TokenLayer {
    type Service = TokenService<S>;

    fn layer(&self, inner: S) -> TokenService<S> {
        TokenService {
            inner,
            source: self.source.clone(),
        }
    }
}

/// A [`tower::Service`] over `http::Request<B>` that sends every request with the access token
/// of a [`TokenSession`], and resends it once with a renewed token when the server refuses
/// the token. It behaves as the reqwest middleware (`TokenMiddleware`) does:
///
/// - `Authorization` from the session (renewed first when due), marked sensitive, replacing
///   any the request had.
/// - On a `401` with a challenge of the scheme sent and `error="invalid_token"`: the token is
///   reported to the session (one renewal however many requests were refused) and the request
///   is sent once more, through a clone of the inner service made ready again. Whatever that
///   gets is the answer; there is never a second resend.
/// - **Which bodies are resent:** the body type implements [`TryCloneBody`], and a body is
///   resent only when `try_clone_body` returns `Some`. The copy is made before each send, as
///   a sent body is gone: a reference count for `Bytes` and `Full<Bytes>`, a copy for
///   `String` and `Vec<u8>`. Buffered bodies (`Full`, `Empty`,
///   `String`, `Vec<u8>`, `Bytes`, `()`) clone; streaming ones (`BoxBody`, `UnsyncBoxBody`,
///   `StreamBody`) never do: their 401 is returned as it is (the token is still reported, so the
///   next request goes out with a renewed one). The rest of the request
///   (method, URI, version, headers, extensions) is always cloned.
/// - Request URIs must be absolute (scheme and host), as HTTP clients need them anyway: the
///   session is asked for the authorization of that URL.
///
/// The inner service must be `Clone` (clients are) so that a resend does not wait for the
/// caller to poll it ready again.
#[derive(Debug, Clone)]
pub struct TokenService<S> {
    inner: S,
    source: SessionSource,
}

impl<S> TokenService<S> {
    /// Wraps `inner`, authorizing every request with `session`.
    pub fn new(inner: S, session: TokenSession) -> Self {
        TokenLayer::new(session).layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, to configure.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, ResBody> Service<Request<B>> for TokenService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: TryCloneBody + Send + 'static,
    ResBody: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = BoxError;
    type Future = ResponseFuture<Response<ResBody>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The service that was polled ready sends this request; the clone left in its place
        // is polled by the next caller.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let source = self.source.clone();
        Box::pin(async move {
            let session = source.session(request.extensions())?;
            let url = absolute_url(request.uri())?;
            let sent = authorize(&session, request.method(), &url).await?;
            sent.apply(request.headers_mut());
            // Cloned before sending: once sent, a body is gone.
            let resend = try_clone_request(&request);
            let method = request.method().clone();
            let response = inner.call(request).await.map_err(Into::into)?;
            if !sent.refused_by(response.status(), response.headers()) {
                return Ok(response);
            }
            let Some(mut resend) = resend else {
                report_refused(&session, &sent);
                tracing::debug!(
                    provider = session.provider_id(),
                    method = %method,
                    url = %LogUrl(&url),
                    "the access token was refused (401 invalid_token); the request body cannot \
                     be sent twice, so the 401 is returned as it is and the next request renews the token"
                );
                return Ok(response);
            };
            tracing::debug!(
                provider = session.provider_id(),
                method = %method,
                url = %LogUrl(&url),
                "the access token was refused (401 invalid_token); renewing it and sending the \
                 request once more"
            );
            drop(response);
            let renewed = reauthorize(&session, &sent, &method, &url).await?;
            renewed.apply(resend.headers_mut());
            poll_fn(|cx| inner.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            inner.call(resend).await.map_err(Into::into)
        })
    }
}

/// The request URI as a URL, which it must be for a client to send it anywhere.
fn absolute_url(uri: &http::Uri) -> Result<Url, Error> {
    let not_absolute = || {
        Error::config_general(
            "the request URI is not absolute: a request sent through TokenService needs a \
             scheme and a host (https://api.example.com/...)",
        )
    };
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(not_absolute());
    }
    Url::parse(&uri.to_string()).map_err(|_| not_absolute())
}

/// A copy of `request` to resend, when its body can be cloned.
fn try_clone_request<B: TryCloneBody>(request: &Request<B>) -> Option<Request<B>> {
    let body = request.body().try_clone_body()?;
    let mut clone = Request::new(body);
    *clone.method_mut() = request.method().clone();
    *clone.uri_mut() = request.uri().clone();
    *clone.version_mut() = request.version();
    *clone.headers_mut() = request.headers().clone();
    *clone.extensions_mut() = request.extensions().clone();
    Some(clone)
}
