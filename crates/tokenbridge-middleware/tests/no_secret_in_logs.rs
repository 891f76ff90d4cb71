//! Everything logged while requests are refused, renewed, resent and failed, captured at
//! `TRACE` from every crate: no token and no client secret in it. One test in its own binary,
//! because it installs the process-wide subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use reqwest_middleware::ClientBuilder;
use support::{assert_no_secret, Fixture};
use tokenbridge_middleware::{TokenLayer, TokenMiddleware};
use tower::{Layer, ServiceExt};
use tracing_subscriber::fmt::MakeWriter;

/// The log output, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_logged_shows_a_token_or_the_client_secret() {
    let captured = Captured::default();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish(),
    )
    .unwrap();

    // reqwest-middleware: refused, renewed, resent; then a streaming body not resent.
    let fixture = Fixture::start().await;
    let api = ClientBuilder::new(reqwest::Client::new())
        .with(TokenMiddleware::new(fixture.session()))
        .build();
    let response = api
        .post(format!("{}?api_key=s3cr3t-query", fixture.url()))
        .body("customer-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    fixture.accept(None);
    let streaming = reqwest::Body::wrap(Full::new(Bytes::from("upload")));
    let response = api.put(fixture.url()).body(streaming).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // tower: refused, and the renewal refused too (the token endpoint echoes the refresh token).
    let fixture = Fixture::start().await;
    fixture.refuse_refresh();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let service = TokenLayer::new(fixture.session()).layer(client);
    let request = Request::post(fixture.url())
        .body(Full::new(Bytes::from("customer-2")))
        .unwrap();
    let error = service.oneshot(request).await.unwrap_err();
    tracing::error!(error = %error, "the call failed");

    let logged = captured.text();
    // The log says what happened...
    assert!(
        logged.contains("renewing it and sending the request once more"),
        "{logged}"
    );
    assert!(logged.contains("cannot be sent twice"), "{logged}");
    assert!(logged.contains("the call failed"), "{logged}");
    // ...and nothing of what would let a reader of the log act as the user.
    assert_no_secret("the log", &logged);
    assert!(!logged.contains("s3cr3t-query"), "{logged}");
}
