//! OpenID Connect discovery and JSON Web Key Sets.

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Result};
use crate::http::{ensure_secure_url, HttpClient, HttpResponse};
use crate::request::TokenRequest;
use crate::wire::{decode_json_object, unreadable};

/// The parts of an OpenID Provider's metadata tokenbridge uses (OpenID Connect Discovery 1.0
/// section 3); the rest is kept in `extra`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`.
    pub issuer: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `token_endpoint_auth_methods_supported`; absent means `client_secret_basic` only.
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
        let object = decode_json_object(response)?;
        if !response.is_success() {
            return Err(unreadable(
                response,
                "discovery answered with an error status",
            ));
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
    /// Parses a JWKS document, accepting `keys` or `Keys`.
    pub fn from_json(value: &Value) -> std::result::Result<Self, String> {
        let object = value
            .as_object()
            .ok_or_else(|| "a JWKS must be a JSON object".to_owned())?;
        let keys = object
            .get("keys")
            .or_else(|| object.get("Keys"))
            .ok_or_else(|| "no `keys` member".to_owned())?;
        let keys: Vec<Jwk> =
            serde_json::from_value(keys.clone()).map_err(|e| format!("bad key: {e}"))?;
        Ok(Self { keys })
    }

    /// Parses a JWKS from an HTTP answer.
    pub fn from_response(response: &HttpResponse) -> Result<Self> {
        let object = decode_json_object(response)?;
        if !response.is_success() {
            return Err(unreadable(
                response,
                "the JWKS endpoint answered with an error status",
            ));
        }
        Self::from_json(&Value::Object(object)).map_err(|why| unreadable(response, why))
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
