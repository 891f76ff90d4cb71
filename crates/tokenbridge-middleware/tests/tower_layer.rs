//! `TokenLayer` around hyper-util's client, against a loopback token endpoint and API.

mod support;

use std::future::poll_fn;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use support::{access, assert_no_secret, bearer, refresh, Fixture, INVALID_TOKEN};
use tokenbridge_core::ErrorKind;
use tokenbridge_middleware::{BoxError, TokenLayer, TokenService};
use tower::{Layer, Service};

/// Guards against a hang only; every test finishes in well under a second.
const HANG: Duration = Duration::from_secs(60);

fn service<B>(layer: TokenLayer) -> TokenService<Client<HttpConnector, B>>
where
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    layer.layer(Client::builder(TokioExecutor::new()).build_http())
}

/// Polls ready, sends, and reads the whole answer.
async fn send<S, B>(service: &mut S, request: Request<B>) -> Result<(StatusCode, String), BoxError>
where
    S: Service<Request<B>, Response = Response<hyper::body::Incoming>, Error = BoxError>,
{
    poll_fn(|cx| service.poll_ready(cx)).await?;
    let response = service.call(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8(body.to_vec()).unwrap()))
}

fn post(url: &str, body: &str) -> Request<Full<Bytes>> {
    Request::post(url)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

/// The `tokenbridge_core::Error` of a failed call.
fn token_error(error: &BoxError) -> &tokenbridge_core::Error {
    error
        .downcast_ref::<tokenbridge_core::Error>()
        .unwrap_or_else(|| panic!("not a tokenbridge error: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_401s_cause_one_refresh_and_every_request_is_resent() {
    let fixture = Fixture::start().await;
    fixture.hold_refusals_until(100);
    let api = service::<Full<Bytes>>(TokenLayer::new(fixture.session()));

    let calls: Vec<_> = (0..100)
        .map(|i| {
            let mut api = api.clone();
            let request = post(&fixture.url(), &format!("customer-{i}"));
            tokio::spawn(async move { send(&mut api, request).await })
        })
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let (status, body) = tokio::time::timeout(HANG, call)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, format!("orders for customer-{i}"));
    }

    let token_requests = fixture.token_requests();
    assert_eq!(token_requests.len(), 1);
    assert_eq!(
        token_requests[0].form_param("refresh_token"),
        Some(refresh(0))
    );
    let sent = fixture.api_requests();
    assert_eq!(sent.len(), 200);
    for i in 0..100 {
        let body = format!("customer-{i}");
        let mut tokens: Vec<_> = sent
            .iter()
            .filter(|r| r.body_text() == body)
            .map(|r| {
                assert_eq!(r.method, "POST");
                r.header("authorization").unwrap().to_owned()
            })
            .collect();
        tokens.sort();
        assert_eq!(tokens, [bearer(&access(0)), bearer(&access(1))], "{body}");
    }
}

#[tokio::test]
async fn the_header_replaces_any_other_and_is_marked_sensitive() {
    let fixture = Fixture::start().await;
    fixture.accept(Some(access(0)));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let spy = {
        let seen = std::sync::Arc::clone(&seen);
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        tower::service_fn(move |request: Request<Full<Bytes>>| {
            let header = request.headers()[AUTHORIZATION].clone();
            seen.lock()
                .unwrap()
                .push((header.to_str().unwrap().to_owned(), header.is_sensitive()));
            let mut client = client.clone();
            async move { client.call(request).await }
        })
    };
    let mut api = TokenService::new(spy, fixture.session());
    let mut request = post(&fixture.url(), "customer-1");
    request.headers_mut().insert(
        AUTHORIZATION,
        "Basic b3RoZXI6Y3JlZGVudGlhbHM=".parse().unwrap(),
    );
    let (status, _) = send(&mut api, request).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(*seen.lock().unwrap(), [(bearer(&access(0)), true)]);
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
}

#[tokio::test]
async fn a_streaming_body_is_not_resent_and_its_401_is_returned_as_it_is() {
    let fixture = Fixture::start().await;
    let mut api =
        service::<BoxBody<Bytes, std::convert::Infallible>>(TokenLayer::new(fixture.session()));
    let streaming = Request::put(fixture.url())
        .body(Full::new(Bytes::from("a large upload")).boxed())
        .unwrap();
    poll_fn(|cx| api.poll_ready(cx)).await.unwrap();
    let response = api.call(streaming).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], INVALID_TOKEN);
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
    assert_eq!(fixture.api_requests()[0].body_text(), "a large upload");
    assert!(fixture.token_requests().is_empty());

    // The refused token was reported: the next request goes out with a renewed one.
    let next = Request::get(fixture.url())
        .body(Full::new(Bytes::new()).boxed())
        .unwrap();
    let (status, _) = send(&mut api, next).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fixture.authorizations(),
        [bearer(&access(0)), bearer(&access(1))]
    );
    assert_eq!(fixture.token_requests().len(), 1);
}

#[tokio::test]
async fn a_resend_refused_again_is_not_retried_a_second_time() {
    let fixture = Fixture::start().await;
    fixture.accept(None);
    let mut api = service(TokenLayer::new(fixture.session()));
    let (status, body) = send(&mut api, post(&fixture.url(), "customer-7"))
        .await
        .unwrap();
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, "refused")
    );
    assert_eq!(
        fixture.authorizations(),
        [bearer(&access(0)), bearer(&access(1))]
    );
    assert!(fixture
        .api_requests()
        .iter()
        .all(|r| r.body_text() == "customer-7"));
    assert_eq!(fixture.token_requests().len(), 1);
}

#[tokio::test]
async fn a_401_without_invalid_token_is_not_retried() {
    for challenge in [
        None,
        Some(r#"Bearer realm="orders", error="insufficient_scope""#),
        Some(r#"Basic error="invalid_token""#),
    ] {
        let fixture = Fixture::start().await;
        fixture.challenge(challenge);
        let mut api = service(TokenLayer::new(fixture.session()));
        let (status, _) = send(&mut api, post(&fixture.url(), "x")).await.unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{challenge:?}");
        assert_eq!(
            fixture.authorizations(),
            [bearer(&access(0))],
            "{challenge:?}"
        );
        assert!(fixture.token_requests().is_empty(), "{challenge:?}");
    }
}

#[tokio::test]
async fn a_session_that_cannot_renew_fails_with_its_error_and_no_secret() {
    let fixture = Fixture::start().await;
    fixture.refuse_refresh();
    let mut api = service(TokenLayer::new(fixture.session()));
    let error = send(&mut api, post(&fixture.url(), "customer-1"))
        .await
        .unwrap_err();
    let cause = token_error(&error);
    assert_eq!(cause.kind(), ErrorKind::InvalidGrant);
    assert!(cause.is_session_ended(), "{cause}");
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
    assert_eq!(fixture.token_requests().len(), 1);
    for text in [error.to_string(), format!("{error:?}")] {
        assert_no_secret("the error", &text);
    }
    assert_no_secret("the service's Debug", &format!("{api:?}"));
}

#[tokio::test]
async fn a_relative_uri_or_a_missing_session_is_refused_before_sending() {
    let fixture = Fixture::start().await;
    fixture.accept(Some(access(0)));
    let mut api = service(TokenLayer::new(fixture.session()));
    let error = send(&mut api, post("/api/orders", "x")).await.unwrap_err();
    assert_eq!(token_error(&error).kind(), ErrorKind::Configuration);

    let mut per_request = service(TokenLayer::per_request());
    let error = send(&mut per_request, post(&fixture.url(), "x"))
        .await
        .unwrap_err();
    assert_eq!(token_error(&error).kind(), ErrorKind::Configuration);
    assert!(fixture.api_requests().is_empty());

    let mut request = post(&fixture.url(), "x");
    request.extensions_mut().insert(fixture.session());
    let (status, _) = send(&mut per_request, request).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
}
