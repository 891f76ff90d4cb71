//! The token exchange: the request a grant sends, shaped by the vendor's description and
//! hooks, and the retries DPoP nonces call for.

use async_trait::async_trait;

use crate::error::{Error, GrantKind, Result};
use crate::model::dpop::DpopKey;
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::dpop::add_dpop_proof;
use crate::protocol::exchanger::TokenExchanger;
use crate::transport::request::{BodyEncoding, TokenRequest};
use crate::vendor::HookContext;

use super::send::Sent;
use super::{Provider, Resolved};

impl Provider {
    /// Builds the request `grant` would send, without sending it (discovery may run).
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        let resolved = self.prepare(grant).await?;
        self.token_request(grant, resolved)
    }

    async fn prepare(&self, grant: &Grant) -> Result<&Resolved> {
        if !self.supports(grant.kind()) {
            return Err(Error::UnsupportedGrant {
                provider: self.inner.id.clone(),
                grant: grant.kind(),
                supported: self.inner.grants.clone(),
            });
        }
        if self.inner.vendor.redirect_uri_required
            && grant.kind() == GrantKind::AuthorizationCode
            && grant.redirect_uri().is_none_or(|uri| uri.trim().is_empty())
        {
            return Err(Error::config(
                "redirect_uri",
                format!(
                    "{} requires redirect_uri with the code: pass the redirect URI of the \
                     authorize request (or configure redirect_uri for the provider)",
                    self.inner.vendor.name
                ),
            ));
        }
        self.resolve().await
    }

    fn hook_context<'a>(&'a self, resolved: &'a Resolved) -> HookContext<'a> {
        HookContext {
            provider: &self.inner.id,
            base_url: self.inner.base_url.as_ref(),
            token_endpoint: &resolved.endpoints.token,
            client_auth: &*resolved.auth,
            auth_method: resolved.auth_method,
        }
    }

    fn token_request(&self, grant: &Grant, resolved: &Resolved) -> Result<TokenRequest> {
        let context = self.hook_context(resolved);
        let hooks = self.inner.vendor.hooks;
        if let Some(request) = hooks.token_request(grant, &context) {
            return request;
        }
        let shape = &self.inner.vendor.token_request;
        let endpoint = match (&self.inner.refresh_endpoint, grant.kind()) {
            (Some(refresh), GrantKind::RefreshToken) => refresh.clone(),
            _ => resolved.endpoints.token.clone(),
        };
        let mut request = TokenRequest::post(endpoint, BodyEncoding::Form);
        add_grant_params(&mut request, grant);
        resolved.auth.apply(&mut request)?;
        shape.apply(&mut request, grant)?;
        hooks.prepare_request(&mut request, grant, &context)?;
        Ok(request)
    }
}

/// Adds the RFC 6749 parameters of `grant` to `request`.
pub fn add_grant_params(request: &mut TokenRequest, grant: &Grant) {
    // The standard grant types are literals, sent without a copy; an extension's is its own.
    match grant.kind().grant_type() {
        Some(grant_type) => request.static_param("grant_type", grant_type),
        None => request.param("grant_type", grant.grant_type()),
    };
    if let Some(code) = grant.code() {
        request.secret_param("code", code);
    }
    if let Some(uri) = grant.redirect_uri() {
        request.param("redirect_uri", uri);
    }
    if let Some(verifier) = grant.pkce_verifier() {
        request.secret_param("code_verifier", verifier.secret());
    }
    if let Some(refresh_token) = grant.refresh_token_value() {
        request.secret_param("refresh_token", refresh_token);
    }
    for (name, value) in grant.secret_params() {
        request.secret_param(name.as_str(), value);
    }
    if !grant.scopes().is_empty() {
        request.param("scope", grant.scopes().join(" "));
    }
    for (name, value) in grant.params() {
        request.param(name, value);
    }
}

#[async_trait]
impl TokenExchanger for Provider {
    fn provider_id(&self) -> &str {
        &self.inner.id
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &self.inner.grants
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "tokenbridge.exchange",
            provider = %self.inner.id,
            vendor = self.inner.vendor.kind,
            grant = %grant.kind(),
        );
        // Timed only when the event below is recorded: the clock is read twice otherwise.
        let started = tracing::enabled!(tracing::Level::INFO).then(std::time::Instant::now);
        // By reference: an owned argument would sit in the future twice.
        let result = self.exchange_once(&grant).instrument(span.clone()).await;
        let Some(started) = started else {
            return result;
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        span.in_scope(|| match &result {
            Ok(_) => tracing::info!(elapsed_ms, "tokenbridge: tokens received"),
            Err(error) => tracing::info!(
                elapsed_ms,
                error_kind = %error.kind(),
                may_have_been_sent = error.may_have_been_sent(),
                "tokenbridge: exchange failed"
            ),
        });
        result
    }
}

impl Provider {
    async fn exchange_once(&self, grant: &Grant) -> Result<TokenSet> {
        let resolved = self.prepare(grant).await?;
        let vendor = self.inner.vendor;
        let mut request = self.token_request(grant, resolved).map_err(|e| {
            vendor
                .hooks
                .map_error(e, grant, &self.hook_context(resolved))
        })?;
        // The grant's key when it refreshes DPoP-bound tokens; a new one for new tokens.
        let dpop_key = match (grant.dpop_key(), self.inner.dpop) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(DpopKey::generate()?),
            (None, false) => None,
        };
        if let Some(key) = &dpop_key {
            let nonce = self.dpop_nonce().get();
            add_dpop_proof(&mut request, key, nonce.as_deref())?;
        }
        let sent = self.send_token_request(&request, grant, dpop_key.is_some());
        let (nonce, refusal) = match sent.await {
            Sent::Answer(answer) => {
                return self.finish_exchange(answer, dpop_key, grant, resolved, &request)
            }
            Sent::NonceRequired { nonce, error } => (nonce, error),
        };
        // Not a replay of a one-time credential: with `use_dpop_nonce` the server refused the
        // proof before it looked at the grant (RFC 9449 section 8), so the code or refresh
        // token is unspent. The same request goes once more, with a fresh proof carrying the
        // nonce the server just gave; never a second time.
        let answer = match &dpop_key {
            Some(key) => {
                add_dpop_proof(&mut request, key, Some(&nonce))?;
                // Boxed: every exchange's future would otherwise hold room for this rare
                // second send.
                Box::pin(self.send_token_request(&request, grant, false))
                    .await
                    .into_answer()
            }
            None => Err(refusal),
        };
        self.finish_exchange(answer, dpop_key, grant, resolved, &request)
    }

    /// The exchange's outcome: tokens bound to the DPoP key they were requested with, or the
    /// error as the vendor classifies it, scrubbed of the request's credentials.
    fn finish_exchange(
        &self,
        answer: Result<TokenSet>,
        dpop_key: Option<DpopKey>,
        grant: &Grant,
        resolved: &Resolved,
        request: &TokenRequest,
    ) -> Result<TokenSet> {
        let vendor = self.inner.vendor;
        answer
            .map(|tokens| match dpop_key {
                Some(key) => tokens.with_dpop_key(Some(key)),
                None => tokens,
            })
            .map_err(|e| {
                let e = vendor.errors.classify(e);
                vendor
                    .hooks
                    .map_error(e, grant, &self.hook_context(resolved))
                    // Only now, on the error path, are the request's credentials gathered.
                    .scrubbed(&request.sent_secrets())
            })
    }
}
