//! Parses the standard ~1 KB token answer N times with one contender and exits: a steady loop
//! for tools that count work instead of timing it (see docs/benchmarks.md):
//!
//! ```sh
//! cargo build --release -p tokenbridge-bench --example parse_loop
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/parse_loop tokenbridge 20000
//! ```
//!
//! Contenders: `tokenbridge` (the standard pipeline), `oauth2` (its `BasicTokenResponse`) and
//! `plain-serde` (a plain struct). Instructions per parse = (count with N) − (count with 0),
//! divided by N.

use std::process::ExitCode;

use tokenbridge_bench::{http_response, standard_body, PlainToken};
use tokenbridge_core::parse_standard_response;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(contender), Some(Ok(count))) = (
        args.get(1).map(String::as_str),
        args.get(2).map(|n| n.parse::<usize>()),
    ) else {
        eprintln!("usage: parse_loop tokenbridge|oauth2|plain-serde COUNT");
        return ExitCode::from(2);
    };
    let body = standard_body();
    let response = http_response(&body);
    for _ in 0..count {
        match contender {
            "tokenbridge" => {
                let tokens = parse_standard_response(std::hint::black_box(&response), "bench");
                std::hint::black_box(tokens.is_ok());
            }
            "oauth2" => {
                let tokens: Result<oauth2::basic::BasicTokenResponse, _> =
                    serde_json::from_slice(std::hint::black_box(&body));
                std::hint::black_box(tokens.is_ok());
            }
            "plain-serde" => {
                let tokens: Result<PlainToken, _> =
                    serde_json::from_slice(std::hint::black_box(&body));
                std::hint::black_box(tokens.is_ok());
            }
            other => {
                eprintln!("unknown contender {other:?}: tokenbridge, oauth2 or plain-serde");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
