//! The JWKS cache under a flood of unknown key ids: one fetch per refresh interval, shared by
//! every concurrent caller.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::json;
use tokenbridge_core::DEFAULT_REFRESH_INTERVAL;
use tokenbridge_core::{
    async_trait, Error, ErrorKind, IdTokenError, IdTokenVerifier, Jwks, JwksCache, JwksSource,
    OAuthError, VerifyOptions,
};

/// Counts fetches; each takes a second, so concurrent callers overlap with it.
#[derive(Debug, Default)]
struct CountingSource {
    fetches: AtomicUsize,
    fail: bool,
}

#[async_trait]
impl JwksSource for CountingSource {
    async fn fetch(&self) -> tokenbridge_core::Result<Jwks> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        if self.fail {
            return Err(OAuthError::new(Some(503), "server_error").into());
        }
        Ok(tokenbridge_core::Jwks::from_json(&json!({"keys": [
            {"kty": "RSA", "kid": "known", "n": "AQAB", "e": "AQAB"},
        ]}))
        .unwrap())
    }
}

/// An RS256 token naming `kid`; its signature is never reached when the kid is unknown.
fn token(kid: &str) -> String {
    let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2ln",
        enc(json!({"alg": "RS256", "kid": kid})),
        enc(json!({"iss": "https://id.example.com", "sub": "u", "aud": "app"}))
    )
}

fn setup(fail: bool) -> (Arc<CountingSource>, Arc<IdTokenVerifier>) {
    setup_with(fail, Some(Duration::from_secs(60)))
}

/// A verifier whose cache refetches at most once per `interval` (the default when `None`).
fn setup_with(
    fail: bool,
    interval: Option<Duration>,
) -> (Arc<CountingSource>, Arc<IdTokenVerifier>) {
    let source = Arc::new(CountingSource {
        fail,
        ..CountingSource::default()
    });
    let mut cache = JwksCache::new(Arc::clone(&source) as Arc<dyn JwksSource>);
    if let Some(interval) = interval {
        cache = cache.with_refresh_interval(interval);
    }
    let verifier = IdTokenVerifier::builder("https://id.example.com", "app")
        .jwks(cache)
        .build()
        .unwrap();
    (source, Arc::new(verifier))
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Verifies `count` tokens with distinct unknown kids concurrently; returns their errors.
async fn flood(verifier: &Arc<IdTokenVerifier>, round: usize, count: usize) -> Vec<IdTokenError> {
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let verifier = Arc::clone(verifier);
            tokio::spawn(async move {
                verifier
                    .verify_at(
                        &token(&format!("made-up-{round}-{i}")),
                        &VerifyOptions::new(),
                        now(),
                    )
                    .await
            })
        })
        .collect();
    let mut errors = Vec::new();
    for task in tasks {
        errors.push(task.await.unwrap().unwrap_err());
    }
    errors
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_unknown_kids_fetches_once_per_interval() {
    let (source, verifier) = setup(false);
    // A cold cache: a thousand concurrent callers share the first fetch.
    let errors = flood(&verifier, 0, 1000).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    assert!(errors
        .iter()
        .all(|e| matches!(e, IdTokenError::UnknownKey { .. })));

    // Within the interval: no fetch at all, however many unknown kids arrive.
    tokio::time::advance(Duration::from_secs(30)).await;
    flood(&verifier, 1, 1000).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);

    // After the interval: exactly one more.
    tokio::time::advance(Duration::from_secs(31)).await;
    flood(&verifier, 2, 1000).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    flood(&verifier, 3, 1000).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);

    tokio::time::advance(Duration::from_secs(61)).await;
    flood(&verifier, 4, 1000).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 3);

    // A known kid never triggers a fetch: the token fails on its (fake) signature.
    tokio::time::advance(Duration::from_secs(61)).await;
    let err = verifier
        .verify_at(&token("known"), &VerifyOptions::new(), now())
        .await
        .unwrap_err();
    assert!(matches!(err, IdTokenError::BadSignature { .. }), "{err}");
    assert_eq!(source.fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failing_source_is_asked_once_per_interval_too() {
    let (source, verifier) = setup(true);
    let errors = flood(&verifier, 0, 100).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    for e in &errors {
        assert!(matches!(e, IdTokenError::KeySource(_)), "{e}");
        assert!(e.to_string().contains("JWKS"), "{e}");
    }
    let core: Error = errors.into_iter().next().unwrap().into();
    assert!(matches!(core, Error::IdToken(_)));
    // Not a verdict on the token: the provider's failure shows through.
    assert_eq!(core.kind(), ErrorKind::ProviderUnavailable);
    assert!(core.is_retryable());
    tokio::time::advance(Duration::from_secs(61)).await;
    flood(&verifier, 1, 100).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn by_default_an_unknown_kid_may_refetch_10_s_after_the_last_fetch() {
    let (source, verifier) = setup_with(false, None);
    assert_eq!(DEFAULT_REFRESH_INTERVAL, Duration::from_secs(10));
    flood(&verifier, 0, 500).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    // A key published right after that fetch: refused for less than 10 s, not a minute.
    tokio::time::advance(Duration::from_secs(8)).await;
    flood(&verifier, 1, 500).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(3)).await;
    // Still one fetch for the whole flood.
    flood(&verifier, 2, 500).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    flood(&verifier, 3, 500).await;
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}
