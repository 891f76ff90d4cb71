//! The exact requests the adapter sends: method, path, query, headers and body bytes.

mod common;

use tokenbridge_core::{AuthMethod, Grant, Protocol, SecretString, TokenExchanger};
use tokenbridge_genauth::QrCodeType;
use tokenbridge_testkit::genauth::{EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH, QRCODE_STATUS_PATH};
use tokenbridge_testkit::RecordedRequest;

use common::APP_ID;

/// base64("6342b8537a1b2c047d314109:4203d30e5e91523a9f8b26c31c9adce68")
const BASIC: &str =
    "Basic NjM0MmI4NTM3YTFiMmMwNDdkMzE0MTA5OjQyMDNkMzBlNWU5MTUyM2E5ZjhiMjZjMzFjOWFkY2U2OA==";

fn only(requests: Vec<RecordedRequest>) -> RecordedRequest {
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn generate_qr_code_request() {
    for method in AuthMethod::ALL {
        let (emulator, exchanger) = common::start(method, Protocol::Oidc).await;
        for kind in QrCodeType::ALL {
            emulator.clear_requests();
            let qr = exchanger.generate_qr_code(kind).await.unwrap();
            assert_eq!(qr.kind, kind);
            assert!(qr.id.starts_with("qr-"), "{qr:?}");
            assert_eq!(qr.url, format!("{}qrcode/{}", emulator.base_url(), qr.id));
            let r = only(emulator.requests());
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, GENE_QRCODE_PATH);
            assert_eq!(r.query, None);
            assert_eq!(r.header("x-authing-app-id"), Some(APP_ID));
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.body_text(), format!(r#"{{"type":"{kind}"}}"#));
            // Basic goes only to the token and ticket endpoints, whatever the method.
            assert_eq!(r.header("authorization"), None, "{method}");
        }
    }
}

#[tokio::test]
async fn qr_code_status_request() {
    for method in AuthMethod::ALL {
        let (emulator, exchanger) = common::start(method, Protocol::Oidc).await;
        let id = emulator.create_qr_code(APP_ID);
        let status = exchanger.qr_code_status(&id).await.unwrap();
        assert_eq!(status.as_str(), "PENDING");
        let r = only(emulator.requests());
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, QRCODE_STATUS_PATH);
        assert_eq!(r.query.as_deref(), Some(format!("qrcodeId={id}").as_str()));
        assert_eq!(r.header("x-authing-app-id"), Some(APP_ID));
        assert_eq!(r.header("content-type"), None);
        assert_eq!(r.header("authorization"), None, "{method}");
        assert!(r.body.is_empty());
    }
}

#[tokio::test]
async fn status_query_is_encoded() {
    let (emulator, exchanger) = common::start(AuthMethod::None, Protocol::Oidc).await;
    let err = exchanger.qr_code_status("a b&c=d").await.unwrap_err();
    assert_eq!(err.vendor_error().unwrap().status_code, 404);
    let r = only(emulator.requests());
    assert_eq!(r.query.as_deref(), Some("qrcodeId=a+b%26c%3Dd"));
}

#[tokio::test]
async fn ticket_exchange_request_per_auth_method() {
    let cases = [
        (AuthMethod::None, "{\"ticket\":\"TICKET\"}".to_owned(), None),
        (
            AuthMethod::ClientSecretPost,
            format!(
                "{{\"client_id\":\"{APP_ID}\",\"client_secret\":\"{}\",\"ticket\":\"TICKET\"}}",
                common::APP_SECRET
            ),
            None,
        ),
        (
            AuthMethod::ClientSecretBasic,
            "{\"ticket\":\"TICKET\"}".to_owned(),
            Some(BASIC),
        ),
    ];
    for (method, body, authorization) in cases {
        let (emulator, exchanger) = common::start(method, Protocol::Oidc).await;
        let ticket = emulator.issue_ticket(APP_ID).unwrap();
        let tokens = exchanger
            .exchange(Grant::qr_ticket(ticket.clone()))
            .await
            .unwrap();
        assert_eq!(tokens.provider(), "genauth");
        let r = only(emulator.requests_to(EXCHANGE_TICKET_PATH));
        assert_eq!(r.method, "POST", "{method}");
        assert_eq!(r.query, None);
        assert_eq!(r.header("x-authing-app-id"), Some(APP_ID), "{method}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.body_text(), body.replace("TICKET", &ticket), "{method}");
        assert_eq!(r.header("authorization"), authorization, "{method}");
    }
}

#[tokio::test]
async fn exchange_qr_ticket_method_sends_the_same_request_as_the_grant() {
    let (emulator, exchanger) = common::start(AuthMethod::ClientSecretBasic, Protocol::Oidc).await;
    let ticket = emulator.issue_ticket(APP_ID).unwrap();
    exchanger
        .exchange_qr_ticket(SecretString::from(ticket.clone()))
        .await
        .unwrap();
    let r = only(emulator.requests_to(EXCHANGE_TICKET_PATH));
    assert_eq!(r.body_text(), format!("{{\"ticket\":\"{ticket}\"}}"));
    assert_eq!(r.header("authorization"), Some(BASIC));
}

#[tokio::test]
async fn code_exchange_request_per_auth_method_and_protocol() {
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        let path = match protocol {
            Protocol::Oidc => "/oidc/token",
            _ => "/oauth/token",
        };
        let cases = [
            (AuthMethod::None, format!("&client_id={APP_ID}"), None),
            (
                AuthMethod::ClientSecretPost,
                format!("&client_id={APP_ID}&client_secret={}", common::APP_SECRET),
                None,
            ),
            (AuthMethod::ClientSecretBasic, String::new(), Some(BASIC)),
        ];
        for (method, credentials, authorization) in cases {
            let (emulator, exchanger) = common::start(method, protocol).await;
            let code = emulator.issue_code(protocol, APP_ID, "https://app.example.com/cb", None);
            exchanger
                .exchange(Grant::authorization_code(
                    code.clone(),
                    "https://app.example.com/cb",
                ))
                .await
                .unwrap();
            let r = only(emulator.requests());
            assert_eq!(
                r.method, "POST",
                "the doc widget says GET; the API takes POST"
            );
            assert_eq!(r.path, path);
            assert_eq!(
                r.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            assert_eq!(
                r.body_text(),
                format!(
                    "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb{credentials}"
                ),
                "{method} {protocol}"
            );
            // Basic means the header only: no client_id or client_secret in the body.
            assert_eq!(r.header("authorization"), authorization, "{method}");
            // The app-id header belongs to the V3 API, not the protocol endpoints.
            assert_eq!(r.header("x-authing-app-id"), None);
        }
    }
}

#[tokio::test]
async fn pkce_refresh_and_client_credentials_requests() {
    let (emulator, exchanger) = common::start(AuthMethod::ClientSecretBasic, Protocol::Oidc).await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let code = emulator.issue_code(
        Protocol::Oidc,
        APP_ID,
        "https://app.example.com/cb",
        Some(tokenbridge_testkit::oidc::s256(verifier)),
    );
    exchanger
        .exchange(Grant::authorization_code_pkce(
            code.clone(),
            "https://app.example.com/cb",
            verifier,
        ))
        .await
        .unwrap();
    let refresh_token = emulator
        .oidc()
        .issue_refresh_token(APP_ID, "openid profile offline_access");
    exchanger
        .exchange(Grant::refresh_token(refresh_token.clone()))
        .await
        .unwrap();
    exchanger
        .exchange(Grant::client_credentials(["read:users", "write:users"]))
        .await
        .unwrap();
    let bodies: Vec<String> = emulator
        .requests_to("/oidc/token")
        .iter()
        .map(|r| {
            assert_eq!(r.header("authorization"), Some(BASIC));
            r.body_text()
        })
        .collect();
    assert_eq!(
        bodies,
        [
            format!("grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_verifier={verifier}"),
            format!("grant_type=refresh_token&refresh_token={refresh_token}"),
            "grant_type=client_credentials&scope=read%3Ausers+write%3Ausers".to_owned(),
        ]
    );
}

#[tokio::test]
async fn generate_qr_code_with_options_sends_typed_json() {
    use serde_json::json;
    use tokenbridge_genauth::QrCodeOptions;

    let (emulator, exchanger) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    let options = QrCodeOptions::new(QrCodeType::MobileApp)
        .with_ext_idp_conn_id("conn-1")
        .with_custom_data(json!({"source": "kiosk-3", "floor": 2}));
    exchanger.generate_qr_code_with(options).await.unwrap();
    let r = only(emulator.requests());
    assert_eq!(
        r.body_text(),
        r#"{"customData":{"floor":2,"source":"kiosk-3"},"extIdpConnId":"conn-1","type":"MOBILE_APP"}"#
    );

    emulator.clear_requests();
    let options = QrCodeOptions::new(QrCodeType::WechatMiniprogram)
        .with_context(json!({"campaign": "spring"}))
        .with_auto_merge_qr_code(true);
    exchanger.generate_qr_code_with(options).await.unwrap();
    let r = only(emulator.requests());
    assert_eq!(
        r.body_text(),
        r#"{"autoMergeQrCode":true,"context":{"campaign":"spring"},"type":"WECHAT_MINIPROGRAM"}"#
    );
}

#[tokio::test]
async fn qr_code_options_that_do_not_fit_the_type_send_nothing() {
    use serde_json::json;
    use tokenbridge_core::Error;
    use tokenbridge_genauth::QrCodeOptions;

    let (emulator, exchanger) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    for (options, key) in [
        (
            QrCodeOptions::new(QrCodeType::WechatOfficialAccount).with_custom_data(json!({"a": 1})),
            "customData",
        ),
        (
            QrCodeOptions::new(QrCodeType::MobileApp).with_context(json!({"a": 1})),
            "context",
        ),
        (
            QrCodeOptions::new(QrCodeType::MobileApp).with_auto_merge_qr_code(true),
            "autoMergeQrCode",
        ),
    ] {
        match exchanger.generate_qr_code_with(options).await.unwrap_err() {
            Error::Config { key: Some(k), .. } => assert_eq!(k, key),
            other => panic!("{other}"),
        }
    }
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn custom_data_and_context_must_be_json_objects() {
    use serde_json::json;
    use tokenbridge_core::Error;
    use tokenbridge_genauth::QrCodeOptions;

    let (emulator, exchanger) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    for (options, key, given) in [
        (
            QrCodeOptions::new(QrCodeType::MobileApp).with_custom_data(json!("kiosk-3")),
            "customData",
            "a string",
        ),
        (
            QrCodeOptions::new(QrCodeType::MobileApp).with_custom_data(json!([1, 2])),
            "customData",
            "an array",
        ),
        (
            QrCodeOptions::new(QrCodeType::WechatMiniprogram).with_context(json!(7)),
            "context",
            "a number",
        ),
        (
            QrCodeOptions::new(QrCodeType::WechatOfficialAccount).with_context(json!(null)),
            "context",
            "null",
        ),
    ] {
        match exchanger.generate_qr_code_with(options).await.unwrap_err() {
            Error::Config {
                key: Some(k),
                message,
            } => {
                assert_eq!(k, key);
                assert!(
                    message.starts_with(&format!("{key} must be a JSON object"))
                        && message.ends_with(&format!("not {given}")),
                    "{message}"
                );
            }
            other => panic!("{other}"),
        }
    }
    assert!(emulator.requests().is_empty());
}
