//! Who signed in: ID-token verification and userinfo, written once for every vendor, and the
//! one normalized [`Identity`] both produce.
//!
//! - [`Provider::id_token_verifier`] builds an [`IdTokenVerifier`] once per provider: the
//!   issuer from discovery, the configuration or the vendor's description; the algorithms from
//!   `id_token_signed_response_alg`, else discovery, else RS256; the keys from the provider's
//!   JWKS (`jwks_uri`), cached and fetched again on an unknown `kid` at most once a minute.
//! - [`Provider::userinfo`] calls the userinfo endpoint (OpenID Connect Core 5.3,
//!   <https://openid.net/specs/openid-connect-core-1_0.html#UserInfo>) and normalizes the
//!   answer through the vendor's [`VendorHooks::parse_userinfo`](crate::VendorHooks::parse_userinfo).
//! - [`Identity`] is the same type whether it comes from a verified ID token or from userinfo;
//!   when both are at hand their `sub` must match (OpenID Connect Core 5.3.4), which
//!   [`Provider::userinfo_for`] checks.

use http::header::WWW_AUTHENTICATE;
use serde_json::{Map, Value};

use crate::error::malformed::MalformedValue;
use crate::error::IdTokenError;
use crate::error::{Error, ErrorKind, OAuthError, Result};
use crate::protocol::id_token::VerifiedIdToken;
use crate::transport::http::HttpResponse;
use crate::transport::wire::{decode_json_object, retry_after, standard_error, unreadable};

/// The user a provider vouches for, normalized across vendors: from a verified ID token
/// ([`Identity::from`]) or from the userinfo endpoint ([`Provider::userinfo`](crate::Provider::userinfo)).
///
/// The named fields are the standard claims (OpenID Connect Core 5.1); a vendor's own
/// spelling is mapped onto them by its hook (Huawei OneAccess's `id`, `userName` and `mobile`).
/// Every claim, as sent, stays in [`Identity::claims`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Identity {
    /// `sub`: the user's identifier at the provider.
    pub subject: String,
    /// `name`.
    pub name: Option<String>,
    /// `preferred_username`.
    pub preferred_username: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `email_verified` (a JSON boolean, or the strings `"true"` / `"false"`).
    pub email_verified: Option<bool>,
    /// `phone_number`.
    pub phone_number: Option<String>,
    /// `picture`: the URL of a profile picture.
    pub picture: Option<String>,
    /// Every claim as the provider sent it, the vendor's own names included.
    pub claims: Map<String, Value>,
}

/// The standard claim names [`Identity`] reads.
const SUBJECT: &str = "sub";

impl Identity {
    /// Reads the standard claims of `claims`. `sub` is required (a string, or a number
    /// written as text); the other claims are taken when they are strings (`null`, as GenAuth
    /// sends for unset claims, and other types count as absent).
    pub fn from_claims(claims: Map<String, Value>) -> std::result::Result<Self, MalformedValue> {
        Self::from_claims_with_aliases(claims, &[])
    }

    /// Like [`Identity::from_claims`], with a vendor's spellings: each `(standard, vendor)`
    /// pair reads the vendor's claim when the standard one is absent, e.g.
    /// `("sub", "id")`. [`Identity::claims`] keeps the claims as sent.
    pub fn from_claims_with_aliases(
        claims: Map<String, Value>,
        aliases: &[(&str, &str)],
    ) -> std::result::Result<Self, MalformedValue> {
        let get = |name: &str| -> Option<&Value> {
            match claims.get(name) {
                Some(v) if !v.is_null() => Some(v),
                _ => aliases
                    .iter()
                    .filter(|(standard, _)| *standard == name)
                    .find_map(|(_, vendor)| claims.get(*vendor).filter(|v| !v.is_null())),
            }
        };
        let text = |name: &str| get(name).and_then(Value::as_str).map(str::to_owned);
        let subject = match get(SUBJECT) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(MalformedValue::new(
                    "the claim `sub` is not a non-empty string",
                ))
            }
            None => {
                let also: Vec<&str> = aliases
                    .iter()
                    .filter(|(s, _)| *s == SUBJECT)
                    .map(|(_, v)| *v)
                    .collect();
                return Err(MalformedValue::new(if also.is_empty() {
                    "the answer has no `sub` claim".to_owned()
                } else {
                    format!(
                        "the answer has no `sub` claim (nor `{}`)",
                        also.join("`, `")
                    )
                }));
            }
        };
        let email_verified = match get("email_verified") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        };
        Ok(Identity {
            subject,
            name: text("name"),
            preferred_username: text("preferred_username"),
            email: text("email"),
            email_verified,
            phone_number: text("phone_number"),
            picture: text("picture"),
            claims,
        })
    }

    /// This identity with its subject read from the claim `name` (see
    /// [`ProviderBuilder::subject_claim`](crate::ProviderBuilder::subject_claim)): a non-empty
    /// string, or a number written as decimal text. The vendor's own subject stays in
    /// [`Identity::claims`].
    pub fn with_subject_from(mut self, name: &str) -> std::result::Result<Self, MalformedValue> {
        self.subject = match self.claims.get(name) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(MalformedValue::new(format!(
                    "the claim `{name}` (subject_claim) is not a non-empty string or a number"
                )))
            }
            None => {
                return Err(MalformedValue::new(format!(
                    "the answer has no `{name}` claim (subject_claim)"
                )))
            }
        };
        Ok(self)
    }

    /// Checks that this identity and a verified ID token name the same user (OpenID Connect
    /// Core 5.3.4): a userinfo answer for another `sub` must not be used, since it may come
    /// from a substituted access token.
    pub fn ensure_same_subject(&self, id_token: &VerifiedIdToken) -> Result<()> {
        // Both sides by `sub`, whichever claim `subject_claim` made the subject.
        let sub = match self.claims.get(SUBJECT) {
            Some(Value::String(s)) => s.as_str(),
            _ => self.subject.as_str(),
        };
        if sub == id_token.subject {
            Ok(())
        } else {
            Err(IdTokenError::SubjectMismatch.into())
        }
    }
}

impl From<&VerifiedIdToken> for Identity {
    fn from(token: &VerifiedIdToken) -> Self {
        let mut identity = Identity::from_claims(token.claims.clone()).unwrap_or_else(|_| {
            // Unreachable for a verified token, whose `sub` is checked; kept total anyway.
            Identity {
                subject: String::new(),
                name: None,
                preferred_username: None,
                email: None,
                email_verified: None,
                phone_number: None,
                picture: None,
                claims: token.claims.clone(),
            }
        });
        identity.subject.clone_from(&token.subject);
        identity
    }
}

/// The standard userinfo answer: the claims of a 2xx JSON object, or the refusal; reading a
/// vendor's spellings of the standard claims (see [`Identity::from_claims_with_aliases`]).
pub fn parse_userinfo_with_aliases(
    response: &HttpResponse,
    aliases: &[(&str, &str)],
) -> Result<Identity> {
    if !response.is_success() {
        return Err(userinfo_error(response));
    }
    let object = decode_json_object(response)?;
    if let Some(error) = standard_error(response, &object) {
        return Err(error);
    }
    Identity::from_claims_with_aliases(object, aliases)
        .map_err(|why| unreadable(response, format!("not a userinfo answer: {why}")))
}

/// The error of a refused userinfo request: the `WWW-Authenticate` challenge's `error` (RFC
/// 6750 section 3, where Tencent CIAM puts it, with no body), else the body's OAuth `error`,
/// else, for a 401, `invalid_token` (a resource server's 401 is about the access token).
pub fn userinfo_error(response: &HttpResponse) -> Error {
    if let Some(challenge) = response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(BearerChallenge::parse)
    {
        if let Some(code) = challenge.error {
            let mut error = OAuthError::new(Some(response.status()), code)
                .with_description(challenge.error_description)
                .with_uri(challenge.error_uri);
            error.retry_after = retry_after(response);
            return Error::from(error);
        }
    }
    if let Ok(object) = decode_json_object(response) {
        if let Some(error) = standard_error(response, &object) {
            return error;
        }
    }
    if response.status() == 401 {
        let mut error = OAuthError::new(Some(401), "invalid_token").with_description(Some(
            "the userinfo endpoint refused the access token (HTTP 401)".to_owned(),
        ));
        error.from_status_only = true;
        return Error::from(error);
    }
    match decode_json_object(response) {
        Err(e) => e,
        Ok(_) => unreadable(
            response,
            "an error status without an OAuth 2.0 `error` (in the body or WWW-Authenticate)",
        ),
    }
}

/// A 401 from a resource server is about the access token (RFC 6750 section 3.1), whatever
/// code came with it: a vendor's own code (Huawei's `unauthorized`) that the HTTP status
/// alone would call `invalid_client` is [`ErrorKind::InvalidToken`].
pub(crate) fn token_refusal(error: Error) -> Error {
    match error {
        Error::OAuth(mut p) if p.status == Some(401) && p.kind == ErrorKind::InvalidClient => {
            p.kind = ErrorKind::InvalidToken;
            Error::OAuth(p)
        }
        other => other,
    }
}

/// The parameters of a `Bearer` challenge (RFC 6750 section 3) that matter here.
#[derive(Debug, Default, PartialEq, Eq)]
struct BearerChallenge {
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

/// The longest challenge read; real ones are a few hundred bytes.
const MAX_CHALLENGE: usize = 4096;

impl BearerChallenge {
    /// Reads `Bearer realm="x", error="invalid_token", error_description="..."`; `None` for
    /// another scheme or an unreadable value.
    fn parse(header: &str) -> Option<Self> {
        if header.len() > MAX_CHALLENGE {
            return None;
        }
        let header = header.trim_start();
        let scheme_end = header.find(|c: char| c.is_ascii_whitespace())?;
        // A DPoP-bound token's refusal comes as a `DPoP` challenge (RFC 9449 section 7.1),
        // with the same parameters.
        let scheme = &header[..scheme_end];
        if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("dpop") {
            return None;
        }
        let mut rest = header[scheme_end..].chars().peekable();
        let mut challenge = BearerChallenge::default();
        loop {
            while rest
                .peek()
                .is_some_and(|c| c.is_ascii_whitespace() || *c == ',')
            {
                rest.next();
            }
            let mut name = String::new();
            while let Some(&c) = rest.peek() {
                if c == '=' || c.is_ascii_whitespace() || c == ',' {
                    break;
                }
                name.push(c);
                rest.next();
            }
            if name.is_empty() {
                break;
            }
            while rest.peek().is_some_and(char::is_ascii_whitespace) {
                rest.next();
            }
            if rest.next_if_eq(&'=').is_none() {
                continue;
            }
            while rest.peek().is_some_and(char::is_ascii_whitespace) {
                rest.next();
            }
            let mut value = String::new();
            if rest.next_if_eq(&'"').is_some() {
                while let Some(c) = rest.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(escaped) = rest.next() {
                                value.push(escaped);
                            }
                        }
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = rest.peek() {
                    if c == ',' || c.is_ascii_whitespace() {
                        break;
                    }
                    value.push(c);
                    rest.next();
                }
            }
            let slot = match name.to_ascii_lowercase().as_str() {
                "error" => &mut challenge.error,
                "error_description" => &mut challenge.error_description,
                "error_uri" => &mut challenge.error_uri,
                _ => continue,
            };
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
        Some(challenge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{HeaderMap, HeaderValue};
    use serde_json::json;
    use url::Url;

    fn response(status: u16, challenge: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(c) = challenge {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_str(c).unwrap());
        }
        if !body.is_empty() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        HttpResponse::new(
            Url::parse("https://id.example.com/userinfo").unwrap(),
            status,
            headers,
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn bearer_challenges_are_read() {
        let c = BearerChallenge::parse(
            r#"Bearer realm="ciam", error="invalid_token", error_description="Error decoding \"JWT\"", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1""#,
        )
        .unwrap();
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(
            c.error_description.as_deref(),
            Some("Error decoding \"JWT\"")
        );
        assert!(c.error_uri.unwrap().ends_with("section-3.1"));
        let c = BearerChallenge::parse("bearer error=insufficient_scope").unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(BearerChallenge::parse("Basic realm=\"x\""), None);
        for odd in [
            "Bearer",
            "Bearer ,,, =",
            "Bearer error=\"unterminated",
            "Bearer a b c = =",
        ] {
            let _ = BearerChallenge::parse(odd);
        }
        assert_eq!(BearerChallenge::parse(&"Bearer x".repeat(1000)), None);
    }

    #[test]
    fn refusals_are_typed() {
        let e = token_refusal(userinfo_error(&response(
            401,
            Some(r#"Bearer error="invalid_token", error_description="Error decoding JWT""#),
            "",
        )));
        assert_eq!(e.kind(), ErrorKind::InvalidToken);
        assert_eq!(e.oauth_error().unwrap().code, "invalid_token");
        let e = token_refusal(userinfo_error(&response(
            403,
            Some(r#"Bearer error="insufficient_scope""#),
            "",
        )));
        assert_eq!(e.kind(), ErrorKind::InvalidScope);
        let e = token_refusal(userinfo_error(&response(401, None, "")));
        assert_eq!(e.kind(), ErrorKind::InvalidToken);
        let e = token_refusal(userinfo_error(&response(
            401,
            None,
            r#"{"error":"unauthorized","error_description":"Full authentication is required to access this resource"}"#,
        )));
        assert_eq!(e.kind(), ErrorKind::InvalidToken);
        let e = userinfo_error(&response(500, None, "<html>oops</html>"));
        assert_eq!(e.kind(), ErrorKind::ProviderUnavailable);
    }

    #[test]
    fn claims_are_normalized() {
        let claims = json!({
            "sub": "u1", "name": "Ann", "preferred_username": null, "email": "a@example.com",
            "email_verified": "true", "phone_number": 5, "picture": "https://p/x.png", "x": [1],
        });
        let id = Identity::from_claims(claims.as_object().unwrap().clone()).unwrap();
        assert_eq!(id.subject, "u1");
        assert_eq!(id.preferred_username, None);
        assert_eq!(id.email_verified, Some(true));
        assert_eq!(id.phone_number, None);
        assert_eq!(id.claims["x"], json!([1]));
        let huawei = json!({"id": "2020-CB37", "userName": "test", "mobile": "123", "name": "t"});
        let id = Identity::from_claims_with_aliases(
            huawei.as_object().unwrap().clone(),
            &[
                ("sub", "id"),
                ("preferred_username", "userName"),
                ("phone_number", "mobile"),
            ],
        )
        .unwrap();
        assert_eq!(
            (
                id.subject.as_str(),
                id.preferred_username.as_deref(),
                id.phone_number.as_deref()
            ),
            ("2020-CB37", Some("test"), Some("123"))
        );
        assert!(id.claims.contains_key("userName") && !id.claims.contains_key("sub"));
        assert!(Identity::from_claims(Map::new()).is_err());
        assert!(Identity::from_claims(json!({"sub": ""}).as_object().unwrap().clone()).is_err());
    }
}
