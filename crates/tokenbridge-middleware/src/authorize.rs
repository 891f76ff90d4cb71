//! The one place the middleware asks the session for what authorizes a request, and decides
//! whether a refusal is worth one resend.

use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};
use http::{Method, StatusCode};
use tokenbridge_core::TokenSession;
use tokenbridge_core::{Error, ExposeSecret, SecretString, Url};

use crate::challenge;

/// Where a middleware finds the session of a request.
#[derive(Debug, Clone)]
pub(crate) enum SessionSource {
    /// One session for every request (a service account, or a client per user).
    Fixed(TokenSession),
    /// The `TokenSession` in each request's extensions (one client shared by many users).
    PerRequest,
}

impl SessionSource {
    /// The session of a request whose extensions are `extensions`.
    pub(crate) fn session(&self, extensions: &http::Extensions) -> Result<TokenSession, Error> {
        match self {
            SessionSource::Fixed(session) => Ok(session.clone()),
            SessionSource::PerRequest => {
                extensions.get::<TokenSession>().cloned().ok_or_else(|| {
                    Error::config_general(
                        "the request carries no TokenSession in its extensions: a middleware made \
                     with `per_request()` needs one on every request (reqwest-middleware: \
                     `.with_extension(session)`; http: `request.extensions_mut().insert(session)`)",
                    )
                })
            }
        }
    }
}

/// What authorizes one request: the headers to set, and what to report when it is refused.
pub(crate) struct Authorization {
    /// `Authorization` (and, with a DPoP-bound token, `DPoP`), each marked sensitive so that
    /// HTTP stacks leave it out of their logs.
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The scheme of the `Authorization` header (`Bearer`, `DPoP`): a refusal's challenge
    /// names it.
    scheme: String,
    /// The access token sent, which the session is told about when it is refused.
    access_token: SecretString,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("scheme", &self.scheme)
            .field("access_token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Authorization {
    /// Sets the headers on a request, replacing any it had.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
    }

    /// Whether an answer refuses this authorization's access token: a 401 with a challenge of
    /// the scheme sent and `error="invalid_token"` (RFC 6750 section 3.1). A 401 for any other
    /// reason (another scheme, `insufficient_scope`, no challenge) is no reason to refresh.
    pub(crate) fn refused_by(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        status == StatusCode::UNAUTHORIZED
            && challenge::refuses_token(
                headers
                    .get_all(WWW_AUTHENTICATE)
                    .iter()
                    .map(HeaderValue::as_bytes),
                &self.scheme,
            )
    }
}

/// The authorization for `method` on `url` from the session, renewed first when it is due.
///
/// Every header the middleware sends comes from here. The method and URL are what a DPoP
/// proof (RFC 9449) signs; a Bearer token does not depend on them.
pub(crate) async fn authorize(
    session: &TokenSession,
    method: &Method,
    url: &Url,
) -> Result<Authorization, Error> {
    // A DPoP-bound token comes with a fresh proof for exactly this method and URL.
    let authorization = session.authorization_for(method.as_str(), url).await?;
    Authorization::new(
        session.provider_id(),
        authorization.authorization().expose_secret(),
        authorization.dpop().map(ExposeSecret::expose_secret),
    )
}

impl Authorization {
    /// From an `Authorization` value (`<scheme> <token>`) and, for a DPoP-bound token, the
    /// `DPoP` proof that goes with it.
    fn new(provider: &str, authorization: &str, dpop_proof: Option<&str>) -> Result<Self, Error> {
        let unusable = || {
            Error::internal(format!(
                "the access token from provider {provider:?} cannot be sent in an HTTP header: \
                 it is empty or holds characters a header cannot carry"
            ))
        };
        let (scheme, token) = authorization.split_once(' ').ok_or_else(unusable)?;
        if scheme.is_empty() || token.is_empty() {
            return Err(unusable());
        }
        let sensitive = |value: &str| {
            let mut value = HeaderValue::from_str(value).map_err(|_| unusable())?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        };
        let mut headers = vec![(AUTHORIZATION, sensitive(authorization)?)];
        if let Some(proof) = dpop_proof {
            headers.push((HeaderName::from_static("dpop"), sensitive(proof)?));
        }
        Ok(Self {
            headers,
            scheme: scheme.to_owned(),
            access_token: SecretString::from(token.to_owned()),
        })
    }
}

/// Reports a refused token to the session, so that the next request renews it (once however
/// many requests report it; a token renewed since is not affected). Even a request that is not
/// resent reports it: the next one then goes out with a token that works.
pub(crate) fn report_refused(session: &TokenSession, refused: &Authorization) {
    session.invalidate(&refused.access_token);
}

/// [`report_refused`], then the authorization with the renewed token.
pub(crate) async fn reauthorize(
    session: &TokenSession,
    refused: &Authorization,
    method: &Method,
    url: &Url,
) -> Result<Authorization, Error> {
    report_refused(session, refused);
    authorize(session, method, url).await
}

/// A URL for the logs: scheme, host, port and path; never the query, the fragment or
/// credentials, which may carry secrets of their own.
pub(crate) struct LogUrl<'a>(pub(crate) &'a Url);

impl fmt::Display for LogUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        write!(f, "{}://{}", url.scheme(), url.host_str().unwrap_or(""))?;
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(url.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headers_are_sensitive_and_a_bad_token_is_an_error_without_it() {
        let sent = Authorization::new("corp", "DPoP tok-Zq9", Some("eyJ.proof.sig")).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic other"));
        sent.apply(&mut headers);
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[AUTHORIZATION], "DPoP tok-Zq9");
        assert_eq!(headers["dpop"], "eyJ.proof.sig");
        assert!(headers.values().all(HeaderValue::is_sensitive));
        assert_eq!(sent.scheme, "DPoP");
        assert_eq!(sent.access_token.expose_secret(), "tok-Zq9");
        assert!(!format!("{sent:?}").contains("tok-Zq9"));

        for bad in ["Bearer tok\nZq9", "Bearer ", "tokZq9", " tokZq9"] {
            let error = Authorization::new("corp", bad, None).unwrap_err();
            assert_eq!(error.kind(), tokenbridge_core::ErrorKind::Internal);
            assert!(!error.to_string().contains("Zq9"), "{error}");
        }
    }

    #[test]
    fn a_log_url_keeps_no_query_fragment_or_credentials() {
        let url =
            Url::parse("https://user:pw@api.example.com:8443/v1/orders?key=s3cret#frag").unwrap();
        assert_eq!(
            LogUrl(&url).to_string(),
            "https://api.example.com:8443/v1/orders"
        );
    }
}
