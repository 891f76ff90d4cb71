//! Shared set-up for the GenAuth adapter's integration tests.

#![allow(dead_code, unreachable_pub)]

use tokenbridge_core::{AuthMethod, HttpClient, Protocol, SecretString};
use tokenbridge_genauth::{GenAuthConfig, GenAuthExchanger};
use tokenbridge_testkit::genauth::{GenAuthApp, GenAuthEmulator};

pub const APP_ID: &str = "6342b8537a1b2c047d314109";
pub const APP_SECRET: &str = "4203d30e5e91523a9f8b26c31c9adce68";

/// The emulated application for `method`.
pub fn app(method: AuthMethod) -> GenAuthApp {
    match method {
        AuthMethod::None => GenAuthApp::public(APP_ID),
        m => GenAuthApp::new(APP_ID, APP_SECRET, m),
    }
}

/// An exchanger configured for [`APP_ID`] with `method` and `protocol` at `emulator`.
pub fn exchanger(
    emulator: &GenAuthEmulator,
    method: AuthMethod,
    protocol: Protocol,
) -> GenAuthExchanger {
    let mut config = GenAuthConfig::new(emulator.base(), APP_ID)
        .with_auth_method(method)
        .with_protocol(protocol);
    if method.needs_secret() {
        config = config.with_app_secret(SecretString::from(APP_SECRET));
    }
    GenAuthExchanger::new("genauth", config, HttpClient::default()).unwrap()
}

/// An emulator with [`app`] registered, and an exchanger for it.
pub async fn start(method: AuthMethod, protocol: Protocol) -> (GenAuthEmulator, GenAuthExchanger) {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(app(method));
    let exchanger = exchanger(&emulator, method, protocol);
    (emulator, exchanger)
}
