//! The shared conformance checks, against the Tencent CIAM emulator, once per auth method.

use std::sync::Arc;

use tokenbridge_core::{AuthMethod, SecretString, TokenExchanger};
use tokenbridge_testkit::oidc::ClientRegistration;
use tokenbridge_testkit::tencent_ciam::TencentCiamEmulator;
use tokenbridge_testkit::{run_all, Report};

/// The client's secret: reserved characters, so a Basic encoding mistake shows.
const SECRET: &str = "conformance secret+/:%";

async fn run(method: AuthMethod) -> tokenbridge_testkit::Report {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let mut builder = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(ciam.base())
        .client_id("conformance-app")
        .auth_method(method);
    if method == AuthMethod::None {
        ciam.register_client(ClientRegistration::public("conformance-app"));
    } else {
        ciam.register_client(ClientRegistration::confidential(
            "conformance-app",
            SECRET,
            method,
        ));
        builder = builder.client_secret(SecretString::from(SECRET));
    }
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(builder.build().unwrap());
    // Tencent refuses a public app's code without PKCE, so every code the checks exchange
    // carries a challenge and is sent with its verifier.
    // Tencent documents PKCE for public apps only, so a confidential app's code is not
    // checked with a verifier; its refresh page requires client_secret and says nothing of
    // public apps, so a public app's refresh is not checked.
    let mut target = ciam.target("conformance-app");
    if method == AuthMethod::None {
        target = target.with_pkce().without_refresh_check();
    } else {
        target = target.without_pkce_check();
    }
    let report = run_all(exchanger, &target)
        .await
        .unwrap_or_else(|failure| panic!("{method}: {failure}"));
    if method == AuthMethod::None {
        let codes: Vec<_> = ciam
            .token_requests()
            .into_iter()
            .filter(|r| r.form_param("grant_type").as_deref() == Some("authorization_code"))
            .collect();
        assert!(!codes.is_empty());
        for request in codes {
            assert!(
                request.form_param("code_verifier").is_some(),
                "a public app's code went without PKCE: {request:?}"
            );
        }
    }
    report
}

#[tokio::test]
async fn client_secret_post() {
    let report = run(AuthMethod::ClientSecretPost).await;
    assert_eq!(
        report,
        Report::all_passed_but(&["pkce", "one_time_extension"])
    );
}

#[tokio::test]
async fn client_secret_basic() {
    let report = run(AuthMethod::ClientSecretBasic).await;
    assert_eq!(
        report,
        Report::all_passed_but(&["pkce", "one_time_extension"])
    );
}

#[tokio::test]
async fn public_app_with_pkce() {
    let report = run(AuthMethod::None).await;
    assert_eq!(
        report,
        Report::all_passed_but(&["refresh", "bad_refresh_token", "one_time_extension"])
    );
}

#[tokio::test]
async fn an_adapter_with_a_wrong_path_fails_conformance() {
    // The emulator serves Tencent's documented paths, written out in the testkit from
    // Tencent's pages, not read from this crate: a description with a wrong token path is
    // caught instead of being served back what it asks for.
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let mut wrong = tokenbridge_tencent_ciam::DESCRIPTION;
    wrong.paths.token = Some("/oauth2/access_token");
    let provider = tokenbridge_core::Provider::builder("tencent")
        .vendor(Box::leak(Box::new(wrong)))
        .base_url(ciam.base())
        .client_id(tokenbridge_testkit::tencent_ciam::DEMO_CLIENT_ID)
        .client_secret(SecretString::from(
            tokenbridge_testkit::tencent_ciam::DEMO_CLIENT_SECRET,
        ))
        .build()
        .unwrap();
    let failure = run_all(Arc::new(provider), &ciam.target("demo-app"))
        .await
        .unwrap_err();
    assert_eq!(failure.check, "code_exchange", "{failure}");
    assert_eq!(
        ciam.token_requests().len(),
        0,
        "nothing reached the documented path"
    );
}
