//! The typed fast path (`wire::parse_standard_fast`) must agree with the `Value` pipeline:
//! the same `TokenSet` for every answer the pipeline accepts, and no answer at all for every
//! one it refuses (so that the pipeline reports the error).

use http::header::HeaderMap;
use serde_json::{json, Value};
use tokenbridge_core::HttpResponse;
use tokenbridge_core::{
    decode_json_object, parse_standard_fast, standard_error, token_set_from_fields,
};
use tokenbridge_core::{ExposeSecret, TokenSet, Url};

fn answer(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(
        Url::parse("https://id.example.com/token").unwrap(),
        status,
        HeaderMap::new(),
        body.to_owned(),
    )
}

/// The `Value` pipeline alone, without the fast path in front of it.
fn slow(response: &HttpResponse) -> Option<TokenSet> {
    let object = decode_json_object(response).ok()?;
    if standard_error(response, &object).is_some() || !response.is_success() {
        return None;
    }
    token_set_from_fields(response, object, "corp").ok()
}

/// Everything a `TokenSet` holds, secrets exposed, for comparison.
fn view(t: &TokenSet) -> String {
    let secret =
        |s: Option<&tokenbridge_core::SecretString>| s.map(|s| s.expose_secret().to_owned());
    format!(
        "{} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        t.provider_id(),
        t.access_token().expose_secret(),
        t.token_type(),
        t.expires_in(),
        t.received_at(),
        secret(t.refresh_token()),
        secret(t.id_token()),
        t.scopes(),
        t.extra()
    )
}

#[test]
fn fast_path_agrees_with_the_value_pipeline() {
    let fields: Vec<Value> = vec![
        json!({}),
        json!({"token_type": "bearer", "expires_in": 3600, "scope": "openid profile"}),
        json!({"token_type": "BEARER", "expires_in": "3600"}),
        json!({"token_type": " dpop ", "expires_in": 7200.9}),
        json!({"token_type": "MAC"}),
        json!({"token_type": null, "expires_in": null}),
        json!({"token_type": "", "expires_in": ""}),
        json!({"token_type": 1}),
        json!({"expires_in": -5}),
        json!({"expires_in": "-5"}),
        json!({"expires_in": "abc"}),
        json!({"expires_in": "NaN"}),
        json!({"expires_in": true}),
        json!({"expires_in": 1e30}),
        json!({"expires_in": u64::MAX}),
        json!({"expires_in": "7.2e3"}),
        json!({"expire_in": 7200}),
        json!({"expire_in": "bogus"}),
        json!({"expires_in": 10, "expire_in": "bogus"}),
        json!({"expires_in": null, "expire_in": "7200"}),
        json!({"expires_in": null, "expire_in": -1}),
        json!({"scope": ["openid", "email"]}),
        json!({"scope": ["openid", 1]}),
        json!({"scope": []}),
        json!({"scope": "   "}),
        json!({"scope": null}),
        json!({"scope": 5}),
        json!({"refresh_token": "rt", "id_token": "it"}),
        json!({"refresh_token": "", "id_token": null}),
        json!({"refresh_token": 5}),
        json!({"id_token": ["x"]}),
        json!({"error": ""}),
        json!({"error": null}),
        json!({"error": " "}),
        json!({"error": "access_denied"}),
        json!({"error": 42}),
        json!({"session_state": "abc", "nested": {"x": [1, 2]}, "nothing": null}),
        json!({"error_code": "PARAM.0004", "statusCode": 200}),
    ];
    for extra in fields {
        for access_token in [
            json!("at-1"),
            json!("a b"),
            json!(""),
            json!("  "),
            json!("a\r\nX: 1"),
            json!("a\u{0}b"),
            json!(null),
            json!(42),
        ] {
            let mut body = extra.clone();
            body["access_token"] = access_token.clone();
            for status in [200, 201, 400] {
                let response = answer(status, &body.to_string());
                let fast = parse_standard_fast(&response, "corp");
                assert_eq!(
                    fast.as_ref().map(view),
                    slow(&response).as_ref().map(view),
                    "{status} {body}"
                );
            }
        }
        let response = answer(200, &extra.to_string());
        assert!(parse_standard_fast(&response, "corp").is_none(), "{extra}");
    }
}

#[test]
fn fast_path_declines_what_it_cannot_vouch_for() {
    for body in [
        "",
        "  ",
        "<html></html>",
        "[]",
        "null",
        r#"{"access_token":"a","access_token":"b"}"#,
        r#"{"access_token":"a","x":1,"x":2}"#,
        r#"{"access_token":"a","nested":{"x":1,"x":2}}"#,
        r#"{"access_token":"a","expire_in":{"x":1,"x":2}}"#,
        r#"{"access_token":"a"} trailing"#,
    ] {
        assert!(
            parse_standard_fast(&answer(200, body), "corp").is_none(),
            "{body}"
        );
    }
    // Escaped keys are the same keys.
    let tokens = parse_standard_fast(
        &answer(200, r#"{"access\u005ftoken":"a","k\u0031":1}"#),
        "corp",
    )
    .unwrap();
    assert_eq!(tokens.extra().get("k1"), Some(&json!(1)));
}
