//! The shared conformance checks against the Entra emulator (`common`), through `base_url`,
//! for each documented way a client authenticates.

use std::sync::Arc;

use tokenbridge_core::{AuthMethod, PrivateKeyJwt, SecretString, TokenExchanger};
use tokenbridge_testkit::entra::{
    EntraEmulator, DEMO_CERT_CLIENT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PUBLIC_CLIENT_ID,
};
use tokenbridge_testkit::jose::TestKey;
use tokenbridge_testkit::{run_all, Report};

async fn run(
    client_id: &str,
    configure: impl Fn(tokenbridge_core::ProviderBuilder) -> tokenbridge_core::ProviderBuilder,
    pkce: bool,
) -> Report {
    let entra = EntraEmulator::start().await.unwrap();
    let builder = tokenbridge_entra::builder("entra", "common", Vec::new())
        .unwrap()
        .base_url(entra.base())
        .client_id(client_id);
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(configure(builder).build().unwrap());
    let mut target = entra.target(client_id);
    if pkce {
        target = target.with_pkce();
    }
    run_all(exchanger, &target)
        .await
        .unwrap_or_else(|failure| panic!("{client_id}: {failure}"))
}

const PASSED: [&str; 7] = [
    "code_exchange",
    "code_is_one_time",
    "pkce",
    "refresh",
    "bad_refresh_token",
    "unsupported_grant",
    "object_safe",
];

#[tokio::test]
async fn a_client_secret_passes() {
    let report = run(
        DEMO_CLIENT_ID,
        |b| b.client_secret(SecretString::from(DEMO_CLIENT_SECRET)),
        false,
    )
    .await;
    assert_eq!(report.passed, PASSED, "{report:?}");
}

#[tokio::test]
async fn a_certificate_passes() {
    let key =
        PrivateKeyJwt::from_pem(DEMO_CERT_CLIENT_ID, TestKey::Rsa2.private_pem(), None).unwrap();
    let report = run(
        DEMO_CERT_CLIENT_ID,
        |b| b.client_auth(Arc::new(key.clone())),
        false,
    )
    .await;
    assert_eq!(report.passed, PASSED, "{report:?}");
}

#[tokio::test]
async fn a_public_client_with_pkce_passes() {
    let report = run(
        DEMO_PUBLIC_CLIENT_ID,
        |b| b.auth_method(AuthMethod::None),
        true,
    )
    .await;
    assert_eq!(report.passed, PASSED, "{report:?}");
}
