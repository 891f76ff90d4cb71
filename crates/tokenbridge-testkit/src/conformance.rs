//! Conformance checks every [`TokenExchanger`] runs, built-in or third-party.
//!
//! Each check is a plain async function taking the exchanger and a [`ConformanceTarget`] (an
//! emulator that can mint credentials for the exchanger's client). A check never panics: it
//! returns [`Outcome::Passed`], [`Outcome::Skipped`] when it does not apply, or a
//! [`CheckFailure`] saying what went wrong. [`run_all`] runs every check and returns a
//! [`Report`], so a silently skipped check can be caught by the caller.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{
    Error, ErrorKind, Grant, GrantKind, PkceVerifier, TokenExchanger, TokenSet, TokenType,
};

use crate::oidc::{s256, CodeRequest, OidcEmulator, OidcProvider};
use crate::server::Recorder;

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

/// Fails the check with a message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// A fresh code without an explicit challenge, when the exchanger takes codes and the target can mint one.
fn fresh_code(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> Option<IssuedCode> {
    if exchanger.supports(GrantKind::AuthorizationCode) {
        target.issue_code(None)
    } else {
        None
    }
}

/// The grant exchanging `issued`, with the target's verifier when it has one.
fn code_grant(target: &dyn ConformanceTarget, issued: &IssuedCode) -> Result<Grant, String> {
    let grant = Grant::authorization_code(issued.code.clone(), issued.redirect_uri.clone());
    match target.code_verifier() {
        Some(verifier) => Ok(grant.with_pkce_verifier(
            PkceVerifier::new(verifier).map_err(|e| format!("the target's verifier: {e}"))?,
        )),
        None => Ok(grant),
    }
}

fn check_redacted(tokens: &TokenSet) -> Result<(), String> {
    let shown = format!("{tokens:?} {tokens}");
    let mut secrets = vec![tokens.access_token().expose_secret().to_owned()];
    secrets.extend(tokens.refresh_token().map(|s| s.expose_secret().to_owned()));
    secrets.extend(tokens.id_token().map(|s| s.expose_secret().to_owned()));
    for secret in secrets {
        ensure!(
            !shown.contains(&secret),
            "a token appears in Debug/Display output"
        );
    }
    Ok(())
}

fn check_usable(
    exchanger: &dyn TokenExchanger,
    tokens: &TokenSet,
    what: &str,
) -> Result<(), String> {
    ensure!(
        tokens.provider() == exchanger.provider_id(),
        "{what}: the tokens carry provider id {:?}, expected {:?}",
        tokens.provider(),
        exchanger.provider_id()
    );
    ensure!(
        !tokens.access_token().expose_secret().is_empty(),
        "{what}: empty access token"
    );
    ensure!(
        tokens.token_type() == &TokenType::Bearer,
        "{what}: token type {:?}, expected Bearer",
        tokens.token_type()
    );
    ensure!(
        !tokens.is_expired(Duration::ZERO),
        "{what}: the token is already expired"
    );
    check_redacted(tokens)
}

fn count_since(target: &dyn ConformanceTarget, before: usize) -> usize {
    target.token_request_count().saturating_sub(before)
}

/// A code exchange returns a usable, redacted TokenSet and sends exactly one request.
pub async fn check_code_exchange(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let Some(issued) = fresh_code(exchanger, target) else {
        return Ok(Outcome::Skipped);
    };
    let before = target.token_request_count();
    let tokens = exchanger
        .exchange(code_grant(target, &issued)?)
        .await
        .map_err(|e| format!("code exchange failed: {e}"))?;
    check_usable(exchanger, &tokens, "code exchange")?;
    ensure!(
        tokens.expires_in().is_some(),
        "code exchange: the lifetime was lost"
    );
    let sent = count_since(target, before);
    ensure!(
        sent == 1,
        "code exchange: {sent} requests, expected exactly one"
    );
    Ok(Outcome::Passed)
}

/// A code works once; the second exchange is refused with an invalid-grant error, and the
/// exchanger does not retry it.
pub async fn check_code_is_one_time(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let Some(issued) = fresh_code(exchanger, target) else {
        return Ok(Outcome::Skipped);
    };
    exchanger
        .exchange(code_grant(target, &issued)?)
        .await
        .map_err(|e| format!("first code exchange failed: {e}"))?;
    let before = target.token_request_count();
    let err = match exchanger.exchange(code_grant(target, &issued)?).await {
        Ok(_) => return Err("a used code was accepted a second time".into()),
        Err(e) => e,
    };
    ensure!(
        err.kind() == ErrorKind::InvalidGrant,
        "reusing a code must give InvalidGrant, got {:?}: {err}",
        err.kind()
    );
    ensure!(!err.is_retryable(), "invalid_grant must not be retryable");
    let sent = count_since(target, before);
    ensure!(
        sent == 1,
        "a refused code is sent once, never retried; saw {sent} requests"
    );
    Ok(Outcome::Passed)
}

/// A PKCE code exchange works with the right verifier and is refused with a wrong one.
pub async fn check_pkce(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    if !exchanger.supports(GrantKind::AuthorizationCode) {
        return Ok(Outcome::Skipped);
    }
    let verifier = PkceVerifier::generate().map_err(|e| format!("verifier: {e}"))?;
    let Some(issued) = target.issue_code(Some(verifier.s256_challenge())) else {
        return Ok(Outcome::Skipped);
    };
    let tokens = exchanger
        .exchange(
            Grant::authorization_code(issued.code, issued.redirect_uri)
                .with_pkce_verifier(verifier),
        )
        .await
        .map_err(|e| format!("PKCE code exchange failed: {e}"))?;
    check_usable(exchanger, &tokens, "PKCE code exchange")?;

    let verifier = PkceVerifier::generate().map_err(|e| format!("verifier: {e}"))?;
    let Some(issued) = target.issue_code(Some(verifier.s256_challenge())) else {
        return Ok(Outcome::Skipped);
    };
    let wrong = PkceVerifier::generate().map_err(|e| format!("verifier: {e}"))?;
    let err = match exchanger
        .exchange(
            Grant::authorization_code(issued.code, issued.redirect_uri).with_pkce_verifier(wrong),
        )
        .await
    {
        Ok(_) => return Err("a wrong PKCE verifier was accepted".into()),
        Err(e) => e,
    };
    ensure!(
        matches!(
            err.kind(),
            ErrorKind::InvalidGrant | ErrorKind::InvalidClient
        ),
        "a wrong verifier must be a refusal of the grant or client, got {:?}: {err}",
        err.kind()
    );
    Ok(Outcome::Passed)
}

/// A refresh returns usable tokens.
pub async fn check_refresh(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let Some(refresh_token) = exchanger
        .supports(GrantKind::RefreshToken)
        .then(|| target.issue_refresh_token())
        .flatten()
    else {
        return Ok(Outcome::Skipped);
    };
    let tokens = exchanger
        .exchange(Grant::refresh_token(refresh_token))
        .await
        .map_err(|e| format!("refresh failed: {e}"))?;
    check_usable(exchanger, &tokens, "refresh")?;
    Ok(Outcome::Passed)
}

/// An unknown (or revoked) refresh token is refused with an invalid-grant error.
pub async fn check_bad_refresh_token(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    if !exchanger.supports(GrantKind::RefreshToken) || target.issue_refresh_token().is_none() {
        return Ok(Outcome::Skipped);
    }
    let err = match exchanger
        .exchange(Grant::refresh_token("rt-that-was-never-issued"))
        .await
    {
        Ok(_) => return Err("an unknown refresh token was accepted".into()),
        Err(e) => e,
    };
    ensure!(
        err.kind() == ErrorKind::InvalidGrant,
        "an unknown refresh token must give InvalidGrant, got {:?}: {err}",
        err.kind()
    );
    Ok(Outcome::Passed)
}

/// A one-time extension grant (GenAuth's QR ticket) is exchanged once; a second use is
/// refused as InvalidGrant, sent once and not retryable.
pub async fn check_one_time_extension(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let Some(issued) = exchanger
        .supports(GrantKind::Extension)
        .then(|| target.issue_extension())
        .flatten()
    else {
        return Ok(Outcome::Skipped);
    };
    let tokens = exchanger
        .exchange(issued.grant())
        .await
        .map_err(|e| format!("{} exchange failed: {e}", issued.grant_type))?;
    check_usable(exchanger, &tokens, "extension grant exchange")?;
    let before = target.token_request_count();
    let err = match exchanger.exchange(issued.grant()).await {
        Ok(_) => return Err("a used extension credential was accepted a second time".into()),
        Err(e) => e,
    };
    ensure!(
        err.kind() == ErrorKind::InvalidGrant,
        "a spent credential must give InvalidGrant, got {:?}: {err}",
        err.kind()
    );
    ensure!(
        !err.is_retryable(),
        "a refused credential must not be retryable: {err}"
    );
    let sent = count_since(target, before);
    ensure!(
        sent == 1,
        "a refused credential is sent once; saw {sent} requests"
    );
    Ok(Outcome::Passed)
}

/// A grant the exchanger does not support gives [`Error::UnsupportedGrant`] and sends nothing.
pub async fn check_unsupported_grant(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let candidates = [
        Grant::client_credentials().with_scopes(["read"]),
        Grant::refresh_token("rt-1"),
        Grant::extension("urn:example:unsupported"),
    ];
    let Some(grant) = candidates
        .into_iter()
        .find(|g| !exchanger.supports(g.kind()))
    else {
        return Ok(Outcome::Skipped);
    };
    let kind = grant.kind();
    let before = target.token_request_count();
    let err = match exchanger.exchange(grant).await {
        Ok(_) => return Err(format!("the unsupported {kind} grant was exchanged")),
        Err(e) => e,
    };
    match &err {
        Error::UnsupportedGrant {
            grant, provider, ..
        } => {
            ensure!(
                *grant == kind,
                "the error names grant {grant}, expected {kind}"
            );
            ensure!(
                provider == exchanger.provider_id(),
                "the error names provider {provider:?}"
            );
        }
        other => return Err(format!("expected Error::UnsupportedGrant, got: {other}")),
    }
    ensure!(
        err.kind() == ErrorKind::Unsupported,
        "an unsupported grant must be ErrorKind::Unsupported"
    );
    ensure!(
        target.token_request_count() == before,
        "an unsupported grant must send nothing"
    );
    Ok(Outcome::Passed)
}

/// The exchanger works as an `Arc<dyn TokenExchanger>` moved into a spawned task (object-safe,
/// `Send` futures).
pub async fn check_object_safe(
    exchanger: Arc<dyn TokenExchanger>,
    target: &dyn ConformanceTarget,
) -> CheckResult {
    let Some(issued) = fresh_code(exchanger.as_ref(), target) else {
        return Ok(Outcome::Skipped);
    };
    let grant = code_grant(target, &issued)?;
    let task = tokio::spawn(async move { exchanger.exchange(grant).await });
    let result = task
        .await
        .map_err(|e| format!("the spawned task failed: {e}"))?;
    result.map_err(|e| format!("exchange in a spawned task failed: {e}"))?;
    Ok(Outcome::Passed)
}

/// Runs every check; stops at the first failure and names it.
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

/// A [`ConformanceTarget`] over an [`OidcProvider`] served by an emulator.
#[derive(Debug, Clone)]
pub struct ProviderTarget {
    provider: Arc<OidcProvider>,
    recorder: Recorder,
    token_paths: Vec<String>,
    client_id: String,
    redirect_uri: String,
    scope: Option<String>,
    code_verifier: Option<String>,
    pkce_check: bool,
    refresh_check: bool,
}

/// The verifier [`ProviderTarget::with_pkce`] mints challenges from: 43 characters, the
/// shortest RFC 7636 allows.
pub const CONFORMANCE_CODE_VERIFIER: &str = "conformance-verifier-0123456789abcdefghijkl";

impl ProviderTarget {
    /// A target minting credentials for `client_id` (already registered) at `emulator`.
    pub fn new(emulator: &OidcEmulator, client_id: &str) -> Self {
        Self::from_parts(
            Arc::clone(emulator.provider()),
            emulator.server().recorder(),
            vec![emulator.provider().profile().token_path.clone()],
            client_id,
        )
    }

    /// A target from a provider mounted in another emulator's router.
    pub fn from_parts(
        provider: Arc<OidcProvider>,
        recorder: Recorder,
        token_paths: Vec<String>,
        client_id: &str,
    ) -> Self {
        Self {
            provider,
            recorder,
            token_paths,
            client_id: client_id.into(),
            redirect_uri: "http://127.0.0.1/callback".into(),
            scope: None,
            code_verifier: None,
            pkce_check: true,
            refresh_check: true,
        }
    }

    /// Skips the `pkce` check (codes with a caller's challenge cannot be minted), for a
    /// vendor that does not document checking a code's PKCE verifier: the emulator checks it
    /// like any, but a pass would assert what the vendor never said.
    pub fn without_pkce_check(mut self) -> Self {
        self.pkce_check = false;
        self
    }

    /// Skips the `refresh` and `bad_refresh_token` checks (no refresh token is minted), for a
    /// client whose refresh the vendor does not document (e.g. a public client where the
    /// refresh page requires a secret).
    pub fn without_refresh_check(mut self) -> Self {
        self.refresh_check = false;
        self
    }

    /// Codes minted without an explicit challenge get the S256 challenge of
    /// [`CONFORMANCE_CODE_VERIFIER`], and the checks send that verifier with them: for
    /// providers that refuse a public client's code without PKCE.
    pub fn with_pkce(mut self) -> Self {
        self.code_verifier = Some(CONFORMANCE_CODE_VERIFIER.into());
        self
    }

    /// The scope codes are issued with (default: the profile's default scope).
    pub fn with_scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

impl ConformanceTarget for ProviderTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        if code_challenge.is_some() && !self.pkce_check {
            return None;
        }
        let code_challenge = code_challenge.or_else(|| self.code_verifier.as_deref().map(s256));
        let code = self.provider.issue_code(CodeRequest {
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            code_challenge,
            scope: self.scope.clone(),
        });
        Some(IssuedCode {
            code,
            redirect_uri: self.redirect_uri.clone(),
        })
    }

    fn code_verifier(&self) -> Option<String> {
        self.code_verifier.clone()
    }

    fn issue_refresh_token(&self) -> Option<String> {
        if !self.refresh_check {
            return None;
        }
        let scope = self
            .scope
            .clone()
            .unwrap_or_else(|| self.provider.profile().default_scope.clone());
        Some(self.provider.issue_refresh_token(&self.client_id, &scope))
    }

    fn token_request_count(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| self.token_paths.contains(&r.path))
            .count()
    }
}
