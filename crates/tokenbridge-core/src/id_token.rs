//! ID-token verification as OpenID Connect Core 3.1.3.7 describes it
//! (<https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation>).
//!
//! The cryptography is [`jsonwebtoken`]'s (on `ring`, the same provider the HTTP stack's
//! rustls uses); this module decides which key may verify which token and checks the claims.
//! The token is parsed here rather than by the crate, so that each way a token can be wrong
//! gets its own [`IdTokenError`] and the algorithm is checked before any key is chosen.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};

use url::Url;

use crate::discovery::ProviderMetadata;
use crate::error::{Error, Result};
use crate::http::{ensure_secure_url, HttpClient};
use crate::id_token_rules::IdTokenRules;
use crate::jwks::{HttpJwksSource, JwksCache, JwksSource, KeyFamily, KeySet};

/// The largest token accepted: 64 KiB. Real ID tokens are a few kilobytes.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The largest encoded header accepted: 8 KiB.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Default clock-skew leeway for `exp`, `iat` and `nbf`: 60 s.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The longest `sub` accepted, in characters (OpenID Connect Core 1.0 section 2).
pub const MAX_SUBJECT_CHARS: usize = 255;

/// A JWS algorithm an ID token may be signed with. `none` has no variant: an unsigned token
/// is never accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// EdDSA on Ed25519.
    EdDsa,
    /// HMAC with SHA-256, keyed with the client secret.
    Hs256,
}

impl SigningAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [SigningAlgorithm; 5] = [
        SigningAlgorithm::Rs256,
        SigningAlgorithm::Ps256,
        SigningAlgorithm::Es256,
        SigningAlgorithm::EdDsa,
        SigningAlgorithm::Hs256,
    ];

    /// The JWS `alg` name, e.g. `RS256`.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::Ps256 => "PS256",
            SigningAlgorithm::Es256 => "ES256",
            SigningAlgorithm::EdDsa => "EdDSA",
            SigningAlgorithm::Hs256 => "HS256",
        }
    }

    /// Whether this is a shared-secret (HMAC) algorithm.
    pub fn is_symmetric(self) -> bool {
        self == SigningAlgorithm::Hs256
    }

    pub(crate) fn key_family(self) -> KeyFamily {
        match self {
            SigningAlgorithm::Rs256 | SigningAlgorithm::Ps256 => KeyFamily::Rsa,
            SigningAlgorithm::Es256 => KeyFamily::EcP256,
            SigningAlgorithm::EdDsa => KeyFamily::Ed25519,
            SigningAlgorithm::Hs256 => KeyFamily::Secret,
        }
    }

    pub(crate) fn jsonwebtoken(self) -> Algorithm {
        match self {
            SigningAlgorithm::Rs256 => Algorithm::RS256,
            SigningAlgorithm::Ps256 => Algorithm::PS256,
            SigningAlgorithm::Es256 => Algorithm::ES256,
            SigningAlgorithm::EdDsa => Algorithm::EdDSA,
            SigningAlgorithm::Hs256 => Algorithm::HS256,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.eq_ignore_ascii_case("none") {
            return Err(Error::config(
                "id_token_signed_response_alg",
                "alg `none` (unsigned ID tokens) is never accepted",
            ));
        }
        SigningAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                Error::config(
                    "id_token_signed_response_alg",
                    format!("unsupported ID-token algorithm {s:?}; expected one of: RS256, PS256, ES256, EdDSA, HS256"),
                )
            })
    }
}

/// The `at_hash` of `access_token` for a token signed with `alg`: the left half of the hash
/// of its ASCII bytes, base64url without padding (OpenID Connect Core 3.1.3.6). The hash is
/// the one of the signature algorithm: SHA-256 for the `*256` algorithms, SHA-512 for EdDSA on
/// Ed25519.
pub fn access_token_hash(alg: SigningAlgorithm, access_token: &str) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlgorithm::EdDsa => Sha512::digest(access_token.as_bytes()).to_vec(),
        _ => Sha256::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Where "now" comes from, so verification can be tested at any instant.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Why an ID token was refused. Messages name the check that failed and never contain the
/// token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token is not a well-formed signed JWT: wrong segment count, bad base64, a header or
    /// payload that is not a JSON object, a required claim missing or of the wrong type, or
    /// over the size caps.
    #[error("ID token refused (malformed): {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },

    /// The header's `alg` is not one the verifier is configured to accept (`none` never is).
    #[error(
        "ID token refused (algorithm): {}; allowed: {}",
        describe_alg(.algorithm),
        .allowed.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
    )]
    AlgorithmNotAllowed {
        /// The header's `alg`, shortened if long.
        algorithm: String,
        /// What the verifier accepts.
        allowed: Vec<SigningAlgorithm>,
    },

    /// No key in the provider's JWKS fits the token, even after fetching the JWKS again.
    #[error(
        "ID token refused (unknown key): the provider's JWKS has no {algorithm} key{}; an \
         unknown key makes the JWKS be fetched again, at most once per refresh interval",
        .kid.as_deref().map(|k| format!(" with kid {k:?}")).unwrap_or_default()
    )]
    UnknownKey {
        /// The header's `kid`, when it has one.
        kid: Option<String>,
        /// The header's algorithm.
        algorithm: SigningAlgorithm,
    },

    /// The signature does not verify with any fitting key.
    #[error("ID token refused (signature): the signature does not verify with the provider's {algorithm} key")]
    BadSignature {
        /// The header's algorithm.
        algorithm: SigningAlgorithm,
    },

    /// `iss` is not exactly the expected issuer.
    #[error(
        "ID token refused (issuer): expected {expected:?}, the token says {}",
        .found.as_deref().map(|f| format!("{f:?}")).unwrap_or_else(|| "nothing".to_owned())
    )]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`, if any.
        found: Option<String>,
    },

    /// `aud` does not contain the client id, or `azp` is missing or another client's.
    #[error("ID token refused (audience): {reason}")]
    WrongAudience {
        /// What is wrong.
        reason: String,
    },

    /// `exp` has passed, beyond the leeway.
    #[error(
        "ID token refused (expired): it expired at {} (Unix time), now is {}, leeway {}s",
        unix(*.expired_at), unix(*.now), .leeway.as_secs()
    )]
    Expired {
        /// The token's `exp`.
        expired_at: SystemTime,
        /// The verifier's now.
        now: SystemTime,
        /// The leeway allowed.
        leeway: Duration,
    },

    /// `nbf` or `iat` is in the future, beyond the leeway.
    #[error(
        "ID token refused (not yet valid): its {claim} is {} (Unix time), now is {}, leeway {}s; \
         check the clocks",
        unix(*.at), unix(*.now), .leeway.as_secs()
    )]
    NotYetValid {
        /// `nbf` or `iat`.
        claim: &'static str,
        /// The claim's time.
        at: SystemTime,
        /// The verifier's now.
        now: SystemTime,
        /// The leeway allowed.
        leeway: Duration,
    },

    /// The caller expected a nonce and the token has another one, or none.
    #[error(
        "ID token refused (nonce): {}",
        if *.missing { "the token has no nonce, but one was expected" }
        else { "the token's nonce is not the one sent in the authorization request" }
    )]
    NonceMismatch {
        /// Whether the token had no nonce at all.
        missing: bool,
    },

    /// `at_hash` does not match the access token issued with the ID token.
    #[error("ID token refused (at_hash): the access token does not match the token's at_hash")]
    AtHashMismatch,

    /// The userinfo answer names another user than the verified ID token (OpenID Connect
    /// Core 5.3.4): it must not be used.
    #[error(
        "ID token refused (subject): the userinfo answer's sub differs from the ID token's; the \
         access token may have been substituted"
    )]
    SubjectMismatch,

    /// The provider's keys could not be fetched, so the token could not be checked.
    #[error("ID token not verified (key source): could not fetch the provider's JWKS: {0}")]
    KeySource(#[source] Arc<Error>),

    /// A claim a vendor rule pins ([`IdTokenRules`]) has another value,
    /// or is missing (Google's `hd` against the configured hosted domain).
    #[error(
        "ID token refused (claim {claim}): expected {expected:?}, the token says {}",
        .found.as_deref().map(|f| format!("{f:?}")).unwrap_or_else(|| "nothing".to_owned())
    )]
    ClaimMismatch {
        /// The claim's name.
        claim: String,
        /// The value the configuration expects.
        expected: String,
        /// The token's value, if any.
        found: Option<String>,
    },
}

impl IdTokenError {
    /// The name of the failed check: `malformed`, `algorithm`, `unknown key`, `signature`,
    /// `issuer`, `audience`, `expired`, `not yet valid`, `nonce`, `at_hash`, `subject` or
    /// `key source`.
    pub fn check(&self) -> &'static str {
        match self {
            IdTokenError::Malformed { .. } => "malformed",
            IdTokenError::AlgorithmNotAllowed { .. } => "algorithm",
            IdTokenError::UnknownKey { .. } => "unknown key",
            IdTokenError::BadSignature { .. } => "signature",
            IdTokenError::WrongIssuer { .. } => "issuer",
            IdTokenError::ClaimMismatch { .. } => "claim",
            IdTokenError::WrongAudience { .. } => "audience",
            IdTokenError::Expired { .. } => "expired",
            IdTokenError::NotYetValid { .. } => "not yet valid",
            IdTokenError::NonceMismatch { .. } => "nonce",
            IdTokenError::AtHashMismatch => "at_hash",
            IdTokenError::SubjectMismatch => "subject",
            IdTokenError::KeySource(_) => "key source",
        }
    }

    fn malformed(reason: impl Into<String>) -> Self {
        IdTokenError::Malformed {
            reason: reason.into(),
        }
    }
}

fn describe_alg(alg: &str) -> String {
    if alg.eq_ignore_ascii_case("none") {
        "alg `none` (an unsigned token) is never accepted".to_owned()
    } else {
        format!("alg {alg:?} is not allowed")
    }
}

fn unix(t: SystemTime) -> String {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs().to_string(),
        Err(_) => "before 1970".to_owned(),
    }
}

/// What the caller knows from its own side of the login, checked against the token.
#[derive(Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    nonce: Option<&'a str>,
    access_token: Option<&'a str>,
}

impl<'a> VerifyOptions<'a> {
    /// No nonce, no access token.
    pub fn new() -> Self {
        Self::default()
    }

    /// The nonce sent in the authorization request: the token must carry exactly this one.
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// The access token issued with the ID token: checked against `at_hash` when present.
    pub fn access_token(mut self, access_token: &'a str) -> Self {
        self.access_token = Some(access_token);
        self
    }
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("nonce", &self.nonce)
            .field("access_token", &self.access_token.map(|_| "[redacted]"))
            .finish()
    }
}

/// The claims of an ID token that passed every check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedIdToken {
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud`, as a list even when the token has one string.
    pub audience: Vec<String>,
    /// `exp`.
    pub expires_at: SystemTime,
    /// `iat`.
    pub issued_at: SystemTime,
    /// `nonce`, if any.
    pub nonce: Option<String>,
    /// `azp`, if any.
    pub authorized_party: Option<String>,
    /// The algorithm the token was signed with.
    pub algorithm: SigningAlgorithm,
    /// The `kid` of the key that verified it, if the token named one.
    pub key_id: Option<String>,
    /// Every claim of the payload, as sent.
    pub claims: Map<String, Value>,
}

/// Verifies ID tokens from one provider for one client. Cheap to share behind an `Arc`; the
/// JWKS cache lives inside.
pub struct IdTokenVerifier {
    issuer: String,
    client_id: String,
    algorithms: BTreeSet<SigningAlgorithm>,
    leeway: Duration,
    client_secret: Option<SecretString>,
    jwks: Option<JwksCache>,
    clock: Arc<dyn Clock>,
    rules: Option<Arc<dyn IdTokenRules>>,
}

impl fmt::Debug for IdTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenVerifier")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("jwks", &self.jwks)
            .field("clock", &self.clock)
            .field("rules", &self.rules)
            .finish()
    }
}

/// Builds an [`IdTokenVerifier`]; see [`IdTokenVerifier::builder`].
pub struct IdTokenVerifierBuilder {
    issuer: String,
    client_id: String,
    algorithms: BTreeSet<SigningAlgorithm>,
    leeway: Duration,
    client_secret: Option<SecretString>,
    jwks: Option<JwksCache>,
    clock: Arc<dyn Clock>,
    rules: Option<Arc<dyn IdTokenRules>>,
}

impl fmt::Debug for IdTokenVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenVerifierBuilder")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("jwks", &self.jwks)
            .finish_non_exhaustive()
    }
}

impl IdTokenVerifierBuilder {
    /// The vendor's rules for `iss` and further claims (see [`IdTokenRules`]), replacing the
    /// exact issuer comparison.
    pub fn rules(mut self, rules: Arc<dyn IdTokenRules>) -> Self {
        self.rules = Some(rules);
        self
    }

    /// The algorithms accepted, replacing the default (RS256 only).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = SigningAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// The clock-skew leeway for `exp`, `iat` and `nbf` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The client secret, the HS256 key. Only allowed when HS256 is.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Where the provider's public keys come from, cached with the default refresh interval.
    pub fn key_source(self, source: Arc<dyn JwksSource>) -> Self {
        self.jwks(JwksCache::new(source))
    }

    /// A key cache configured by the caller (e.g. another refresh interval).
    pub fn jwks(mut self, cache: JwksCache) -> Self {
        self.jwks = Some(cache);
        self
    }

    /// Where "now" comes from (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accepts the asymmetric algorithms the provider's discovery document lists in
    /// `id_token_signing_alg_values_supported` (never `none`; HS256 only when added with
    /// [`IdTokenVerifierBuilder::algorithms`] and a client secret, since it depends on how the
    /// client is registered). RS256 when the list names none of them: OpenID Connect Discovery
    /// 1.0 section 3 requires providers to support it.
    pub fn algorithms_from_metadata(self, metadata: &ProviderMetadata) -> Self {
        let listed: BTreeSet<SigningAlgorithm> = metadata
            .id_token_signing_alg_values_supported
            .iter()
            .flatten()
            .filter_map(|a| a.parse::<SigningAlgorithm>().ok())
            .filter(|a| !a.is_symmetric())
            .collect();
        if listed.is_empty() {
            self.algorithms([SigningAlgorithm::Rs256])
        } else {
            self.algorithms(listed)
        }
    }

    /// Checks the settings fit together.
    pub fn build(self) -> Result<IdTokenVerifier> {
        if self.issuer.is_empty() {
            return Err(Error::config(
                "issuer",
                "the expected ID-token issuer is empty",
            ));
        }
        if self.client_id.is_empty() {
            return Err(Error::config("client_id", "the client id is empty"));
        }
        if self.algorithms.is_empty() {
            return Err(Error::config(
                "id_token_signed_response_alg",
                "no ID-token algorithm is allowed; allow at least one (RS256 is the default)",
            ));
        }
        let hs = self.algorithms.contains(&SigningAlgorithm::Hs256);
        match (&self.client_secret, hs) {
            (None, true) => {
                return Err(Error::config(
                    "client_secret",
                    "HS256 ID tokens are verified with the client secret, and none is set",
                ))
            }
            (Some(s), true) if s.expose_secret().is_empty() => {
                return Err(Error::config("client_secret", "the client secret is empty"))
            }
            (Some(_), false) => {
                // A secret with no HS256 would be unused at best; refusing it keeps the
                // configured algorithms the single source of which keys may verify.
                return Err(Error::config(
                    "client_secret",
                    "a client secret is only used to verify HS256 ID tokens, and HS256 is not allowed",
                ));
            }
            _ => {}
        }
        if self.jwks.is_none() && self.algorithms.iter().any(|a| !a.is_symmetric()) {
            return Err(Error::config(
                "jwks_uri",
                "asymmetric ID-token algorithms need the provider's JWKS; set jwks_uri (or use discovery)",
            ));
        }
        Ok(IdTokenVerifier {
            issuer: self.issuer,
            client_id: self.client_id,
            algorithms: self.algorithms,
            leeway: self.leeway,
            client_secret: self.client_secret,
            jwks: self.jwks,
            clock: self.clock,
            rules: self.rules,
        })
    }
}

/// A signed JWT split and decoded, before any check.
struct Parsed<'t> {
    signing_input: &'t str,
    signature_b64: &'t str,
    algorithm: SigningAlgorithm,
    kid: Option<String>,
    payload: Map<String, Value>,
}

impl IdTokenVerifier {
    /// Starts a verifier for tokens issued by `issuer` (compared exactly) to `client_id`.
    pub fn builder(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
    ) -> IdTokenVerifierBuilder {
        IdTokenVerifierBuilder {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algorithms: BTreeSet::from([SigningAlgorithm::Rs256]),
            leeway: DEFAULT_LEEWAY,
            client_secret: None,
            jwks: None,
            clock: Arc::new(SystemClock),
            rules: None,
        }
    }

    /// Starts a verifier from a provider's discovery document: its `issuer`, its `jwks_uri`
    /// (fetched with `http`) and its listed algorithms (see
    /// [`IdTokenVerifierBuilder::algorithms_from_metadata`]).
    pub fn builder_from_metadata(
        metadata: &ProviderMetadata,
        client_id: impl Into<String>,
        http: HttpClient,
    ) -> Result<IdTokenVerifierBuilder> {
        let issuer = metadata.issuer.clone().ok_or_else(|| {
            Error::config(
                "issuer",
                "the discovery document has no issuer, so ID tokens cannot be checked against it",
            )
        })?;
        let jwks_uri = metadata.jwks_uri.as_deref().ok_or_else(|| {
            Error::config(
                "jwks_uri",
                "the discovery document has no jwks_uri, so ID-token signatures cannot be checked",
            )
        })?;
        let url = Url::parse(jwks_uri).map_err(|e| {
            Error::config(
                "jwks_uri",
                format!("discovery gave jwks_uri {jwks_uri:?}, which is not a URL ({e})"),
            )
        })?;
        ensure_secure_url(&url, "jwks_uri (from discovery)")?;
        Ok(Self::builder(issuer, client_id)
            .algorithms_from_metadata(metadata)
            .key_source(Arc::new(HttpJwksSource::new(http, url))))
    }

    /// The expected issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id tokens must be issued to.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The accepted algorithms.
    pub fn algorithms(&self) -> impl Iterator<Item = SigningAlgorithm> + '_ {
        self.algorithms.iter().copied()
    }

    /// Verifies `token` at the clock's now.
    pub async fn verify(
        &self,
        token: &str,
        options: &VerifyOptions<'_>,
    ) -> std::result::Result<VerifiedIdToken, IdTokenError> {
        self.verify_at(token, options, self.clock.now()).await
    }

    /// Verifies `token` as if the time were `now`.
    pub async fn verify_at(
        &self,
        token: &str,
        options: &VerifyOptions<'_>,
        now: SystemTime,
    ) -> std::result::Result<VerifiedIdToken, IdTokenError> {
        let parsed = self.parse(token)?;
        self.check_signature(&parsed).await?;
        self.check_claims(parsed, options, now)
    }

    fn parse<'t>(&self, token: &'t str) -> std::result::Result<Parsed<'t>, IdTokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(IdTokenError::malformed(format!(
                "the token is {} bytes, over the {MAX_TOKEN_BYTES}-byte cap",
                token.len()
            )));
        }
        let segments: Vec<&str> = token.split('.').collect();
        if segments.len() != 3 {
            let jwe = if segments.len() == 5 {
                " (an encrypted JWE token, which is not supported)"
            } else {
                ""
            };
            return Err(IdTokenError::malformed(format!(
                "a signed JWT has 3 dot-separated segments, this token has {}{jwe}",
                segments.len()
            )));
        }
        let (header_b64, payload_b64, signature_b64) = (segments[0], segments[1], segments[2]);
        if header_b64.len() > MAX_HEADER_BYTES {
            return Err(IdTokenError::malformed(format!(
                "the header is {} bytes, over the {MAX_HEADER_BYTES}-byte cap",
                header_b64.len()
            )));
        }
        let header = decode_object(header_b64, "header")?;
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| IdTokenError::malformed("the header has no string `alg`"))?;
        let algorithm = SigningAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == alg && self.algorithms.contains(a))
            .ok_or_else(|| IdTokenError::AlgorithmNotAllowed {
                algorithm: alg.chars().take(32).collect(),
                allowed: self.algorithms.iter().copied().collect(),
            })?;
        if header.contains_key("crit") {
            // RFC 7515 section 4.1.11: extensions listed in `crit` must be understood, and
            // none are.
            return Err(IdTokenError::malformed(
                "the header lists critical extensions (`crit`), none of which are supported",
            ));
        }
        let kid = match header.get("kid") {
            None | Some(Value::Null) => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => {
                return Err(IdTokenError::malformed(
                    "the header's `kid` is not a string",
                ))
            }
        };
        let payload = decode_object(payload_b64, "payload")?;
        if signature_b64.is_empty() {
            return Err(IdTokenError::malformed("the signature segment is empty"));
        }
        if URL_SAFE_NO_PAD.decode(signature_b64).is_err() {
            return Err(IdTokenError::malformed("the signature is not base64url"));
        }
        Ok(Parsed {
            signing_input: &token[..header_b64.len() + 1 + payload_b64.len()],
            signature_b64,
            algorithm,
            kid,
            payload,
        })
    }

    async fn check_signature(&self, parsed: &Parsed<'_>) -> std::result::Result<(), IdTokenError> {
        let alg = parsed.algorithm;
        let verifies = |key: &DecodingKey| {
            // An error here is a key the crypto provider refuses (e.g. an RSA modulus under
            // 2048 bits): it verifies nothing.
            jsonwebtoken::crypto::verify(
                parsed.signature_b64,
                parsed.signing_input.as_bytes(),
                key,
                alg.jsonwebtoken(),
            )
            .unwrap_or(false)
        };
        if alg.is_symmetric() {
            // Only the configured secret keys HMAC, never material from the JWKS: that is
            // what keeps a public key from being used as an HMAC secret.
            let secret = self
                .client_secret
                .as_ref()
                .ok_or(IdTokenError::BadSignature { algorithm: alg })?;
            let key = DecodingKey::from_secret(secret.expose_secret().as_bytes());
            return if verifies(&key) {
                Ok(())
            } else {
                Err(IdTokenError::BadSignature { algorithm: alg })
            };
        }
        let cache = self.jwks.as_ref().ok_or(IdTokenError::UnknownKey {
            kid: parsed.kid.clone(),
            algorithm: alg,
        })?;
        let kid = parsed.kid.as_deref();
        let keys: Arc<KeySet> = cache
            .keys(|set| match kid {
                // A known kid of the wrong type is an attack or a misconfiguration, not a
                // rotation: fetching again would not help.
                Some(kid) => set.has_kid(kid),
                None => set.candidates(alg, None).next().is_some(),
            })
            .await?;
        let mut candidates = keys.candidates(alg, kid).peekable();
        if candidates.peek().is_none() {
            return Err(IdTokenError::UnknownKey {
                kid: parsed.kid.clone(),
                algorithm: alg,
            });
        }
        if candidates.any(|k| verifies(&k.key)) {
            Ok(())
        } else {
            Err(IdTokenError::BadSignature { algorithm: alg })
        }
    }

    fn check_claims(
        &self,
        parsed: Parsed<'_>,
        options: &VerifyOptions<'_>,
        now: SystemTime,
    ) -> std::result::Result<VerifiedIdToken, IdTokenError> {
        let claims = parsed.payload;
        let found = optional_string(&claims, "iss")?;
        let accepted = match (&found, &self.rules) {
            (Some(found), Some(rules)) => rules.issuer_matches(&self.issuer, found, &claims),
            (Some(found), None) => *found == self.issuer,
            (None, _) => false,
        };
        let issuer = match found {
            Some(found) if accepted => found,
            found => {
                return Err(IdTokenError::WrongIssuer {
                    expected: self.issuer.clone(),
                    found: found.map(|i| i.chars().take(256).collect()),
                })
            }
        };
        let subject = optional_string(&claims, "sub")?
            .ok_or_else(|| IdTokenError::malformed("the required claim `sub` is missing"))?;
        // OpenID Connect Core 1.0 section 2: `sub` identifies the user and "MUST NOT exceed
        // 255 ASCII characters"; an empty one identifies nobody.
        if subject.is_empty() {
            return Err(IdTokenError::malformed("the claim `sub` is empty"));
        }
        let subject_chars = subject.chars().count();
        if subject_chars > MAX_SUBJECT_CHARS {
            return Err(IdTokenError::malformed(format!(
                "the claim `sub` is {subject_chars} characters long; OpenID Connect Core 1.0 \
                 section 2 allows at most {MAX_SUBJECT_CHARS}"
            )));
        }
        let audience = match claims.get("aud") {
            None => Vec::new(),
            Some(Value::String(a)) => vec![a.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .map(|a| a.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    IdTokenError::malformed("`aud` has a member that is not a string")
                })?,
            Some(_) => {
                return Err(IdTokenError::malformed(
                    "`aud` is neither a string nor an array",
                ))
            }
        };
        if !audience.contains(&self.client_id) {
            return Err(IdTokenError::WrongAudience {
                reason: format!(
                    "the token was not issued to client {:?} (its aud lists {} other audience(s))",
                    self.client_id,
                    audience.len()
                ),
            });
        }
        let authorized_party = optional_string(&claims, "azp")?;
        match (&authorized_party, audience.len() > 1) {
            (None, true) => {
                return Err(IdTokenError::WrongAudience {
                    reason: "the token has several audiences and no azp naming this client"
                        .to_owned(),
                })
            }
            (Some(azp), _) if *azp != self.client_id => {
                return Err(IdTokenError::WrongAudience {
                    reason: format!(
                        "the token's azp names another client, not {:?}",
                        self.client_id
                    ),
                })
            }
            _ => {}
        }
        let expires_at = required_time(&claims, "exp")?;
        if expires_at
            .checked_add(self.leeway)
            .is_some_and(|t| now >= t)
        {
            return Err(IdTokenError::Expired {
                expired_at: expires_at,
                now,
                leeway: self.leeway,
            });
        }
        let latest = now.checked_add(self.leeway).unwrap_or(now);
        let issued_at = required_time(&claims, "iat")?;
        if issued_at > latest {
            return Err(IdTokenError::NotYetValid {
                claim: "iat",
                at: issued_at,
                now,
                leeway: self.leeway,
            });
        }
        if let Some(nbf) = optional_time(&claims, "nbf")? {
            if nbf > latest {
                return Err(IdTokenError::NotYetValid {
                    claim: "nbf",
                    at: nbf,
                    now,
                    leeway: self.leeway,
                });
            }
        }
        let nonce = optional_string(&claims, "nonce")?;
        if let Some(expected) = options.nonce {
            match &nonce {
                None => return Err(IdTokenError::NonceMismatch { missing: true }),
                Some(n) if n != expected => {
                    return Err(IdTokenError::NonceMismatch { missing: false })
                }
                Some(_) => {}
            }
        }
        if let (Some(at_hash), Some(access_token)) =
            (optional_string(&claims, "at_hash")?, options.access_token)
        {
            if at_hash != access_token_hash(parsed.algorithm, access_token) {
                return Err(IdTokenError::AtHashMismatch);
            }
        }
        if let Some(rules) = &self.rules {
            rules.check_claims(&claims)?;
        }
        Ok(VerifiedIdToken {
            issuer,
            subject,
            audience,
            expires_at,
            issued_at,
            nonce,
            authorized_party,
            algorithm: parsed.algorithm,
            key_id: parsed.kid,
            claims,
        })
    }
}

fn decode_object(
    segment: &str,
    what: &str,
) -> std::result::Result<Map<String, Value>, IdTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| IdTokenError::malformed(format!("the {what} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(IdTokenError::malformed(format!(
            "the {what} is JSON but not an object"
        ))),
        Err(_) => Err(IdTokenError::malformed(format!("the {what} is not JSON"))),
    }
}

fn optional_string(
    claims: &Map<String, Value>,
    name: &str,
) -> std::result::Result<Option<String>, IdTokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(IdTokenError::malformed(format!(
            "the claim `{name}` is not a string"
        ))),
    }
}

/// A NumericDate claim (RFC 7519 section 2): seconds since the epoch, possibly fractional.
fn optional_time(
    claims: &Map<String, Value>,
    name: &str,
) -> std::result::Result<Option<SystemTime>, IdTokenError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    value
        .as_f64()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .map(Some)
        .ok_or_else(|| {
            IdTokenError::malformed(format!(
                "the claim `{name}` is not a date (seconds since 1970)"
            ))
        })
}

fn required_time(
    claims: &Map<String, Value>,
    name: &str,
) -> std::result::Result<SystemTime, IdTokenError> {
    optional_time(claims, name)?
        .ok_or_else(|| IdTokenError::malformed(format!("the required claim `{name}` is missing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip_and_none_is_refused() {
        for a in SigningAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<SigningAlgorithm>().unwrap(), a);
        }
        for bad in ["none", "NONE", "RS512", "rs256", ""] {
            assert!(bad.parse::<SigningAlgorithm>().is_err(), "{bad}");
        }
    }

    #[test]
    fn at_hash_matches_the_spec_example() {
        // OpenID Connect Core A.3: access token and at_hash of the RS256 example.
        assert_eq!(
            access_token_hash(
                SigningAlgorithm::Rs256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(access_token_hash(SigningAlgorithm::EdDsa, "x").len(), 43);
    }

    #[test]
    fn builder_refuses_inconsistent_settings() {
        let b = || IdTokenVerifier::builder("https://id.example.com", "app");
        assert!(b().build().is_err(), "RS256 without a key source");
        assert!(b().algorithms([SigningAlgorithm::Hs256]).build().is_err());
        assert!(b()
            .algorithms([])
            .client_secret(SecretString::from("s"))
            .build()
            .is_err());
        assert!(b()
            .algorithms([SigningAlgorithm::Hs256])
            .client_secret(SecretString::from("s"))
            .build()
            .is_ok());
        let err = IdTokenVerifier::builder("", "app")
            .algorithms([SigningAlgorithm::Hs256])
            .client_secret(SecretString::from("s"))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config { key: Some(k), .. } if k == "issuer"));
    }

    #[test]
    fn discovery_chooses_issuer_keys_and_algorithms() {
        let metadata =
            |doc: serde_json::Value| -> ProviderMetadata { serde_json::from_value(doc).unwrap() };
        let full = metadata(serde_json::json!({
            "issuer": "https://id.example.com",
            "token_endpoint": "https://id.example.com/token",
            "jwks_uri": "https://id.example.com/jwks",
            "id_token_signing_alg_values_supported": ["none", "HS256", "ES256", "PS256", "RS512"],
        }));
        let v = IdTokenVerifier::builder_from_metadata(&full, "app", HttpClient::default())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(v.issuer(), "https://id.example.com");
        assert_eq!(
            v.algorithms().collect::<Vec<_>>(),
            [SigningAlgorithm::Ps256, SigningAlgorithm::Es256]
        );
        let bare = metadata(serde_json::json!({
            "issuer": "https://id.example.com",
            "token_endpoint": "https://id.example.com/token",
            "jwks_uri": "https://id.example.com/jwks",
        }));
        let v = IdTokenVerifier::builder_from_metadata(&bare, "app", HttpClient::default())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            v.algorithms().collect::<Vec<_>>(),
            [SigningAlgorithm::Rs256]
        );
        for (doc, key) in [
            (
                serde_json::json!({"token_endpoint": "https://x/t", "jwks_uri": "https://x/j"}),
                "issuer",
            ),
            (
                serde_json::json!({"issuer": "https://x", "token_endpoint": "https://x/t"}),
                "jwks_uri",
            ),
            (
                serde_json::json!({"issuer": "https://x", "token_endpoint": "https://x/t", "jwks_uri": "http://x/j"}),
                "jwks_uri (from discovery)",
            ),
        ] {
            let err = IdTokenVerifier::builder_from_metadata(
                &metadata(doc),
                "app",
                HttpClient::default(),
            )
            .unwrap_err();
            assert!(
                matches!(&err, Error::Config { key: Some(k), .. } if k == key),
                "{err:?}"
            );
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let v = IdTokenVerifier::builder("https://id.example.com", "app")
            .algorithms([SigningAlgorithm::Hs256])
            .client_secret(SecretString::from("topsecret"))
            .build()
            .unwrap();
        assert!(!format!("{v:?}").contains("topsecret"));
        let o = VerifyOptions::new().access_token("tok-123").nonce("n");
        assert!(!format!("{o:?}").contains("tok-123"));
    }
}
