//! The shared conformance checks against the Google emulator, reached through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{AuthMethod, SecretString, TokenExchanger};
use tokenbridge_google::GoogleSettings;
use tokenbridge_testkit::google::{
    GoogleEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID,
};
use tokenbridge_testkit::{run_all, Report};

fn settings(base: String) -> GoogleSettings {
    let mut s = GoogleSettings::default();
    s.base_url = Some(base);
    s
}

#[tokio::test]
async fn a_web_client_passes() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = tokenbridge_google::builder("google", &settings(google.base()))
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let report = run_all(exchanger, &google.target(DEMO_CLIENT_ID))
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(report, Report::all_passed_but(&["one_time_extension"]));
    assert!(google
        .token_requests()
        .iter()
        .all(|r| r.path == "/token" && r.form_param("client_secret").is_some()));
}

#[tokio::test]
async fn a_client_without_a_secret_passes_with_pkce() {
    let google = GoogleEmulator::start().await.unwrap();
    let provider = tokenbridge_google::builder("google", &settings(google.base()))
        .client_id(DEMO_PUBLIC_CLIENT_ID)
        .auth_method(AuthMethod::None)
        .build()
        .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let target = google.target(DEMO_PUBLIC_CLIENT_ID).with_pkce();
    let report = run_all(exchanger, &target)
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(report.passed.contains(&"pkce"), "{report:?}");
    assert!(report.passed.contains(&"code_exchange"), "{report:?}");
}

#[tokio::test]
async fn an_adapter_with_a_wrong_path_fails_conformance() {
    // The emulator serves Google's documented paths, written out in the testkit from Google's
    // pages, not read from this crate.
    let google = GoogleEmulator::start().await.unwrap();
    let mut wrong = tokenbridge_google::DESCRIPTION;
    wrong.paths.token = Some("https://oauth2.googleapis.com/oauth2/v4/token");
    let provider = tokenbridge_core::Provider::builder("google")
        .vendor(Box::leak(Box::new(wrong)))
        .base_url(google.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    let failure = run_all(Arc::new(provider), &google.target(DEMO_CLIENT_ID))
        .await
        .unwrap_err();
    assert_eq!(failure.check, "code_exchange", "{failure}");
    assert_eq!(google.token_requests().len(), 0);
}
