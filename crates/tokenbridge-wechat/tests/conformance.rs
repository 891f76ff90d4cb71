//! The shared conformance checks against the WeChat emulator, through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
use tokenbridge_testkit::wechat::WeChatEmulator;
use tokenbridge_testkit::{run_all, Report};

/// The AppSecret: reserved characters, so a query encoding mistake shows.
const SECRET: &str = "conformance secret+/:%";

#[tokio::test]
async fn wechat_passes_the_conformance_checks() {
    let wechat = WeChatEmulator::start().await.unwrap();
    wechat.register_app("wx-conformance", SECRET);
    let provider = tokenbridge_wechat::builder("wechat")
        .base_url(wechat.base())
        .client_id("wx-conformance")
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let report = run_all(exchanger, &wechat.target("wx-conformance"))
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
    // The emulator serves WeChat's documented paths, written out in the testkit from
    // WeChat's pages: a description with a wrong token path is caught.
    let wechat = WeChatEmulator::start().await.unwrap();
    let mut wrong = tokenbridge_wechat::DESCRIPTION;
    wrong.paths.token = Some("https://api.weixin.qq.com/sns/oauth/access_token");
    let provider = tokenbridge_core::Provider::builder("wechat")
        .vendor(Box::leak(Box::new(wrong)))
        .base_url(wechat.base())
        .client_id(tokenbridge_testkit::wechat::DEMO_APPID)
        .client_secret(SecretString::from(tokenbridge_testkit::wechat::DEMO_SECRET))
        .build()
        .unwrap();
    let failure = run_all(Arc::new(provider), &wechat.target("demo-app"))
        .await
        .unwrap_err();
    assert_eq!(failure.check, "code_exchange", "{failure}");
}
