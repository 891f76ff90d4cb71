//! Loopback exchange throughput: tokenbridge's exchanger against a hand-written reqwest
//! baseline and `oauth2` with its reqwest client, with 1 and with 64 requests in flight,
//! against a minimal server on 127.0.0.1 started here.

mod common;

use std::future::Future;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use futures_util::future::join_all;
use tokenbridge_bench::{
    measuring, start_server, tokenbridge_exchange, tokenbridge_exchanger, Baseline, Interleaved,
};
use tokenbridge_core::{parse_standard_response, Grant};

/// Interleaved rounds per setting. A round of 1 in flight lasts tens of milliseconds, in which
/// the scheduler of a shared machine moves a ratio by 10% or more; 41 rounds make the median
/// hold from run to run.
const ROUNDS: usize = 41;

/// Runs `in_flight` copies of `one` at once.
async fn batch<F: Future>(in_flight: usize, one: impl Fn() -> F) {
    if in_flight == 1 {
        one().await;
    } else {
        join_all((0..in_flight).map(|_| one())).await;
    }
}

fn main() {
    let addr = start_server();
    // Two workers: the machine's two cores; the server has its own thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let tokenbridge = tokenbridge_exchanger(addr);
    let baseline = Baseline::new(addr);
    let oauth2 = common::OAuth2::new(addr);
    // tokenbridge's default total timeout; the baseline never fires it either.
    let timed = Baseline::new(addr).with_timeout(Duration::from_secs(30));

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for in_flight in [1usize, 64] {
        let mut group = c.benchmark_group(format!("exchange/{in_flight}-in-flight"));
        group.throughput(Throughput::Elements(in_flight as u64));
        group.bench_function("tokenbridge", |b| {
            b.to_async(&runtime)
                .iter(|| batch(in_flight, || tokenbridge_exchange(&tokenbridge)))
        });
        group.bench_function("reqwest-baseline", |b| {
            b.to_async(&runtime)
                .iter(|| batch(in_flight, || baseline.exchange()))
        });
        group.bench_function("oauth2", |b| {
            b.to_async(&runtime)
                .iter(|| batch(in_flight, || oauth2.exchange()))
        });
        group.bench_function("reqwest-baseline-with-timeout", |b| {
            b.to_async(&runtime)
                .iter(|| batch(in_flight, || timed.exchange()))
        });
        group.finish();
    }
    c.final_summary();

    if !measuring() {
        return;
    }
    // Where tokenbridge's time goes, at 1 in flight: its transport alone (the prebuilt
    // request sent, the answer read, nothing parsed), then with the answer parsed.
    let request = runtime
        .block_on(tokenbridge.build_request(&Grant::client_credentials()))
        .expect("a request");
    let http = tokenbridge.http();
    let names = [
        "tokenbridge",
        "reqwest-baseline",
        "oauth2",
        "baseline+timeout",
        "tokenbridge-send",
        "tokenbridge-send+parse",
    ];
    for (in_flight, batches) in [(1usize, 400usize), (64, 12)] {
        // The breakdown only at 1 in flight, where the goal is.
        let names = if in_flight == 1 {
            &names[..]
        } else {
            &names[..4]
        };
        let rounds = Interleaved::measure(names, ROUNDS, |i| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..batches {
                    match i {
                        0 => batch(in_flight, || tokenbridge_exchange(&tokenbridge)).await,
                        1 => batch(in_flight, || baseline.exchange()).await,
                        2 => batch(in_flight, || oauth2.exchange()).await,
                        3 => batch(in_flight, || timed.exchange()).await,
                        4 => {
                            let answer = http.send(&request).await.expect("an answer");
                            std::hint::black_box(answer);
                        }
                        _ => {
                            let answer = http.send(&request).await.expect("an answer");
                            let tokens = parse_standard_response(&answer, "bench");
                            std::hint::black_box(tokens.expect("tokens"));
                        }
                    }
                }
                start.elapsed()
            })
        });
        println!(
            "{}",
            rounds.table(
                &format!("loopback exchange, {in_flight} in flight"),
                &format!(
                    "{} exchanges per batch; throughput ratio = inverse of the time ratio",
                    in_flight * batches
                )
            )
        );
        println!("{}", rounds.spread(1));
    }
}
