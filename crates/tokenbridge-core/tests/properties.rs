//! Property tests (issue 13, section 5): the lenient token parser and the callback parser
//! never panic on arbitrary input, a refused callback never sends anything, and well-formed
//! token responses come back field for field.

use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use tokenbridge_core::parse_standard_response;
use tokenbridge_core::{Error, HttpResponse, PendingLogin, Provider, Url};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Nothing written next to the sources; a failure prints its minimal input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn answer(status: u16, content_type: Option<&str>, body: Vec<u8>) -> HttpResponse {
    let mut headers = HeaderMap::new();
    if let Some(t) = content_type.and_then(|t| HeaderValue::from_str(t).ok()) {
        headers.insert(CONTENT_TYPE, t);
    }
    HttpResponse::new(
        Url::parse("https://id.example.com/token").unwrap(),
        status,
        headers,
        body,
    )
}

/// Member names a token response may have, plus a few others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("access_token".to_owned()),
        Just("token_type".to_owned()),
        Just("expires_in".to_owned()),
        Just("refresh_token".to_owned()),
        Just("scope".to_owned()),
        Just("id_token".to_owned()),
        Just("error".to_owned()),
        Just("error_description".to_owned()),
        Just("error_uri".to_owned()),
        "[a-z_]{1,12}",
    ]
}

/// Arbitrary JSON, biased towards what a token endpoint answers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        "[0-9 .eE+-]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(400),
        Just(401),
        Just(429),
        Just(500),
        100u16..600
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_owned())),
        Just(Some("application/json; charset=utf-8".to_owned())),
        Just(Some("text/html".to_owned())),
        Just(Some("text/plain".to_owned())),
        "[ -~]{0,30}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_token_parser_never_panics_on_bytes(
        status in status(),
        content_type in content_type(),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let response = answer(status, content_type.as_deref(), body);
        if let Err(e) = parse_standard_response(&response, "p") {
            let _ = (e.to_string(), format!("{e:?}"), e.kind(), e.is_retryable());
        }
    }

    #[test]
    fn the_token_parser_never_panics_on_json(
        status in status(),
        value in json_value(),
        duplicate in proptest::option::of(key()),
    ) {
        let mut body = value.to_string();
        // Sometimes repeat a member name, which must be refused rather than half-read.
        if let (Some(name), true) = (duplicate, body.starts_with('{') && body.len() > 2) {
            body.insert_str(1, &format!("\"{name}\":1,\"{name}\":2,"));
        }
        let response = answer(status, Some("application/json"), body.into_bytes());
        match parse_standard_response(&response, "p") {
            Ok(tokens) => {
                prop_assert!((200..300).contains(&status));
                let token = tokens.access_token().expose_secret();
                prop_assert!(!token.trim().is_empty());
                prop_assert!(!token.chars().any(char::is_control));
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"), e.kind());
            }
        }
    }

    #[test]
    fn well_formed_token_responses_round_trip(
        access_token in "[!-~]([ -~]{0,60}[!-~])?",
        token_type in prop_oneof![Just("Bearer"), Just("bearer"), Just("BEARER")],
        expires_in in proptest::option::of(0u64..315_360_000),
        expires_as_string in any::<bool>(),
        refresh_token in proptest::option::of("[!-~]{1,60}"),
        id_token in proptest::option::of("[A-Za-z0-9_-]{4,20}\\.[A-Za-z0-9_-]{4,20}\\.[A-Za-z0-9_-]{4,20}"),
        scopes in proptest::option::of(prop::collection::vec("[a-z:/._-]{1,10}", 1..5)),
        extra in proptest::option::of("[ -~]{0,30}"),
    ) {
        let mut body = Map::new();
        body.insert("access_token".into(), json!(access_token));
        body.insert("token_type".into(), json!(token_type));
        if let Some(n) = expires_in {
            let value = if expires_as_string { json!(n.to_string()) } else { json!(n) };
            body.insert("expires_in".into(), value);
        }
        if let Some(rt) = &refresh_token {
            body.insert("refresh_token".into(), json!(rt));
        }
        if let Some(it) = &id_token {
            body.insert("id_token".into(), json!(it));
        }
        if let Some(s) = &scopes {
            body.insert("scope".into(), json!(s.join(" ")));
        }
        if let Some(x) = &extra {
            body.insert("x_extra".into(), json!(x));
        }
        let response = answer(
            200,
            Some("application/json"),
            Value::Object(body).to_string().into_bytes(),
        );
        let tokens = parse_standard_response(&response, "p").unwrap();
        prop_assert_eq!(tokens.provider_id(), "p");
        prop_assert_eq!(tokens.access_token().expose_secret(), access_token.as_str());
        prop_assert!(tokens.token_type().as_str().eq_ignore_ascii_case("bearer"));
        prop_assert_eq!(tokens.expires_in(), expires_in.map(Duration::from_secs));
        prop_assert_eq!(
            tokens.refresh_token().map(|t| t.expose_secret().to_owned()),
            refresh_token
        );
        prop_assert_eq!(tokens.id_token().map(|t| t.expose_secret().to_owned()), id_token);
        prop_assert_eq!(tokens.scopes().map(<[String]>::to_vec), scopes);
        prop_assert_eq!(tokens.extra().get("x_extra").cloned(), extra.map(Value::from));
    }
}

// ---------------------------------------------------------------------------------------------
// The callback parser

const STATE: &str = "state-value-known-to-the-app";

/// A provider whose token endpoint is a closed loopback port: anything sent fails with a
/// connect error, which tells a sent request apart from a refused callback.
fn closed_provider() -> Provider {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    Provider::builder("p")
        .token_endpoint(format!("http://127.0.0.1:{port}/token"))
        .client_id("client")
        .client_secret(SecretString::from("client-secret"))
        .build()
        .unwrap()
}

fn pending() -> PendingLogin {
    serde_json::from_value(json!({
        "provider": "p",
        "state": STATE,
        "nonce": null,
        "code_verifier": "dBjftJeZ4CVP-mJ0-3cbB1k9Vq8sBGo4hSB0-Ie9KqW_0aQp",
        "redirect_uri": "http://127.0.0.1/callback",
    }))
    .unwrap()
}

/// Query pieces a callback is made of, hostile and not.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("state={STATE}")),
        Just("state=".to_owned()),
        Just(format!("state={STATE}x")),
        Just(format!("state={}", &STATE[..5])),
        "state=[ -~]{0,40}",
        "code=[ -~]{0,40}",
        Just("code=".to_owned()),
        "error=[a-z_]{0,20}",
        "error_description=[ -~]{0,40}",
        "iss=[ -~]{0,40}",
        "[a-z_%+=&#?]{0,20}",
        ".{0,20}",
    ]
}

fn callback() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        prop::collection::vec(piece(), 0..6).prop_map(|p| p.join("&")),
        (prop::collection::vec(piece(), 0..6), "[a-z:/.0-9]{0,30}")
            .prop_map(|(p, prefix)| format!("{prefix}?{}", p.join("&"))),
        (prop::collection::vec(piece(), 0..6)).prop_map(|p| format!(
            "http://127.0.0.1/callback?{}#{}",
            p.join("&"),
            "frag"
        )),
    ]
}

/// Whether `callback` carries exactly one `state` equal to [`STATE`], a code and no error:
/// the only callbacks that may be sent on.
fn acceptable(callback: &str) -> bool {
    let query = callback.split_once('?').map_or(callback, |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let states: Vec<&String> = pairs
        .iter()
        .filter(|(k, _)| k == "state")
        .map(|(_, v)| v)
        .collect();
    states == [STATE]
        && pairs.iter().any(|(k, v)| k == "code" && !v.is_empty())
        && !pairs.iter().any(|(k, _)| k == "error")
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_callback_parser_never_panics_and_sends_nothing_for_a_refused_callback(
        callback in callback(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let provider = closed_provider();
        let result = runtime.block_on(provider.complete_login(&callback, pending()));
        let err = match result {
            Ok(_) => panic!("tokens from a closed port for {callback:?}"),
            Err(err) => err,
        };
        let _ = (err.to_string(), format!("{err:?}"));
        // Only a callback with the right state, a code and no error goes on to the token
        // endpoint (and fails there, at the closed port); every other one is refused first.
        let sent = matches!(&err, Error::Transport(_));
        if !acceptable(&callback) {
            prop_assert!(!sent, "{callback:?} was sent on: {err}");
        }
    }
}
