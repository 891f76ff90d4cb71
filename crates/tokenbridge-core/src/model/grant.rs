//! The credentials an application exchanges for tokens.

use secrecy::SecretString;

use crate::error::GrantKind;
use crate::model::dpop::DpopKey;
use crate::model::pkce::PkceVerifier;

/// The `grant_type` of the device code grant (RFC 8628 section 3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A credential to exchange for a [`TokenSet`](crate::TokenSet), built with a constructor and
/// grown with builder methods:
///
/// ```
/// use tokenbridge_core::{Grant, GrantKind, PkceVerifier};
///
/// let verifier = PkceVerifier::generate()?;
/// let grant = Grant::authorization_code("code-from-callback", "https://app.example.com/cb")
///     .with_pkce_verifier(verifier)
///     .with_param("resource", "https://api.example.com");
/// assert_eq!(grant.kind(), GrantKind::AuthorizationCode);
///
/// let service = Grant::client_credentials().with_scopes(["read", "write"]);
/// assert_eq!(service.scopes(), ["read", "write"]);
/// # Ok::<(), tokenbridge_core::Error>(())
/// ```
///
/// Codes, refresh tokens, verifiers and extension parameters are secrets: they never appear in
/// `Debug` output. A grant is not `Clone`: a one-time credential is meant to be sent once.
#[derive(Debug)]
pub struct Grant {
    body: GrantBody,
    scopes: Vec<String>,
    params: Vec<(String, String)>,
    dpop_key: Option<DpopKey>,
}

#[derive(Debug)]
enum GrantBody {
    AuthorizationCode {
        code: SecretString,
        redirect_uri: Option<String>,
        pkce_verifier: Option<PkceVerifier>,
    },
    RefreshToken {
        refresh_token: SecretString,
    },
    ClientCredentials,
    Extension {
        grant_type: String,
        params: Vec<(String, SecretString)>,
        one_time: bool,
    },
}

impl Grant {
    fn from_body(body: GrantBody) -> Self {
        Self {
            body,
            scopes: Vec::new(),
            params: Vec::new(),
            dpop_key: None,
        }
    }

    /// `grant_type=authorization_code` (RFC 6749 section 4.1.3) with the `redirect_uri` of the
    /// authorize request.
    pub fn authorization_code(code: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        Self::from_body(GrantBody::AuthorizationCode {
            code: SecretString::from(code.into()),
            redirect_uri: Some(redirect_uri.into()),
            pkce_verifier: None,
        })
    }

    /// An authorization code without `redirect_uri`, for providers that make it optional
    /// (Huawei OneAccess's OAuth 2.0 applications). Providers that require it refuse this
    /// grant before sending it.
    pub fn authorization_code_without_redirect_uri(code: impl Into<String>) -> Self {
        Self::from_body(GrantBody::AuthorizationCode {
            code: SecretString::from(code.into()),
            redirect_uri: None,
            pkce_verifier: None,
        })
    }

    /// `grant_type=refresh_token` (RFC 6749 section 6), keeping the original scopes unless
    /// [`with_scopes`](Self::with_scopes) narrows them.
    pub fn refresh_token(refresh_token: impl Into<String>) -> Self {
        Self::from_body(GrantBody::RefreshToken {
            refresh_token: SecretString::from(refresh_token.into()),
        })
    }

    /// `grant_type=client_credentials` (RFC 6749 section 4.4); add scopes with
    /// [`with_scopes`](Self::with_scopes).
    pub fn client_credentials() -> Self {
        Self::from_body(GrantBody::ClientCredentials)
    }

    /// An extension grant (RFC 6749 section 4.5), e.g.
    /// `urn:ietf:params:oauth:grant-type:token-exchange`; add its parameters with
    /// [`with_secret_param`](Self::with_secret_param). It is treated as one-time (never
    /// replayed) unless [`reusable`](Self::reusable) says otherwise.
    pub fn extension(grant_type: impl Into<String>) -> Self {
        Self::from_body(GrantBody::Extension {
            grant_type: grant_type.into(),
            params: Vec::new(),
            one_time: true,
        })
    }

    /// Adds the PKCE verifier (RFC 7636) of the authorize request to a code grant; ignored
    /// by other grants.
    pub fn with_pkce_verifier(mut self, verifier: PkceVerifier) -> Self {
        if let GrantBody::AuthorizationCode { pkce_verifier, .. } = &mut self.body {
            *pkce_verifier = Some(verifier);
        }
        self
    }

    /// Sets the scopes to request (sent space-separated as `scope`).
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a parameter sent as given, e.g. `audience` or `resource` (RFC 8707), or a vendor's
    /// own. Use [`with_secret_param`](Self::with_secret_param) for credentials.
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds a credential parameter to an extension grant (kept secret); ignored by other
    /// grants, whose credentials have their own constructors.
    pub fn with_secret_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let GrantBody::Extension { params, .. } = &mut self.body {
            params.push((name.into(), SecretString::from(value.into())));
        }
        self
    }

    /// The device code grant of RFC 8628 section 3.4
    /// (`urn:ietf:params:oauth:grant-type:device_code`), polled with the same code until the
    /// user decides, so it is marked reusable. [`Provider::poll_device_authorization`]
    /// sends it for you.
    ///
    /// [`Provider::poll_device_authorization`]: crate::Provider::poll_device_authorization
    pub fn device_code(device_code: impl Into<String>) -> Self {
        Self::extension(DEVICE_CODE_GRANT_TYPE)
            .with_secret_param("device_code", device_code)
            .reusable()
    }

    /// The DPoP key (RFC 9449) the request must prove possession of: a refresh of
    /// DPoP-bound tokens uses the key they are bound to. Without one, a provider configured
    /// with `dpop = true` generates a fresh key for the tokens it gets.
    pub fn with_dpop_key(mut self, key: DpopKey) -> Self {
        self.dpop_key = Some(key);
        self
    }

    /// The DPoP key set with [`with_dpop_key`](Self::with_dpop_key).
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop_key.as_ref()
    }

    /// Marks an extension grant as safe to send again (its credential is not spent on use).
    pub fn reusable(mut self) -> Self {
        if let GrantBody::Extension { one_time, .. } = &mut self.body {
            *one_time = false;
        }
        self
    }

    /// Which kind of grant this is.
    pub fn kind(&self) -> GrantKind {
        match &self.body {
            GrantBody::AuthorizationCode { .. } => GrantKind::AuthorizationCode,
            GrantBody::RefreshToken { .. } => GrantKind::RefreshToken,
            GrantBody::ClientCredentials => GrantKind::ClientCredentials,
            GrantBody::Extension { .. } => GrantKind::Extension,
        }
    }

    /// The `grant_type` value sent.
    pub fn grant_type(&self) -> &str {
        match &self.body {
            GrantBody::Extension { grant_type, .. } => grant_type,
            _ => self.kind().grant_type().unwrap_or_default(),
        }
    }

    /// Whether the credential is spent by the first request that reaches the provider, so the
    /// request must never be replayed.
    pub fn is_one_time(&self) -> bool {
        match &self.body {
            GrantBody::Extension { one_time, .. } => *one_time,
            _ => self.kind().is_one_time(),
        }
    }

    /// The authorization code, for a code grant.
    pub fn code(&self) -> Option<&SecretString> {
        match &self.body {
            GrantBody::AuthorizationCode { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The `redirect_uri`, for a code grant that has one.
    pub fn redirect_uri(&self) -> Option<&str> {
        match &self.body {
            GrantBody::AuthorizationCode { redirect_uri, .. } => redirect_uri.as_deref(),
            _ => None,
        }
    }

    /// The PKCE verifier, for a code grant that has one.
    pub fn pkce_verifier(&self) -> Option<&PkceVerifier> {
        match &self.body {
            GrantBody::AuthorizationCode { pkce_verifier, .. } => pkce_verifier.as_ref(),
            _ => None,
        }
    }

    /// Whether this grant carries a PKCE verifier.
    pub fn uses_pkce(&self) -> bool {
        self.pkce_verifier().is_some()
    }

    /// The refresh token, for a refresh grant.
    pub fn refresh_token_value(&self) -> Option<&SecretString> {
        match &self.body {
            GrantBody::RefreshToken { refresh_token } => Some(refresh_token),
            _ => None,
        }
    }

    /// The scopes to request.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The extra parameters added with [`with_param`](Self::with_param).
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// An extension grant's credential parameter called `name`.
    pub fn secret_param(&self, name: &str) -> Option<&SecretString> {
        match &self.body {
            GrantBody::Extension { params, .. } => {
                params.iter().find(|(n, _)| n == name).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// An extension grant's credential parameters, in the order added.
    pub fn secret_params(&self) -> &[(String, SecretString)] {
        match &self.body {
            GrantBody::Extension { params, .. } => params,
            _ => &[],
        }
    }
}
