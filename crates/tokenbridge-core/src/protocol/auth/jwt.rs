//! JWT client authentication at the token endpoint: `client_secret_jwt` and `private_key_jwt`
//! (RFC 7523 section 2.2, <https://www.rfc-editor.org/rfc/rfc7523#section-2.2>; OpenID
//! Connect Core 9, <https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication>).
//!
//! The client sends a short-lived JWT it signed instead of its secret: `iss` and `sub` are the
//! client id, `aud` the token endpoint, and a fresh `jti` lets the provider refuse replays.

use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};

use super::method::{clear_credentials, debug_with_secret, AuthMethod, ClientAuth};
use crate::error::SigningAlgorithm;
use crate::error::{Error, Result};
use crate::transport::request::TokenRequest;

/// The `client_assertion_type` of a JWT assertion (RFC 7523 section 2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: 60 s. It is used once, right after it is made.
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(60);

/// The claims of a client assertion.
#[derive(serde::Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: u64,
    exp: u64,
}

/// 128 random bits, base64url: unique per assertion so the provider can refuse a replay.
fn fresh_jti() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::config_general(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Signs a fresh assertion for `client_id` addressed to `request`'s endpoint and puts it in
/// the request.
fn apply_assertion(
    request: &mut TokenRequest,
    client_id: &str,
    header: &Header,
    key: &EncodingKey,
) -> Result<()> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aud = request.endpoint().as_str().to_owned();
    let claims = AssertionClaims {
        iss: client_id,
        sub: client_id,
        aud: &aud,
        jti: fresh_jti()?,
        iat: now,
        exp: now + ASSERTION_LIFETIME.as_secs(),
    };
    let assertion = jsonwebtoken::encode(header, &claims, key).map_err(|e| {
        Error::config(
            "private_key",
            format!("could not sign the client assertion: {e}"),
        )
    })?;
    // Only one authentication method per request (RFC 6749 section 2.3).
    clear_credentials(request)
        .remove_param("client_assertion_type")
        .remove_param("client_assertion");
    request
        .param("client_id", client_id)
        .param("client_assertion_type", CLIENT_ASSERTION_TYPE)
        .secret_param("client_assertion", &SecretString::from(assertion));
    Ok(())
}

/// `client_secret_jwt`: an HS256 assertion keyed with the client secret.
#[derive(Clone)]
pub struct ClientSecretJwt {
    client_id: String,
    client_secret: SecretString,
}

impl ClientSecretJwt {
    /// A client that signs its assertions with `client_secret`.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
        }
    }
}

impl fmt::Debug for ClientSecretJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_with_secret(f, "ClientSecretJwt", &self.client_id).finish()
    }
}

impl ClientAuth for ClientSecretJwt {
    fn method_name(&self) -> &str {
        AuthMethod::ClientSecretJwt.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        let key = EncodingKey::from_secret(self.client_secret.expose_secret().as_bytes());
        apply_assertion(
            request,
            &self.client_id,
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &key,
        )
    }
}

/// `private_key_jwt`: an assertion signed with the client's private key, RS256 for an RSA key
/// and ES256 for an EC P-256 key.
#[derive(Clone)]
pub struct PrivateKeyJwt {
    client_id: String,
    key: EncodingKey,
    algorithm: SigningAlgorithm,
    kid: Option<String>,
    /// The certificate's thumbprints, `x5t` and `x5t#S256`, when it is named by them.
    thumbprints: Option<(String, String)>,
}

impl fmt::Debug for PrivateKeyJwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeyJwt")
            .field("client_id", &self.client_id)
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .field("thumbprints", &self.thumbprints)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl PrivateKeyJwt {
    /// Reads a PEM private key: RSA (PKCS#1 or PKCS#8) signs RS256, EC P-256 (PKCS#8) signs
    /// ES256. `kid` goes in the assertion's header, for providers that hold several keys of
    /// the client. A key that cannot sign is a configuration error about `private_key`.
    pub fn from_pem(client_id: impl Into<String>, pem: &str, kid: Option<String>) -> Result<Self> {
        Self::from_pem_for_key(client_id.into(), pem, kid, "private_key", "the private key")
    }

    /// Reads the PEM private key in the file at `path`; errors name `private_key_file` and the
    /// path.
    pub fn from_pem_file(
        client_id: impl Into<String>,
        path: impl AsRef<Path>,
        kid: Option<String>,
    ) -> Result<Self> {
        let path = path.as_ref();
        let unreadable = |e: std::io::Error| {
            Error::config(
                "private_key_file",
                format!(
                    "could not read the private key file {}: {e}",
                    path.display()
                ),
            )
        };
        // Read at most 64 KiB and one byte (a PEM key is a few KiB): `/dev/zero` or a huge
        // file must not exhaust memory.
        const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;
        let mut pem = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(
                std::fs::File::open(path).map_err(unreadable)?,
                MAX_KEY_FILE_BYTES + 1,
            ),
            &mut pem,
        )
        .map_err(unreadable)?;
        if pem.len() as u64 > MAX_KEY_FILE_BYTES {
            return Err(Error::config(
                "private_key_file",
                format!(
                    "the private key file {} is larger than {MAX_KEY_FILE_BYTES} bytes; give the \
                     PEM file of the private key",
                    path.display()
                ),
            ));
        }
        Self::from_pem_for_key(
            client_id.into(),
            &pem,
            kid,
            "private_key_file",
            &format!("the private key in {}", path.display()),
        )
    }

    fn from_pem_for_key(
        client_id: String,
        pem: &str,
        kid: Option<String>,
        config_key: &str,
        what: &str,
    ) -> Result<Self> {
        // Signing once proves the key works now, not at the first exchange: the PEM parsers
        // accept some keys the signer then refuses (e.g. an EC key in SEC1 form).
        let try_sign = |key: &EncodingKey, alg: SigningAlgorithm| {
            jsonwebtoken::crypto::sign(b"probe", key, alg.jsonwebtoken()).is_ok()
        };
        let candidates = [
            (
                EncodingKey::from_rsa_pem(pem.as_bytes()).ok(),
                SigningAlgorithm::Rs256,
            ),
            (
                EncodingKey::from_ec_pem(pem.as_bytes()).ok(),
                SigningAlgorithm::Es256,
            ),
        ];
        for (key, algorithm) in candidates {
            if let Some(key) = key.filter(|k| try_sign(k, algorithm)) {
                return Ok(Self {
                    client_id,
                    key,
                    algorithm,
                    kid,
                    thumbprints: None,
                });
            }
        }
        Err(Error::config(
            config_key,
            format!(
                "{what} is not a usable PEM private key for private_key_jwt: expected an RSA key \
                 (\"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\") or an EC P-256 key in \
                 PKCS#8 form (\"BEGIN PRIVATE KEY\"; convert with `openssl pkcs8 -topk8 -nocrypt`)"
            ),
        ))
    }

    /// The algorithm the assertions are signed with.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The key id put in the assertions' header, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Names the key by its X.509 certificate (PEM): the assertions' header carries the
    /// certificate's `x5t` (SHA-1) and `x5t#S256` (SHA-256) thumbprints, as Microsoft Entra ID
    /// asks of certificate credentials. A text without a PEM certificate is a configuration
    /// error about `certificate_file`.
    pub fn with_certificate_pem(mut self, pem: &str) -> Result<Self> {
        self.thumbprints = Some(super::certificate::thumbprints(pem, "certificate_file")?);
        Ok(self)
    }

    /// The certificate's `x5t` and `x5t#S256`, when set.
    pub fn thumbprints(&self) -> Option<(&str, &str)> {
        self.thumbprints
            .as_ref()
            .map(|(sha1, sha256)| (sha1.as_str(), sha256.as_str()))
    }
}

impl ClientAuth for PrivateKeyJwt {
    fn method_name(&self) -> &str {
        AuthMethod::PrivateKeyJwt.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        let mut header = Header::new(self.algorithm.jsonwebtoken());
        header.kid.clone_from(&self.kid);
        if let Some((sha1, sha256)) = &self.thumbprints {
            header.x5t = Some(sha1.clone());
            header.x5t_s256 = Some(sha256.clone());
        }
        apply_assertion(request, &self.client_id, &header, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::request::BodyEncoding;
    use url::Url;

    #[test]
    fn client_secret_jwt_sends_a_verifiable_assertion() {
        let auth = ClientSecretJwt::new("app", SecretString::from("s3cret"));
        let mut r = TokenRequest::post(
            Url::parse("https://id.example.com/oauth/token").unwrap(),
            BodyEncoding::Form,
        );
        r.param("grant_type", "client_credentials")
            .param("client_secret", "stray");
        auth.apply(&mut r).unwrap();
        assert_eq!(
            r.param_names().collect::<Vec<_>>(),
            [
                "grant_type",
                "client_id",
                "client_assertion_type",
                "client_assertion"
            ]
        );
        assert!(!format!("{r:?}{auth:?}").contains("s3cret"));
        let body = String::from_utf8(r.body_bytes()).unwrap();
        let assertion = url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "client_assertion")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_audience(&["https://id.example.com/oauth/token"]);
        validation.set_issuer(&["app"]);
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &assertion,
            &jsonwebtoken::DecodingKey::from_secret(b"s3cret"),
            &validation,
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "app");
        assert_eq!(data.claims["jti"].as_str().unwrap().len(), 22);
    }

    #[test]
    fn garbage_pem_is_a_configuration_error() {
        for pem in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            let err = PrivateKeyJwt::from_pem("app", pem, None).unwrap_err();
            assert!(
                matches!(&err, Error::Config { key: Some(k), .. } if k == "private_key"),
                "{err:?}"
            );
        }
        let err = PrivateKeyJwt::from_pem_file("app", "/nonexistent/key.pem", None).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/key.pem"), "{err}");
    }
}
