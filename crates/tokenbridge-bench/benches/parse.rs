//! Parsing a token answer: tokenbridge's lenient pipeline against `oauth2`'s
//! `BasicTokenResponse` and a plain serde struct, and the vendor shapes against the standard
//! one. Criterion measures each alone; the interleaved rounds at the end give the ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use oauth2::basic::BasicTokenResponse;
use tokenbridge_bench::{
    genauth_body, http_response, huawei_body, measuring, standard_body, Interleaved, PlainToken,
};
use tokenbridge_core::parse_standard_response;

fn tokenbridge_standard(response: &tokenbridge_core::HttpResponse) {
    black_box(parse_standard_response(black_box(response), "bench").expect("tokens"));
}

fn oauth2(body: &[u8]) {
    black_box(serde_json::from_slice::<BasicTokenResponse>(black_box(body)).expect("tokens"));
}

fn plain(body: &[u8]) {
    black_box(serde_json::from_slice::<PlainToken>(black_box(body)).expect("tokens"));
}

fn genauth(response: &tokenbridge_core::HttpResponse) {
    black_box(
        tokenbridge_genauth::parse_envelope_tokens(black_box(response), "bench").expect("tokens"),
    );
}

fn huawei(response: &tokenbridge_core::HttpResponse) {
    black_box(
        tokenbridge_huawei_oneaccess::hooks::parse_token_response(black_box(response), "bench")
            .expect("tokens"),
    );
}

fn main() {
    let body = standard_body();
    let standard = http_response(&body);
    let genauth_response = http_response(&genauth_body());
    let huawei_response = http_response(&huawei_body());

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = c.benchmark_group("parse/standard");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("tokenbridge", |b| {
            b.iter(|| tokenbridge_standard(&standard))
        });
        group.bench_function("oauth2", |b| b.iter(|| oauth2(&body)));
        group.bench_function("plain-serde", |b| b.iter(|| plain(&body)));
        group.finish();
    }
    {
        let mut group = c.benchmark_group("parse/vendor");
        group.bench_function("standard", |b| b.iter(|| tokenbridge_standard(&standard)));
        group.bench_function("genauth-envelope", |b| {
            b.iter(|| genauth(&genauth_response))
        });
        group.bench_function("huawei-string-expiry", |b| {
            b.iter(|| huawei(&huawei_response))
        });
        group.finish();
    }
    c.final_summary();

    if !measuring() {
        return;
    }
    const BATCH: u32 = 20_000;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed()
    };
    let contenders: [&dyn Fn(); 5] = [
        &|| tokenbridge_standard(&standard),
        &|| oauth2(&body),
        &|| plain(&body),
        &|| genauth(&genauth_response),
        &|| huawei(&huawei_response),
    ];
    let names = [
        "tokenbridge",
        "oauth2",
        "plain-serde",
        "genauth-envelope",
        "huawei-string-expiry",
    ];
    let rounds = Interleaved::measure(&names, 41, |i| time(contenders[i]));
    println!(
        "{}",
        rounds.table(
            &format!("parse, {} byte standard answer", body.len()),
            &format!("{BATCH} parses per batch")
        )
    );
    println!("{}", rounds.spread(0));
}
