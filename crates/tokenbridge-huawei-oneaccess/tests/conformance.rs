//! The shared conformance checks against the OneAccess emulator, in both protocols and with
//! both forms of `expires_in`.

use std::sync::Arc;

use tokenbridge_core::{HttpClient, SecretString, TokenExchanger};
use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
use tokenbridge_testkit::huawei_oneaccess::{
    HuaweiOneAccessEmulator, OneAccessOptions, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
use tokenbridge_testkit::oidc::ExpiryStyle;
use tokenbridge_testkit::{any_loopback_port, run_all, Report};

async fn run(options: OneAccessOptions) -> Report {
    let protocol = options.protocol;
    let oneaccess = HuaweiOneAccessEmulator::start_with(options, any_loopback_port())
        .await
        .unwrap();
    let config = HuaweiOneAccessConfig::new(
        oneaccess.base(),
        DEMO_CLIENT_ID,
        SecretString::from(DEMO_CLIENT_SECRET),
    )
    .with_protocol(protocol);
    let exchanger: Arc<dyn TokenExchanger> =
        Arc::new(HuaweiOneAccessExchanger::new("huawei", config, HttpClient::default()).unwrap());
    run_all(exchanger, &oneaccess.target(DEMO_CLIENT_ID)).await
}

fn assert_all_applicable_passed(report: &Report) {
    assert_eq!(
        report.passed,
        [
            "code_exchange",
            "code_is_one_time",
            "pkce",
            "refresh",
            "bad_refresh_token",
            "unsupported_grant",
            "object_safe",
        ],
        "{report:?}"
    );
    assert_eq!(report.skipped, ["qr_ticket"]);
}

#[tokio::test]
async fn oidc_with_numeric_expiry() {
    assert_all_applicable_passed(&run(OneAccessOptions::oidc()).await);
}

#[tokio::test]
async fn oidc_with_string_expiry() {
    assert_all_applicable_passed(
        &run(OneAccessOptions::oidc().with_expiry_style(ExpiryStyle::String)).await,
    );
}

#[tokio::test]
async fn oauth_with_string_expiry() {
    assert_all_applicable_passed(&run(OneAccessOptions::oauth()).await);
}

#[tokio::test]
async fn oauth_with_numeric_expiry_and_refresh_tokens_on() {
    assert_all_applicable_passed(
        &run(OneAccessOptions::oauth()
            .with_expiry_style(ExpiryStyle::Number)
            .with_refresh_tokens(true))
        .await,
    );
}
