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
    // The emulator wants the registered certificate's thumbprint (`x5t`) in the header, as
    // Microsoft documents.
    let key = PrivateKeyJwt::from_pem(DEMO_CERT_CLIENT_ID, TestKey::Rsa2.private_pem(), None)
        .unwrap()
        .with_certificate_pem(TestKey::Rsa2.certificate_pem().unwrap())
        .unwrap();
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

#[tokio::test]
async fn a_certificate_assertion_without_its_thumbprint_is_refused() {
    let entra = EntraEmulator::start().await.unwrap();
    let key =
        PrivateKeyJwt::from_pem(DEMO_CERT_CLIENT_ID, TestKey::Rsa2.private_pem(), None).unwrap();
    let provider = tokenbridge_entra::builder("entra", "common", Vec::new())
        .unwrap()
        .base_url(entra.base())
        .client_id(DEMO_CERT_CLIENT_ID)
        .client_auth(Arc::new(key))
        .build()
        .unwrap();
    let code = entra.issue_code(DEMO_CERT_CLIENT_ID, "http://127.0.0.1/cb", None);
    let err = provider
        .exchange(tokenbridge_core::Grant::authorization_code(
            &code,
            "http://127.0.0.1/cb",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), tokenbridge_core::ErrorKind::InvalidClient);
}

#[tokio::test]
async fn an_assertion_naming_another_certificate_is_refused_with_aadsts700027() {
    let entra = EntraEmulator::start().await.unwrap();
    // The registered key signs, but the header names another certificate (Rsa1's), one the
    // application does not know.
    let key = PrivateKeyJwt::from_pem(DEMO_CERT_CLIENT_ID, TestKey::Rsa2.private_pem(), None)
        .unwrap()
        .with_certificate_pem(TestKey::Rsa1.certificate_pem().unwrap())
        .unwrap();
    let provider = tokenbridge_entra::builder("entra", "common", Vec::new())
        .unwrap()
        .base_url(entra.base())
        .client_id(DEMO_CERT_CLIENT_ID)
        .client_auth(Arc::new(key))
        .build()
        .unwrap();
    let code = entra.issue_code(DEMO_CERT_CLIENT_ID, "http://127.0.0.1/cb", None);
    let err = provider
        .exchange(tokenbridge_core::Grant::authorization_code(
            &code,
            "http://127.0.0.1/cb",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), tokenbridge_core::ErrorKind::InvalidClient);
    let tokenbridge_core::Error::OAuth(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.status(), e.code().as_str()),
        (Some(401), "invalid_client")
    );
    assert_eq!(e.hint(), Some("Microsoft Entra ID error AADSTS700027"));
    // The assertion named Rsa1's certificate, whose thumbprint is not the registered one.
    let sent = entra.requests()[0].form_param("client_assertion").unwrap();
    let header = sent.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    assert_eq!(header["x5t"], TestKey::Rsa1.certificate_x5t().unwrap());
    assert_ne!(
        TestKey::Rsa1.certificate_x5t(),
        TestKey::Rsa2.certificate_x5t()
    );
}
