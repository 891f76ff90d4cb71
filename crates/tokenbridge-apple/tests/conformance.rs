//! The shared conformance checks against the Sign in with Apple emulator, through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
use tokenbridge_testkit::apple::{
    demo_private_key_pem, AppleEmulator, DEMO_CLIENT_ID, DEMO_KEY_ID, DEMO_TEAM_ID,
};
use tokenbridge_testkit::{run_all, Report};

#[tokio::test]
async fn the_demo_services_id_passes() {
    let apple = AppleEmulator::start().await.unwrap();
    let pem = SecretString::from(demo_private_key_pem());
    let provider =
        tokenbridge_apple::builder("apple", DEMO_CLIENT_ID, DEMO_TEAM_ID, DEMO_KEY_ID, &pem)
            .unwrap()
            .base_url(apple.base())
            .build()
            .unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    // Apple documents no PKCE at its token endpoint, so a verifier is not checked.
    let target = apple.target(DEMO_CLIENT_ID).without_pkce_check();
    let report = run_all(exchanger, &target)
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(
        report,
        Report::all_passed_but(&["pkce", "one_time_extension"])
    );
}
