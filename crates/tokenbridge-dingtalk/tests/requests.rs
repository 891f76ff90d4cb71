//! The exact requests DingTalk gets (a camelCase JSON body, the token in its own header), the
//! identity read from its answer, the `authCode` callback, and the exact errors.

use serde_json::json;
use tokenbridge_core::{
    AuthorizationRequest, ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger,
    TokenSet,
};
use tokenbridge_testkit::browser;
use tokenbridge_testkit::dingtalk::{DingTalkEmulator, DEMO_CORP_ID, DEMO_USER};
use tokenbridge_testkit::facts::dingtalk as facts;

/// The AppSecret: characters JSON escapes, so an encoding mistake shows.
const SECRET: &str = "s3cr+t \"quoted\" \\ /";
const APP: &str = "dingapp1";

async fn emulator() -> DingTalkEmulator {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    dingtalk.register_app(APP, SECRET);
    dingtalk
}

fn provider(base: &str) -> Provider {
    tokenbridge_dingtalk::builder("dingtalk")
        .base_url(base)
        .client_id(APP)
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap()
}

/// The tokens of a code exchange for the demo user with scope `openid`.
async fn signed_in(dingtalk: &DingTalkEmulator, p: &Provider) -> TokenSet {
    let code = dingtalk.issue_code(APP, DEMO_USER, "openid");
    p.exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap()
}

/// A sign-in whose callback comes back to `127.0.0.1:1/callback`, for `scopes` (none: the
/// description's default).
async fn sign_in(p: &Provider, scopes: &[&str]) -> AuthorizationRequest {
    let mut request = p
        .authorization_request()
        .redirect_uri("http://127.0.0.1:1/callback");
    if !scopes.is_empty() {
        request = request.scopes(scopes.iter().copied());
    }
    request.build().await.unwrap()
}

#[tokio::test]
async fn the_code_goes_in_a_camel_case_json_body() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let code = dingtalk.issue_code(APP, DEMO_USER, "openid corpid");
    let tokens = p
        .exchange(Grant::authorization_code(
            code.clone(),
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    let sent = dingtalk.requests_to(facts::TOKEN_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(sent[0].header("authorization"), None);
    assert_eq!(
        sent[0].json(),
        json!({
            "clientId": APP,
            "clientSecret": SECRET,
            "code": code,
            "grantType": "authorization_code",
        })
    );
    assert_eq!(tokens.expires_in().unwrap().as_secs(), facts::EXPIRES_IN);
    assert!(tokens.refresh_token().is_some());
    // corpId comes with scope `openid corpid` and stays in extra.
    assert_eq!(tokens.extra()["corpId"], DEMO_CORP_ID);
}

#[tokio::test]
async fn a_refresh_sends_the_refresh_token_with_the_secret() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let tokens = signed_in(&dingtalk, &p).await;
    assert!(tokens.extra().get("corpId").is_none());
    let refresh_token = tokens.refresh_token().unwrap().expose_secret().to_owned();
    p.exchange(Grant::refresh_token(refresh_token.clone()))
        .await
        .unwrap();
    let sent = dingtalk.requests_to(facts::TOKEN_PATH);
    assert_eq!(
        sent[1].json(),
        json!({
            "clientId": APP,
            "clientSecret": SECRET,
            "grantType": "refresh_token",
            "refreshToken": refresh_token,
        })
    );
}

#[tokio::test]
async fn userinfo_carries_the_token_in_its_own_header_and_the_open_id_is_the_subject() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let tokens = signed_in(&dingtalk, &p).await;
    let identity = p.userinfo(tokens.access_token()).await.unwrap();
    let sent = dingtalk.requests_to(facts::USERINFO_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].query, None);
    assert_eq!(
        sent[0].header(facts::TOKEN_HEADER),
        Some(tokens.access_token().expose_secret())
    );
    assert_eq!(sent[0].header("authorization"), None);
    assert_eq!(identity.subject, dingtalk.open_id(APP, DEMO_USER));
    assert_eq!(identity.name.as_deref(), Some(DEMO_USER));
    assert_eq!(identity.email.as_deref(), Some("alice@example.com"));
    assert!(identity.picture.is_some());
    assert_eq!(
        identity.claims["unionId"],
        dingtalk.union_id(DEMO_USER).as_str()
    );
}

#[tokio::test]
async fn a_sign_in_reads_the_auth_code_of_the_callback() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let request = sign_in(&p, &[]).await;
    assert_eq!(request.url.path(), facts::AUTHORIZE_PATH);
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "prompt"
        ]
    );
    assert!(query.contains(&("prompt".into(), "consent".into())));
    assert!(query.contains(&("scope".into(), "openid".into())));
    let callback = browser::open(request.url.as_str()).await.unwrap().location;
    assert!(callback.contains("authCode="), "{callback}");
    let login = p.complete_login(&callback, request.pending).await.unwrap();
    assert!(login.tokens.refresh_token().is_some());
}

#[tokio::test]
async fn a_callback_with_code_is_accepted_too() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let request = sign_in(&p, &["openid", "corpid"]).await;
    let scope: String = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(scope, "openid corpid");
    let code = dingtalk.issue_code(APP, DEMO_USER, &scope);
    let state = request.pending.state().expose_secret().to_owned();
    let callback = format!("http://127.0.0.1:1/callback?code={code}&state={state}");
    let login = p.complete_login(&callback, request.pending).await.unwrap();
    assert_eq!(login.tokens.extra()["corpId"], DEMO_CORP_ID);
}

#[tokio::test]
async fn errors_are_read_from_code_and_message_at_any_status() {
    // Every code below is inferred: DingTalk documents none for these endpoints.
    let cases = [
        (400, "invalidAuthCode", ErrorKind::InvalidGrant),
        (400, "invalidRefreshToken", ErrorKind::InvalidGrant),
        (400, "invalid.client", ErrorKind::InvalidClient),
        (400, "InvalidAuthentication", ErrorKind::InvalidToken),
        (403, "Forbidden.AccessDenied", ErrorKind::AccessDenied),
        (429, "Throttling", ErrorKind::RateLimited),
        (503, "ServiceUnavailable", ErrorKind::ProviderUnavailable),
        (200, "invalidAuthCode", ErrorKind::InvalidGrant),
    ];
    for (status, code, kind) in cases {
        let dingtalk = emulator().await;
        let p = provider(&dingtalk.base());
        dingtalk.fail_next(status, code, &format!("refused {SECRET}"));
        let error = p
            .exchange(Grant::authorization_code_without_redirect_uri(
                "c0de-secret",
            ))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), kind, "{code}: {error}");
        let vendor = error.vendor_error().expect("a vendor error");
        assert_eq!(vendor.vendor(), "dingtalk");
        assert_eq!(vendor.api_code(), Some(code));
        assert_eq!(vendor.http_status(), status);
        assert!(vendor.is_kind_inferred(), "{code}");
        assert!(vendor
            .request_id()
            .is_some_and(|id| id.starts_with("ding-req-")));
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("c0de-secret"), "{shown}");
    }
}

#[tokio::test]
async fn the_emulator_refuses_a_used_code_a_wrong_secret_and_a_bad_token() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let code = dingtalk.issue_code(APP, DEMO_USER, "openid");
    p.exchange(Grant::authorization_code_without_redirect_uri(code.clone()))
        .await
        .unwrap();
    let again = p
        .exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidGrant);
    // DingTalk documents neither the single use nor the code: the mapping says inferred.
    assert!(again.vendor_error().unwrap().is_kind_inferred());

    let wrong = tokenbridge_dingtalk::builder("dingtalk")
        .base_url(dingtalk.base())
        .client_id(APP)
        .client_secret(SecretString::from("wrong"))
        .build()
        .unwrap();
    let code = dingtalk.issue_code(APP, DEMO_USER, "openid");
    let error = wrong
        .exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidClient);

    let error = p
        .userinfo(&SecretString::from("not-a-token"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert_eq!(
        error.vendor_error().unwrap().api_code(),
        Some("InvalidAuthentication")
    );
}

#[tokio::test(start_paused = true)]
async fn an_access_token_expires_after_7200_seconds() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let tokens = signed_in(&dingtalk, &p).await;
    assert!(!tokens.is_expired(std::time::Duration::ZERO));
    tokio::time::advance(std::time::Duration::from_secs(facts::EXPIRES_IN + 1)).await;
    let error = p.userinfo(tokens.access_token()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    let renewed = p
        .exchange(Grant::refresh_token(
            tokens.refresh_token().unwrap().expose_secret(),
        ))
        .await
        .unwrap();
    p.userinfo(renewed.access_token()).await.unwrap();
}

#[tokio::test]
async fn subject_claim_makes_the_union_id_the_subject() {
    let dingtalk = emulator().await;
    let p = tokenbridge_dingtalk::builder("dingtalk")
        .base_url(dingtalk.base())
        .client_id(APP)
        .client_secret(SecretString::from(SECRET))
        .subject_claim("unionId")
        .build()
        .unwrap();
    let tokens = signed_in(&dingtalk, &p).await;
    let identity = p.userinfo(tokens.access_token()).await.unwrap();
    assert_eq!(identity.subject, dingtalk.union_id(DEMO_USER));
}

#[tokio::test]
async fn a_refused_sign_in_comes_back_as_error_and_sends_nothing() {
    let dingtalk = emulator().await;
    let p = provider(&dingtalk.base());
    let request = sign_in(&p, &[]).await;
    let state = request.pending.state().expose_secret().to_owned();
    let callback = format!("http://127.0.0.1:1/callback?error=access_denied&state={state}");
    let error = p
        .complete_login(&callback, request.pending)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::AccessDenied);
    assert!(dingtalk.requests_to(facts::TOKEN_PATH).is_empty());
}
