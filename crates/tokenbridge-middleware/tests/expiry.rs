//! A token that is due is renewed before the request goes out, with no refusal needed: the
//! tower layer around an in-process service, on tokio's paused clock.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::AUTHORIZATION;
use http::{Request, Response, StatusCode};
use tokenbridge_core::TokenSession;
use tokenbridge_core::{async_trait, Grant, GrantKind, TokenExchanger, TokenSet, TokenType};
use tokenbridge_middleware::TokenLayer;
use tower::{Layer, ServiceExt};

const HOUR: Duration = Duration::from_secs(3600);

/// Issues `at-N` for the N-th refresh, after 200 ms.
#[derive(Debug, Default)]
struct Counting {
    calls: AtomicUsize,
}

#[async_trait]
impl TokenExchanger for Counting {
    fn provider_id(&self) -> &str {
        "corp"
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &[GrantKind::RefreshToken]
    }

    async fn exchange(&self, _grant: Grant) -> tokenbridge_core::Result<TokenSet> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(TokenSet::new("corp", format!("at-{n}"), TokenType::Bearer)
            .with_expires_in(Some(HOUR))
            .with_refresh_token(Some(format!("rt-{n}"))))
    }
}

#[tokio::test(start_paused = true)]
async fn a_due_token_is_renewed_once_before_the_requests_go_out() {
    let exchanger = Arc::new(Counting::default());
    let signed_in = TokenSet::new("corp", "at-0", TokenType::Bearer)
        .with_expires_in(Some(HOUR))
        .with_refresh_token(Some("rt-0".into()));
    let session = TokenSession::new(Arc::clone(&exchanger) as Arc<dyn TokenExchanger>, signed_in);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let api = {
        let seen = Arc::clone(&seen);
        TokenLayer::new(session).layer(tower::service_fn(move |request: Request<String>| {
            let header = request.headers()[AUTHORIZATION]
                .to_str()
                .unwrap()
                .to_owned();
            seen.lock().unwrap().push(header);
            async move { Ok::<_, Infallible>(Response::new(())) }
        }))
    };
    let get = || {
        Request::get("https://api.example.com/v1/orders")
            .body(String::new())
            .unwrap()
    };

    let response = api.clone().oneshot(get()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // 30 s before expiry, inside the 60 s refresh margin: ten requests, one renewal, all of
    // them sent with the renewed token.
    tokio::time::advance(HOUR - Duration::from_secs(30)).await;
    let calls: Vec<_> = (0..10)
        .map(|_| tokio::spawn(api.clone().oneshot(get())))
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().status(), StatusCode::OK);
    }
    assert_eq!(exchanger.calls.load(Ordering::SeqCst), 1);
    let mut expected = vec!["Bearer at-0".to_owned()];
    expected.extend(std::iter::repeat_n("Bearer at-1".to_owned(), 10));
    assert_eq!(*seen.lock().unwrap(), expected);
}
