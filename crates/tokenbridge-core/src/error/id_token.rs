//! Why an ID token was refused, and the algorithms it may be signed with: here, below the
//! verifier, because [`Error`] carries an [`IdTokenError`].

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;

use super::{Error, Result};

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

    /// The algorithm as `jsonwebtoken` names it.
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

    /// A claim a vendor rule pins (`IdTokenRules`) has another value, or is missing (Google's
    /// `hd` against the configured hosted domain).
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

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
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
