//! The custom adapter example, run as a test and tested like a vendor crate's `tests/`: the
//! exact request it sends, how every kind of answer maps into `Error` and its kind,
//! configuration errors, capabilities, redaction, and that the guide shows the example's code.

#[path = "../examples/custom_adapter.rs"]
mod example;

use serde_json::{json, Value};
use tokenbridge::{
    transport_fn, AuthMethod, Config, Error, ErrorKind, Grant, GrantKind, HttpClient, HttpConfig,
    LogoutRequest, Provider, SecretString, TokenExchanger, TokenSet, TokenType, TransportError,
};

use example::acme::DESCRIPTION;
use example::emulator::{
    acme_error, token_path, AcmeEmulator, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URI,
};

fn env(var: &str) -> Option<String> {
    (var == "ACME_SECRET").then(|| DEMO_CLIENT_SECRET.to_owned())
}

async fn started() -> (AcmeEmulator, Provider) {
    let acme = AcmeEmulator::start().await.unwrap();
    let config = Config::from_toml_str(&example::config_toml(&acme.base())).unwrap();
    let provider = example::acme_registry(env).build(&config, "acme").unwrap();
    (acme, provider)
}

#[test]
fn the_example_runs() {
    example::main().unwrap();
}

#[tokio::test]
async fn code_exchange_sends_exactly_this_request_and_normalizes_the_answer() {
    let (acme, provider) = started().await;
    let code = acme.mint_code();
    let tokens = provider
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap();

    let requests = acme.token_requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/api/v1/token");
    assert_eq!(sent.query, None);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.body_text(),
        format!(
            r#"{{"client_id":"demo-app","client_secret":"demo-secret","code":"{code}","grant_type":"authorization_code","redirect_uri":"http://127.0.0.1/callback"}}"#
        )
    );

    assert_eq!(tokens.provider_id(), "acme");
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
    let provider = Provider::builder("acme")
        .vendor(&DESCRIPTION)
        .base_url(acme.base())
        .client_id("demo-app")
        .client_secret(SecretString::from("demo-secret"))
        .auth_method(AuthMethod::ClientSecretBasic)
        .build()
        .unwrap();
    let request = provider
        .build_request(&Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(
        request.endpoint().as_str(),
        format!("{}/api/v1/token", acme.base())
    );
    assert_eq!(request.content_type(), Some("application/json"));
    assert_eq!(
        String::from_utf8(request.body_bytes()).unwrap(),
        r#"{"grant_type":"refresh_token","refresh_token":"rt-1"}"#
    );
    // base64("demo-app:demo-secret")
    assert_eq!(
        request.headers()["authorization"],
        "Basic ZGVtby1hcHA6ZGVtby1zZWNyZXQ="
    );
    assert!(acme.token_requests().is_empty(), "building sends nothing");

    // The demo application is registered for client_secret_post, so Acme refuses the client.
    let err = provider
        .exchange(Grant::authorization_code(
            acme.mint_code(),
            DEMO_REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
    let vendor = err.vendor_error().unwrap();
    assert_eq!(vendor.api_code(), Some("40102"));
    assert_eq!(vendor.message(), "client authentication failed");
    assert_eq!(vendor.request_id(), Some("req-1"));
    assert!(!vendor.is_kind_inferred(), "40102 is documented");
}

#[tokio::test]
async fn refusals_from_the_emulator_take_the_kinds_of_acme_s_table() {
    let (acme, provider) = started().await;
    let code = acme.mint_code();
    provider
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let before = acme.token_requests().len();

    // A spent code.
    let spent = provider
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap_err();
    assert_eq!(spent.kind(), ErrorKind::InvalidGrant, "{spent}");
    assert!(!spent.is_retryable());
    let vendor = spent.vendor_error().unwrap();
    assert_eq!(
        (vendor.vendor(), vendor.api_code()),
        ("acme", Some("40001"))
    );
    assert_eq!(
        spent.to_string(),
        "acme reported an error (HTTP 200, status 400, code 40001): code expired \
         (request id req-2: quote it to the vendor's support)"
    );
    assert_eq!(
        acme.token_requests().len(),
        before + 1,
        "sent once, no retry"
    );

    // A refresh token Acme never issued (or revoked).
    let revoked = provider
        .exchange(Grant::refresh_token("rt-unknown"))
        .await
        .unwrap_err();
    assert_eq!(revoked.kind(), ErrorKind::InvalidGrant, "{revoked}");
    assert_eq!(revoked.vendor_error().unwrap().api_code(), Some("40002"));

    // An undocumented code: the table's inferred kind, marked as inferred.
    acme.push_reply(acme_error(40301, "application disabled"));
    let disabled = provider
        .exchange(Grant::refresh_token("rt-any"))
        .await
        .unwrap_err();
    assert_eq!(disabled.kind(), ErrorKind::InvalidClient, "{disabled}");
    assert!(disabled.vendor_error().unwrap().is_kind_inferred());
}

#[tokio::test]
async fn unsupported_grants_send_nothing() {
    let (acme, provider) = started().await;
    for grant in [
        Grant::client_credentials().with_scopes(["read"]),
        Grant::extension("urn:example:grant"),
    ] {
        let kind = grant.kind();
        let err = provider.exchange(grant).await.unwrap_err();
        assert!(
            matches!(&err, Error::UnsupportedGrant { provider, grant, supported }
                if provider == "acme" && *grant == kind
                    && supported == &[GrantKind::AuthorizationCode, GrantKind::RefreshToken]),
            "{err}"
        );
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }
    assert!(acme.token_requests().is_empty());
}

#[tokio::test]
async fn missing_capabilities_are_flags_and_typed_errors_that_send_nothing() {
    let (acme, provider) = started().await;
    let capabilities = provider.capabilities().await.unwrap();
    assert!(capabilities.authorization);
    assert!(!capabilities.revocation && !capabilities.userinfo);
    assert!(!capabilities.jwks && !capabilities.end_session);

    let login = provider
        .authorization_request()
        .redirect_uri(DEMO_REDIRECT_URI)
        .build()
        .await
        .unwrap();
    assert_eq!(login.url.path(), "/login/authorize");

    let unsupported = |err: Error, what: &str| {
        assert!(
            matches!(&err, Error::Unsupported { provider, capability, .. }
                if provider == "acme" && capability == what),
            "{err}"
        );
        assert!(!err.may_have_been_sent());
    };
    let token = SecretString::from("at-1");
    unsupported(
        provider.revoke(&token, None).await.unwrap_err(),
        "token revocation",
    );
    unsupported(
        provider.logout_url(LogoutRequest::new()).await.unwrap_err(),
        "logout (end-session endpoint)",
    );
    unsupported(provider.jwks().await.unwrap_err(), "signing keys (JWKS)");
    assert!(acme.token_requests().is_empty());
}

/// An answer as an Acme provider reads it, end to end (the description's shapes, the error
/// table, the hook), from a closure transport that answers every request with `status` and
/// `body`: no socket.
fn answer(status: u16, body: &[u8]) -> tokenbridge::Result<TokenSet> {
    let body = body.to_vec();
    let http = HttpClient::with_transport(
        transport_fn(move |_request| {
            let answer = axum::http::Response::builder()
                .status(status)
                .body(body.clone())
                .map_err(|e| TransportError::new(tokenbridge::TransportKind::Other, e));
            async move { answer }
        }),
        HttpConfig::default(),
    );
    let provider = Provider::builder("acme")
        .vendor(&DESCRIPTION)
        .base_url("https://corp.acme-id.example")
        .client_id("demo-app")
        .client_secret(SecretString::from("demo-secret"))
        .http_client(http)
        .build()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(e.to_string()))?
        .block_on(provider.exchange(Grant::refresh_token("rt")))
}

fn unreadable_reason(status: u16, body: Value) -> String {
    match answer(status, body.to_string().as_bytes()).unwrap_err() {
        Error::UnreadableResponse(u) => u.reason,
        other => panic!("expected an unreadable response, got: {other}"),
    }
}

#[test]
fn envelope_errors_keep_acme_s_detail_and_take_the_table_s_kind() {
    let err = answer(
        200,
        br#"{"code": 40001, "msg": "code expired", "requestId": "r-7", "data": null}"#,
    )
    .unwrap_err();
    let vendor = err.vendor_error().unwrap();
    assert_eq!(vendor.vendor(), "acme");
    assert_eq!(vendor.http_status(), 200);
    assert_eq!(vendor.status_code(), 400);
    assert_eq!(vendor.api_code(), Some("40001"));
    assert_eq!(vendor.message(), "code expired");
    assert_eq!(vendor.request_id(), Some("r-7"));
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
    assert!(!vendor.is_kind_inferred() && !err.is_retryable());

    // Every code of the table, with the kind it says and whether the mapping is inferred.
    let table = [
        (40000, ErrorKind::InvalidRequest, false),
        (40001, ErrorKind::InvalidGrant, false),
        (40002, ErrorKind::InvalidGrant, false),
        (40003, ErrorKind::InvalidGrant, false),
        (40004, ErrorKind::InvalidGrant, false),
        (40005, ErrorKind::Unsupported, false),
        (40101, ErrorKind::InvalidClient, false),
        (40102, ErrorKind::InvalidClient, false),
        (40301, ErrorKind::InvalidClient, true),
    ];
    assert_eq!(DESCRIPTION.errors.0.len(), table.len());
    for (code, kind, inferred) in table {
        let body = json!({"code": code, "msg": "m", "data": null}).to_string();
        let err = answer(200, body.as_bytes()).unwrap_err();
        let vendor = err.vendor_error().unwrap();
        assert_eq!(
            (err.kind(), vendor.is_kind_inferred()),
            (kind, inferred),
            "{code}"
        );
        let mapping = DESCRIPTION.errors.lookup(&code.to_string()).unwrap();
        assert_eq!((mapping.kind, mapping.inferred), (kind, inferred), "{code}");
    }
}

#[test]
fn codes_outside_the_table_take_the_kind_of_their_class() {
    for (status, code, kind) in [
        (200, 40399, ErrorKind::AccessDenied),
        (200, 42900, ErrorKind::RateLimited),
        (200, 50300, ErrorKind::ProviderUnavailable),
    ] {
        let body = json!({"code": code, "msg": "m", "data": null}).to_string();
        let err = answer(status, body.as_bytes()).unwrap_err();
        let vendor = err.vendor_error().unwrap();
        assert_eq!(vendor.status_code(), code / 100);
        assert_eq!(err.kind(), kind, "{code}");
        assert!(vendor.is_kind_inferred(), "{code}: not in the table");
    }

    let err = answer(503, br#"{"code": 50300, "data": null}"#).unwrap_err();
    let vendor = err.vendor_error().unwrap();
    assert_eq!(
        (vendor.status_code(), vendor.http_status(), vendor.message()),
        (503, 503, "(no message)")
    );
    assert_eq!(err.kind(), ErrorKind::ProviderUnavailable);
    assert!(err.is_retryable());
}

#[test]
fn answers_that_are_not_acme_envelopes_are_unreadable() {
    let html = answer(502, b"<html><body>Bad Gateway</body></html>").unwrap_err();
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
    assert_eq!(html.kind(), ErrorKind::ProviderUnavailable);

    let bare = answer(401, b"").unwrap_err();
    let provider = bare.oauth_error().unwrap();
    assert!(provider.is_from_status_only(), "{bare}");
    assert_eq!(bare.kind(), ErrorKind::InvalidClient);

    // Core's pipeline reads Acme's envelope and names from the description; a reason names
    // the standard member an Acme member stands for (`access_token` for `accessToken`).
    let cases = [
        (
            200,
            json!([1, 2]),
            "expected a JSON object, got an array of 2 items; the body is not quoted, as it \
             may be a token",
        ),
        (
            200,
            json!({"msg": "ok"}),
            "no `data` member holding the tokens (nor tokens at the top)",
        ),
        (
            200,
            json!({"code": "0"}),
            "no `data` member holding the tokens (nor tokens at the top)",
        ),
        (
            200,
            json!({"code": 0, "data": null}),
            "`data` is null, expected an object",
        ),
        (
            200,
            json!({"code": 0, "data": "x"}),
            "`data` is a string, expected an object",
        ),
        (
            200,
            json!({"code": 0, "data": {}}),
            "no `access_token` in the answer",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": ""}}),
            "`access_token`: is empty or only white space",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": 7}}),
            "`access_token`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": "at", "tokenType": 1}}),
            "`token_type`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": "at", "expiresIn": "soon"}}),
            "`expires_in`: \"soon\" is not a number of seconds",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": "at", "expiresIn": -5}}),
            "`expires_in`: -5 is negative",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": "at", "refreshToken": 5}}),
            "`refresh_token`: expected a string, got a number",
        ),
        (
            200,
            json!({"code": 0, "data": {"accessToken": "at", "scope": {}}}),
            "`scope`: expected a string or an array, got an object",
        ),
    ];
    for (status, body, reason) in cases {
        assert_eq!(unreadable_reason(status, body.clone()), reason, "{body}");
    }

    // A success code under an error status is still a refusal: the status wins.
    let err = answer(500, br#"{"code": 0, "data": {"accessToken": "at"}}"#).unwrap_err();
    let vendor = err.vendor_error().unwrap();
    assert_eq!(
        (
            vendor.http_status(),
            vendor.status_code(),
            vendor.api_code()
        ),
        (500, 500, Some("0"))
    );
    assert_eq!(err.kind(), ErrorKind::ProviderUnavailable);
}

#[test]
fn lenient_where_acme_varies_and_nothing_is_dropped() {
    let body = json!({"code": 0, "msg": "ok", "requestId": "r-1", "data": {
        "accessToken": "at-1",
        "tokenType": "BEARER",
        "refreshToken": "",
        "expiresIn": 7200.9,
        "scope": ["profile"],
        "uid": 42,
    }});
    let tokens = answer(200, body.to_string().as_bytes()).unwrap();
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(7200))
    );
    assert!(
        tokens.refresh_token().is_none(),
        "an empty refresh token is absent"
    );
    assert_eq!(tokens.scopes(), Some(&["profile".to_owned()][..]));
    assert_eq!(Value::Object(tokens.extra().clone()), json!({"uid": 42}));

    let body = br#"{"code": 0, "data": {"accessToken": "at-2", "expiresIn": null}}"#;
    let tokens = answer(200, body).unwrap();
    assert_eq!(
        tokens.expires_in(),
        None,
        "an unknown lifetime is not an error"
    );
}

#[test]
fn unreadable_answers_keep_acme_credentials_out_of_the_snippet() {
    let body = json!({"code": 0, "data": {
        "accessToken": "at-secret-1",
        "refreshToken": "rt-secret-2",
        "expiresIn": "soon",
    }})
    .to_string();
    let err = answer(200, body.as_bytes()).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("at-secret-1") && !shown.contains("rt-secret-2"),
        "{shown}"
    );
    assert!(
        shown.contains("soon"),
        "the reason is still useful: {shown}"
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
    // A misspelled key, refused by the settings type, naming the shared keys too.
    let (key, message) = build_err(&toml("client_secrte = \"s\"\n"), env);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secrte"));
    assert!(message.contains("client_secret_env"), "{message}");

    let (key, message) = build_err(&toml("client_secret_env = \"ACME_SECRET\"\n"), |_| None);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secret_env"));
    assert!(message.contains("ACME_SECRET"), "{message}");

    // Acme documents no public clients, so a secret is required.
    let (key, message) = build_err(&toml(""), env);
    assert_eq!(key.as_deref(), Some("providers.corp.client_secret"));
    assert!(
        message.contains("Acme ID needs a client secret"),
        "{message}"
    );

    let (key, _) = build_err(
        "[providers.corp]\nkind = \"acme\"\nbase_url = \"http://corp.acme-id.example\"\nclient_id = \"app\"\nclient_secret = \"s\"\n",
        env,
    );
    assert_eq!(key.as_deref(), Some("providers.corp.base_url"));

    let (key, message) = build_err(
        "[providers.corp]\nkind = \"acme\"\nclient_id = \"app\"\nclient_secret = \"s\"\n",
        env,
    );
    assert_eq!(key.as_deref(), Some("providers.corp.base_url"));
    assert!(message.contains("missing field"), "{message}");

    // An auth method Acme does not document, refused before anything is sent.
    let (key, message) = build_err(
        &toml("client_secret = \"s\"\nauth_method = \"none\"\n"),
        env,
    );
    assert_eq!(key.as_deref(), Some("providers.corp.auth_method"));
    assert!(
        message.contains("client_secret_post, client_secret_basic"),
        "{message}"
    );

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
    let provider = example::acme_registry(env).build(&config, "corp").unwrap();
    let shown = format!("{provider:?} {config:?}");
    assert!(!shown.contains("inline-secret-9"), "{shown}");
    assert!(shown.contains("corp.acme-id.example"), "{shown}");
}

#[test]
fn the_emulator_takes_its_paths_from_the_description() {
    assert_eq!(token_path(), "/api/v1/token");
    assert_eq!(DESCRIPTION.paths.token, Some(token_path()));
}

/// The `kind = "acme"` blocks of the documentation build with the example's registration.
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
            let provider = registry.build(&config, name).unwrap();
            assert_eq!(provider.provider_id(), name);
        }
    }
}

/// Every Rust block of the guide is the example's code: whitespace aside, each block (or each
/// part of it between `// ...` lines) appears in `examples/custom_adapter.rs` as written.
#[test]
fn the_guide_shows_the_example_s_code() {
    let squash = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let example = squash(include_str!("../examples/custom_adapter.rs"));
    let guide = include_str!("../docs/writing-an-adapter.md");
    // A block opens with ```rust (or ```rust,ignore); lines starting with `# ` are the
    // context rustdoc compiles it with (src/lib.rs) and are not shown: they are left out.
    let blocks: Vec<String> = guide
        .split("```rust")
        .skip(1)
        .filter_map(|rest| rest.split_once('\n').map(|(_, body)| body))
        .filter_map(|rest| rest.split("\n```").next())
        .map(|block| {
            block
                .lines()
                .filter(|line| !line.trim_start().starts_with("# "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert!(blocks.len() >= 6, "{} Rust blocks", blocks.len());
    for block in &blocks {
        for part in block.split("// ...\n") {
            let part = squash(part);
            assert!(
                part.is_empty() || example.contains(&part),
                "this part of a block in docs/writing-an-adapter.md is not in the example:\n{part}"
            );
        }
    }
}
