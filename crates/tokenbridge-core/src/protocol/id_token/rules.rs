//! Vendor rules on ID-token claims where OpenID Connect's exact issuer comparison is not
//! what the vendor documents: an issuer written two ways (Google: `https://accounts.google.com`
//! or `accounts.google.com`), an issuer that is a template filled from the token's own claims
//! (Microsoft Entra ID's multi-tenant `{tenantid}`), or a claim the configuration pins
//! (Google's `hd`). A provider carries at most one [`IdTokenRules`]
//! ([`ProviderBuilder::id_token_rules`](crate::ProviderBuilder::id_token_rules)); every other
//! check (signature, audience, lifetime, nonce, `at_hash`) stays core's.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::IdTokenError;

/// How one provider's ID tokens are checked beyond the standard checks. Both methods default
/// to the standard behaviour, so a vendor overrides only what its documentation says.
pub trait IdTokenRules: Send + Sync + fmt::Debug {
    /// Whether the token's `iss` (`found`) is acceptable when the provider's issuer (from
    /// discovery, configuration or the vendor's description) is `expected`; `claims` are the
    /// token's, for a template filled from them. Default: exactly equal.
    fn issuer_matches(&self, expected: &str, found: &str, claims: &Map<String, Value>) -> bool {
        let _ = claims;
        expected == found
    }

    /// Checks the claims further once every standard check passed (e.g. `hd` equals the
    /// configured hosted domain). Default: nothing more.
    fn check_claims(&self, claims: &Map<String, Value>) -> Result<(), IdTokenError> {
        let _ = claims;
        Ok(())
    }
}
