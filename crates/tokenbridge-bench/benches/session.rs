//! A session refresh stampede: 10,000 concurrent callers of one `TokenSession` whose access
//! token has just expired, against the loopback server. The session must send one refresh
//! request for all of them (checked on the server's request count before anything is timed),
//! and the measure is the time until every caller has a token.
//!
//! Interleaved with the same 10,000 callers on a session whose token is still fresh (no
//! request: the fan-out alone) and with one plain exchange (the refresh request alone), so the
//! stampede's time can be read as "one exchange + handing the token to 10,000 callers".

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use tokenbridge_bench::{
    measuring, start_counting_server, tokenbridge_exchange, tokenbridge_exchanger, Interleaved,
};
use tokenbridge_core::{MemoryStore, TokenSession};
use tokenbridge_core::{Provider, TokenSet, TokenType};

/// Concurrent callers per stampede.
const CALLERS: usize = 10_000;

/// A session holding tokens that expired a moment ago, with a refresh token.
fn expired_session(provider: &Arc<Provider>) -> TokenSession {
    let tokens = TokenSet::new("bench", "expired-access-token", TokenType::Bearer)
        .with_expires_in(Some(Duration::ZERO))
        .with_refresh_token(Some("rt-bench-0123456789".to_owned()));
    TokenSession::builder(Arc::clone(provider) as Arc<dyn tokenbridge_core::TokenExchanger>)
        .tokens(tokens)
        .store(Arc::new(MemoryStore::new()))
        .build()
}

/// `CALLERS` tasks, spawned at once, each asking `session` for an access token; returns when
/// every one of them has it.
async fn stampede(session: &TokenSession) {
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.access_token().await })
        })
        .collect();
    for caller in callers {
        caller
            .await
            .expect("the caller finishes")
            .expect("every caller gets a token");
    }
}

/// One stampede on a new expired session: its time, and the requests the server received.
async fn timed_stampede(provider: &Arc<Provider>, requests: &AtomicU64) -> (Duration, u64) {
    let session = expired_session(provider);
    let before = requests.load(Ordering::SeqCst);
    let start = Instant::now();
    stampede(&session).await;
    let elapsed = start.elapsed();
    (elapsed, requests.load(Ordering::SeqCst) - before)
}

fn main() {
    let (addr, requests) = start_counting_server();
    // Two workers: the machine's two cores; the server has its own thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let provider = tokenbridge_exchanger(addr);

    // The property the numbers are about, checked before anything is timed: 10,000 callers at
    // expiry cause exactly one refresh request, and all of them get the new token.
    runtime.block_on(async {
        // Opens the pooled connection, so that every stampede below reuses it.
        tokenbridge_exchange(&provider).await;
        for _ in 0..3 {
            let (_, sent) = timed_stampede(&provider, &requests).await;
            assert_eq!(sent, 1, "{CALLERS} callers at expiry sent {sent} requests");
        }
    });
    // A session whose token is fresh: callers are answered from memory.
    let fresh = runtime.block_on(async {
        let session = expired_session(&provider);
        session.access_token().await.expect("a token");
        session
    });

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    {
        let mut group = c.benchmark_group(format!("session/{CALLERS}-callers"));
        group.throughput(Throughput::Elements(CALLERS as u64));
        group.bench_function("stampede-at-expiry", |b| {
            b.to_async(&runtime).iter_custom(|iters| {
                let provider = Arc::clone(&provider);
                let requests = Arc::clone(&requests);
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (elapsed, sent) = timed_stampede(&provider, &requests).await;
                        assert_eq!(sent, 1);
                        total += elapsed;
                    }
                    total
                }
            })
        });
        group.bench_function("fresh-token", |b| {
            b.to_async(&runtime).iter(|| stampede(&fresh))
        });
        group.finish();
    }
    c.final_summary();

    if !measuring() {
        return;
    }
    let names = ["stampede-at-expiry", "fresh-token", "one-exchange"];
    let mut sent_total = 0;
    let mut stampedes = 0;
    let rounds = Interleaved::measure(&names, 15, |i| {
        runtime.block_on(async {
            match i {
                0 => {
                    let (elapsed, sent) = timed_stampede(&provider, &requests).await;
                    sent_total += sent;
                    stampedes += 1;
                    elapsed
                }
                1 => {
                    let start = Instant::now();
                    stampede(&fresh).await;
                    start.elapsed()
                }
                _ => {
                    let start = Instant::now();
                    tokenbridge_exchange(&provider).await;
                    start.elapsed()
                }
            }
        })
    });
    assert_eq!(sent_total, stampedes, "one request per stampede");
    println!(
        "{}",
        rounds.table(
            &format!("session refresh stampede, {CALLERS} concurrent callers"),
            "one stampede, or one exchange, per batch"
        )
    );
    println!(
        "Requests sent: {sent_total} for {stampedes} stampedes of {CALLERS} callers \
         (one per stampede). Median time until all {CALLERS} callers have a token: {:?}.",
        rounds.median(0)
    );
}
