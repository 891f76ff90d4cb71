//! The shared conformance checks, against the Feishu emulator through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
use tokenbridge_feishu::Region;
use tokenbridge_testkit::feishu::{FeishuEmulator, TOKEN_PATH};
use tokenbridge_testkit::run_all;

async fn run(region: Region) {
    let feishu = FeishuEmulator::start().await.unwrap();
    // The target mints codes for the demo application.
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(
        tokenbridge_feishu::builder("feishu", region)
            .base_url(feishu.base())
            .client_id(tokenbridge_testkit::feishu::DEMO_CLIENT_ID)
            .client_secret(SecretString::from(
                tokenbridge_testkit::feishu::DEMO_CLIENT_SECRET,
            ))
            .build()
            .unwrap(),
    );
    let report = run_all(exchanger, &feishu.target())
        .await
        .unwrap_or_else(|failure| panic!("{region:?}: {failure}"));
    for check in [
        "code_exchange",
        "code_is_one_time",
        "pkce",
        "refresh",
        "bad_refresh_token",
        "unsupported_grant",
        "object_safe",
    ] {
        assert!(report.passed.contains(&check), "{check}: {report:?}");
    }
    // Every token request went as JSON, as the token page requires.
    let sent = feishu.requests_to(TOKEN_PATH);
    assert!(!sent.is_empty());
    for request in sent {
        assert_eq!(
            request.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert!(request.json().is_object(), "{request:?}");
    }
}

#[tokio::test]
async fn feishu_passes_the_conformance_checks() {
    run(Region::Feishu).await;
}

#[tokio::test]
async fn lark_passes_the_conformance_checks() {
    run(Region::Lark).await;
}
