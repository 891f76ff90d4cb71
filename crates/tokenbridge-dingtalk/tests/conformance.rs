//! The shared conformance checks against the DingTalk emulator, through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
use tokenbridge_testkit::dingtalk::DingTalkEmulator;
use tokenbridge_testkit::{run_all, Report};

/// The AppSecret: JSON-escaped characters and reserved ones, so an encoding mistake shows.
const SECRET: &str = "conformance \"secret\"+/:%";

#[tokio::test]
async fn dingtalk_passes_the_conformance_checks() {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    dingtalk.register_app("ding-conformance", SECRET);
    let provider = tokenbridge_dingtalk::builder("dingtalk")
        .base_url(dingtalk.base())
        .client_id("ding-conformance")
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let report = run_all(exchanger, &dingtalk.target("ding-conformance"))
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    // No PKCE and no extension grant are documented.
    assert_eq!(
        report,
        Report::all_passed_but(&["pkce", "one_time_extension"])
    );
}

#[tokio::test]
async fn an_adapter_with_a_wrong_path_fails_conformance() {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    let mut wrong = tokenbridge_dingtalk::DESCRIPTION;
    wrong.paths.token = Some("https://api.dingtalk.com/v1.0/oauth2/accessToken");
    let provider = tokenbridge_core::Provider::builder("dingtalk")
        .vendor(Box::leak(Box::new(wrong)))
        .base_url(dingtalk.base())
        .client_id(tokenbridge_testkit::dingtalk::DEMO_CLIENT_ID)
        .client_secret(SecretString::from(
            tokenbridge_testkit::dingtalk::DEMO_CLIENT_SECRET,
        ))
        .build()
        .unwrap();
    let failure = run_all(Arc::new(provider), &dingtalk.target("demo-app"))
        .await
        .unwrap_err();
    assert_eq!(failure.check, "code_exchange", "{failure}");
}
