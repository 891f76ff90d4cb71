//! The revocation shape (method, body, token parameter, Basic, the client id in the path), the
//! userinfo email lookup, the userinfo error message member and a refined `Content-Type`,
//! with fictional vendors shaped like the ones they exist for, against loopback stubs.

mod support;

use secrecy::SecretString;
use tokenbridge_core::{
    AuthMethod, EmailLookup, ErrorKind, ErrorMapping, ErrorTable, Grant, HttpMethod, ParamsIn,
    Provider, RevocationShape, TokenExchanger as _, TokenTypeHint, VendorDescription,
};

use support::{http_response, stub, stub_reply};

/// GitHub-shaped: `DELETE` with a JSON body, Basic auth, the client id in the path, a second
/// request for a private email.
static DELETE_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("delete-vendor", "Delete Vendor");
    d.paths.token = Some("https://login.example.com/token");
    d.paths.revocation = Some("https://api.example.com/apps/{client_id}/token");
    d.paths.userinfo = Some("https://api.example.com/user");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.revocation = revocation();
    d.userinfo.fields = tokenbridge_core::FieldNames(&[("sub", "id")]);
    d.userinfo.email_lookup = Some(EmailLookup::new("/emails"));
    d
};

const fn revocation() -> RevocationShape {
    let mut r = RevocationShape::STANDARD;
    r.method = HttpMethod::Delete;
    r.params_in = ParamsIn::Json;
    r.token_param = "access_token";
    r.type_hint = false;
    r.basic_auth = true;
    r
}

/// Feishu-shaped: a JSON token body with a refined `Content-Type`, `code` errors whose
/// message is `error_description` for tokens and `msg` for the user.
static CODE_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("code-vendor", "Code Vendor");
    d.paths.token = Some("https://open.example.com/token");
    d.paths.userinfo = Some("https://open.example.com/user");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.token_request.params_in = ParamsIn::Json;
    d.token_request.headers = &[("content-type", "application/json; charset=utf-8")];
    d.token_response.error_code_field = Some("code");
    d.token_response.error_message_field = Some("error_description");
    d.token_response.success_codes = &["0"];
    d.errors = ErrorTable(&[ErrorMapping::inferred("99991668", ErrorKind::InvalidToken)]);
    d.userinfo.envelope = Some("data");
    d.userinfo.error_message_field = Some("msg");
    d.userinfo.fields = tokenbridge_core::FieldNames(&[("sub", "open_id")]);
    d
};

fn provider(vendor: &'static VendorDescription, base: &str) -> Provider {
    Provider::builder("corp")
        .vendor(vendor)
        .base_url(base)
        .client_id("app 1")
        .client_secret(SecretString::from("s3cr+t"))
        .build()
        .unwrap()
}

fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shaped_revocation_is_a_delete_with_basic_and_a_json_body() {
    let (addr, requests) = stub_reply(http_response("204 No Content", &[], b""));
    let p = provider(&DELETE_VENDOR, &format!("http://{addr}"));
    p.revoke(
        &SecretString::from("tok-1"),
        Some(TokenTypeHint::AccessToken),
    )
    .await
    .unwrap();
    let sent = text(&requests.recv().unwrap());
    assert!(
        sent.starts_with("DELETE /apps/app%201/token HTTP/1.1\r\n"),
        "{sent}"
    );
    let lower = sent.to_ascii_lowercase();
    // base64("app+1:s3cr%2Bt"): the id and secret form-encoded first (RFC 6749 2.3.1).
    assert!(
        lower.contains("authorization: basic yxbwkze6cznjciuyqnq=\r\n"),
        "{sent}"
    );
    assert!(
        lower.contains("content-type: application/json\r\n"),
        "{sent}"
    );
    assert!(sent.ends_with(r#"{"access_token":"tok-1"}"#), "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shaped_revocation_without_a_secret_is_a_configuration_error() {
    let p = Provider::builder("corp")
        .vendor(&DELETE_VENDOR)
        .base_url("http://127.0.0.1:9")
        .client_id("app")
        .auth_method(AuthMethod::None)
        .build();
    // The vendor offers no public client: the builder already refuses, naming the key.
    let error = match p {
        Ok(p) => p.revoke(&SecretString::from("t"), None).await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
}

fn json_reply(status: &str, body: &str) -> Vec<u8> {
    http_response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_email_is_the_primary_verified_one_of_the_list() {
    let (addr, requests) = stub(|mut stream| {
        use std::io::Write as _;
        // The stub answers by order: the user first, then the list.
        thread_local!(static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
        let n = N.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let body = if n == 1 {
            json_reply("200 OK", r#"{"id":42,"email":null}"#)
        } else {
            json_reply(
                "200 OK",
                r#"[{"email":"a@x.example","primary":false,"verified":true},{"email":"b@x.example","primary":true,"verified":true}]"#,
            )
        };
        let _ = stream.write_all(&body);
    });
    let p = provider(&DELETE_VENDOR, &format!("http://{addr}"));
    let identity = p.userinfo(&SecretString::from("at-1")).await.unwrap();
    assert_eq!(identity.subject, "42");
    assert_eq!(identity.email.as_deref(), Some("b@x.example"));
    assert_eq!(identity.email_verified, Some(true));
    let first = text(&requests.recv().unwrap());
    let second = text(&requests.recv().unwrap());
    assert!(first.starts_with("GET /user HTTP/1.1\r\n"), "{first}");
    assert!(
        second.starts_with("GET /user/emails HTTP/1.1\r\n"),
        "{second}"
    );
    assert!(
        second.contains("authorization: Bearer at-1\r\n"),
        "{second}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_the_token_may_not_read_leaves_the_email_absent() {
    let (addr, _requests) = stub(|mut stream| {
        use std::io::Write as _;
        thread_local!(static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
        let n = N.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let body = if n == 1 {
            json_reply("200 OK", r#"{"id":42}"#)
        } else {
            json_reply("404 Not Found", r#"{"message":"Not Found"}"#)
        };
        let _ = stream.write_all(&body);
    });
    let p = provider(&DELETE_VENDOR, &format!("http://{addr}"));
    let identity = p.userinfo(&SecretString::from("at-1")).await.unwrap();
    assert_eq!((identity.subject.as_str(), identity.email), ("42", None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refined_content_type_is_sent_as_written() {
    let (addr, requests) = stub_reply(json_reply(
        "200 OK",
        r#"{"code":0,"access_token":"at","expires_in":60}"#,
    ));
    let p = provider(&CODE_VENDOR, &format!("http://{addr}"));
    p.exchange(Grant::refresh_token("rt")).await.unwrap();
    let sent = text(&requests.recv().unwrap());
    assert!(
        sent.to_ascii_lowercase()
            .contains("content-type: application/json; charset=utf-8\r\n"),
        "{sent}"
    );
    assert_eq!(
        sent.to_ascii_lowercase().matches("content-type:").count(),
        1,
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_userinfo_refusal_reads_its_own_message_member() {
    let (addr, _requests) = stub_reply(json_reply(
        "401 Unauthorized",
        r#"{"code":99991668,"msg":"Invalid access token"}"#,
    ));
    let p = provider(&CODE_VENDOR, &format!("http://{addr}"));
    let error = p.userinfo(&SecretString::from("at")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    let vendor = error.vendor_error().unwrap();
    assert_eq!(vendor.api_code(), Some("99991668"));
    assert_eq!(vendor.message(), "Invalid access token");
    assert!(vendor.is_kind_inferred());
}
