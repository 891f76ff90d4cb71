//! The GenAuth provider without a network: configuration (the `genauth` kind and the
//! builder), the exact requests it would send, and errors by meaning against the emulator.

mod common;

use http::header::AUTHORIZATION;
use serde_json::{json, Map, Value};
use tokenbridge_core::ProviderTable;
use tokenbridge_core::{
    AuthMethod, BasicEncoding, ClientSecretBasic, Error, ErrorKind, ExposeSecret, Grant, Protocol,
    Provider, ProviderContext, ProviderFactory, SecretString, TokenExchanger, TokenRequest,
};
use tokenbridge_genauth::{
    qr_ticket_grant, GenAuth, QrLoginClient, APP_ID_HEADER, EXCHANGE_TICKET_PATH,
};

use common::{APP_ID, APP_SECRET, BASIC};

fn provider(method: AuthMethod, protocol: Protocol) -> Provider {
    let mut builder = tokenbridge_genauth::builder("genauth", protocol)
        .base_url("https://proxy.example.com/tenant-a")
        .client_id("app-1")
        .auth_method(method);
    if method.needs_secret() {
        builder = builder.client_secret(SecretString::from("s3cret"));
    }
    builder.build().unwrap()
}

fn body(request: &TokenRequest) -> String {
    String::from_utf8(request.body_bytes()).unwrap()
}

fn config_key(err: &Error) -> Option<&str> {
    match err {
        Error::Config { key, .. } => key.as_deref(),
        _ => None,
    }
}

/// Builds the `genauth` kind from `settings`, as the facade's registry does.
fn from_table(settings: Value) -> tokenbridge_core::Result<Provider> {
    let settings: Map<String, Value> = match settings {
        Value::Object(map) => map,
        other => panic!("{other}"),
    };
    let table = ProviderTable {
        name: "corp".into(),
        kind: "genauth".into(),
        settings,
    };
    let env = |name: &str| (name == "GENAUTH_SECRET").then(|| APP_SECRET.to_owned());
    GenAuth.build(&ProviderContext::new(&table, &env, None))
}

#[tokio::test]
async fn ticket_request_per_auth_method() {
    let grant = qr_ticket_grant("tk-1");
    let r = provider(AuthMethod::None, Protocol::Oidc)
        .build_request(&grant)
        .await
        .unwrap();
    assert_eq!(
        r.url().as_str(),
        format!("https://proxy.example.com/tenant-a{EXCHANGE_TICKET_PATH}")
    );
    assert_eq!(body(&r), r#"{"ticket":"tk-1"}"#);
    assert_eq!(r.headers().len(), 1);
    assert_eq!(r.headers()[APP_ID_HEADER], "app-1");
    assert_eq!(r.content_type(), Some("application/json"));

    let r = provider(AuthMethod::ClientSecretPost, Protocol::Oidc)
        .build_request(&grant)
        .await
        .unwrap();
    assert_eq!(
        body(&r),
        r#"{"client_id":"app-1","client_secret":"s3cret","ticket":"tk-1"}"#
    );
    assert!(r.headers().get(AUTHORIZATION).is_none());

    let r = provider(AuthMethod::ClientSecretBasic, Protocol::OAuth2)
        .build_request(&grant)
        .await
        .unwrap();
    assert_eq!(body(&r), r#"{"ticket":"tk-1"}"#);
    // base64("app-1:s3cret")
    assert_eq!(r.headers()[AUTHORIZATION], "Basic YXBwLTE6czNjcmV0");
    assert!(!format!("{r:?}").contains("YXBwLTE6czNjcmV0"));
}

#[tokio::test]
async fn token_endpoint_follows_the_protocol_and_prefix() {
    let p = provider(AuthMethod::ClientSecretPost, Protocol::Oidc);
    assert_eq!(
        p.base_url().unwrap().as_str(),
        "https://proxy.example.com/tenant-a"
    );
    assert_eq!(
        p.token_endpoint().await.unwrap().as_str(),
        "https://proxy.example.com/tenant-a/oidc/token"
    );
    let p = provider(AuthMethod::ClientSecretPost, Protocol::OAuth2);
    assert_eq!(
        p.token_endpoint().await.unwrap().as_str(),
        "https://proxy.example.com/tenant-a/oauth/token"
    );
    let clone = p.clone();
    assert_eq!(
        clone.token_endpoint().await.unwrap(),
        p.token_endpoint().await.unwrap()
    );
    let r = p
        .build_request(&Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(
        body(&r),
        "grant_type=refresh_token&refresh_token=rt-1&client_id=app-1&client_secret=s3cret"
    );
    assert!(r.headers().get(APP_ID_HEADER).is_none());
}

#[tokio::test]
async fn endpoints_of_each_protocol() {
    let endpoints = provider(AuthMethod::None, Protocol::Oidc)
        .endpoints()
        .await
        .unwrap()
        .clone();
    let at = |path: &str| format!("https://proxy.example.com/tenant-a{path}");
    assert_eq!(
        endpoints.authorization.map(String::from),
        Some(at("/oidc/auth"))
    );
    assert_eq!(
        endpoints.revocation.map(String::from),
        Some(at("/oidc/token/revocation"))
    );
    assert_eq!(endpoints.userinfo.map(String::from), Some(at("/oidc/me")));
    assert_eq!(
        endpoints.jwks.map(String::from),
        Some(at("/oidc/.well-known/jwks.json"))
    );
    assert_eq!(
        endpoints.end_session.map(String::from),
        Some(at("/oidc/session/end"))
    );
    let p = provider(AuthMethod::ClientSecretPost, Protocol::OAuth2);
    let endpoints = p.endpoints().await.unwrap();
    assert_eq!(
        endpoints.authorization.as_ref().map(|u| u.as_str()),
        Some(at("/oauth/auth").as_str())
    );
    assert_eq!(
        endpoints.userinfo.as_ref().map(|u| u.as_str()),
        Some(at("/oauth/me").as_str())
    );
    assert!(endpoints.jwks.is_none() && endpoints.end_session.is_none());
    assert_eq!(p.metadata().await.unwrap(), None);
}

#[test]
fn oauth_token_takes_only_the_two_documented_auth_methods() {
    // GenAuth's OAuth 2.0 page lists client_secret_post and client_secret_basic for
    // /oauth/token; `none` is only for /oidc (single-page and native apps, with PKCE).
    for secret in [None, Some("s3cret")] {
        let mut builder = tokenbridge_genauth::builder("genauth", Protocol::OAuth2)
            .base_url("https://a.genauth.ai")
            .client_id("app-1")
            .auth_method(AuthMethod::None);
        if let Some(secret) = secret {
            builder = builder.client_secret(SecretString::from(secret));
        }
        let err = builder.build().unwrap_err();
        assert_eq!(config_key(&err), Some("auth_method"), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
    let err = tokenbridge_genauth::builder("genauth", Protocol::OAuth2)
        .base_url("https://a.genauth.ai")
        .client_id("app-1")
        .build()
        .unwrap_err();
    assert_eq!(config_key(&err), Some("client_secret"), "{err}");
    provider(AuthMethod::None, Protocol::Oidc);
}

#[tokio::test]
async fn an_empty_ticket_or_qr_code_id_is_refused_before_sending() {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    for grant in [
        qr_ticket_grant(" "),
        Grant::extension(tokenbridge_genauth::QR_TICKET_GRANT_TYPE),
    ] {
        let err = genauth.provider().exchange(grant).await.unwrap_err();
        assert_eq!(config_key(&err), Some("ticket"), "{err}");
        assert!(!err.may_have_been_sent());
    }
    let err = genauth.qr_code_status("").await.unwrap_err();
    assert_eq!(config_key(&err), Some("qrcode_id"), "{err}");
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn basic_matches_the_documented_header() {
    // The example value on GenAuth's exchange-tokenset-with-qrcode-ticket page decodes to
    // "6063fb2f3cxxxx6df55f39eb:2fe7c87a81f867xxxx0324df12daedc7". The header checked is the
    // one the adapter puts on its requests, not one this test builds.
    let p = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url("https://a.genauth.ai")
        .client_id("6063fb2f3cxxxx6df55f39eb")
        .client_secret(SecretString::from("2fe7c87a81f867xxxx0324df12daedc7"))
        .auth_method(AuthMethod::ClientSecretBasic)
        .build()
        .unwrap();
    for grant in [qr_ticket_grant("tk-1"), Grant::refresh_token("rt-1")] {
        let r = p.build_request(&grant).await.unwrap();
        assert_eq!(
            r.headers()[AUTHORIZATION],
            "Basic NjA2M2ZiMmYzY3h4eHg2ZGY1NWYzOWViOjJmZTdjODdhODFmODY3eHh4eDAzMjRkZjEyZGFlZGM3"
        );
    }
}

#[tokio::test]
async fn the_description_gives_raw_basic_by_default() {
    let p = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url("https://a.genauth.ai")
        .client_id(APP_ID)
        .client_secret(SecretString::from(APP_SECRET))
        .auth_method(AuthMethod::ClientSecretBasic)
        .build()
        .unwrap();
    let auth = p.client_auth().await.unwrap();
    assert_eq!(auth.method_name(), "client_secret_basic");
    let r = p.build_request(&qr_ticket_grant("tk-1")).await.unwrap();
    assert_eq!(r.headers()[AUTHORIZATION], BASIC);
    let r = p
        .build_request(&Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(r.headers()[AUTHORIZATION], BASIC);
    assert_eq!(body(&r), "grant_type=refresh_token&refresh_token=rt-1");
}

#[test]
fn the_builder_checks_the_configuration_and_hides_the_secret() {
    let base = || tokenbridge_genauth::builder("genauth", Protocol::Oidc);
    let cases = [
        (
            base().base_url("http://a.genauth.ai").client_id("app"),
            "base_url",
        ),
        (base().base_url("not a url").client_id("app"), "base_url"),
        (
            base().base_url("https://a.genauth.ai?x=1").client_id("app"),
            "base_url",
        ),
        (base().client_id("app"), "base_url"),
        (
            base().base_url("https://a.genauth.ai").client_id(" "),
            "client_id",
        ),
        (base().base_url("https://a.genauth.ai"), "client_id"),
        (
            base()
                .base_url("https://a.genauth.ai")
                .client_id("app")
                .auth_method(AuthMethod::ClientSecretPost),
            "client_secret",
        ),
        (
            base()
                .base_url("https://a.genauth.ai")
                .client_id("app")
                .auth_method(AuthMethod::ClientSecretBasic),
            "client_secret",
        ),
    ];
    for (builder, key) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(config_key(&err), Some(key), "{err}");
    }
    // A secret with `none` would never be sent.
    let err = base()
        .base_url("https://a.genauth.ai")
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .auth_method(AuthMethod::None)
        .build()
        .unwrap_err();
    match &err {
        Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("client_secret"));
            assert!(message.contains("would never be sent"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        other => panic!("expected Error::Config, got {other:?}"),
    }
    // Credentials in the base URL are refused and not repeated.
    let err = base()
        .base_url("https://admin:hunter2@a.genauth.ai/prefix")
        .client_id("app")
        .build()
        .unwrap_err();
    assert_eq!(config_key(&err), Some("base_url"));
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // Public and loopback applications build.
    base()
        .base_url("https://a.genauth.ai")
        .client_id("app")
        .build()
        .unwrap();
    let p = base()
        .base_url("http://127.0.0.1:9000")
        .client_id("app")
        .client_secret(SecretString::from("very-secret-value"))
        .build()
        .unwrap();
    let shown = format!("{p:?}");
    assert!(!shown.contains("very-secret-value"), "{shown}");
}

#[test]
fn qr_login_needs_a_genauth_provider() {
    let standard = Provider::builder("corp")
        .token_endpoint("https://id.example.com/token")
        .client_id("app")
        .build()
        .unwrap();
    let err = QrLoginClient::new(standard).unwrap_err();
    assert_eq!(config_key(&err), Some("kind"), "{err}");
    assert!(err.to_string().contains("\"genauth\""), "{err}");
    let genauth = provider(AuthMethod::None, Protocol::Oidc);
    let client = QrLoginClient::new(genauth.clone()).unwrap();
    assert_eq!(client.provider().id(), genauth.id());
}

#[tokio::test]
async fn the_genauth_kind_from_configuration() {
    let p = from_table(json!({
        "base_url": "https://proxy.example.com/tenant-a",
        "client_id": "app-1",
        "client_secret_env": "GENAUTH_SECRET",
        "auth_method": "client_secret_basic",
        "protocol": "oauth",
        "redirect_uri": "https://app.example.com/cb",
        "scopes": "openid profile",
    }))
    .unwrap();
    assert_eq!(p.id(), "corp");
    assert_eq!(p.vendor().kind, "genauth");
    assert_eq!(p.client_id(), "app-1");
    assert_eq!(p.redirect_uri(), Some("https://app.example.com/cb"));
    assert_eq!(p.scopes(), ["openid", "profile"]);
    assert_eq!(
        p.token_endpoint().await.unwrap().as_str(),
        "https://proxy.example.com/tenant-a/oauth/token"
    );
    assert_eq!(p.auth_method_name().await.unwrap(), "client_secret_basic");
    let r = p.build_request(&Grant::refresh_token("rt")).await.unwrap();
    let expected = ClientSecretBasic::new("app-1", SecretString::from(APP_SECRET))
        .with_encoding(BasicEncoding::Raw)
        .header_value();
    assert_eq!(r.headers()[AUTHORIZATION], expected.as_str());

    // Defaults: OIDC, client_secret_post with a secret.
    let p = from_table(json!({
        "base_url": "https://a.genauth.ai",
        "client_id": "app-1",
        "client_secret": "s3cret",
    }))
    .unwrap();
    assert_eq!(
        p.token_endpoint().await.unwrap().as_str(),
        "https://a.genauth.ai/oidc/token"
    );
    assert_eq!(p.auth_method_name().await.unwrap(), "client_secret_post");
}

#[test]
fn the_genauth_kind_names_the_key_at_fault() {
    let cases = [
        (json!({"client_id": "a"}), "providers.corp.base_url"),
        (
            json!({"base_url": "https://a.genauth.ai/oidc", "client_id": "a"}),
            "providers.corp.base_url",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "app_id": "a"}),
            "providers.corp.app_id",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "app_secret": "s"}),
            "providers.corp.app_secret",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "protocol": "saml"}),
            "providers.corp.protocol",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "auth_method": "private_key_jwt"}),
            "providers.corp.auth_method",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "client_secret_env": "NOPE"}),
            "providers.corp.client_secret_env",
        ),
        (
            json!({"base_url": "https://a.genauth.ai", "client_id": "a", "auth_method": "client_secret_post"}),
            "providers.corp.client_secret",
        ),
    ];
    for (settings, key) in cases {
        let shown = settings.to_string();
        let err = from_table(settings).unwrap_err();
        assert_eq!(config_key(&err), Some(key), "{shown}: {err}");
    }
}

#[tokio::test]
async fn refused_credentials_are_invalid_grant_at_every_endpoint() {
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, protocol).await;
        let provider = genauth.provider();

        // A spent QR ticket.
        let ticket = emulator.issue_ticket(APP_ID).unwrap();
        provider
            .exchange(qr_ticket_grant(ticket.clone()))
            .await
            .unwrap();
        let err = provider
            .exchange(qr_ticket_grant(ticket))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{protocol}: {err}");
        assert!(err.vendor_error().is_some_and(|v| v.is_kind_inferred()));

        // A spent code.
        let code = emulator.issue_code(protocol, APP_ID, "https://app.example.com/cb", None);
        let grant = || Grant::authorization_code(code.clone(), "https://app.example.com/cb");
        let tokens = provider.exchange(grant()).await.unwrap();
        let err = provider.exchange(grant()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{protocol}: {err}");
        assert!(!err.is_retryable());

        assert!(tokens.access_token().expose_secret().len() > 1);

        // A refresh token never issued. (Whether GenAuth rotates refresh tokens, so that a
        // used one is refused, is not documented, so it is not asserted.)
        let err = provider
            .exchange(Grant::refresh_token("rt-never-issued"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{protocol}: {err}");
        let path = match protocol {
            Protocol::Oidc => "/oidc/token",
            _ => "/oauth/token",
        };
        assert_eq!(emulator.requests_to(path).len(), 3, "{protocol}");
    }
}

#[tokio::test]
async fn an_undocumented_400_on_the_ticket_exchange_is_an_inferred_invalid_grant() {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    for (envelope, kind) in [
        (
            json!({"statusCode": 400, "message": "ticket expired", "apiCode": 7777, "requestId": "r"}),
            ErrorKind::InvalidGrant,
        ),
        // A listed code keeps its table entry.
        (
            json!({"statusCode": 400, "message": "bad parameter", "apiCode": 1001}),
            ErrorKind::InvalidRequest,
        ),
        (
            json!({"statusCode": 401, "message": "client refused", "apiCode": 7777}),
            ErrorKind::InvalidClient,
        ),
    ] {
        emulator.push_reply(tokenbridge_testkit::Reply::json(200, envelope.clone()));
        let err = genauth
            .exchange_qr_ticket(SecretString::from("tk-1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{envelope}: {err}");
        assert!(err.vendor_error().unwrap().is_kind_inferred(), "{envelope}");
    }
    // Elsewhere (here, the status of a QR code) an unknown 400 keeps its status's meaning.
    emulator.push_reply(tokenbridge_testkit::Reply::json(
        200,
        json!({"statusCode": 400, "message": "?", "apiCode": 7777}),
    ));
    let err = genauth.qr_code_status("qr-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
}
