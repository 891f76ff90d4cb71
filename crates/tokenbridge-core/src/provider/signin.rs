//! Browser sign-in at a configured provider: the authorization request, the callback, the
//! code exchange, revocation and RP-initiated logout.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, OAuthError, Result};
use crate::model::dpop::DpopKey;
use crate::model::grant::Grant;
use crate::model::pkce::PkceVerifier;
use crate::model::random::{random_token, RANDOM_BYTES};
use crate::model::token::TokenSet;
use crate::protocol::exchanger::TokenExchanger;
use crate::protocol::signin::{
    constant_time_eq, parse_callback, AuthorizationRequest, CompletedLogin, LogoutRequest,
    PendingLogin, TokenTypeHint,
};
use crate::transport::url::{ensure_secure_url, parse_secure_url};
use crate::transport::wire::{decode_json_object, standard_error, unreadable};

use super::Provider;

impl Provider {
    /// A completed login: the identity is read from the verified ID token (with the
    /// provider's `subject_claim`), so a token without that claim fails the login.
    pub(crate) fn completed_login(
        &self,
        tokens: TokenSet,
        id_token: Option<crate::protocol::id_token::VerifiedIdToken>,
    ) -> Result<CompletedLogin> {
        let identity = id_token
            .as_ref()
            .map(|t| self.identity_from_id_token(t))
            .transpose()?;
        Ok(CompletedLogin::new(tokens, id_token, identity))
    }
}
use crate::error::CallbackError;

/// Builds an authorization request; see [`Provider::authorization_request`].
#[derive(Debug)]
pub struct AuthorizationRequestBuilder<'a> {
    provider: &'a Provider,
    redirect_uri: Option<String>,
    scopes: Option<Vec<String>>,
    params: Vec<(String, String)>,
}

/// The reserved parameters a caller cannot override through
/// [`AuthorizationRequestBuilder::param`]: tokenbridge sets them for the login's safety.
const RESERVED: [&str; 10] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "redirect_url",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "dpop_jkt",
];

impl AuthorizationRequestBuilder<'_> {
    /// The redirect URI (default: the provider's configured `redirect_uri`).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The scopes (default: the provider's configured `scopes`, else the vendor's
    /// [`default_scopes`](crate::VendorDescription::default_scopes): `openid` alone, or
    /// `get_user_info` for a Huawei OneAccess OAuth 2.0 application).
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// An extra parameter: `prompt`, `login_hint`, `ui_locales`, or a vendor's own.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Builds the URL with a fresh `state`, a `nonce` when `openid` is requested, and a PKCE
    /// S256 challenge; for a vendor that issues refresh tokens only with consent (GenAuth),
    /// `prompt` gets `consent` whenever `offline_access` is requested. Discovery may run
    /// first, to find the authorization endpoint.
    pub async fn build(self) -> Result<AuthorizationRequest> {
        let provider = self.provider;
        if let Some((name, _)) = self.params.iter().find(|(n, _)| {
            RESERVED.contains(&n.as_str()) || *n == provider.vendor().authorize.client_id_param
        }) {
            return Err(Error::invalid_input(
                name.clone(),
                format!("`{name}` is set by tokenbridge for every login and cannot be overridden"),
            ));
        }
        let endpoints = provider.endpoints().await?;
        // A vendor with a fixed token endpoint and no documented authorize path (Huawei
        // OneAccess) has it only in its discovery document, which resolving skipped.
        let discovered = match &endpoints.authorization {
            Some(_) => None,
            None => provider
                .metadata()
                .await?
                .and_then(|m| m.authorization_endpoint.as_deref())
                .map(|uri| parse_secure_url(uri, "authorization_endpoint (from discovery)"))
                .transpose()?,
        };
        let Some(endpoint) = endpoints.authorization.clone().or(discovered) else {
            return Err(provider.unsupported(
                "sign-in (authorization endpoint)",
                format!(
                    "{} has no authorization endpoint in its description or discovery document",
                    provider.vendor().name
                ),
            ));
        };
        ensure_secure_url(&endpoint, "authorization_endpoint")?;
        let redirect_uri = self
            .redirect_uri
            .or_else(|| provider.redirect_uri().map(str::to_owned))
            .ok_or_else(|| {
                Error::config(
                    "redirect_uri",
                    "no redirect URI: configure the provider's redirect_uri or pass one",
                )
            })?;
        let vendor = provider.vendor();
        let scopes = self.scopes.unwrap_or_else(|| {
            if provider.scopes().is_empty() {
                vendor
                    .default_scopes
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect()
            } else {
                provider.scopes().to_vec()
            }
        });
        // The caller's parameters win over the provider's configured ones, which win over the
        // vendor's fixed ones of the same name.
        let shape = vendor.authorize;
        let mut extra: Vec<(String, String)> = self.params;
        for (name, value) in provider.authorization_params().iter().rev() {
            if !extra.iter().any(|(n, _)| n == name) {
                extra.insert(0, (name.clone(), value.clone()));
            }
        }
        for (name, value) in shape.params.iter().rev() {
            if !extra.iter().any(|(n, _)| n == name) {
                extra.insert(0, ((*name).to_owned(), (*value).to_owned()));
            }
        }
        if vendor.offline_access_needs_consent && scopes.iter().any(|s| s == "offline_access") {
            with_consent_prompt(&mut extra);
        }
        let state = SecretString::from(random_token(RANDOM_BYTES)?);
        let nonce = if shape.nonce.wanted(&scopes) {
            Some(SecretString::from(random_token(RANDOM_BYTES)?))
        } else {
            None
        };
        let verifier = PkceVerifier::generate()?;
        let challenge = verifier.s256_challenge();
        // (name, value, whether the value is a secret to keep out of logs).
        let mut params: Vec<(&str, &str, bool)> = vec![
            ("response_type", "code", false),
            (shape.client_id_param, provider.client_id(), false),
            (
                provider.vendor().authorize_redirect_param,
                &redirect_uri,
                false,
            ),
        ];
        let scope = scopes.join(shape.scope_separator);
        // RFC 6749 3.3: the scope is optional; a vendor with no default scope (Feishu, GitHub)
        // gets none rather than an empty one.
        if !scope.is_empty() {
            params.push(("scope", &scope, false));
        }
        params.push(("state", state.expose_secret(), true));
        if let Some(nonce) = &nonce {
            params.push(("nonce", nonce.expose_secret(), true));
        }
        if shape.pkce {
            params.push(("code_challenge", &challenge, false));
            params.push(("code_challenge_method", "S256", false));
        }
        // RFC 9449 section 10: the code is bound to this login's key, so a code that leaks
        // is useless without it.
        let dpop_key = if provider.uses_dpop() {
            Some(DpopKey::generate()?)
        } else {
            None
        };
        if let Some(key) = &dpop_key {
            params.push(("dpop_jkt", key.thumbprint(), false));
        }
        for (name, value) in &extra {
            params.push((name, value, false));
        }
        let mut url = endpoint;
        if crate::provider::par::wanted(provider).await? {
            // RFC 9126 section 4: the browser carries only the client id and the reference;
            // the callback that comes back is checked exactly as without PAR.
            let request_uri = crate::provider::par::push(provider, &params).await?;
            url.query_pairs_mut()
                .append_pair("client_id", provider.client_id())
                .append_pair("request_uri", &request_uri);
        } else {
            let mut query = url.query_pairs_mut();
            for (name, value, _) in &params {
                query.append_pair(name, value);
            }
            drop(query);
            url.set_fragment(shape.fragment);
        }
        Ok(AuthorizationRequest {
            url,
            pending: PendingLogin {
                provider: provider.id().to_owned(),
                state,
                nonce,
                code_verifier: verifier.secret().clone(),
                redirect_uri,
                dpop_key,
            },
        })
    }
}

/// Adds `consent` to the caller's `prompt` (a space-separated list), or sets `prompt=consent`:
/// the vendor issues no refresh token for `offline_access` without it. `prompt=none` is left
/// alone, since OpenID Connect Core 3.1.2.1 forbids combining it with another value.
fn with_consent_prompt(params: &mut Vec<(String, String)>) {
    match params.iter_mut().find(|(name, _)| name == "prompt") {
        Some((_, value)) => {
            let values: Vec<&str> = value.split_ascii_whitespace().collect();
            if !values.contains(&"consent") && !values.contains(&"none") {
                let joined = values
                    .into_iter()
                    .chain(["consent"])
                    .collect::<Vec<_>>()
                    .join(" ");
                *value = joined;
            }
        }
        None => params.push(("prompt".to_owned(), "consent".to_owned())),
    }
}

impl Provider {
    /// Starts a sign-in: see [`AuthorizationRequestBuilder`].
    ///
    /// ```no_run
    /// # async fn run(provider: tokenbridge_core::Provider) -> tokenbridge_core::Result<()> {
    /// let request = provider
    ///     .authorization_request()
    ///     .redirect_uri("https://app.example.com/callback")
    ///     .param("prompt", "login")
    ///     .build()
    ///     .await?;
    /// // Redirect the browser to request.url; keep request.pending in the session.
    /// # Ok(()) }
    /// ```
    pub fn authorization_request(&self) -> AuthorizationRequestBuilder<'_> {
        AuthorizationRequestBuilder {
            provider: self,
            redirect_uri: None,
            scopes: None,
            params: Vec::new(),
        }
    }

    /// Completes a sign-in from its callback (the full callback URL, or its query): checks
    /// `state` in constant time, checks `iss` (RFC 9207), turns an `error` callback into a
    /// typed error, then exchanges the code with the login's PKCE verifier and redirect URI.
    /// A refused callback sends nothing; a callback is accepted once. An ID token that comes
    /// back is verified (see [`Provider::id_token_verifier`]) with this login's `nonce` and
    /// the access token's `at_hash`; a bad one fails the login with [`Error::IdToken`].
    pub async fn complete_login(
        &self,
        callback: &str,
        pending: PendingLogin,
    ) -> Result<CompletedLogin> {
        let refuse = |e: CallbackError| Error::Callback(Box::new(e));
        if pending.provider != self.id() {
            return Err(Error::invalid_input(
                "pending",
                format!(
                    "this pending login belongs to provider {:?}, not {:?}",
                    pending.provider,
                    self.id()
                ),
            ));
        }
        let params =
            parse_callback(callback, self.vendor().callback_code_params).map_err(refuse)?;
        let state = params
            .state
            .as_ref()
            .ok_or_else(|| refuse(CallbackError::MissingState))?;
        if !constant_time_eq(
            state.expose_secret().as_bytes(),
            pending.state.expose_secret().as_bytes(),
        ) {
            return Err(refuse(CallbackError::StateMismatch));
        }
        self.check_callback_issuer(params.iss.as_deref()).await?;
        if let Some(code) = params.error {
            // The vendor's table knows its own callback codes (Apple's `user_cancelled_authorize`).
            return Err(self.vendor().errors.classify(
                OAuthError::new(None, code)
                    .with_description(params.error_description)
                    .with_uri(params.error_uri)
                    .into(),
            ));
        }
        // An empty `code=` is no code: nothing is sent for it.
        let code = params
            .code
            .filter(|c| !c.expose_secret().trim().is_empty())
            .ok_or_else(|| refuse(CallbackError::MissingCode))?;
        if !self.completed_logins().insert(&pending.state) {
            return Err(refuse(CallbackError::Replayed));
        }
        let grant = Grant::authorization_code(code.expose_secret(), pending.redirect_uri);
        // A vendor without PKCE got no challenge, so its code exchange carries no verifier.
        let grant = if self.vendor().authorize.pkce {
            grant.with_pkce_verifier(PkceVerifier::new(pending.code_verifier.expose_secret())?)
        } else {
            grant
        };
        let grant = match pending.dpop_key {
            Some(key) => grant.with_dpop_key(key),
            None => grant,
        };
        let tokens = self.exchange(grant).await?;
        // OpenID Connect Core 3.1.3.7: the ID token is checked before the login is trusted.
        let id_token = self
            .verify_login_id_token(&tokens, pending.nonce.as_ref())
            .await?;
        let login = self.completed_login(tokens, id_token)?;
        let callback_user = params
            .user
            .and_then(|u| serde_json::from_str::<serde_json::Value>(&u).ok())
            .and_then(|u| match u {
                serde_json::Value::Object(map) => Some(map),
                _ => None,
            });
        Ok(match callback_user {
            Some(user) => login.with_callback_user(user),
            None => login,
        })
    }

    async fn check_callback_issuer(&self, iss: Option<&str>) -> Result<()> {
        let refuse = |e: CallbackError| Error::Callback(Box::new(e));
        let metadata = self.metadata().await?;
        let required = metadata
            .and_then(|m| m.authorization_response_iss_parameter_supported)
            .unwrap_or(false);
        // The issuer as ID-token verification knows it: discovery's (fetched above even for a
        // vendor with fixed endpoints), else the configured one, else the vendor's documented
        // one below the base URL.
        let expected = match metadata.and_then(|m| m.issuer.clone()) {
            Some(issuer) => Some(issuer),
            None => self
                .endpoints()
                .await?
                .issuer
                .clone()
                .or_else(|| self.vendor_issuer().map(str::to_owned)),
        };
        match (iss, expected) {
            (Some(got), Some(expected)) => {
                if got.trim_end_matches('/') != expected.trim_end_matches('/') {
                    return Err(refuse(CallbackError::IssuerMismatch {
                        got: got.to_owned(),
                        expected,
                    }));
                }
            }
            // A vendor without a known issuer cannot be checked against; RFC 9207 asks the
            // client to compare with the issuer it knows, so nothing is known to mismatch.
            (Some(_), None) => {}
            (None, _) if required => return Err(refuse(CallbackError::MissingIssuer)),
            (None, _) => {}
        }
        Ok(())
    }

    /// Revokes a token (RFC 7009) with the configured client authentication.
    /// [`Error::Unsupported`], with nothing sent, when the provider has no revocation endpoint.
    pub async fn revoke(&self, token: &SecretString, hint: Option<TokenTypeHint>) -> Result<()> {
        let endpoints = self.endpoints().await?;
        let Some(endpoint) = endpoints.revocation.clone() else {
            return Err(self.unsupported(
                "token revocation",
                format!(
                    "{} documents no token revocation endpoint",
                    self.vendor().name
                ),
            ));
        };
        let request = self.revocation_request(endpoint, token, hint).await?;
        let response = self.http().send(&request).await?;
        // RFC 7009 2.2: 200 whether or not the token was valid; the body is read only by a
        // vendor that reports failures with a 2xx.
        if response.is_success() {
            return self
                .vendor()
                .hooks
                .check_revocation_response(&response, self.vendor())
                .map_err(|e| self.vendor().errors.classify(e));
        }
        let object = decode_json_object(&response).map_err(|e| self.vendor().errors.classify(e))?;
        Err(self
            .vendor()
            .errors
            .classify(standard_error(&response, &object).unwrap_or_else(|| {
                unreadable(
                    &response,
                    "an error status without an OAuth 2.0 `error` field",
                )
            })))
    }

    /// The RP-initiated logout URL, with the parameters spelled as the vendor documents them.
    /// [`Error::Unsupported`] when the provider has no logout endpoint.
    pub async fn logout_url(&self, request: LogoutRequest) -> Result<Url> {
        let endpoints = self.endpoints().await?;
        let Some(mut url) = endpoints.end_session.clone() else {
            return Err(self.unsupported(
                "logout (end-session endpoint)",
                format!(
                    "{} has no end-session endpoint in its description or discovery document",
                    self.vendor().name
                ),
            ));
        };
        ensure_secure_url(&url, "end_session_endpoint")?;
        let spelling = self.vendor().logout;
        {
            let mut query = url.query_pairs_mut();
            if let (Some(name), Some(token)) = (spelling.id_token_hint, &request.id_token_hint) {
                query.append_pair(name, token.expose_secret());
            }
            if let Some(uri) = &request.post_logout_redirect_uri {
                query.append_pair(spelling.post_logout_redirect_uri, uri);
            }
            if let Some(name) = spelling.client_id {
                query.append_pair(name, self.client_id());
            }
            if spelling.state {
                if let Some(state) = &request.state {
                    query.append_pair("state", state);
                }
            }
            if let (Some(name), Some(hint)) = (spelling.logout_hint, &request.logout_hint) {
                query.append_pair(name, hint);
            }
        }
        // An empty query leaves a bare `?`; drop it so the URL is the endpoint itself.
        if url.query() == Some("") {
            url.set_query(None);
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_joins_the_prompt_the_caller_gave() {
        let prompt = |given: Option<&str>| {
            let mut params = given
                .map(|p| vec![("prompt".to_owned(), p.to_owned())])
                .unwrap_or_default();
            with_consent_prompt(&mut params);
            params
        };
        assert_eq!(prompt(None), [("prompt".to_owned(), "consent".to_owned())]);
        assert_eq!(
            prompt(Some("login")),
            [("prompt".to_owned(), "login consent".to_owned())]
        );
        assert_eq!(
            prompt(Some("consent login")),
            [("prompt".to_owned(), "consent login".to_owned())]
        );
        assert_eq!(
            prompt(Some("none")),
            [("prompt".to_owned(), "none".to_owned())]
        );
    }
}
