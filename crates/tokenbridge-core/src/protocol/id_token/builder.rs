//! How an [`IdTokenVerifier`] is configured: algorithms, leeway, keys, clock.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result, SigningAlgorithm};
use crate::protocol::discovery::ProviderMetadata;
use crate::protocol::jwks::{JwksCache, JwksSource};

use super::{Clock, IdTokenRules, IdTokenVerifier};

/// Builds an [`IdTokenVerifier`]; see [`IdTokenVerifier::builder`].
pub struct IdTokenVerifierBuilder {
    // The settings are exactly the verifier's: `build` checks them and hands the verifier out.
    pub(super) unchecked: IdTokenVerifier,
}

impl fmt::Debug for IdTokenVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdTokenVerifierBuilder")
            .field(&self.unchecked)
            .finish()
    }
}

impl IdTokenVerifierBuilder {
    /// The vendor's rules for `iss` and further claims (see [`IdTokenRules`]), replacing the
    /// exact issuer comparison.
    pub fn rules(mut self, rules: Arc<dyn IdTokenRules>) -> Self {
        self.unchecked.rules = Some(rules);
        self
    }

    /// The algorithms accepted, replacing the default (RS256 only).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = SigningAlgorithm>) -> Self {
        self.unchecked.algorithms = algorithms.into_iter().collect();
        self
    }

    /// The clock-skew leeway for `exp`, `iat` and `nbf` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.unchecked.leeway = leeway;
        self
    }

    /// The client secret, the HS256 key. Only allowed when HS256 is.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.unchecked.client_secret = Some(secret);
        self
    }

    /// Where the provider's public keys come from, cached with the default refresh interval.
    pub fn key_source(self, source: Arc<dyn JwksSource>) -> Self {
        self.jwks(JwksCache::new(source))
    }

    /// A key cache configured by the caller (e.g. another refresh interval).
    pub fn jwks(mut self, cache: JwksCache) -> Self {
        self.unchecked.jwks = Some(cache);
        self
    }

    /// Where "now" comes from (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.unchecked.clock = clock;
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
        let v = &self.unchecked;
        if v.issuer.is_empty() {
            return Err(Error::config(
                "issuer",
                "the expected ID-token issuer is empty",
            ));
        }
        if v.client_id.is_empty() {
            return Err(Error::config("client_id", "the client id is empty"));
        }
        if v.algorithms.is_empty() {
            return Err(Error::config(
                "id_token_signed_response_alg",
                "no ID-token algorithm is allowed; allow at least one (RS256 is the default)",
            ));
        }
        let hs = v.algorithms.contains(&SigningAlgorithm::Hs256);
        match (&v.client_secret, hs) {
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
        if v.jwks.is_none() && v.algorithms.iter().any(|a| !a.is_symmetric()) {
            return Err(Error::config(
                "jwks_uri",
                "asymmetric ID-token algorithms need the provider's JWKS; set jwks_uri (or use discovery)",
            ));
        }
        Ok(self.unchecked)
    }
}
