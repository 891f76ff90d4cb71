//! The clients a provider knows, and how a request proves it comes from one of them (RFC 6749
//! section 2.3, RFC 7523 assertions).

use std::collections::HashMap;

use axum::http::HeaderMap;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;
use tokenbridge_core::AuthMethod;
use tokenbridge_core::CLIENT_ASSERTION_TYPE;

use super::OidcProvider;
use crate::server::lock;

/// A client the emulator knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    /// `client_id`.
    pub client_id: String,
    /// The secret, for confidential clients.
    pub client_secret: Option<String>,
    /// The one auth method this client must use.
    pub auth_method: AuthMethod,
    /// The public key (SubjectPublicKeyInfo PEM) its `private_key_jwt` assertions verify
    /// with.
    pub public_key_pem: Option<String>,
    /// The certificate (PEM) registered for its `private_key_jwt` key, which a profile with an
    /// [`assertion_header`](super::Profile::assertion_header) requires the assertion to name
    /// by its thumbprint (Microsoft Entra ID's `x5t`).
    pub certificate_pem: Option<String>,
}

impl ClientRegistration {
    /// A confidential client using `method`.
    pub fn confidential(id: &str, secret: &str, method: AuthMethod) -> Self {
        Self {
            client_id: id.into(),
            client_secret: Some(secret.into()),
            auth_method: method,
            public_key_pem: None,
            certificate_pem: None,
        }
    }

    /// A client authenticating with `private_key_jwt`, its assertions verified with
    /// `public_key_pem` (RSA or EC P-256).
    pub fn private_key_jwt(id: &str, public_key_pem: &str) -> Self {
        Self {
            client_id: id.into(),
            client_secret: None,
            auth_method: AuthMethod::PrivateKeyJwt,
            public_key_pem: Some(public_key_pem.into()),
            certificate_pem: None,
        }
    }

    /// This client with `certificate_pem` registered for its key.
    pub fn with_certificate(mut self, certificate_pem: &str) -> Self {
        self.certificate_pem = Some(certificate_pem.into());
        self
    }

    /// A public client (`none`).
    pub fn public(id: &str) -> Self {
        Self {
            client_id: id.into(),
            client_secret: None,
            auth_method: AuthMethod::None,
            public_key_pem: None,
            certificate_pem: None,
        }
    }
}

/// What an authorize request would have carried, for minting a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    /// The client the code is for.
    pub client_id: String,
    /// The `redirect_uri` of the authorize request.
    pub redirect_uri: String,
    /// The S256 `code_challenge`, for PKCE.
    pub code_challenge: Option<String>,
    /// The scope granted.
    pub scope: Option<String>,
}

/// The client that presented itself, and how.
pub(super) struct Presented {
    pub(super) client_id: Option<String>,
    pub(super) secret: Option<String>,
    pub(super) method: AuthMethod,
    /// The JWT of `client_secret_jwt` / `private_key_jwt`.
    pub(super) assertion: Option<String>,
}

impl OidcProvider {
    /// Whether `presented` authenticates `client` with its registered method: the secret for
    /// `client_secret_basic` / `client_secret_post`, a valid assertion for the JWT methods
    /// (see [`OidcProvider::check_assertion`]) addressed to `endpoint` or the token endpoint.
    pub(super) fn authenticates(
        &self,
        client: &ClientRegistration,
        presented: &Presented,
        endpoint: &str,
    ) -> bool {
        if client.auth_method != presented.method {
            return false;
        }
        match client.auth_method {
            AuthMethod::None => true,
            AuthMethod::ClientSecretJwt | AuthMethod::PrivateKeyJwt => presented
                .assertion
                .as_deref()
                .is_some_and(|a| self.check_assertion(client, a, endpoint).is_ok()),
            _ => match &self.profile.secret_jwt {
                Some(rule) => presented
                    .secret
                    .as_deref()
                    .is_some_and(|s| self.check_secret_jwt(client, rule, s).is_ok()),
                None => client.client_secret.is_some() && client.client_secret == presented.secret,
            },
        }
    }

    /// Checks a client secret that is a JWT (Sign in with Apple): ES256 with the client's
    /// registered public key, the header's `kid`, `iss`, `sub` (the client id), `aud`, `exp`
    /// in the future and at most [`super::SecretJwt::max_lifetime`] after `iat`. Err says which
    /// check failed.
    pub fn check_secret_jwt(
        &self,
        client: &ClientRegistration,
        rule: &super::SecretJwt,
        secret: &str,
    ) -> Result<(), String> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let pem = client
            .public_key_pem
            .as_deref()
            .ok_or("no registered key")?;
        let key = DecodingKey::from_ec_pem(pem.as_bytes()).map_err(|e| format!("key: {e}"))?;
        let header = jsonwebtoken::decode_header(secret).map_err(|e| format!("header: {e}"))?;
        if header.alg != Algorithm::ES256 {
            return Err(format!("algorithm {:?}, not ES256", header.alg));
        }
        if header.kid.as_deref() != Some(rule.key_id.as_str()) {
            return Err("kid is not the registered key id".into());
        }
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[rule.audience.as_str()]);
        validation.set_issuer(&[rule.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Value>(secret, &key, &validation)
            .map_err(|e| format!("secret refused: {e}"))?;
        if data.claims.get("sub").and_then(Value::as_str) != Some(client.client_id.as_str()) {
            return Err("sub is not the client id".into());
        }
        let time = |name: &str| data.claims.get(name).and_then(Value::as_u64);
        match (time("iat"), time("exp")) {
            (Some(iat), Some(exp)) if exp.saturating_sub(iat) <= rule.max_lifetime => Ok(()),
            (Some(_), Some(_)) => Err("exp is too far after iat".into()),
            _ => Err("iat or exp missing".into()),
        }
    }

    /// Checks a client assertion (RFC 7523 section 3): signed with the registered secret
    /// (HS256, `client_secret_jwt`) or public key (RS256 / ES256, `private_key_jwt`); `iss`
    /// and `sub` are the client id; `aud` is `endpoint`, the token endpoint or the issuer;
    /// `exp` in the future; `jti` never seen before. Err says which check failed.
    pub fn check_assertion(
        &self,
        client: &ClientRegistration,
        assertion: &str,
        endpoint: &str,
    ) -> Result<(), String> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let (key, algorithms) = match client.auth_method {
            AuthMethod::ClientSecretJwt => {
                let secret = client
                    .client_secret
                    .as_deref()
                    .ok_or("no registered secret")?;
                (
                    DecodingKey::from_secret(secret.as_bytes()),
                    vec![Algorithm::HS256],
                )
            }
            AuthMethod::PrivateKeyJwt => {
                let pem = client
                    .public_key_pem
                    .as_deref()
                    .ok_or("no registered key")?;
                match DecodingKey::from_rsa_pem(pem.as_bytes()) {
                    Ok(k) => (k, vec![Algorithm::RS256, Algorithm::PS256]),
                    Err(_) => (
                        DecodingKey::from_ec_pem(pem.as_bytes())
                            .map_err(|_| "the registered key is neither RSA nor EC")?,
                        vec![Algorithm::ES256],
                    ),
                }
            }
            _ => return Err("not a JWT auth method".into()),
        };
        let header = jsonwebtoken::decode_header(assertion).map_err(|e| format!("header: {e}"))?;
        if let Some(member) = &self.profile.assertion_header {
            if client.auth_method == AuthMethod::PrivateKeyJwt {
                let Some(named) = header_member(assertion, member) else {
                    return Err(format!("the assertion's header has no {member}"));
                };
                if let Some(registered) = client.certificate_pem.as_deref() {
                    if Some(named) != certificate_x5t(registered) {
                        return Err(format!(
                            "the assertion's {member} is not the registered certificate's"
                        ));
                    }
                }
            }
        }
        if !algorithms.contains(&header.alg) {
            return Err(format!("algorithm {:?} not allowed", header.alg));
        }
        let mut validation = Validation::new(header.alg);
        let audiences = [
            endpoint.to_owned(),
            self.token_endpoint(),
            self.issuer.clone(),
        ];
        validation.set_audience(&audiences);
        validation.set_issuer(&[client.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
            .map_err(|e| format!("assertion refused: {e}"))?;
        if data.claims.get("sub").and_then(Value::as_str) != Some(client.client_id.as_str()) {
            return Err("sub is not the client id".into());
        }
        let jti = data
            .claims
            .get("jti")
            .and_then(Value::as_str)
            .ok_or("no jti")?
            .to_owned();
        if !lock(&self.state).used_jtis.insert(jti) {
            return Err("jti reused (a replayed assertion)".into());
        }
        Ok(())
    }
}

impl OidcProvider {
    /// The profile's [`unknown_certificate`](super::Profile::unknown_certificate) answer when
    /// `presented` is a `private_key_jwt` assertion naming, in the profile's
    /// [`assertion_header`](super::Profile::assertion_header), another certificate than the one
    /// registered for `client`.
    pub(super) fn certificate_refusal(
        &self,
        client: &ClientRegistration,
        presented: &Presented,
    ) -> Option<crate::reply::Reply> {
        let reply = self.profile.unknown_certificate.as_ref()?;
        let member = self.profile.assertion_header.as_deref()?;
        let registered = certificate_x5t(client.certificate_pem.as_deref()?)?;
        let named = header_member(presented.assertion.as_deref()?, member)?;
        (client.auth_method == AuthMethod::PrivateKeyJwt && named != registered)
            .then(|| reply.clone())
    }
}

/// The string member `member` of a JWT's header.
fn header_member(jwt: &str, member: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(jwt.split('.').next()?).ok()?;
    match serde_json::from_slice::<Value>(&header).ok()?.get(member)? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The `x5t` of a PEM certificate: the SHA-1 of its DER encoding, base64url (RFC 7515 section
/// 4.1.7). `None` when `pem` holds no certificate.
pub fn certificate_x5t(pem: &str) -> Option<String> {
    let body = pem
        .split_once("-----BEGIN CERTIFICATE-----")?
        .1
        .split_once("-----END CERTIFICATE-----")?
        .0;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD.decode(text).ok()?;
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    Some(URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

/// Works out which client presented itself and with which method. Err when the request mixes
/// methods (RFC 6749 section 2.3: only one per request) or the Basic header is malformed.
pub(super) fn presented_client(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Presented, ()> {
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if let Some(assertion) = params.get("client_assertion") {
        if basic.is_some()
            || params.contains_key("client_secret")
            || params.get("client_assertion_type").map(String::as_str)
                != Some(CLIENT_ASSERTION_TYPE)
        {
            return Err(());
        }
        // The client is named by the assertion's `sub` (RFC 7523 section 3); `client_id`,
        // when sent too, must agree.
        let sub = assertion
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|c| c.get("sub").and_then(Value::as_str).map(str::to_owned));
        let alg_hs = jsonwebtoken::decode_header(assertion)
            .map(|h| h.alg == jsonwebtoken::Algorithm::HS256)
            .unwrap_or(false);
        let client_id = match (params.get("client_id"), sub) {
            (Some(id), Some(sub)) if *id != sub => return Err(()),
            (_, Some(sub)) => Some(sub),
            (id, None) => id.cloned(),
        };
        return Ok(Presented {
            client_id,
            secret: None,
            method: if alg_hs {
                AuthMethod::ClientSecretJwt
            } else {
                AuthMethod::PrivateKeyJwt
            },
            assertion: Some(assertion.clone()),
        });
    }
    if let Some(encoded) = basic {
        if params.contains_key("client_secret") {
            return Err(());
        }
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| ())?;
        let decoded = String::from_utf8(decoded).map_err(|_| ())?;
        let (id, secret) = decoded.split_once(':').ok_or(())?;
        let unescape = |s: &str| -> String {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Ok(Presented {
            client_id: Some(unescape(id)),
            secret: Some(unescape(secret)),
            method: AuthMethod::ClientSecretBasic,
            assertion: None,
        });
    }
    let client_id = params.get("client_id").cloned();
    Ok(match params.get("client_secret") {
        Some(secret) => Presented {
            client_id,
            secret: Some(secret.clone()),
            method: AuthMethod::ClientSecretPost,
            assertion: None,
        },
        None => Presented {
            client_id,
            secret: None,
            method: AuthMethod::None,
            assertion: None,
        },
    })
}
