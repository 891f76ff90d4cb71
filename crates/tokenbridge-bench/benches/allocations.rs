//! Heap allocations per exchange, counted by a `#[global_allocator]`, for tokenbridge, the
//! reqwest baseline and `oauth2`.
//!
//! Allocations are counted on the measuring thread only: the client runs on a current-thread
//! runtime there, and the loopback server runs on a thread of its own that is not counted.
//! Peak RSS is measured by the `memory` bench, with the server in a process of its own.

// A counting allocator has to implement `GlobalAlloc`, which is an unsafe trait.
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use tokenbridge_bench::{
    measuring, start_server, tokenbridge_exchange, tokenbridge_exchanger, Baseline,
};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
    /// `--breakdown` only: a backtrace is taken of each counted allocation.
    static TRACING: Cell<bool> = const { Cell::new(false) };
    /// Set while a backtrace is taken, so that its own allocations are not traced.
    static IN_TRACE: Cell<bool> = const { Cell::new(false) };
    static TRACES: RefCell<Vec<std::backtrace::Backtrace>> = const { RefCell::new(Vec::new()) };
}

fn note() {
    // `try_with`: the thread-local may already be gone while a thread exits.
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        if TRACING.try_with(Cell::get).unwrap_or(false)
            && !IN_TRACE.try_with(Cell::get).unwrap_or(true)
        {
            IN_TRACE.with(|t| t.set(true));
            let trace = std::backtrace::Backtrace::force_capture();
            TRACES.with(|t| t.borrow_mut().push(trace));
            IN_TRACE.with(|t| t.set(false));
        }
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only an
// atomic and a const-initialised thread-local, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation is an allocation for the purpose of "how much heap traffic".
        note();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The contenders whose allocations are counted: tokenbridge, the reqwest baseline, `oauth2`,
/// and the baseline with tokenbridge's total timeout, to price the timer.
const COUNTED_NAMES: [&str; 4] = [
    "tokenbridge",
    "reqwest-baseline",
    "oauth2",
    "baseline+timeout",
];
const COUNTED_EXCHANGES: u64 = 1_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Allocations per exchange for each contender, sequential exchanges, after a warm-up that
/// opens the pooled connection.
fn count_allocations() -> [f64; 4] {
    let addr = start_server();
    let rt = runtime();
    let tokenbridge = tokenbridge_exchanger(addr);
    let baseline = Baseline::new(addr);
    let oauth2 = common::OAuth2::new(addr);
    let timed = Baseline::new(addr).with_timeout(std::time::Duration::from_secs(30));
    let mut out = [0.0; 4];
    for (i, slot) in out.iter_mut().enumerate() {
        rt.block_on(async {
            let one = || async {
                match i {
                    0 => drop(tokenbridge_exchange(&tokenbridge).await),
                    1 => drop(baseline.exchange().await),
                    2 => drop(oauth2.exchange().await),
                    _ => drop(timed.exchange().await),
                }
            };
            for _ in 0..100 {
                one().await;
            }
            COUNTED.with(|c| c.set(true));
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            for _ in 0..COUNTED_EXCHANGES {
                one().await;
            }
            let after = ALLOCATIONS.load(Ordering::Relaxed);
            COUNTED.with(|c| c.set(false));
            *slot = (after - before) as f64 / COUNTED_EXCHANGES as f64;
        });
    }
    out
}

/// `--breakdown`: where tokenbridge's allocations per exchange come from. Each allocation of
/// 100 counted exchanges is attributed to the innermost frame of a tokenbridge crate in its
/// backtrace, and to the innermost frame of another crate below it (reqwest, hyper,
/// serde_json, ...). Symbol names only: frames inlined into their caller are not seen.
///
/// `--breakdown <text>` prints, in full, the first backtrace whose frames mention `text`.
fn breakdown(show: Option<&str>) {
    const EXCHANGES: usize = 100;
    let addr = start_server();
    let rt = runtime();
    let tokenbridge = tokenbridge_exchanger(addr);
    rt.block_on(async {
        for _ in 0..100 {
            drop(tokenbridge_exchange(&tokenbridge).await);
        }
        COUNTED.with(|c| c.set(true));
        TRACING.with(|c| c.set(true));
        for _ in 0..EXCHANGES {
            drop(tokenbridge_exchange(&tokenbridge).await);
        }
        TRACING.with(|c| c.set(false));
        COUNTED.with(|c| c.set(false));
    });
    let traces = TRACES.with(|t| std::mem::take(&mut *t.borrow_mut()));
    let mut sites: BTreeMap<(String, String), usize> = BTreeMap::new();
    for trace in &traces {
        let text = trace.to_string();
        if show.is_some_and(|s| text.contains(s)) {
            println!("{text}");
            return;
        }
        let frames: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter_map(|l| l.split_once(": ").map(|(_, f)| f))
            .filter(|f| {
                !f.starts_with("std::")
                    && !f.starts_with("alloc::")
                    && !f.starts_with("core::")
                    && !f.starts_with("<alloc::")
                    && !f.starts_with("<core::")
                    && !f.starts_with("<std::")
                    && !f.starts_with("__rust")
                    && !f.contains("allocations::")
                    && !f.contains("Counting")
            })
            .collect();
        let ours = frames
            .iter()
            .find(|f| f.contains("tokenbridge"))
            .map_or("(no tokenbridge frame)", |f| f);
        let below = frames
            .first()
            .filter(|f| !f.contains("tokenbridge"))
            .map_or("", |f| f);
        *sites.entry((short(ours), short(below))).or_default() += 1;
    }
    let mut sites: Vec<_> = sites.into_iter().collect();
    sites.sort_by_key(|s| std::cmp::Reverse(s.1));
    println!(
        "{} allocations per exchange ({EXCHANGES} exchanges)\n",
        traces.len() as f64 / EXCHANGES as f64
    );
    println!("| per exchange | tokenbridge frame | innermost other frame |\n|---|---|---|");
    for ((ours, below), n) in sites {
        println!(
            "| {:.2} | `{ours}` | `{below}` |",
            n as f64 / EXCHANGES as f64
        );
    }
}

/// A frame's symbol without its hash suffix.
fn short(frame: &str) -> String {
    let frame = frame.trim();
    match frame.rfind("::h") {
        Some(i) if frame[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => frame[..i].to_owned(),
        _ => frame.to_owned(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--breakdown") {
        breakdown(args.get(i + 1).map(String::as_str));
        return;
    }
    if !measuring() {
        return;
    }
    let counts = count_allocations();
    println!(
        "\n### Allocations per exchange ({COUNTED_EXCHANGES} sequential exchanges, client side)\n"
    );
    println!("| contender | allocations per exchange |\n|---|---|");
    for (name, n) in COUNTED_NAMES.iter().zip(counts) {
        println!("| {name} | {n:.1} |");
    }
}
