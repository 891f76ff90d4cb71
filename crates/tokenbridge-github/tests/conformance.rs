//! The shared conformance checks, against the GitHub emulator through `base_url`.

use std::sync::Arc;

use tokenbridge_core::{SecretString, TokenExchanger};
use tokenbridge_testkit::github::{GitHubEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TOKEN_PATH};
use tokenbridge_testkit::run_all;

#[tokio::test]
async fn github_passes_the_conformance_checks() {
    let github = GitHubEmulator::start().await.unwrap();
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(
        tokenbridge_github::builder("github")
            .base_url(github.base())
            .client_id(DEMO_CLIENT_ID)
            .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
            .build()
            .unwrap(),
    );
    let report = run_all(exchanger, &github.target())
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
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
    // Every token request asked for JSON.
    for request in github.requests_to(TOKEN_PATH) {
        assert_eq!(request.header("accept"), Some("application/json"));
    }
}
