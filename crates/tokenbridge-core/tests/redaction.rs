//! Every public type that holds a secret, and every error built from an answer that carried
//! tokens, formatted with `{:?}` and (where it has one) `{}`: the secret text never shows.

mod support;

use std::fmt::{Debug, Display};
use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use support::{closed_port, http_response, stub_reply, stub_silent};
use tokenbridge_core::parse_standard_response;
use tokenbridge_core::{client_auth, ClientAuth};
use tokenbridge_core::{
    AuthMethod, BasicEncoding, BodyEncoding, ClientSecretBasic, ClientSecretPost, DeviceEnd,
    DeviceError, Error, Grant, GrantKind, HttpClient, HttpConfig, HttpResponse, PkceVerifier,
    Provider, TokenExchanger, TokenRequest, TransportKind, Url, VendorError,
};

/// Every secret in this file contains this marker, so one search finds any of them, whole
/// or in part.
const MARK: &str = "S3CR3T";

/// A JWT-shaped secret (`{"alg":"HS256"}.{"sub":"S3CR3T"}.sig`).
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTM0NSM1QifQ.c2lnUzNDUjNU";

fn assert_hidden(what: &str, shown: String) {
    assert!(!shown.contains(MARK), "{what} shows a secret: {shown}");
    assert!(!shown.contains("eyJzdWIi"), "{what} shows a JWT: {shown}");
}

fn check_debug(what: &str, value: &impl Debug) {
    assert_hidden(what, format!("{value:?}"));
    assert_hidden(what, format!("{value:#?}"));
}

fn check_both(what: &str, value: &(impl Debug + Display)) {
    check_debug(what, value);
    assert_hidden(what, format!("{value}"));
}

fn answer(status: u16, content_type: &str, body: &str) -> HttpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    HttpResponse::new(
        Url::parse("https://id.example.com/token").unwrap(),
        status,
        headers,
        body.to_owned(),
    )
}

fn secret(s: &str) -> SecretString {
    SecretString::from(format!("{MARK}-{s}"))
}

#[test]
fn token_set() {
    let body = json!({
        "access_token": format!("{MARK}-at"),
        "token_type": "bearer",
        "expires_in": 3600,
        "refresh_token": format!("{MARK}-rt"),
        "id_token": JWT,
        "scope": "openid",
        "session_token": format!("{MARK}-vendor"),
    });
    let tokens =
        parse_standard_response(&answer(200, "application/json", &body.to_string()), "corp")
            .unwrap();
    assert!(tokens.access_token().expose_secret().contains(MARK));
    check_both("TokenSet", &tokens);
    // What is shown is still useful.
    let shown = format!("{tokens:?} {tokens}");
    assert!(
        shown.contains("session_token") && shown.contains("openid"),
        "{shown}"
    );
}

#[test]
fn grants_and_verifiers() {
    let verifier = PkceVerifier::new(format!("{MARK}-{}", "v".repeat(40))).unwrap();
    check_debug("PkceVerifier", &verifier);
    let verifier = PkceVerifier::new(format!("{MARK}-{}", "v".repeat(40))).unwrap();
    let grants = [
        Grant::authorization_code(format!("{MARK}-code"), "https://app.example.com/cb"),
        Grant::authorization_code(format!("{MARK}-code"), "https://app.example.com/cb")
            .with_pkce_verifier(verifier),
        Grant::refresh_token(format!("{MARK}-rt")),
        Grant::refresh_token(format!("{MARK}-rt")).with_scopes(["read"]),
        Grant::client_credentials().with_scopes(["read"]),
        Grant::extension("urn:tokenbridge:genauth:qrcode-ticket")
            .with_secret_param("ticket", format!("{MARK}-ticket")),
        Grant::extension("urn:ietf:params:oauth:grant-type:token-exchange")
            .with_secret_param("subject_token", format!("{MARK}-subject")),
    ];
    for grant in &grants {
        check_debug(&format!("Grant::{}", grant.kind()), grant);
    }
    check_debug("SecretString", &secret("plain"));
}

#[test]
fn client_auth_methods() {
    check_debug(
        "ClientSecretPost",
        &ClientSecretPost::new("app", secret("client")),
    );
    for encoding in [BasicEncoding::FormUrlEncoded, BasicEncoding::Raw] {
        check_debug(
            "ClientSecretBasic",
            &ClientSecretBasic::new("app", secret("client")).with_encoding(encoding),
        );
    }
    for method in AuthMethod::ALL {
        let auth = client_auth(method, "app", Some(secret("client"))).unwrap();
        check_debug(method.as_str(), &auth);
    }
}

#[tokio::test]
async fn requests_and_exchangers() {
    for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
        let builder = Provider::builder("corp")
            .token_endpoint("https://id.example.com/token")
            .client_id("app")
            .client_secret(secret("client"))
            .auth_method(method);
        check_debug("ProviderBuilder", &builder);
        let exchanger = builder.build().unwrap();
        check_debug("Provider (unresolved)", &exchanger);
        let grant = Grant::authorization_code(format!("{MARK}-code"), "https://app.example.com/cb")
            .with_pkce_verifier(
                PkceVerifier::new(format!("{MARK}-verifier-{}", "v".repeat(40))).unwrap(),
            );
        let request = exchanger.build_request(&grant).await.unwrap();
        // The secrets are in the bytes that will be sent, and only there.
        let sent = String::from_utf8(request.body_bytes()).unwrap();
        assert!(sent.contains(MARK));
        check_debug("TokenRequest", &request);
        check_debug("Provider (resolved)", &exchanger);
    }

    let mut json = TokenRequest::post(
        Url::parse("https://id.example.com/token").unwrap(),
        BodyEncoding::Json,
    );
    json.secret_param("ticket", &secret("ticket"));
    ClientSecretPost::new("app", secret("client"))
        .apply(&mut json)
        .unwrap();
    check_debug("TokenRequest (JSON)", &json);

    let response = answer(
        200,
        "application/json",
        &json!({"access_token": format!("{MARK}-at")}).to_string(),
    );
    check_debug("HttpResponse", &response);
    check_debug("HttpClient", &HttpClient::default());
}

/// Bodies that carry tokens but are not a usable token answer.
fn unreadable_answers() -> Vec<HttpResponse> {
    vec![
        answer(
            502,
            "text/html",
            &format!("<html><p>upstream said access_token={MARK}-at, id {JWT}</p></html>"),
        ),
        // Truncated JSON: not parseable, so the text redaction has to find the pairs.
        answer(
            200,
            "application/json",
            &format!(
                r#"{{"access_token":"{MARK}-at", "refresh_token" : "{MARK}-rt", "id_token":"{MARK}-it"#
            ),
        ),
        answer(
            200,
            "application/json",
            &json!({"access_token": format!("{MARK}-at"), "expires_in": "soon", "refresh_token": format!("{MARK}-rt")}).to_string(),
        ),
        answer(
            200,
            "application/json",
            &json!({"access_token": format!("{MARK}-at"), "scope": 5, "id_token": JWT}).to_string(),
        ),
        answer(
            200,
            "application/json",
            &json!([{"access_token": format!("{MARK}-at")}]).to_string(),
        ),
        answer(
            500,
            "application/json",
            &json!({"data": {"accessToken": format!("{MARK}-at"), "refreshToken": format!("{MARK}-rt"), "note": JWT}}).to_string(),
        ),
        answer(
            200,
            "text/plain",
            &format!("access_token={MARK}-at&token_type=bearer&refresh_token={MARK}-rt"),
        ),
        answer(
            200,
            "text/plain",
            &format!("access_token: {MARK}-at\nclient_secret = '{MARK}-cs'"),
        ),
    ]
}

#[tokio::test]
async fn every_error_variant() {
    let mut errors: Vec<(String, Error)> = Vec::new();

    // Provider refusals whose bodies also carried tokens.
    for (status, body) in [
        (
            400,
            json!({"error": "invalid_grant", "refresh_token": format!("{MARK}-rt")}),
        ),
        (
            200,
            json!({"error": "access_denied", "access_token": format!("{MARK}-at"), "id_token": JWT}),
        ),
    ] {
        let err = parse_standard_response(
            &answer(status, "application/json", &body.to_string()),
            "corp",
        )
        .unwrap_err();
        assert!(matches!(err, Error::OAuth(_)), "{err:?}");
        errors.push((format!("Provider {status}"), err));
    }

    for (i, response) in unreadable_answers().iter().enumerate() {
        let err = parse_standard_response(response, "corp").unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)), "{i}: {err:?}");
        errors.push((format!("UnreadableResponse #{i}"), err));
    }

    let mut vendor = VendorError::new("genauth", 200, 400, "ticket expired");
    vendor = vendor.with_request_id(Some("req-1".into()));
    errors.push(("Vendor".into(), vendor.into()));
    errors.push((
        "Device".into(),
        DeviceError::new(DeviceEnd::Expired, "the device code expired").into(),
    ));
    errors.push((
        "Adapter".into(),
        tokenbridge_core::AdapterError::new(
            tokenbridge_core::ErrorKind::InvalidGrant,
            DeviceError::new(DeviceEnd::Ended, "an adapter's own error"),
        )
        .into(),
    ));

    // Transport errors from real requests carrying a code.
    let grant_request = |endpoint: String| {
        let mut r = TokenRequest::post(Url::parse(&endpoint).unwrap(), BodyEncoding::Form);
        r.param("grant_type", "authorization_code")
            .secret_param("code", &secret("code"));
        r
    };
    let refused = HttpClient::default()
        .send(&grant_request(format!("http://{}/token", closed_port())))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::Transport(t) if t.kind == TransportKind::Connect),
        "{refused:?}"
    );
    errors.push(("Transport (connect)".into(), refused));
    let (silent, _) = stub_silent(Duration::from_secs(120));
    let timeout = HttpClient::new(HttpConfig::default().with_timeout(Duration::from_millis(500)))
        .unwrap()
        .send(&grant_request(format!("http://{silent}/token")))
        .await
        .unwrap_err();
    assert!(
        matches!(&timeout, Error::Transport(t) if t.kind == TransportKind::Timeout),
        "{timeout:?}"
    );
    errors.push(("Transport (timeout)".into(), timeout));

    // Too large, with tokens in the part that was read.
    let big = format!(
        "{{\"access_token\":\"{MARK}-at\",\"pad\":\"{}\"}}",
        "x".repeat(4096)
    );
    let (addr, _) = stub_reply(http_response("200 OK", &[], big.as_bytes()));
    let too_large = HttpClient::new(HttpConfig::default().with_max_body_bytes(100))
        .unwrap()
        .send(&grant_request(format!("http://{addr}/token")))
        .await
        .unwrap_err();
    assert!(
        matches!(too_large, Error::ResponseTooLarge { .. }),
        "{too_large:?}"
    );
    errors.push(("ResponseTooLarge".into(), too_large));

    // A redirect whose target carries a code.
    let (addr, _) = stub_reply(http_response(
        "302 Found",
        &[(
            "location",
            &format!("https://login.example.com/cb?code={MARK}-code&access_token={MARK}-at"),
        )],
        b"",
    ));
    let redirected = HttpClient::default()
        .send(&grant_request(format!("http://{addr}/token")))
        .await
        .unwrap_err();
    assert!(matches!(redirected, Error::Redirected { .. }));
    errors.push(("Redirected".into(), redirected));

    // An unsupported grant that carried a secret.
    let exchanger = Provider::builder("corp")
        .token_endpoint("https://id.example.com/token")
        .client_id("app")
        .client_secret(secret("client"))
        .grants([GrantKind::AuthorizationCode])
        .build()
        .unwrap();
    let unsupported = exchanger
        .exchange(Grant::refresh_token(format!("{MARK}-rt")))
        .await
        .unwrap_err();
    assert!(matches!(unsupported, Error::UnsupportedGrant { .. }));
    errors.push(("UnsupportedGrant".into(), unsupported));

    // Configuration mistakes that involve a secret.
    let in_url = Provider::builder("corp")
        .token_endpoint(format!("https://app:{MARK}@id.example.com/token"))
        .client_id("app")
        .build()
        .unwrap_err();
    errors.push(("Config (URL with password)".into(), in_url));
    let no_secret = client_auth(AuthMethod::ClientSecretBasic, "app", None).unwrap_err();
    errors.push(("Config (missing secret)".into(), no_secret));

    for (what, err) in &errors {
        check_both(what, err);
        // The source chain, as error reporters print it.
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            assert_hidden(what, format!("{s} {s:?}"));
            source = s.source();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every sensitive key, every spelling, every kind of body

/// Keys whose values are credentials, in the spellings providers use.
const SENSITIVE_KEY_SPELLINGS: &[&str] = &[
    "code",
    "Code",
    "code_verifier",
    "codeVerifier",
    "code-verifier",
    "CODE_VERIFIER",
    "codeverifier",
    "pkce_verifier",
    "assertion",
    "client_assertion",
    "clientAssertion",
    "ticket",
    "qrcode_ticket",
    "qrcodeTicket",
    "password",
    "Password",
    "user_password",
    "passwd",
    "client_secret",
    "clientSecret",
    "client-secret",
    "app_secret",
    "refresh_token",
    "refreshToken",
    "access_token",
    "accessToken",
    "id_token",
    "token",
    "authorization_code",
    "authorizationCode",
    "device_code",
    "deviceCode",
    "authorization",
    "Authorization",
    "cookie",
    "set-cookie",
    "api_key",
    "apiKey",
    "credentials",
];

#[test]
fn every_sensitive_key_is_redacted_in_json_form_and_free_text() {
    let value = format!("{MARK}-value-1234567890");
    for key in SENSITIVE_KEY_SPELLINGS {
        let bodies = [
            ("JSON", json!({ *key: value, "other": "kept" }).to_string()),
            (
                "nested JSON",
                json!({"data": [{ *key: value }], "other": "kept"}).to_string(),
            ),
            ("form", format!("other=kept&{key}={value}&x=1")),
            (
                "free text key=value",
                format!("failed: other=kept {key}={value} at line 3"),
            ),
            (
                "free text key: value",
                format!("failed; {key}: {value}, other=kept"),
            ),
            (
                "broken JSON",
                format!("{{\"other\":\"kept\",\"{key}\": \"{value}\", \"x\":"),
            ),
            ("HTML", format!("<p>{key}={value}</p>")),
        ];
        for (what, body) in bodies {
            let snippet = tokenbridge_core::redact_snippet(body.as_bytes());
            assert!(
                !snippet.contains(MARK),
                "{key} in {what}: {body} became {snippet}"
            );
            assert!(snippet.contains("[redacted]"), "{key} in {what}: {snippet}");
            // And through the parser, as an error would keep it.
            for content_type in ["application/json", "text/html"] {
                if let Err(err) = parse_standard_response(&answer(400, content_type, &body), "t") {
                    check_both(&format!("{key} in {what} ({content_type})"), &err);
                }
            }
        }
    }
}

#[test]
fn ordinary_keys_are_kept() {
    for key in [
        "error",
        "error_description",
        "scope",
        "state",
        "token_type",
        "expires_in",
    ] {
        let body = json!({ key: "plain-visible-value" }).to_string();
        let snippet = tokenbridge_core::redact_snippet(body.as_bytes());
        assert!(snippet.contains("plain-visible-value"), "{key}: {snippet}");
    }
}

#[test]
fn configured_urls_show_no_query_or_user_info_in_the_providers_debug() {
    let with_query = |path: &str| {
        format!("http://127.0.0.1:9/{path}?client_secret={MARK}-q&x={MARK}-x#{MARK}-f")
    };
    let builder = Provider::builder("corp")
        .token_endpoint(with_query("token"))
        .client_id("app")
        .client_secret(secret("cs"))
        .redirect_uri(with_query("cb"));
    check_debug("ProviderBuilder", &builder);
    let shown = format!("{builder:?}");
    assert!(
        shown.contains(r#"token_endpoint: Some("http://127.0.0.1:9/token?[redacted]")"#),
        "{shown}"
    );
    let provider = builder.build().unwrap();
    check_debug("Provider", &provider);
    let shown = format!("{provider:#?}");
    assert!(
        shown.contains(r#""http://127.0.0.1:9/token?[redacted]""#),
        "{shown}"
    );
    assert!(
        shown.contains(r#""http://127.0.0.1:9/cb?[redacted]""#),
        "{shown}"
    );
    for base in [
        format!("http://127.0.0.1:9/base?key={MARK}"),
        format!("http://127.0.0.1:9/base#{MARK}"),
    ] {
        let provider = Provider::builder("corp")
            .base_url(base.clone())
            .token_endpoint("http://127.0.0.1:9/token")
            .client_id("app")
            .build();
        if let Ok(provider) = provider {
            check_debug(&base, &provider);
        }
    }
}

#[test]
fn an_unreadable_success_answer_is_described_never_quoted() {
    let cases = [
        (
            "text/plain",
            format!("{MARK}-bare-token"),
            "the body is not valid JSON (expected value at line 1 column 1): 17 characters of \
             text",
        ),
        (
            "application/json",
            format!("\"{MARK}-bare-token\""),
            "expected a JSON object, got a string of 17 characters",
        ),
        (
            "application/json",
            format!("[\"{MARK}-bare-token\"]"),
            "expected a JSON object, got an array of 1 item",
        ),
        (
            "text/html",
            format!("<html>{MARK}</html>"),
            "the body is an HTML page of 19 bytes (expected value at line 1 column 1)",
        ),
    ];
    for (content_type, body, reason) in cases {
        let err = parse_standard_response(&answer(200, content_type, &body), "corp").unwrap_err();
        check_both(&body, &err);
        match &err {
            Error::UnreadableResponse(u) => {
                assert_eq!(u.snippet, "", "{body}");
                assert_eq!(
                    u.reason,
                    format!("{reason}; the body is not quoted, as it may be a token"),
                    "{body}"
                );
            }
            other => panic!("{body}: {other:?}"),
        }
        assert!(!err.to_string().contains("body starts"), "{err}");
    }
    // An error status still shows the start of its (redacted) body, to say what went wrong.
    let err =
        parse_standard_response(&answer(502, "text/plain", "upstream down"), "corp").unwrap_err();
    assert!(
        err.to_string().contains("body starts: \"upstream down\""),
        "{err}"
    );
}

#[test]
fn the_credential_after_an_authentication_scheme_is_redacted() {
    for (scheme, credential) in [
        ("Bearer", format!("{MARK}-opaque.at_1~x")),
        ("Basic", "UzNDUjNULXVzZXI6UzNDUjNULXBhc3M=".to_owned()),
        ("DPoP", format!("{MARK}/a+b")),
    ] {
        let body = format!("rejected Authorization: {scheme} {credential} for /token");
        let err = parse_standard_response(&answer(400, "text/plain", &body), "corp").unwrap_err();
        check_both(scheme, &err);
        assert!(!err.to_string().contains(&credential), "{err}");
        match &err {
            Error::UnreadableResponse(u) => assert_eq!(
                u.snippet,
                format!("rejected Authorization: {scheme} [redacted] for /token")
            ),
            other => panic!("{scheme}: {other:?}"),
        }
    }
}
