//! The transport seam: a closure as the transport, with no socket, and the safe defaults core
//! enforces around any transport (URL checks first, no redirects, the body cap while reading,
//! the total timeout).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, USER_AGENT};
use http::{Method, Request, Response};
use secrecy::{ExposeSecret, SecretString};
use tokenbridge_core::DEFAULT_USER_AGENT;
use tokenbridge_core::{
    transport_fn, AuthMethod, BodyEncoding, Error, Grant, HttpClient, HttpConfig, Provider,
    ResponseBody, TokenExchanger, TokenRequest, TransportError, TransportKind, Url,
};

/// The requests a closure transport saw.
type Seen = Arc<Mutex<Vec<Request<Vec<u8>>>>>;

/// A client whose transport records each request and answers with `answer()`.
fn recording<B: Into<ResponseBody> + 'static>(
    config: HttpConfig,
    answer: impl Fn() -> Result<Response<B>, TransportError> + Send + Sync + 'static,
) -> (HttpClient, Seen) {
    let seen = Seen::default();
    let log = Arc::clone(&seen);
    let answer = Arc::new(answer);
    let client = HttpClient::with_transport(
        transport_fn(move |request: Request<Vec<u8>>| {
            log.lock().unwrap().push(request);
            let answer = Arc::clone(&answer);
            async move { answer() }
        }),
        config,
    );
    (client, seen)
}

fn json(status: u16, body: &'static str) -> Result<Response<&'static str>, TransportError> {
    Ok(Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap())
}

fn token_request(endpoint: &str) -> TokenRequest {
    let mut request = TokenRequest::post(Url::parse(endpoint).unwrap(), BodyEncoding::Form);
    request
        .param("grant_type", "authorization_code")
        .secret_param("code", &SecretString::from("one-time-code"));
    request
}

#[tokio::test]
async fn a_code_is_exchanged_through_a_closure_with_no_socket() {
    let (http, seen) = recording(HttpConfig::default(), || {
        json(
            200,
            r#"{"access_token":"at-1","token_type":"Bearer","expires_in":300,"refresh_token":"rt-1"}"#,
        )
    });
    let provider = Provider::builder("corp")
        .token_endpoint("https://id.example.com/oauth2/token")
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .auth_method(AuthMethod::ClientSecretPost)
        .http_client(http)
        .build()
        .unwrap();
    let tokens = provider
        .exchange(Grant::authorization_code(
            "the-code",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at-1");
    assert_eq!(
        tokens.refresh_token().map(|t| t.expose_secret()),
        Some("rt-1")
    );
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(300)));

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "sent once");
    let request = &seen[0];
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://id.example.com/oauth2/token"
    );
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    assert_eq!(
        headers,
        [
            (
                CONTENT_TYPE.to_string(),
                "application/x-www-form-urlencoded".to_owned()
            ),
            (USER_AGENT.to_string(), DEFAULT_USER_AGENT.to_owned()),
        ]
    );
    assert_eq!(
        String::from_utf8(request.body().clone()).unwrap(),
        "grant_type=authorization_code&code=the-code\
         &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&client_id=app&client_secret=s3cret"
    );
}

#[tokio::test]
async fn a_get_carries_its_parameters_in_the_query_and_a_hooks_user_agent_wins() {
    let (http, seen) = recording(HttpConfig::default(), || json(200, "{}"));
    let mut request = TokenRequest::get(Url::parse("https://id.example.com/userinfo").unwrap());
    request.param("lang", "en");
    request
        .header(USER_AGENT, "acme-agent/1", false)
        .unwrap()
        .header(ACCEPT, "application/json", false)
        .unwrap();
    let response = http.send(&request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), b"{}");
    assert_eq!(
        response.endpoint().as_str(),
        "https://id.example.com/userinfo"
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].method(), Method::GET);
    assert_eq!(
        seen[0].uri().to_string(),
        "https://id.example.com/userinfo?lang=en"
    );
    assert_eq!(seen[0].headers()[USER_AGENT], "acme-agent/1");
    assert_eq!(seen[0].headers()[ACCEPT], "application/json");
    assert!(!seen[0].headers().contains_key(CONTENT_TYPE));
    assert!(seen[0].body().is_empty());
}

#[tokio::test]
async fn urls_are_checked_before_any_transport_sees_them() {
    let (http, seen) = recording(HttpConfig::default(), || json(200, "{}"));
    for endpoint in [
        "http://id.example.com/token",
        "https://user:hunter2@id.example.com/token",
        "ftp://id.example.com/token",
    ] {
        let err = http.send(&token_request(endpoint)).await.unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "endpoint"),
            "{endpoint}: {err:?}"
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        0,
        "a request reached the transport"
    );
    // Loopback may use http.
    http.send(&token_request("http://127.0.0.1:9/token"))
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_redirect_from_any_transport_is_an_error_with_its_location_scrubbed() {
    for status in [301u16, 302, 303, 307, 308] {
        let (http, _seen) = recording(HttpConfig::default(), move || {
            Ok(Response::builder()
                .status(status)
                .header(
                    LOCATION,
                    "https://evil.example/cb?code=one-time-code&state=s",
                )
                .body("")
                .unwrap())
        });
        let endpoint = "https://id.example.com/token";
        let err = http.send(&token_request(endpoint)).await.unwrap_err();
        match &err {
            Error::Redirected {
                endpoint: e,
                status: s,
                location,
            } => {
                assert_eq!(e, endpoint);
                assert_eq!(*s, status);
                assert_eq!(
                    location.as_deref(),
                    Some("https://evil.example/cb?code=[redacted]&state=s")
                );
            }
            other => panic!("{status}: expected Redirected, got {other:?}"),
        }
        assert!(!err.to_string().contains("one-time-code"), "{err}");
    }
}

#[tokio::test]
async fn a_whole_body_over_the_cap_is_refused() {
    let config = HttpConfig::default().with_max_body_bytes(16);
    let (http, _seen) = recording(config.clone(), || {
        Ok(Response::builder()
            .status(200)
            .body(vec![b'x'; 17])
            .unwrap())
    });
    let err = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ResponseTooLarge { endpoint, limit: 16 } if endpoint == "https://id.example.com/token"),
        "{err:?}"
    );

    let (http, _seen) = recording(config, || {
        Ok(Response::builder()
            .status(200)
            .body(vec![b'x'; 16])
            .unwrap())
    });
    let response = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap();
    assert_eq!(response.body(), [b'x'; 16]);
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let (http, _seen) = recording(HttpConfig::default().with_max_body_bytes(100), move || {
        let counter = Arc::clone(&counter);
        let body = stream::repeat_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(vec![b'x'; 10])
        });
        Ok(Response::builder()
            .status(200)
            .header(CONTENT_LENGTH, "1000000")
            .body(ResponseBody::from_stream(body))
            .unwrap())
    });
    let err = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 100, .. }),
        "{err:?}"
    );
    assert_eq!(pulled.load(Ordering::SeqCst), 0, "the body was read");
}

#[tokio::test]
async fn an_endless_stream_is_cut_off_at_the_cap() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let (http, _seen) = recording(HttpConfig::default().with_max_body_bytes(100), move || {
        let counter = Arc::clone(&counter);
        let body = stream::repeat_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(vec![b'x'; 10])
        });
        Ok(Response::builder()
            .status(200)
            .body(ResponseBody::from_stream(body))
            .unwrap())
    });
    let err = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 100, .. }),
        "{err:?}"
    );
    // Ten chunks fill the cap; the eleventh passes it and nothing more is read.
    assert_eq!(pulled.load(Ordering::SeqCst), 11);
}

#[tokio::test]
async fn chunks_of_a_stream_make_one_body() {
    let (http, _seen) = recording(HttpConfig::default(), || {
        let chunks = ["{\"access", "_token\":", "\"at\"}"].map(|c| Ok(c.as_bytes().to_vec()));
        Ok(Response::builder()
            .status(200)
            .body(ResponseBody::from_stream(stream::iter(chunks)))
            .unwrap())
    });
    let response = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap();
    assert_eq!(response.body(), br#"{"access_token":"at"}"#);
}

#[tokio::test(start_paused = true)]
async fn a_transport_that_never_answers_hits_the_total_timeout() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let http = HttpClient::with_transport(
        transport_fn(move |_request: Request<Vec<u8>>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                std::future::pending::<()>().await;
                json(200, "{}")
            }
        }),
        HttpConfig::default().with_timeout(Duration::from_secs(5)),
    );
    let started = tokio::time::Instant::now();
    let err = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Timeout);
            assert_eq!(t.endpoint, "https://id.example.com/token");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(calls.load(Ordering::SeqCst), 1, "retried");
}

#[tokio::test(start_paused = true)]
async fn a_body_that_stalls_hits_the_total_timeout() {
    let (http, _seen) = recording(
        HttpConfig::default().with_timeout(Duration::from_secs(5)),
        || {
            let body = stream::iter([Ok(b"{".to_vec())]).chain(stream::pending());
            Ok(Response::builder()
                .status(200)
                .body(ResponseBody::from_stream(body))
                .unwrap())
        },
    );
    let started = tokio::time::Instant::now();
    let err = http
        .send(&token_request("https://id.example.com/token"))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportKind::Timeout),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_transport_error_names_the_endpoint_and_never_the_credentials() {
    let (http, _seen) = recording::<Vec<u8>>(HttpConfig::default(), || {
        Err(TransportError::new(
            TransportKind::Connect,
            "refused while sending code=the-code and secret s3cret",
        ))
    });
    let provider = Provider::builder("corp")
        .token_endpoint("https://id.example.com/oauth2/token")
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .auth_method(AuthMethod::ClientSecretPost)
        .http_client(http)
        .build()
        .unwrap();
    let err = provider
        .exchange(Grant::authorization_code(
            "the-code",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Connect);
            assert_eq!(t.endpoint, "https://id.example.com/oauth2/token");
            assert!(!t.may_have_been_sent());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("the-code"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

use futures_util::StreamExt as _;
