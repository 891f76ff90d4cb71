//! Boundary tables pinned to literal values (issue 13, section 4): retryability at 428, 429,
//! 499, 500 and 599 for every kind of answer the parser builds an error from, and the
//! ten-year expiry clamp as the number of seconds it is, not as the constant under test.

use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use serde_json::json;
use tokenbridge_core::{parse_expires_in, parse_standard_response};
use tokenbridge_core::{Error, ErrorKind, HttpResponse, Url};

fn answer(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
    let mut headers = HeaderMap::new();
    if let Some(t) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(t).unwrap());
    }
    HttpResponse::new(
        Url::parse("https://id.example.com/token").unwrap(),
        status,
        headers,
        body.to_owned(),
    )
}

#[test]
fn retryability_boundaries_for_every_parsed_answer() {
    // (status, retryable): only 429 and 5xx may be tried again.
    let statuses = [
        (428, false),
        (429, true),
        (499, false),
        (500, true),
        (599, true),
    ];
    let bodies: &[(&str, Option<&str>, &str)] = &[
        (
            "an unknown OAuth code",
            Some("application/json"),
            r#"{"error":"weird_code"}"#,
        ),
        (
            "an OAuth code with a description",
            Some("application/json"),
            r#"{"error":"server_said_no","error_description":"d"}"#,
        ),
        ("an empty body", None, ""),
        ("an empty JSON body", Some("application/json"), ""),
        (
            "a JSON object without error",
            Some("application/json"),
            r#"{"x":1}"#,
        ),
        (
            "an HTML page",
            Some("text/html"),
            "<html><body>busy</body></html>",
        ),
        ("plain text", Some("text/plain"), "try later"),
        ("broken JSON", Some("application/json"), r#"{"error":"#),
    ];
    for (status, retryable) in statuses {
        for (what, content_type, body) in bodies {
            let err = parse_standard_response(&answer(status, *content_type, body), "test")
                .expect_err("an error status is never tokens");
            assert_eq!(
                err.is_retryable(),
                retryable,
                "{status} with {what}: {err:?}"
            );
            let expected_kind = match status {
                429 => Some(ErrorKind::RateLimited),
                500..=599 => Some(ErrorKind::ProviderUnavailable),
                _ => None,
            };
            if let Some(kind) = expected_kind {
                assert_eq!(err.kind(), kind, "{status} with {what}: {err:?}");
            } else {
                assert!(
                    !matches!(
                        err.kind(),
                        ErrorKind::RateLimited | ErrorKind::ProviderUnavailable
                    ),
                    "{status} with {what}: {err:?}"
                );
            }
            match (&err, *body) {
                (Error::OAuth(p), _) => assert_eq!(p.status(), Some(status)),
                (Error::UnreadableResponse(u), _) => assert_eq!(u.status, Some(status)),
                (other, _) => panic!("{status} with {what}: {other:?}"),
            }
        }
    }
}

#[test]
fn the_expiry_clamp_is_ten_years_of_seconds() {
    // 10 * 365 * 24 * 60 * 60, written out: a changed constant must fail here.
    const TEN_YEARS: u64 = 315_360_000;
    let secs = |s: u64| Some(Duration::from_secs(s));
    for (value, expected) in [
        (json!(315_359_999u64), secs(315_359_999)),
        (json!(315_360_000u64), secs(TEN_YEARS)),
        (json!(315_360_001u64), secs(TEN_YEARS)),
        (json!("315360001"), secs(TEN_YEARS)),
        (json!(u64::MAX), secs(TEN_YEARS)),
        (json!(1e300), secs(TEN_YEARS)),
        (json!("1e999"), secs(TEN_YEARS)),
    ] {
        assert_eq!(parse_expires_in(&value), Ok(expected), "{value}");
    }
    assert_eq!(tokenbridge_core::MAX_EXPIRES_IN.as_secs(), TEN_YEARS);
}
