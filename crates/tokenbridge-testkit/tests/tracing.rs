//! What tokenbridge logs through `tracing`: each exchange and each HTTP request with the
//! provider, the grant kind, the endpoint host, the status, the duration and the error kind;
//! never a secret, and nothing at all without a subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tokenbridge_core::{
    AuthMethod, ExposeSecret, Grant, Provider, SecretString, TokenExchanger,
};
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile};

const SECRET: &str = "tracing-secret-value";

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn exchanges_are_logged_without_secrets() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        "app",
        SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("tokenbridge_core=debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id("app")
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let code = emulator.issue_code("app", "http://127.0.0.1/cb", None);
    let tokens = provider
        .exchange(Grant::authorization_code(code.clone(), "http://127.0.0.1/cb"))
        .await
        .unwrap();
    let refused = provider
        .exchange(Grant::authorization_code(code.clone(), "http://127.0.0.1/cb"))
        .await
        .unwrap_err();

    let log = captured.text();
    for expected in [
        "tokenbridge.exchange",
        "provider=corp",
        "grant=authorization_code",
        "host=\"127.0.0.1\"",
        "path=\"/token\"",
        "status=200",
        "status=400",
        "error_kind=invalid_grant",
        "elapsed_ms=",
    ] {
        assert!(log.contains(expected), "{expected:?} missing from:\n{log}");
    }
    for secret in [
        SECRET.to_owned(),
        code,
        tokens.access_token().expose_secret().to_owned(),
        tokens.refresh_token().unwrap().expose_secret().to_owned(),
    ] {
        assert!(!log.contains(&secret), "a secret is logged:\n{log}");
    }
    assert!(refused.is_invalid_grant());
}
