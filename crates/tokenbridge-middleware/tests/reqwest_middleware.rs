//! `TokenMiddleware` against a loopback token endpoint and API.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{Extensions, StatusCode};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, Middleware, Next};
use support::{access, assert_no_secret, bearer, refresh, Fixture, INVALID_TOKEN};
use tokenbridge_core::ErrorKind;
use tokenbridge_core::TokenSession;
use tokenbridge_middleware::TokenMiddleware;

/// Guards against a hang only; every test finishes in well under a second.
const HANG: Duration = Duration::from_secs(60);

fn client(middleware: TokenMiddleware) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest::Client::new())
        .with(middleware)
        .build()
}

/// The `tokenbridge_core::Error` a middleware failure holds.
fn token_error(error: &reqwest_middleware::Error) -> &tokenbridge_core::Error {
    match error {
        reqwest_middleware::Error::Middleware(e) => e
            .downcast_ref::<tokenbridge_core::Error>()
            .unwrap_or_else(|| panic!("not a tokenbridge error: {e}")),
        other => panic!("not a middleware error: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_401s_cause_one_refresh_and_every_request_is_resent() {
    let fixture = Fixture::start().await;
    fixture.hold_refusals_until(100);
    let api = client(TokenMiddleware::new(fixture.session()));

    let calls: Vec<_> = (0..100)
        .map(|i| {
            let api = api.clone();
            let url = fixture.url();
            tokio::spawn(async move {
                let response = api.post(url).body(format!("customer-{i}")).send().await?;
                Ok::<_, reqwest_middleware::Error>((response.status(), response.text().await?))
            })
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

    // One refresh, with the sign-in's refresh token.
    let token_requests = fixture.token_requests();
    assert_eq!(token_requests.len(), 1);
    assert_eq!(
        token_requests[0].form_param("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(
        token_requests[0].form_param("refresh_token"),
        Some(refresh(0))
    );
    // Every request went twice, the same request each time: first with the refused token,
    // then with the renewed one.
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

/// Records the `Authorization` header of what goes down the chain, and whether it is marked
/// sensitive.
#[derive(Clone, Default)]
struct Spy(Arc<Mutex<Vec<(String, bool)>>>);

#[async_trait::async_trait]
impl Middleware for Spy {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let header = request.headers().get(AUTHORIZATION).unwrap();
        self.0
            .lock()
            .unwrap()
            .push((header.to_str().unwrap().to_owned(), header.is_sensitive()));
        next.run(request, extensions).await
    }
}

#[tokio::test]
async fn the_header_replaces_any_other_and_is_marked_sensitive() {
    let fixture = Fixture::start().await;
    fixture.accept(Some(access(0)));
    let spy = Spy::default();
    let api = ClientBuilder::new(reqwest::Client::new())
        .with(TokenMiddleware::new(fixture.session()))
        .with(spy.clone())
        .build();
    let response = api
        .get(fixture.url())
        .header(AUTHORIZATION, "Basic b3RoZXI6Y3JlZGVudGlhbHM=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*spy.0.lock().unwrap(), [(bearer(&access(0)), true)]);
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
    assert!(fixture.token_requests().is_empty());
}

#[tokio::test]
async fn a_streaming_body_is_not_resent_and_its_401_is_returned_as_it_is() {
    let fixture = Fixture::start().await;
    let api = client(TokenMiddleware::new(fixture.session()));
    // `Body::wrap` streams: reqwest cannot clone it.
    let streaming = reqwest::Body::wrap(http_body_util::Full::new(bytes::Bytes::from(
        "a large upload",
    )));
    let response = api.put(fixture.url()).body(streaming).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], INVALID_TOKEN);
    assert_eq!(response.text().await.unwrap(), "refused");
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
    assert_eq!(fixture.api_requests()[0].body_text(), "a large upload");
    assert!(fixture.token_requests().is_empty());

    // The refused token was reported, so the next request goes out with a renewed one.
    let response = api.get(fixture.url()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
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
    let api = client(TokenMiddleware::new(fixture.session()));
    let response = api
        .post(fixture.url())
        .body("customer-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], INVALID_TOKEN);
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
        Some(r#"Bearer realm="orders""#),
        Some(r#"Bearer realm="orders", error="insufficient_scope", scope="orders.write""#),
        Some(r#"Basic realm="orders", error="invalid_token""#),
        Some(r#"Bearer error="INVALID_TOKEN""#),
        Some(r#"Bearer error="invalid_token"#),
    ] {
        let fixture = Fixture::start().await;
        fixture.challenge(challenge);
        let api = client(TokenMiddleware::new(fixture.session()));
        let response = api.get(fixture.url()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{challenge:?}");
        assert_eq!(
            response
                .headers()
                .get(WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap()),
            challenge,
        );
        assert_eq!(
            fixture.authorizations(),
            [bearer(&access(0))],
            "{challenge:?}"
        );
        assert!(fixture.token_requests().is_empty(), "{challenge:?}");
    }
}

#[tokio::test]
async fn several_challenges_in_any_case_are_read() {
    let fixture = Fixture::start().await;
    fixture.challenge(Some(
        r#"Basic realm="orders", DPoP algs="ES256", bearer realm="orders", Error="invalid_token""#,
    ));
    let api = client(TokenMiddleware::new(fixture.session()));
    let response = api.get(fixture.url()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        fixture.authorizations(),
        [bearer(&access(0)), bearer(&access(1))]
    );
}

#[tokio::test]
async fn a_session_that_cannot_renew_fails_with_its_error_and_no_secret() {
    let fixture = Fixture::start().await;
    fixture.refuse_refresh();
    let api = client(TokenMiddleware::new(fixture.session()));
    let error = api
        .post(fixture.url())
        .body("customer-1")
        .send()
        .await
        .unwrap_err();
    // The refresh was refused: the session has ended and the user signs in again.
    let cause = token_error(&error);
    assert_eq!(cause.kind(), ErrorKind::InvalidGrant);
    assert!(cause.is_session_ended(), "{cause}");
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
    assert_eq!(fixture.token_requests().len(), 1);
    // The token endpoint echoed the refresh token; no rendering of the error shows it.
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#}"),
        cause.to_string(),
        format!("{cause:?}"),
    ] {
        assert_no_secret("the error", &text);
    }
    // Later requests fail at once, with nothing sent.
    let error = api.get(fixture.url()).send().await.unwrap_err();
    assert!(token_error(&error).is_session_ended());
    assert_eq!(fixture.api_requests().len(), 1);
    assert_eq!(fixture.token_requests().len(), 1);
}

#[tokio::test]
async fn per_request_sessions_come_from_the_extensions() {
    let fixture = Fixture::start().await;
    fixture.accept(Some(access(0)));
    let api = client(TokenMiddleware::per_request());

    let error = api.get(fixture.url()).send().await.unwrap_err();
    assert_eq!(token_error(&error).kind(), ErrorKind::Configuration);
    assert!(fixture.api_requests().is_empty());

    let session = fixture.session();
    let response = api
        .get(fixture.url())
        .with_extension(session.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(fixture.authorizations(), [bearer(&access(0))]);
}

#[tokio::test]
async fn debug_output_shows_no_token() {
    let fixture = Fixture::start().await;
    let session: TokenSession = fixture.session();
    session.access_token().await.unwrap();
    let middleware = TokenMiddleware::new(session);
    let text = format!("{middleware:?}");
    assert!(text.contains("corp"), "{text}");
    assert_no_secret("TokenMiddleware's Debug", &text);
}

/// The claims of a compact JWS, read without checking its signature (core's DPoP tests check
/// the signature; here the question is what the middleware asked the session for).
fn jws_claims(jws: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = jws.split('.').nth(1).expect("a compact JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn a_dpop_bound_token_goes_out_with_a_proof_for_this_method_and_url() {
    let fixture = Fixture::start().await;
    fixture.accept(None);
    let bound = tokenbridge_core::TokenSet::new(
        "corp",
        support::access(0),
        tokenbridge_core::TokenType::DPoP,
    )
    .with_expires_in(Some(Duration::from_secs(3600)))
    .with_dpop_key(Some(tokenbridge_core::DpopKey::generate().unwrap()));
    let session = TokenSession::new(Arc::new(fixture.provider()), bound);
    let api = client(TokenMiddleware::new(session));

    let url = format!("{}?page=2#top", fixture.url());
    let _ = tokio::time::timeout(HANG, api.put(&url).send())
        .await
        .unwrap();

    let sent = fixture.api_requests();
    assert_eq!(
        sent.len(),
        1,
        "a 401 without a DPoP challenge is not resent"
    );
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("DPoP {}", support::access(0)).as_str())
    );
    let proof = jws_claims(sent[0].header("dpop").expect("a DPoP proof"));
    assert_eq!(proof["htm"], "PUT");
    // RFC 9449 section 4.2: htu without query and fragment.
    assert_eq!(proof["htu"], fixture.url());
    assert!(
        proof["ath"].is_string(),
        "the proof binds the access token: {proof}"
    );
}
