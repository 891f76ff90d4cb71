//! A vendor declared in configuration alone (`[vendors.<kind>]`): the exact requests it
//! sends through `Registry`, the answers it reads with every lenient rule, its errors by
//! code, and the configuration errors that name the key.

use std::sync::{Arc, Mutex};

use axum::http::{header::CONTENT_TYPE, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use tokenbridge::{Config, ErrorKind, ExposeSecret, Grant, Registry, SecretString, TokenExchanger};
use tokenbridge_testkit::{any_loopback_port, EmulatorServer};

/// The declaration of issue form, as a configuration file writes it.
fn config(base: &str) -> String {
    format!(
        r#"
[vendors.acme]                      # declares the kind "acme"
token_path = "/api/token"
authorize_path = "/authorize"
userinfo_path = "/me"
revocation_path = "/revoke"
request_body = "json"
request_fields = {{ client_id = "clientId", client_secret = "clientSecret", grant_type = "grantType", code = "code", refresh_token = "refreshToken", redirect_uri = "redirectUri", code_verifier = "codeVerifier" }}
response_envelope = "data"
response_fields = {{ access_token = "accessToken", expires_in = "expiresIn", refresh_token = "refreshToken", id_token = "idToken", scope = "scope", token_type = "tokenType" }}
error_code_field = "errCode"
error_message_field = "errMsg"
success_codes = ["0"]
errors = {{ "1001" = "invalid_grant", "1002" = "invalid_client", "1003" = "rate_limited" }}
userinfo_fields = {{ subject = "openId", name = "nick", email = "email", picture = "avatarUrl" }}

[providers.corp]
kind = "acme"
base_url = "{base}"
client_id = "app-1"
client_secret_env = "ACME_SECRET"
"#
    )
}

fn registry() -> Registry {
    Registry::new().with_env(|name| (name == "ACME_SECRET").then(|| "s3cr+t".to_owned()))
}

/// A loopback server answering the token endpoint with `token` and `/me` with `me`.
async fn server(token: &'static str, me: &'static str) -> EmulatorServer {
    EmulatorServer::start(any_loopback_port(), move |_| {
        let json = |body: &'static str| {
            (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json; charset=utf-8")],
                body,
            )
        };
        Router::new()
            .route("/api/token", post(move || async move { json(token) }))
            .route("/me", get(move || async move { json(me) }))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_declared_vendor_sends_its_json_body_and_reads_its_envelope() {
    let server = server(
        r#"{"errCode":0,"errMsg":"ok","data":{"accessToken":"at-1","expiresIn":"7200","refreshToken":"rt-1","tokenType":"bearer","openId":"o-1"}}"#,
        r#"{"openId":"o-1","nick":"Ann","email":"ann@example.com","avatarUrl":"https://img.example.com/a.png","unionId":"u-1"}"#,
    )
    .await;
    let config = Config::from_toml_str(&config(&server.base())).unwrap();
    let provider = registry().build(&config, "corp").unwrap();
    assert_eq!(provider.vendor().kind, "acme");

    let tokens = provider
        .exchange(Grant::authorization_code(
            "c0de",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at-1");
    assert_eq!(tokens.refresh_token().unwrap().expose_secret(), "rt-1");
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(7200))
    );
    assert_eq!(tokens.extra()["openId"], "o-1");
    // Redaction holds for a declared vendor too.
    let shown = format!("{tokens:?}");
    assert!(
        !shown.contains("at-1") && !shown.contains("rt-1"),
        "{shown}"
    );

    let sent = server.requests_to("/api/token");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(
        sent[0].body_text(),
        r#"{"clientId":"app-1","clientSecret":"s3cr+t","code":"c0de","grantType":"authorization_code","redirectUri":"https://app.example.com/cb"}"#
    );

    let identity = provider
        .userinfo(&SecretString::from("at-1"))
        .await
        .unwrap();
    assert_eq!(identity.subject, "o-1");
    assert_eq!(identity.name.as_deref(), Some("Ann"));
    assert_eq!(identity.email.as_deref(), Some("ann@example.com"));
    assert_eq!(
        identity.picture.as_deref(),
        Some("https://img.example.com/a.png")
    );
    assert_eq!(identity.claims["unionId"], "u-1");
    let me = server.requests_to("/me");
    assert_eq!(me[0].header("authorization"), Some("Bearer at-1"));
}

#[tokio::test]
async fn the_declared_vendor_reads_its_error_codes_with_http_200() {
    let server = server(
        r#"{"errCode":1001,"errMsg":"code c0de-secret expired"}"#,
        "{}",
    )
    .await;
    let config = Config::from_toml_str(&config(&server.base())).unwrap();
    let provider = registry().build(&config, "corp").unwrap();
    let err = provider
        .exchange(Grant::authorization_code(
            "c0de-secret",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
    let vendor = err.vendor_error().unwrap();
    assert_eq!(vendor.vendor(), "acme");
    assert_eq!(vendor.api_code(), Some("1001"));
    assert_eq!(vendor.http_status(), 200);
    assert!(!vendor.is_kind_inferred());
    // What the vendor echoed of the code sent is not kept.
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("c0de-secret"), "{shown}");

    let busy = self::server(r#"{"errCode":"1003","errMsg":"slow down"}"#, "{}").await;
    let busy_config = Config::from_toml_str(&self::config(&busy.base())).unwrap();
    let provider = registry().build(&busy_config, "corp").unwrap();
    let err = provider
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let sent = busy.requests_to("/api/token");
    assert_eq!(
        sent[0].body_text(),
        r#"{"clientId":"app-1","clientSecret":"s3cr+t","grantType":"refresh_token","refreshToken":"rt-1"}"#
    );
}

#[tokio::test]
async fn every_lenient_rule_applies_to_a_declared_vendor() {
    let bodies: Arc<Mutex<Vec<&'static str>>> = Arc::new(Mutex::new(vec![
        // `expire_in`, a number, lower-case `bearer`, at the top without the envelope.
        r#"{"errCode":0,"accessToken":"at","expire_in":60,"tokenType":"bearer"}"#,
        // A float expiry inside the envelope, a blank token type.
        r#"{"errCode":"0","data":{"accessToken":"at","expiresIn":59.9,"tokenType":""}}"#,
        // An absurd expiry is clamped.
        r#"{"data":{"accessToken":"at","expiresIn":"1e999"}}"#,
    ]));
    let served = Arc::clone(&bodies);
    let server = EmulatorServer::start(any_loopback_port(), move |_| {
        Router::new().route(
            "/api/token",
            post(move || {
                let body = served.lock().unwrap().remove(0);
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        )
    })
    .await
    .unwrap();
    let config = Config::from_toml_str(&config(&server.base())).unwrap();
    let provider = registry().build(&config, "corp").unwrap();
    let mut lifetimes = Vec::new();
    for _ in 0..3 {
        let tokens = provider.exchange(Grant::refresh_token("rt")).await.unwrap();
        assert_eq!(tokens.token_type(), &tokenbridge::TokenType::Bearer);
        lifetimes.push(tokens.expires_in().unwrap().as_secs());
    }
    assert_eq!(
        lifetimes,
        [60, 59, tokenbridge::adapter::wire::MAX_EXPIRES_IN.as_secs()]
    );
}

#[test]
fn configuration_mistakes_name_the_key() {
    let base = "https://id.acme.example";
    let cases = [
        (
            config(base).replace("token_path = \"/api/token\"\n", ""),
            "vendors.acme.token_path",
            "missing",
        ),
        (
            config(base).replace("authorize_path", "authorise_path"),
            "vendors.acme.authorise_path",
            "unknown key",
        ),
        (
            config(base).replace("\"rate_limited\"", "\"slow_down\""),
            "vendors.acme.errors.1003",
            "unknown error kind \"slow_down\"",
        ),
        (
            config(base).replace("subject = \"openId\"", "user = \"openId\""),
            "vendors.acme.userinfo_fields.user",
            "unknown field",
        ),
        (
            config(base).replace("request_body = \"json\"", "request_body = \"xml\""),
            "vendors.acme.request_body",
            "\"xml\" is not one of: form, json, query",
        ),
    ];
    for (text, key, message) in cases {
        let err = Config::from_toml_str(&text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{key}");
        let shown = err.to_string();
        assert!(shown.contains(key), "{key}: {shown}");
        assert!(shown.contains(message), "{key}: {shown}");
    }

    // A provider of the declared kind has the shared keys and base_url, nothing else.
    let text = config(base).replace(
        "client_id = \"app-1\"",
        "client_id = \"app-1\"\nissuer = \"x\"",
    );
    let config = Config::from_toml_str(&text).unwrap();
    let err = registry().build(&config, "corp").unwrap_err();
    assert!(err.to_string().contains("issuer"), "{err}");

    // A declared kind cannot take a registered kind's name.
    let text = "[vendors.oidc]\ntoken_path = \"/t\"\n[providers.x]\nkind = \"oidc\"\nbase_url = \"https://id.example.com\"\nclient_id = \"c\"\n";
    let config = Config::from_toml_str(text).unwrap();
    let err = registry().build(&config, "x").unwrap_err();
    assert!(err.to_string().contains("vendors.oidc"), "{err}");
}

#[test]
fn loading_the_same_declaration_again_reuses_its_description() {
    let a = Config::from_toml_str(&config("https://id.acme.example")).unwrap();
    let b = Config::from_toml_str(&config("https://id.acme.example")).unwrap();
    let (a, b) = (
        a.declared_vendor("acme").unwrap().description(),
        b.declared_vendor("acme").unwrap().description(),
    );
    assert!(std::ptr::eq(a, b));
}
