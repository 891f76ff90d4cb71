//! The custom adapter example, run as a test and tested like an adapter crate's `tests/`:
//! the exact request it sends, how every kind of answer maps into `Error`, configuration
//! errors, and redaction.

#[path = "../examples/custom_adapter.rs"]
mod example;

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};
use tokenbridge::{
    AuthMethod, Config, Error, Grant, HttpClient, HttpResponse, SecretString, TokenExchanger,
    TokenType, Url,
};

use example::acme::config::AcmeConfig;
use example::acme::exchanger::AcmeExchanger;
use example::acme::wire::parse_token_response;
use example::emulator::{AcmeEmulator, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URI, TOKEN_PATH};

fn env(var: &str) -> Option<String> {
    (var == "ACME_SECRET").then(|| DEMO_CLIENT_SECRET.to_owned())
}

async fn started() -> (AcmeEmulator, Arc<dyn TokenExchanger>) {
    let acme = AcmeEmulator::start().await.unwrap();
    let config = Config::from_toml_str(&example::config_toml(&acme.base())).unwrap();
    let exchanger = example::acme_registry(env).build(&config, "acme").unwrap();
    (acme, exchanger)
}

#[test]
fn the_example_runs() {
    example::main().unwrap();
}

#[tokio::test]
async fn code_exchange_sends_exactly_this_request_and_normalizes_the_answer() {
    let (acme, exchanger) = started().await;
    let code = acme.mint_code(None);
    let tokens = exchanger
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap();

    let requests = acme.token_requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, TOKEN_PATH);
    assert_eq!(sent.query, None);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body_text(),
        format!(
            r#"{{"client_id":"demo-app","client_secret":"demo-secret","code":"{code}","grant_type":"authorization_code","redirect_uri":"http://127.0.0.1/callback"}}"#
        )
    );

    assert_eq!(tokens.provider(), "acme");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(3600))
    );
    assert_eq!(
        tokens.scopes(),
        Some(&["profile".to_owned(), "email".to_owned()][..])
    );
    assert!(tokens.refresh_token().is_some());
    assert!(tokens.id_token().is_none());
    assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());
}

#[tokio::test]
async fn client_secret_basic_puts_the_credentials_in_the_header_only() {
    let acme = AcmeEmulator::start().await.unwrap();
    let exchanger = AcmeExchanger::new(
        "acme",
        AcmeConfig::new(acme.base(), "demo-app")
            .with_client_secret(SecretString::from("demo-secret"))
            .with_auth_method(AuthMethod::ClientSecretBasic),
        HttpClient::default(),
    )
    .unwrap();
    let request = exchanger
        .build_request(&Grant::refresh_token("rt-1"))
        .unwrap();
    assert_eq!(
        String::from_utf8(request.body_bytes()).unwrap(),
        r#"{"grant_type":"refresh_token","refresh_token":"rt-1"}"#
    );
    // base64("demo-app:demo-secret")
    assert_eq!(
        request.headers()["authorization"],
        "Basic ZGVtby1hcHA6ZGVtby1zZWNyZXQ="
    );

    // The demo application is registered for client_secret_post, so Acme refuses the client.
    let err = exchanger
        .exchange(Grant::authorization_code(
            acme.mint_code(None),
            DEMO_REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert!(err.is_invalid_client(), "{err}");
    assert_eq!(
        err.provider_error().unwrap().description.as_deref(),
        Some("client authentication failed (Acme code 40102, request id req-1)")
    );
}

#[tokio::test]
async fn unsupported_grants_send_nothing() {
    let (acme, exchanger) = started().await;
    let err = exchanger
        .exchange(Grant::client_credentials(["read"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedGrant { provider, .. } if provider == "acme"),
        "{err}"
    );
    assert!(acme.token_requests().is_empty());
}

fn answer(status: u16, request_id: Option<&str>, body: &[u8]) -> tokenbridge::Result<()> {
    let mut headers = HeaderMap::new();
    if let Some(id) = request_id {
        headers.insert("x-acme-request-id", HeaderValue::from_str(id).unwrap());
    }
    let response = HttpResponse::new(
        Url::parse("https://corp.acme-id.example/api/v1/token").unwrap(),
        status,
        headers,
        body.to_vec(),
    );
    parse_token_response(&response, "acme").map(|_| ())
}

fn unreadable_reason(status: u16, body: Value) -> String {
    match answer(status, None, body.to_string().as_bytes()).unwrap_err() {
        Error::UnreadableResponse(u) => u.reason,
        other => panic!("expected an unreadable response, got: {other}"),
    }
}

#[test]
fn known_codes_become_provider_errors() {
    let err = answer(
        200,
        Some("r-7"),
        br#"{"code": 40001, "msg": "code expired", "data": null}"#,
    )
    .unwrap_err();
    let provider = err.provider_error().unwrap();
    assert_eq!(provider.status, Some(200));
    assert_eq!(provider.code, "invalid_grant");
    assert_eq!(
        provider.description.as_deref(),
        Some("code expired (Acme code 40001, request id r-7)")
    );
    assert!(err.is_invalid_grant() && !err.is_retryable());

    for (code, invalid_grant) in [(40002, true), (40003, true), (40004, true), (40101, false)] {
        let body = json!({"code": code, "msg": "m", "data": null}).to_string();
        let err = answer(200, None, body.as_bytes()).unwrap_err();
        assert_eq!(err.is_invalid_grant(), invalid_grant, "{code}: {err}");
        assert_eq!(err.is_invalid_client(), !invalid_grant, "{code}: {err}");
    }
}

#[test]
fn other_codes_become_vendor_errors() {
    let err = answer(
        200,
        Some("r-8"),
        br#"{"code": 40301, "msg": "application disabled", "data": null}"#,
    )
    .unwrap_err();
    let vendor = err.vendor_error().unwrap();
    assert_eq!(vendor.vendor, "acme");
    assert_eq!(vendor.http_status, 200);
    assert_eq!(vendor.status_code, 403);
    assert_eq!(vendor.api_code.as_deref(), Some("40301"));
    assert_eq!(vendor.message, "application disabled");
    assert_eq!(vendor.request_id.as_deref(), Some("r-8"));
    assert!(!err.is_retryable() && !err.is_invalid_grant());

    let err = answer(503, None, br#"{"code": 50300, "data": null}"#).unwrap_err();
    let vendor = err.vendor_error().unwrap();
    assert_eq!(
        (
            vendor.status_code,
            vendor.http_status,
            vendor.message.as_str()
        ),
        (503, 503, "(no message)")
    );
    assert!(err.is_retryable());
}

#[test]
fn answers_that_are_not_acme_envelopes_are_unreadable() {
    let html = answer(502, None, b"<html><body>Bad Gateway</body></html>").unwrap_err();
    match &html {
        Error::UnreadableResponse(u) => {
            assert_eq!(u.status, Some(502));
            assert!(
                u.reason.starts_with("the body is an HTML page"),
                "{}",
                u.reason
            );
        }
        other => panic!("{other}"),
    }

    let bare = answer(401, None, b"").unwrap_err();
    let provider = bare.provider_error().unwrap();
    assert!(
        provider.from_status_only && bare.is_invalid_client(),
        "{bare}"
    );

    let cases = [
        (200, json!([1, 2]), "expected a JSON object, got an array"),
        (
            200,
            json!({"msg": "ok"}),
            "no `code`: this is not an Acme ID envelope",
        ),
        (
            200,
            json!({"code": "0"}),
            "`code` is a string, expected an integer",
        ),
        (
            200,
            json!({"code": 0.5}),
            "`code` is 0.5, expected an integer",
        ),
        (
            200,
            json!({"code": 0, "data": null}),
            "code 0 but no `data` with tokens",
        ),
        (
            200,
            json!({"code": 0, "data": "x"}),
            "`data` is a string, expected an object",
        ),
        (
            500,
            json!({"code": 0, "data": {}}),
            "an error status with a success envelope (code 0)",
        ),
        (
            200,
            json!({"code": 0, "data": {}}),
            "no `data.token` in the answer",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": "t"}}),
            "`data.token`: expected an object, got a string",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {}}}),
            "no `data.token.value` in the answer",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": ""}}}),
            "`data.token.value`: is empty",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": 7}}}),
            "`data.token.value`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at", "kind": 1}}}),
            "`data.token.kind`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at"}, "lifetime": "3600"}}),
            "`data.lifetime`: expected an object, got a string",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at"}, "lifetime": {"seconds": "soon"}}}),
            "`data.lifetime.seconds`: \"soon\" is not a number of seconds",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at"}, "lifetime": {"seconds": -5}}}),
            "`data.lifetime.seconds`: -5 is negative",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at"}, "refresh": 5}}),
            "`data.refresh`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"token": {"value": "at"}, "scope": {}}}),
            "`data.scope`: expected a string or an array, got an object",
        ),
    ];
    for (status, body, reason) in cases {
        assert_eq!(unreadable_reason(status, body.clone()), reason, "{body}");
    }
}

#[test]
fn lenient_where_acme_varies_and_nothing_is_dropped() {
    let response = HttpResponse::new(
        Url::parse("https://corp.acme-id.example/api/v1/token").unwrap(),
        200,
        HeaderMap::new(),
        json!({"code": 0, "msg": "ok", "data": {
            "token": {"value": "at-1", "kind": "BEARER", "format": "opaque"},
            "refresh": "",
            "lifetime": {"seconds": 7200.9},
            "scope": ["profile"],
            "uid": 42,
        }})
        .to_string(),
    );
    let tokens = parse_token_response(&response, "acme").unwrap();
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(7200))
    );
    assert_eq!(tokens.received_at(), response.received_at);
    assert!(
        tokens.refresh_token().is_none(),
        "an empty refresh is absent"
    );
    assert_eq!(tokens.scopes(), Some(&["profile".to_owned()][..]));
    assert_eq!(
        Value::Object(tokens.extra().clone()),
        json!({"uid": 42, "token": {"format": "opaque"}})
    );

    let response = HttpResponse::new(
        Url::parse("https://corp.acme-id.example/api/v1/token").unwrap(),
        200,
        HeaderMap::new(),
        r#"{"code": 0, "data": {"token": {"value": "at-2"}, "lifetime": {"seconds": null}}}"#,
    );
    let tokens = parse_token_response(&response, "acme").unwrap();
    assert_eq!(
        tokens.expires_in(),
        None,
        "an unknown lifetime is not an error"
    );
}

#[test]
fn unreadable_answers_keep_acme_credentials_out_of_the_snippet() {
    let body = json!({"code": 0, "data": {
        "token": {"value": "at-secret-1"},
        "refresh": "rt-secret-2",
        "lifetime": {"seconds": "soon"},
    }})
    .to_string();
    let err = answer(200, None, body.as_bytes()).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("at-secret-1") && !shown.contains("rt-secret-2"),
        "{shown}"
    );
    assert!(
        shown.contains("soon"),
        "the snippet is still useful: {shown}"
    );
}

fn build_err(toml: &str, env: fn(&str) -> Option<String>) -> (Option<String>, String) {
    let config = Config::from_toml_str(toml).unwrap();
    match example::acme_registry(env)
        .build(&config, "corp")
        .unwrap_err()
    {
        Error::Config { key, message } => (key, message),
        other => panic!("expected a configuration error, got: {other}"),
    }
}

#[test]
fn configuration_errors_name_the_provider_and_key() {
    let toml = |extra: &str| {
        format!(
            "[providers.corp]\nkind = \"acme\"\nbase_url = \"https://corp.acme-id.example\"\nclient_id = \"app\"\n{extra}"
        )
    };
    let (key, message) = build_err(&toml("client_secrte = \"s\"\n"), env);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secrte"));
    assert!(message.contains("client_secret_env"), "{message}");

    let (key, message) = build_err(&toml("client_secret_env = \"ACME_SECRET\"\n"), |_| None);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secret_env"));
    assert!(message.contains("ACME_SECRET"), "{message}");

    let (key, message) = build_err(&toml(""), env);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secret"));
    assert!(message.contains("client_secret_post"), "{message}");

    let (key, _) = build_err(
        "[providers.corp]\nkind = \"acme\"\nbase_url = \"http://corp.acme-id.example\"\nclient_id = \"app\"\nclient_secret = \"s\"\n",
        env,
    );
    assert_eq!(key.as_deref(), Some("providers.corp.base_url"));

    let (key, _) = build_err(
        &toml("client_secret = \"s\"\nauth_method = \"private_key_jwt\"\n"),
        env,
    );
    assert_eq!(key.as_deref(), Some("providers.corp.auth_method"));

    // Without the registration, the kind is unknown and the known ones are listed.
    let config = Config::from_toml_str(&toml("client_secret = \"s\"\n")).unwrap();
    let err = tokenbridge::Registry::new()
        .build(&config, "corp")
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { key: Some(k), message } if k == "providers.corp.kind" && message.contains("oidc")),
        "{err}"
    );
}

#[test]
fn debug_output_hides_the_inline_secret() {
    let config = Config::from_toml_str(
        "[providers.corp]\nkind = \"acme\"\nbase_url = \"https://corp.acme-id.example\"\nclient_id = \"app\"\nclient_secret = \"inline-secret-9\"\n",
    )
    .unwrap();
    let exchanger = example::acme_registry(env).build(&config, "corp").unwrap();
    let shown = format!("{exchanger:?} {config:?}");
    assert!(!shown.contains("inline-secret-9"), "{shown}");
    let acme = AcmeConfig::new("https://corp.acme-id.example", "app")
        .with_client_secret(SecretString::from("inline-secret-9"));
    assert!(!format!("{acme:?}").contains("inline-secret-9"));
}

/// The `kind = "acme"` blocks of the documentation build with the example's factory.
#[test]
fn documented_acme_configurations_build() {
    let doc = concat!(
        include_str!("../docs/configuration.md"),
        include_str!("../docs/writing-an-adapter.md")
    );
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .filter(|block| block.contains("kind = \"acme\""))
        .collect();
    assert_eq!(blocks.len(), 2, "one example in each document");
    for block in blocks {
        let config = Config::from_toml_str(block).unwrap();
        let registry = example::acme_registry(|_| Some("from-the-environment".into()));
        for name in config.provider_names() {
            let exchanger = registry.build(&config, name).unwrap();
            assert_eq!(exchanger.provider_id(), name);
        }
    }
}
