//! The standard exchanger against the loopback OIDC emulator.

use std::sync::Arc;

use tokenbridge::{AuthMethod, Grant, SecretString, StandardExchanger, TokenExchanger};
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile, ProviderTarget};

#[tokio::test]
async fn conformance_with_discovery_and_each_auth_method() {
    for method in AuthMethod::ALL {
        let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
        let client = match method {
            AuthMethod::None => ClientRegistration::public("app"),
            m => ClientRegistration::confidential("app", "s3cret", m),
        };
        emulator.provider().register_client(client);
        let mut builder = StandardExchanger::builder("corp")
            .issuer(emulator.issuer())
            .client_id("app")
            .auth_method(method);
        if method.needs_secret() {
            builder = builder.client_secret(SecretString::from("s3cret"));
        }
        let exchanger: Arc<dyn TokenExchanger> = Arc::new(builder.build().unwrap());
        let report =
            tokenbridge_testkit::run_all(exchanger, &ProviderTarget::new(&emulator, "app")).await;
        assert!(
            report.passed.contains(&"code_exchange"),
            "{method}: {report:?}"
        );
        assert!(report.passed.contains(&"refresh"), "{method}: {report:?}");
        let _ = Grant::refresh_token("x");
    }
}
