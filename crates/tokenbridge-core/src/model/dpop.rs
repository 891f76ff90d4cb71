//! DPoP (RFC 9449): a per-session ES256 key pair and the proofs it signs.
//!
//! A [`DpopKey`] is generated for each sign-in (or device login, or first exchange) and stays
//! with the tokens it binds ([`TokenSet::dpop_key`](crate::TokenSet::dpop_key)): it is what
//! makes a stolen token useless, so it is kept like a refresh token: redacted in `Debug`,
//! written only through [`TokenSet::serialize_secrets`](crate::TokenSet::serialize_secrets).
//!
//! Signing uses `ring` (already the cryptographic provider of rustls and `jsonwebtoken`), with
//! ECDSA P-256 and SHA-256 in the fixed-length `r || s` form that JWS ES256 requires (RFC 7518
//! section 3.4).

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};

/// The name of the header that carries a proof (RFC 9449 section 4.1).
pub const DPOP_HEADER: &str = "DPoP";
/// The header in which a server hands out a nonce (RFC 9449 section 8).
pub const DPOP_NONCE_HEADER: &str = "DPoP-Nonce";
/// The error a server answers when a proof needs its nonce (RFC 9449 sections 8 and 9).
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";

/// An ES256 key pair that signs DPoP proofs. Cheap to clone (the key is shared).
///
/// `Debug` shows only the public key's thumbprint; the private key leaves the process only
/// through [`DpopKey::to_stored`], which the token set's explicit secret serialization calls.
#[derive(Clone)]
pub struct DpopKey {
    inner: Arc<KeyInner>,
}

struct KeyInner {
    pair: EcdsaKeyPair,
    /// The PKCS#8 document the pair was read from: the stored form of the private key.
    pkcs8: SecretString,
    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    jwk: Value,
    /// The RFC 7638 thumbprint of `jwk`.
    thumbprint: String,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &"ES256")
            .field("jkt", &self.inner.thumbprint)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

fn crypto_error(what: &str) -> Error {
    Error::internal(format!("DPoP key: {what}"))
}

impl DpopKey {
    /// A fresh P-256 key pair from the operating system's random generator.
    pub fn generate() -> Result<Self> {
        let rng = SystemRandom::new();
        let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| crypto_error("the random generator failed while making a key pair"))?;
        Self::from_pkcs8(document.as_ref())
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(
            |_| {
                Error::config(
                    "dpop_key",
                    "the stored DPoP key is not a P-256 PKCS#8 private key",
                )
            },
        )?;
        // An uncompressed SEC1 point: 0x04, then 32 bytes of x and 32 of y.
        let point = pair.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            return Err(crypto_error(
                "the public key is not an uncompressed P-256 point",
            ));
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
        // RFC 7638 section 3.2: the required members, in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Ok(Self {
            inner: Arc::new(KeyInner {
                pair,
                pkcs8: SecretString::from(URL_SAFE_NO_PAD.encode(der)),
                jwk: json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}),
                thumbprint,
            }),
        })
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`): what each proof's header carries.
    pub fn public_jwk(&self) -> &Value {
        &self.inner.jwk
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key: the `jkt` a server binds tokens to
    /// (RFC 9449 section 6.1).
    pub fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// The stored form, private key included: `{"alg": "ES256", "jwk": {...}, "pkcs8": "..."}`
    /// with the PKCS#8 document in base64url. A secret: persist it only where a refresh token
    /// may go.
    pub fn to_stored(&self) -> Value {
        json!({
            "alg": "ES256",
            "jwk": self.inner.jwk,
            "pkcs8": self.inner.pkcs8.expose_secret(),
        })
    }

    /// Reads what [`DpopKey::to_stored`] wrote.
    pub fn from_stored(value: &Value) -> Result<Self> {
        let bad = |why: &str| Error::config("dpop_key", format!("the stored DPoP key {why}"));
        if value.get("alg").and_then(Value::as_str) != Some("ES256") {
            return Err(bad("is not an ES256 key (`alg` must be \"ES256\")"));
        }
        let pkcs8 = value
            .get("pkcs8")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("has no `pkcs8` member (it was written without its secrets)"))?;
        let der = URL_SAFE_NO_PAD
            .decode(pkcs8.trim_end_matches('='))
            .map_err(|_| bad("has a `pkcs8` member that is not base64url"))?;
        let key = Self::from_pkcs8(&der)?;
        if let Some(jwk) = value.get("jwk") {
            if jwk != key.public_jwk() {
                return Err(bad(
                    "has a `jwk` that is not the public half of its `pkcs8`",
                ));
            }
        }
        Ok(key)
    }

    /// A proof for one request (RFC 9449 section 4.2): a JWT of type `dpop+jwt`, ES256, with
    /// this key's public JWK in its header, and the claims `jti` (random, unique), `htm`,
    /// `htu` (the URL without query and fragment), `iat`, and, when given, `nonce` and `ath`
    /// (the base64url SHA-256 of the access token it accompanies).
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
        access_token: Option<&SecretString>,
    ) -> Result<SecretString> {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.proof_at(method, url, nonce, access_token, iat)
    }

    pub(crate) fn proof_at(
        &self,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
        access_token: Option<&SecretString>,
        iat: u64,
    ) -> Result<SecretString> {
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.inner.jwk});
        let mut claims = Map::new();
        claims.insert("jti".into(), crate::model::random::random_token(24)?.into());
        claims.insert("htm".into(), method.to_ascii_uppercase().into());
        claims.insert("htu".into(), htu(url).into());
        claims.insert("iat".into(), iat.into());
        if let Some(nonce) = nonce {
            claims.insert("nonce".into(), nonce.into());
        }
        if let Some(token) = access_token {
            claims.insert("ath".into(), access_token_hash(token).into());
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string())
        );
        let signature = self
            .inner
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| crypto_error("signing a proof failed"))?;
        Ok(SecretString::from(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )))
    }
}

/// The `htu` of a request to `url`: the URL without its query and fragment (RFC 9449 4.2).
pub fn htu(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// The `ath` of an access token: base64url of its SHA-256 (RFC 9449 section 4.2).
pub fn access_token_hash(access_token: &SecretString) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn parts(proof: &SecretString) -> (Value, Value, Vec<u8>, String) {
        let text = proof.expose_secret();
        let mut it = text.split('.');
        let (h, c, s) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        assert!(it.next().is_none());
        (
            decode(h),
            decode(c),
            URL_SAFE_NO_PAD.decode(s).unwrap(),
            format!("{h}.{c}"),
        )
    }

    #[test]
    fn proof_claims_and_signature() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://id.example.com/token?x=1#frag").unwrap();
        let token = SecretString::from("at-123");
        let proof = key
            .proof_at("post", &url, Some("n-1"), Some(&token), 1_700_000_000)
            .unwrap();
        let (header, claims, signature, input) = parts(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(&header["jwk"], key.public_jwk());
        assert!(header["jwk"].get("d").is_none(), "{header}");
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://id.example.com/token");
        assert_eq!(claims["iat"], 1_700_000_000u64);
        assert_eq!(claims["nonce"], "n-1");
        // RFC 9449 section 4.2's example: ath of a known token.
        assert_eq!(claims["ath"], access_token_hash(&token));
        assert_eq!(
            access_token_hash(&SecretString::from(
                "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
            )),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
        assert!(claims["jti"].as_str().unwrap().len() >= 32);
        // The signature verifies with the public key in the header.
        assert_eq!(signature.len(), 64);
        let x = URL_SAFE_NO_PAD
            .decode(header["jwk"]["x"].as_str().unwrap())
            .unwrap();
        let y = URL_SAFE_NO_PAD
            .decode(header["jwk"]["y"].as_str().unwrap())
            .unwrap();
        let point = [&[4u8][..], &x, &y].concat();
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
            .verify(input.as_bytes(), &signature)
            .unwrap();
    }

    #[test]
    fn each_proof_has_its_own_jti_and_no_ath_without_token() {
        let key = DpopKey::generate().unwrap();
        let url = Url::parse("https://id.example.com/userinfo").unwrap();
        let a = parts(&key.proof("GET", &url, None, None).unwrap()).1;
        let b = parts(&key.proof("GET", &url, None, None).unwrap()).1;
        assert_ne!(a["jti"], b["jti"]);
        assert!(a.get("ath").is_none() && a.get("nonce").is_none(), "{a}");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(a["iat"].as_u64().unwrap().abs_diff(now) <= 5);
    }

    #[test]
    fn stored_form_round_trips_and_debug_hides_it() {
        let key = DpopKey::generate().unwrap();
        let stored = key.to_stored();
        let back = DpopKey::from_stored(&stored).unwrap();
        assert_eq!(back.public_jwk(), key.public_jwk());
        assert_eq!(back.thumbprint(), key.thumbprint());
        let shown = format!("{key:?}");
        assert!(
            !shown.contains(stored["pkcs8"].as_str().unwrap()),
            "{shown}"
        );
        assert!(shown.contains("[redacted]"));
        let mut other = stored.clone();
        other["jwk"] = DpopKey::generate().unwrap().public_jwk().clone();
        assert!(DpopKey::from_stored(&other).is_err());
        let mut public_only = stored;
        public_only.as_object_mut().unwrap().remove("pkcs8");
        assert!(DpopKey::from_stored(&public_only).is_err());
    }
}
