//! The default [`Transport`]: reqwest with a connect timeout, no redirects and no proxy for
//! loopback, on connection pools shared per connect timeout.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result, TransportError, TransportKind};
use crate::transport::config::{HttpConfig, DEFAULT_USER_AGENT, IDLE_TIMEOUT, MAX_IDLE_PER_HOST};
use crate::transport::seam::{transport_error, ResponseBody, Transport};
use crate::transport::url::shown_url;

/// Hosts never sent through a proxy, whatever `NO_PROXY` says.
const LOOPBACK_HOSTS: &str = "localhost,127.0.0.0/8,::1";

/// The shared pools, one per connect timeout.
type Pools = Vec<(Duration, Arc<ReqwestTransport>)>;

/// A [`Transport`] on a `reqwest::Client`.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    pub(crate) fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// A pool of its own with `config`'s connect timeout.
    pub(crate) fn build(config: &HttpConfig) -> Result<Self> {
        Ok(Self::new(build_reqwest(config)?))
    }

    /// The process-wide pool for `connect_timeout`: one per connect timeout in use, so a
    /// configuration's connect timeout is never dropped for sharing's sake.
    pub(crate) fn shared(connect_timeout: Duration) -> Arc<Self> {
        static SHARED: OnceLock<Mutex<Pools>> = OnceLock::new();
        let pools = SHARED.get_or_init(Mutex::default);
        // A panic elsewhere while the list was held leaves it intact: keep using it.
        let mut pools = pools.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, pool)) = pools.iter().find(|(t, _)| *t == connect_timeout) {
            return Arc::clone(pool);
        }
        let config = HttpConfig::default().with_connect_timeout(connect_timeout);
        let pool = Arc::new(Self::build(&config).unwrap_or_else(|_| {
            // Building a rustls client with no custom settings does not fail in practice. If
            // it ever does, the fallback must still never follow a redirect, which reqwest's
            // defaults would do, nor send loopback requests to a proxy.
            Self::new(
                reqwest::Client::builder()
                    .connect_timeout(connect_timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .no_proxy()
                    .build()
                    .unwrap_or_default(),
            )
        }));
        pools.push((connect_timeout, Arc::clone(&pool)));
        pool
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> std::result::Result<http::Response<ResponseBody>, TransportError> {
        let (parts, body) = request.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string())
            .map_err(|e| TransportError::new(TransportKind::Connect, e))?;
        self.execute(parts.method, url, parts.headers, body).await
    }
}

impl ReqwestTransport {
    /// Sends a request given by its parts; core calls it directly with the request's `Url`.
    pub(crate) async fn execute(
        &self,
        method: http::Method,
        url: reqwest::Url,
        headers: http::HeaderMap,
        body: Vec<u8>,
    ) -> std::result::Result<http::Response<ResponseBody>, TransportError> {
        let mut outgoing = reqwest::Request::new(method, url);
        *outgoing.headers_mut() = headers;
        // No body at all rather than an empty one: a GET then carries no Content-Length.
        if !body.is_empty() {
            *outgoing.body_mut() = Some(body.into());
        }
        let mut response = self
            .client
            .execute(outgoing)
            .await
            .map_err(transport_error)?;
        let mut answer = http::Response::builder()
            .status(response.status())
            .version(response.version())
            .body(())
            .map_err(|e| TransportError::new(TransportKind::Other, e))?;
        // Taken, not cloned: reading the body does not need them.
        *answer.headers_mut() = std::mem::take(response.headers_mut());
        Ok(answer.map(|()| ResponseBody::from_reqwest(response)))
    }
}

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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn as_a_transport_it_sends_the_http_request_as_given() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.ends_with(b"\r\n\r\nbody") {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "the connection closed early");
                seen.extend_from_slice(&buf[..n]);
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-answer: yes\r\n\r\n{}")
                .await
                .unwrap();
            String::from_utf8(seen).unwrap()
        });
        let request = http::Request::builder()
            .method(http::Method::PUT)
            .uri(format!("http://{addr}/p?q=1"))
            .header("x-asked", "1")
            .body(b"body".to_vec())
            .unwrap();
        let transport: &dyn Transport = &*ReqwestTransport::shared(Duration::from_secs(10));
        let response = transport.send(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-answer"], "yes");
        let mut body = response.into_body();
        let chunk = body.next_chunk().await.unwrap().unwrap();
        assert_eq!(chunk.as_slice(), b"{}");
        let seen = server.await.unwrap();
        assert!(seen.starts_with("PUT /p?q=1 HTTP/1.1\r\n"), "{seen}");
        assert!(seen.contains("x-asked: 1\r\n"), "{seen}");
        assert!(seen.contains("content-length: 4\r\n"), "{seen}");
    }

    #[test]
    fn shared_pools_are_kept_per_connect_timeout() {
        let default = ReqwestTransport::shared(Duration::from_secs(10));
        let again = ReqwestTransport::shared(Duration::from_secs(10));
        let short = ReqwestTransport::shared(Duration::from_millis(1500));
        assert!(Arc::ptr_eq(&default, &again));
        assert!(!Arc::ptr_eq(&default, &short));
        assert!(Arc::ptr_eq(
            &short,
            &ReqwestTransport::shared(Duration::from_millis(1500))
        ));
    }
}
