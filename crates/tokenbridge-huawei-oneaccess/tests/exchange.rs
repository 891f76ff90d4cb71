//! Code and refresh exchanges against the OneAccess emulator in both protocols and with both
//! forms of `expires_in`, asserting the exact request sent and the tokens returned.

use std::time::Duration;

use tokenbridge_core::{
    AuthMethod, Error, ExposeSecret, Grant, HttpClient, Protocol, Provider, SecretString,
    TokenExchanger, TokenType,
};
use tokenbridge_testkit::any_loopback_port;
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_REDIRECT_URI, DISCOVERY_PATH,
};
use tokenbridge_testkit::oidc::ClientRegistration;
use tokenbridge_testkit::oidc::ExpiryStyle;
use tokenbridge_testkit::server::RecordedRequest;

const REDIRECT_ENCODED: &str = "http%3A%2F%2F127.0.0.1%2Fcallback";

fn provider(oneaccess: &HuaweiOneAccessEmulator, id: &str, secret: &str) -> Provider {
    tokenbridge_huawei_oneaccess::builder("huawei", oneaccess.options().protocol)
        .base_url(oneaccess.base())
        .client_id(id)
        .client_secret(SecretString::from(secret))
        .build()
        .unwrap()
}

async fn setup(options: OneAccessOptions) -> (HuaweiOneAccessEmulator, Provider) {
    let oneaccess = HuaweiOneAccessEmulator::start_with(options, any_loopback_port())
        .await
        .unwrap();
    let exchanger = provider(&oneaccess, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    (oneaccess, exchanger)
}

fn only_token_request(oneaccess: &HuaweiOneAccessEmulator) -> RecordedRequest {
    let requests = oneaccess.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = requests.into_iter().next().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/v1/oauth2/token");
    assert_eq!(r.query, None);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("authorization"), None, "client_secret_post only");
    r
}

#[tokio::test]
async fn oidc_code_with_numeric_expiry() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let tokens = exchanger
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}\
             &client_id=demo-app&client_secret=demo-secret"
        )
    );
    assert_eq!(tokens.provider_id(), "huawei");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert_eq!(tokens.scopes(), Some(&["openid".to_owned()][..]));
    assert!(tokens.id_token().is_some());
    assert!(
        tokens.refresh_token().is_none(),
        "no refresh token unless the application enables one"
    );
    assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());
}

#[tokio::test]
async fn string_and_number_expiry_give_the_same_lifetime() {
    for style in [ExpiryStyle::Number, ExpiryStyle::String] {
        for options in [OneAccessOptions::oidc(), OneAccessOptions::oauth()] {
            let options = options.with_expiry_style(style.clone());
            let (oneaccess, exchanger) = setup(options.clone()).await;
            let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
            let tokens = exchanger
                .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
                .await
                .unwrap();
            assert_eq!(
                tokens.expires_in(),
                Some(Duration::from_secs(7200)),
                "{options:?}"
            );
            let sent = only_token_request(&oneaccess);
            assert_eq!(sent.form_param("code").as_deref(), Some(code.as_str()));
        }
    }
}

#[tokio::test]
async fn oauth_code_without_redirect_uri_and_no_id_token() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let tokens = exchanger
        .exchange(Grant::authorization_code_without_redirect_uri(code.clone()))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!("grant_type=authorization_code&code={code}&client_id=demo-app&client_secret=demo-secret")
    );
    assert_eq!(tokens.scopes(), Some(&["get_user_info".to_owned()][..]));
    assert!(tokens.id_token().is_none());
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    // Opaque, not a JWT.
    assert!(!tokens.access_token().expose_secret().contains('.'));
}

#[tokio::test]
async fn oauth_code_with_redirect_uri_must_match() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let err = exchanger
        .exchange(Grant::authorization_code(
            code,
            "http://127.0.0.1/elsewhere",
        ))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant(), "{err}");
}

#[tokio::test]
async fn oidc_code_without_redirect_uri_is_refused_before_sending() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let err = exchanger
        .exchange(Grant::authorization_code_without_redirect_uri(code.clone()))
        .await
        .unwrap_err();
    match &err {
        Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("redirect_uri"));
            assert!(
                message.starts_with("Huawei Cloud OneAccess requires redirect_uri"),
                "{message}"
            );
            assert!(!message.contains(&code), "{message}");
        }
        other => panic!("expected a configuration error, got {other}"),
    }
    assert!(!err.may_have_been_sent());
    let blank = exchanger
        .exchange(Grant::authorization_code(code.as_str(), " "))
        .await
        .unwrap_err();
    assert!(matches!(&blank, Error::Config { key: Some(k), .. } if k == "redirect_uri"));
    assert!(oneaccess.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn refresh_rotates_and_the_token_set_carries_the_new_one() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc().with_refresh_tokens(true)).await;
    let code = oneaccess.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI);
    let first = exchanger
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let rt1 = first.refresh_token().unwrap().expose_secret().to_owned();
    oneaccess.clear_requests();

    let second = exchanger
        .exchange(Grant::refresh_token(&rt1))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!("grant_type=refresh_token&refresh_token={rt1}&client_id=demo-app&client_secret=demo-secret")
    );
    let rt2 = second.refresh_token().unwrap().expose_secret().to_owned();
    assert_ne!(rt1, rt2, "OneAccess rotates refresh tokens");
    assert!(second.id_token().is_some());
    assert_eq!(second.expires_in(), Some(Duration::from_secs(7200)));

    // The new one works. Whether the old one stops working is not documented (the refresh
    // example only shows a new value), so it is not asserted.
    let third = exchanger
        .exchange(Grant::refresh_token(&rt2))
        .await
        .unwrap();
    assert!(third.refresh_token().is_some());
}

#[tokio::test]
async fn oauth_refresh() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oauth()).await;
    let rt = oneaccess.issue_refresh_token(DEMO_CLIENT_ID);
    let tokens = exchanger.exchange(Grant::refresh_token(&rt)).await.unwrap();
    assert_eq!(tokens.scopes(), Some(&["get_user_info".to_owned()][..]));
    assert!(tokens.id_token().is_none());
    assert_ne!(tokens.refresh_token().unwrap().expose_secret(), rt);
}

#[tokio::test]
async fn discovery_is_read_from_the_oneaccess_path() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let metadata = exchanger.metadata().await.unwrap().unwrap();
    assert_eq!(
        metadata.token_endpoint,
        exchanger.token_endpoint().await.unwrap().as_str()
    );
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported,
        Some(vec!["client_secret_post".to_owned()])
    );
    assert!(metadata.jwks_uri.is_some());
    let requests = oneaccess.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        "/api/v1/oauth2/.well-known/openid-configuration"
    );
    // The advertised JWKS is served.
    let jwks = tokenbridge_core::Jwks::fetch(
        &HttpClient::default(),
        tokenbridge_core::Url::parse(metadata.jwks_uri.as_deref().unwrap()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(jwks.keys.len(), 1);
}

#[tokio::test]
async fn jwks_comes_from_discovery() {
    let (oneaccess, exchanger) = setup(OneAccessOptions::oidc()).await;
    let jwks = exchanger.jwks().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let paths: Vec<_> = oneaccess.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/oauth2/.well-known/openid-configuration",
            "/api/v1/oauth2/jwks"
        ]
    );
}

#[tokio::test]
async fn the_protocol_chooses_the_description() {
    let (_oneaccess, oauth) = setup(OneAccessOptions::oauth()).await;
    assert!(std::ptr::eq(
        oauth.vendor(),
        &tokenbridge_huawei_oneaccess::OAUTH
    ));
    assert!(!oauth.vendor().redirect_uri_required);
    let (_oneaccess, oidc) = setup(OneAccessOptions::oidc()).await;
    assert!(std::ptr::eq(
        oidc.vendor(),
        &tokenbridge_huawei_oneaccess::OIDC
    ));
    assert!(oidc.vendor().redirect_uri_required);
    assert!(std::ptr::eq(
        tokenbridge_huawei_oneaccess::description(Protocol::OAuth2),
        &tokenbridge_huawei_oneaccess::OAUTH
    ));
}

#[tokio::test]
async fn capabilities_say_what_the_description_and_discovery_give() {
    for options in [OneAccessOptions::oidc(), OneAccessOptions::oauth()] {
        let (oneaccess, exchanger) = setup(options).await;
        let endpoints = exchanger.endpoints().await.unwrap();
        assert_eq!(endpoints.revocation, None);
        assert_eq!(
            endpoints.userinfo.as_ref().map(|u| u.path()),
            Some("/api/v1/oauth2/userinfo")
        );
        assert_eq!(
            endpoints.end_session.as_ref().map(|u| u.path()),
            Some("/api/v1/logout")
        );
        assert!(
            oneaccess.requests().is_empty(),
            "the documented endpoints need no request"
        );
        // The authorize endpoint and the JWKS come from discovery, which sign-in and
        // ID-token checks read: capabilities() looks them up there.
        let caps = exchanger.capabilities().await.unwrap();
        assert!(!caps.revocation, "OneAccess documents no revocation");
        assert!(caps.userinfo && caps.end_session);
        assert!(caps.authorization && caps.jwks, "{caps:?}");
        let paths: Vec<String> = oneaccess.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, [DISCOVERY_PATH], "one discovery request");
    }
}

#[tokio::test]
async fn credentials_with_reserved_characters_are_form_encoded() {
    let (oneaccess, _) = setup(OneAccessOptions::oidc()).await;
    oneaccess.register_client(ClientRegistration::confidential(
        "one:access+1% x",
        "s3cret+/:x y%",
        AuthMethod::ClientSecretPost,
    ));
    let code = oneaccess.issue_code("one:access+1% x", DEMO_REDIRECT_URI);
    provider(&oneaccess, "one:access+1% x", "s3cret+/:x y%")
        .exchange(Grant::authorization_code(&code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let r = only_token_request(&oneaccess);
    assert_eq!(
        r.body_text(),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_ENCODED}\
             &client_id=one%3Aaccess%2B1%25+x&client_secret=s3cret%2B%2F%3Ax+y%25"
        )
    );
}

#[test]
fn only_client_secret_post_is_accepted() {
    for (method, secret) in [
        (AuthMethod::ClientSecretBasic, Some("s")),
        (AuthMethod::None, None),
    ] {
        let mut builder = tokenbridge_huawei_oneaccess::builder("huawei", Protocol::Oidc)
            .base_url("https://example.huaweioneaccess.com")
            .client_id("app")
            .auth_method(method);
        if let Some(secret) = secret {
            builder = builder.client_secret(SecretString::from(secret));
        }
        match builder.build() {
            Err(Error::Config { key, message }) => {
                assert_eq!(key.as_deref(), Some("auth_method"));
                assert!(
                    message.contains("documents only client_secret_post"),
                    "{message}"
                );
            }
            other => panic!("{method}: expected a configuration error, got {other:?}"),
        }
    }
}
