//! One loopback server playing both parts: the provider's token endpoint (`/token`), which
//! issues `access-N` for the N-th refresh, and an API (`/api/orders`), a resource server that
//! accepts one access token and refuses the others with a configurable challenge.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::Router;
use tokenbridge_core::TokenSession;
use tokenbridge_core::{Provider, SecretString, TokenSet, TokenType};
use tokenbridge_testkit::{any_loopback_port, EmulatorServer, RecordedRequest};
use tokio::sync::Barrier;

pub const CLIENT_SECRET: &str = "client-secret-Vq7Rk2";

/// The challenge of a resource server that refuses an expired token (RFC 6750 section 3).
pub const INVALID_TOKEN: &str =
    r#"Bearer realm="orders", error="invalid_token", error_description="The access token expired""#;

/// The access token of the N-th issue (0: the sign-in).
pub fn access(n: usize) -> String {
    format!("access-{n}-Zq9xW4")
}

/// The refresh token of the N-th issue.
pub fn refresh(n: usize) -> String {
    format!("refresh-{n}-Pm3kT8")
}

/// Every secret any test hands to the fixture or gets from it.
pub fn secrets() -> Vec<String> {
    let mut all: Vec<String> = (0..3).flat_map(|n| [access(n), refresh(n)]).collect();
    all.push(CLIENT_SECRET.to_owned());
    all
}

/// Panics naming the secret when `text` holds one.
pub fn assert_no_secret(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "{what} shows a secret: {text}");
    }
}

#[derive(Default)]
struct Behaviour {
    /// The access token the API accepts; `None`: none.
    accepted: Option<String>,
    /// The `WWW-Authenticate` of a refusal; `None`: a 401 without one.
    challenge: Option<String>,
    /// Requests with the sign-in token wait here until all have arrived, then are refused.
    barrier: Option<Arc<Barrier>>,
    /// The token endpoint refuses the refresh token (`invalid_grant`), echoing it.
    refuse_refresh: bool,
}

type Shared = Arc<Mutex<Behaviour>>;

pub struct Fixture {
    pub server: EmulatorServer,
    behaviour: Shared,
}

impl Fixture {
    /// The API accepts `access(1)`, the token of the first refresh, and refuses the others with
    /// [`INVALID_TOKEN`].
    pub async fn start() -> Self {
        let behaviour: Shared = Arc::new(Mutex::new(Behaviour {
            accepted: Some(access(1)),
            challenge: Some(INVALID_TOKEN.to_owned()),
            ..Behaviour::default()
        }));
        let state = Arc::clone(&behaviour);
        let server = EmulatorServer::start(any_loopback_port(), move |_| {
            Router::new()
                .route("/token", post(token))
                .route("/api/orders", any(api))
                .with_state(state)
        })
        .await
        .unwrap();
        Self { server, behaviour }
    }

    pub fn accept(&self, token: Option<String>) -> &Self {
        self.behaviour.lock().unwrap().accepted = token;
        self
    }

    pub fn challenge(&self, challenge: Option<&str>) -> &Self {
        self.behaviour.lock().unwrap().challenge = challenge.map(str::to_owned);
        self
    }

    /// Holds back the refusals of the sign-in token until `n` requests carry it.
    pub fn hold_refusals_until(&self, n: usize) -> &Self {
        self.behaviour.lock().unwrap().barrier = Some(Arc::new(Barrier::new(n)));
        self
    }

    pub fn refuse_refresh(&self) -> &Self {
        self.behaviour.lock().unwrap().refuse_refresh = true;
        self
    }

    pub fn url(&self) -> String {
        format!("{}/api/orders", self.server.base())
    }

    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.server.requests_to("/api/orders")
    }

    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server.requests_to("/token")
    }

    /// The `Authorization` headers the API received, in order.
    pub fn authorizations(&self) -> Vec<String> {
        self.api_requests()
            .iter()
            .map(|r| r.header("authorization").unwrap_or("").to_owned())
            .collect()
    }

    pub fn provider(&self) -> Provider {
        Provider::builder("corp")
            .token_endpoint(format!("{}/token", self.server.base()))
            .client_id("app")
            .client_secret(SecretString::from(CLIENT_SECRET))
            .build()
            .unwrap()
    }

    /// A session signed in with `access(0)` and `refresh(0)`, valid for an hour.
    pub fn session(&self) -> TokenSession {
        let signed_in = TokenSet::new("corp", access(0), TokenType::Bearer)
            .with_refresh_token(Some(refresh(0)))
            .with_expires_in(Some(Duration::from_secs(3600)));
        TokenSession::new(Arc::new(self.provider()), signed_in)
    }
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn token(State(behaviour): State<Shared>, body: String) -> Response {
    let refuse = behaviour.lock().unwrap().refuse_refresh;
    let sent = url_param(&body, "refresh_token");
    if refuse {
        let description = format!("refresh token {sent} was revoked");
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "error": "invalid_grant",
                "error_description": description,
            })),
        )
            .into_response();
    }
    let n: usize = sent
        .strip_prefix("refresh-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
        + 1;
    axum::Json(serde_json::json!({
        "access_token": access(n),
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": refresh(n),
    }))
    .into_response()
}

fn url_param(body: &str, name: &str) -> String {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

async fn api(State(behaviour): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (accepted, challenge, barrier) = {
        let b = behaviour.lock().unwrap();
        (b.accepted.clone(), b.challenge.clone(), b.barrier.clone())
    };
    if accepted.is_some_and(|token| authorization == bearer(&token)) {
        return (StatusCode::OK, format!("orders for {body}")).into_response();
    }
    if let Some(barrier) = barrier.filter(|_| authorization == bearer(&access(0))) {
        barrier.wait().await;
    }
    let mut response = (StatusCode::UNAUTHORIZED, "refused").into_response();
    if let Some(challenge) = challenge {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge.parse().unwrap());
    }
    response
}
