//! ID-token verification as OpenID Connect Core 3.1.3.7 describes it
//! (<https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation>).
//!
//! The cryptography is [`jsonwebtoken`]'s (on `ring`, the same provider the HTTP stack's
//! rustls uses); this module decides which key may verify which token and checks the claims.
//! The token is parsed here rather than by the crate, so that each way a token can be wrong
//! gets its own [`IdTokenError`] and the algorithm is checked before any key is chosen.

mod builder;
mod rules;

pub use builder::IdTokenVerifierBuilder;
pub use rules::IdTokenRules;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::DecodingKey;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};

use url::Url;

use crate::error::IdTokenError;
use crate::error::SigningAlgorithm;
use crate::error::{Error, Result};
use crate::protocol::discovery::ProviderMetadata;
use crate::protocol::jwks::{HttpJwksSource, JwksCache, KeySet};
use crate::transport::http::HttpClient;
use crate::transport::url::ensure_secure_url;

/// The largest token accepted: 64 KiB. Real ID tokens are a few kilobytes.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The largest encoded header accepted: 8 KiB.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Default clock-skew leeway for `exp`, `iat` and `nbf`: 60 s.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The longest `sub` accepted, in characters (OpenID Connect Core 1.0 section 2).
pub const MAX_SUBJECT_CHARS: usize = 255;

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
    pub(super) issuer: String,
    pub(super) client_id: String,
    pub(super) algorithms: BTreeSet<SigningAlgorithm>,
    pub(super) leeway: Duration,
    pub(super) client_secret: Option<SecretString>,
    pub(super) jwks: Option<JwksCache>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) rules: Option<Arc<dyn IdTokenRules>>,
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
            unchecked: IdTokenVerifier {
                issuer: issuer.into(),
                client_id: client_id.into(),
                algorithms: BTreeSet::from([SigningAlgorithm::Rs256]),
                leeway: DEFAULT_LEEWAY,
                client_secret: None,
                jwks: None,
                clock: Arc::new(SystemClock),
                rules: None,
            },
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
mod tests;
