//! A [`ConformanceTarget`] over the testkit's generic [`OidcProvider`].

use std::sync::Arc;

use super::{ConformanceTarget, IssuedCode};
use crate::oidc::{s256, CodeRequest, OidcEmulator, OidcProvider};
use crate::server::Recorder;

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
