//! The HTTP layer's safety rules, seen on the wire: the exact request bytes, the body cap
//! enforced while reading, redirects refused, timeouts and refused connections typed.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use support::{closed_port, http_response, stub, stub_reply, stub_silent_concurrent};
use tokenbridge_core::DEFAULT_USER_AGENT;
use tokenbridge_core::{
    BodyEncoding, Error, HttpClient, HttpConfig, TokenRequest, TransportKind, Url,
};

fn token_request(endpoint: &str) -> TokenRequest {
    let mut request = TokenRequest::post(Url::parse(endpoint).unwrap(), BodyEncoding::Form);
    request
        .param("grant_type", "authorization_code")
        .secret_param("code", &SecretString::from("one-time code"));
    request
}

fn client(config: HttpConfig) -> HttpClient {
    HttpClient::new(config).unwrap()
}

#[tokio::test]
async fn the_request_on_the_wire_is_exact() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at"}"#,
    ));
    let response = HttpClient::default()
        .send(&token_request(&format!("http://{addr}/oauth2/token")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), br#"{"access_token":"at"}"#);
    assert_eq!(response.content_type().as_deref(), Some("application/json"));

    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("POST /oauth2/token HTTP/1.1"));
    let mut headers: Vec<String> = lines.map(str::to_ascii_lowercase).collect();
    headers.sort();
    assert_eq!(
        headers,
        [
            "accept: */*".to_owned(),
            "content-length: 48".to_owned(),
            "content-type: application/x-www-form-urlencoded".to_owned(),
            format!("host: {addr}"),
            format!("user-agent: tokenbridge/{}", env!("CARGO_PKG_VERSION")),
        ]
    );
    assert_eq!(body, "grant_type=authorization_code&code=one-time+code");
    assert_eq!(
        DEFAULT_USER_AGENT,
        format!("tokenbridge/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_off_while_reading() {
    // Chunked, so there is no Content-Length to check first: only counting while reading
    // stops it.
    let (addr, _requests) = stub(|mut stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        );
        let chunk = format!("400\r\n{}\r\n", "a".repeat(0x400));
        // Until the client hangs up.
        while stream.write_all(chunk.as_bytes()).is_ok() {}
    });
    let endpoint = format!("http://{addr}/token");
    let started = Instant::now();
    let err = client(HttpConfig::default().with_max_body_bytes(64 * 1024))
        .send(&token_request(&endpoint))
        .await
        .unwrap_err();
    match err {
        Error::ResponseTooLarge { endpoint: e, limit } => {
            assert_eq!(e, endpoint);
            assert_eq!(limit, 64 * 1024);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    // Margins that hold on a loaded machine: the cap cuts the endless body at once.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    // The header promises 10 MB that never come: waiting for them would hit the timeout.
    let (addr, _requests) = stub(|mut stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10000000\r\n\r\n{");
        std::thread::sleep(Duration::from_secs(120));
    });
    let started = Instant::now();
    let err = client(HttpConfig::default().with_timeout(Duration::from_secs(60)))
        .send(&token_request(&format!("http://{addr}/token")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err:?}"
    );
    // Refused on the header: long before the 60 s timeout, however loaded the machine.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_body_at_the_cap_is_read() {
    let body = vec![b'x'; 1000];
    let (addr, _requests) = stub_reply(http_response("200 OK", &[], &body));
    let response = client(HttpConfig::default().with_max_body_bytes(1000))
        .send(&token_request(&format!("http://{addr}/token")))
        .await
        .unwrap();
    assert_eq!(response.body().len(), 1000);
}

#[tokio::test]
async fn redirects_are_refused_and_not_followed() {
    let (target, target_requests) = stub_reply(http_response("200 OK", &[], b"{}"));
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("http://{target}/token?code=leaked-code&state=s");
        let (addr, requests) = stub_reply(http_response(status, &[("location", &location)], b""));
        let endpoint = format!("http://{addr}/token");
        let err = HttpClient::default()
            .send(&token_request(&endpoint))
            .await
            .unwrap_err();
        match &err {
            Error::Redirected {
                endpoint: e,
                status: s,
                location: l,
            } => {
                assert_eq!(e, &endpoint);
                assert_eq!(s.to_string(), status[..3]);
                // The code in the target's query is redacted.
                assert_eq!(
                    l.as_deref(),
                    Some(format!("http://{target}/token?code=[redacted]&state=s").as_str())
                );
            }
            other => panic!("{status}: expected Redirected, got {other:?}"),
        }
        assert!(!err.is_retryable());
        assert!(!err.to_string().contains("leaked-code"), "{err}");
        assert_eq!(requests.try_iter().count(), 1, "{status}");
    }
    assert_eq!(
        target_requests.try_iter().count(),
        0,
        "a redirect was followed"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_once() {
    // Connections are accepted concurrently and counted: a second attempt would be seen even
    // while the first is still held open.
    let (addr, accepted, requests) = stub_silent_concurrent(Duration::from_secs(120));
    let started = Instant::now();
    let err = client(HttpConfig::default().with_timeout(Duration::from_millis(300)))
        .send(&token_request(&format!("http://{addr}/token")))
        .await
        .unwrap_err();
    // The timeout, not the server, ended it (the server is silent for two minutes).
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(err.is_retryable());
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Timeout);
            assert_eq!(t.endpoint, format!("http://{addr}/token"));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("start a new login rather than resending a code"),
        "{err}"
    );
    // Sent once; nothing in the HTTP layer sends it again: the one request arrived, and no
    // second connection is opened in the time a retry would take to start.
    let first = requests.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(String::from_utf8_lossy(&first).contains("one-time+code"));
    assert!(
        requests.recv_timeout(Duration::from_millis(300)).is_err(),
        "a second request arrived"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let addr = closed_port();
    let err = HttpClient::default()
        .send(&token_request(&format!("http://{addr}/token")))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Connect, "{err}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with(&format!("connecting to http://{addr}/token failed: ")),
        "{err}"
    );
}

#[tokio::test]
async fn plain_http_to_another_host_is_never_sent() {
    for endpoint in ["http://id.example.com/token", "http://192.168.1.10/token"] {
        let err = HttpClient::default()
            .send(&token_request(endpoint))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "endpoint"),
            "{err:?}"
        );
    }
}
