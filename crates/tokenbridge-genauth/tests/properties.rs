//! Property tests of the GenAuth envelope parser (issue 13, section 5), and the scrubbing of
//! echoed credentials from a GenAuth `message` that is an object (section 2).

use std::io::{Read, Write};
use std::net::TcpListener;

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tokenbridge_core::{
    AuthMethod, Error, HttpResponse, Protocol, SecretString, TokenExchanger, Url,
};
use tokenbridge_genauth::{open_envelope, qr_ticket_grant};

fn answer(status: u16, body: Vec<u8>) -> HttpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    HttpResponse::new(
        Url::parse("https://a.genauth.ai/api/v3/exchange-tokenset-with-qrcode-ticket").unwrap(),
        status,
        headers,
        body,
    )
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("statusCode".to_owned()),
        Just("message".to_owned()),
        Just("apiCode".to_owned()),
        Just("requestId".to_owned()),
        Just("data".to_owned()),
        Just("error".to_owned()),
        Just("access_token".to_owned()),
        "[a-zA-Z_]{1,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(200i64), Just(400), Just(500), Just(-1)].prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,30}".prop_map(Value::from),
        prop_oneof![Just("200"), Just(" 400 "), Just("2e2")].prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_envelope_parser_never_panics_on_bytes(
        status in prop_oneof![Just(200u16), Just(400), Just(500), 100u16..600],
        body in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        if let Err(e) = open_envelope(&answer(status, body)) {
            let _ = (e.to_string(), format!("{e:?}"), e.kind());
        }
    }

    #[test]
    fn the_envelope_parser_never_panics_on_json(
        status in prop_oneof![Just(200u16), Just(400), Just(500), 100u16..600],
        value in json_value(),
    ) {
        match open_envelope(&answer(status, value.to_string().into_bytes())) {
            // Only a 2xx envelope saying statusCode 200 with an object `data` is opened.
            Ok(data) => {
                prop_assert!((200..300).contains(&status));
                prop_assert_eq!(Some(&Value::Object(data)), value.get("data"));
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"), e.kind());
            }
        }
    }

    #[test]
    fn a_success_envelope_round_trips_its_data(
        data in prop::collection::vec(("[a-zA-Z_]{1,12}", json_value()), 0..8),
        message in proptest::option::of(".{0,30}"),
        status_as_string in any::<bool>(),
    ) {
        let data: Map<String, Value> = data.into_iter().collect();
        let mut envelope = Map::new();
        envelope.insert(
            "statusCode".into(),
            if status_as_string { json!("200") } else { json!(200) },
        );
        if let Some(m) = message {
            envelope.insert("message".into(), json!(m));
        }
        envelope.insert("data".into(), Value::Object(data.clone()));
        let opened = open_envelope(&answer(200, Value::Object(envelope).to_string().into_bytes()))
            .unwrap();
        // Compared with serde_json's own reading of the same text (floats parse to the
        // nearest value it finds, not always the one generated).
        let expected: Value = serde_json::from_str(&Value::Object(data).to_string()).unwrap();
        prop_assert_eq!(Value::Object(opened), expected);
    }

    #[test]
    fn a_failure_envelope_keeps_its_status_code(
        status_code in prop_oneof![400i64..600, 1i64..199, 201i64..400],
        message in ".{0,40}",
        api_code in proptest::option::of(0i64..100_000),
    ) {
        let mut envelope = json!({"statusCode": status_code, "message": message});
        if let Some(code) = api_code {
            envelope["apiCode"] = json!(code);
        }
        match open_envelope(&answer(200, envelope.to_string().into_bytes())) {
            Err(Error::Vendor(v)) => prop_assert_eq!(v.status_code(), status_code),
            other => prop_assert!(false, "{envelope}: {other:?}"),
        }
    }

    #[test]
    fn a_repeated_member_is_unreadable(name in key()) {
        let body = format!(
            "{{\"{name}\":1,\"statusCode\":200,\"data\":{{\"access_token\":\"a\"}},\"{name}\":2}}"
        );
        match open_envelope(&answer(200, body.clone().into_bytes())) {
            Err(Error::UnreadableResponse(_)) => {}
            other => prop_assert!(false, "{body}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_object_echoing_the_request_keeps_no_piece_of_a_credential() {
    let secret = "genauth:S3CR3T+secret/with%odd chars-0123456789abcdefghijklmnop".repeat(4);
    let ticket = "ticket-T1CK3T-0123456789abcdefghijklmnopqrstuvwxyz".repeat(5);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut raw = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .to_ascii_lowercase()
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&raw).into_owned();
            let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
            let reply = json!({
                "statusCode": 400,
                "apiCode": 2001,
                "message": {"received": body, "headers": head, "nested": {"again": body}},
                "requestId": "req-1",
            })
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    for method in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost] {
        let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
            .base_url(format!("http://{addr}"))
            .client_id("6342b8537a1b2c047d314109")
            .client_secret(SecretString::from(secret.clone()))
            .auth_method(method)
            .build()
            .unwrap();
        let err = provider
            .exchange(qr_ticket_grant(ticket.clone()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Vendor(_)), "{err:?}");
        let shown = format!("{err}\n{err:?}\n{err:#?}");
        let form: String =
            tokenbridge_core::url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        for value in [&secret, &ticket, &form] {
            let chars: Vec<char> = value.chars().collect();
            for piece in chars.windows(20) {
                let piece: String = piece.iter().collect();
                assert!(!shown.contains(&piece), "{method:?}: {piece:?} in {shown}");
            }
        }
    }
}
