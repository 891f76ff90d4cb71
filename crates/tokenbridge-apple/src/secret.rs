//! Sign in with Apple's client secret: an ES256 JWT the client signs with its `.p8` key,
//! made fresh and reused until shortly before it expires.
//!
//! Header `alg` ES256 and `kid` (the key id); claims `iss` (the team id), `iat`, `exp` (at most
//! 15777000 s, six months, later), `aud` `https://appleid.apple.com` and `sub` (the client id)
//! (<https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret>).
//! It is sent as `client_secret` in the form body with `client_id`
//! (<https://developer.apple.com/documentation/signinwithapplerestapi/generate-and-validate-tokens>).

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tokenbridge_core::{
    AuthMethod, ClientAuth, Error, ExposeSecret, Result, SecretString, TokenRequest,
};

/// The `aud` of every client secret, whatever `base_url` says: Apple checks its own name.
pub const SECRET_AUDIENCE: &str = "https://appleid.apple.com";

/// The longest lifetime Apple accepts: 15777000 s (six months).
pub const MAX_LIFETIME: Duration = Duration::from_secs(15_777_000);

/// The lifetime of each secret made, by default: one hour. Apple allows six months; a short
/// one limits what a leaked secret is worth, and making one costs a signature.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// How long before its `exp` a secret is replaced, so a request never carries one that
/// expires on the way.
pub const RENEW_BEFORE: Duration = Duration::from_secs(300);

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: u64,
    exp: u64,
    aud: &'a str,
    sub: &'a str,
}

struct Cached {
    secret: SecretString,
    renew_at: tokio::time::Instant,
}

/// The client authentication of Sign in with Apple: `client_id` and a `client_secret` JWT
/// signed with the team's private key, cached until [`RENEW_BEFORE`] its expiry.
///
/// Time is tokio's: the cache expires on [`tokio::time::Instant`], and `iat` is the wall
/// clock at construction plus the tokio time elapsed since, so a paused test clock drives both.
pub struct AppleClientSecret {
    client_id: String,
    team_id: String,
    key_id: String,
    key: EncodingKey,
    lifetime: Duration,
    started: (SystemTime, tokio::time::Instant),
    cache: Mutex<Option<Cached>>,
}

impl fmt::Debug for AppleClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppleClientSecret")
            .field("client_id", &self.client_id)
            .field("team_id", &self.team_id)
            .field("key_id", &self.key_id)
            .field("key", &"[redacted]")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl AppleClientSecret {
    /// The client authentication for `client_id` (the Services ID or App ID) of team
    /// `team_id`, signing with the PKCS#8 PEM `private_key_pem` (Apple's `.p8` file) whose key
    /// id is `key_id`. A key that is not P-256, or not a key, is a configuration error naming
    /// `private_key_file`.
    pub fn new(
        client_id: impl Into<String>,
        team_id: impl Into<String>,
        key_id: impl Into<String>,
        private_key_pem: &SecretString,
    ) -> Result<Self> {
        let key =
            EncodingKey::from_ec_pem(private_key_pem.expose_secret().as_bytes()).map_err(|_| {
                Error::config(
                    "private_key_file",
                    "the private key is not a PKCS#8 PEM EC key (Apple's .p8 file holds one)",
                )
            })?;
        let me = Self {
            client_id: client_id.into(),
            team_id: team_id.into(),
            key_id: key_id.into(),
            key,
            lifetime: DEFAULT_LIFETIME,
            started: (SystemTime::now(), tokio::time::Instant::now()),
            cache: Mutex::new(None),
        };
        for (key, value) in [
            ("client_id", &me.client_id),
            ("team_id", &me.team_id),
            ("key_id", &me.key_id),
        ] {
            if value.trim().is_empty() {
                return Err(Error::config(key, format!("{key} is empty")));
            }
        }
        // A key of another curve parses but cannot sign ES256: find out now, not at sign-in.
        me.sign()?;
        Ok(me)
    }

    /// Each secret's lifetime, at most [`MAX_LIFETIME`] and more than [`RENEW_BEFORE`].
    pub fn with_lifetime(mut self, lifetime: Duration) -> Result<Self> {
        if lifetime > MAX_LIFETIME || lifetime <= RENEW_BEFORE {
            return Err(Error::config(
                "client_secret_lifetime",
                format!(
                    "the client secret's lifetime must be more than {} s and at most {} s \
                     (six months, Apple's limit)",
                    RENEW_BEFORE.as_secs(),
                    MAX_LIFETIME.as_secs()
                ),
            ));
        }
        self.lifetime = lifetime;
        Ok(self)
    }

    /// The current secret: the cached one while it has more than [`RENEW_BEFORE`] left, else
    /// a fresh one.
    pub fn secret(&self) -> Result<SecretString> {
        let now = tokio::time::Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = cache.as_ref().filter(|c| now < c.renew_at) {
            return Ok(cached.secret.clone());
        }
        let secret = self.sign()?;
        *cache = Some(Cached {
            secret: secret.clone(),
            renew_at: now + (self.lifetime - RENEW_BEFORE),
        });
        Ok(secret)
    }

    fn sign(&self) -> Result<SecretString> {
        let elapsed = tokio::time::Instant::now().duration_since(self.started.1);
        let iat = (self.started.0 + elapsed)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            iss: &self.team_id,
            iat,
            exp: iat + self.lifetime.as_secs(),
            aud: SECRET_AUDIENCE,
            sub: &self.client_id,
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map(SecretString::from)
            .map_err(|_| {
                Error::config(
                    "private_key_file",
                    "the private key cannot sign ES256 (Apple's keys are P-256)",
                )
            })
    }
}

impl ClientAuth for AppleClientSecret {
    fn method_name(&self) -> &str {
        AuthMethod::ClientSecretPost.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        let secret = self.secret()?;
        request
            .remove_param("client_id")
            .remove_param("client_secret");
        request
            .param("client_id", &self.client_id)
            .secret_param("client_secret", &secret);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::Value;

    use super::*;

    use tokenbridge_testkit::jose::TestKey;

    fn part(secret: &SecretString, i: usize) -> Value {
        let segment = secret.expose_secret().split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
    }

    fn client() -> AppleClientSecret {
        AppleClientSecret::new(
            "com.example.web",
            "TEAM123456",
            "KEY1234567",
            &SecretString::from(TestKey::EcP256.private_pem()),
        )
        .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn the_secret_is_apples_jwt_and_is_reused_until_near_its_expiry() {
        let auth = client();
        let first = auth.secret().unwrap();
        assert_eq!(
            part(&first, 0),
            serde_json::json!({"typ": "JWT", "alg": "ES256", "kid": "KEY1234567"})
        );
        let claims = part(&first, 1);
        assert_eq!(claims["iss"], "TEAM123456");
        assert_eq!(claims["sub"], "com.example.web");
        assert_eq!(claims["aud"], "https://appleid.apple.com");
        let iat = claims["iat"].as_u64().unwrap();
        assert_eq!(claims["exp"].as_u64().unwrap(), iat + 3600);

        tokio::time::advance(DEFAULT_LIFETIME - RENEW_BEFORE - Duration::from_secs(1)).await;
        let cached = auth.secret().unwrap();
        assert_eq!(cached.expose_secret(), first.expose_secret());

        tokio::time::advance(Duration::from_secs(1)).await;
        let fresh = auth.secret().unwrap();
        assert_ne!(fresh.expose_secret(), first.expose_secret());
        assert_eq!(part(&fresh, 1)["iat"].as_u64().unwrap(), iat + 3300);
    }

    #[test]
    fn lifetimes_beyond_six_months_and_bad_keys_are_refused() {
        assert!(client().with_lifetime(MAX_LIFETIME).is_ok());
        let err = client()
            .with_lifetime(MAX_LIFETIME + Duration::from_secs(1))
            .unwrap_err();
        assert!(err.to_string().contains("client_secret_lifetime"), "{err}");
        let rsa = TestKey::Rsa1.private_pem();
        let err = AppleClientSecret::new("c", "t", "k", &SecretString::from(rsa)).unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "private_key_file"),
            "{err:?}"
        );
        let err = AppleClientSecret::new(
            " ",
            "t",
            "k",
            &SecretString::from(TestKey::EcP256.private_pem()),
        )
        .unwrap_err();
        assert!(matches!(&err, Error::Config { key: Some(k), .. } if k == "client_id"));
    }

    #[test]
    fn debug_never_shows_the_key_or_a_secret() {
        let auth = client();
        let secret = auth.secret().unwrap();
        let shown = format!("{auth:?}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains(secret.expose_secret()));
        assert!(!shown.contains("MIG"));
    }
}
