//! The exact requests the Feishu adapter sends and the exact errors it returns, against the
//! emulator through `base_url`.

use std::time::Duration;

use serde_json::json;
use tokenbridge_core::{
    ErrorKind, ExposeSecret, Grant, PkceVerifier, Provider, SecretString, TokenExchanger,
};
use tokenbridge_feishu::Region;
use tokenbridge_testkit::facts::feishu as facts;
use tokenbridge_testkit::feishu::{
    FeishuEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_OPEN_ID, DEMO_REDIRECT_URI,
    DEMO_UNION_ID, TOKEN_PATH, USERINFO_PATH,
};
use tokenbridge_testkit::{browser, Reply};

fn provider(feishu: &FeishuEmulator) -> Provider {
    tokenbridge_feishu::builder("feishu", Region::Feishu)
        .base_url(feishu.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri(DEMO_REDIRECT_URI)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_code_exchange_is_a_json_post_with_the_documented_members() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let verifier = PkceVerifier::generate().unwrap();
    let challenge = verifier.s256_challenge();
    let verifier_text = verifier.secret().expose_secret().to_owned();
    let code = feishu.issue_code(
        DEMO_CLIENT_ID,
        DEMO_REDIRECT_URI,
        "contact:user.email:readonly offline_access",
        Some((&challenge, "S256")),
    );
    let tokens = p
        .exchange(
            Grant::authorization_code(code.clone(), DEMO_REDIRECT_URI).with_pkce_verifier(verifier),
        )
        .await
        .unwrap();
    let sent = feishu.requests_to(TOKEN_PATH);
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.json(),
        json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": DEMO_REDIRECT_URI,
            "code_verifier": verifier_text,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        })
    );
    assert_eq!(
        tokens.expires_in(),
        Some(Duration::from_secs(facts::EXPIRES_IN))
    );
    assert!(tokens.refresh_token().is_some());
    assert_eq!(
        tokens.extra()["refresh_token_expires_in"],
        json!(facts::REFRESH_TOKEN_EXPIRES_IN)
    );
    // `code` 0 is the envelope's success, not a member of the tokens.
    assert!(!tokens.extra().contains_key("code"), "{:?}", tokens.extra());
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let code = feishu.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "", None);
    let tokens = provider(&feishu)
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    assert!(tokens.refresh_token().is_none());
}

#[tokio::test]
async fn a_refresh_sends_the_client_credentials_and_rotates_the_token() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let refresh = feishu.issue_refresh_token(DEMO_CLIENT_ID);
    let tokens = p
        .exchange(Grant::refresh_token(refresh.clone()))
        .await
        .unwrap();
    assert_eq!(
        feishu.requests_to(TOKEN_PATH)[0].json(),
        json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        })
    );
    let next = tokens.refresh_token().unwrap().expose_secret().to_owned();
    assert_ne!(next, refresh);
    // The used one is refused with 20073; the new one works.
    let again = p.exchange(Grant::refresh_token(refresh)).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidGrant);
    assert_eq!(again.vendor_error().unwrap().api_code(), Some("20073"));
    p.exchange(Grant::refresh_token(next)).await.unwrap();
}

#[tokio::test]
async fn every_documented_token_error_has_its_kind_code_message_and_status() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    for (code, status, meaning) in facts::TOKEN_ERRORS {
        feishu.fail_next_token_request(*code);
        let error = p
            .exchange(Grant::refresh_token("ur-any"))
            .await
            .unwrap_err();
        let expected = match code {
            20001 | 20063 => ErrorKind::InvalidRequest,
            20002 | 20048 | 20069 | 20070 | 20074 => ErrorKind::InvalidClient,
            20009 | 20010 | 20066 => ErrorKind::AccessDenied,
            20036 => ErrorKind::Unsupported,
            20050 | 20072 => ErrorKind::ProviderUnavailable,
            20067 | 20068 => ErrorKind::InvalidScope,
            _ => ErrorKind::InvalidGrant,
        };
        assert_eq!(error.kind(), expected, "{code}: {error}");
        let vendor = error.vendor_error().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(vendor.vendor(), "feishu");
        assert_eq!(vendor.api_code(), Some(code.to_string().as_str()));
        assert_eq!(vendor.message(), *meaning);
        assert_eq!(vendor.http_status(), *status);
        assert!(!vendor.is_kind_inferred(), "{code}");
        assert_eq!(
            error.is_retryable(),
            matches!(code, 20050 | 20072),
            "{code}"
        );
    }
}

#[tokio::test]
async fn an_echoed_secret_is_not_shown() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    feishu.script_token_reply(Reply::json(
        400,
        json!({"code": 20003, "error": "invalid_grant", "error_description": format!("code code-echoed-1 unknown for secret {DEMO_CLIENT_SECRET}")}),
    ));
    let error = p
        .exchange(Grant::authorization_code(
            "code-echoed-1",
            DEMO_REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("code-echoed-1"), "{shown}");
        assert!(!shown.contains(DEMO_CLIENT_SECRET), "{shown}");
    }
}

#[tokio::test]
async fn userinfo_reads_the_envelope_with_open_id_as_the_subject() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let token = feishu.issue_access_token();
    let identity = p
        .userinfo(&SecretString::from(token.clone()))
        .await
        .unwrap();
    let sent = feishu.requests_to(USERINFO_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(sent[0].query, None);
    assert_eq!(identity.subject, DEMO_OPEN_ID);
    assert_eq!(identity.name.as_deref(), Some("张三"));
    assert_eq!(identity.email.as_deref(), Some("zhangsan@example.com"));
    assert_eq!(identity.phone_number.as_deref(), Some("+86130002883xx"));
    assert_eq!(
        identity.picture.as_deref(),
        Some("https://example.feishu.cn/avatar/640.jpg")
    );
    // The cross-application id stays a claim.
    assert_eq!(identity.claims["union_id"], DEMO_UNION_ID);
    assert_eq!(identity.claims["en_name"], "Zhang San");
}

#[tokio::test]
async fn a_refused_userinfo_token_is_invalid_token_with_the_msg() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let error = provider(&feishu)
        .userinfo(&SecretString::from("u-never-issued"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    let vendor = error.vendor_error().unwrap();
    assert_eq!(vendor.api_code(), Some("99991668"));
    assert!(
        vendor.message().starts_with("Invalid access token"),
        "{vendor:?}"
    );
    assert!(!error.to_string().contains("u-never-issued"));
}

#[tokio::test]
async fn the_authorize_url_is_on_the_accounts_host_with_s256() {
    let p = tokenbridge_feishu::builder("feishu", Region::Feishu)
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri("https://app.example.com/cb")
        .build()
        .unwrap();
    let login = p.authorization_request().build().await.unwrap();
    let url = &login.url;
    assert_eq!(
        url.as_str().split('?').next(),
        Some("https://accounts.feishu.cn/open-apis/authen/v1/authorize")
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("client_id"), Some(DEMO_CLIENT_ID));
    assert_eq!(get("redirect_uri"), Some("https://app.example.com/cb"));
    assert_eq!(get("code_challenge_method"), Some("S256"));
    // No default scope and no nonce: this is OAuth 2.0, not OpenID Connect.
    assert_eq!(get("scope"), None);
    assert_eq!(get("nonce"), None);
    assert_eq!(
        p.token_endpoint().await.unwrap().as_str(),
        "https://open.feishu.cn/open-apis/authen/v2/oauth/token"
    );
    let lark = tokenbridge_feishu::builder("lark", Region::Lark)
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    assert_eq!(
        lark.token_endpoint().await.unwrap().as_str(),
        "https://open.larksuite.com/open-apis/authen/v2/oauth/token"
    );
}

#[tokio::test]
async fn a_sign_in_through_the_emulator_ends_with_the_identity() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let login = p
        .authorization_request()
        .scopes(["offline_access"])
        .build()
        .await
        .unwrap();
    let callback = browser::open(login.url.as_str()).await.unwrap().location;
    let completed = p.complete_login(&callback, login.pending).await.unwrap();
    assert!(completed.tokens.refresh_token().is_some());
    let identity = p.userinfo_with_tokens(&completed.tokens).await.unwrap();
    assert_eq!(identity.subject, DEMO_OPEN_ID);
    let exchange = &feishu.requests_to(TOKEN_PATH)[0];
    assert!(exchange.json()["code_verifier"].is_string(), "{exchange:?}");
}

#[tokio::test(start_paused = true)]
async fn a_code_older_than_five_minutes_is_expired() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let code = feishu.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "", None);
    tokio::time::advance(Duration::from_secs(301)).await;
    let error = p
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    assert_eq!(error.vendor_error().unwrap().api_code(), Some("20004"));
    let fresh = feishu.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "", None);
    tokio::time::advance(Duration::from_secs(299)).await;
    p.exchange(Grant::authorization_code(fresh, DEMO_REDIRECT_URI))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_plain_challenge_is_feishus_default_method() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = provider(&feishu);
    let verifier = PkceVerifier::generate().unwrap();
    let plain = verifier.secret().expose_secret().to_owned();
    let code = feishu.issue_code(
        DEMO_CLIENT_ID,
        DEMO_REDIRECT_URI,
        "",
        Some((&plain, "plain")),
    );
    p.exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI).with_pkce_verifier(verifier))
        .await
        .unwrap();
    let code = feishu.issue_code(
        DEMO_CLIENT_ID,
        DEMO_REDIRECT_URI,
        "",
        Some((&plain, "plain")),
    );
    let error = p
        .exchange(
            Grant::authorization_code(code, DEMO_REDIRECT_URI)
                .with_pkce_verifier(PkceVerifier::generate().unwrap()),
        )
        .await
        .unwrap_err();
    assert_eq!(error.vendor_error().unwrap().api_code(), Some("20049"));
}

#[tokio::test]
async fn subject_claim_can_name_the_union_id() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let p = tokenbridge_feishu::builder("feishu", Region::Feishu)
        .base_url(feishu.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .subject_claim("union_id")
        .build()
        .unwrap();
    let identity = p
        .userinfo(&SecretString::from(feishu.issue_access_token()))
        .await
        .unwrap();
    assert_eq!(identity.subject, DEMO_UNION_ID);
    assert_eq!(identity.claims["open_id"], DEMO_OPEN_ID);
}
