//! An outside adapter's conformance run, as it builds with `default-features = false`: no
//! emulator of the testkit, only the recording server, a token endpoint of the adapter's own
//! and a `ConformanceTarget` over it. `cargo test -p tokenbridge-testkit --no-default-features`
//! runs this file with every emulator left out.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use tokenbridge_core::{PkceVerifier, Provider, SecretString};
use tokenbridge_testkit::conformance::{CheckFailure, IssuedCode};
use tokenbridge_testkit::{
    any_loopback_port, run_all, ConformanceTarget, EmulatorServer, Recorder, Reply,
};

const CLIENT_ID: &str = "outside-app";
const CLIENT_SECRET: &str = "outside-secret";
const TOKEN_PATH: &str = "/token";
const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The books of a minimal RFC 6749 token endpoint: one-time codes with their S256 challenge,
/// and the refresh tokens issued.
#[derive(Default)]
struct Books {
    codes: Mutex<HashMap<String, Option<String>>>,
    refresh_tokens: Mutex<HashSet<String>>,
    counter: AtomicU64,
}

impl Books {
    fn next(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    fn tokens(&self) -> Reply {
        let refresh = self.next("rt-");
        self.refresh_tokens.lock().unwrap().insert(refresh.clone());
        Reply::json(
            200,
            json!({
                "access_token": self.next("at-"),
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": refresh,
            }),
        )
    }

    fn answer(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        let params: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let basic = format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        let by_header = headers
            .get("authorization")
            .is_some_and(|v| v.as_bytes() == basic.as_bytes());
        let by_body = params.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && params.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
        if !(by_header || by_body) {
            return Reply::oauth_error(401, "invalid_client", "client authentication failed");
        }
        let invalid_grant = || Reply::oauth_error(400, "invalid_grant", "grant is invalid");
        match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let code = params.get("code").cloned().unwrap_or_default();
                // Spent by this request whatever happens next.
                let Some(challenge) = self.codes.lock().unwrap().remove(&code) else {
                    return invalid_grant();
                };
                if params.get("redirect_uri").map(String::as_str) != Some(REDIRECT_URI) {
                    return invalid_grant();
                }
                if let Some(challenge) = challenge {
                    let sent = params
                        .get("code_verifier")
                        .and_then(|v| PkceVerifier::new(v.clone()).ok())
                        .map(|v| v.s256_challenge());
                    if sent.as_ref() != Some(&challenge) {
                        return invalid_grant();
                    }
                }
                self.tokens()
            }
            Some("refresh_token") => {
                let token = params.get("refresh_token").cloned().unwrap_or_default();
                if !self.refresh_tokens.lock().unwrap().remove(&token) {
                    return invalid_grant();
                }
                self.tokens()
            }
            _ => Reply::oauth_error(400, "unsupported_grant_type", "unsupported grant_type"),
        }
    }
}

/// The adapter's own target: it mints credentials in its books and counts token requests in
/// the recording server's log.
struct OutsideTarget {
    books: Arc<Books>,
    recorder: Recorder,
}

impl ConformanceTarget for OutsideTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        let code = self.books.next("code-");
        self.books
            .codes
            .lock()
            .unwrap()
            .insert(code.clone(), code_challenge);
        Some(IssuedCode {
            code,
            redirect_uri: REDIRECT_URI.into(),
        })
    }

    fn issue_refresh_token(&self) -> Option<String> {
        let token = self.books.next("rt-");
        self.books
            .refresh_tokens
            .lock()
            .unwrap()
            .insert(token.clone());
        Some(token)
    }

    fn token_request_count(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| r.path == TOKEN_PATH)
            .count()
    }
}

#[tokio::test]
async fn an_outside_token_endpoint_passes_every_check_that_applies() -> Result<(), CheckFailure> {
    let books = Arc::new(Books::default());
    let served = Arc::clone(&books);
    let server = EmulatorServer::start(any_loopback_port(), move |_| {
        Router::new().route(
            TOKEN_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let books = Arc::clone(&served);
                async move { books.answer(&headers, &body) }
            }),
        )
    })
    .await
    .unwrap();
    let provider = Provider::builder("outside")
        .token_endpoint(format!("{}{TOKEN_PATH}", server.base()))
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .build()
        .unwrap();
    let target = OutsideTarget {
        books,
        recorder: server.recorder(),
    };

    let report = run_all(Arc::new(provider), &target).await?;

    assert_eq!(
        report.passed,
        [
            "code_exchange",
            "code_is_one_time",
            "pkce",
            "refresh",
            "bad_refresh_token",
            "object_safe",
        ],
        "{report:?}"
    );
    // The endpoint has no extension grant to mint, and a generic provider supports every
    // grant, so there is none to refuse.
    assert_eq!(
        report.skipped,
        ["one_time_extension", "unsupported_grant"],
        "{report:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_token_endpoint_that_forgets_codes_fails_by_name() {
    let books = Arc::new(Books::default());
    let server = EmulatorServer::start(any_loopback_port(), move |_| {
        Router::new().route(
            TOKEN_PATH,
            // Every code works, however often: the one-time check must name the fault.
            post(|| async {
                Reply::json(
                    200,
                    json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600}),
                )
            }),
        )
    })
    .await
    .unwrap();
    let provider = Provider::builder("forgetful")
        .token_endpoint(format!("{}{TOKEN_PATH}", server.base()))
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .build()
        .unwrap();
    let target = OutsideTarget {
        books,
        recorder: server.recorder(),
    };

    let failure = run_all(Arc::new(provider), &target).await.unwrap_err();

    assert_eq!(failure.check, "code_is_one_time");
    assert_eq!(failure.message, "a used code was accepted a second time");
}
