//! Runs N client-credentials exchanges of one contender against the loopback server, on a
//! current-thread runtime, and exits: a steady loop for tools that count work instead of
//! timing it, which a shared machine's load does not move. See docs/benchmarks.md:
//!
//! ```sh
//! cargo build --release -p tokenbridge-bench --example exchange_loop
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/exchange_loop tokenbridge 500
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/exchange_loop reqwest-baseline 500
//! ```
//!
//! Instructions per exchange = (count with N) − (count with 0), divided by N; the server's
//! side is counted too, and is the same for both contenders.

use std::process::ExitCode;

use tokenbridge_bench::{start_server, tokenbridge_exchange, tokenbridge_exchanger, Baseline};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(contender), Some(Ok(count))) = (
        args.get(1).map(String::as_str),
        args.get(2).map(|n| n.parse::<usize>()),
    ) else {
        eprintln!("usage: exchange_loop tokenbridge|reqwest-baseline COUNT");
        return ExitCode::from(2);
    };
    if !matches!(contender, "tokenbridge" | "reqwest-baseline") {
        eprintln!("unknown contender {contender:?}: tokenbridge or reqwest-baseline");
        return ExitCode::from(2);
    }
    let addr = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let tokenbridge = tokenbridge_exchanger(addr);
    let baseline = Baseline::new(addr);
    runtime.block_on(async {
        // One exchange each first: connections are opened outside the count.
        tokenbridge_exchange(&tokenbridge).await;
        baseline.exchange().await;
        for _ in 0..count {
            if contender == "tokenbridge" {
                std::hint::black_box(tokenbridge_exchange(&tokenbridge).await);
            } else {
                std::hint::black_box(baseline.exchange().await);
            }
        }
    });
    ExitCode::SUCCESS
}
