//! Conformance checks every [`TokenExchanger`] runs, built-in or third-party.
//!
//! Each check is a plain async function taking the exchanger and a [`ConformanceTarget`] (an
//! emulator that can mint credentials for the exchanger's client). Checks panic with a clear
//! message on failure, like `assert!`, so they read naturally inside `#[tokio::test]`s.
//! [`run_all`] runs every check that applies to the exchanger's supported grants.

use std::sync::Arc;
use std::time::Duration;

use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{
    Error, Grant, GrantKind, PkceVerifier, SecretString, TokenExchanger, TokenSet, TokenType,
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

/// An emulator seen from the conformance checks: it mints credentials for the client the
/// exchanger under test is configured with, and counts the token requests it received.
pub trait ConformanceTarget: Send + Sync {
    /// A fresh code, with an S256 `code_challenge` when given (without one, a target may add
    /// its own, see [`code_verifier`](Self::code_verifier)); `None` if the target cannot.
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode>;

    /// A fresh refresh token; `None` if the target cannot.
    fn issue_refresh_token(&self) -> Option<String>;

    /// A fresh QR-login ticket; `None` if the target has no QR login.
    fn issue_qr_ticket(&self) -> Option<String> {
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

/// What [`run_all`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Checks that ran and passed.
    pub passed: Vec<&'static str>,
    /// Checks that did not apply (grant unsupported, or the target cannot mint the credential).
    pub skipped: Vec<&'static str>,
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
fn code_grant(target: &dyn ConformanceTarget, issued: IssuedCode) -> Grant {
    match target.code_verifier() {
        Some(verifier) => {
            Grant::authorization_code_pkce(issued.code, issued.redirect_uri, verifier)
        }
        None => Grant::authorization_code(issued.code, issued.redirect_uri),
    }
}

fn assert_redacted(tokens: &TokenSet) {
    let shown = format!("{tokens:?} {tokens}");
    let mut secrets = vec![tokens.access_token().expose_secret().to_owned()];
    secrets.extend(tokens.refresh_token().map(|s| s.expose_secret().to_owned()));
    secrets.extend(tokens.id_token().map(|s| s.expose_secret().to_owned()));
    for secret in secrets {
        assert!(
            !shown.contains(&secret),
            "a token appears in Debug/Display output: {shown}"
        );
    }
}

fn assert_usable(exchanger: &dyn TokenExchanger, tokens: &TokenSet, what: &str) {
    assert_eq!(
        tokens.provider(),
        exchanger.provider_id(),
        "{what}: provider id"
    );
    assert!(
        !tokens.access_token().expose_secret().is_empty(),
        "{what}: empty access token"
    );
    assert_eq!(
        tokens.token_type(),
        &TokenType::Bearer,
        "{what}: token type"
    );
    assert!(
        !tokens.is_expired(Duration::ZERO),
        "{what}: the token is already expired"
    );
    assert_redacted(tokens);
}

/// A code exchange returns a usable, redacted TokenSet and sends exactly one request.
/// Returns false when it does not apply.
pub async fn check_code_exchange(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> bool {
    let Some(issued) = fresh_code(exchanger, target) else {
        return false;
    };
    let before = target.token_request_count();
    let tokens = exchanger
        .exchange(code_grant(target, issued))
        .await
        .unwrap_or_else(|e| panic!("code exchange failed: {e}"));
    assert_usable(exchanger, &tokens, "code exchange");
    assert!(
        tokens.expires_in().is_some(),
        "code exchange: the lifetime was lost"
    );
    assert_eq!(
        target.token_request_count() - before,
        1,
        "code exchange: exactly one request"
    );
    true
}

/// A code works once; the second exchange is refused with an invalid-grant error, and the
/// exchanger does not retry it.
pub async fn check_code_is_one_time(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> bool {
    let Some(issued) = fresh_code(exchanger, target) else {
        return false;
    };
    let grant = code_grant(target, issued);
    exchanger
        .exchange(grant.clone())
        .await
        .unwrap_or_else(|e| panic!("first code exchange failed: {e}"));
    let before = target.token_request_count();
    let err = exchanger
        .exchange(grant)
        .await
        .expect_err("a used code must be refused");
    assert!(
        err.is_invalid_grant(),
        "reusing a code must give invalid_grant, got: {err}"
    );
    assert!(!err.is_retryable(), "invalid_grant must not be retryable");
    assert_eq!(
        target.token_request_count() - before,
        1,
        "a refused code is sent once, never retried"
    );
    true
}

/// A PKCE code exchange works with the right verifier and is refused with a wrong one.
pub async fn check_pkce(exchanger: &dyn TokenExchanger, target: &dyn ConformanceTarget) -> bool {
    if !exchanger.supports(GrantKind::AuthorizationCode) {
        return false;
    }
    let verifier = PkceVerifier::generate().unwrap_or_else(|e| panic!("verifier: {e}"));
    let Some(issued) = target.issue_code(Some(verifier.s256_challenge())) else {
        return false;
    };
    let tokens = exchanger
        .exchange(Grant::authorization_code_pkce(
            issued.code,
            issued.redirect_uri,
            verifier.secret().expose_secret(),
        ))
        .await
        .unwrap_or_else(|e| panic!("PKCE code exchange failed: {e}"));
    assert_usable(exchanger, &tokens, "PKCE code exchange");

    let Some(issued) = target.issue_code(Some(verifier.s256_challenge())) else {
        return false;
    };
    let wrong = PkceVerifier::generate().unwrap_or_else(|e| panic!("verifier: {e}"));
    let err = exchanger
        .exchange(Grant::authorization_code_pkce(
            issued.code,
            issued.redirect_uri,
            wrong.secret().expose_secret(),
        ))
        .await
        .expect_err("a wrong PKCE verifier must be refused");
    assert!(
        err.is_invalid_grant() || err.is_invalid_client(),
        "a wrong verifier must be a refusal of the grant or client, got: {err}"
    );
    true
}

/// A refresh returns usable tokens.
pub async fn check_refresh(exchanger: &dyn TokenExchanger, target: &dyn ConformanceTarget) -> bool {
    let Some(refresh_token) = exchanger
        .supports(GrantKind::RefreshToken)
        .then(|| target.issue_refresh_token())
        .flatten()
    else {
        return false;
    };
    let tokens = exchanger
        .exchange(Grant::refresh_token(refresh_token))
        .await
        .unwrap_or_else(|e| panic!("refresh failed: {e}"));
    assert_usable(exchanger, &tokens, "refresh");
    true
}

/// An unknown refresh token is refused with an invalid-grant error.
pub async fn check_bad_refresh_token(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> bool {
    if !exchanger.supports(GrantKind::RefreshToken) || target.issue_refresh_token().is_none() {
        return false;
    }
    let err = exchanger
        .exchange(Grant::refresh_token("rt-that-was-never-issued"))
        .await
        .expect_err("an unknown refresh token must be refused");
    assert!(
        err.is_invalid_grant(),
        "an unknown refresh token must give invalid_grant, got: {err}"
    );
    true
}

/// A QR ticket is exchanged once; a second use fails and is not retryable.
pub async fn check_qr_ticket(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> bool {
    let Some(ticket) = exchanger
        .supports(GrantKind::QrTicket)
        .then(|| target.issue_qr_ticket())
        .flatten()
    else {
        return false;
    };
    let grant = Grant::QrTicket {
        ticket: SecretString::from(ticket),
    };
    let tokens = exchanger
        .exchange(grant.clone())
        .await
        .unwrap_or_else(|e| panic!("QR ticket exchange failed: {e}"));
    assert_usable(exchanger, &tokens, "QR ticket exchange");
    let before = target.token_request_count();
    let err = exchanger
        .exchange(grant)
        .await
        .expect_err("a used ticket must be refused");
    assert!(
        !err.is_retryable(),
        "a refused ticket must not be retryable: {err}"
    );
    assert_eq!(
        target.token_request_count() - before,
        1,
        "a refused ticket is sent once"
    );
    true
}

/// A grant the exchanger does not support gives [`Error::UnsupportedGrant`] and sends nothing.
pub async fn check_unsupported_grant(
    exchanger: &dyn TokenExchanger,
    target: &dyn ConformanceTarget,
) -> bool {
    let candidates = [
        Grant::qr_ticket("ticket-1"),
        Grant::client_credentials(["read"]),
        Grant::refresh_token("rt-1"),
        Grant::Other {
            grant_type: "urn:example:unsupported".into(),
            params: Vec::new(),
        },
    ];
    let Some(grant) = candidates
        .into_iter()
        .find(|g| !exchanger.supports(g.kind()))
    else {
        return false;
    };
    let kind = grant.kind();
    let before = target.token_request_count();
    let err = exchanger
        .exchange(grant)
        .await
        .expect_err("an unsupported grant must fail");
    match &err {
        Error::UnsupportedGrant {
            grant, provider, ..
        } => {
            assert_eq!(*grant, kind);
            assert_eq!(provider, exchanger.provider_id());
        }
        other => panic!("expected Error::UnsupportedGrant, got: {other}"),
    }
    assert_eq!(
        target.token_request_count(),
        before,
        "an unsupported grant must send nothing"
    );
    true
}

/// The exchanger works as an `Arc<dyn TokenExchanger>` moved into a spawned task (object-safe,
/// `Send` futures).
pub async fn check_object_safe(
    exchanger: Arc<dyn TokenExchanger>,
    target: &dyn ConformanceTarget,
) -> bool {
    let Some(issued) = fresh_code(exchanger.as_ref(), target) else {
        return false;
    };
    let grant = code_grant(target, issued);
    let task = tokio::spawn(async move { exchanger.exchange(grant).await });
    let result = task.await.unwrap_or_else(|e| panic!("task failed: {e}"));
    assert!(
        result.is_ok(),
        "exchange in a spawned task failed: {:?}",
        result.err()
    );
    true
}

/// Runs every check that applies; panics on the first failure.
pub async fn run_all(exchanger: Arc<dyn TokenExchanger>, target: &dyn ConformanceTarget) -> Report {
    let mut report = Report::default();
    let mut note = |name: &'static str, ran: bool| {
        if ran {
            report.passed.push(name);
        } else {
            report.skipped.push(name);
        }
    };
    let e = exchanger.as_ref();
    note("code_exchange", check_code_exchange(e, target).await);
    note("code_is_one_time", check_code_is_one_time(e, target).await);
    note("pkce", check_pkce(e, target).await);
    note("refresh", check_refresh(e, target).await);
    note(
        "bad_refresh_token",
        check_bad_refresh_token(e, target).await,
    );
    note("qr_ticket", check_qr_ticket(e, target).await);
    note(
        "unsupported_grant",
        check_unsupported_grant(e, target).await,
    );
    note(
        "object_safe",
        check_object_safe(Arc::clone(&exchanger), target).await,
    );
    report
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
        }
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
