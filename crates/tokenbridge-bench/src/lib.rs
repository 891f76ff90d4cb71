//! What tokenbridge's benchmarks share: the response bodies, a minimal loopback token server,
//! and two of the three exchange contenders (tokenbridge and a hand-written reqwest
//! baseline). The `oauth2` contender lives with the benches, because `oauth2` is a
//! dev-dependency only.
//!
//! Run everything with `cargo bench -p tokenbridge-bench`; `docs/benchmarks.md` has the
//! results and how to read them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::header::AUTHORIZATION;
use secrecy::SecretString;
use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, Grant, HttpClient, HttpConfig, HttpResponse, Provider, TokenExchanger, TokenSet,
    Url,
};

/// The client id every contender authenticates with.
pub const CLIENT_ID: &str = "bench-client";
/// The client secret every contender authenticates with.
pub const CLIENT_SECRET: &str = "bench-secret-0123456789";
/// The endpoint recorded in parsed responses.
pub const ENDPOINT: &str = "https://id.example.com/oauth2/token";

/// A JWT-shaped access token of realistic length (header, claims, signature).
fn access_token() -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoLWtleS0xIiwidHlwIjoiSldUIn0.{}.{}",
        "eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tIiwic3ViIjoiMjQ4Mjg5NzYxMDAxIiwiYXVkIjoiYmVuY2gtY2xpZW50IiwiZXhwIjoxOTAwMDAwMDAwLCJpYXQiOjE4OTk5OTY0MDAsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwgb2ZmbGluZV9hY2Nlc3MiLCJqdGkiOiIwMTIzNDU2Nzg5YWJjZGVmIn0",
        "c2lnbmF0dXJlLWJ5dGVzLXRoYXQtbG9vay1saWtlLWEtcnNhLXNpZ25hdHVyZS0wMTIzNDU2Nzg5YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXotMDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6LTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg"
    )
}

/// The fields of the standard answer, as a JSON object.
fn standard_object(expires_in: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "access_token": access_token(),
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": "rt-8xLOxBtZp8cZ1pLx0qQd4Tq3Rr5YvWm2nJk7sHf9gUe6aD",
        "scope": "openid profile email offline_access",
        "id_token": format!("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}.c2lnbmF0dXJl", "eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tIiwic3ViIjoiMjQ4Mjg5NzYxMDAxIiwiYXVkIjoiYmVuY2gtY2xpZW50IiwiZXhwIjoxOTAwMDAwMDAwLCJpYXQiOjE4OTk5OTY0MDAsIm5vbmNlIjoibi0wUzZfV3pBMk1qIn0"),
        "session_state": "a1b2c3d4-e5f6-7890-abcd-ef0123456789",
    })
}

/// A standard token answer of about 1 KB: a JWT access token, a refresh token, a scope
/// string, an id token and one extra field.
pub fn standard_body() -> Vec<u8> {
    standard_object(serde_json::json!(3600))
        .to_string()
        .into_bytes()
}

/// Huawei OneAccess's answer: the standard one with `expires_in` as a string.
pub fn huawei_body() -> Vec<u8> {
    standard_object(serde_json::json!("3600"))
        .to_string()
        .into_bytes()
}

/// GenAuth's V3 envelope around the token object, with `expire_in` and a lower-case
/// `bearer`, as the QR-ticket exchange answers.
pub fn genauth_body() -> Vec<u8> {
    let mut data = standard_object(serde_json::json!(null));
    let object = data.as_object_mut().expect("an object");
    object.remove("expires_in");
    object.insert("expire_in".into(), serde_json::json!(3600));
    object.insert("token_type".into(), serde_json::json!("bearer"));
    serde_json::json!({
        "statusCode": 200,
        "message": "success",
        "apiCode": 0,
        "requestId": "7f3c1a2b-4d5e-6f70-8192-a3b4c5d6e7f8",
        "data": data,
    })
    .to_string()
    .into_bytes()
}

/// `body` as the answer of a successful token request, as the parsers receive it.
pub fn http_response(body: &[u8]) -> HttpResponse {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    HttpResponse::new(
        Url::parse(ENDPOINT).expect("a valid URL"),
        200,
        headers,
        body.to_vec(),
    )
}

/// What a caller who skips every lenient rule would deserialize: the plain serde baseline.
#[derive(Debug, Deserialize)]
pub struct PlainToken {
    /// The access token.
    pub access_token: String,
    /// The token type, as sent.
    pub token_type: String,
    /// The lifetime in seconds, when it is an integer.
    pub expires_in: Option<u64>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The scope string, unsplit.
    pub scope: Option<String>,
}

/// Starts the loopback token server on its own thread and runtime, so that its work does not
/// queue behind the contenders' tasks, and returns its address. Every `POST /token` gets the
/// standard body; the server checks nothing, so each contender pays only for its own side.
pub fn start_server() -> SocketAddr {
    start_counting_server().0
}

/// [`start_server`], with the number of requests it has answered so far.
pub fn start_counting_server() -> (SocketAddr, Arc<AtomicU64>) {
    let body = axum::body::Bytes::from(standard_body());
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let app = Router::new().route(
                "/token",
                post(move || {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let body = body.clone();
                    async move { ([(CONTENT_TYPE, "application/json")], body) }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            tx.send(listener.local_addr().expect("an address"))
                .expect("the caller waits");
            axum::serve(listener, app).await.expect("the server runs");
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server starts");
    (addr, requests)
}

/// The token endpoint URL of the server at `addr`.
pub fn token_url(addr: SocketAddr) -> String {
    format!("http://{addr}/token")
}

/// tokenbridge's contender: a standard [`Provider`] with `client_secret_basic`, on a
/// connection pool of its own.
pub fn tokenbridge_exchanger(addr: SocketAddr) -> Arc<Provider> {
    let http = HttpClient::new(HttpConfig::default()).expect("an HTTP client");
    Arc::new(
        Provider::builder("bench")
            .token_endpoint(token_url(addr))
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .auth_method(AuthMethod::ClientSecretBasic)
            .http_client(http)
            .build()
            .expect("a valid configuration"),
    )
}

/// One client-credentials exchange through tokenbridge.
pub async fn tokenbridge_exchange(exchanger: &Provider) -> TokenSet {
    exchanger
        .exchange(Grant::client_credentials())
        .await
        .expect("the exchange succeeds")
}

/// The hand-written reqwest baseline: what a careful caller writes without a library. The
/// Basic header and URL are built once; each request sends the form body, reads the bytes
/// and deserializes [`PlainToken`].
#[derive(Debug, Clone)]
pub struct Baseline {
    client: reqwest::Client,
    url: Url,
    authorization: HeaderValue,
    timeout: Option<Duration>,
}

impl Baseline {
    /// A baseline client for the server at `addr`, with its own connection pool.
    pub fn new(addr: SocketAddr) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let mut authorization = HeaderValue::from_str(&format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        ))
        .expect("a header value");
        authorization.set_sensitive(true);
        Self {
            client,
            url: Url::parse(&token_url(addr)).expect("a URL"),
            authorization,
            timeout: None,
        }
    }

    /// The same with a total timeout per request, as tokenbridge always sets: shows what the
    /// timer alone costs.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// One client-credentials exchange.
    pub async fn exchange(&self) -> PlainToken {
        let mut request = self.client.post(self.url.clone());
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let bytes = request
            .header(AUTHORIZATION, self.authorization.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("the request succeeds")
            .bytes()
            .await
            .expect("the body arrives");
        serde_json::from_slice(&bytes).expect("a token answer")
    }
}

/// The peak resident set size of this process so far (`VmHWM` in `/proc/self/status`), in
/// KiB; `None` where that file does not exist (not Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Timings of several contenders measured in interleaved rounds: in each round every
/// contender runs one batch, in an order that rotates from round to round, so that a burst
/// of load from elsewhere on the machine hits all of them alike instead of whichever happened
/// to run then. Criterion measures one contender after another, which on a shared machine
/// can move a ratio by more than the difference being measured.
#[derive(Debug, Clone)]
pub struct Interleaved {
    names: Vec<String>,
    /// `times[round][contender]`: the batch's wall time.
    times: Vec<Vec<Duration>>,
}

impl Interleaved {
    /// Runs `rounds` rounds; `run(i)` runs one batch of contender `i` and returns its time.
    pub fn measure(names: &[&str], rounds: usize, mut run: impl FnMut(usize) -> Duration) -> Self {
        let n = names.len();
        let mut times = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let mut row = vec![Duration::ZERO; n];
            for k in 0..n {
                let i = (round + k) % n;
                row[i] = run(i);
            }
            times.push(row);
        }
        Self {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            times,
        }
    }

    /// The median batch time of contender `i`.
    pub fn median(&self, i: usize) -> Duration {
        let mut t: Vec<Duration> = self.times.iter().map(|row| row[i]).collect();
        t.sort();
        t[t.len() / 2]
    }

    /// The median over rounds of `time(i) / time(reference)`: how many times longer `i`
    /// takes. Per-round ratios cancel load that both saw.
    pub fn time_ratio(&self, i: usize, reference: usize) -> f64 {
        let r = self.sorted_ratios(i, reference);
        r[r.len() / 2]
    }

    /// The per-round ratios `time(i) / time(reference)`, in increasing order.
    fn sorted_ratios(&self, i: usize, reference: usize) -> Vec<f64> {
        let mut r: Vec<f64> = self
            .times
            .iter()
            .map(|row| row[i].as_secs_f64() / row[reference].as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        r
    }

    /// The lower quartile, median and upper quartile over rounds of `time(i) /
    /// time(reference)`: the middle half of the rounds lies between the first and the last.
    pub fn time_ratio_quartiles(&self, i: usize, reference: usize) -> [f64; 3] {
        let r = self.sorted_ratios(i, reference);
        let at = |q: usize| r[(r.len() - 1) * q / 4];
        [at(1), at(2), at(3)]
    }

    /// One line per contender other than `reference`: the median of its per-round time ratio
    /// against `reference` and the middle half of the rounds, so a reader sees how far the
    /// median could move from run to run.
    pub fn spread(&self, reference: usize) -> String {
        let mut out = String::new();
        for (i, name) in self.names.iter().enumerate() {
            if i == reference {
                continue;
            }
            let [q1, median, q3] = self.time_ratio_quartiles(i, reference);
            out.push_str(&format!(
                "- {name} / {}: median {median:.2}x, middle half of the rounds {q1:.2}x to {q3:.2}x\n",
                self.names[reference]
            ));
        }
        out
    }

    /// A Markdown table: each contender's median batch time and its time ratio against
    /// every contender; `unit` names what one batch is.
    pub fn table(&self, title: &str, unit: &str) -> String {
        let mut out = format!(
            "\n### {title} ({} rounds, median; {unit})\n\n",
            self.times.len()
        );
        out.push_str("| contender | median time |");
        for name in &self.names {
            out.push_str(&format!(" time / {name} |"));
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---|".repeat(self.names.len()));
        out.push('\n');
        for (i, name) in self.names.iter().enumerate() {
            out.push_str(&format!("| {name} | {:?} |", self.median(i)));
            for j in 0..self.names.len() {
                out.push_str(&format!(" {:.2}x |", self.time_ratio(i, j)));
            }
            out.push('\n');
        }
        out
    }
}

/// Whether the bench binary was started by `cargo bench` to measure (not by `cargo test
/// --benches` to smoke-test, nor to list benchmarks): the interleaved rounds run only then.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list" || a == "--test")
}
