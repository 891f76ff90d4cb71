//! Shared set-up for the GenAuth adapter's integration tests.

#![allow(dead_code, unreachable_pub)]

use tokenbridge_core::url::form_urlencoded::byte_serialize;
use tokenbridge_core::{AuthMethod, HttpClient, Protocol, Provider, SecretString};
use tokenbridge_genauth::QrLoginClient;
use tokenbridge_testkit::genauth::{GenAuthApp, GenAuthEmulator};

pub const APP_ID: &str = "6342b8537a1b2c047d314109";
/// A secret with `:`, `+`, `%` and a space, which raw and form-encoded Basic tell apart.
pub const APP_SECRET: &str = "4203d30e:5e91+523a%9f 8b26c31c9adce68";

/// `Basic base64("<APP_ID>:<APP_SECRET>")`, raw as GenAuth documents it (no form-encoding
/// first, which would give `...OjQyMDNkMzBlJTNBNWU5MSUyQjUy...`).
pub const BASIC: &str =
    "Basic NjM0MmI4NTM3YTFiMmMwNDdkMzE0MTA5OjQyMDNkMzBlOjVlOTErNTIzYSU5ZiA4YjI2YzMxYzlhZGNlNjg=";

/// `value` form-urlencoded, as it appears in a token request body.
pub fn form(value: &str) -> String {
    byte_serialize(value.as_bytes()).collect()
}

/// The emulated application for `method`.
pub fn app(method: AuthMethod) -> GenAuthApp {
    match method {
        AuthMethod::None => GenAuthApp::public(APP_ID),
        m => GenAuthApp::new(APP_ID, APP_SECRET, m),
    }
}

/// A provider for `client_id` with `method` (and `secret` unless `none`) at `emulator`.
pub fn provider_with(
    emulator: &GenAuthEmulator,
    client_id: &str,
    method: AuthMethod,
    secret: &str,
    protocol: Protocol,
    http: HttpClient,
) -> Provider {
    let mut builder = tokenbridge_genauth::builder("genauth", protocol)
        .base_url(emulator.base())
        .client_id(client_id)
        .auth_method(method)
        .http_client(http);
    if method.needs_secret() {
        builder = builder.client_secret(SecretString::from(secret));
    }
    builder.build().unwrap()
}

/// A provider configured for [`APP_ID`] with `method` and `protocol` at `emulator`.
pub fn provider(emulator: &GenAuthEmulator, method: AuthMethod, protocol: Protocol) -> Provider {
    provider_with(
        emulator,
        APP_ID,
        method,
        APP_SECRET,
        protocol,
        HttpClient::default(),
    )
}

/// A QR login client over [`provider`].
pub fn client(emulator: &GenAuthEmulator, method: AuthMethod, protocol: Protocol) -> QrLoginClient {
    QrLoginClient::new(provider(emulator, method, protocol)).unwrap()
}

/// An emulator with [`app`] registered, and a QR login client for it.
pub async fn start(method: AuthMethod, protocol: Protocol) -> (GenAuthEmulator, QrLoginClient) {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(app(method));
    let client = client(&emulator, method, protocol);
    (emulator, client)
}
