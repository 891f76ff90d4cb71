//! OneAccess failures produced by the emulator's own logic, mapped to the right error kind;
//! plus answers no token endpoint should give.

use tokenbridge_core::{
    Error, ErrorKind, Grant, GrantKind, Provider, SecretString, TokenExchanger,
};
use tokenbridge_testkit::any_loopback_port;
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI,
};
use tokenbridge_testkit::oidc::Reply;

async fn start(options: OneAccessOptions) -> HuaweiOneAccessEmulator {
    HuaweiOneAccessEmulator::start_with(options, any_loopback_port())
        .await
        .unwrap()
}

fn exchanger(oneaccess: &HuaweiOneAccessEmulator, id: &str, secret: &str) -> Provider {
    tokenbridge_huawei_oneaccess::builder("huawei", oneaccess.options().protocol)
        .base_url(oneaccess.base())
        .client_id(id)
        .client_secret(SecretString::from(secret))
        .build()
        .unwrap()
}

#[tokio::test]
async fn unknown_client_and_wrong_secret_are_invalid_client_at_either_status() {
    for status in [401, 400] {
        let oneaccess = start(OneAccessOptions::oidc().with_invalid_client_status(status)).await;
        for (id, secret) in [
            ("no-such-app", DEMO_CLIENT_SECRET),
            (DEMO_CLIENT_ID, "wrong-secret"),
        ] {
            let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
            let err = exchanger(&oneaccess, id, secret)
                .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
                .await
                .unwrap_err();
            let p = err.oauth_error().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(p.status(), Some(status));
            assert_eq!(p.code(), "invalid_client");
            assert_eq!(p.description(), Some("Bad client credentials"));
            assert!(err.is_invalid_client() && !err.is_retryable());
            assert!(!err.to_string().contains(secret), "{err}");
        }
    }
}

#[tokio::test]
async fn used_code_is_invalid_grant() {
    let oneaccess = start(OneAccessOptions::oidc()).await;
    let exchanger = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    exchanger
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let err = exchanger
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(!err.is_retryable());
    let p = err.oauth_error().unwrap();
    assert_eq!(
        (p.status(), p.code().as_str()),
        (Some(400), "invalid_grant")
    );
    assert_eq!(p.description(), Some("Invalid authorization code"));
    assert_eq!(p.hint(), None, "the rotation hint is for refreshes only");
    assert_eq!(oneaccess.token_requests().len(), 2, "never retried");
}

#[tokio::test]
async fn unknown_refresh_token_is_invalid_grant_despite_the_code_description() {
    let oneaccess = start(OneAccessOptions::oauth()).await;
    let err = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .exchange(Grant::refresh_token("162******412"))
        .await
        .unwrap_err();
    let p = err.oauth_error().unwrap();
    assert_eq!(p.code(), "invalid_grant");
    assert_eq!(p.description(), Some("Invalid authorization code"));
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(
        err.to_string()
            .contains("returns a new refresh token on every refresh"),
        "{err}"
    );
}

#[tokio::test]
async fn unsupported_grants_are_refused_without_a_request() {
    let oneaccess = start(OneAccessOptions::oidc()).await;
    let exchanger = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    for grant in [
        Grant::client_credentials().with_scopes(["x"]),
        Grant::extension("urn:example:ticket").with_secret_param("ticket", "t"),
    ] {
        let kind = grant.kind();
        match exchanger.exchange(grant).await.unwrap_err() {
            Error::UnsupportedGrant {
                grant, supported, ..
            } => {
                assert_eq!(grant, kind);
                assert_eq!(
                    supported,
                    [GrantKind::AuthorizationCode, GrantKind::RefreshToken]
                );
            }
            other => panic!("expected UnsupportedGrant, got {other}"),
        }
    }
    assert!(oneaccess.requests().is_empty());
}

#[tokio::test]
async fn management_error_with_http_200_is_still_an_error() {
    let oneaccess = start(OneAccessOptions::oidc()).await;
    oneaccess.push_reply(Reply::json(
        200,
        serde_json::json!({"error_code": "USER.0001", "error_msg": "user not found"}),
    ));
    let err = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .exchange(Grant::refresh_token("rt"))
        .await
        .unwrap_err();
    let v = err.vendor_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!((v.http_status(), v.status_code()), (200, 200));
    assert_eq!(v.api_code(), Some("USER.0001"));
    assert_eq!(v.message(), "user not found");
    // Not in the table: the kind follows the statuses, and says it is inferred.
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(v.is_kind_inferred());
}

#[tokio::test]
async fn documented_management_code_gets_its_kind_from_the_table() {
    let oneaccess = start(OneAccessOptions::oidc()).await;
    oneaccess.push_reply(Reply::json(
        400,
        serde_json::json!({"error_code": "PARAM.0004", "error_msg": "clientId不能为空"}),
    ));
    let err = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .exchange(Grant::refresh_token("rt"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
    let v = err.vendor_error().unwrap();
    assert!(!v.is_kind_inferred());
    assert_eq!(v.vendor(), "huawei-oneaccess");
}

#[tokio::test]
async fn odd_answers_are_typed_errors() {
    let oneaccess = start(OneAccessOptions::oidc()).await;
    let exchanger = exchanger(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let grant = || Grant::refresh_token("rt");

    for reply in [
        Reply::raw(500, "text/html", "<!DOCTYPE html><html>error</html>"),
        Reply::empty(200),
        Reply::raw(200, "application/json", "not json"),
        Reply::json(200, serde_json::json!({"token_type": "Bearer"})),
        Reply::json(
            200,
            serde_json::json!({"access_token": "at", "expires_in": "two hours"}),
        ),
        Reply::json(200, serde_json::json!("a string")),
    ] {
        let shown = format!("{:?}", reply.body);
        oneaccess.push_reply(reply);
        let err = exchanger.exchange(grant()).await.unwrap_err();
        assert!(
            matches!(err, Error::UnreadableResponse(_)),
            "{shown}: {err:?}"
        );
    }

    // A bare 401 is the client being refused, not an unreadable answer.
    oneaccess.push_reply(Reply::empty(401));
    let err = exchanger.exchange(grant()).await.unwrap_err();
    assert!(err.is_invalid_client(), "{err}");
    assert!(err.oauth_error().unwrap().is_from_status_only());
}
