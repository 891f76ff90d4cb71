//! The exact requests WeChat gets (method, path, query, no body), the identity read from its
//! userinfo answer, and the exact error for each documented (and inferred) `errcode`.

use std::collections::BTreeMap;

use tokenbridge_core::{
    Error, ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger, TokenSet,
};
use tokenbridge_testkit::facts::wechat as facts;
use tokenbridge_testkit::wechat::{WeChatEmulator, DEMO_USER};
use tokenbridge_testkit::{any_loopback_port, browser, EmulatorServer, RecordedRequest, Reply};

/// The AppSecret: reserved characters, so an encoding mistake shows.
const SECRET: &str = "s3cr+t/:%&=";
const APPID: &str = "wx-app 1";

async fn emulator() -> WeChatEmulator {
    let wechat = WeChatEmulator::start().await.unwrap();
    wechat.register_app(APPID, SECRET);
    wechat
}

fn provider(base: &str) -> Provider {
    tokenbridge_wechat::builder("wechat")
        .base_url(base)
        .client_id(APPID)
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap()
}

fn query(request: &RecordedRequest) -> BTreeMap<String, String> {
    request.query_pairs().into_iter().collect()
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn exchange(wechat: &WeChatEmulator, provider: &Provider) -> TokenSet {
    let code = wechat.issue_code(APPID, DEMO_USER);
    provider
        .exchange(Grant::authorization_code(
            code,
            "https://app.example.com/cb",
        ))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_code_goes_in_a_get_query_with_appid_and_secret_and_no_redirect_uri() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let code = wechat.issue_code(APPID, DEMO_USER);
    let tokens = p
        .exchange(Grant::authorization_code(
            code.clone(),
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();

    let sent = wechat.requests_to(facts::TOKEN_PATH);
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(request.method, "GET");
    assert!(request.body.is_empty());
    assert_eq!(
        query(request),
        pairs(&[
            ("appid", APPID),
            ("secret", SECRET),
            ("code", &code),
            ("grant_type", "authorization_code"),
        ])
    );
    assert_eq!(request.header("authorization"), None);

    assert_eq!(tokens.expires_in().unwrap().as_secs(), facts::EXPIRES_IN);
    assert!(tokens.refresh_token().is_some());
    assert_eq!(tokens.scopes().unwrap(), ["snsapi_login"]);
    assert_eq!(
        tokens.extra()["openid"],
        wechat.openid(APPID, DEMO_USER).as_str()
    );
    assert_eq!(
        tokens.extra()["unionid"],
        wechat.unionid(DEMO_USER).as_str()
    );
}

#[tokio::test]
async fn a_refresh_goes_to_its_own_path_without_the_secret() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let first = exchange(&wechat, &p).await;
    let refresh_token = first.refresh_token().unwrap().expose_secret().to_owned();
    let renewed = p
        .exchange(Grant::refresh_token(refresh_token.clone()))
        .await
        .unwrap();

    let sent = wechat.requests_to(facts::REFRESH_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        query(&sent[0]),
        pairs(&[
            ("appid", APPID),
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ])
    );
    // The refresh answer has no unionid [REFRESH]; openid stays.
    assert!(renewed.extra().get("unionid").is_none());
    assert_eq!(
        renewed.extra()["openid"],
        wechat.openid(APPID, DEMO_USER).as_str()
    );
    // Refreshing a live access token renews the same one [TOKEN].
    assert_eq!(
        renewed.access_token().expose_secret(),
        first.access_token().expose_secret()
    );
}

#[tokio::test]
async fn userinfo_sends_the_token_and_openid_in_the_query_and_the_openid_is_the_subject() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let tokens = exchange(&wechat, &p).await;
    let identity = p.userinfo_with_tokens(&tokens).await.unwrap();

    let sent = wechat.requests_to(facts::USERINFO_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        query(&sent[0]),
        pairs(&[
            ("access_token", tokens.access_token().expose_secret()),
            ("openid", &wechat.openid(APPID, DEMO_USER)),
        ])
    );
    assert_eq!(identity.subject, wechat.openid(APPID, DEMO_USER));
    assert_eq!(identity.name.as_deref(), Some(DEMO_USER));
    assert!(identity.picture.unwrap().starts_with("https://"));
    assert_eq!(
        identity.claims["unionid"],
        wechat.unionid(DEMO_USER).as_str()
    );
}

#[tokio::test]
async fn userinfo_without_the_openid_is_a_configuration_error_and_sends_nothing() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let error = p
        .userinfo(&SecretString::from("at-only"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("openid"), "{error}");
    assert!(wechat.requests_to(facts::USERINFO_PATH).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_access_token_expires_after_7200_seconds_and_a_refresh_renews_it() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let tokens = exchange(&wechat, &p).await;
    tokio::time::advance(std::time::Duration::from_secs(facts::EXPIRES_IN + 1)).await;
    let error = p.userinfo_with_tokens(&tokens).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert_eq!(error.vendor_error().unwrap().api_code(), Some("42001"));
    let renewed = p
        .exchange(Grant::refresh_token(
            tokens.refresh_token().unwrap().expose_secret(),
        ))
        .await
        .unwrap();
    assert_ne!(
        renewed.access_token().expose_secret(),
        tokens.access_token().expose_secret()
    );
    p.userinfo_with_tokens(&renewed).await.unwrap();
}

/// The error for `errcode`, as the exchange of a fresh code reports it.
async fn refusal(errcode: i64) -> Error {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    wechat.fail_next(errcode);
    let code = wechat.issue_code(APPID, DEMO_USER);
    p.exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_errcode_is_the_error_of_its_meaning() {
    // (errcode, kind, documented)
    let table = [
        (40029, ErrorKind::InvalidGrant, true),
        (40163, ErrorKind::InvalidGrant, false),
        (42002, ErrorKind::InvalidGrant, false),
        (40030, ErrorKind::InvalidGrant, false),
        (40013, ErrorKind::InvalidClient, true),
        (40125, ErrorKind::InvalidClient, false),
        (-1, ErrorKind::ProviderUnavailable, true),
        (45011, ErrorKind::RateLimited, true),
        (40001, ErrorKind::InvalidToken, true),
        (40014, ErrorKind::InvalidToken, true),
        (42001, ErrorKind::InvalidToken, true),
    ];
    for (errcode, kind, documented) in table {
        let error = refusal(errcode).await;
        assert_eq!(error.kind(), kind, "{errcode}: {error}");
        let vendor = error.vendor_error().expect("a vendor error");
        assert_eq!(vendor.vendor(), "wechat");
        assert_eq!(vendor.api_code(), Some(errcode.to_string().as_str()));
        assert_eq!(vendor.http_status(), 200);
        assert_eq!(vendor.is_kind_inferred(), !documented, "{errcode}");
        assert!(!vendor.message().is_empty());
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET), "{shown}");
    }
    let busy = refusal(-1).await;
    assert!(busy.is_retryable());
    assert_eq!(busy.vendor_error().unwrap().message(), "system error");
}

#[tokio::test]
async fn a_used_code_and_an_unknown_appid_are_refused_by_the_emulator_as_documented() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let code = wechat.issue_code(APPID, DEMO_USER);
    p.exchange(Grant::authorization_code_without_redirect_uri(code.clone()))
        .await
        .unwrap();
    let again = p
        .exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidGrant);
    let unknown = p
        .exchange(Grant::authorization_code_without_redirect_uri(
            "never-issued",
        ))
        .await
        .unwrap_err();
    assert_eq!(unknown.vendor_error().unwrap().api_code(), Some("40029"));
    assert_eq!(unknown.vendor_error().unwrap().message(), "invalid code");

    let stranger = tokenbridge_wechat::builder("wechat")
        .base_url(wechat.base())
        .client_id("wx-unknown")
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let code = wechat.issue_code(APPID, DEMO_USER);
    let error = stranger
        .exchange(Grant::authorization_code_without_redirect_uri(code))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidClient);
    assert_eq!(error.vendor_error().unwrap().api_code(), Some("40013"));
}

#[tokio::test]
async fn an_errcode_is_read_whatever_the_http_status() {
    let wechat = emulator().await;
    wechat.set_error_status(400);
    let error = refusal_at(&wechat, 40029).await;
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    assert_eq!(error.vendor_error().unwrap().http_status(), 400);
}

async fn refusal_at(wechat: &WeChatEmulator, errcode: i64) -> Error {
    wechat.fail_next(errcode);
    provider(&wechat.base())
        .exchange(Grant::authorization_code_without_redirect_uri("c"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_secret_the_vendor_echoes_back_never_shows() {
    let body = serde_json::json!({
        "errcode": 40125,
        "errmsg": format!("invalid appsecret {SECRET}, rid: 6500351b"),
    });
    let server = EmulatorServer::start(any_loopback_port(), move |_| {
        axum::Router::new().route(
            facts::TOKEN_PATH,
            axum::routing::get(move || {
                let body = body.clone();
                async move { Reply::json(200, body) }
            }),
        )
    })
    .await
    .unwrap();
    let error = provider(&server.base())
        .exchange(Grant::authorization_code_without_redirect_uri(
            "c0de-secret",
        ))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidClient);
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains("c0de-secret"), "{shown}");
}

#[tokio::test]
async fn a_sign_in_goes_through_the_qr_page_and_its_callback() {
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let request = p
        .authorization_request()
        .redirect_uri("http://127.0.0.1:1/callback")
        .build()
        .await
        .unwrap();
    assert_eq!(request.url.path(), facts::AUTHORIZE_PATH);
    assert_eq!(request.url.fragment(), Some(facts::AUTHORIZE_FRAGMENT));
    let names: Vec<String> = request
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(
        names,
        ["response_type", "appid", "redirect_uri", "scope", "state"]
    );
    let redirect = browser::open(request.url.as_str()).await.unwrap();
    assert_eq!(redirect.status, 303);
    let callback = redirect.location;
    let login = p.complete_login(&callback, request.pending).await.unwrap();
    assert!(login.id_token.is_none());
    assert_eq!(
        login.tokens.extra()["openid"],
        wechat.openid(APPID, DEMO_USER).as_str()
    );
    // No PKCE verifier and no redirect_uri reach the token endpoint.
    let sent = wechat.requests_to(facts::TOKEN_PATH);
    let names: Vec<String> = sent[0].query_pairs().into_iter().map(|(k, _)| k).collect();
    assert_eq!(names, ["grant_type", "code", "appid", "secret"]);
}

#[tokio::test]
async fn subject_claim_makes_the_unionid_the_subject() {
    let wechat = emulator().await;
    let p = tokenbridge_wechat::builder("wechat")
        .base_url(wechat.base())
        .client_id(APPID)
        .client_secret(SecretString::from(SECRET))
        .subject_claim("unionid")
        .build()
        .unwrap();
    let tokens = exchange(&wechat, &p).await;
    let identity = p.userinfo_with_tokens(&tokens).await.unwrap();
    assert_eq!(identity.subject, wechat.unionid(DEMO_USER));
    assert_eq!(
        identity.claims["openid"],
        wechat.openid(APPID, DEMO_USER).as_str()
    );
}

#[tokio::test]
async fn the_secret_and_code_in_the_query_never_show_in_transport_or_unreadable_errors() {
    // Nothing listens on port 1: the connection is refused.
    let refused = provider("http://127.0.0.1:1")
        .exchange(Grant::authorization_code_without_redirect_uri(
            "c0de-secret",
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Transport);
    // An HTML page instead of JSON.
    let server = EmulatorServer::start(any_loopback_port(), |_| {
        axum::Router::new().route(
            facts::TOKEN_PATH,
            axum::routing::get(|| async {
                Reply::raw(502, "text/html", "<html>bad gateway</html>")
            }),
        )
    })
    .await
    .unwrap();
    let unreadable = provider(&server.base())
        .exchange(Grant::authorization_code_without_redirect_uri(
            "c0de-secret",
        ))
        .await
        .unwrap_err();
    for error in [refused, unreadable] {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("s3cr%2Bt"), "{shown}");
        assert!(!shown.contains("c0de-secret"), "{shown}");
    }
}

#[tokio::test]
async fn the_emulator_checks_a_token_at_sns_auth() {
    let wechat = emulator().await;
    let tokens = exchange(&wechat, &provider(&wechat.base())).await;
    let client = tokenbridge_core::reqwest::Client::new();
    let check = |openid: String| {
        client
            .get(format!("{}{}", wechat.base(), facts::AUTH_PATH))
            .query(&[
                ("access_token", tokens.access_token().expose_secret()),
                ("openid", openid.as_str()),
            ])
            .send()
    };
    let valid = check(wechat.openid(APPID, DEMO_USER))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let valid: serde_json::Value = serde_json::from_str(&valid).unwrap();
    assert_eq!(valid, serde_json::json!({"errcode": 0, "errmsg": "ok"}));
    let other = check("o-someone-else".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let other: serde_json::Value = serde_json::from_str(&other).unwrap();
    assert_eq!(
        other,
        serde_json::json!({"errcode": 40003, "errmsg": "invalid openid"})
    );
}

#[tokio::test(start_paused = true)]
async fn the_refresh_token_lives_30_days_from_the_sign_in_whatever_the_refreshes() {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let wechat = emulator().await;
    let p = provider(&wechat.base());
    let tokens = exchange(&wechat, &p).await;
    let refresh_token = tokens.refresh_token().unwrap().expose_secret().to_owned();
    tokio::time::advance(29 * DAY).await;
    p.exchange(Grant::refresh_token(refresh_token.clone()))
        .await
        .unwrap();
    // Refreshing does not extend it [TOKEN].
    tokio::time::advance(2 * DAY).await;
    let error = p
        .exchange(Grant::refresh_token(refresh_token))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    // The code the emulator answers (42002) is only in copies of WeChat's old table.
    assert!(error.vendor_error().unwrap().is_kind_inferred());
}
