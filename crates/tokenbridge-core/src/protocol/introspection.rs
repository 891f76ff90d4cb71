//! Token introspection (RFC 7662): asks the provider whether a token is active, with the
//! configured client authentication, and normalizes the answer.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::Result;
use crate::transport::http::HttpResponse;
use crate::transport::wire::{decode_json_object, unreadable};

/// A normalized introspection answer (RFC 7662 section 2.2).
///
/// `active: false` is an answer, not an error: the token is expired, revoked, unknown, or
/// not this client's to ask about, and the provider says no more (section 2.2). Members the
/// model has no slot for are kept in `extra`; a credential-looking member a provider might
/// echo (`access_token`, `token`, ...) is kept as `"[redacted]"`, and `Debug` lists only the
/// keys of `extra`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is active.
    pub active: bool,
    /// The scopes, from the space-separated `scope`.
    pub scope: Option<Vec<String>>,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// A human-readable identifier of the resource owner.
    pub username: Option<String>,
    /// The type of the token (`Bearer`, `DPoP`, ...).
    pub token_type: Option<String>,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: Option<u64>,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: Option<u64>,
    /// Not-before time, in seconds since the Unix epoch.
    pub nbf: Option<u64>,
    /// The subject.
    pub sub: Option<String>,
    /// The audiences (`aud` as one string or an array).
    pub aud: Option<Vec<String>>,
    /// The issuer.
    pub iss: Option<String>,
    /// The token's identifier.
    pub jti: Option<String>,
    /// Every other member, as sent (credential-looking ones redacted).
    pub extra: Map<String, Value>,
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("active", &self.active)
            .field("scope", &self.scope)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("token_type", &self.token_type)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("nbf", &self.nbf)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("iss", &self.iss)
            .field("jti", &self.jti)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Introspection {
    /// Reads an introspection answer: a 2xx JSON object with a boolean `active` (`"true"` and
    /// `"false"` as strings are accepted too). Numbers may be integers, floats (rounded down)
    /// or numeric strings. A member of the wrong type is an
    /// [`UnreadableResponse`](crate::Error::UnreadableResponse) naming it.
    pub fn from_response(response: &HttpResponse) -> Result<Self> {
        let mut object = decode_json_object(response)?;
        let field_error = |name: &str, what: &str| {
            unreadable(
                response,
                format!("the introspection answer's `{name}` is not {what}"),
            )
        };
        let active = match object.remove("active") {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(field_error("active", "a boolean")),
            None => {
                return Err(unreadable(
                    response,
                    "the introspection answer has no `active` member (RFC 7662 section 2.2 \
                     requires it)",
                ))
            }
        };
        let mut text = |name: &str| -> Result<Option<String>> {
            match object.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(field_error(name, "a string")),
            }
        };
        let scope = text("scope")?.map(|s| s.split_whitespace().map(str::to_owned).collect());
        let client_id = text("client_id")?;
        let username = text("username")?;
        let token_type = text("token_type")?;
        let sub = text("sub")?;
        let iss = text("iss")?;
        let jti = text("jti")?;
        let mut time = |name: &str| -> Result<Option<u64>> {
            match object.remove(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
                    (Some(v), _) => Ok(Some(v)),
                    (None, Some(f)) if f >= 0.0 && f.is_finite() => Ok(Some(f as u64)),
                    _ => Err(field_error(name, "a non-negative number of seconds")),
                },
                Some(Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(f) if f >= 0.0 && f.is_finite() => Ok(Some(f as u64)),
                    _ => Err(field_error(name, "a non-negative number of seconds")),
                },
                Some(_) => Err(field_error(name, "a number of seconds")),
            }
        };
        let exp = time("exp")?;
        let iat = time("iat")?;
        let nbf = time("nbf")?;
        let aud = match object.remove("aud") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(vec![s]),
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(s),
                        _ => Err(field_error("aud", "a string or an array of strings")),
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            Some(_) => return Err(field_error("aud", "a string or an array of strings")),
        };
        let mut extra = Value::Object(object);
        crate::error::redact::redact_json_credentials(&mut extra);
        let extra = match extra {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Ok(Self {
            active,
            scope,
            client_id,
            username,
            token_type,
            exp,
            iat,
            nbf,
            sub,
            aud,
            iss,
            jti,
            extra,
        })
    }

    /// The answer as one JSON object: every normalized member (`null` when the provider did
    /// not say; `scope` as a space-separated string, `aud` as an array) and the others as
    /// kept.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("active".into(), self.active.into());
        map.insert(
            "scope".into(),
            self.scope.as_ref().map(|s| s.join(" ")).into(),
        );
        for (name, value) in [
            ("client_id", &self.client_id),
            ("username", &self.username),
            ("token_type", &self.token_type),
        ] {
            map.insert(name.into(), value.clone().into());
        }
        for (name, value) in [("exp", self.exp), ("iat", self.iat), ("nbf", self.nbf)] {
            map.insert(name.into(), value.into());
        }
        map.insert("sub".into(), self.sub.clone().into());
        map.insert("aud".into(), self.aud.clone().into());
        map.insert("iss".into(), self.iss.clone().into());
        map.insert("jti".into(), self.jti.clone().into());
        for (key, value) in &self.extra {
            map.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderMap;
    use url::Url;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            Url::parse("https://id.example.com/introspect").unwrap(),
            status,
            HeaderMap::new(),
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn normalizes_every_member_and_keeps_the_rest() {
        let answer = Introspection::from_response(&response(
            200,
            r#"{"active":true,"scope":"openid email","client_id":"app","username":"alice",
                "token_type":"Bearer","exp":"1700003600","iat":1700000000.7,"nbf":1700000000,
                "sub":"u-1","aud":"https://api","iss":"https://id","jti":"j-1",
                "cnf":{"jkt":"th"},"refresh_token":"rt-secret"}"#,
        ))
        .unwrap();
        assert!(answer.active);
        assert_eq!(
            answer.scope.as_deref(),
            Some(&["openid".to_owned(), "email".to_owned()][..])
        );
        assert_eq!(answer.exp, Some(1_700_003_600));
        assert_eq!(answer.iat, Some(1_700_000_000));
        assert_eq!(answer.aud, Some(vec!["https://api".to_owned()]));
        assert_eq!(answer.extra["cnf"]["jkt"], "th");
        assert_eq!(answer.extra["refresh_token"], "[redacted]");
        let shown = format!("{answer:?}");
        assert!(
            !shown.contains("rt-secret") && shown.contains("cnf"),
            "{shown}"
        );
        let json = answer.to_json();
        assert_eq!(json["scope"], "openid email");
        assert_eq!(json["username"], "alice");
        assert_eq!(json["cnf"]["jkt"], "th");
    }

    #[test]
    fn inactive_is_an_answer_and_bad_shapes_are_errors() {
        let answer = Introspection::from_response(&response(200, r#"{"active":false}"#)).unwrap();
        assert!(!answer.active);
        assert_eq!(answer.to_json()["sub"], Value::Null);
        for (body, field) in [
            (r#"{"scope":"x"}"#, "no `active`"),
            (r#"{"active":1}"#, "`active`"),
            (r#"{"active":true,"exp":-5}"#, "`exp`"),
            (r#"{"active":true,"aud":[1]}"#, "`aud`"),
            (r#"{"active":true,"sub":{}}"#, "`sub`"),
        ] {
            let e = Introspection::from_response(&response(200, body)).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::UnreadableResponse, "{body}");
            assert!(e.to_string().contains(field), "{body}: {e}");
        }
    }
}
