//! Conformance checks every [`TokenExchanger`] runs, built-in or third-party.
//!
//! Each check is a plain async function taking the exchanger and a [`ConformanceTarget`] (an
//! emulator that can mint credentials for the exchanger's client). A check never panics: it
//! returns [`Outcome::Passed`], [`Outcome::Skipped`] when it does not apply, or a
//! [`CheckFailure`] saying what went wrong. [`run_all`] runs every check and returns a
//! [`Report`], so a silently skipped check can be caught by the caller.
//!
//! The checks and the [`ConformanceTarget`] trait always compile, so an outside adapter can
//! run them with `default-features = false` against an emulator of its own; the target over
//! the testkit's generic provider, `ProviderTarget`, comes with the `oidc` feature.

mod checks;
#[cfg(feature = "oidc")]
mod provider_target;

use std::fmt;
use std::sync::Arc;

use tokenbridge_core::{Grant, TokenExchanger};

pub use checks::{
    check_bad_refresh_token, check_code_exchange, check_code_is_one_time, check_object_safe,
    check_one_time_extension, check_pkce, check_refresh, check_unsupported_grant,
};
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub use provider_target::{ProviderTarget, CONFORMANCE_CODE_VERIFIER};

/// A fresh authorization code and the redirect URI it was issued for.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The code.
    pub code: String,
    /// The `redirect_uri` of the authorize request.
    pub redirect_uri: String,
}

/// A fresh one-time extension-grant credential (e.g. GenAuth's QR-login ticket): its
/// `grant_type` and credential parameters.
#[derive(Debug, Clone)]
pub struct IssuedExtension {
    /// The extension's `grant_type`.
    pub grant_type: String,
    /// Its credential parameters.
    pub params: Vec<(String, String)>,
}

impl IssuedExtension {
    fn grant(&self) -> Grant {
        self.params.iter().fold(
            Grant::extension(self.grant_type.clone()),
            |grant, (name, value)| grant.with_secret_param(name.clone(), value.clone()),
        )
    }
}

/// An emulator seen from the conformance checks: it mints credentials for the client the
/// exchanger under test is configured with, and counts the token requests it received.
pub trait ConformanceTarget: Send + Sync {
    /// A fresh code, with an S256 `code_challenge` when given (without one, a target may add
    /// its own, see [`code_verifier`](Self::code_verifier)); `None` if the target cannot.
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode>;

    /// A fresh refresh token; `None` if the target cannot.
    fn issue_refresh_token(&self) -> Option<String>;

    /// A fresh one-time extension-grant credential; `None` if the vendor has none.
    fn issue_extension(&self) -> Option<IssuedExtension> {
        None
    }

    /// The PKCE verifier to send with codes from `issue_code(None)`, for targets that give
    /// those codes a challenge of their own (providers whose public clients must use PKCE);
    /// `None` when such codes carry no challenge.
    fn code_verifier(&self) -> Option<String> {
        None
    }

    /// How many token-exchange requests the target has received so far.
    fn token_request_count(&self) -> usize;
}

/// What a check found when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The check ran and passed.
    Passed,
    /// The check does not apply (grant unsupported, or the target cannot mint the credential).
    Skipped,
}

/// A failed check: its name and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// The check, e.g. `code_is_one_time`.
    pub check: &'static str,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "conformance check {} failed: {}",
            self.check, self.message
        )
    }
}

impl std::error::Error for CheckFailure {}

/// What a single check returns.
pub type CheckResult = Result<Outcome, String>;

/// What [`run_all`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Checks that ran and passed.
    pub passed: Vec<&'static str>,
    /// Checks that did not apply (grant unsupported, or the target cannot mint the credential).
    pub skipped: Vec<&'static str>,
}

/// Every check [`run_all`] runs, in its order.
pub const CHECKS: [&str; 8] = [
    "code_exchange",
    "code_is_one_time",
    "pkce",
    "refresh",
    "bad_refresh_token",
    "one_time_extension",
    "unsupported_grant",
    "object_safe",
];

impl Report {
    /// The report of a run in which every check passed but `skipped`, which did not apply: what
    /// a vendor's conformance test expects, naming only what the vendor lacks.
    pub fn all_passed_but(skipped: &[&str]) -> Self {
        let (skipped, passed) = CHECKS.iter().partition(|check| skipped.contains(check));
        Self { passed, skipped }
    }
}

/// Runs every check ([`CHECKS`], in order); stops at the first failure and names it.
pub async fn run_all(
    exchanger: Arc<dyn TokenExchanger>,
    target: &dyn ConformanceTarget,
) -> Result<Report, CheckFailure> {
    let mut report = Report::default();
    let mut note = |check: &'static str, result: CheckResult| -> Result<(), CheckFailure> {
        match result {
            Ok(Outcome::Passed) => report.passed.push(check),
            Ok(Outcome::Skipped) => report.skipped.push(check),
            Err(message) => return Err(CheckFailure { check, message }),
        }
        Ok(())
    };
    let e = exchanger.as_ref();
    note("code_exchange", check_code_exchange(e, target).await)?;
    note("code_is_one_time", check_code_is_one_time(e, target).await)?;
    note("pkce", check_pkce(e, target).await)?;
    note("refresh", check_refresh(e, target).await)?;
    note(
        "bad_refresh_token",
        check_bad_refresh_token(e, target).await,
    )?;
    note(
        "one_time_extension",
        check_one_time_extension(e, target).await,
    )?;
    note(
        "unsupported_grant",
        check_unsupported_grant(e, target).await,
    )?;
    note(
        "object_safe",
        check_object_safe(Arc::clone(&exchanger), target).await,
    )?;
    Ok(report)
}
