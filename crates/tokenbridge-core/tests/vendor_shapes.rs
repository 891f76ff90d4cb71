//! Vendors of any shape as data: the exact requests a description's request shape makes, and
//! how its response, error-code, callback and userinfo shapes read the answers. The vendors
//! here are fictional descriptions shaped like the ones the shapes exist for (a GET with
//! query credentials and errors with HTTP 200, a camelCase JSON body, form-encoded answers, a
//! numeric `code` envelope).

mod support;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use tokenbridge_core::{
    AuthMethod, BodyEncoding, Error, ErrorKind, ErrorMapping, ErrorTable, Grant, HttpMethod,
    HttpResponse, ParamsIn, Provider, ResponseFormat, TokenExchanger as _, TokenPlacement,
    TokenRequest, TokenSet, TokenType, Url, VendorDescription,
};

use support::{http_response, stub_reply};

/// Shaped like WeChat: a GET with the credentials in the query under its own names, a
/// separate refresh path without the secret, `errcode` errors with HTTP 200, the token in the
/// userinfo query with `openid` from the token answer.
static QUERY_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("query-vendor", "Query Vendor");
    d.paths.token = Some("/sns/oauth2/access_token");
    d.paths.userinfo = Some("/sns/userinfo");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.token_request.method = HttpMethod::Get;
    d.token_request.params_in = ParamsIn::Query;
    d.token_request.fields =
        tokenbridge_core::FieldNames(&[("client_id", "appid"), ("client_secret", "secret")]);
    d.token_request.refresh_path = Some("/sns/oauth2/refresh_token");
    d.token_request.refresh_omits_secret = true;
    d.token_response.error_code_field = Some("errcode");
    d.token_response.error_message_field = Some("errmsg");
    d.token_response.success_codes = &["0"];
    d.token_response.scope_separator = ',';
    d.errors = ErrorTable(&[
        ErrorMapping::documented("40029", ErrorKind::InvalidGrant),
        ErrorMapping::documented("45011", ErrorKind::RateLimited),
    ]);
    d.userinfo.token = TokenPlacement::Query("access_token");
    d.userinfo.params_from_tokens = &[("openid", "openid")];
    d.userinfo.fields = tokenbridge_core::FieldNames(&[
        ("sub", "openid"),
        ("name", "nickname"),
        ("picture", "headimgurl"),
    ]);
    d
};

/// Shaped like DingTalk: a camelCase JSON body and answer, `authCode` in the callback, the
/// userinfo token in a header of its own.
static JSON_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("json-vendor", "JSON Vendor");
    d.paths.token = Some("/v1.0/oauth2/userAccessToken");
    d.paths.authorization = Some("/oauth2/auth");
    d.paths.userinfo = Some("/v1.0/contact/users/me");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.token_request.params_in = ParamsIn::Json;
    d.token_request.fields = tokenbridge_core::FieldNames(&[
        ("client_id", "clientId"),
        ("client_secret", "clientSecret"),
        ("grant_type", "grantType"),
        ("refresh_token", "refreshToken"),
    ]);
    d.token_response.fields = tokenbridge_core::FieldNames(&[
        ("access_token", "accessToken"),
        ("refresh_token", "refreshToken"),
        ("expires_in", "expireIn"),
    ]);
    d.token_response.error_code_field = Some("code");
    d.token_response.error_message_field = Some("message");
    d.errors = ErrorTable(&[ErrorMapping::inferred(
        "invalidAuthCode",
        ErrorKind::InvalidGrant,
    )]);
    d.callback_code_params = &["authCode"];
    d.userinfo.token = TokenPlacement::Header("x-acs-dingtalk-access-token");
    d.userinfo.fields = tokenbridge_core::FieldNames(&[
        ("sub", "openId"),
        ("name", "nick"),
        ("picture", "avatarUrl"),
    ]);
    d
};

/// Shaped like GitHub: form-encoded answers unless the content type says JSON, errors with
/// HTTP 200, `Accept` asked of the token endpoint, a numeric user id and a `User-Agent`.
static FORM_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("form-vendor", "Form Vendor");
    d.paths.token = Some("/login/oauth/access_token");
    d.paths.userinfo = Some("/user");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.token_request.headers = &[("accept", "application/json")];
    d.token_response.format = ResponseFormat::ByContentType;
    d.userinfo.headers = &[("user-agent", "tokenbridge-test")];
    d.userinfo.fields = tokenbridge_core::FieldNames(&[("sub", "id"), ("name", "login")]);
    d
};

/// Shaped like Feishu's userinfo and GenAuth's V3 answers: a numeric `code` and the tokens
/// (or the user) inside `data`.
static ENVELOPE_VENDOR: VendorDescription = {
    let mut d = VendorDescription::standard("envelope-vendor", "Envelope Vendor");
    d.paths.token = Some("/api/token");
    d.paths.userinfo = Some("/api/user");
    d.token_response.envelope = Some("data");
    d.token_response.error_code_field = Some("code");
    d.token_response.error_message_field = Some("msg");
    d.token_response.success_codes = &["0"];
    d.errors = ErrorTable(&[ErrorMapping::documented("20003", ErrorKind::InvalidGrant)]);
    d.userinfo.envelope = Some("data");
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

fn body(request: &TokenRequest) -> String {
    String::from_utf8(request.body_bytes()).unwrap()
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

fn parse(
    vendor: &VendorDescription,
    response: &HttpResponse,
) -> tokenbridge_core::Result<TokenSet> {
    tokenbridge_core::parse_token_response(response, "corp", vendor)
}

fn vendor_error(error: Error) -> tokenbridge_core::VendorError {
    match error {
        Error::Vendor(v) => *v,
        other => panic!("expected a vendor error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_get_carries_the_credentials_in_the_query_under_the_vendors_names() {
    let p = provider(&QUERY_VENDOR, "https://api.example.com");
    let request = p
        .build_request(&Grant::authorization_code_without_redirect_uri("c0de"))
        .await
        .unwrap();
    assert_eq!(request.method(), Method::GET);
    assert_eq!(request.encoding(), BodyEncoding::None);
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/sns/oauth2/access_token\
         ?grant_type=authorization_code&code=c0de&appid=app+1&secret=s3cr%2Bt"
    );
    assert!(request.body_bytes().is_empty());
    assert_eq!(request.content_type(), None);
}

#[tokio::test]
async fn a_refresh_goes_to_its_own_path_without_the_secret() {
    let p = provider(&QUERY_VENDOR, "https://api.example.com");
    let request = p.build_request(&Grant::refresh_token("r-1")).await.unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/sns/oauth2/refresh_token\
         ?grant_type=refresh_token&refresh_token=r-1&appid=app+1"
    );
}

#[tokio::test]
async fn a_json_body_spells_every_parameter_the_vendors_way() {
    let p = provider(&JSON_VENDOR, "https://api.example.com");
    let request = p
        .build_request(&Grant::authorization_code_without_redirect_uri("c0de"))
        .await
        .unwrap();
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.content_type(), Some("application/json"));
    assert_eq!(
        body(&request),
        r#"{"clientId":"app 1","clientSecret":"s3cr+t","code":"c0de","grantType":"authorization_code"}"#
    );
    let refresh = p.build_request(&Grant::refresh_token("r-1")).await.unwrap();
    assert_eq!(
        body(&refresh),
        r#"{"clientId":"app 1","clientSecret":"s3cr+t","grantType":"refresh_token","refreshToken":"r-1"}"#
    );
}

#[tokio::test]
async fn the_standard_shape_changes_nothing_and_shape_headers_are_added() {
    let p = provider(&FORM_VENDOR, "https://github.example.com");
    let request = p
        .build_request(&Grant::authorization_code_without_redirect_uri("c0de"))
        .await
        .unwrap();
    assert_eq!(
        body(&request),
        "grant_type=authorization_code&code=c0de&client_id=app+1&client_secret=s3cr%2Bt"
    );
    assert_eq!(request.headers()["accept"], "application/json");
}

#[test]
fn an_error_code_with_http_200_is_a_vendor_error_classified_by_the_table() {
    let error = parse(
        &QUERY_VENDOR,
        &answer(
            200,
            "application/json",
            r#"{"errcode":40029,"errmsg":"invalid code"}"#,
        ),
    )
    .unwrap_err();
    let error = QUERY_VENDOR.errors.classify(error);
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    let v = vendor_error(error);
    assert_eq!(v.vendor(), "query-vendor");
    assert_eq!(v.api_code(), Some("40029"));
    assert_eq!(v.message(), "invalid code");
    assert_eq!(v.http_status(), 200);
    assert!(!v.is_kind_inferred());

    let busy = QUERY_VENDOR.errors.classify(
        parse(
            &QUERY_VENDOR,
            &answer(
                200,
                "application/json",
                r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#,
            ),
        )
        .unwrap_err(),
    );
    assert_eq!(busy.kind(), ErrorKind::RateLimited);
}

#[test]
fn members_without_a_standard_name_stay_in_extra() {
    let tokens = parse(
        &QUERY_VENDOR,
        &answer(
            200,
            "text/plain",
            r#"{"access_token":"at","expires_in":7200,"refresh_token":"rt","openid":"o-1","scope":"snsapi_login","unionid":"u-1"}"#,
        ),
    )
    .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at");
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.extra()["openid"], "o-1");
    assert_eq!(tokens.extra()["unionid"], "u-1");
    assert_eq!(tokens.extra().len(), 2);
}

#[test]
fn camel_case_answers_are_read_leniently() {
    let tokens = parse(
        &JSON_VENDOR,
        &answer(
            200,
            "application/json",
            r#"{"accessToken":"at","refreshToken":"rt","expireIn":"7200","corpId":"ding1","token_type":"bearer"}"#,
        ),
    )
    .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at");
    assert_eq!(tokens.refresh_token().unwrap().expose_secret(), "rt");
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.extra().keys().collect::<Vec<_>>(), ["corpId"]);
    // The same answer through the `Value` pipeline (a repeated member makes the typed parser
    // decline) keeps the same meaning for what it can read: a refusal naming the member.
    let err = parse(
        &JSON_VENDOR,
        &answer(
            400,
            "application/json",
            r#"{"code":"invalidAuthCode","message":"bad code","requestid":"r1"}"#,
        ),
    )
    .unwrap_err();
    let err = JSON_VENDOR.errors.classify(err);
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
    let v = vendor_error(err);
    assert!(v.is_kind_inferred());
    assert_eq!(v.http_status(), 400);
}

#[test]
fn form_answers_are_read_by_content_type_and_their_errors_with_200() {
    let tokens = parse(
        &FORM_VENDOR,
        &answer(
            200,
            "application/x-www-form-urlencoded; charset=utf-8",
            "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
        ),
    )
    .unwrap();
    assert_eq!(
        tokens.access_token().expose_secret(),
        "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    let json = parse(
        &FORM_VENDOR,
        &answer(
            200,
            "application/json",
            r#"{"access_token":"at","expires_in":"28800"}"#,
        ),
    )
    .unwrap();
    assert_eq!(json.expires_in(), Some(Duration::from_secs(28800)));

    let error = parse(
        &FORM_VENDOR,
        &answer(
            200,
            "application/x-www-form-urlencoded",
            "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.",
        ),
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    match error {
        Error::OAuth(p) => {
            assert_eq!(p.code().as_str(), "bad_verification_code");
            assert_eq!(
                p.description(),
                Some("The code passed is incorrect or expired.")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_envelope_holds_the_tokens_and_its_code_decides_success() {
    let tokens = parse(
        &ENVELOPE_VENDOR,
        &answer(
            200,
            "application/json",
            r#"{"code":0,"msg":"ok","data":{"access_token":"at","expire_in":3600,"union_id":"u"}}"#,
        ),
    )
    .unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at");
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
    assert_eq!(tokens.extra().keys().collect::<Vec<_>>(), ["union_id"]);

    let error = ENVELOPE_VENDOR.errors.classify(
        parse(
            &ENVELOPE_VENDOR,
            &answer(
                200,
                "application/json",
                r#"{"code":20003,"msg":"code expired","data":{}}"#,
            ),
        )
        .unwrap_err(),
    );
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    assert_eq!(vendor_error(error).api_code(), Some("20003"));

    let missing = parse(
        &ENVELOPE_VENDOR,
        &answer(200, "application/json", r#"{"code":0,"msg":"ok"}"#),
    )
    .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::UnreadableResponse);
    assert!(
        missing
            .to_string()
            .contains("no `data` member holding the tokens (nor tokens at the top)"),
        "{missing}"
    );
}

#[tokio::test]
async fn exchange_end_to_end_sends_the_shaped_request_and_reads_the_error_code() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"errcode":40029,"errmsg":"invalid code c0de-secret, rid: 1"}"#,
    ));
    let p = provider(&QUERY_VENDOR, &format!("http://{addr}"));
    let error = p
        .exchange(Grant::authorization_code_without_redirect_uri(
            "c0de-secret",
        ))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("c0de-secret"), "{shown}");
    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    assert!(
        raw.starts_with(
            "GET /sns/oauth2/access_token?grant_type=authorization_code&code=c0de-secret\
             &appid=app+1&secret=s3cr%2Bt HTTP/1.1\r\n"
        ),
        "{raw}"
    );
}

#[tokio::test]
async fn userinfo_takes_the_token_and_openid_in_the_query() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"openid":"o-1","nickname":"Ann","headimgurl":"https://img.example.com/a.png","unionid":"u-1"}"#,
    ));
    let p = provider(&QUERY_VENDOR, &format!("http://{addr}"));
    let tokens = parse(
        &QUERY_VENDOR,
        &answer(
            200,
            "application/json",
            r#"{"access_token":"at/1","openid":"o-1"}"#,
        ),
    )
    .unwrap();
    let identity = p.userinfo_with_tokens(&tokens).await.unwrap();
    assert_eq!(identity.subject, "o-1");
    assert_eq!(identity.name.as_deref(), Some("Ann"));
    assert_eq!(
        identity.picture.as_deref(),
        Some("https://img.example.com/a.png")
    );
    assert_eq!(identity.claims["unionid"], "u-1");
    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    assert!(
        raw.starts_with("GET /sns/userinfo?access_token=at%2F1&openid=o-1 HTTP/1.1\r\n"),
        "{raw}"
    );
    assert!(
        !raw.to_ascii_lowercase().contains("authorization:"),
        "{raw}"
    );

    // Without `openid` among the tokens nothing is sent and the caller is told what is missing.
    let bare = TokenSet::new("corp", "at", TokenType::Bearer);
    let error = p.userinfo_with_tokens(&bare).await.unwrap_err();
    assert!(!error.may_have_been_sent());
    assert!(error.to_string().contains("openid"), "{error}");
}

#[tokio::test]
async fn userinfo_in_a_header_of_the_vendors_own_with_camel_case_fields() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"nick":"Ann","avatarUrl":"https://img.example.com/a.png","openId":"o-1","unionId":"u-1","email":"ann@example.com"}"#,
    ));
    let p = provider(&JSON_VENDOR, &format!("http://{addr}"));
    let identity = p.userinfo(&SecretString::from("at-1")).await.unwrap();
    assert_eq!(identity.subject, "o-1");
    assert_eq!(identity.email.as_deref(), Some("ann@example.com"));
    assert_eq!(identity.claims["unionId"], "u-1");
    let raw = String::from_utf8(requests.recv().unwrap())
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        raw.starts_with("get /v1.0/contact/users/me http/1.1\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\nx-acs-dingtalk-access-token: at-1\r\n"),
        "{raw}"
    );
    assert!(!raw.contains("authorization:"), "{raw}");
}

#[tokio::test]
async fn userinfo_with_a_numeric_id_and_extra_headers() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"id":583231,"login":"octocat","email":null}"#,
    ));
    let p = provider(&FORM_VENDOR, &format!("http://{addr}"));
    let identity = p.userinfo(&SecretString::from("gho_x")).await.unwrap();
    assert_eq!(identity.subject, "583231");
    assert_eq!(identity.name.as_deref(), Some("octocat"));
    assert_eq!(identity.email, None);
    let raw = String::from_utf8(requests.recv().unwrap())
        .unwrap()
        .to_ascii_lowercase();
    assert!(raw.contains("\r\nauthorization: bearer gho_x\r\n"), "{raw}");
    assert!(
        raw.contains("\r\nuser-agent: tokenbridge-test\r\n"),
        "{raw}"
    );
    assert!(raw.contains("\r\naccept: application/json\r\n"), "{raw}");
}

#[tokio::test]
async fn userinfo_in_an_envelope_and_its_error_code() {
    let (addr, _requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"code":0,"msg":"success","data":{"open_id":"ou_1","name":"Ann","union_id":"on_1"}}"#,
    ));
    let p = provider(&ENVELOPE_VENDOR, &format!("http://{addr}"));
    let identity = p.userinfo(&SecretString::from("at")).await.unwrap();
    assert_eq!(identity.subject, "ou_1");
    assert_eq!(identity.claims["union_id"], "on_1");

    let (addr, _requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"code":20003,"msg":"token expired"}"#,
    ));
    let p = provider(&ENVELOPE_VENDOR, &format!("http://{addr}"));
    let error = p.userinfo(&SecretString::from("at")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
}

#[tokio::test]
async fn the_callback_accepts_an_alias_of_code_but_not_both() {
    let (addr, requests) = stub_reply(http_response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"accessToken":"at","expireIn":7200}"#,
    ));
    let p = Provider::builder("corp")
        .vendor(&JSON_VENDOR)
        .base_url(format!("http://{addr}"))
        .client_id("app")
        .client_secret(SecretString::from("s"))
        .redirect_uri("https://app.example.com/cb")
        .build()
        .unwrap();
    let login = p.authorization_request().build().await.unwrap();
    let state = login.pending.state().expose_secret().to_owned();
    let both = p
        .complete_login(&format!("?authCode=a&code=b&state={state}"), login.pending)
        .await
        .unwrap_err();
    assert_eq!(both.kind(), ErrorKind::InvalidCallback);
    assert!(!both.may_have_been_sent());

    let login = p.authorization_request().build().await.unwrap();
    let state = login.pending.state().expose_secret().to_owned();
    let done = p
        .complete_login(&format!("?authCode=a1&state={state}"), login.pending)
        .await
        .unwrap();
    assert_eq!(done.tokens.access_token().expose_secret(), "at");
    let raw = String::from_utf8(requests.recv().unwrap()).unwrap();
    let body = raw.split("\r\n\r\n").nth(1).unwrap();
    assert!(body.contains(r#""code":"a1""#), "{body}");
}

#[tokio::test]
async fn credentials_in_the_query_never_show_in_a_transport_error() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = provider(&QUERY_VENDOR, &format!("http://127.0.0.1:{port}"));
    let error = p
        .exchange(Grant::authorization_code_without_redirect_uri("c0de-9"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("s3cr") && !shown.contains("c0de-9"),
        "{shown}"
    );
    let tokens = TokenSet::new("corp", "at-query-1", TokenType::Bearer).with_extra(
        serde_json::Map::from_iter([("openid".to_owned(), "o".into())]),
    );
    let error = p.userinfo_with_tokens(&tokens).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("at-query-1"), "{shown}");
}

#[test]
fn a_vendors_scope_separator_splits_the_granted_scopes() {
    let comma = r#"{"access_token":"at","scope":"snsapi_login,snsapi_userinfo"}"#;
    let both = r#"{"access_token":"at","scope":"a,b c"}"#;
    for (body, expected) in [
        (comma, vec!["snsapi_login", "snsapi_userinfo"]),
        (both, vec!["a", "b", "c"]),
    ] {
        let response = answer(200, "application/json", body);
        let slow = parse(&QUERY_VENDOR, &response).unwrap();
        assert_eq!(slow.scopes().unwrap(), expected.as_slice(), "{body}");
        let fast = tokenbridge_core::parse_token_fast(&response, "corp", &QUERY_VENDOR).unwrap();
        assert_eq!(fast.scopes().unwrap(), expected.as_slice(), "{body}");
    }
    // The standard shape keeps a comma inside a scope token (RFC 6749 allows one).
    let standard = answer(200, "application/json", comma);
    let tokens = parse(&tokenbridge_core::STANDARD, &standard).unwrap();
    assert_eq!(
        tokens.scopes().unwrap(),
        ["snsapi_login,snsapi_userinfo"].as_slice()
    );
}
