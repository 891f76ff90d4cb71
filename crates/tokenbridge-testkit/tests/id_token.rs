//! ID-token verification end to end with real keys: every good algorithm verifies, every bad
//! kind of token is refused with its own error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokenbridge_core::{
    access_token_hash, async_trait, Error, ErrorKind, HttpClient, HttpConfig, HttpJwksSource,
    IdTokenError, IdTokenVerifier, Jwks, JwksCache, JwksSource, SecretString, SigningAlgorithm,
    StaticJwksSource, VerifyOptions,
};
use tokenbridge_testkit::jose::{self, TestKey};
use tokenbridge_testkit::EmulatorServer;

const ISSUER: &str = "https://id.example.com";
const CLIENT: &str = "app-1";
const SECRET: &[u8] = b"client-secret-of-app-1-long-enough";
const NONCE: &str = "n-0S6_WzA2Mj";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn claims() -> Value {
    jose::id_token_claims(ISSUER, CLIENT, now())
}

fn jwks(value: &Value) -> Jwks {
    tokenbridge_core::Jwks::from_json(value).unwrap()
}

/// Every fixture key, RSA 1 published twice: pinned to RS256 and pinned to PS256.
fn all_keys() -> Value {
    json!({"keys": [
        TestKey::Rsa1.public_jwk(),
        TestKey::Rsa1.public_jwk_with(Some("rsa-1-pss"), Some(SigningAlgorithm::Ps256)),
        TestKey::EcP256.public_jwk(),
        TestKey::Ed25519.public_jwk(),
    ]})
}

fn verifier(algs: &[SigningAlgorithm], keys: &Value) -> IdTokenVerifier {
    let mut b = IdTokenVerifier::builder(ISSUER, CLIENT).algorithms(algs.iter().copied());
    if algs.contains(&SigningAlgorithm::Hs256) {
        b = b.client_secret(SecretString::from(
            String::from_utf8(SECRET.to_vec()).unwrap(),
        ));
    }
    if algs.iter().any(|a| !a.is_symmetric()) {
        b = b.key_source(Arc::new(StaticJwksSource::new(jwks(keys))));
    }
    b.build().unwrap()
}

fn rs256() -> IdTokenVerifier {
    verifier(&[SigningAlgorithm::Rs256], &all_keys())
}

async fn check(
    v: &IdTokenVerifier,
    token: &str,
) -> Result<tokenbridge_core::VerifiedIdToken, IdTokenError> {
    v.verify_at(token, &VerifyOptions::new().nonce(NONCE), now())
        .await
}

fn assert_no_token_in(err: &IdTokenError, token: &str) {
    let text = format!("{err} {err:?}");
    for segment in token.split('.').filter(|s| s.len() > 8) {
        assert!(!text.contains(segment), "the error shows the token: {text}");
    }
}

#[tokio::test]
async fn good_tokens_verify_for_every_algorithm() {
    use SigningAlgorithm::*;
    let v = verifier(&[Rs256, Ps256, Es256, EdDsa, Hs256], &all_keys());
    let c = claims();
    let tokens = [
        (Rs256, jose::sign(TestKey::Rsa1, Rs256, Some("rsa-1"), &c)),
        (
            Ps256,
            jose::sign(TestKey::Rsa1, Ps256, Some("rsa-1-pss"), &c),
        ),
        (Es256, jose::sign_default(TestKey::EcP256, &c)),
        (EdDsa, jose::sign_default(TestKey::Ed25519, &c)),
        (Hs256, jose::sign_hs256(SECRET, None, &c)),
    ];
    for (alg, token) in tokens {
        let t = check(&v, &token)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(t.algorithm, alg);
        assert_eq!(t.issuer, ISSUER);
        assert_eq!(t.subject, "user-1");
        assert_eq!(t.audience, [CLIENT]);
        assert_eq!(t.nonce.as_deref(), Some(NONCE));
        assert_eq!(t.issued_at, now());
        assert_eq!(t.expires_at, now() + Duration::from_secs(3600));
        assert_eq!(t.claims["sub"], "user-1");
    }
}

#[tokio::test]
async fn a_token_without_kid_is_tried_against_keys_of_its_type() {
    let v = verifier(
        &[SigningAlgorithm::Rs256],
        &json!({"keys": [
            TestKey::EcP256.public_jwk_with(None, None),
            TestKey::Rsa2.public_jwk_with(None, None),
            TestKey::Rsa1.public_jwk_with(None, None),
        ]}),
    );
    let token = jose::sign(TestKey::Rsa1, SigningAlgorithm::Rs256, None, &claims());
    assert!(check(&v, &token).await.is_ok());
    let other = jose::sign(TestKey::Rsa1, SigningAlgorithm::Rs256, None, &claims());
    let forged = jose::tamper_signature(&other);
    assert!(matches!(
        check(&v, &forged).await,
        Err(IdTokenError::BadSignature { .. })
    ));
}

#[tokio::test]
async fn tampering_breaks_the_signature() {
    let v = rs256();
    let token = jose::sign_default(TestKey::Rsa1, &claims());
    let changed = jose::with_claims(&claims(), &[("sub", json!("admin"))]);
    for bad in [
        jose::tamper_payload(&token, &changed),
        jose::tamper_signature(&token),
    ] {
        let err = check(&v, &bad).await.unwrap_err();
        assert!(matches!(err, IdTokenError::BadSignature { .. }), "{err}");
        assert!(err.to_string().contains("signature"), "{err}");
        assert_no_token_in(&err, &bad);
    }
    // A token signed by another key under this key's kid.
    let wrong_key = jose::sign(
        TestKey::Rsa2,
        SigningAlgorithm::Rs256,
        Some("rsa-1"),
        &claims(),
    );
    assert!(matches!(
        check(&v, &wrong_key).await,
        Err(IdTokenError::BadSignature { .. })
    ));
}

#[tokio::test]
async fn time_claims_are_checked_with_leeway() {
    let v = rs256();
    let secs = jose::unix_seconds(now());
    let sign = |changes: &[(&str, Value)]| {
        jose::sign_default(TestKey::Rsa1, &jose::with_claims(&claims(), changes))
    };

    let expired = sign(&[("exp", json!(secs - 61))]);
    let err = check(&v, &expired).await.unwrap_err();
    assert!(
        matches!(err, IdTokenError::Expired { .. }) && err.to_string().contains("expired"),
        "{err}"
    );
    // Within the 60 s leeway.
    assert!(check(&v, &sign(&[("exp", json!(secs - 59))])).await.is_ok());

    for claim in ["nbf", "iat"] {
        let future = sign(&[(claim, json!(secs + 61))]);
        match check(&v, &future).await {
            Err(IdTokenError::NotYetValid { claim: c, .. }) => assert_eq!(c, claim),
            other => panic!("{claim}: {other:?}"),
        }
        assert!(
            check(&v, &sign(&[(claim, json!(secs + 59))])).await.is_ok(),
            "{claim}"
        );
    }
    for required in ["exp", "iat"] {
        let missing = sign(&[(required, Value::Null)]);
        assert!(
            matches!(
                check(&v, &missing).await,
                Err(IdTokenError::Malformed { .. })
            ),
            "{required}"
        );
    }
    let strict = IdTokenVerifier::builder(ISSUER, CLIENT)
        .leeway(Duration::ZERO)
        .key_source(Arc::new(StaticJwksSource::new(jwks(&all_keys()))))
        .build()
        .unwrap();
    assert!(matches!(
        check(&strict, &sign(&[("exp", json!(secs - 1))])).await,
        Err(IdTokenError::Expired { .. })
    ));
}

#[tokio::test]
async fn issuer_and_audience_are_checked() {
    let v = rs256();
    let sign = |changes: &[(&str, Value)]| {
        jose::sign_default(TestKey::Rsa1, &jose::with_claims(&claims(), changes))
    };

    for iss in [
        json!("https://id.example.com/"),
        json!("https://evil.example.com"),
        Value::Null,
    ] {
        let err = check(&v, &sign(&[("iss", iss.clone())])).await.unwrap_err();
        assert!(
            matches!(err, IdTokenError::WrongIssuer { .. }) && err.to_string().contains("issuer"),
            "{iss}: {err}"
        );
    }
    let audience_err = |r: Result<_, IdTokenError>| match r {
        Err(e @ IdTokenError::WrongAudience { .. }) => {
            assert!(e.to_string().contains("audience"), "{e}")
        }
        other => panic!("{other:?}"),
    };
    audience_err(check(&v, &sign(&[("aud", json!("other-app"))])).await);
    audience_err(check(&v, &sign(&[("aud", json!(["other-app", "third"]))])).await);
    audience_err(check(&v, &sign(&[("aud", Value::Null)])).await);
    // Several audiences: azp must name this client.
    audience_err(check(&v, &sign(&[("aud", json!([CLIENT, "other-app"]))])).await);
    audience_err(
        check(
            &v,
            &sign(&[
                ("aud", json!([CLIENT, "other-app"])),
                ("azp", json!("other-app")),
            ]),
        )
        .await,
    );
    // A single audience with another client's azp.
    audience_err(check(&v, &sign(&[("azp", json!("other-app"))])).await);
    let ok = check(
        &v,
        &sign(&[
            ("aud", json!([CLIENT, "other-app"])),
            ("azp", json!(CLIENT)),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(ok.audience, [CLIENT, "other-app"]);
    assert_eq!(ok.authorized_party.as_deref(), Some(CLIENT));
}

#[tokio::test]
async fn nonce_and_at_hash_are_checked() {
    let v = rs256();
    let sign = |changes: &[(&str, Value)]| {
        jose::sign_default(TestKey::Rsa1, &jose::with_claims(&claims(), changes))
    };
    let wrong = check(&v, &sign(&[("nonce", json!("other"))]))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, IdTokenError::NonceMismatch { missing: false })
            && wrong.to_string().contains("nonce")
    );
    let missing = check(&v, &sign(&[("nonce", Value::Null)]))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, IdTokenError::NonceMismatch { missing: true }),
        "{missing}"
    );
    // Without an expected nonce, the token's nonce is reported but not checked.
    let t = v
        .verify_at(&sign(&[]), &VerifyOptions::new(), now())
        .await
        .unwrap();
    assert_eq!(t.nonce.as_deref(), Some(NONCE));

    let at = "access-token-issued-with-it";
    let token = sign(&[(
        "at_hash",
        json!(access_token_hash(SigningAlgorithm::Rs256, at)),
    )]);
    let opts = VerifyOptions::new().nonce(NONCE);
    assert!(v
        .verify_at(&token, &opts.access_token(at), now())
        .await
        .is_ok());
    assert!(matches!(
        v.verify_at(&token, &opts.access_token("another-token"), now())
            .await,
        Err(IdTokenError::AtHashMismatch)
    ));
    // No access token at hand: at_hash cannot be checked and is not.
    assert!(v.verify_at(&token, &opts, now()).await.is_ok());
}

#[tokio::test]
async fn algorithm_none_and_confusion_are_refused() {
    use SigningAlgorithm::*;
    let rs = rs256();
    let algorithm_err = |r: Result<_, IdTokenError>| match r {
        Err(e @ IdTokenError::AlgorithmNotAllowed { .. }) => {
            assert!(e.to_string().contains("algorithm"), "{e}")
        }
        other => panic!("{other:?}"),
    };
    let none = jose::unsigned_token(&claims());
    algorithm_err(check(&rs, &none).await);
    // `none` with a signature, and `none` with every algorithm allowed.
    let all = verifier(&[Rs256, Ps256, Es256, EdDsa, Hs256], &all_keys());
    algorithm_err(
        check(
            &all,
            &jose::raw_token(&json!({"alg": "none"}), &claims(), "c2ln"),
        )
        .await,
    );
    algorithm_err(check(&all, &none).await);
    algorithm_err(
        check(
            &all,
            &jose::raw_token(&json!({"alg": "RS512"}), &claims(), "c2ln"),
        )
        .await,
    );

    // HS256 against an RSA-only configuration, keyed with the RSA public key (the classic
    // confusion attack) or anything else.
    let public_pem = TestKey::Rsa1.public_pem().as_bytes();
    algorithm_err(check(&rs, &jose::sign_hs256(public_pem, Some("rsa-1"), &claims())).await);
    algorithm_err(check(&rs, &jose::sign_hs256(SECRET, None, &claims())).await);

    // Even with HS256 and RS256 both allowed, an HS256 token is checked with the client
    // secret only, never with a JWKS key.
    let both = verifier(&[Rs256, Hs256], &all_keys());
    let forged = jose::sign_hs256(public_pem, Some("rsa-1"), &claims());
    assert!(matches!(
        check(&both, &forged).await,
        Err(IdTokenError::BadSignature { algorithm: Hs256 })
    ));

    // RS256 against an HS-only configuration.
    let hs = verifier(&[Hs256], &json!({"keys": []}));
    algorithm_err(check(&hs, &jose::sign_default(TestKey::Rsa1, &claims())).await);

    // An ES256 token naming an RSA key: that key never verifies it.
    let es = verifier(&[Rs256, Es256], &all_keys());
    let mislabelled = jose::sign(TestKey::EcP256, Es256, Some("rsa-1"), &claims());
    assert!(matches!(
        check(&es, &mislabelled).await,
        Err(IdTokenError::UnknownKey { .. })
    ));
}

#[tokio::test]
async fn malformed_tokens_are_refused_without_showing_them() {
    let v = rs256();
    let good = jose::sign_default(TestKey::Rsa1, &claims());
    let (h, rest) = good.split_once('.').unwrap();
    let huge_header = jose::raw_token(
        &json!({"alg": "RS256", "kid": "x".repeat(9000)}),
        &claims(),
        "c2ln",
    );
    let huge_token = jose::raw_token(
        &json!({"alg": "RS256"}),
        &json!({"pad": "x".repeat(70_000)}),
        "c2ln",
    );
    let cases = [
        ("one segment", h.to_owned()),
        ("four segments", format!("{good}.xyz")),
        ("empty", String::new()),
        (
            "bad base64",
            format!("{h}.!!!not-base64!!!.{}", rest.split_once('.').unwrap().1),
        ),
        (
            "payload array",
            jose::raw_token(&json!({"alg": "RS256", "kid": "rsa-1"}), &json!([]), "c2ln"),
        ),
        ("payload not json", format!("{h}.bm90IGpzb24.c2ln")),
        (
            "header array",
            jose::raw_token(&json!(["RS256"]), &claims(), "c2ln"),
        ),
        (
            "header without alg",
            jose::raw_token(&json!({"kid": "rsa-1"}), &claims(), "c2ln"),
        ),
        (
            "empty signature",
            format!("{}.", good.rsplit_once('.').unwrap().0),
        ),
        ("huge header", huge_header),
        ("huge token", huge_token),
        (
            "crit",
            jose::raw_token(&json!({"alg": "RS256", "crit": ["exp"]}), &claims(), "c2ln"),
        ),
        (
            "sub missing",
            jose::sign_default(
                TestKey::Rsa1,
                &jose::with_claims(&claims(), &[("sub", Value::Null)]),
            ),
        ),
        (
            "exp text",
            jose::sign_default(
                TestKey::Rsa1,
                &jose::with_claims(&claims(), &[("exp", json!("tomorrow"))]),
            ),
        ),
        (
            "aud number",
            jose::sign_default(
                TestKey::Rsa1,
                &jose::with_claims(&claims(), &[("aud", json!(7))]),
            ),
        ),
    ];
    for (what, token) in cases {
        let err = check(&v, &token).await.unwrap_err();
        assert!(
            matches!(err, IdTokenError::Malformed { .. }),
            "{what}: {err}"
        );
        assert_no_token_in(&err, &token);
        let core: Error = err.into();
        assert!(matches!(core, Error::IdToken(_)), "{what}");
        assert_eq!(core.kind(), ErrorKind::InvalidToken, "{what}");
        assert!(!core.is_retryable(), "{what}");
    }
}

#[tokio::test]
async fn a_jwks_with_garbage_keys_still_verifies_with_the_good_one() {
    let keys = json!({"Keys": [
        "garbage",
        {"kty": "RSA", "kid": "rsa-1", "n": "%%%", "e": "AQAB"},
        {"kty": "EC", "kid": "rsa-1", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"},
        {"kty": "RSA", "kid": "rsa-1", "use": "enc", "n": "AQAB", "e": "AQAB"},
        {"kid": "no-kty"},
        TestKey::Rsa1.public_jwk(),
    ]});
    let v = verifier(&[SigningAlgorithm::Rs256], &keys);
    assert!(check(&v, &jose::sign_default(TestKey::Rsa1, &claims()))
        .await
        .is_ok());
    let only_garbage = verifier(
        &[SigningAlgorithm::Rs256],
        &json!({"keys": [{"kty": "RSA", "kid": "rsa-1"}, 5]}),
    );
    assert!(matches!(
        check(&only_garbage, &jose::sign_default(TestKey::Rsa1, &claims())).await,
        Err(IdTokenError::UnknownKey { .. })
    ));
}

/// A key source whose keys the test changes, counting fetches.
#[derive(Debug, Default)]
struct RotatingSource {
    keys: Mutex<Value>,
    fetches: AtomicUsize,
}

#[async_trait]
impl JwksSource for RotatingSource {
    async fn fetch(&self) -> tokenbridge_core::Result<Jwks> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let keys = self.keys.lock().unwrap().clone();
        Ok(jwks(&keys))
    }
}

#[tokio::test(start_paused = true)]
async fn a_rotated_key_is_found_after_one_refetch() {
    let source = Arc::new(RotatingSource::default());
    *source.keys.lock().unwrap() = jose::jwks_json(&[TestKey::Rsa1]);
    let v = IdTokenVerifier::builder(ISSUER, CLIENT)
        .jwks(
            JwksCache::new(Arc::clone(&source) as Arc<dyn JwksSource>)
                .with_refresh_interval(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    assert!(check(&v, &jose::sign_default(TestKey::Rsa1, &claims()))
        .await
        .is_ok());
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);

    // The provider rotates to RSA 2.
    *source.keys.lock().unwrap() = jose::jwks_json(&[TestKey::Rsa1, TestKey::Rsa2]);
    let rotated = jose::sign_default(TestKey::Rsa2, &claims());
    // Within the interval of the first fetch the cache does not ask again.
    tokio::time::advance(Duration::from_secs(30)).await;
    let err = check(&v, &rotated).await.unwrap_err();
    assert!(
        matches!(err, IdTokenError::UnknownKey { .. }) && err.to_string().contains("unknown key"),
        "{err}"
    );
    assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
    // After it, one refetch finds the new key, and known keys need no more fetches.
    tokio::time::advance(Duration::from_secs(31)).await;
    assert!(check(&v, &rotated).await.is_ok());
    assert!(check(&v, &rotated).await.is_ok());
    assert!(check(&v, &jose::sign_default(TestKey::Rsa1, &claims()))
        .await
        .is_ok());
    assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn keys_come_from_a_jwks_endpoint() {
    let keys = Arc::new(Mutex::new(
        json!({"Keys": [42, TestKey::Rsa1.public_jwk()]}),
    ));
    let served = Arc::clone(&keys);
    let server = EmulatorServer::start("127.0.0.1:0".parse().unwrap(), move |_| {
        Router::new().route(
            "/oauth2/jwks",
            get(move || {
                let served = Arc::clone(&served);
                async move { axum::Json(served.lock().unwrap().clone()) }
            }),
        )
    })
    .await
    .unwrap();
    let url = server.base_url().join("oauth2/jwks").unwrap();
    let source = HttpJwksSource::new(HttpClient::default(), url);
    let v = IdTokenVerifier::builder(ISSUER, CLIENT)
        .jwks(JwksCache::new(Arc::new(source)).with_refresh_interval(Duration::ZERO))
        .build()
        .unwrap();
    assert!(check(&v, &jose::sign_default(TestKey::Rsa1, &claims()))
        .await
        .is_ok());
    // Rotation over HTTP: the new key is fetched when a token names it.
    *keys.lock().unwrap() = jose::jwks_json(&[TestKey::Rsa2]);
    assert!(check(&v, &jose::sign_default(TestKey::Rsa2, &claims()))
        .await
        .is_ok());
    assert_eq!(server.requests_to("/oauth2/jwks").len(), 2);

    // An endpoint that fails is a key-source error, not a verdict on the token.
    let broken = IdTokenVerifier::builder(ISSUER, CLIENT)
        .key_source(Arc::new(HttpJwksSource::new(
            HttpClient::default(),
            server.base_url().join("missing").unwrap(),
        )))
        .build()
        .unwrap();
    let err = check(&broken, &jose::sign_default(TestKey::Rsa1, &claims()))
        .await
        .unwrap_err();
    assert!(matches!(err, IdTokenError::KeySource(_)), "{err}");
    assert!(err.to_string().contains("JWKS"), "{err}");

    // A JWKS over the body cap is refused while it is read.
    let capped = IdTokenVerifier::builder(ISSUER, CLIENT)
        .key_source(Arc::new(HttpJwksSource::new(
            HttpClient::shared(HttpConfig::default().with_max_body_bytes(200)),
            server.base_url().join("oauth2/jwks").unwrap(),
        )))
        .build()
        .unwrap();
    match check(&capped, &jose::sign_default(TestKey::Rsa2, &claims())).await {
        Err(IdTokenError::KeySource(e)) => {
            assert!(matches!(*e, Error::ResponseTooLarge { .. }), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

/// A clock stopped at one instant.
#[derive(Debug)]
struct FixedClock(SystemTime);

impl tokenbridge_core::Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[tokio::test]
async fn verify_reads_the_injected_clock() {
    let at = |t: SystemTime| {
        IdTokenVerifier::builder(ISSUER, CLIENT)
            .key_source(Arc::new(StaticJwksSource::new(jwks(&all_keys()))))
            .clock(Arc::new(FixedClock(t)))
            .build()
            .unwrap()
    };
    let token = jose::sign_default(TestKey::Rsa1, &claims());
    let opts = VerifyOptions::new();
    assert!(at(now()).verify(&token, &opts).await.is_ok());
    let later = now() + Duration::from_secs(3600 + 61);
    assert!(matches!(
        at(later).verify(&token, &opts).await,
        Err(IdTokenError::Expired { .. })
    ));
    let earlier = now() - Duration::from_secs(61);
    assert!(matches!(
        at(earlier).verify(&token, &opts).await,
        Err(IdTokenError::NotYetValid { claim: "iat", .. })
    ));
}
