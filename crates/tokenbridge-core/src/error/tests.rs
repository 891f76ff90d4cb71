//! Unit tests of the error types.

use std::time::{Duration, SystemTime};

use super::*;

#[test]
fn helpers_classify() {
    let e: Error = OAuthError::new(Some(400), "invalid_grant").into();
    assert!(e.is_invalid_grant() && !e.is_invalid_client() && !e.is_retryable());
    let e: Error = OAuthError::new(Some(401), "invalid_client").into();
    assert!(e.is_invalid_client());
    let e: Error = OAuthError::new(Some(503), "server_error").into();
    assert!(e.is_retryable());
    let e: Error = VendorError::new("genauth", 429, 429, "too many requests").into();
    assert!(e.is_retryable());
    let e: Error = VendorError::new("genauth", 200, 400, "bad ticket").into();
    assert!(!e.is_retryable());
    let e: Error = TransportError {
        kind: TransportKind::Connect,
        endpoint: "https://x/token".into(),
        message: "refused".into(),
        source: None,
    }
    .into();
    assert!(e.is_retryable());
}

fn unreadable_at(status: u16) -> Error {
    UnreadableResponse {
        endpoint: "https://x/token".into(),
        status: Some(status),
        content_type: None,
        reason: "r".into(),
        snippet: String::new(),
        retry_after: None,
    }
    .into()
}

#[test]
fn retryability_boundaries_for_every_origin() {
    // (status, expected kind of an unknown-code refusal, retryable)
    let table = [
        (428, ErrorKind::InvalidRequest, false),
        (429, ErrorKind::RateLimited, true),
        (499, ErrorKind::InvalidRequest, false),
        (500, ErrorKind::ProviderUnavailable, true),
        (599, ErrorKind::ProviderUnavailable, true),
    ];
    for (status, kind, retryable) in table {
        let provider: Error = OAuthError::new(Some(status), "weird_code").into();
        assert_eq!(
            (provider.kind(), provider.is_retryable()),
            (kind, retryable),
            "provider {status}"
        );
        let vendor: Error = VendorError::new("v", status, i64::from(status), "m").into();
        assert_eq!(vendor.is_retryable(), retryable, "vendor {status}");
        let vendor_200: Error = VendorError::new("v", 200, i64::from(status), "m").into();
        assert_eq!(
            vendor_200.is_retryable(),
            retryable,
            "vendor status_code {status}"
        );
        let unreadable = unreadable_at(status);
        assert_eq!(unreadable.is_retryable(), retryable, "unreadable {status}");
    }
}

#[test]
fn oauth_codes_round_trip_and_classify() {
    for (code, kind) in [
        ("invalid_grant", ErrorKind::InvalidGrant),
        ("invalid_client", ErrorKind::InvalidClient),
        ("unauthorized_client", ErrorKind::InvalidClient),
        ("invalid_request", ErrorKind::InvalidRequest),
        ("invalid_scope", ErrorKind::InvalidScope),
        ("access_denied", ErrorKind::AccessDenied),
        ("unsupported_grant_type", ErrorKind::Unsupported),
        ("invalid_token", ErrorKind::InvalidToken),
        ("temporarily_unavailable", ErrorKind::ProviderUnavailable),
        ("slow_down", ErrorKind::RateLimited),
    ] {
        let parsed = OAuthErrorCode::parse(code);
        assert!(!matches!(parsed, OAuthErrorCode::Other(_)), "{code}");
        assert_eq!(parsed.as_str(), code);
        assert_eq!(OAuthError::new(Some(400), code).kind, kind, "{code}");
    }
    let other = OAuthErrorCode::parse("login_required");
    assert_eq!(other, OAuthErrorCode::Other("login_required".into()));
    assert_eq!(other.as_str(), "login_required");
    // A 5xx wins over whatever code the body carries.
    assert_eq!(
        OAuthError::new(Some(503), "invalid_request").kind,
        ErrorKind::ProviderUnavailable
    );
}

#[test]
fn retry_after_reads_seconds_and_dates() {
    assert_eq!(
        RetryAfter::parse(" 120 "),
        Some(RetryAfter::Delay(Duration::from_secs(120)))
    );
    let at = RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
    let RetryAfter::At(when) = at else {
        panic!("expected a date, got {at:?}")
    };
    assert_eq!(
        when.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        1_445_412_480
    );
    assert_eq!(at.delay_from(when + Duration::from_secs(5)), Duration::ZERO);
    assert_eq!(RetryAfter::parse("soon"), None);
    assert_eq!(RetryAfter::parse("-5"), None);
}

#[test]
fn may_have_been_sent_is_precise() {
    let transport = |kind| -> Error {
        TransportError {
            kind,
            endpoint: "https://x/token".into(),
            message: "m".into(),
            source: None,
        }
        .into()
    };
    assert!(!transport(TransportKind::Connect).may_have_been_sent());
    assert!(!transport(TransportKind::ConnectTimeout).may_have_been_sent());
    assert!(transport(TransportKind::Timeout).may_have_been_sent());
    assert!(transport(TransportKind::Other).may_have_been_sent());
    assert_eq!(
        transport(TransportKind::ConnectTimeout).kind(),
        ErrorKind::Timeout
    );
    assert!(transport(TransportKind::ConnectTimeout)
        .to_string()
        .contains("the request was not sent"));
    assert!(!Error::config("k", "m").may_have_been_sent());
    let refused: Error = OAuthError::new(Some(400), "invalid_grant").into();
    assert!(refused.may_have_been_sent());
}
