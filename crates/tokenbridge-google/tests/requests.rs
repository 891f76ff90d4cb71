//! The exact requests sent to Google (through `base_url` on the emulator), the sign-in with
//! `offline` and `hosted_domain`, both issuer spellings, and the exact errors returned.

use serde_json::json;
use tokenbridge_core::{
    Error, ErrorKind, Grant, LogoutRequest, Provider, SecretString, TokenExchanger, TokenTypeHint,
    VerifyOptions,
};
use tokenbridge_google::GoogleSettings;
use tokenbridge_testkit::google::{
    GoogleEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_HOSTED_DOMAIN, DEMO_SUBJECT,
};
use tokenbridge_testkit::{browser, Reply};

const REDIRECT: &str = "http://127.0.0.1/callback";
/// A code as Google writes them, for refusals that echo it.
const CODE: &str = "4/0AeanS0b-code-that-was-refused";

fn provider(google: &GoogleEmulator, offline: bool, hd: Option<&str>) -> Provider {
    let mut settings = GoogleSettings::new(offline, hd.map(str::to_owned));
    settings.base_url = Some(google.base());
    tokenbridge_google::builder("google", &settings)
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri(REDIRECT)
        .build()
        .unwrap()
}

/// Follows the authorize URL as a browser would, returning the callback URL.
async fn authorize(url: &str) -> String {
    let redirect = browser::open(url).await.unwrap();
    assert_eq!(redirect.status, 302);
    redirect.location
}

fn query(url: &tokenbridge_core::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn the_code_exchange_is_one_form_post_to_the_token_endpoint() {
    let google = GoogleEmulator::start().await.unwrap();
    let code = google.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let tokens = provider(&google, false, None)
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap();
    assert!(tokens.id_token().is_some());
    let requests = google.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/token"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("authorization"), None);
    let mut form = r.form();
    form.sort();
    let mut expected = vec![
        ("client_id".to_owned(), DEMO_CLIENT_ID.to_owned()),
        ("client_secret".to_owned(), DEMO_CLIENT_SECRET.to_owned()),
        ("code".to_owned(), code),
        ("grant_type".to_owned(), "authorization_code".to_owned()),
        ("redirect_uri".to_owned(), REDIRECT.to_owned()),
    ];
    expected.sort();
    assert_eq!(form, expected);
}

#[tokio::test]
async fn offline_asks_for_a_refresh_token_and_hd_is_sent_and_checked() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, true, Some(DEMO_HOSTED_DOMAIN));
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(request.url.path(), "/o/oauth2/v2/auth");
    assert_eq!(
        query(&request.url, "access_type").as_deref(),
        Some("offline")
    );
    assert_eq!(query(&request.url, "prompt").as_deref(), Some("consent"));
    assert_eq!(
        query(&request.url, "hd").as_deref(),
        Some(DEMO_HOSTED_DOMAIN)
    );
    assert_eq!(
        query(&request.url, "scope").as_deref(),
        Some("openid email profile")
    );
    let callback = authorize(request.url.as_str()).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_some());
    let identity = login.identity().unwrap();
    assert_eq!(identity.subject, DEMO_SUBJECT);
    assert_eq!(identity.claims["hd"], DEMO_HOSTED_DOMAIN);
    assert_eq!(login.id_token.unwrap().issuer, google.issuer());
}

#[tokio::test]
async fn without_offline_no_refresh_token_comes() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, None);
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(query(&request.url, "access_type"), None);
    assert_eq!(query(&request.url, "hd"), None);
    let callback = authorize(request.url.as_str()).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_none());
}

#[tokio::test]
async fn another_hosted_domain_is_refused_with_a_typed_error() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, Some("corp.example"));
    let request = provider.authorization_request().build().await.unwrap();
    let callback = authorize(request.url.as_str()).await;
    let err = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidToken);
    let Error::IdToken(id) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(id.check(), "claim");
    assert_eq!(
        err.to_string(),
        "ID token refused (claim hd): expected \"corp.example\", the token says \"example.com\""
    );
}

#[tokio::test]
async fn both_issuer_spellings_verify_and_no_other() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, None);
    let claims = |iss: &str| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({"iss": iss, "sub": DEMO_SUBJECT, "aud": DEMO_CLIENT_ID, "iat": now, "exp": now + 600})
    };
    for iss in [google.issuer().to_owned(), google.legacy_issuer()] {
        let token = google
            .provider()
            .sign_id_token(DEMO_CLIENT_ID, &claims(&iss));
        let verified = provider
            .verify_id_token(&token, VerifyOptions::new())
            .await
            .unwrap();
        assert_eq!(verified.issuer, iss);
    }
    let token = google
        .provider()
        .sign_id_token(DEMO_CLIENT_ID, &claims("https://accounts.example.com"));
    let err = provider
        .verify_id_token(&token, VerifyOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidToken);
}

#[tokio::test]
async fn refresh_keeps_the_refresh_token_the_answer_omits() {
    let google = GoogleEmulator::start().await.unwrap();
    let rt = google.issue_refresh_token(DEMO_CLIENT_ID, "openid email");
    let tokens = provider(&google, false, None)
        .exchange(Grant::refresh_token(&rt))
        .await
        .unwrap();
    assert!(tokens.refresh_token().is_none(), "Google's answer has none");
    let r = &google.requests()[0];
    assert_eq!(r.form_param("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(r.form_param("refresh_token").as_deref(), Some(rt.as_str()));
}

#[tokio::test]
async fn revocation_posts_the_token_and_an_unknown_one_is_refused() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, None);
    let rt = google.issue_refresh_token(DEMO_CLIENT_ID, "openid");
    provider
        .revoke(
            &SecretString::from(rt.clone()),
            Some(TokenTypeHint::RefreshToken),
        )
        .await
        .unwrap();
    let r = &google.requests()[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/revoke"));
    assert_eq!(r.form_param("token").as_deref(), Some(rt.as_str()));
    assert_eq!(google.provider().revoked(), [rt]);
    let err = provider
        .revoke(&SecretString::from("never-issued"), None)
        .await
        .unwrap_err();
    let Error::OAuth(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.status(), e.code().as_str()),
        (Some(400), "invalid_token")
    );
}

#[tokio::test]
async fn userinfo_gives_the_sub_as_subject() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, None);
    let token = google.provider().issue_access_token(DEMO_CLIENT_ID);
    let identity = provider
        .userinfo(&SecretString::from(token.clone()))
        .await
        .unwrap();
    assert_eq!(identity.subject, DEMO_SUBJECT);
    assert_eq!(identity.email.as_deref(), Some("demo@example.com"));
    let r = &google.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/v1/userinfo")
    );
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
}

#[tokio::test]
async fn logout_is_not_offered() {
    let google = GoogleEmulator::start().await.unwrap();
    let err = provider(&google, false, None)
        .logout_url(LogoutRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(google.requests().iter().all(|r| r.path != "/logout"));
}

#[tokio::test]
async fn each_documented_refusal_has_its_kind_and_no_secret_shows() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = provider(&google, false, None);
    let cases = [
        (400, "invalid_grant", ErrorKind::InvalidGrant),
        (401, "invalid_client", ErrorKind::InvalidClient),
        (400, "invalid_request", ErrorKind::InvalidRequest),
        (400, "deleted_client", ErrorKind::InvalidClient),
        (400, "redirect_uri_mismatch", ErrorKind::InvalidClient),
        (400, "admin_policy_enforced", ErrorKind::AccessDenied),
    ];
    for (status, code, kind) in cases {
        google.push_reply(Reply::json(
            status,
            json!({"error": code, "error_description": format!("bad {DEMO_CLIENT_SECRET} {CODE}")}),
        ));
        let err = provider
            .exchange(Grant::authorization_code(CODE, REDIRECT))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        let Error::OAuth(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((e.status(), e.code().as_str()), (Some(status), code));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(DEMO_CLIENT_SECRET), "{shown}");
        assert!(!shown.contains(CODE), "{shown}");
    }
}
