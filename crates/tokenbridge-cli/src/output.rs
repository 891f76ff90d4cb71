//! A TokenSet as one JSON object, for printing and for handing to other programs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokenbridge::{
    DpopKey, ExposeSecret, Identity, SecretString, TokenSet, TokenType, VerifiedIdToken,
};

/// What a secret value is shown as when it is not revealed.
pub(crate) const REDACTED: &str = "[redacted]";

/// Whether [`token_set_json`] shows secret values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Secrets {
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
pub(crate) fn token_set_json(tokens: &TokenSet, secrets: Secrets) -> Value {
    let show = |s: &SecretString| match secrets {
        Secrets::Redact => Value::String(REDACTED.into()),
        Secrets::Reveal => Value::String(s.expose_secret().to_owned()),
    };
    let expires_at = tokens.expires_at().and_then(rfc3339);
    let mut extra = Value::Object(tokens.extra().clone());
    if secrets == Secrets::Redact {
        redact_strings(&mut extra);
    }
    let mut out = json!({
        "provider": tokens.provider_id(),
        "token_type": tokens.token_type().as_str(),
        "access_token": show(tokens.access_token()),
        "expires_in": tokens.expires_in().map(|d| d.as_secs()),
        "expires_at": expires_at.map_or(Value::Null, Value::String),
        "refresh_token": tokens.refresh_token().map(show),
        "id_token": tokens.id_token().map(show),
        "scope": tokens.scopes().unwrap_or_default(),
        "extra": extra,
    });
    // Only DPoP-bound tokens have the member: their key pair, private key included, which
    // proves possession (`userinfo --tokens` reads it back). A secret like the tokens.
    if let (Some(key), Value::Object(map)) = (tokens.dpop_key(), &mut out) {
        let value = match secrets {
            Secrets::Redact => Value::String(REDACTED.into()),
            Secrets::Reveal => key.to_stored(),
        };
        map.insert("dpop_key".into(), value);
    }
    out
}

/// Reads tokens back from a file: what [`token_set_json`] printed with [`Secrets::Reveal`]
/// (`tokenbridge exchange --reveal`, `login --reveal`), or a stored session (what
/// [`TokenSet::serialize_secrets`] wrote, e.g. `tokenbridge login --session`). Secrets printed
/// as `"[redacted]"` are refused with a message saying to use `--reveal`.
pub(crate) fn token_set_from_json(value: &Value) -> Result<TokenSet, String> {
    if value.get("format").is_some() {
        return serde_json::from_value(value.clone()).map_err(|e| format!("not a session: {e}"));
    }
    let text = |name: &str| -> Result<Option<String>, String> {
        match value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s == REDACTED => Err(format!(
                "`{name}` was printed as {REDACTED}: print the tokens with --reveal"
            )),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let provider =
        text("provider")?.ok_or("no `provider`: not a TokenSet as tokenbridge prints it")?;
    let access_token = text("access_token")?.ok_or("no `access_token`")?;
    let token_type = TokenType::parse(&text("token_type")?.unwrap_or_else(|| "Bearer".into()));
    let expires_in = match value.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Duration::from_secs(
            v.as_u64()
                .ok_or("`expires_in` is not a number of seconds")?,
        )),
    };
    // The lifetime started at `expires_at - expires_in`; without both it is unknown, and the
    // tokens count as received now.
    let expires_at = text("expires_at")?
        .map(|t| humantime::parse_rfc3339(&t).map_err(|e| format!("`expires_at`: {e}")))
        .transpose()?;
    let received_at = match (expires_at, expires_in) {
        (Some(at), Some(lifetime)) => at.checked_sub(lifetime).unwrap_or_else(SystemTime::now),
        _ => SystemTime::now(),
    };
    let scopes: Option<Vec<String>> = match value.get("scope") {
        Some(Value::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or("`scope` holds a non-string")
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => None,
    };
    let extra = match value.get("extra") {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    let dpop_key = match value.get("dpop_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == REDACTED => {
            return Err(format!(
                "`dpop_key` was printed as {REDACTED}: print the tokens with --reveal"
            ))
        }
        Some(stored) => Some(DpopKey::from_stored(stored).map_err(|e| e.to_string())?),
    };
    Ok(TokenSet::new(provider, access_token, token_type)
        .with_received_at(received_at)
        .with_expires_in(expires_in)
        .with_refresh_token(text("refresh_token")?)
        .with_id_token(text("id_token")?)
        .with_scopes(scopes)
        .with_extra(extra)
        .with_dpop_key(dpop_key))
}

/// A verified ID token as `{"issuer", "subject", "audience": [...], "expires_at",
/// "issued_at", "nonce", "claims": {...}}`, times in RFC 3339 (`null` outside the years 1970
/// to 9999), `nonce` `null` when the token has none.
pub(crate) fn verified_id_token_json(token: &VerifiedIdToken) -> Value {
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
pub(crate) fn identity_json(identity: &Identity) -> Value {
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
    use tokenbridge::TokenType;

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
mod read_back {
    use std::time::Duration;

    use super::*;

    #[test]
    fn revealed_json_and_sessions_read_back_with_their_dpop_key() {
        let key = DpopKey::generate().unwrap();
        let t = TokenSet::new("corp", "at-1", TokenType::DPoP)
            .with_received_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .with_expires_in(Some(Duration::from_secs(60)))
            .with_refresh_token(Some("rt-1".into()))
            .with_scopes(Some(vec!["openid".into()]))
            .with_dpop_key(Some(key.clone()));
        let redacted = token_set_json(&t, Secrets::Redact);
        assert_eq!(redacted["dpop_key"], REDACTED);
        let err = token_set_from_json(&redacted).unwrap_err();
        assert!(err.contains("--reveal"), "{err}");
        let back = token_set_from_json(&token_set_json(&t, Secrets::Reveal)).unwrap();
        assert_eq!(back.access_token().expose_secret(), "at-1");
        assert_eq!(back.token_type(), &TokenType::DPoP);
        assert_eq!(back.received_at(), t.received_at());
        assert_eq!(back.refresh_token().unwrap().expose_secret(), "rt-1");
        assert_eq!(back.dpop_key().unwrap().thumbprint(), key.thumbprint());
        let session = serde_json::to_value(t.serialize_secrets()).unwrap();
        let back = token_set_from_json(&session).unwrap();
        assert_eq!(back.dpop_key().unwrap().thumbprint(), key.thumbprint());
        let bearer = TokenSet::new("corp", "at", TokenType::Bearer);
        assert!(token_set_json(&bearer, Secrets::Reveal)
            .get("dpop_key")
            .is_none());
        assert!(token_set_from_json(&json!({"access_token": "x"})).is_err());
    }
}

#[cfg(test)]
mod far_future {
    use std::time::Duration;

    use super::*;
    use tokenbridge::TokenType;

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
