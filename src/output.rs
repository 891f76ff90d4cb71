//! A TokenSet as one JSON object, for printing and for handing to other programs.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokenbridge_core::{ExposeSecret, Identity, SecretString, TokenSet, VerifiedIdToken};

/// What a secret value is shown as when it is not revealed.
pub const REDACTED: &str = "[redacted]";

/// Whether [`token_set_json`] shows secret values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// Every secret is the string `"[redacted]"` (absent ones are `null`).
    Redact,
    /// Secrets are shown as issued. Only for a terminal the user controls.
    Reveal,
}

/// The JSON object with keys `provider`, `token_type`, `access_token`, `expires_in` (seconds
/// or `null`), `expires_at` (RFC 3339 or `null`), `refresh_token`, `id_token`, `scope` (an
/// array, empty when the provider did not say) and `extra` (every field the model has no slot
/// for).
///
/// `extra` is printed as sent: tokenbridge cannot know which vendor-specific fields are
/// sensitive, so with [`Secrets::Redact`] string values of `extra` are redacted too.
pub fn token_set_json(tokens: &TokenSet, secrets: Secrets) -> Value {
    let show = |s: &SecretString| match secrets {
        Secrets::Redact => Value::String(REDACTED.into()),
        Secrets::Reveal => Value::String(s.expose_secret().to_owned()),
    };
    let expires_at = tokens.expires_at().and_then(rfc3339);
    let mut extra = Value::Object(tokens.extra().clone());
    if secrets == Secrets::Redact {
        redact_strings(&mut extra);
    }
    json!({
        "provider": tokens.provider(),
        "token_type": tokens.token_type().as_str(),
        "access_token": show(tokens.access_token()),
        "expires_in": tokens.expires_in().map(|d| d.as_secs()),
        "expires_at": expires_at.map_or(Value::Null, Value::String),
        "refresh_token": tokens.refresh_token().map(show),
        "id_token": tokens.id_token().map(show),
        "scope": tokens.scopes().unwrap_or_default(),
        "extra": extra,
    })
}

/// A verified ID token as `{"issuer", "subject", "audience": [...], "expires_at",
/// "issued_at", "nonce", "claims": {...}}`, times in RFC 3339 (`null` outside the years 1970
/// to 9999), `nonce` `null` when the token has none.
pub fn verified_id_token_json(token: &VerifiedIdToken) -> Value {
    json!({
        "issuer": token.issuer,
        "subject": token.subject,
        "audience": token.audience,
        "expires_at": rfc3339(token.expires_at),
        "issued_at": rfc3339(token.issued_at),
        "nonce": token.nonce,
        "claims": token.claims,
    })
}

/// An identity as `{"subject", "name", "preferred_username", "email", "email_verified",
/// "phone_number", "picture", "claims": {...}}`: every key present, `null` when the provider
/// did not say.
pub fn identity_json(identity: &Identity) -> Value {
    json!({
        "subject": identity.subject,
        "name": identity.name,
        "preferred_username": identity.preferred_username,
        "email": identity.email,
        "email_verified": identity.email_verified,
        "phone_number": identity.phone_number,
        "picture": identity.picture,
        "claims": identity.claims,
    })
}

/// The last second RFC 3339 can write (9999-12-31T23:59:59Z).
const LAST_RFC3339_SECOND: u64 = 253_402_300_799;

/// `at` in RFC 3339, or `None` outside the years 1970 to 9999.
fn rfc3339(at: SystemTime) -> Option<String> {
    let secs = at.duration_since(UNIX_EPOCH).ok()?.as_secs();
    (secs <= LAST_RFC3339_SECOND).then(|| humantime::format_rfc3339_seconds(at).to_string())
}

/// Replaces every string, at any depth, with [`REDACTED`].
fn redact_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = REDACTED.into(),
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use tokenbridge_core::TokenType;

    #[test]
    fn shape_and_redaction() {
        let mut extra = serde_json::Map::new();
        extra.insert("session_key".into(), json!("sk-1"));
        extra.insert("n".into(), json!(3));
        extra.insert(
            "session".into(),
            json!({"key": "SK-NESTED", "list": ["TOKEN-IN-ARRAY", 1]}),
        );
        let t = TokenSet::new("corp", "at-1", TokenType::Bearer)
            .with_received_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .with_expires_in(Some(Duration::from_secs(60)))
            .with_refresh_token(Some("rt-1".into()))
            .with_scopes(Some(vec!["openid".into(), "email".into()]))
            .with_extra(extra);
        let v = token_set_json(&t, Secrets::Redact);
        assert_eq!(
            v,
            json!({
                "provider": "corp", "token_type": "Bearer", "access_token": "[redacted]",
                "expires_in": 60, "expires_at": "2023-11-14T22:14:20Z",
                "refresh_token": "[redacted]", "id_token": null,
                "scope": ["openid", "email"],
                "extra": {
                    "session_key": "[redacted]", "n": 3,
                    "session": {"key": "[redacted]", "list": ["[redacted]", 1]}
                }
            })
        );
        let v = token_set_json(&t, Secrets::Reveal);
        assert_eq!(v["access_token"], "at-1");
        assert_eq!(v["refresh_token"], "rt-1");
        assert_eq!(v["extra"]["session_key"], "sk-1");
        assert_eq!(v["extra"]["session"]["list"][0], "TOKEN-IN-ARRAY");
        let unknown =
            TokenSet::new("p", "a", TokenType::Bearer).with_received_at(SystemTime::now());
        let v = token_set_json(&unknown, Secrets::Redact);
        assert_eq!(v["expires_in"], Value::Null);
        assert_eq!(v["expires_at"], Value::Null);
        assert_eq!(v["scope"], json!([]));
    }
}

#[cfg(test)]
mod far_future {
    use std::time::Duration;

    use super::*;
    use tokenbridge_core::TokenType;

    #[test]
    fn expiry_beyond_year_9999_is_null_not_a_panic() {
        let t = TokenSet::new("p", "a", TokenType::Bearer)
            .with_received_at(UNIX_EPOCH + Duration::from_secs(LAST_RFC3339_SECOND))
            .with_expires_in(Some(Duration::from_secs(1)));
        assert_eq!(
            token_set_json(&t, Secrets::Redact)["expires_at"],
            Value::Null
        );
        let t = t.with_expires_in(Some(Duration::ZERO));
        assert_eq!(
            token_set_json(&t, Secrets::Redact)["expires_at"],
            "9999-12-31T23:59:59Z"
        );
    }
}
