//! Peak resident set size (`VmHWM`) of a client process making 10,000 client-credentials
//! exchanges, for tokenbridge, the reqwest baseline and `oauth2`, at 1 and 64 in flight.
//!
//! The loopback token server runs in a process of its own (this binary started with
//! `--serve`), so a figure holds the client alone: its runtime, its HTTP stack and what the
//! contender keeps. Peak RSS is process-wide and never goes down, so every measurement is a
//! fresh child process (`--client <contender> <in flight> <server address>`); the contenders
//! take turns, in an order that rotates from run to run. `none` builds the runtime and makes
//! no exchange: the floor every contender starts from. Each is measured on a current-thread
//! runtime and on a multi-thread runtime with 2 workers (as the `exchange` bench runs).
//!
//! Run with `cargo bench -p tokenbridge-bench --bench memory`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use futures_util::future::join_all;
use tokenbridge_bench::{
    measuring, peak_rss_kib, start_server, tokenbridge_exchange, tokenbridge_exchanger, Baseline,
};

const NAMES: [&str; 4] = ["none", "tokenbridge", "reqwest-baseline", "oauth2"];
const EXCHANGES: usize = 10_000;
const IN_FLIGHT: [usize; 2] = [1, 64];
/// Child processes per contender and concurrency; the table gives their median.
const RUNS: usize = 5;
/// Client runtimes: 0 is a current-thread runtime, otherwise that many worker threads.
const WORKERS: [usize; 2] = [0, 2];

/// `--serve`: the token server, until standard input closes (the parent exits or drops it).
fn serve() {
    let addr = start_server();
    println!("{addr}");
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// `--client`: `EXCHANGES` exchanges of one contender, `in_flight` at a time, on a runtime
/// with `workers` threads (0: current-thread); prints `VmHWM` in KiB.
fn client(name: &str, in_flight: usize, addr: SocketAddr, workers: usize) {
    let rt = if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
    }
    .expect("a runtime");
    rt.block_on(async {
        match name {
            "none" => {}
            "tokenbridge" => {
                let exchanger = tokenbridge_exchanger(addr);
                for _ in 0..EXCHANGES / in_flight {
                    join_all((0..in_flight).map(|_| tokenbridge_exchange(&exchanger))).await;
                }
            }
            "reqwest-baseline" => {
                let baseline = Baseline::new(addr);
                for _ in 0..EXCHANGES / in_flight {
                    join_all((0..in_flight).map(|_| baseline.exchange())).await;
                }
            }
            _ => {
                let oauth2 = common::OAuth2::new(addr);
                for _ in 0..EXCHANGES / in_flight {
                    join_all((0..in_flight).map(|_| oauth2.exchange())).await;
                }
            }
        }
    });
    println!("{}", peak_rss_kib().unwrap_or(0));
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn mib(kib: f64) -> String {
    format!("{:.2} MiB", kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        serve();
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--client") {
        let name = &args[i + 1];
        let in_flight: usize = args[i + 2].parse().expect("in flight");
        let addr: SocketAddr = args[i + 3].parse().expect("the server's address");
        let workers: usize = args[i + 4].parse().expect("workers");
        client(name, in_flight, addr, workers);
        return;
    }
    if !measuring() {
        return;
    }
    let exe = std::env::current_exe().expect("this binary");
    let mut server = Command::new(&exe)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("the server's address");
    let addr = line.trim().to_owned();

    println!(
        "\n### Peak RSS of the client process, {EXCHANGES} exchanges (VmHWM; the server in a process of its own; median of {RUNS} processes each)\n"
    );
    println!("| client runtime | contender | in flight | peak RSS (median) | lowest – highest | median − reqwest-baseline |");
    println!("|---|---|---|---|---|---|");
    for (workers, in_flight) in WORKERS
        .iter()
        .flat_map(|w| IN_FLIGHT.iter().map(move |n| (*w, *n)))
    {
        let flavour = match workers {
            0 => "current-thread".to_owned(),
            n => format!("{n} workers"),
        };
        let mut peaks: Vec<Vec<u64>> = vec![Vec::new(); NAMES.len()];
        for run in 0..RUNS {
            for k in 0..NAMES.len() {
                let i = (run + k) % NAMES.len();
                let output = Command::new(&exe)
                    .args([
                        "--client",
                        NAMES[i],
                        &in_flight.to_string(),
                        &addr,
                        &workers.to_string(),
                    ])
                    .output()
                    .expect("the client process runs");
                assert!(output.status.success(), "{} failed", NAMES[i]);
                let kib = String::from_utf8_lossy(&output.stdout)
                    .trim()
                    .parse()
                    .expect("VmHWM in KiB");
                peaks[i].push(kib);
            }
        }
        let medians: Vec<u64> = peaks.iter_mut().map(|p| median(p)).collect();
        let baseline = medians[2] as f64;
        for (i, name) in NAMES.iter().enumerate() {
            let (low, high) = (peaks[i][0], peaks[i][RUNS - 1]);
            let m = medians[i] as f64;
            println!(
                "| {flavour} | {name} | {in_flight} | {} KiB ({}) | {low} – {high} KiB | {:+} KiB ({:.2}x) |",
                medians[i],
                mib(m),
                medians[i] as i64 - medians[2] as i64,
                m / baseline
            );
        }
    }
    drop(server.stdin.take());
    let _ = server.wait();
}
