//! Loopback emulators and conformance checks for tokenbridge adapters.
//!
//! Always built, whatever the features:
//! - [`server`]: a loopback HTTP server that records every request, so tests can assert the
//!   exact method, headers and body an adapter sent, and [`Reply`], a canned answer.
//! - [`browser`]: opening an authorization URL as a browser would, the redirect unfollowed.
//! - [`conformance`]: the checks every adapter (yours too) runs, against any
//!   [`ConformanceTarget`].
//! - [`facts`]: each vendor's documented paths, spellings and codes, with their sources,
//!   written out independently of the adapters.
//! - [`jose`]: fixture keys, their JWKS, and real and forged signed tokens.
//! - [`kind`]: a kind's provider built from a configuration table, and the configuration
//!   error a mistake must come back as.
//!
//! Each emulator behind a feature of its own, all on by default:
//! - `oidc`: `oidc`, an emulated RFC 6749 / OpenID Connect provider shaped per vendor by a
//!   `Profile`, and `ProviderTarget`, the conformance target over it. The vendor emulators
//!   are built on it, so each of their features turns it on.
//! - `genauth`, `tencent-ciam`, `huawei-oneaccess`, `wechat`, `dingtalk`, `feishu`, `github`,
//!   `apple`, `entra`, `google`: the vendors' emulators.
//!
//! An outside adapter's conformance run depends on the testkit with
//! `default-features = false` (adding `features = ["oidc"]` when its emulator keeps its books
//! with the generic provider) and compiles none of the vendor emulators.
//!
//! Everything listens on 127.0.0.1 only.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod browser;
pub mod conformance;
mod emulators;
pub mod facts;
pub mod jose;
pub mod kind;
mod reply;
pub mod server;

#[cfg(feature = "apple")]
#[cfg_attr(docsrs, doc(cfg(feature = "apple")))]
pub use emulators::apple;
#[cfg(feature = "dingtalk")]
#[cfg_attr(docsrs, doc(cfg(feature = "dingtalk")))]
pub use emulators::dingtalk;
#[cfg(feature = "entra")]
#[cfg_attr(docsrs, doc(cfg(feature = "entra")))]
pub use emulators::entra;
#[cfg(feature = "feishu")]
#[cfg_attr(docsrs, doc(cfg(feature = "feishu")))]
pub use emulators::feishu;
#[cfg(feature = "genauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "genauth")))]
pub use emulators::genauth;
#[cfg(feature = "github")]
#[cfg_attr(docsrs, doc(cfg(feature = "github")))]
pub use emulators::github;
#[cfg(feature = "google")]
#[cfg_attr(docsrs, doc(cfg(feature = "google")))]
pub use emulators::google;
#[cfg(feature = "huawei-oneaccess")]
#[cfg_attr(docsrs, doc(cfg(feature = "huawei-oneaccess")))]
pub use emulators::huawei_oneaccess;
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub use emulators::oidc;
#[cfg(feature = "tencent-ciam")]
#[cfg_attr(docsrs, doc(cfg(feature = "tencent-ciam")))]
pub use emulators::tencent_ciam;
#[cfg(feature = "wechat")]
#[cfg_attr(docsrs, doc(cfg(feature = "wechat")))]
pub use emulators::wechat;

#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub use conformance::ProviderTarget;
pub use conformance::{run_all, ConformanceTarget, IssuedCode, Report};
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub use oidc::{ClientRegistration, CodeRequest, OidcEmulator, OidcProvider, Profile};
pub use reply::Reply;
pub use server::{any_loopback_port, EmulatorServer, RecordedRequest, Recorder};
