//! The V3 envelope and every way an answer can go wrong, through real HTTP calls to the
//! emulator; and GenAuth's documented response samples, parsed verbatim.

mod common;

use std::time::Duration;

use serde_json::{json, Value};
use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{
    AuthMethod, Error, ErrorKind, Grant, HttpClient, HttpConfig, Protocol, SecretString,
    TokenExchanger, TokenType, TransportKind, VendorError,
};
use tokenbridge_genauth::{qr_ticket_grant, QrCodeType, QrLoginClient, VENDOR};
use tokenbridge_testkit::genauth::{
    envelope_ok, GenAuthEmulator, APP_NOT_FOUND, CLIENT_AUTH_FAILED, EXCHANGE_TICKET_PATH,
    TICKET_INVALID,
};
use tokenbridge_testkit::Reply;

use common::{form, APP_ID, APP_SECRET};

const JAVA_SDK_SAMPLE: &str = include_str!("fixtures/java_sdk_exchange_tokenset.json");
const V3_API_EMPTY_DATA_SAMPLE: &str =
    include_str!("fixtures/v3_api_exchange_tokenset_empty_data.json");
const SYNTHESIZED_SAMPLE: &str = include_str!("fixtures/v3_exchange_tokenset_without_scope.json");
const V2_ERROR_SAMPLE: &str = include_str!("fixtures/v2_error_app_not_found.json");
const OAUTH2_SAMPLE: &str = include_str!("fixtures/oauth2_code_exchange.json");

fn vendor(err: &Error) -> &VendorError {
    err.vendor_error()
        .unwrap_or_else(|| panic!("expected Error::Vendor, got {err:?}"))
}

fn unreadable_reason(err: &Error) -> String {
    match err {
        Error::UnreadableResponse(u) => u.reason.clone(),
        other => panic!("expected Error::UnreadableResponse, got {other:?}"),
    }
}

/// Sends a ticket exchange whose answer is `reply`.
async fn exchange_answered_with(reply: Reply) -> (GenAuthEmulator, Error) {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    emulator.push_reply(reply);
    let err = genauth
        .exchange_qr_ticket(SecretString::from("tk-1"))
        .await
        .unwrap_err();
    (emulator, err)
}

fn raw_json(status: u16, body: &str) -> Reply {
    Reply::raw(status, "application/json; charset=utf-8", body)
}

#[tokio::test]
async fn http_200_with_status_code_400_and_a_numeric_api_code() {
    let (_, err) = exchange_answered_with(raw_json(
        200,
        r#"{"statusCode":400,"message":"ticket is invalid","apiCode":2004,"requestId":"934108e5-9fbf-4d24-8da1-c330328abd6c"}"#,
    ))
    .await;
    let mut expected = VendorError::new(VENDOR, 200, 400, "ticket is invalid");
    expected = expected.with_api_code(Some("2004".into()));
    expected = expected.with_request_id(Some("934108e5-9fbf-4d24-8da1-c330328abd6c".into()));
    // 2004 is in GenAuth's error table as an inferred refused ticket.
    expected = expected.with_kind(ErrorKind::InvalidGrant, true);

    assert_eq!(vendor(&err), &expected);
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "genauth reported an error (HTTP 200, status 400, code 2004): ticket is invalid \
         (request id 934108e5-9fbf-4d24-8da1-c330328abd6c: quote it to the vendor's support)"
    );
}

#[tokio::test]
async fn the_v2_error_page_sample_with_a_string_api_code_and_unique_id() {
    let (_, err) = exchange_answered_with(raw_json(200, V2_ERROR_SAMPLE)).await;
    let mut expected = VendorError::new(VENDOR, 200, 499, "应用不存在");
    expected = expected.with_api_code(Some("2011".into()));
    expected = expected.with_request_id(Some("...".into()));
    // 2011, "the application does not exist", is documented on GenAuth's error-code page.
    expected = expected.with_kind(ErrorKind::InvalidClient, false);

    assert_eq!(vendor(&err), &expected);
}

#[tokio::test]
async fn success_with_data_null_or_missing_is_unreadable() {
    let (_, err) = exchange_answered_with(raw_json(
        200,
        r#"{"statusCode":200,"message":"success","data":null}"#,
    ))
    .await;
    assert_eq!(
        unreadable_reason(&err),
        "the envelope reports success (statusCode 200) but `data` is null"
    );
    let (_, err) =
        exchange_answered_with(raw_json(200, r#"{"statusCode":200,"message":"success"}"#)).await;
    assert_eq!(
        unreadable_reason(&err),
        "the envelope reports success (statusCode 200) but has no `data`"
    );
}

#[tokio::test]
async fn html_pages() {
    let page = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
    let (_, err) = exchange_answered_with(Reply::raw(200, "text/html", page)).await;
    assert!(
        unreadable_reason(&err).starts_with("the body is an HTML page"),
        "{err}"
    );
    assert!(!err.is_retryable());
    let (_, err) = exchange_answered_with(Reply::raw(502, "text/html", page)).await;
    match &err {
        Error::UnreadableResponse(u) => {
            assert_eq!(u.status, Some(502));
            assert_eq!(u.content_type.as_deref(), Some("text/html"));
            assert!(u.snippet.contains("502 Bad Gateway"), "{u:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn empty_bodies() {
    let (_, err) = exchange_answered_with(Reply::empty(200)).await;
    assert_eq!(
        unreadable_reason(&err),
        "the body is empty; expected a JSON object with tokens"
    );
    let (_, err) = exchange_answered_with(Reply::empty(401)).await;
    let p = err.oauth_error().unwrap();
    assert_eq!(
        (p.status(), p.code().as_str(), p.is_from_status_only()),
        (Some(401), "invalid_client", true)
    );
}

#[tokio::test]
async fn http_500() {
    let (_, err) = exchange_answered_with(raw_json(
        500,
        r#"{"statusCode":500,"message":"internal error","apiCode":5000,"requestId":"r-500"}"#,
    ))
    .await;
    let v = vendor(&err);
    assert_eq!((v.http_status(), v.status_code()), (500, 500));
    assert_eq!(v.api_code(), Some("5000"));
    assert!(err.is_retryable());
    let (_, err) =
        exchange_answered_with(Reply::raw(500, "text/plain", "Internal Server Error")).await;
    assert!(
        unreadable_reason(&err).starts_with("the body is not valid JSON"),
        "{err}"
    );
    assert!(err.is_retryable());
    let (_, err) = exchange_answered_with(raw_json(500, r#"{"oops":true}"#)).await;
    assert_eq!(
        unreadable_reason(&err),
        "an error status without a GenAuth V3 envelope or an OAuth 2.0 `error` field"
    );
}

#[tokio::test]
async fn other_shapes() {
    let (_, err) = exchange_answered_with(raw_json(200, "[1,2]")).await;
    assert_eq!(
        unreadable_reason(&err),
        "expected a JSON object, got an array of 2 items; the body is not quoted, as it may be \
         a token"
    );
    let (_, err) = exchange_answered_with(raw_json(200, r#"{"access_token":"x"}"#)).await;
    assert!(unreadable_reason(&err).contains("not a GenAuth V3 envelope"));
    let (_, err) = exchange_answered_with(raw_json(
        200,
        r#"{"statusCode":200,"data":{"access_token":7,"token_type":"bearer","expire_in":7200}}"#,
    ))
    .await;
    assert_eq!(
        unreadable_reason(&err),
        "`access_token`: expected a string, got a number"
    );
    let (_, err) = exchange_answered_with(raw_json(
        200,
        r#"{"statusCode":200,"data":{"access_token":"at","token_type":"bearer","expire_in":"soon"}}"#,
    ))
    .await;
    assert!(unreadable_reason(&err).starts_with("`expire_in`"), "{err}");
}

#[tokio::test]
async fn huge_bodies_are_capped() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(common::app(AuthMethod::None));
    let http = HttpClient::shared(HttpConfig::default().with_max_body_bytes(1024));
    let genauth = QrLoginClient::new(common::provider_with(
        &emulator,
        APP_ID,
        AuthMethod::None,
        "",
        Protocol::Oidc,
        http,
    ))
    .unwrap();
    emulator.push_reply(raw_json(
        200,
        &format!(
            r#"{{"statusCode":200,"data":{{"x":"{}"}}}}"#,
            "a".repeat(4096)
        ),
    ));
    let err = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn envelope_errors_from_the_emulator_for_each_call() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(common::app(AuthMethod::ClientSecretPost));
    // An application id GenAuth does not know.
    let stranger = QrLoginClient::new(common::provider_with(
        &emulator,
        "no-such-app",
        AuthMethod::ClientSecretPost,
        APP_SECRET,
        Protocol::Oidc,
        HttpClient::default(),
    ))
    .unwrap();
    let errors = [
        stranger
            .generate_qr_code(QrCodeType::MobileApp)
            .await
            .unwrap_err(),
        stranger.qr_code_status("qr-1").await.unwrap_err(),
        stranger
            .provider()
            .exchange(qr_ticket_grant("tk-1"))
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        let v = vendor(err);
        assert_eq!(
            (v.vendor(), v.http_status(), v.status_code()),
            (VENDOR, 200, APP_NOT_FOUND.status_code)
        );
        assert_eq!(
            v.api_code(),
            Some(APP_NOT_FOUND.api_code.to_string().as_str())
        );
        assert_eq!(v.message(), APP_NOT_FOUND.message);
        assert!(v.request_id().is_some_and(|id| id.len() == 28), "{v:?}");
        assert_eq!(
            (err.kind(), v.is_kind_inferred()),
            (ErrorKind::InvalidClient, false)
        );
    }
}

#[tokio::test]
async fn bad_and_reused_tickets() {
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    let provider = genauth.provider();
    let err = provider
        .exchange(qr_ticket_grant("tk-never-issued"))
        .await
        .unwrap_err();
    assert_eq!(vendor(&err).status_code(), TICKET_INVALID.status_code);
    assert_eq!(
        vendor(&err).api_code(),
        Some(TICKET_INVALID.api_code.to_string().as_str())
    );
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(vendor(&err).is_kind_inferred());

    let ticket = emulator.issue_ticket(APP_ID).unwrap();
    provider
        .exchange(qr_ticket_grant(ticket.clone()))
        .await
        .unwrap();
    let err = provider
        .exchange(qr_ticket_grant(ticket))
        .await
        .unwrap_err();
    assert_eq!(
        vendor(&err).api_code(),
        Some(TICKET_INVALID.api_code.to_string().as_str())
    );
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(err.is_invalid_grant());
    assert!(!err.is_retryable());
    assert_eq!(emulator.requests_to(EXCHANGE_TICKET_PATH).len(), 3);
}

#[tokio::test]
async fn wrong_client_credentials_or_method_on_the_ticket_exchange() {
    // (the application's method, what the exchanger is configured with, its secret)
    let cases = [
        (
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretPost,
            "wrong",
        ),
        (
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretBasic,
            "wrong",
        ),
        (
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            common::APP_SECRET,
        ),
        (
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretBasic,
            common::APP_SECRET,
        ),
        (
            AuthMethod::ClientSecretPost,
            AuthMethod::None,
            common::APP_SECRET,
        ),
        (
            AuthMethod::None,
            AuthMethod::ClientSecretPost,
            common::APP_SECRET,
        ),
    ];
    for (app_method, configured, secret) in cases {
        let emulator = GenAuthEmulator::start().await.unwrap();
        emulator.register_app(common::app(app_method));
        // A secret with `none` is refused by the builder: it would never be sent.
        let provider = common::provider_with(
            &emulator,
            APP_ID,
            configured,
            secret,
            Protocol::Oidc,
            HttpClient::default(),
        );
        let ticket = emulator.issue_ticket(APP_ID).unwrap();
        let err = provider
            .exchange(qr_ticket_grant(ticket.clone()))
            .await
            .unwrap_err();
        let v = vendor(&err);
        assert_eq!(
            (v.status_code(), v.api_code().map(str::to_owned)),
            (
                CLIENT_AUTH_FAILED.status_code,
                Some(CLIENT_AUTH_FAILED.api_code.to_string())
            ),
            "app {app_method}, configured {configured}"
        );
        assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
        // The refused client did not spend the ticket.
        let right = common::provider(&emulator, app_method, Protocol::Oidc);
        right.exchange(qr_ticket_grant(ticket)).await.unwrap();
    }
}

#[tokio::test]
async fn a_ticket_is_sent_once_even_when_the_answer_fails() {
    let (emulator, _) = exchange_answered_with(Reply::empty(503)).await;
    assert_eq!(emulator.requests_to(EXCHANGE_TICKET_PATH).len(), 1);

    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(common::app(AuthMethod::None));
    let http = HttpClient::shared(HttpConfig::default().with_timeout(Duration::from_millis(200)));
    let provider = common::provider_with(
        &emulator,
        APP_ID,
        AuthMethod::None,
        "",
        Protocol::Oidc,
        http,
    );
    emulator.set_exchange_delay(Duration::from_secs(2));
    let ticket = emulator.issue_ticket(APP_ID).unwrap();
    let err = provider
        .exchange(qr_ticket_grant(ticket))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Timeout),
        other => panic!("{other:?}"),
    }
    assert_eq!(emulator.requests_to(EXCHANGE_TICKET_PATH).len(), 1);
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error_not_an_invented_status() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let base = emulator.base();
    drop(emulator);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let genauth = QrLoginClient::new(
        tokenbridge_genauth::builder("genauth", Protocol::Oidc)
            .base_url(base)
            .client_id(APP_ID)
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportKind::Connect),
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn odd_qr_data() {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    emulator.push_reply(Reply::json(200, envelope_ok(json!({"qrcodeId": "q1"}))));
    let err = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap_err();
    assert_eq!(unreadable_reason(&err), "no `url` in the answer's data");
    emulator.push_reply(Reply::json(
        200,
        envelope_ok(json!({"status": "SCANNED", "briefUserInfo": {"displayName": 5}})),
    ));
    let err = genauth.qr_code_status("q1").await.unwrap_err();
    assert_eq!(
        unreadable_reason(&err),
        "`displayName` is a number, expected a string"
    );
    emulator.push_reply(Reply::json(
        200,
        envelope_ok(json!({"status": "AUTHORIZED"})),
    ));
    let err = genauth.qr_code_status("q1").await.unwrap_err();
    assert!(unreadable_reason(&err).contains("neither `ticket` nor `tokenSet`"));
    // briefUserInfo with nulls, and a custom logo.
    emulator.push_reply(Reply::json(
        200,
        envelope_ok(
            json!({"status": "SCANNED", "briefUserInfo": {"displayName": null, "photo": null}}),
        ),
    ));
    let status = genauth.qr_code_status("q1").await.unwrap();
    assert_eq!(status.to_string(), "scanned, waiting for confirmation");
    emulator.push_reply(Reply::json(
        200,
        envelope_ok(json!({"qrcodeId": "q2", "url": "https://files/q2.png", "customLogoUrl": "https://files/logo.png"})),
    ));
    let qr = genauth
        .generate_qr_code(QrCodeType::WechatOfficialAccount)
        .await
        .unwrap();
    assert_eq!(
        qr.custom_logo_url.as_deref(),
        Some("https://files/logo.png")
    );
}

#[tokio::test]
async fn vendor_sample_java_sdk_exchange_result() {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    emulator.push_reply(raw_json(200, JAVA_SDK_SAMPLE));
    let tokens = genauth
        .provider()
        .exchange(qr_ticket_grant("tk-1"))
        .await
        .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "eyJhbGciOiJSxxxxx");
    assert_eq!(tokens.id_token().unwrap().expose_secret(), "eyJhbGxxxx");
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "WPsGJbvpBjqXz6IJIr1UHKyrdVF"
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(
        tokens.scopes(),
        Some(&["openid".to_owned(), "profile".to_owned()][..])
    );
    assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());
}

#[tokio::test]
async fn vendor_sample_without_scope() {
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    emulator.push_reply(raw_json(200, SYNTHESIZED_SAMPLE));
    let tokens = genauth
        .provider()
        .exchange(qr_ticket_grant("tk-1"))
        .await
        .unwrap();
    assert_eq!(tokens.scopes(), None);
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
}

#[tokio::test]
async fn vendor_sample_with_empty_data() {
    let (_, err) = exchange_answered_with(raw_json(200, V3_API_EMPTY_DATA_SAMPLE)).await;
    assert_eq!(unreadable_reason(&err), "no `access_token` in the answer");
}

#[tokio::test]
async fn vendor_sample_oauth2_answer() {
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::OAuth2).await;
    emulator.oauth().push_reply(raw_json(200, OAUTH2_SAMPLE));
    let tokens = genauth
        .provider()
        .exchange(Grant::authorization_code(
            "61yhuOVrgyhKlFTU~bnEKA_fnnz",
            "https://baidu.com",
        ))
        .await
        .unwrap();
    assert_eq!(
        tokens.access_token().expose_secret(),
        "de60825d1bffd91474e9ac6a08a84bdc71f7f404"
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3599)));
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "c0b0b4acd686d30bb8b26dae73c2e64c1cec6698"
    );
    assert!(tokens.id_token().is_none());
    assert_eq!(tokens.scopes(), Some(&["user".to_owned()][..]));
    // The request matches the doc's curl example.
    let r = emulator.requests_to("/oauth/token").remove(0);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code=61yhuOVrgyhKlFTU%7EbnEKA_fnnz&redirect_uri=https%3A%2F%2Fbaidu.com&client_id={APP_ID}&client_secret={}",
            form(APP_SECRET)
        )
    );
}

#[tokio::test]
async fn oauth_emulator_answers_like_the_sample() {
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretBasic, Protocol::OAuth2).await;
    let code = emulator.issue_code(Protocol::OAuth2, APP_ID, "https://app.example.com/cb", None);
    let tokens = genauth
        .provider()
        .exchange(Grant::authorization_code(
            code,
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    let at = tokens.access_token().expose_secret();
    assert!(
        at.len() == 40 && at.bytes().all(|b| b.is_ascii_hexdigit()),
        "{at}"
    );
    assert!(tokens.id_token().is_none());
    assert_eq!(tokens.scopes(), Some(&["user".to_owned()][..]));
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3599)));
}

#[tokio::test]
async fn token_endpoint_errors() {
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    // The RFC 6749 shape.
    let err = genauth
        .provider()
        .exchange(Grant::authorization_code(
            "code-unknown",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant(), "{err}");
    // A V3 envelope there is still GenAuth's business error, not an unreadable answer.
    let envelope: Value =
        json!({"statusCode": 400, "message": "invalid code", "apiCode": 2020, "requestId": "r-2"});
    emulator
        .oidc()
        .push_reply(Reply::json(200, envelope.clone()));
    let err = genauth
        .provider()
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap_err();
    let v = vendor(&err);
    assert_eq!((v.http_status(), v.status_code()), (200, 400));
    assert_eq!(v.api_code(), Some("2020"));
    emulator.oidc().push_reply(Reply::json(400, envelope));
    let err = genauth
        .provider()
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap_err();
    assert_eq!(vendor(&err).http_status(), 400);
    // An enveloped success (the 2023 OpenAPI spec's reading of /oidc/token) still parses.
    emulator.oidc().push_reply(raw_json(200, JAVA_SDK_SAMPLE));
    let tokens = genauth
        .provider()
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    // The OIDC doc's answer: standard expires_in wins.
    emulator.oidc().push_reply(raw_json(
        200,
        r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","expires_in":3600,"id_token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln","refresh_token":"rt-2","scope":"openid profile offline_access phone email","token_type":"Bearer"}"#,
    ));
    let tokens = genauth
        .provider()
        .exchange(Grant::refresh_token("rt-1"))
        .await
        .unwrap();
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
    assert_eq!(tokens.scopes().map(<[String]>::len), Some(5));
    // Without offline_access and prompt=consent there is no refresh token: not an error.
    emulator.oidc().push_reply(raw_json(
        200,
        r#"{"access_token":"at-3","expires_in":3600,"token_type":"Bearer","scope":"openid"}"#,
    ));
    let tokens = genauth
        .provider()
        .exchange(Grant::authorization_code(
            "code-1",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    assert!(tokens.refresh_token().is_none() && tokens.id_token().is_none());
    // An HTML error page from the token endpoint.
    emulator
        .oidc()
        .push_reply(Reply::raw(404, "text/html", "<html>Not Found</html>"));
    let err = genauth
        .provider()
        .exchange(Grant::client_credentials())
        .await
        .unwrap_err();
    assert!(unreadable_reason(&err).starts_with("the body is an HTML page"));
}

#[tokio::test]
async fn wrong_client_credentials_at_the_token_endpoint() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(common::app(AuthMethod::ClientSecretBasic));
    let provider = common::provider_with(
        &emulator,
        APP_ID,
        AuthMethod::ClientSecretBasic,
        "wrong",
        Protocol::Oidc,
        HttpClient::default(),
    );
    let err = provider
        .exchange(Grant::client_credentials().with_scopes(["read"]))
        .await
        .unwrap_err();
    assert!(err.is_invalid_client(), "{err}");
}
