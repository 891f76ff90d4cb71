//! Loopback emulators and conformance checks for tokenbridge adapters.
//!
//! - [`server`]: a loopback HTTP server that records every request, so tests can assert the
//!   exact method, headers and body an adapter sent.
//! - [`oidc`]: an emulated RFC 6749 / OpenID Connect provider, shaped per vendor by a
//!   [`oidc::Profile`].
//! - [`conformance`]: the checks every adapter (yours too) runs.
//! - [`facts`]: each vendor's documented paths, spellings and codes, with their sources,
//!   written out independently of the adapters.
//! - [`jose`]: fixture keys, their JWKS, and real and forged signed tokens.
//!
//! Everything listens on 127.0.0.1 only.

pub mod conformance;
pub mod facts;
pub mod genauth;
pub mod huawei_oneaccess;
pub mod jose;
pub mod oidc;
pub mod server;
pub mod tencent_ciam;

pub use conformance::{run_all, ConformanceTarget, IssuedCode, ProviderTarget, Report};
pub use oidc::{ClientRegistration, CodeRequest, OidcEmulator, OidcProvider, Profile, Reply};
pub use server::{any_loopback_port, EmulatorServer, RecordedRequest, Recorder};
