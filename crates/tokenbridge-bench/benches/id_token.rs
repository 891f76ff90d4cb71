//! ID-token verification with a cached JWKS: tokenbridge's `IdTokenVerifier` (RS256, the
//! testkit's fixture key, keys from a `StaticJwksSource` fetched once and then cached) against
//! the `jsonwebtoken` crate called directly with the same key (decoded from the same JWK) and
//! the same checks (RS256 only, issuer, audience, `exp` and `nbf` with 60 s of leeway).
//!
//! Both verify the same RSA signature with the same crypto code, which dominates; the ratio
//! shows what tokenbridge's parsing and checks add around it.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokenbridge_bench::{measuring, Interleaved, CLIENT_ID};
use tokenbridge_core::{IdTokenVerifier, Jwks, StaticJwksSource, VerifyOptions};
use tokenbridge_testkit::jose::{self, TestKey};

const ISSUER: &str = "https://id.example.com";

/// The checks of tokenbridge's verifier that `jsonwebtoken` has: RS256, issuer, audience,
/// `exp` and `nbf` with 60 s of leeway, `exp`, `iat`, `iss`, `aud` and `sub` required.
fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[CLIENT_ID]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = 60;
    validation.validate_nbf = true;
    validation
}

/// One verification by tokenbridge.
async fn verify(verifier: &IdTokenVerifier, token: &str, options: &VerifyOptions<'_>) {
    black_box(
        verifier
            .verify(black_box(token), options)
            .await
            .expect("a valid token"),
    );
}

fn main() {
    let key = TestKey::Rsa1;
    let token = jose::sign_default(
        key,
        &jose::id_token_claims(ISSUER, CLIENT_ID, SystemTime::now()),
    );
    let jwks = Jwks::from_json(&jose::jwks_json(&[key])).expect("the fixture JWKS");
    let verifier = IdTokenVerifier::builder(ISSUER, CLIENT_ID)
        .key_source(Arc::new(StaticJwksSource::new(jwks)))
        .build()
        .expect("a verifier");
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(key.public_jwk()).expect("the fixture JWK");
    let decoding_key = DecodingKey::from_jwk(&jwk).expect("an RSA key");
    let validation = validation();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let options = VerifyOptions::new();

    let tokenbridge = || verify(&verifier, &token, &options);
    let direct = |token: &str| {
        black_box(
            jsonwebtoken::decode::<Map<String, Value>>(
                black_box(token),
                &decoding_key,
                &validation,
            )
            .expect("a valid token"),
        );
    };
    // The first call fetches the JWKS into the cache; every later one uses it.
    runtime.block_on(tokenbridge());
    direct(&token);

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = c.benchmark_group("id-token/rs256-cached-jwks");
        group.throughput(Throughput::Elements(1));
        group.bench_function("tokenbridge", |b| b.to_async(&runtime).iter(tokenbridge));
        group.bench_function("jsonwebtoken", |b| b.iter(|| direct(&token)));
        group.finish();
    }
    c.final_summary();

    if !measuring() {
        return;
    }
    const BATCH: u32 = 2_000;
    let names = ["tokenbridge", "jsonwebtoken"];
    let rounds = Interleaved::measure(&names, 15, |i| {
        // The runtime is entered once per batch for both, so that only the verification is
        // timed in the loop.
        runtime.block_on(async {
            let start = Instant::now();
            for _ in 0..BATCH {
                match i {
                    0 => tokenbridge().await,
                    _ => direct(&token),
                }
            }
            start.elapsed()
        })
    });
    println!(
        "{}",
        rounds.table(
            "ID-token verification, RS256, cached JWKS",
            &format!("{BATCH} verifications per batch")
        )
    );
    for (i, name) in names.iter().enumerate() {
        println!(
            "{name}: {:.0} verifications per second (median batch)",
            f64::from(BATCH) / rounds.median(i).as_secs_f64()
        );
    }
}
