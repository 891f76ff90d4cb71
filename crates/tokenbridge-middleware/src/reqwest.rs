//! The `reqwest-middleware` middleware.

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tokenbridge_core::TokenSession;

use crate::authorize::{authorize, reauthorize, report_refused, LogUrl, SessionSource};

/// A [`reqwest_middleware::Middleware`] that sends every request with the access token of a
/// [`TokenSession`], and resends it once with a renewed token when the server refuses the
/// token.
///
/// - Each request gets `Authorization: <type> <token>` from the session (renewed first when it
///   is due), replacing any `Authorization` it had; the header value is marked sensitive.
/// - On a `401` whose `WWW-Authenticate` has a challenge of the scheme sent with
///   `error="invalid_token"`, the middleware reports the token to the session, which renews it
///   once however many requests were refused, and resends the request once with the new
///   token. Whatever that resend gets, a second 401 included, is the answer.
/// - A request whose body cannot be cloned ([`reqwest::Request::try_clone`] is `None`: a
///   streaming body) is never sent twice: its 401 is returned as it is. The token is still
///   reported, so the next request goes out with a renewed one.
/// - Any other answer, a 401 without `invalid_token` included, is returned as it is.
///
/// Errors: a session that cannot hand out a token (ended, no tokens, renewal failed) is
/// [`reqwest_middleware::Error::Middleware`] holding a [`tokenbridge_core::Error`] (reach it
/// with `downcast_ref`, then read its [`kind`](tokenbridge_core::Error::kind)); transport
/// failures are reqwest's. Neither ever holds a token.
///
/// ```
/// use tokenbridge_core::TokenSession;
/// use tokenbridge_middleware::TokenMiddleware;
///
/// fn api_client(session: TokenSession) -> reqwest_middleware::ClientWithMiddleware {
///     reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///         .with(TokenMiddleware::new(session))
///         .build()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TokenMiddleware {
    source: SessionSource,
}

impl TokenMiddleware {
    /// Authorizes every request with `session`: a client for one service account, or for
    /// one user. `TokenSession` is a cheap `Clone`; clones share their tokens.
    pub fn new(session: TokenSession) -> Self {
        Self {
            source: SessionSource::Fixed(session),
        }
    }

    /// Authorizes each request with the [`TokenSession`] in its extensions, so that one client
    /// serves many users: `client.get(url).with_extension(session)`. A request without one
    /// fails with a [`tokenbridge_core::ErrorKind::Configuration`] error and is not sent.
    pub fn per_request() -> Self {
        Self {
            source: SessionSource::PerRequest,
        }
    }
}

impl From<TokenSession> for TokenMiddleware {
    fn from(session: TokenSession) -> Self {
        Self::new(session)
    }
}

#[async_trait::async_trait]
impl Middleware for TokenMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let session = self
            .source
            .session(extensions)
            .map_err(reqwest_middleware::Error::middleware)?;
        let sent = authorize(&session, request.method(), request.url())
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        sent.apply(request.headers_mut());
        // Cloned before sending: once sent, a body is gone.
        let resend = request.try_clone();
        let method = request.method().clone();
        let response = next.clone().run(request, extensions).await?;
        if !sent.refused_by(response.status(), response.headers()) {
            return Ok(response);
        }
        let Some(mut resend) = resend else {
            report_refused(&session, &sent);
            tracing::debug!(
                provider = session.provider_id(),
                method = %method,
                url = %LogUrl(response.url()),
                "the access token was refused (401 invalid_token); the request body cannot be \
                 sent twice, so the 401 is returned as it is and the next request renews the token"
            );
            return Ok(response);
        };
        tracing::debug!(
            provider = session.provider_id(),
            method = %resend.method(),
            url = %LogUrl(resend.url()),
            "the access token was refused (401 invalid_token); renewing it and sending the \
             request once more"
        );
        drop(response);
        let renewed = reauthorize(&session, &sent, resend.method(), resend.url())
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        renewed.apply(resend.headers_mut());
        next.run(resend, extensions).await
    }
}
