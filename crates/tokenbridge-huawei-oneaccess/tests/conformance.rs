//! The shared conformance checks against the OneAccess emulator, in both protocols and with
//! both forms of `expires_in`.
//!
//! The `pkce` check is skipped: OneAccess does not document PKCE, so a pass would assert the
//! emulator's own behaviour.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
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
    let provider = tokenbridge_huawei_oneaccess::builder("huawei", protocol)
        .base_url(oneaccess.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    run_all(exchanger, &oneaccess.target(DEMO_CLIENT_ID))
        .await
        .unwrap_or_else(|failure| panic!("{protocol}: {failure}"))
}

fn assert_all_applicable_passed(report: &Report) {
    assert_eq!(
        *report,
        Report::all_passed_but(&["pkce", "one_time_extension"])
    );
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
