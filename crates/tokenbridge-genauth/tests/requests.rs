//! The exact requests the adapter sends: method, path, query, headers and body bytes.

mod common;

use tokenbridge_core::{
    AuthMethod, Error, Grant, HttpClient, PkceVerifier, Protocol, SecretString, TokenExchanger,
};
use tokenbridge_genauth::{qr_ticket_grant, QrCodeType};
use tokenbridge_testkit::genauth::{
    GenAuthApp, GenAuthEmulator, EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH, QRCODE_STATUS_PATH,
};
use tokenbridge_testkit::RecordedRequest;

use common::{form, APP_ID, APP_SECRET, BASIC};

fn only(requests: Vec<RecordedRequest>) -> RecordedRequest {
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn generate_qr_code_request() {
    for method in AuthMethod::ALL {
        let (emulator, genauth) = common::start(method, Protocol::Oidc).await;
        for kind in QrCodeType::ALL {
            emulator.clear_requests();
            let qr = genauth.generate_qr_code(kind).await.unwrap();
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
        let (emulator, genauth) = common::start(method, Protocol::Oidc).await;
        let id = emulator.create_qr_code(APP_ID);
        let status = genauth.qr_code_status(&id).await.unwrap();
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
    let (emulator, genauth) = common::start(AuthMethod::None, Protocol::Oidc).await;
    let err = genauth.qr_code_status("a b&c=d").await.unwrap_err();
    assert_eq!(err.vendor_error().unwrap().status_code(), 404);
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
                "{{\"client_id\":\"{APP_ID}\",\"client_secret\":\"{APP_SECRET}\",\"ticket\":\"TICKET\"}}"
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
        let (emulator, genauth) = common::start(method, Protocol::Oidc).await;
        let ticket = emulator.issue_ticket(APP_ID).unwrap();
        let tokens = genauth
            .provider()
            .exchange(qr_ticket_grant(ticket.clone()))
            .await
            .unwrap();
        assert_eq!(tokens.provider_id(), "genauth");
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
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretBasic, Protocol::Oidc).await;
    let ticket = emulator.issue_ticket(APP_ID).unwrap();
    genauth
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
                format!("&client_id={APP_ID}&client_secret={}", form(APP_SECRET)),
                None,
            ),
            (AuthMethod::ClientSecretBasic, String::new(), Some(BASIC)),
        ];
        for (method, credentials, authorization) in cases {
            if method == AuthMethod::None && protocol == Protocol::OAuth2 {
                // Not offered: /oauth/token documents the two secret methods only.
                continue;
            }
            let (emulator, genauth) = common::start(method, protocol).await;
            let code = emulator.issue_code(protocol, APP_ID, "https://app.example.com/cb", None);
            genauth
                .provider()
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
    let (emulator, genauth) = common::start(AuthMethod::ClientSecretBasic, Protocol::Oidc).await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let code = emulator.issue_code(
        Protocol::Oidc,
        APP_ID,
        "https://app.example.com/cb",
        Some(tokenbridge_testkit::oidc::s256(verifier)),
    );
    genauth
        .provider()
        .exchange(
            Grant::authorization_code(code.clone(), "https://app.example.com/cb")
                .with_pkce_verifier(PkceVerifier::new(verifier).unwrap()),
        )
        .await
        .unwrap();
    let refresh_token = emulator
        .oidc()
        .issue_refresh_token(APP_ID, "openid profile offline_access");
    genauth
        .provider()
        .exchange(Grant::refresh_token(refresh_token.clone()))
        .await
        .unwrap();
    genauth
        .provider()
        .exchange(Grant::client_credentials().with_scopes(["read:users", "write:users"]))
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

    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
    let options = QrCodeOptions::new(QrCodeType::MobileApp)
        .with_ext_idp_conn_id("conn-1")
        .with_custom_data(json!({"source": "kiosk-3", "floor": 2}));
    genauth.generate_qr_code_with(options).await.unwrap();
    let r = only(emulator.requests());
    assert_eq!(
        r.body_text(),
        r#"{"customData":{"floor":2,"source":"kiosk-3"},"extIdpConnId":"conn-1","type":"MOBILE_APP"}"#
    );

    emulator.clear_requests();
    let options = QrCodeOptions::new(QrCodeType::WechatMiniprogram)
        .with_context(json!({"campaign": "spring"}))
        .with_auto_merge_qr_code(true);
    genauth.generate_qr_code_with(options).await.unwrap();
    let r = only(emulator.requests());
    assert_eq!(
        r.body_text(),
        r#"{"autoMergeQrCode":true,"context":{"campaign":"spring"},"type":"WECHAT_MINIPROGRAM"}"#
    );
}

#[tokio::test]
async fn qr_code_options_that_do_not_fit_the_type_send_nothing() {
    use serde_json::json;
    use tokenbridge_genauth::QrCodeOptions;

    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
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
        match genauth.generate_qr_code_with(options).await.unwrap_err() {
            Error::Config { key: Some(k), .. } => assert_eq!(k, key),
            other => panic!("{other}"),
        }
    }
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn custom_data_and_context_must_be_json_objects() {
    use serde_json::json;
    use tokenbridge_genauth::QrCodeOptions;

    let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, Protocol::Oidc).await;
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
        match genauth.generate_qr_code_with(options).await.unwrap_err() {
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

#[tokio::test]
async fn basic_is_raw_for_ids_and_secrets_with_plus_percent_space_and_colon() {
    const ODD_ID: &str = "app+1%41 x";
    // base64("app+1%41 x:4203d30e:5e91+523a%9f 8b26c31c9adce68"), nothing form-encoded.
    const ODD_BASIC: &str =
        "Basic YXBwKzElNDEgeDo0MjAzZDMwZTo1ZTkxKzUyM2ElOWYgOGIyNmMzMWM5YWRjZTY4";
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        let emulator = GenAuthEmulator::start().await.unwrap();
        emulator.register_app(GenAuthApp::new(
            ODD_ID,
            APP_SECRET,
            AuthMethod::ClientSecretBasic,
        ));
        let provider = common::provider_with(
            &emulator,
            ODD_ID,
            AuthMethod::ClientSecretBasic,
            APP_SECRET,
            protocol,
            HttpClient::default(),
        );
        let ticket = emulator.issue_ticket(ODD_ID).unwrap();
        provider.exchange(qr_ticket_grant(ticket)).await.unwrap();
        let code = emulator.issue_code(protocol, ODD_ID, "https://app.example.com/cb", None);
        provider
            .exchange(Grant::authorization_code(
                code,
                "https://app.example.com/cb",
            ))
            .await
            .unwrap();
        let requests = emulator.requests();
        assert_eq!(requests.len(), 2, "{requests:?}");
        for r in &requests {
            assert_eq!(r.header("authorization"), Some(ODD_BASIC), "{}", r.path);
        }
        assert_eq!(requests[0].header("x-authing-app-id"), Some(ODD_ID));
        assert_eq!(requests[1].header("x-authing-app-id"), None);
    }
}

#[tokio::test]
async fn form_encoded_basic_is_refused_like_genauth_would() {
    // RFC 6749's form-encoding of the credentials, which GenAuth does not undo.
    let (emulator, _) = common::start(AuthMethod::ClientSecretBasic, Protocol::Oidc).await;
    let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url(emulator.base())
        .client_id(APP_ID)
        .client_secret(SecretString::from(APP_SECRET))
        .auth_method(AuthMethod::ClientSecretBasic)
        .basic_encoding(tokenbridge_core::BasicEncoding::FormUrlEncoded)
        .build()
        .unwrap();
    let ticket = emulator.issue_ticket(APP_ID).unwrap();
    let err = provider
        .exchange(qr_ticket_grant(ticket))
        .await
        .unwrap_err();
    assert!(err.is_invalid_client(), "{err}");
    let err = provider
        .exchange(Grant::client_credentials().with_scopes(["read"]))
        .await
        .unwrap_err();
    assert!(err.is_invalid_client(), "{err}");
    assert_eq!(
        emulator.requests()[0].header("authorization"),
        Some("Basic NjM0MmI4NTM3YTFiMmMwNDdkMzE0MTA5OjQyMDNkMzBlJTNBNWU5MSUyQjUyM2ElMjU5Zis4YjI2YzMxYzlhZGNlNjg=")
    );
}

#[tokio::test]
async fn a_code_without_redirect_uri_is_refused_before_sending() {
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        let (emulator, genauth) = common::start(AuthMethod::ClientSecretPost, protocol).await;
        let code = emulator.issue_code(protocol, APP_ID, "https://app.example.com/cb", None);
        for grant in [
            Grant::authorization_code_without_redirect_uri(code.clone()),
            Grant::authorization_code(code.clone(), " "),
        ] {
            match genauth.provider().exchange(grant).await.unwrap_err() {
                Error::Config {
                    key: Some(key),
                    message,
                } => {
                    assert_eq!(key, "redirect_uri");
                    assert!(
                        message.contains("GenAuth requires redirect_uri"),
                        "{message}"
                    );
                }
                other => panic!("{protocol}: {other:?}"),
            }
        }
        assert!(emulator.requests().is_empty());
    }
}
