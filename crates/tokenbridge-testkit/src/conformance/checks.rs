//! The checks, one function each; [`run_all`](super::run_all) runs them in order.

use std::sync::Arc;
use std::time::Duration;

use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{
    Error, ErrorKind, Grant, GrantKind, PkceVerifier, TokenExchanger, TokenSet, TokenType,
};

use super::{CheckResult, ConformanceTarget, IssuedCode, Outcome};

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
        tokens.provider_id() == exchanger.provider_id(),
        "{what}: the tokens carry provider id {:?}, expected {:?}",
        tokens.provider_id(),
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
