//! OpenID Connect discovery and JSON Web Key Sets.

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use crate::error::malformed::MalformedValue;
use crate::error::{Error, Result};
use crate::transport::http::{HttpClient, HttpResponse};
use crate::transport::request::TokenRequest;
use crate::transport::url::ensure_secure_url;
use crate::transport::wire::{decode_json_object, unreadable};

/// The parts of an OpenID Provider's metadata tokenbridge uses (OpenID Connect Discovery 1.0
/// section 3); the rest is kept in `extra`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`.
    pub issuer: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `token_endpoint_auth_methods_supported`. The specification reads an absent list as
    /// `client_secret_basic` only; tokenbridge reads it as "not said" and allows every method.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `grant_types_supported`.
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    /// `jwks_uri`.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// `userinfo_endpoint`; some vendors (Tencent CIAM) do not list it.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// `revocation_endpoint`.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// `authorization_endpoint`.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0).
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// `id_token_signing_alg_values_supported`.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// `introspection_endpoint` (RFC 8414, RFC 7662).
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628 section 4).
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 section 5).
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 section 5): every authorization
    /// request must be pushed.
    #[serde(default)]
    pub require_pushed_authorization_requests: Option<bool>,
    /// `dpop_signing_alg_values_supported` (RFC 9449 section 5.1).
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProviderMetadata {
    /// The token endpoint as a checked URL.
    pub fn token_endpoint_url(&self) -> Result<Url> {
        let url = Url::parse(&self.token_endpoint).map_err(|e| {
            Error::config(
                "issuer",
                format!(
                    "discovery gave token_endpoint {:?}, which is not a URL ({e})",
                    self.token_endpoint
                ),
            )
        })?;
        ensure_secure_url(&url, "token_endpoint (from discovery)")?;
        Ok(url)
    }

    /// Parses a discovery document from a response.
    pub fn from_response(response: &HttpResponse) -> Result<Self> {
        // The status comes first: a bare 404 here means a wrong issuer, not a refused client,
        // which is what the token pipeline would derive from an empty error answer.
        if !response.is_success() {
            return Err(unreadable(
                response,
                format!(
                    "the discovery document answered HTTP {}; check the issuer (the document \
                     is expected at <issuer>/.well-known/openid-configuration) or set the \
                     token endpoint directly",
                    response.status()
                ),
            ));
        }
        let object = decode_json_object(response)?;
        // OpenID Connect Discovery 4.3: the document must name its issuer, and a client must
        // compare it; a document without one cannot be trusted with a code.
        match object.get("issuer") {
            Some(Value::String(issuer)) if !issuer.trim().is_empty() => {}
            _ => {
                return Err(unreadable(
                    response,
                    "the discovery document names no `issuer` (OpenID Connect Discovery 4.3 \
                     requires it); nothing is sent to its endpoints",
                ))
            }
        }
        serde_json::from_value(Value::Object(object)).map_err(|e| {
            unreadable(
                response,
                format!("not an OpenID Provider metadata document: {e}"),
            )
        })
    }

    /// Fetches and parses `url` (e.g. `https://id.example.com/.well-known/openid-configuration`).
    pub async fn fetch(http: &HttpClient, url: Url) -> Result<Self> {
        let response = http.send(&TokenRequest::get(url)).await?;
        Self::from_response(&response)
    }
}

/// A JSON Web Key Set. The key list is read from `keys`, or from `Keys` as Tencent CIAM's
/// documentation spells it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Jwks {
    /// The keys, each kept as its JSON object.
    pub keys: Vec<Jwk>,
}

/// One JSON Web Key (RFC 7517).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Jwk {
    /// `kty`, e.g. `RSA`.
    pub kty: String,
    /// `kid`.
    #[serde(default)]
    pub kid: Option<String>,
    /// `alg`, often absent.
    #[serde(default)]
    pub alg: Option<String>,
    /// `use`, often absent.
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    /// The key material and every other member (`n`, `e`, `x`, `y`, ...).
    #[serde(flatten)]
    pub params: Map<String, Value>,
}

impl Jwks {
    /// Parses a JWKS document, accepting `keys` or `Keys` (Tencent CIAM's spelling). Entries
    /// that are not JWK objects with a `kty` are skipped rather than failing the whole set, so
    /// one odd key at the provider does not stop verification with the others.
    pub fn from_json(value: &Value) -> std::result::Result<Self, MalformedValue> {
        let object = value
            .as_object()
            .ok_or_else(|| MalformedValue::new("a JWKS must be a JSON object"))?;
        let keys = object
            .get("keys")
            .or_else(|| object.get("Keys"))
            .ok_or_else(|| MalformedValue::new("no `keys` member"))?
            .as_array()
            .ok_or_else(|| MalformedValue::new("`keys` is not an array"))?;
        let keys = keys
            .iter()
            .filter_map(|k| Jwk::deserialize(k).ok())
            .collect();
        Ok(Self { keys })
    }

    /// Parses a JWKS from an HTTP answer.
    pub fn from_response(response: &HttpResponse) -> Result<Self> {
        if !response.is_success() {
            return Err(unreadable(
                response,
                format!(
                    "the JWKS endpoint answered HTTP {}; check jwks_uri",
                    response.status()
                ),
            ));
        }
        let object = decode_json_object(response)?;
        Self::from_json(&Value::Object(object)).map_err(|why| unreadable(response, why.to_string()))
    }

    /// Fetches and parses the JWKS at `url`.
    pub async fn fetch(http: &HttpClient, url: Url) -> Result<Self> {
        let response = http.send(&TokenRequest::get(url)).await?;
        Self::from_response(&response)
    }

    /// The key with `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderMap;
    use serde_json::json;

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            Url::parse("https://id.example.com/.well-known/openid-configuration").unwrap(),
            status,
            HeaderMap::new(),
            body.to_owned(),
        )
    }

    #[test]
    fn metadata_parses_and_keeps_the_rest() {
        let doc = json!({
            "issuer": "https://id.example.com",
            "token_endpoint": "https://id.example.com/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "end_session_endpoint": "https://id.example.com/logout",
            "claims_supported": ["sub"],
        });
        let m = ProviderMetadata::from_response(&answer(200, &doc.to_string())).unwrap();
        assert_eq!(m.issuer.as_deref(), Some("https://id.example.com"));
        assert_eq!(
            m.token_endpoint_url().unwrap().as_str(),
            "https://id.example.com/token"
        );
        assert_eq!(
            m.token_endpoint_auth_methods_supported,
            Some(vec!["client_secret_post".to_owned()])
        );
        assert_eq!(
            m.end_session_endpoint.as_deref(),
            Some("https://id.example.com/logout")
        );
        assert_eq!(m.extra["claims_supported"], json!(["sub"]));
    }

    #[test]
    fn a_missing_document_points_at_the_issuer() {
        // An empty 404 must not look like a refused client (what the token pipeline derives).
        for status in [404, 401, 500] {
            match ProviderMetadata::from_response(&answer(status, "")) {
                Err(Error::UnreadableResponse(u)) => {
                    assert_eq!(u.status, Some(status));
                    assert!(u.reason.contains("check the issuer"), "{}", u.reason);
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_document_without_issuer_is_refused() {
        for doc in [
            json!({"token_endpoint": "https://id.example.com/token"}),
            json!({"issuer": null, "token_endpoint": "https://id.example.com/token"}),
            json!({"issuer": " ", "token_endpoint": "https://id.example.com/token"}),
            json!({"issuer": 7, "token_endpoint": "https://id.example.com/token"}),
        ] {
            match ProviderMetadata::from_response(&answer(200, &doc.to_string())) {
                Err(Error::UnreadableResponse(u)) => {
                    assert!(u.reason.contains("no `issuer`"), "{}", u.reason)
                }
                other => panic!("{doc}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_token_endpoint_over_plain_http_is_refused() {
        let doc = json!({"issuer": "https://id.example.com", "token_endpoint": "http://id.example.com/token"});
        let m = ProviderMetadata::from_response(&answer(200, &doc.to_string())).unwrap();
        assert!(matches!(
            m.token_endpoint_url(),
            Err(Error::Config { key: Some(k), .. }) if k == "token_endpoint (from discovery)"
        ));
        let u = match ProviderMetadata::from_response(&answer(200, r#"{"issuer":"x"}"#)) {
            Err(Error::UnreadableResponse(u)) => u,
            other => panic!("{other:?}"),
        };
        assert!(
            u.reason.starts_with(
                "not an OpenID Provider metadata document: missing field `token_endpoint`"
            ),
            "{}",
            u.reason
        );
    }

    #[test]
    fn jwks_accepts_both_spellings() {
        for member in ["keys", "Keys"] {
            let doc = json!({ member: [{"kty": "RSA", "kid": "k1", "n": "AQ", "e": "AQAB"}] });
            let jwks = Jwks::from_json(&doc).unwrap();
            assert_eq!(jwks.find("k1").map(|k| k.kty.as_str()), Some("RSA"));
            assert!(jwks.find("k2").is_none());
        }
        assert_eq!(
            Jwks::from_json(&json!({"other": []})),
            Err(MalformedValue::new("no `keys` member"))
        );
    }
}
