//! A provider's signing keys: where they come from ([`JwksSource`]) and a cache that fetches
//! them again when a token names a key it does not know ([`JwksCache`]).
//!
//! Providers rotate keys by publishing the new key in their JWKS before signing with it
//! (OpenID Connect Core 10.1, <https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys>),
//! so an unknown `kid` is the signal to fetch again. An attacker can send tokens with made-up
//! `kid`s just as easily, so that refetch happens at most once per interval, and concurrent
//! callers share one fetch.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use serde_json::Value;
use tokio::time::Instant;
use url::Url;

use crate::error::{Error, Result};
use crate::error::{IdTokenError, SigningAlgorithm};
use crate::protocol::discovery::{Jwk, Jwks};
use crate::transport::http::HttpClient;

/// Default least time between two JWKS fetches: 10 s. Short enough that a key published
/// right after a fetch is found soon; long enough that a flood of made-up `kid`s costs the
/// provider at most one request every 10 s.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// Where a verifier gets a provider's public keys.
#[async_trait]
pub trait JwksSource: Send + Sync + fmt::Debug {
    /// Fetches the current key set.
    async fn fetch(&self) -> Result<Jwks>;
}

/// The JWKS at a URL (`jwks_uri` from discovery or a vendor's documented endpoint), read by
/// [`Jwks::fetch`].
#[derive(Debug, Clone)]
pub struct HttpJwksSource {
    http: HttpClient,
    url: Url,
}

impl HttpJwksSource {
    /// Keys fetched from `url` with `http` (its timeouts and body cap apply).
    pub fn new(http: HttpClient, url: Url) -> Self {
        Self { http, url }
    }

    /// The JWKS URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
}

#[async_trait]
impl JwksSource for HttpJwksSource {
    async fn fetch(&self) -> Result<Jwks> {
        Jwks::fetch(&self.http, self.url.clone()).await
    }
}

/// A fixed key set, e.g. keys given in the configuration, or for tests.
#[derive(Debug, Clone)]
pub struct StaticJwksSource {
    jwks: Jwks,
}

impl StaticJwksSource {
    /// Always answers `jwks`.
    pub fn new(jwks: Jwks) -> Self {
        Self { jwks }
    }
}

#[async_trait]
impl JwksSource for StaticJwksSource {
    async fn fetch(&self) -> Result<Jwks> {
        Ok(self.jwks.clone())
    }
}

/// Which algorithms a key can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    /// An RSA public key: RS256 and PS256.
    Rsa,
    /// An EC P-256 public key: ES256.
    EcP256,
    /// An Ed25519 public key: EdDSA.
    Ed25519,
    /// A shared secret: HS256. Never built from a JWKS.
    Secret,
}

impl KeyFamily {
    /// The family of keys that verify `alg`.
    pub(crate) fn of(alg: SigningAlgorithm) -> Self {
        match alg {
            SigningAlgorithm::Rs256 | SigningAlgorithm::Ps256 => KeyFamily::Rsa,
            SigningAlgorithm::Es256 => KeyFamily::EcP256,
            SigningAlgorithm::EdDsa => KeyFamily::Ed25519,
            SigningAlgorithm::Hs256 => KeyFamily::Secret,
        }
    }
}

/// One usable public key from a JWKS.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pub(crate) kid: Option<String>,
    pub(crate) family: KeyFamily,
    /// The JWK's `alg`, when it names one: the key is then used for that algorithm only.
    pub(crate) alg: Option<String>,
    pub(crate) key: DecodingKey,
}

impl VerifyingKey {
    /// Whether this key may verify a token signed with `alg`.
    pub(crate) fn fits(&self, alg: SigningAlgorithm) -> bool {
        self.family == KeyFamily::of(alg) && self.alg.as_deref().is_none_or(|a| a == alg.as_str())
    }

    /// Reads a JWK; `None` for keys that are not signature keys tokenbridge can use (wrong or
    /// unsupported `kty`, `use` other than `sig`, missing or undecodable parameters).
    fn from_jwk(jwk: &Jwk) -> Option<Self> {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return None;
        }
        let param = |name: &str| jwk.params.get(name).and_then(Value::as_str);
        let decoded_len = |s: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .ok()
                .map(|b| b.len())
        };
        let (family, key) = match jwk.kty.as_str() {
            "RSA" => {
                let (n, e) = (param("n")?, param("e")?);
                // Empty or undecodable parameters would only fail later, at every verification.
                if decoded_len(n)? == 0 || decoded_len(e)? == 0 {
                    return None;
                }
                (KeyFamily::Rsa, DecodingKey::from_rsa_components(n, e).ok()?)
            }
            "EC" if param("crv") == Some("P-256") => {
                let (x, y) = (param("x")?, param("y")?);
                if decoded_len(x)? != 32 || decoded_len(y)? != 32 {
                    return None;
                }
                (
                    KeyFamily::EcP256,
                    DecodingKey::from_ec_components(x, y).ok()?,
                )
            }
            "OKP" if param("crv") == Some("Ed25519") => {
                let x = param("x")?;
                if decoded_len(x)? != 32 {
                    return None;
                }
                (KeyFamily::Ed25519, DecodingKey::from_ed_components(x).ok()?)
            }
            // `oct` keys in a public JWKS would be a shared secret published to everyone: an
            // HS256 token is only ever checked with the configured client secret.
            _ => return None,
        };
        Some(Self {
            kid: jwk.kid.clone(),
            family,
            alg: jwk.alg.clone(),
            key,
        })
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("family", &self.family)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The usable keys of one fetched JWKS.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<VerifyingKey>,
    /// How many entries of the JWKS were skipped as unusable.
    pub(crate) skipped: usize,
}

impl KeySet {
    pub(crate) fn from_jwks(jwks: &Jwks) -> Self {
        let keys: Vec<VerifyingKey> = jwks
            .keys
            .iter()
            .filter_map(VerifyingKey::from_jwk)
            .collect();
        Self {
            skipped: jwks.keys.len() - keys.len(),
            keys,
        }
    }

    /// The keys that may verify a token with `alg` and `kid`: with a `kid`, only keys with that
    /// `kid`; without one, every key of the right type.
    pub(crate) fn candidates<'a>(
        &'a self,
        alg: SigningAlgorithm,
        kid: Option<&'a str>,
    ) -> impl Iterator<Item = &'a VerifyingKey> {
        self.keys
            .iter()
            .filter(move |k| k.fits(alg) && (kid.is_none() || k.kid.as_deref() == kid))
    }

    /// Whether the set has a usable key with this `kid`, whatever its type.
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

/// What the cache holds between fetches.
#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// Fetch attempts so far, successful or not: a caller that waited for another's fetch
    /// sees this change and uses that fetch's result instead of fetching again.
    attempts: u64,
    last_attempt: Option<Instant>,
    last_error: Option<Arc<Error>>,
}

/// A provider's keys, fetched on first use and again when a token names an unknown key, at
/// most once per refresh interval. Concurrent callers share one in-flight fetch.
pub struct JwksCache {
    source: Arc<dyn JwksSource>,
    refresh_interval: Duration,
    state: Mutex<State>,
    /// Held while fetching, so at most one fetch is in flight.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("JwksCache")
            .field("source", &self.source)
            .field("refresh_interval", &self.refresh_interval)
            .field("keys", &state.keys.as_ref().map(|k| k.keys.len()))
            .field("skipped_keys", &state.keys.as_ref().map(|k| k.skipped))
            .field("attempts", &state.attempts)
            .finish()
    }
}

impl JwksCache {
    /// A cache over `source`, with the default refresh interval (60 s).
    pub fn new(source: Arc<dyn JwksSource>) -> Self {
        Self {
            source,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets the least time between two fetches.
    pub fn with_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// The least time between two fetches.
    pub fn refresh_interval(&self) -> Duration {
        self.refresh_interval
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few plain fields updated in one step each, so a panic elsewhere
        // while the lock was held cannot have left it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current keys, fetched when there are none yet or when `satisfied` says they lack
    /// what the caller needs (and the refresh interval allows a fetch).
    ///
    /// Returns the keys as they are after that; the caller decides whether they now have
    /// what it needs.
    pub(crate) async fn keys(
        &self,
        satisfied: impl Fn(&KeySet) -> bool,
    ) -> std::result::Result<Arc<KeySet>, IdTokenError> {
        let seen_attempts = {
            let state = self.state();
            if let Some(keys) = &state.keys {
                if satisfied(keys) {
                    return Ok(Arc::clone(keys));
                }
            }
            state.attempts
        };
        let _fetching = self.fetching.lock().await;
        {
            let state = self.state();
            let waited_for_another = state.attempts != seen_attempts;
            let too_soon = state
                .last_attempt
                .is_some_and(|t| t.elapsed() < self.refresh_interval);
            if waited_for_another || too_soon {
                return match (&state.keys, &state.last_error) {
                    (Some(keys), _) => Ok(Arc::clone(keys)),
                    (None, Some(e)) => Err(IdTokenError::KeySource(Arc::clone(e))),
                    (None, None) => Ok(Arc::new(KeySet::default())),
                };
            }
        }
        let fetched = self.source.fetch().await;
        let mut state = self.state();
        state.attempts += 1;
        state.last_attempt = Some(Instant::now());
        match fetched {
            Ok(jwks) => {
                let keys = Arc::new(KeySet::from_jwks(&jwks));
                state.keys = Some(Arc::clone(&keys));
                state.last_error = None;
                Ok(keys)
            }
            Err(e) => {
                let e = Arc::new(e);
                state.last_error = Some(Arc::clone(&e));
                Err(IdTokenError::KeySource(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_parse_skips_garbage_entries() {
        let doc = json!({"Keys": [
            42,
            "text",
            {"no": "kty"},
            {"kty": 7},
            {"kty": "RSA", "kid": "k", "n": "AQAB", "e": "AQAB"},
        ]});
        let jwks = Jwks::from_json(&doc).unwrap();
        assert_eq!(jwks.keys.len(), 1);
        assert!(Jwks::from_json(&json!({"keys": {}})).is_err());
        assert!(Jwks::from_json(&json!([])).is_err());
    }

    #[test]
    fn unusable_keys_are_skipped() {
        let doc = json!({"keys": [
            {"kty": "RSA", "kid": "bad-b64", "n": "!!!", "e": "AQAB"},
            {"kty": "RSA", "kid": "no-e", "n": "AQAB"},
            {"kty": "RSA", "kid": "num", "n": 5, "e": "AQAB"},
            {"kty": "EC", "kid": "p384", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "EC", "kid": "short", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "OKP", "kid": "x448", "crv": "X448", "x": "AA"},
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "unknown", "kid": "u"},
            {"kty": "RSA", "kid": "ok", "n": "AQAB", "e": "AQAB"},
        ]});
        let set = KeySet::from_jwks(&Jwks::from_json(&doc).unwrap());
        assert_eq!(set.skipped, 9);
        assert!(set.has_kid("ok") && !set.has_kid("secret"));
        assert_eq!(set.candidates(SigningAlgorithm::Rs256, None).count(), 1);
        assert_eq!(set.candidates(SigningAlgorithm::Es256, None).count(), 0);
        assert_eq!(set.candidates(SigningAlgorithm::Hs256, None).count(), 0);
    }

    #[test]
    fn a_jwk_alg_pins_the_key_to_that_algorithm() {
        let doc =
            json!({"keys": [{"kty": "RSA", "kid": "k", "alg": "RS256", "n": "AQAB", "e": "AQAB"}]});
        let set = KeySet::from_jwks(&Jwks::from_json(&doc).unwrap());
        assert_eq!(
            set.candidates(SigningAlgorithm::Rs256, Some("k")).count(),
            1
        );
        assert_eq!(
            set.candidates(SigningAlgorithm::Ps256, Some("k")).count(),
            0
        );
        assert_eq!(
            set.candidates(SigningAlgorithm::Rs256, Some("j")).count(),
            0
        );
    }
}
