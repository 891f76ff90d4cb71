//! How a [`Provider`] is configured, and the checks that run when it is built.

use super::*;
use crate::protocol::id_token::IdTokenRules;

/// Builds a [`Provider`]; see [`Provider::builder`].
pub struct ProviderBuilder {
    pub(super) id: String,
    pub(super) vendor: &'static VendorDescription,
    pub(super) base_url: Option<String>,
    pub(super) issuer: Option<String>,
    pub(super) discovery_url: Option<String>,
    pub(super) token_endpoint: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<SecretString>,
    pub(super) auth_method: Option<AuthMethod>,
    pub(super) basic_encoding: Option<BasicEncoding>,
    pub(super) client_auth: Option<Arc<dyn ClientAuth>>,
    pub(super) http: Option<HttpClient>,
    pub(super) grants: Option<Vec<GrantKind>>,
    pub(super) redirect_uri: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) id_token_alg: Option<SigningAlgorithm>,
    pub(super) id_token_leeway: Option<std::time::Duration>,
    pub(super) clock: Option<Arc<dyn Clock>>,
    pub(super) id_token_rules: Option<Arc<dyn IdTokenRules>>,
    pub(super) authorization_params: Vec<(String, String)>,
    pub(super) par: bool,
    pub(super) dpop: bool,
    pub(super) subject_claim: Option<String>,
}

impl ProviderBuilder {
    /// Uses a vendor's description (paths, auth methods, grants, error codes, hooks) instead
    /// of the standard one.
    pub fn vendor(mut self, vendor: &'static VendorDescription) -> Self {
        self.vendor = vendor;
        self
    }

    /// The base URL the vendor's endpoint paths are joined to (its tenant or app host). A
    /// path prefix, e.g. for a proxy, is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The issuer; `<issuer>/.well-known/openid-configuration` is fetched on first use, and
    /// its `issuer` must equal this one.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// A discovery document at a non-standard place. Its `issuer` is checked only when
    /// [`issuer`](Self::issuer) is set too.
    pub fn discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = Some(url.into());
        self
    }

    /// The token endpoint, for a provider configured without discovery.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The client id (required unless [`client_auth`](Self::client_auth) is given).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The client secret.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The auth method. Without one: the vendor's documented default with a secret (or, with
    /// discovery, the advertised list decides, Basic preferred), `none` without a secret.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// How `client_secret_basic` encodes the credentials (default: the vendor's way).
    pub fn basic_encoding(mut self, encoding: BasicEncoding) -> Self {
        self.basic_encoding = Some(encoding);
        self
    }

    /// A custom client authentication, replacing id, secret and method.
    pub fn client_auth(mut self, auth: Arc<dyn ClientAuth>) -> Self {
        self.client_auth = Some(auth);
        self
    }

    /// The HTTP client (default: the shared pool with default timeouts and cap).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Narrows the grants accepted (default: the vendor's grants for the auth method).
    pub fn grants(mut self, grants: impl IntoIterator<Item = GrantKind>) -> Self {
        self.grants = Some(grants.into_iter().collect());
        self
    }

    /// The default redirect URI of sign-in requests.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The default scopes of sign-in requests.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The algorithm the provider signs this client's ID tokens with (the OpenID client
    /// metadata `id_token_signed_response_alg`): HS256 is verified with the client secret,
    /// the others with the JWKS. Default: the vendor's documented default (GenAuth: HS256 with
    /// the client secret or RS256), else what discovery lists, else RS256.
    pub fn id_token_signed_response_alg(mut self, algorithm: SigningAlgorithm) -> Self {
        self.id_token_alg = Some(algorithm);
        self
    }

    /// The clock-skew leeway of ID-token checks (default 60 s).
    pub fn id_token_leeway(mut self, leeway: std::time::Duration) -> Self {
        self.id_token_leeway = Some(leeway);
        self
    }

    /// Pushes every authorization request to the provider's pushed authorization request
    /// endpoint (RFC 9126) with client authentication, so the browser's URL carries only
    /// `client_id` and `request_uri` (configuration key `par`). Without it, requests are
    /// pushed only when discovery says `require_pushed_authorization_requests`.
    pub fn par(mut self, enabled: bool) -> Self {
        self.par = enabled;
        self
    }

    /// Binds tokens to a key (DPoP, RFC 9449; configuration key `dpop`): every token request
    /// carries a proof from an ES256 key pair generated for the session and kept with its
    /// tokens ([`TokenSet::dpop_key`](crate::TokenSet::dpop_key)).
    pub fn dpop(mut self, enabled: bool) -> Self {
        self.dpop = enabled;
        self
    }

    /// Reads the identity's subject from the claim `name` instead of the vendor's own subject
    /// (configuration key `subject_claim`), e.g. `unionid` to name a WeChat user the same way
    /// across an organization's apps. The claim must be a non-empty string or a number
    /// (written as decimal text); an identity without it is an error, never a fallback.
    pub fn subject_claim(mut self, name: impl Into<String>) -> Self {
        self.subject_claim = Some(name.into());
        self
    }

    /// Where ID-token checks read "now" (default the system clock); for tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The vendor's rules on ID-token claims where the issuer is not one fixed string or a
    /// claim is pinned by configuration (see [`IdTokenRules`]).
    pub fn id_token_rules(mut self, rules: Arc<dyn IdTokenRules>) -> Self {
        self.id_token_rules = Some(rules);
        self
    }

    /// A parameter every authorization request of this provider carries (Google's
    /// `access_type=offline`); a caller's
    /// [`param`](crate::AuthorizationRequestBuilder::param) of the same name replaces it.
    pub fn authorization_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.authorization_params.push((name.into(), value.into()));
        self
    }

    /// Checks the configuration and builds the provider. Nothing is sent yet.
    pub fn build(self) -> Result<Provider> {
        let vendor = self.vendor;
        if self.id.is_empty() {
            return Err(Error::config("provider", "the provider id is empty"));
        }
        if self
            .subject_claim
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            return Err(Error::config("subject_claim", "the claim name is empty"));
        }
        let base_url = self
            .base_url
            .as_deref()
            .map(|b| parse_base_url(b, "base_url", "https://tenant.example.com"))
            .transpose()?;
        let issuer = self
            .issuer
            .as_deref()
            .map(|i| parse_secure_url(i, "issuer"))
            .transpose()?;
        // A path joins the base URL; a vendor's absolute URL stands alone, or moves onto the
        // base URL's origin when one is configured.
        let at_base = |entry: Option<&'static str>| match entry {
            Some(entry) => vendor_url(base_url.as_ref(), entry),
            None => Ok(None),
        };
        let mut fixed = FixedEndpoints {
            token: at_base(vendor.paths.token)?,
            authorization: at_base(vendor.paths.authorization)?,
            revocation: at_base(vendor.paths.revocation)?,
            userinfo: at_base(vendor.paths.userinfo)?,
            jwks: at_base(vendor.paths.jwks)?,
            end_session: at_base(vendor.paths.end_session)?,
            introspection: at_base(vendor.paths.introspection)?,
            device_authorization: at_base(vendor.paths.device_authorization)?,
            pushed_authorization_request: at_base(vendor.paths.pushed_authorization_request)?,
        };
        let refresh_endpoint = at_base(vendor.token_request.refresh_path)?;
        let mut discovery = match (&self.discovery_url, &issuer) {
            (Some(d), _) => Some(parse_secure_url(d, "discovery_url")?),
            (None, Some(i)) => Some(join_path(i, DISCOVERY_PATH)),
            (None, None) => at_base(vendor.paths.discovery)?,
        };
        let vendor_issuer = vendor
            .issuer_path
            .and_then(|entry| vendor_issuer(base_url.as_ref(), entry));
        if let Some(t) = &self.token_endpoint {
            if self.issuer.is_some() || self.discovery_url.is_some() {
                return Err(Error::config(
                    "token_endpoint",
                    "set either token_endpoint or issuer (discovery), not both",
                ));
            }
            fixed.token = Some(parse_secure_url(t, "token_endpoint")?);
            discovery = None;
        }
        if fixed.token.is_none() && discovery.is_none() {
            return Err(match vendor.paths.token {
                Some(_) => Error::config(
                    "base_url",
                    format!(
                        "{} needs base_url, the host its endpoints live below",
                        vendor.name
                    ),
                ),
                None => Error::config(
                    "token_endpoint",
                    "no token endpoint: set token_endpoint, or issuer for discovery",
                ),
            });
        }
        let (auth, method) = match self.client_auth {
            Some(auth) => {
                let method = auth.method_name().parse().ok();
                (AuthSpec::Custom(auth), method)
            }
            None => {
                let client_id = self
                    .client_id
                    .filter(|id| !id.trim().is_empty())
                    .ok_or_else(|| Error::config("client_id", "the client id is missing"))?;
                let secret = self.client_secret.clone();
                if secret
                    .as_ref()
                    .is_some_and(|s| secrecy::ExposeSecret::expose_secret(s).is_empty())
                {
                    return Err(Error::config("client_secret", "the client secret is empty"));
                }
                let method = check_auth_method(
                    vendor,
                    self.auth_method,
                    secret.is_some(),
                    fixed.token.is_some(),
                )?;
                (
                    AuthSpec::Secret {
                        client_id,
                        client_secret: secret,
                        method,
                        basic_encoding: self.basic_encoding.unwrap_or(vendor.basic_encoding),
                    },
                    method,
                )
            }
        };
        let offered = vendor.grants_for(method.unwrap_or(AuthMethod::ClientSecretBasic));
        let grants = match self.grants {
            Some(grants) => grants,
            None => offered.to_vec(),
        };
        let redirect_uri = match self.redirect_uri {
            Some(uri) => {
                parse_secure_url(&uri, "redirect_uri").or_else(|e| {
                    // A custom scheme (`com.example.app:/cb`, RFC 8252 7.1) is fine for a
                    // native app; only http(s) URIs are held to the https rule.
                    match Url::parse(&uri) {
                        Ok(u) if !matches!(u.scheme(), "http" | "https") => Ok(u),
                        _ => Err(e),
                    }
                })?;
                Some(uri)
            }
            None => None,
        };
        Ok(Provider {
            inner: Arc::new(Inner {
                id: self.id,
                vendor,
                base_url,
                refresh_endpoint,
                vendor_issuer,
                subject_claim: self.subject_claim,
                issuer,
                discovery,
                fixed,
                auth,
                http: self.http.unwrap_or_default(),
                grants,
                redirect_uri,
                scopes: self.scopes,
                metadata: OnceCell::new(),
                resolved: OnceCell::new(),
                completed_logins: CompletedLogins::default(),
                identity: IdentitySettings {
                    algorithm: self.id_token_alg,
                    // Kept for HS256 ID tokens even with a custom client authentication.
                    client_secret: self.client_secret,
                    leeway: self.id_token_leeway,
                    clock: self.clock,
                    rules: self.id_token_rules,
                    verifier: OnceCell::new(),
                },
                par: self.par,
                dpop: self.dpop,
                dpop_nonce: crate::protocol::dpop::NonceCache::default(),
                authorization_params: self.authorization_params,
            }),
        })
    }
}

/// Checks a configured auth method against the vendor's documented ones and the secret; with
/// a fixed token endpoint and no method configured, picks the vendor's default. `None` leaves
/// the choice to discovery.
fn check_auth_method(
    vendor: &VendorDescription,
    configured: Option<AuthMethod>,
    has_secret: bool,
    fixed_token_endpoint: bool,
) -> Result<Option<AuthMethod>> {
    if configured.is_none() && !has_secret && !vendor.auth_methods.contains(&AuthMethod::None) {
        return Err(Error::config(
            "client_secret",
            format!(
                "{} needs a client secret (it documents no public clients); set client_secret_env \
                 (or client_secret)",
                vendor.name
            ),
        ));
    }
    let method = match configured {
        Some(m) => m,
        None if fixed_token_endpoint || !has_secret => vendor.default_auth_method(has_secret),
        None => return Ok(None),
    };
    if !vendor.auth_methods.contains(&method) {
        let documented: Vec<&str> = vendor.auth_methods.iter().map(|m| m.as_str()).collect();
        return Err(Error::config(
            "auth_method",
            format!(
                "{} documents only {} at its token endpoint, not {method}",
                vendor.name,
                documented.join(", ")
            ),
        ));
    }
    match (method.needs_secret(), has_secret) {
        (true, false) => Err(Error::config(
            "client_secret",
            format!(
                "auth method {method} needs a client secret; set one, or use auth_method \"none\" \
                 for a public client (with PKCE)"
            ),
        )),
        (false, true) => Err(Error::config(
            "client_secret",
            "a client secret is set but auth_method is \"none\", so it would never be sent; \
             remove the secret for a public (PKCE) client, or choose a secret-based auth_method",
        )),
        _ => Ok(Some(method)),
    }
}

/// Which protocol flavour a vendor endpoint speaks, where a vendor offers both (GenAuth's
/// `/oidc/*` and `/oauth/*`, Huawei OneAccess's OIDC and OAuth 2.0 applications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// OpenID Connect: id tokens, `redirect_uri` required.
    #[default]
    Oidc,
    /// Plain OAuth 2.0: no id token.
    OAuth2,
}

impl Protocol {
    /// The configuration spelling: `oidc` or `oauth`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Oidc => "oidc",
            Protocol::OAuth2 => "oauth",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Protocol {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "oidc" => Ok(Protocol::Oidc),
            "oauth" | "oauth2" => Ok(Protocol::OAuth2),
            other => Err(Error::config(
                "protocol",
                format!("unknown protocol {other:?}; expected \"oidc\" or \"oauth\""),
            )),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Protocol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // Unquoted: a settings error quotes nothing a kind's table holds.
        s.parse()
            .map_err(|_| serde::de::Error::custom("unknown protocol; expected oidc or oauth"))
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
