//! OneAccess's documentation samples, served verbatim and parsed through the adapter:
//! <https://support.huaweicloud.com/api-oneaccess/IssueIDToken.html>,
//! <https://support.huaweicloud.com/api-oneaccess/IssueOAuthAccessToken.html> and
//! <https://support.huaweicloud.com/api-oneaccess/RenewOIDCToken.html>.

use std::time::Duration;

use tokenbridge_core::{
    Error, ErrorKind, ExposeSecret, Grant, Protocol, Provider, SecretString, TokenExchanger,
    TokenType,
};
use tokenbridge_testkit::any_loopback_port;
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
};
use tokenbridge_testkit::oidc::Reply;

const JSON: &str = "application/json;charset=UTF-8";

/// IssueIDToken, "Example 1": no refresh token, `expires_in` a number.
const ID_TOKEN_EXAMPLE_1: &str = r#"{ "access_token" : "ObU******NpD", "token_type" : "Bearer", "expires_in" : 7200, "scope" : "openid", "id_token" : "eyJ******Njg" }"#;

/// IssueIDToken, "Example 2": with a refresh token.
const ID_TOKEN_EXAMPLE_2: &str = r#"{ "access_token" : "NqMh******d3k", "token_type" : "Bearer", "expires_in" : 7200, "scope" : "openid", "refresh_token" : "5wI******anH", "id_token" : "eyJ******Njg" }"#;

/// IssueIDToken, status 400.
const ID_TOKEN_ERROR: &str =
    r#"{ "error" : "invalid_grant", "error_description" : "Invalid authorization code" }"#;

/// IssueOAuthAccessToken's example (its scope, elided in the notes as `get_u...`, written out):
/// `expires_in` a string, no id token.
const OAUTH_EXAMPLE: &str = r#"{ "access_token" : "ObU******NpD", "token_type" : "Bearer", "expires_in" : "7200", "scope" : "get_user_info" }"#;

/// RenewOIDCToken's example: a new refresh token.
const REFRESH_EXAMPLE: &str = r#"{"access_token":"270******6d5","token_type":"Bearer","expires_in":7200,"scope":"openid","refresh_token":"162******412","id_token":"eyJ******YTk"}"#;

/// RenewOIDCToken's 400 example, with the description copied from the code page.
const REFRESH_ERROR: &str =
    r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#;

/// Another OneAccess refresh page's description.
const REFRESH_ERROR_OTHER: &str =
    r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#;

/// The invalid_client pair from the API reference's "如何调用API › 返回结果" (How to call APIs › Response).
const INVALID_CLIENT: &str =
    r#"{"error":"invalid_client","error_description":"Bad client credentials"}"#;

/// The management API shape (<https://support.huaweicloud.com/api-oneaccess/ErrorCode.html>).
const MANAGEMENT_ERROR: &str = r#"{"error_code":"PARAM.0004","error_msg":"clientId不能为空"}"#;

async fn setup(protocol: Protocol) -> (HuaweiOneAccessEmulator, Provider) {
    let options = match protocol {
        Protocol::OAuth2 => OneAccessOptions::oauth(),
        _ => OneAccessOptions::oidc(),
    };
    let oneaccess = HuaweiOneAccessEmulator::start_with(options, any_loopback_port())
        .await
        .unwrap();
    let exchanger = tokenbridge_huawei_oneaccess::builder("huawei", protocol)
        .base_url(oneaccess.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    (oneaccess, exchanger)
}

fn code() -> Grant {
    Grant::authorization_code("0yV", DEMO_REDIRECT_URI)
}

#[tokio::test]
async fn id_token_example_1_without_refresh_token() {
    let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
    oneaccess.push_reply(Reply::raw(200, JSON, ID_TOKEN_EXAMPLE_1));
    let tokens = exchanger.exchange(code()).await.unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "ObU******NpD");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.scopes(), Some(&["openid".to_owned()][..]));
    assert_eq!(tokens.id_token().unwrap().expose_secret(), "eyJ******Njg");
    assert!(tokens.refresh_token().is_none());
    assert!(tokens.extra().is_empty());
}

#[tokio::test]
async fn id_token_example_2_with_refresh_token() {
    let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
    oneaccess.push_reply(Reply::raw(200, JSON, ID_TOKEN_EXAMPLE_2));
    let tokens = exchanger.exchange(code()).await.unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "NqMh******d3k");
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "5wI******anH"
    );
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
}

#[tokio::test]
async fn oauth_example_with_string_expiry() {
    let (oneaccess, exchanger) = setup(Protocol::OAuth2).await;
    oneaccess.push_reply(Reply::raw(200, JSON, OAUTH_EXAMPLE));
    let tokens = exchanger.exchange(code()).await.unwrap();
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.scopes(), Some(&["get_user_info".to_owned()][..]));
    assert!(tokens.id_token().is_none());
    assert!(tokens.refresh_token().is_none());
}

#[tokio::test]
async fn refresh_example_carries_the_new_refresh_token() {
    let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
    oneaccess.push_reply(Reply::raw(200, JSON, REFRESH_EXAMPLE));
    let tokens = exchanger
        .exchange(Grant::refresh_token("5wI******anH"))
        .await
        .unwrap();
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "162******412"
    );
    assert_eq!(tokens.access_token().expose_secret(), "270******6d5");
    assert_eq!(tokens.id_token().unwrap().expose_secret(), "eyJ******YTk");
}

fn provider_parts(err: &Error) -> (Option<u16>, &str, Option<&str>) {
    let p = err
        .oauth_error()
        .unwrap_or_else(|| panic!("expected Error::OAuth, got {err:?}"));
    (p.status(), p.code().as_str(), p.description())
}

#[tokio::test]
async fn id_token_error_example_is_invalid_grant() {
    let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
    oneaccess.push_reply(Reply::raw(400, JSON, ID_TOKEN_ERROR));
    let err = exchanger.exchange(code()).await.unwrap_err();
    assert_eq!(
        provider_parts(&err),
        (
            Some(400),
            "invalid_grant",
            Some("Invalid authorization code")
        )
    );
    assert!(err.is_invalid_grant() && !err.is_invalid_client() && !err.is_retryable());
    assert_eq!(err.oauth_error().unwrap().hint(), None);
}

#[tokio::test]
async fn refresh_error_is_classified_by_code_not_description() {
    for body in [REFRESH_ERROR, REFRESH_ERROR_OTHER] {
        let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
        oneaccess.push_reply(Reply::raw(400, JSON, body));
        let err = exchanger
            .exchange(Grant::refresh_token("162******412"))
            .await
            .unwrap_err();
        let (status, code, _) = provider_parts(&err);
        assert_eq!((status, code), (Some(400), "invalid_grant"));
        assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
        let hint = err.oauth_error().unwrap().hint().unwrap();
        assert_eq!(
            hint,
            tokenbridge_huawei_oneaccess::hooks::REFRESH_INVALID_GRANT_HINT
        );
        assert!(hint.starts_with("the refresh token was refused"), "{hint}");
    }
}

#[tokio::test]
async fn invalid_client_is_recognised_as_400_or_401() {
    for status in [400, 401] {
        let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
        oneaccess.push_reply(Reply::raw(status, JSON, INVALID_CLIENT));
        let err = exchanger.exchange(code()).await.unwrap_err();
        assert_eq!(
            provider_parts(&err),
            (
                Some(status),
                "invalid_client",
                Some("Bad client credentials")
            )
        );
        assert!(err.is_invalid_client() && !err.is_invalid_grant());
    }
}

#[tokio::test]
async fn management_error_on_the_token_path_is_a_vendor_error() {
    let (oneaccess, exchanger) = setup(Protocol::Oidc).await;
    oneaccess.push_reply(Reply::raw(400, JSON, MANAGEMENT_ERROR));
    let err = exchanger.exchange(code()).await.unwrap_err();
    let Error::Vendor(v) = &err else {
        panic!("expected Error::Vendor, got {err:?}")
    };
    assert_eq!(v.vendor(), "huawei-oneaccess");
    assert_eq!(v.http_status(), 400);
    assert_eq!(v.status_code(), 400);
    assert_eq!(v.api_code(), Some("PARAM.0004"));
    assert_eq!(v.message(), "clientId不能为空");
    assert_eq!(v.request_id(), None);
    assert_eq!(err.kind(), ErrorKind::InvalidClient);
    let shown = err.to_string();
    assert!(
        shown.contains("PARAM.0004") && shown.contains("clientId不能为空"),
        "{shown}"
    );
}
