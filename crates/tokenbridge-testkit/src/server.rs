//! A loopback HTTP server that records every request it receives.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

/// The largest request body an emulator reads (the client under test never sends more).
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Locks a mutex, recovering the data if a panicking test poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One request as the emulator received it.
#[derive(Clone)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path, e.g. `/oauth2/token`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The first form parameter called `name`.
    pub fn form_param(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The body parsed as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The query string decoded into pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

/// The shared list of recorded requests.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<RecordedRequest>>>);

impl Recorder {
    /// Every request so far, oldest first.
    pub fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.0).clone()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        lock(&self.0).clear();
    }

    fn push(&self, r: RecordedRequest) {
        lock(&self.0).push(r);
    }
}

async fn record(recorder: Recorder, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_REQUEST_BYTES).await.unwrap_or_default();
    recorder.push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes.clone(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A running loopback server. It stops when dropped.
pub struct EmulatorServer {
    base_url: Url,
    addr: SocketAddr,
    recorder: Recorder,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for EmulatorServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorServer")
            .field("base_url", &self.base_url.as_str())
            .finish()
    }
}

impl EmulatorServer {
    /// Binds `addr` (use `127.0.0.1:0` for a free port), builds the router from the base URL
    /// the server got, and serves it in the background with request recording.
    pub async fn start(
        addr: SocketAddr,
        build: impl FnOnce(&Url) -> Router,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base_url = Url::parse(&format!("http://{addr}"))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let recorder = Recorder::default();
        let rec = recorder.clone();
        let router = build(&base_url).layer(middleware::from_fn(move |req, next| {
            record(rec.clone(), req, next)
        }));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            base_url,
            addr,
            recorder,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>/`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The base URL without the trailing slash, as configuration files write it.
    pub fn base(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorder.all()
    }

    /// Requests received at `path`.
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        self.recorder
            .all()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// A handle on the recorded requests.
    pub fn recorder(&self) -> Recorder {
        self.recorder.clone()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.recorder.clear();
    }

    /// Runs until the server stops (for the `tokenbridge emulate` command).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// `127.0.0.1:0`: a free loopback port.
pub fn any_loopback_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
