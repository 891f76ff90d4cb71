//! With `HTTP_PROXY`, `http_proxy` and `ALL_PROXY` pointing at a listening "proxy", a request
//! to a loopback provider goes direct: the proxy never sees a byte (it would see the code and
//! the client secret in clear). One test in its own binary, since the environment is
//! process-wide.

mod support;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use support::{http_response, stub_reply};
use tokenbridge_core::{BodyEncoding, HttpClient, HttpConfig, TokenRequest, Url};

#[tokio::test]
async fn loopback_requests_never_go_through_an_environment_proxy() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in proxy.incoming() {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
    }
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(name, &proxy_url);
    }
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }

    let (provider, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"access_token":"at"}"#,
    ));
    // Both a pool of its own and the shared one are built after the variables are set.
    for client in [
        HttpClient::new(HttpConfig::default()).unwrap(),
        HttpClient::default(),
    ] {
        for host in ["127.0.0.1".to_owned(), "localhost".to_owned()] {
            let mut request = TokenRequest::post(
                Url::parse(&format!("http://{host}:{}/token", provider.port())).unwrap(),
                BodyEncoding::Form,
            );
            request.secret_param("code", &SecretString::from("one-time-code"));
            let response = client.send(&request).await.unwrap();
            assert_eq!(response.status(), 200);
            let raw = requests.recv_timeout(Duration::from_secs(5)).unwrap();
            assert!(
                String::from_utf8_lossy(&raw).starts_with("POST /token HTTP/1.1"),
                "the provider got a proxy-style request"
            );
        }
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the proxy was used");
}
