//! Regression tests for the hostile-input classes of issue 13, section 2, each seen end to end
//! where it can be: a loopback stub plays the provider (or the attacker), the library is used
//! as an application would use it.

mod support;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use secrecy::SecretString;
use serde_json::json;
use support::{closed_port, http_response, read_request, stub_reply, stub_silent};
use tokenbridge_core::parse_standard_response;
use tokenbridge_core::{parse_base_url, parse_secure_url, MAX_IDLE_PER_HOST};
use tokenbridge_core::{
    AuthMethod, BodyEncoding, Error, Grant, HttpClient, HttpConfig, HttpResponse, PkceVerifier,
    Provider, RetryAfter, TokenExchanger, TokenRequest, TransportKind, Url,
};

const REDIRECT: &str = "http://127.0.0.1/callback";

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    let mut map = HeaderMap::new();
    map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in headers {
        map.insert(
            http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    HttpResponse::new(
        Url::parse("https://id.example.com/token").unwrap(),
        status,
        map,
        body.to_owned(),
    )
}

/// Display, alternate Display, Debug and pretty Debug of an error, in one text.
fn shown(error: &Error) -> String {
    format!("{error}\n{error:#}\n{error:?}\n{error:#?}")
}

// ---------------------------------------------------------------------------------------------
// Discovery without `issuer`

#[tokio::test]
async fn a_discovery_document_without_issuer_gets_no_code() {
    let (token, token_requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at","token_type":"Bearer"}"#,
    ));
    for document in [
        json!({"token_endpoint": format!("http://{token}/token")}),
        json!({"issuer": null, "token_endpoint": format!("http://{token}/token")}),
    ] {
        let (discovery, _) = stub_reply(http_response(
            "200 OK",
            &[("content-type", "application/json")],
            document.to_string().as_bytes(),
        ));
        let provider = Provider::builder("no-issuer")
            .discovery_url(format!(
                "http://{discovery}/.well-known/openid-configuration"
            ))
            .client_id("client")
            .client_secret(SecretString::from("client-secret"))
            .build()
            .unwrap();
        let err = provider
            .exchange(Grant::authorization_code("one-time-code", REDIRECT))
            .await
            .unwrap_err();
        match &err {
            Error::UnreadableResponse(u) => assert!(u.reason.contains("issuer"), "{err}"),
            other => panic!("{document}: expected UnreadableResponse, got {other:?}"),
        }
        assert_eq!(
            token_requests.try_iter().count(),
            0,
            "{document}: the code was sent to the document's token endpoint"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrent first calls while discovery hangs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_calls_while_discovery_hangs_each_keep_their_own_timeout() {
    // The discovery endpoint accepts and never answers.
    let (discovery, _) = stub_silent(Duration::from_secs(120));
    // Long enough that ten timeouts in a row (20 s) stand far apart from one (2 s), even on a
    // loaded machine.
    let timeout = Duration::from_secs(2);
    let provider = Provider::builder("hanging")
        .discovery_url(format!(
            "http://{discovery}/.well-known/openid-configuration"
        ))
        .client_id("client")
        .client_secret(SecretString::from("client-secret"))
        .http_client(HttpClient::new(HttpConfig::default().with_timeout(timeout)).unwrap())
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = (0..10).map(|_| {
        let provider = provider.clone();
        tokio::spawn(async move {
            let result = provider.token_endpoint().await;
            (result, started.elapsed())
        })
    });
    let results = futures_util::future::join_all(calls).await;
    for result in results {
        let (result, elapsed) = result.unwrap();
        let err = result.unwrap_err();
        assert_eq!(err.kind(), tokenbridge_core::ErrorKind::Timeout, "{err}");
        // Queued behind one another, the tenth caller would wait ten timeouts (20 s).
        assert!(
            elapsed < Duration::from_secs(12),
            "a caller waited {elapsed:?} with a {timeout:?} timeout"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// URLs in configuration errors

#[test]
fn configured_urls_never_show_their_credentials_or_query() {
    let cases: &[(&str, &str)] = &[
        ("user:pa55w0rd-in-url@id.example.com", "pa55w0rd-in-url"),
        (
            "user:pa55w0rd-in-url@id.example.com/path",
            "pa55w0rd-in-url",
        ),
        (
            "https://user:pa55w0rd-in-url@id.example.com/",
            "pa55w0rd-in-url",
        ),
        (
            "https://user:pa55w0rd-in-url@id.example.com/?secret=query-s3cret",
            "query-s3cret",
        ),
        (
            "http://id.example.com/token?secret=query-s3cret",
            "query-s3cret",
        ),
        (
            "ftp://id.example.com/token?secret=query-s3cret",
            "query-s3cret",
        ),
        (
            "https://id.example.com/token?secret=query-s3cret#frag-s3cret",
            "frag-s3cret",
        ),
        ("not a url?secret=query-s3cret", "query-s3cret"),
    ];
    for (value, secret) in cases {
        let mut errors = Vec::new();
        if let Err(e) = parse_secure_url(value, "token_endpoint") {
            errors.push(e);
        }
        if let Err(e) = parse_base_url(value, "base_url", "https://id.example.com") {
            errors.push(e);
        }
        for build in [
            Provider::builder("p").issuer(*value),
            Provider::builder("p").token_endpoint(*value),
            Provider::builder("p").discovery_url(*value),
        ] {
            if let Err(e) = build
                .client_id("client")
                .client_secret(SecretString::from("client-secret"))
                .build()
            {
                errors.push(e);
            }
        }
        assert!(!errors.is_empty(), "{value} was accepted");
        for error in &errors {
            let text = shown(error);
            assert!(!text.contains(secret), "{value}: {text}");
        }
    }
    // The host is still named, so the message stays useful.
    let err = parse_secure_url("user:pa55w0rd-in-url@id.example.com", "issuer").unwrap_err();
    assert!(err.to_string().contains("id.example.com"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Echoed credentials

/// A deterministic string of `len` characters from `alphabet`, varied enough that no
/// 20-character piece of it appears anywhere by chance.
fn pseudo_random(seed: u64, len: usize, alphabet: &str) -> String {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[(state >> 33) as usize % alphabet.len()]
        })
        .collect()
}

/// Every 20-character piece of `text`.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(20)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

fn form(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A stub answering each request with `respond(head, body)`, connections served in parallel.
fn echo_stub(
    respond: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static,
) -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let respond = Arc::new(respond);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let respond = Arc::clone(&respond);
            let tx = tx.clone();
            thread::spawn(move || {
                let raw = String::from_utf8_lossy(&read_request(&mut stream)).into_owned();
                let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
                let _ = stream.write_all(&respond(head, body));
                let _ = tx.send(raw.clone());
            });
        }
    });
    (addr, rx)
}

fn header_value<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_credentials_never_survive_in_an_error_not_even_in_part() {
    // Long, so that a snippet cut at 200 characters falls in the middle of them; with `:`, `+`,
    // `/`, `%` and a space, so that raw, form-encoded and Basic spellings all differ.
    let secret = pseudo_random(
        1,
        260,
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789:+/% ",
    );
    let code = pseudo_random(
        2,
        240,
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+/% ",
    );
    let verifier = pseudo_random(
        3,
        120,
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-._~",
    );
    type Echo = fn(&str, &str) -> Vec<u8>;
    let echoes: Vec<(&str, Echo)> = vec![
        ("a JSON string holding the form body", |_, body| {
            let body = json!({ "received": body }).to_string();
            http_response(
                "200 OK",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("an error_description holding the form body", |_, body| {
            let body = json!({ "error": "invalid_request", "error_description": body }).to_string();
            http_response(
                "400 Bad Request",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("an echoed Authorization header", |head, _| {
            let auth = header_value(head, "authorization");
            let body = json!({
                "error": "invalid_client",
                "error_description": format!("bad credentials in Authorization: {auth}"),
                "error_uri": format!("https://id.example.com/help?h={auth}"),
            })
            .to_string();
            http_response(
                "401 Unauthorized",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("the Basic credentials decoded", |head, _| {
            let auth = header_value(head, "authorization").trim_start_matches("Basic ");
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth)
                .unwrap();
            let body = json!({
                "error": "invalid_client",
                "error_description": format!("no client {}", String::from_utf8(decoded).unwrap()),
            })
            .to_string();
            http_response(
                "401 Unauthorized",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("an error code holding the body", |_, body| {
            let body = json!({ "error": body }).to_string();
            http_response(
                "400 Bad Request",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("keys tokenbridge did not know", |_, body| {
            let pairs: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
            let body = json!({
                "authorization_code": pairs.get("code"),
                "pkce_verifier": pairs.get("code_verifier"),
                "qrcode_ticket": pairs.get("code"),
                "echo_of_code": pairs.get("code"),
            })
            .to_string();
            http_response(
                "200 OK",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("a bare JSON string body", |_, body| {
            let body = serde_json::Value::String(body.to_owned()).to_string();
            http_response(
                "400 Bad Request",
                &[("content-type", "application/json")],
                body.as_bytes(),
            )
        }),
        ("the raw request as text", |head, body| {
            let body = format!("{head}\r\n\r\n{body}");
            http_response(
                "400 Bad Request",
                &[("content-type", "text/plain")],
                body.as_bytes(),
            )
        }),
        ("a Location path holding the code", |_, body| {
            let code = body
                .split('&')
                .find_map(|p| p.strip_prefix("code="))
                .unwrap_or("")
                .to_owned();
            let location = format!("http://127.0.0.1/cb/{code}/next");
            http_response("302 Found", &[("location", &location)], b"")
        }),
    ];
    for (what, echo) in echoes {
        let (addr, requests) = echo_stub(echo);
        let provider = Provider::builder("echo")
            .token_endpoint(format!("http://{addr}/token"))
            .client_id("client:id")
            .client_secret(SecretString::from(secret.clone()))
            .auth_method(AuthMethod::ClientSecretBasic)
            .build()
            .unwrap();
        let grant = Grant::authorization_code(code.clone(), REDIRECT)
            .with_pkce_verifier(PkceVerifier::new(verifier.clone()).unwrap());
        let err = provider.exchange(grant).await.unwrap_err();
        let raw = requests.recv_timeout(Duration::from_secs(5)).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let authorization = header_value(head, "authorization")
            .trim_start_matches("Basic ")
            .to_owned();
        // The credentials were on the wire, in all their spellings.
        assert!(body.contains(&form(&code)), "{what}: {body}");
        assert!(!authorization.is_empty(), "{what}: {head}");
        let text = shown(&err);
        for value in [
            &secret,
            &code,
            &verifier,
            &form(&secret),
            &form(&code),
            &authorization,
        ] {
            for piece in pieces(value) {
                assert!(
                    !text.contains(&piece),
                    "{what}: a piece of a credential ({piece:?}) survives in {text}"
                );
            }
        }
    }
}

#[tokio::test]
async fn short_client_secrets_echoed_by_the_server_are_redacted() {
    // Secrets of 4 to 32 characters: too short to look like tokens, still credentials.
    for secret in ["k7Q!", "k7Q-pz8w", "Zq81-short-app-secret-of-32-char"] {
        for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
            let (addr, requests) = echo_stub(|head, body| {
                let post: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(body.as_bytes())
                        .into_owned()
                        .collect();
                let basic = header_value(head, "authorization").trim_start_matches("Basic ");
                let basic = base64::engine::general_purpose::STANDARD
                    .decode(basic)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|b| b.split_once(':').map(|(_, s)| s.to_owned()));
                let echoed = post.get("client_secret").cloned().or(basic).unwrap();
                let body = json!({
                    "error": "invalid_client",
                    "error_description": format!("client secret {echoed} is not this app's"),
                })
                .to_string();
                http_response(
                    "401 Unauthorized",
                    &[("content-type", "application/json")],
                    body.as_bytes(),
                )
            });
            let provider = Provider::builder("echo")
                .token_endpoint(format!("http://{addr}/token"))
                .client_id("app")
                .client_secret(SecretString::from(secret))
                .auth_method(method)
                .build()
                .unwrap();
            let err = provider
                .exchange(Grant::client_credentials())
                .await
                .unwrap_err();
            requests.recv_timeout(Duration::from_secs(5)).unwrap();
            match &err {
                Error::OAuth(p) => assert_eq!(
                    p.description(),
                    Some("client secret [redacted] is not this app's"),
                    "{secret} {method:?}"
                ),
                other => panic!("{secret} {method:?}: {other:?}"),
            }
            let text = shown(&err);
            assert!(!text.contains(secret), "{secret} {method:?}: {text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Duplicate member names, blank or controlled access tokens

#[test]
fn answers_that_say_two_things_or_carry_unusable_tokens_are_unreadable() {
    for body in [
        r#"{"error":"invalid_grant","error":null}"#,
        r#"{"error":"invalid_grant","access_token":"a","error":null}"#,
        r#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":60,"expires_in":3600}"#,
        r#"{"access_token":"a","token_type":"Bearer","extra":{"k":1,"k":2}}"#,
        r#"{"access_token":"   ","token_type":"Bearer"}"#,
        "{\"access_token\":\"\\t\\n \",\"token_type\":\"Bearer\"}",
        r#"{"access_token":"a\u0000b","token_type":"Bearer"}"#,
        r#"{"access_token":"a\r\nX-Injected: 1","token_type":"Bearer"}"#,
        r#"{"access_token":"a\u001b[31mb","token_type":"Bearer"}"#,
    ] {
        for status in [200, 400] {
            match parse_standard_response(&answer(status, &[], body), "test") {
                Err(Error::UnreadableResponse(_)) => {}
                other => panic!("{status} {body}: expected UnreadableResponse, got {other:?}"),
            }
        }
    }
    // The same members once each are fine.
    parse_standard_response(
        &answer(200, &[], r#"{"access_token":"a b","token_type":"Bearer"}"#),
        "test",
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Retry-After

#[tokio::test]
async fn a_429_keeps_its_retry_after_seconds_or_date() {
    let date = "Wed, 21 Oct 2099 07:28:00 GMT";
    for (value, expected) in [
        ("7", RetryAfter::Delay(Duration::from_secs(7))),
        (
            date,
            RetryAfter::At(httpdate::parse_http_date(date).unwrap()),
        ),
    ] {
        for body in [
            &br#"{"error":"slow_down","error_description":"too many"}"#[..],
            &b"<html>Too Many Requests</html>"[..],
            &b""[..],
        ] {
            let (addr, _) = stub_reply(http_response(
                "429 Too Many Requests",
                &[("content-type", "application/json"), ("retry-after", value)],
                body,
            ));
            let provider = Provider::builder("limited")
                .token_endpoint(format!("http://{addr}/token"))
                .client_id("client")
                .client_secret(SecretString::from("client-secret"))
                .build()
                .unwrap();
            let err = provider
                .exchange(Grant::client_credentials())
                .await
                .unwrap_err();
            assert_eq!(err.retry_after(), Some(expected), "{value} {err:?}");
            assert!(err.is_retryable(), "{err:?}");
        }
    }
    // A parsed answer keeps it too.
    let err = parse_standard_response(
        &answer(
            429,
            &[(RETRY_AFTER.as_str(), "7")],
            r#"{"error":"slow_down"}"#,
        ),
        "t",
    )
    .unwrap_err();
    assert_eq!(
        err.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(7)))
    );
}

// ---------------------------------------------------------------------------------------------
// Connect timeout versus total timeout

/// A loopback listener whose accept queue is full, so that a new connection hangs in its
/// handshake: the kernel drops further SYNs. Returns the address and the connections that
/// fill the queue (kept open).
async fn full_backlog() -> (SocketAddr, tokio::net::TcpListener, Vec<TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let fillers = tokio::task::spawn_blocking(move || {
        let mut fillers = Vec::new();
        for _ in 0..16 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => fillers.push(s),
                Err(_) => break,
            }
        }
        fillers
    })
    .await
    .unwrap();
    (addr, listener, fillers)
}

#[tokio::test]
async fn a_connect_timeout_says_nothing_was_sent_a_total_timeout_says_it_may_have_been() {
    let (addr, _listener, _fillers) = full_backlog().await;
    let client = HttpClient::new(
        HttpConfig::default()
            .with_connect_timeout(Duration::from_secs(1))
            .with_timeout(Duration::from_secs(60)),
    )
    .unwrap();
    let mut request = TokenRequest::post(
        Url::parse(&format!("http://{addr}/token")).unwrap(),
        BodyEncoding::Form,
    );
    request.secret_param("code", &SecretString::from("one-time-code"));
    let started = Instant::now();
    let err = client.send(&request).await.unwrap_err();
    // The connect timeout, not the total one, ended it.
    assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::ConnectTimeout, "{err}"),
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert!(!err.may_have_been_sent(), "{err}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("not sent"), "{err}");
    assert!(!err.to_string().contains("may have reached"), "{err}");

    // Connected, then silence: the request was written, so it may have been received.
    let (addr, requests) = stub_silent(Duration::from_secs(120));
    let client = HttpClient::new(
        HttpConfig::default()
            .with_connect_timeout(Duration::from_secs(20))
            .with_timeout(Duration::from_secs(1)),
    )
    .unwrap();
    let mut request = TokenRequest::post(
        Url::parse(&format!("http://{addr}/token")).unwrap(),
        BodyEncoding::Form,
    );
    request.secret_param("code", &SecretString::from("one-time-code"));
    let err = client.send(&request).await.unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Timeout, "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.may_have_been_sent(), "{err}");
    assert!(err.to_string().contains("may have reached"), "{err}");
    assert!(requests.recv_timeout(Duration::from_secs(20)).is_ok());

    // Refused: not sent either.
    let addr = closed_port();
    let mut request = TokenRequest::post(
        Url::parse(&format!("http://{addr}/token")).unwrap(),
        BodyEncoding::Form,
    );
    request.secret_param("code", &SecretString::from("one-time-code"));
    let err = HttpClient::default().send(&request).await.unwrap_err();
    assert!(!err.may_have_been_sent(), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Idle connections after a burst

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_leaves_at_most_max_idle_per_host_connections_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // At least 50, and always more than the pool may keep, so the bound is what is tested.
    const BURST: usize = if MAX_IDLE_PER_HOST + 16 > 50 {
        MAX_IDLE_PER_HOST + 16
    } else {
        50
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let open = Arc::new(AtomicUsize::new(0));
    // The most connections open at once: read after the burst, `open` may already have dropped.
    let peak = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(AtomicUsize::new(0));
    let all_arrived = Arc::new(tokio::sync::Notify::new());
    {
        let (open, peak, arrived, all_arrived) = (
            Arc::clone(&open),
            Arc::clone(&peak),
            Arc::clone(&arrived),
            Arc::clone(&all_arrived),
        );
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let now_open = open.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now_open, Ordering::SeqCst);
                let (open, arrived, all_arrived) = (
                    Arc::clone(&open),
                    Arc::clone(&arrived),
                    Arc::clone(&all_arrived),
                );
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut pending = Vec::new();
                    loop {
                        let n = match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            pending.drain(..end + 4);
                            // Hold every answer until the whole burst is in, so that the
                            // client really opens one connection per request.
                            if arrived.fetch_add(1, Ordering::SeqCst) + 1 >= BURST {
                                all_arrived.notify_waiters();
                            } else {
                                let wait = all_arrived.notified();
                                if arrived.load(Ordering::SeqCst) < BURST {
                                    let _ =
                                        tokio::time::timeout(Duration::from_secs(5), wait).await;
                                }
                            }
                            let body = br#"{"ok":true}"#;
                            let head = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                                body.len()
                            );
                            if stream.write_all(head.as_bytes()).await.is_err()
                                || stream.write_all(body).await.is_err()
                            {
                                break;
                            }
                        }
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }
    let client = HttpClient::new(HttpConfig::default()).unwrap();
    let request = TokenRequest::get(Url::parse(&format!("http://{addr}/ping")).unwrap());
    let burst = (0..BURST).map(|_| {
        let client = client.clone();
        let request = request.clone();
        tokio::spawn(async move { client.send(&request).await.map(|r| r.status()) })
    });
    for result in futures_util::future::join_all(burst).await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        peak > MAX_IDLE_PER_HOST,
        "the burst used only {peak} connections"
    );
    // The pool closes what it will not keep as soon as each answer is read.
    let deadline = Instant::now() + Duration::from_secs(3);
    while open.load(Ordering::SeqCst) > MAX_IDLE_PER_HOST && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let left = open.load(Ordering::SeqCst);
    assert!(
        left <= MAX_IDLE_PER_HOST,
        "{left} connections still open after the burst (at most {MAX_IDLE_PER_HOST})"
    );
}

// ---------------------------------------------------------------------------------------------
// A callback with an empty code

#[tokio::test]
async fn a_callback_with_an_empty_code_sends_nothing() {
    let (token, token_requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at","token_type":"Bearer"}"#,
    ));
    let provider = Provider::builder("p")
        .token_endpoint(format!("http://{token}/token"))
        .client_id("client")
        .client_secret(SecretString::from("client-secret"))
        .build()
        .unwrap();
    for code in ["code=", "code=%20", "code=+++"] {
        let pending: tokenbridge_core::PendingLogin = serde_json::from_value(json!({
            "provider": "p",
            "state": "the-state",
            "code_verifier": "dBjftJeZ4CVP-mJ0-3cbB1k9Vq8sBGo4hSB0-Ie9KqW_0aQp",
            "redirect_uri": REDIRECT,
        }))
        .unwrap();
        let err = provider
            .complete_login(&format!("{REDIRECT}?state=the-state&{code}"), pending)
            .await
            .unwrap_err();
        match &err {
            Error::Callback(c) => {
                assert_eq!(**c, tokenbridge_core::CallbackError::MissingCode, "{code}")
            }
            other => panic!("{code}: expected a refused callback, got {other:?}"),
        }
    }
    assert_eq!(
        token_requests.try_iter().count(),
        0,
        "an empty code was sent"
    );
}
