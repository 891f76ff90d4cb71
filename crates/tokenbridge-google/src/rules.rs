//! Google's ID-token rules: the issuer in either of its two documented spellings, and the
//! hosted domain.

use serde_json::{Map, Value};
use tokenbridge_core::{IdTokenError, IdTokenRules};

/// Accepts `iss` as the issuer or the issuer without its scheme (`accounts.google.com`:
/// "The value of `iss` in the ID token is equal to `accounts.google.com` or
/// `https://accounts.google.com`",
/// <https://developers.google.com/identity/sign-in/web/backend-auth>); with a hosted domain,
/// requires the `hd` claim to equal it ("verify that the ID token has a hd claim that matches",
/// <https://developers.google.com/identity/openid-connect/openid-connect>).
#[derive(Debug, Clone, Default)]
pub struct GoogleIdTokenRules {
    hosted_domain: Option<String>,
}

impl GoogleIdTokenRules {
    /// The rules, requiring `hd` to equal `hosted_domain` when given.
    pub fn new(hosted_domain: Option<String>) -> Self {
        Self { hosted_domain }
    }
}

impl IdTokenRules for GoogleIdTokenRules {
    fn issuer_matches(&self, expected: &str, found: &str, _claims: &Map<String, Value>) -> bool {
        let without_scheme = expected
            .strip_prefix("https://")
            .or_else(|| expected.strip_prefix("http://"));
        found == expected || Some(found) == without_scheme
    }

    fn check_claims(&self, claims: &Map<String, Value>) -> Result<(), IdTokenError> {
        let Some(expected) = &self.hosted_domain else {
            return Ok(());
        };
        let found = claims.get("hd").and_then(Value::as_str);
        if found == Some(expected.as_str()) {
            return Ok(());
        }
        Err(IdTokenError::ClaimMismatch {
            claim: "hd".into(),
            expected: expected.clone(),
            found: found.map(|f| f.chars().take(256).collect()),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn both_issuer_spellings_and_no_other() {
        let rules = GoogleIdTokenRules::default();
        let none = Map::new();
        let issuer = "https://accounts.google.com";
        assert!(rules.issuer_matches(issuer, "https://accounts.google.com", &none));
        assert!(rules.issuer_matches(issuer, "accounts.google.com", &none));
        assert!(!rules.issuer_matches(issuer, "http://accounts.google.com", &none));
        assert!(!rules.issuer_matches(issuer, "https://accounts.google.com.evil", &none));
        assert!(rules.issuer_matches("http://127.0.0.1:80", "127.0.0.1:80", &none));
    }

    #[test]
    fn hosted_domain_must_match() {
        let rules = GoogleIdTokenRules::new(Some("example.com".into()));
        assert!(rules
            .check_claims(&claims(json!({"hd": "example.com"})))
            .is_ok());
        let err = rules
            .check_claims(&claims(json!({"hd": "other.com"})))
            .unwrap_err();
        assert_eq!(err.check(), "claim");
        assert_eq!(
            err.to_string(),
            "ID token refused (claim hd): expected \"example.com\", the token says \"other.com\""
        );
        let err = rules.check_claims(&Map::new()).unwrap_err();
        assert!(err.to_string().ends_with("the token says nothing"), "{err}");
        assert!(GoogleIdTokenRules::default()
            .check_claims(&Map::new())
            .is_ok());
    }
}
