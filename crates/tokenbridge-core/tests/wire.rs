//! Table-driven tests of the lenient response pipeline (core's `transport::wire`): every
//! quirk a provider is known to send, and every shape of error answer.

use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use serde_json::{json, Value};
use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::HttpResponse;
use tokenbridge_core::{
    decode_json_object, parse_expires_in, parse_scope, parse_standard_response, MAX_EXPIRES_IN,
};
use tokenbridge_core::{
    Error, MalformedValue, OAuthError, TokenSet, TokenType, UnreadableResponse, Url,
};

const ENDPOINT: &str = "https://id.example.com/oauth2/token";

fn response(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
    let mut headers = HeaderMap::new();
    if let Some(ct) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
    }
    HttpResponse::new(
        Url::parse(ENDPOINT).unwrap(),
        status,
        headers,
        body.to_owned(),
    )
}

fn json_response(status: u16, body: &Value) -> HttpResponse {
    response(status, Some("application/json"), &body.to_string())
}

fn parse(body: Value) -> tokenbridge_core::Result<TokenSet> {
    parse_standard_response(&json_response(200, &body), "corp")
}

fn secs(s: u64) -> Option<Duration> {
    Some(Duration::from_secs(s))
}

fn unreadable(err: Error) -> UnreadableResponse {
    match err {
        Error::UnreadableResponse(u) => *u,
        other => panic!("expected Error::UnreadableResponse, got {other:?}"),
    }
}

fn provider(err: Error) -> OAuthError {
    match err {
        Error::OAuth(p) => *p,
        other => panic!("expected Error::OAuth, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Expiry

#[test]
fn expires_in_values_that_parse() {
    let max = MAX_EXPIRES_IN.as_secs();
    let cases: Vec<(Value, Option<Duration>)> = vec![
        (json!(7200), secs(7200)),
        (json!("7200"), secs(7200)),
        (json!(" 7200 "), secs(7200)),
        (json!("7200.0"), secs(7200)),
        (json!(7200.0), secs(7200)),
        (json!(7200.9), secs(7200)),
        (json!("7200.9"), secs(7200)),
        (json!("7.2e3"), secs(7200)),
        (json!(null), None),
        (json!(""), None),
        (json!("   "), None),
        (json!(0), secs(0)),
        (json!("0"), secs(0)),
        (json!(0.4), secs(0)),
        (json!(max - 1), secs(max - 1)),
        (json!(max), Some(MAX_EXPIRES_IN)),
        (json!(max + 1), Some(MAX_EXPIRES_IN)),
        (json!(u64::MAX), Some(MAX_EXPIRES_IN)),
        (json!(1e30), Some(MAX_EXPIRES_IN)),
        (json!("99999999999999999999999"), Some(MAX_EXPIRES_IN)),
        (json!("1e30"), Some(MAX_EXPIRES_IN)),
        (json!("1e999"), Some(MAX_EXPIRES_IN)),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_expires_in(&value), Ok(expected), "{value}");
    }
}

#[test]
fn expires_in_values_that_are_refused() {
    let cases: Vec<(Value, &str)> = vec![
        (json!(-5), "-5 is negative"),
        (json!("-5"), "-5 is negative"),
        (json!(-0.5), "-0.5 is negative"),
        (json!("-1e999"), "-1e999 is negative"),
        (json!(" -5 "), "-5 is negative"),
        (json!(i64::MIN), "-9223372036854775808 is negative"),
        (json!("abc"), "\"abc\" is not a number of seconds"),
        (json!("12abc"), "\"12abc\" is not a number of seconds"),
        (json!("1e5e5"), "\"1e5e5\" is not a number of seconds"),
        (json!("NaN"), "\"NaN\" is not a number of seconds"),
        (json!("inf"), "\"inf\" is not a number of seconds"),
        (json!("7200s"), "\"7200s\" is not a number of seconds"),
        (json!(true), "expected a number of seconds, got a boolean"),
        (json!({}), "expected a number of seconds, got an object"),
        (json!([7200]), "expected a number of seconds, got an array"),
    ];
    for (value, expected) in cases {
        assert_eq!(
            parse_expires_in(&value),
            Err(MalformedValue::new(expected)),
            "{value}"
        );
    }
}

#[test]
fn expiry_field_names_in_a_token_answer() {
    // (body fields besides access_token, expected lifetime, expected extra)
    let cases: Vec<(Value, Option<Duration>, Value)> = vec![
        (json!({"expires_in": 3600}), secs(3600), json!({})),
        (json!({"expire_in": 7200}), secs(7200), json!({})),
        (json!({"expire_in": "7200"}), secs(7200), json!({})),
        // Both present: expires_in wins, expire_in is kept as sent.
        (
            json!({"expires_in": 3600, "expire_in": 7200}),
            secs(3600),
            json!({"expire_in": 7200}),
        ),
        (
            json!({"expires_in": "3600", "expire_in": "bogus"}),
            secs(3600),
            json!({"expire_in": "bogus"}),
        ),
        // A null expires_in says nothing, so expire_in is used.
        (
            json!({"expires_in": null, "expire_in": 7200}),
            secs(7200),
            json!({}),
        ),
        (json!({"expires_in": null}), None, json!({})),
        (json!({}), None, json!({})),
        (json!({"expires_in": 0}), secs(0), json!({})),
        (json!({"expires_in": 1e30}), Some(MAX_EXPIRES_IN), json!({})),
    ];
    for (fields, expires_in, extra) in cases {
        let mut body = fields.clone();
        body["access_token"] = json!("at-1");
        let tokens = parse(body).unwrap_or_else(|e| panic!("{fields}: {e}"));
        assert_eq!(tokens.expires_in(), expires_in, "{fields}");
        assert_eq!(&Value::Object(tokens.extra().clone()), &extra, "{fields}");
    }
}

#[test]
fn bad_expiry_in_a_token_answer_is_unreadable() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"expires_in": -5}), "`expires_in`: -5 is negative"),
        (json!({"expires_in": "-5"}), "`expires_in`: -5 is negative"),
        (
            json!({"expires_in": "abc"}),
            "`expires_in`: \"abc\" is not a number of seconds",
        ),
        (
            json!({"expires_in": true}),
            "`expires_in`: expected a number of seconds, got a boolean",
        ),
        (
            json!({"expires_in": {}}),
            "`expires_in`: expected a number of seconds, got an object",
        ),
        (json!({"expire_in": -1}), "`expire_in`: -1 is negative"),
        (
            json!({"expires_in": null, "expire_in": "x"}),
            "`expire_in`: \"x\" is not a number of seconds",
        ),
    ];
    for (fields, reason) in cases {
        let mut body = fields.clone();
        body["access_token"] = json!("at-1");
        let err = unreadable(parse(body).unwrap_err());
        assert_eq!(err.reason, reason, "{fields}");
        assert_eq!(err.status, Some(200));
        assert_eq!(err.endpoint, ENDPOINT);
    }
    // When expires_in has a value, a broken expire_in is not even looked at.
    let tokens = parse(json!({"access_token": "at", "expires_in": 10, "expire_in": -1})).unwrap();
    assert_eq!(tokens.expires_in(), secs(10));
}

#[test]
fn zero_lifetime_is_already_expired_and_times_are_exact() {
    let tokens = parse(json!({"access_token": "at", "expires_in": 0})).unwrap();
    assert_eq!(tokens.expires_in(), Some(Duration::ZERO));
    assert!(tokens.is_expired(Duration::ZERO));

    let answer = json_response(200, &json!({"access_token": "at", "expires_in": "120"}));
    let tokens = parse_standard_response(&answer, "corp").unwrap();
    assert_eq!(tokens.received_at(), answer.received_at());
    assert_eq!(
        tokens.expires_at(),
        Some(answer.received_at() + Duration::from_secs(120))
    );
    assert!(!tokens.is_expired_at(answer.received_at(), Duration::from_secs(119)));
    assert!(tokens.is_expired_at(answer.received_at(), Duration::from_secs(120)));

    // The clamp keeps expires_at representable: no overflow, no panic.
    let tokens = parse(json!({"access_token": "at", "expires_in": u64::MAX})).unwrap();
    assert!(tokens.expires_at().unwrap() > SystemTime::now());
    assert!(!tokens.is_expired(Duration::from_secs(3600)));
}

// ---------------------------------------------------------------------------------------------
// Other fields

#[test]
fn token_type_is_normalized() {
    let cases: Vec<(Value, TokenType)> = vec![
        (json!("bearer"), TokenType::Bearer),
        (json!("Bearer"), TokenType::Bearer),
        (json!("BEARER"), TokenType::Bearer),
        (json!(" bearer "), TokenType::Bearer),
        (json!("dpop"), TokenType::DPoP),
        (json!("DPoP"), TokenType::DPoP),
        (json!("MAC"), TokenType::Other("MAC".into())),
        (json!("N_A"), TokenType::Other("N_A".into())),
        (json!(null), TokenType::Bearer),
        (json!(""), TokenType::Bearer),
    ];
    for (value, expected) in cases {
        let tokens = parse(json!({"access_token": "at", "token_type": value})).unwrap();
        assert_eq!(tokens.token_type(), &expected, "{value}");
    }
    let tokens = parse(json!({"access_token": "at"})).unwrap();
    assert_eq!(tokens.token_type(), &TokenType::Bearer, "absent");
    assert_eq!(tokens.token_type().to_string(), "Bearer");
}

#[test]
fn scope_shapes() {
    let s = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    let cases: Vec<(Value, Option<Vec<String>>)> = vec![
        (json!("openid profile"), s(&["openid", "profile"])),
        (
            json!("  openid   profile\temail "),
            s(&["openid", "profile", "email"]),
        ),
        (json!("user"), s(&["user"])),
        (json!(["openid", "email"]), s(&["openid", "email"])),
        (json!(""), None),
        (json!("   "), None),
        (json!([]), None),
        (json!(null), None),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_scope(&value), Ok(expected.clone()), "{value}");
        let tokens = parse(json!({"access_token": "at", "scope": value})).unwrap();
        assert_eq!(tokens.scopes(), expected.as_deref(), "{value}");
    }
    assert_eq!(parse(json!({"access_token": "at"})).unwrap().scopes(), None);

    let refused: Vec<(Value, &str)> = vec![
        (
            json!(5),
            "`scope`: expected a string or an array, got a number",
        ),
        (
            json!({}),
            "`scope`: expected a string or an array, got an object",
        ),
        (
            json!(true),
            "`scope`: expected a string or an array, got a boolean",
        ),
        (
            json!(["openid", 1]),
            "`scope`: scope array holds a number, expected strings",
        ),
        (
            json!([null]),
            "`scope`: scope array holds null, expected strings",
        ),
    ];
    for (value, reason) in refused {
        let err = unreadable(parse(json!({"access_token": "at", "scope": value})).unwrap_err());
        assert_eq!(err.reason, reason, "{value}");
    }
}

#[test]
fn optional_tokens() {
    let cases: Vec<(Value, Option<&str>)> = vec![
        (json!("rt-1"), Some("rt-1")),
        (json!(""), None),
        (json!(null), None),
    ];
    for field in ["refresh_token", "id_token"] {
        for (value, expected) in &cases {
            let tokens = parse(json!({"access_token": "at", field: value})).unwrap();
            let got = match field {
                "refresh_token" => tokens.refresh_token(),
                _ => tokens.id_token(),
            };
            assert_eq!(
                got.map(|s| s.expose_secret().to_owned()).as_deref(),
                *expected,
                "{field}: {value}"
            );
            assert!(tokens.extra().is_empty(), "{field} must not land in extra");
        }
        let absent = parse(json!({"access_token": "at"})).unwrap();
        assert!(absent.refresh_token().is_none() && absent.id_token().is_none());
        for (value, kind) in [
            (json!(5), "a number"),
            (json!(["rt"]), "an array"),
            (json!(false), "a boolean"),
        ] {
            let err = unreadable(parse(json!({"access_token": "at", field: value})).unwrap_err());
            assert_eq!(
                err.reason,
                format!("`{field}`: expected a string, got {kind}")
            );
        }
    }
}

#[test]
fn every_unknown_field_is_kept() {
    let tokens = parse(json!({
        "access_token": "at-1",
        "token_type": "bearer",
        "expires_in": 10,
        "scope": "openid",
        "refresh_token": "rt-1",
        "id_token": "it-1",
        "session_state": "abc",
        "openid": "o-1",
        "nested": {"x": [1, 2]},
        "nothing": null,
    }))
    .unwrap();
    assert_eq!(
        Value::Object(tokens.extra().clone()),
        json!({"session_state": "abc", "openid": "o-1", "nested": {"x": [1, 2]}, "nothing": null})
    );
    assert_eq!(tokens.provider_id(), "corp");
    assert_eq!(tokens.access_token().expose_secret(), "at-1");
}

#[test]
fn access_token_is_required_and_must_be_a_string() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"token_type": "Bearer"}),
            "no `access_token` in the answer",
        ),
        (
            json!({"access_token": null}),
            "`access_token`: expected a string, got null",
        ),
        (
            json!({"access_token": ""}),
            "`access_token`: is empty or only white space",
        ),
        (
            json!({"access_token": " \t\n "}),
            "`access_token`: is empty or only white space",
        ),
        (
            json!({"access_token": "at\r\nX-Injected: 1"}),
            "`access_token`: holds control characters",
        ),
        (
            json!({"access_token": 42}),
            "`access_token`: expected a string, got a number",
        ),
        (
            json!({"access_token": {"value": "x"}}),
            "`access_token`: expected a string, got an object",
        ),
        (
            json!({"access_token": "at", "token_type": 1}),
            "`token_type`: expected a string, got a number",
        ),
    ];
    for (body, reason) in cases {
        let err = unreadable(parse(body.clone()).unwrap_err());
        assert_eq!(err.reason, reason, "{body}");
        assert_eq!(err.status, Some(200));
        assert_eq!(err.content_type.as_deref(), Some("application/json"));
    }
}

// ---------------------------------------------------------------------------------------------
// The error pipeline

#[test]
fn rfc6749_errors_with_any_status() {
    let body = json!({
        "error": "invalid_grant",
        "error_description": "code was already used",
        "error_uri": "https://id.example.com/errors/invalid_grant",
    });
    for status in [400, 401, 200] {
        let err = parse_standard_response(&json_response(status, &body), "corp").unwrap_err();
        assert!(err.is_invalid_grant(), "{status}");
        assert!(!err.is_retryable(), "{status}");
        assert_eq!(
            provider(err),
            OAuthError::new(Some(status), "invalid_grant")
                .with_description(Some("code was already used".into()))
                .with_uri(Some("https://id.example.com/errors/invalid_grant".into())),
            "{status}"
        );
    }

    // A 200 that carries both tokens and an error is an error.
    let err = parse(json!({"access_token": "at", "error": "access_denied"})).unwrap_err();
    assert_eq!(provider(err), OAuthError::new(Some(200), "access_denied"));

    let err = parse_standard_response(
        &json_response(401, &json!({"error": "invalid_client"})),
        "corp",
    )
    .unwrap_err();
    assert!(err.is_invalid_client() && !err.is_invalid_grant());
    assert_eq!(provider(err), OAuthError::new(Some(401), "invalid_client"));

    let err = parse_standard_response(
        &json_response(503, &json!({"error": "temporarily_unavailable"})),
        "corp",
    )
    .unwrap_err();
    assert!(err.is_retryable());
}

#[test]
fn bare_statuses_that_mean_nothing_about_the_request_are_unreadable() {
    for (status, retryable) in [
        (404, false),
        (405, false),
        (429, true),
        (500, true),
        (502, true),
        (503, true),
    ] {
        for body in ["", " \r\n"] {
            let err = parse_standard_response(&response(status, None, body), "corp").unwrap_err();
            assert_eq!(err.is_retryable(), retryable, "{status}");
            match &err {
                Error::UnreadableResponse(u) => {
                    assert_eq!(u.status, Some(status));
                    assert_eq!(u.reason, format!("HTTP {status} with an empty body"));
                }
                other => panic!("{status}: expected UnreadableResponse, got {other:?}"),
            }
            assert!(err.oauth_error().is_none(), "{status}");
        }
    }
}

#[test]
fn bare_error_statuses_derive_a_code() {
    let cases: Vec<(u16, &str, bool)> = vec![
        (400, "invalid_request", false),
        (401, "invalid_client", false),
        (403, "access_denied", false),
    ];
    for (status, code, retryable) in cases {
        for body in ["", " \r\n"] {
            for content_type in [None, Some("application/json")] {
                let err = parse_standard_response(&response(status, content_type, body), "corp")
                    .unwrap_err();
                assert_eq!(err.is_retryable(), retryable, "{status}");
                assert_eq!(err.is_invalid_client(), status == 401, "{status}");
                let mut expected = OAuthError::new(Some(status), code);
                expected = expected.with_from_status_only(true);
                assert_eq!(provider(err), expected, "{status} {body:?}");
            }
        }
    }
}

#[test]
fn answers_that_are_not_a_json_object() {
    let html = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
    // (status, content type, body, reason prefix, retryable)
    let cases: Vec<(u16, Option<&str>, &str, &str, bool)> = vec![
        (
            502,
            Some("text/html"),
            html,
            "the body is an HTML page",
            true,
        ),
        (
            200,
            Some("text/html; charset=utf-8"),
            "<html>login</html>",
            "the body is an HTML page",
            false,
        ),
        (
            200,
            Some("text/plain"),
            "access granted",
            "the body is not valid JSON",
            false,
        ),
        (
            200,
            None,
            "{\"access_token\": ",
            "the body is not valid JSON",
            false,
        ),
        (
            200,
            Some("application/json"),
            "",
            "the body is empty; expected a JSON object with tokens",
            false,
        ),
        (
            200,
            Some("application/json"),
            "[{\"access_token\":\"at\"}]",
            "expected a JSON object, got an array",
            false,
        ),
        (
            200,
            Some("application/json"),
            "\"at\"",
            "expected a JSON object, got a string",
            false,
        ),
        (
            200,
            Some("application/json"),
            "null",
            "expected a JSON object, got null",
            false,
        ),
        (
            200,
            Some("application/json"),
            "42",
            "expected a JSON object, got a number",
            false,
        ),
        (
            400,
            Some("application/json"),
            "[\"error\"]",
            "expected a JSON object, got an array",
            false,
        ),
    ];
    for (status, content_type, body, reason, retryable) in cases {
        let answer = response(status, content_type, body);
        let err = parse_standard_response(&answer, "corp").unwrap_err();
        assert_eq!(err.is_retryable(), retryable, "{body}");
        let u = unreadable(err);
        assert!(u.reason.starts_with(reason), "{body}: {}", u.reason);
        assert_eq!(u.status, Some(status));
        assert_eq!(u.content_type.as_deref(), content_type);
        assert_eq!(u.endpoint, ENDPOINT);
        // decode_json_object is the step that refuses them.
        assert!(decode_json_object(&answer).is_err());
    }
}

#[test]
fn html_snippet_is_kept_short_and_redacted() {
    let body = format!(
        "<html><body>Gateway error for code=SPENT-CODE token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln {}</body></html>",
        "x".repeat(1000)
    );
    let u = unreadable(
        parse_standard_response(&response(502, Some("text/html"), &body), "corp").unwrap_err(),
    );
    assert!(
        u.snippet
            .starts_with("<html><body>Gateway error for code=[redacted] token [redacted] xxx"),
        "{}",
        u.snippet
    );
    assert_eq!(
        u.snippet.chars().count(),
        tokenbridge_core::SNIPPET_CHARS + 1
    );
    assert!(!u.snippet.contains("SPENT-CODE") && !u.snippet.contains("eyJ"));
}

#[test]
fn error_field_of_the_wrong_type() {
    let cases: Vec<(u16, Value, &str)> = vec![
        (
            400,
            json!({"error": 42}),
            "`error` is a number, expected a string",
        ),
        (
            200,
            json!({"error": {"code": "x"}}),
            "`error` is an object, expected a string",
        ),
        (
            400,
            json!({"error": true}),
            "`error` is a boolean, expected a string",
        ),
        (
            400,
            json!({"error": ["invalid_grant"]}),
            "`error` is an array, expected a string",
        ),
    ];
    for (status, body, reason) in cases {
        let u =
            unreadable(parse_standard_response(&json_response(status, &body), "corp").unwrap_err());
        assert_eq!(u.reason, reason, "{body}");
        assert_eq!(u.status, Some(status));
    }
}

#[test]
fn empty_or_null_error_field_means_no_error() {
    for error in [json!(""), json!(null), json!(" ")] {
        let tokens = parse(json!({"access_token": "at", "error": error.clone()})).unwrap();
        assert_eq!(tokens.access_token().expose_secret(), "at", "{error}");
        // Kept like any other field the model has no slot for.
        assert_eq!(tokens.extra().get("error"), Some(&error));
    }
    // With an error status it is still an error, just without a code.
    let u = unreadable(
        parse_standard_response(&json_response(400, &json!({"error": ""})), "corp").unwrap_err(),
    );
    assert_eq!(
        u.reason,
        "an error status without an OAuth 2.0 `error` field"
    );
}

#[test]
fn error_status_without_an_error_field() {
    let cases: Vec<(u16, Value, bool)> = vec![
        (400, json!({"message": "bad request"}), false),
        (401, json!({}), false),
        (500, json!({"status": 500}), true),
        (302, json!({"access_token": "at"}), false),
    ];
    for (status, body, retryable) in cases {
        let err = parse_standard_response(&json_response(status, &body), "corp").unwrap_err();
        assert_eq!(err.is_retryable(), retryable, "{status}");
        let u = unreadable(err);
        assert_eq!(
            u.reason,
            "an error status without an OAuth 2.0 `error` field"
        );
        assert_eq!(u.status, Some(status));
    }
}

#[test]
fn error_messages_tell_what_to_check() {
    let err = parse_standard_response(&response(401, None, ""), "corp").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the provider refused the request (HTTP 401): invalid_client (derived from the status: \
         the answer had no body); check client_id, client_secret and the configured auth_method \
         (none, client_secret_post or client_secret_basic)"
    );
    let err = parse_standard_response(
        &json_response(
            400,
            &json!({"error": "invalid_grant", "error_description": "expired"}),
        ),
        "corp",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the provider refused the request (HTTP 400): invalid_grant: expired; the code, ticket or \
         refresh token is invalid, expired, already used or revoked, or the redirect_uri differs \
         from the authorize request: start a new login"
    );
    let err = parse_standard_response(
        &response(502, Some("text/html"), "<html>down</html>"),
        "corp",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not understand the answer from https://id.example.com/oauth2/token (HTTP 502, \
         text/html): the body is an HTML page (expected value at line 1 column 1); body starts: \
         \"<html>down</html>\"; the provider or a gateway in front of it failed: try again \
         later, and check the URL if it persists"
    );
    let err = parse(json!({"access_token": "at", "expires_in": "soon"})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not understand the answer from https://id.example.com/oauth2/token (HTTP 200, \
         application/json): `expires_in`: \"soon\" is not a number of seconds; body starts: \
         \"{\\\"access_token\\\":\\\"[redacted]\\\",\\\"expires_in\\\":\\\"soon\\\"}\"; check \
         that the URL points at the provider's endpoint, not a proxy, gateway or web page"
    );
}
