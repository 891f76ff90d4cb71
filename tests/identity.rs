//! Identity (issue 11) end to end against the emulators, for every built-in kind configured
//! from TOML: sign-in verifies the ID token; each bad kind of ID token is refused with the
//! check it failed; key rotation and a flood of unknown keys through the provider's JWKS
//! cache; GenAuth's HS256 ID tokens; JWT client authentication checked by the emulator;
//! userinfo normalized per vendor; and `sub` checked between ID token and userinfo.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokenbridge::{
    reqwest, AuthMethod, Config, Error, ErrorKind, ExposeSecret, Grant, Protocol, Provider,
    Registry, SecretString, SigningAlgorithm, TokenExchanger, Url, VerifyOptions,
};
use tokenbridge::{Clock, IdTokenError};
use tokenbridge_testkit::huawei_oneaccess;
use tokenbridge_testkit::jose::{self, TestKey};
use tokenbridge_testkit::oidc::{IdTokenSigning, DEMO_SUBJECT};
use tokenbridge_testkit::tencent_ciam::{self, TencentCiamEmulator};
use tokenbridge_testkit::{
    ClientRegistration, EmulatorServer, OidcEmulator, OidcProvider, Profile,
};

const REDIRECT: &str = "http://127.0.0.1:8400/callback";

mod support;

use support::vendors::{Kind, Running, CLIENT_ID, CLIENT_SECRET, KINDS};

// ---------------------------------------------------------------------------------------------
// The four kinds

#[derive(Debug)]
struct Vendor {
    kind: Kind,
    running: Running,
}

impl Vendor {
    async fn start(kind: Kind) -> Self {
        Self {
            kind,
            running: Running::start(kind).await,
        }
    }

    /// The vendor signing ID tokens RS256 with its published keys: GenAuth's emulator signs
    /// HS256 with the application secret by default, as GenAuth does, and RS256 is the
    /// console's other choice.
    async fn start_rs256(kind: Kind) -> Self {
        let vendor = Self::start(kind).await;
        vendor.state().set_id_token_signing(IdTokenSigning::Rs256);
        vendor
    }

    fn server(&self) -> &EmulatorServer {
        self.running.server()
    }

    fn state(&self) -> &Arc<OidcProvider> {
        self.running.state()
    }

    /// The issuer the vendor's ID tokens carry.
    fn issuer(&self) -> String {
        match self.kind {
            Kind::GenAuth => format!("{}/oidc", self.server().base()),
            _ => self.state().issuer().to_owned(),
        }
    }

    fn jwks_path(&self) -> &'static str {
        match self.kind {
            Kind::Oidc => "/jwks",
            Kind::GenAuth => "/oidc/.well-known/jwks.json",
            Kind::Tencent => tencent_ciam::JWKS_PATH,
            Kind::Huawei => huawei_oneaccess::JWKS_PATH,
        }
    }

    fn userinfo_path(&self) -> &'static str {
        match self.kind {
            Kind::Oidc => "/userinfo",
            Kind::GenAuth => "/oidc/me",
            Kind::Tencent => tencent_ciam::USERINFO_PATH,
            Kind::Huawei => huawei_oneaccess::USERINFO_PATH,
        }
    }

    /// The provider's TOML table, with the redirect URI of the sign-ins, plus `extra` lines.
    fn toml(&self, extra: &str) -> String {
        self.running
            .toml(&format!("redirect_uri = \"{REDIRECT}\"\n{extra}"))
    }

    fn provider(&self, extra: &str) -> Provider {
        let config = Config::from_toml_str(&self.toml(extra)).unwrap();
        Registry::new().build(&config, "corp").unwrap()
    }

    /// The same provider built with the vendor's builder and an injected clock.
    fn provider_at(&self, clock: Arc<dyn Clock>) -> Provider {
        let base = self.server().base();
        let builder = match self.kind {
            Kind::Oidc => Provider::builder("corp").issuer(self.state().issuer()),
            Kind::GenAuth => tokenbridge::genauth::builder("corp", Protocol::Oidc).base_url(base),
            Kind::Tencent => tokenbridge::tencent_ciam::builder("corp").base_url(base),
            Kind::Huawei => {
                tokenbridge::huawei_oneaccess::builder("corp", Protocol::Oidc).base_url(base)
            }
        };
        builder
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .clock(clock)
            .build()
            .unwrap()
    }

    fn jwks_fetches(&self) -> usize {
        self.server().requests_to(self.jwks_path()).len()
    }
}

/// A clock standing at a fixed instant.
#[derive(Debug)]
struct FixedClock(SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The claims of a good ID token from `vendor` with nonce `n1`.
fn good_claims(vendor: &Vendor) -> Value {
    let now = unix_now();
    json!({
        "iss": vendor.issuer(), "sub": DEMO_SUBJECT, "aud": CLIENT_ID,
        "iat": now, "exp": now + 1800, "nonce": "n1",
    })
}

/// Follows the authorization URL as a browser starts to; returns the callback URL.
async fn authorize(url: &Url) -> Url {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(url.as_str()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302, "{url}");
    Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
}

/// The name of the check an ID-token error failed.
fn check(error: &Error) -> &'static str {
    match error {
        Error::IdToken(e) => e.check(),
        other => panic!("expected an ID-token error, got {other:?}"),
    }
}

async fn refused(provider: &Provider, token: &str, nonce: Option<&str>) -> &'static str {
    let mut options = VerifyOptions::new();
    if let Some(n) = nonce {
        options = options.nonce(n);
    }
    let error = provider.verify_id_token(token, options).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken, "{error:?}");
    let shown = error.to_string();
    assert!(!shown.contains(token), "the token is not repeated: {shown}");
    check(&error)
}

// ---------------------------------------------------------------------------------------------
// Sign-in and ID tokens

#[tokio::test]
async fn sign_in_verifies_the_id_token_at_every_vendor() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        let provider = vendor.running.signin_provider(&format!(
            "redirect_uri = \"{REDIRECT}\"\nscopes = \"openid profile email\""
        ));
        let client_id = vendor.running.signin_client_id();
        let request = provider.authorization_request().build().await.unwrap();
        let nonce = request.pending.nonce().unwrap().expose_secret().to_owned();
        let callback = authorize(&request.url).await;
        let login = provider
            .complete_login(callback.as_str(), request.pending)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let token = login.id_token.as_ref().expect("a verified ID token");
        assert_eq!(token.issuer, vendor.issuer(), "{kind:?}");
        assert_eq!(token.subject, DEMO_SUBJECT);
        assert_eq!(token.audience, [client_id]);
        // The verifier refuses a nonce other than the login's; that Tencent's and OneAccess's
        // ID tokens carry one (and `at_hash`) is not documented, so only the standard
        // provider is held to them.
        if kind == Kind::Oidc {
            assert_eq!(token.nonce.as_deref(), Some(nonce.as_str()), "{kind:?}");
            assert!(token.claims.contains_key("at_hash"), "{kind:?}");
        }
        assert!(
            token.nonce.is_none() || token.nonce.as_deref() == Some(nonce.as_str()),
            "{kind:?}"
        );
        // GenAuth signs HS256 with the application secret unless told otherwise, and a
        // provider configured without `id_token_signed_response_alg` accepts it.
        let expected = match kind {
            Kind::GenAuth => SigningAlgorithm::Hs256,
            _ => SigningAlgorithm::Rs256,
        };
        assert_eq!(token.algorithm, expected, "{kind:?}");
        let identity = login.identity().unwrap();
        assert_eq!(identity.email.as_deref(), Some("demo@example.com"));
        assert_eq!(identity.email_verified, Some(true));
    }
}

#[tokio::test]
async fn each_bad_id_token_is_refused_at_every_vendor() {
    for kind in KINDS {
        let vendor = Vendor::start_rs256(kind).await;
        // GenAuth accepts HS256 keyed with the client secret by default: an HMAC made with
        // anything else fails its signature check rather than the algorithm check.
        let hs256_refusal = match kind {
            Kind::GenAuth => "signature",
            _ => "algorithm",
        };
        let state = vendor.state();
        let provider = vendor.provider("");
        let what = format!("{kind:?}");
        let good = good_claims(&vendor);
        let sign = |claims: &Value| state.sign_id_token(CLIENT_ID, claims);
        let with = |changes: &[(&str, Value)]| sign(&jose::with_claims(&good, changes));

        // A good token verifies, with or without the nonce check.
        let token = sign(&good);
        let verified = provider
            .verify_id_token(&token, VerifyOptions::new().nonce("n1"))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(verified.key_id.as_deref(), Some("rsa-1"), "{what}");
        provider
            .verify_id_token(&token, VerifyOptions::new())
            .await
            .unwrap();
        // The emulator's own tokens carry at_hash, checked against their access token.
        let minted = state.id_token_for(CLIENT_ID, Some("n1"), Some("at-1"));
        provider
            .verify_id_token(&minted, VerifyOptions::new().access_token("at-1"))
            .await
            .unwrap();
        let e = provider
            .verify_id_token(&minted, VerifyOptions::new().access_token("at-2"))
            .await
            .unwrap_err();
        assert_eq!(check(&e), "at_hash", "{what}");

        let cases: Vec<(&str, String, Option<&str>)> = vec![
            ("nonce", token.clone(), Some("n2")),
            ("nonce", with(&[("nonce", Value::Null)]), Some("n1")),
            (
                "signature",
                jose::tamper_payload(
                    &token,
                    &jose::with_claims(&good, &[("sub", json!("admin"))]),
                ),
                None,
            ),
            ("signature", jose::tamper_signature(&token), None),
            ("audience", with(&[("aud", json!("another-app"))]), None),
            (
                "audience",
                with(&[("aud", json!([CLIENT_ID, "another-app"]))]),
                None,
            ),
            (
                "issuer",
                with(&[("iss", json!("https://attacker.example.com"))]),
                None,
            ),
            ("algorithm", jose::unsigned_token(&good), None),
            // HS/RS confusion: the public key used as an HMAC secret.
            (
                hs256_refusal,
                jose::sign_hs256(TestKey::Rsa1.public_pem().as_bytes(), Some("rsa-1"), &good),
                None,
            ),
            // An HS256 token keyed with another secret.
            (
                hs256_refusal,
                jose::sign_hs256(b"another-secret", None, &good),
                None,
            ),
            // A key the provider never published.
            (
                "unknown key",
                jose::sign_default(TestKey::Rsa2, &good),
                None,
            ),
            ("malformed", "not.a-jwt".to_owned(), None),
        ];
        for (expected, bad, nonce) in cases {
            assert_eq!(
                refused(&provider, &bad, nonce).await,
                expected,
                "{what}: {bad}"
            );
        }

        // Expired: the same good token, two hours later on the verifier's clock.
        let later = vendor.provider_at(Arc::new(FixedClock(
            SystemTime::now() + Duration::from_secs(7200),
        )));
        assert_eq!(refused(&later, &token, None).await, "expired", "{what}");
        // Not yet valid: issued an hour in the future.
        let future = with(&[("iat", json!(unix_now() + 3600))]);
        assert_eq!(
            refused(&provider, &future, None).await,
            "not yet valid",
            "{what}"
        );
    }
}

#[tokio::test]
async fn an_invalid_id_token_fails_the_sign_in() {
    let vendor = Vendor::start(Kind::Oidc).await;
    let provider = vendor.provider("");
    for (bad_nonce, expected) in [(true, "nonce"), (false, "unknown key")] {
        let request = provider.authorization_request().build().await.unwrap();
        let callback = authorize(&request.url).await;
        let claims = good_claims(&vendor);
        // Another login's nonce, or a key the provider never published.
        let id_token = if bad_nonce {
            vendor.state().sign_id_token(CLIENT_ID, &claims)
        } else {
            let nonce = request.pending.nonce().unwrap().expose_secret().to_owned();
            jose::sign_default(
                TestKey::Rsa2,
                &jose::with_claims(&claims, &[("nonce", json!(nonce))]),
            )
        };
        vendor.state().push_reply(tokenbridge_testkit::Reply::json(
            200,
            json!({"access_token": "at-1", "token_type": "Bearer", "id_token": id_token}),
        ));
        let error = provider
            .complete_login(callback.as_str(), request.pending)
            .await
            .unwrap_err();
        assert_eq!(check(&error), expected);
        assert_eq!(error.kind(), ErrorKind::InvalidToken);
    }
}

#[tokio::test]
async fn genauth_accepts_hs256_and_rs256_by_default_each_with_its_own_key() {
    let vendor = Vendor::start(Kind::GenAuth).await;
    let provider = vendor.provider("");
    let good = good_claims(&vendor);
    // HS256 with the client secret: no JWKS needed.
    let hs = jose::sign_hs256(CLIENT_SECRET.as_bytes(), None, &good);
    let verified = provider
        .verify_id_token(&hs, VerifyOptions::new())
        .await
        .unwrap();
    assert_eq!(verified.algorithm, SigningAlgorithm::Hs256);
    assert_eq!(vendor.jwks_fetches(), 0);
    // RS256 from the JWKS.
    let rs = jose::sign_default(TestKey::Rsa1, &good);
    let verified = provider
        .verify_id_token(&rs, VerifyOptions::new())
        .await
        .unwrap();
    assert_eq!(verified.algorithm, SigningAlgorithm::Rs256);
    assert_eq!(verified.key_id.as_deref(), Some("rsa-1"));
    assert_eq!(vendor.jwks_fetches(), 1);
    // An RSA key is never an HMAC secret.
    let confused = jose::sign_hs256(TestKey::Rsa1.public_pem().as_bytes(), Some("rsa-1"), &good);
    assert_eq!(refused(&provider, &confused, None).await, "signature");
    assert_eq!(vendor.jwks_fetches(), 1, "HS256 never reads the JWKS");

    // A public client (`none`) has no secret, so no HS256: RS256 only.
    let public = tokenbridge::genauth::builder("corp", Protocol::Oidc)
        .base_url(vendor.server().base())
        .client_id(CLIENT_ID)
        .auth_method(AuthMethod::None)
        .build()
        .unwrap();
    let algorithms: Vec<SigningAlgorithm> = public
        .id_token_verifier()
        .await
        .unwrap()
        .algorithms()
        .collect();
    assert_eq!(algorithms, [SigningAlgorithm::Rs256]);
    assert_eq!(refused(&public, &hs, None).await, "algorithm");
    public
        .verify_id_token(&rs, VerifyOptions::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn genauth_hs256_id_tokens_verify_with_the_client_secret() {
    let vendor = Vendor::start(Kind::GenAuth).await;
    vendor.state().set_id_token_signing(IdTokenSigning::Hs256);
    let provider = vendor.provider("id_token_signed_response_alg = \"HS256\"");
    let request = provider.authorization_request().build().await.unwrap();
    let callback = authorize(&request.url).await;
    let login = provider
        .complete_login(callback.as_str(), request.pending)
        .await
        .unwrap();
    let token = login.id_token.unwrap();
    assert_eq!(token.algorithm, SigningAlgorithm::Hs256);
    assert_eq!(token.issuer, vendor.issuer());
    // No JWKS is needed for HS256.
    assert_eq!(vendor.jwks_fetches(), 0);

    let good = good_claims(&vendor);
    // An RS256 token is refused by an HS256 client, and the other way round.
    let rs = jose::sign_default(TestKey::Rsa1, &good);
    assert_eq!(refused(&provider, &rs, None).await, "algorithm");
    let wrong_secret = jose::sign_hs256(b"another-secret", None, &good);
    assert_eq!(refused(&provider, &wrong_secret, None).await, "signature");
    let rs_provider = vendor.provider("id_token_signed_response_alg = \"RS256\"");
    let hs = jose::sign_hs256(CLIENT_SECRET.as_bytes(), None, &good);
    assert_eq!(refused(&rs_provider, &hs, None).await, "algorithm");
    rs_provider
        .verify_id_token(&rs, VerifyOptions::new())
        .await
        .unwrap();

    // `none` and unknown algorithms are configuration errors naming the key.
    for bad in ["none", "RS512"] {
        let config = Config::from_toml_str(
            &vendor.toml(&format!("id_token_signed_response_alg = \"{bad}\"")),
        )
        .unwrap();
        match Registry::new().build(&config, "corp").unwrap_err() {
            Error::Config { key, .. } => assert_eq!(
                key.as_deref(),
                Some("providers.corp.id_token_signed_response_alg")
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_subject_must_hold_1_to_255_characters() {
    let vendor = Vendor::start(Kind::Oidc).await;
    let provider = vendor.provider("");
    let state = vendor.state();
    let good = good_claims(&vendor);
    let with_sub = |sub: String| {
        state.sign_id_token(CLIENT_ID, &jose::with_claims(&good, &[("sub", json!(sub))]))
    };
    for (sub, reason) in [
        (String::new(), "the claim `sub` is empty".to_owned()),
        (
            "u".repeat(256),
            "the claim `sub` is 256 characters long; OpenID Connect Core 1.0 section 2 allows \
             at most 255"
                .to_owned(),
        ),
    ] {
        let e = provider
            .verify_id_token(&with_sub(sub.clone()), VerifyOptions::new())
            .await
            .unwrap_err();
        assert_eq!(check(&e), "malformed", "{e}");
        assert_eq!(
            e.to_string(),
            format!("ID token refused (malformed): {reason}")
        );
    }
    for sub in ["1".to_owned(), "u".repeat(255), "é".repeat(255)] {
        let verified = provider
            .verify_id_token(&with_sub(sub.clone()), VerifyOptions::new())
            .await
            .unwrap_or_else(|e| panic!("{} characters: {e}", sub.chars().count()));
        assert_eq!(verified.subject, sub);
    }
}

// ---------------------------------------------------------------------------------------------
// Keys: rotation and floods of unknown kids, through the provider

#[tokio::test(start_paused = true)]
async fn a_rotated_key_is_found_after_one_refetch_at_every_vendor() {
    for kind in KINDS {
        let vendor = Vendor::start_rs256(kind).await;
        let provider = vendor.provider("");
        let state = vendor.state();
        let good = good_claims(&vendor);
        let old = state.sign_id_token(CLIENT_ID, &good);
        provider
            .verify_id_token(&old, VerifyOptions::new())
            .await
            .unwrap();
        assert_eq!(vendor.jwks_fetches(), 1, "{kind:?}");

        // The provider publishes RSA 2 beside RSA 1 and signs with it.
        state.rotate_keys(true);
        let new = state.sign_id_token(CLIENT_ID, &good);
        // Within 10 s of the last fetch, the unknown key is not fetched again.
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(refused(&provider, &new, None).await, "unknown key");
        assert_eq!(vendor.jwks_fetches(), 1, "{kind:?}");
        // After them, one refetch finds the new key; both keys verify from then on.
        tokio::time::advance(Duration::from_secs(6)).await;
        for token in [&new, &new, &old] {
            provider
                .verify_id_token(token, VerifyOptions::new())
                .await
                .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        assert_eq!(vendor.jwks_fetches(), 2, "{kind:?}");
    }
}

#[tokio::test]
async fn a_flood_of_unknown_kids_fetches_the_jwks_once() {
    for kind in KINDS {
        let vendor = Vendor::start_rs256(kind).await;
        let provider = vendor.provider("");
        let good = good_claims(&vendor);
        let forged: Vec<String> = (0..200)
            .map(|i| {
                jose::sign(
                    TestKey::Rsa2,
                    SigningAlgorithm::Rs256,
                    Some(&format!("made-up-{i}")),
                    &good,
                )
            })
            .collect();
        let results = futures_join_all(&provider, &forged).await;
        assert!(results.iter().all(|c| *c == "unknown key"), "{results:?}");
        // Every forged kid asked for a refetch; the cache fetched once.
        assert_eq!(vendor.jwks_fetches(), 1, "{kind:?}");
        // The genuine key still verifies, without another fetch.
        provider
            .verify_id_token(
                &vendor.state().sign_id_token(CLIENT_ID, &good),
                VerifyOptions::new(),
            )
            .await
            .unwrap();
        assert_eq!(vendor.jwks_fetches(), 1, "{kind:?}");
    }
}

/// Verifies every token concurrently; the failed checks, in order.
async fn futures_join_all(provider: &Provider, tokens: &[String]) -> Vec<&'static str> {
    let mut tasks = Vec::new();
    for token in tokens {
        let provider = provider.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            match provider.verify_id_token(&token, VerifyOptions::new()).await {
                Ok(_) => "verified",
                Err(e) => check(&e),
            }
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JWT client authentication

/// A temporary file removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "tokenbridge-identity-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn oidc_jwt_provider(
    emulator: &OidcEmulator,
    client_id: &str,
    lines: &str,
) -> Result<Provider, Error> {
    let config = Config::from_toml_str(&format!(
        "[providers.m2m]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{client_id}\"\n{lines}\n",
        emulator.issuer()
    ))?;
    Registry::new()
        .with_env(|name| (name == "M2M_KEY").then(|| TestKey::EcP256.private_pem().to_owned()))
        .build(&config, "m2m")
}

#[tokio::test]
async fn jwt_client_authentication_is_checked_by_the_emulator() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    let state = emulator.provider();
    state.register_client(ClientRegistration::private_key_jwt(
        "rsa-app",
        TestKey::Rsa1.public_pem(),
    ));
    state.register_client(ClientRegistration::private_key_jwt(
        "ec-app",
        TestKey::EcP256.public_pem(),
    ));
    state.register_client(ClientRegistration::confidential(
        "hmac-app",
        "hmac-app-secret-long-enough-for-hs256",
        AuthMethod::ClientSecretJwt,
    ));
    let rsa_key = TempFile::new("rsa1.pem", TestKey::Rsa1.private_pem());
    let wrong_key = TempFile::new("rsa2.pem", TestKey::Rsa2.private_pem());
    let file = |f: &TempFile| format!("private_key_file = \"{}\"", f.0.display());

    let rsa = oidc_jwt_provider(
        &emulator,
        "rsa-app",
        &format!(
            "auth_method = \"private_key_jwt\"\n{}\nkey_id = \"client-key-1\"",
            file(&rsa_key)
        ),
    )
    .unwrap();
    let ec = oidc_jwt_provider(
        &emulator,
        "ec-app",
        "auth_method = \"private_key_jwt\"\nprivate_key_env = \"M2M_KEY\"",
    )
    .unwrap();
    let hmac = oidc_jwt_provider(
        &emulator,
        "hmac-app",
        "auth_method = \"client_secret_jwt\"\nclient_secret = \"hmac-app-secret-long-enough-for-hs256\"",
    )
    .unwrap();
    for provider in [&rsa, &ec, &hmac] {
        provider
            .exchange(Grant::client_credentials())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", provider.client_id()));
        // A code grant too: the assertion is fresh each time (no jti reused).
        let code = emulator.issue_code(provider.client_id(), REDIRECT, None);
        provider
            .exchange(Grant::authorization_code(code, REDIRECT))
            .await
            .unwrap();
    }
    let sent = emulator.token_requests();
    let last = sent.last().unwrap();
    let form: Vec<(String, String)> = last.form();
    assert!(form.iter().any(|(k, v)| k == "client_assertion_type"
        && v == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
    assert!(!form.iter().any(|(k, _)| k == "client_secret"));
    let rsa_header = rsa_header_of(&sent, "rsa-app");
    assert_eq!(rsa_header["kid"], "client-key-1");
    assert_eq!(rsa_header["alg"], "RS256");

    // Bad assertions are refused as client authentication failures.
    let wrong = oidc_jwt_provider(
        &emulator,
        "rsa-app",
        &format!("auth_method = \"private_key_jwt\"\n{}", file(&wrong_key)),
    )
    .unwrap();
    let wrong_secret = oidc_jwt_provider(
        &emulator,
        "hmac-app",
        "auth_method = \"client_secret_jwt\"\nclient_secret = \"not-the-registered-secret\"",
    )
    .unwrap();
    for provider in [&wrong, &wrong_secret] {
        let e = provider
            .exchange(Grant::client_credentials())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidClient, "{e:?}");
    }

    // A replayed assertion, and ones with the wrong audience or already expired.
    let assertion = form
        .iter()
        .find(|(k, _)| k == "client_assertion")
        .map(|(_, v)| v.clone())
        .unwrap();
    let hmac_reg = ClientRegistration::confidential(
        "hmac-app",
        "hmac-app-secret-long-enough-for-hs256",
        AuthMethod::ClientSecretJwt,
    );
    let replay = state.check_assertion(&hmac_reg, &assertion, &emulator.token_endpoint());
    assert!(replay.unwrap_err().contains("jti"));
    let now = unix_now();
    for (claims, why) in [
        (
            json!({"iss": "hmac-app", "sub": "hmac-app", "aud": "https://elsewhere.example.com/token",
                   "jti": "j-aud", "iat": now, "exp": now + 60}),
            "aud",
        ),
        (
            json!({"iss": "hmac-app", "sub": "hmac-app", "aud": emulator.token_endpoint(),
                   "jti": "j-exp", "iat": now - 600, "exp": now - 300}),
            "xpired",
        ),
        (
            json!({"iss": "hmac-app", "sub": "someone-else", "aud": emulator.token_endpoint(),
                   "jti": "j-sub", "iat": now, "exp": now + 60}),
            "sub",
        ),
    ] {
        let forged = jose::sign_hs256(b"hmac-app-secret-long-enough-for-hs256", None, &claims);
        let err = state
            .check_assertion(&hmac_reg, &forged, &emulator.token_endpoint())
            .unwrap_err();
        assert!(
            err.contains(why) || err.contains("Audience") || err.contains("Expired"),
            "{why}: {err}"
        );
    }

    // Vendors that document no JWT client authentication refuse it in configuration.
    let tencent = TencentCiamEmulator::start().await.unwrap();
    let config = Config::from_toml_str(&format!(
        "[providers.t]\nkind = \"tencent-ciam\"\nbase_url = \"{}\"\nclient_id = \"a\"\nclient_secret = \"s\"\nauth_method = \"client_secret_jwt\"\n",
        tencent.base()
    ))
    .unwrap();
    match Registry::new().build(&config, "t").unwrap_err() {
        Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("providers.t.auth_method"));
            assert!(message.contains("client_secret_post"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// The JOSE header of the assertion `client_id` sent last.
fn rsa_header_of(sent: &[tokenbridge_testkit::RecordedRequest], client_id: &str) -> Value {
    use base64::Engine as _;
    let assertion = sent
        .iter()
        .rev()
        .filter_map(|r| {
            let form = r.form();
            let from = form.iter().any(|(k, v)| k == "client_id" && v == client_id);
            form.into_iter()
                .find(|(k, _)| k == "client_assertion")
                .filter(|_| from)
                .map(|(_, v)| v)
        })
        .next()
        .unwrap();
    let header = assertion.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Userinfo

#[tokio::test]
async fn userinfo_is_normalized_for_every_kind() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        // OneAccess documents its camelCase userinfo (ShowUser_0) without saying OIDC
        // applications get it too, so it is asserted for an OAuth 2.0 application.
        let provider = vendor.provider(match kind {
            Kind::Huawei => "protocol = \"oauth\"",
            _ => "",
        });
        let at = vendor.state().issue_access_token(CLIENT_ID);
        let identity = provider
            .userinfo(&SecretString::from(at.clone()))
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(identity.subject, DEMO_SUBJECT, "{kind:?}");
        assert_eq!(identity.name.as_deref(), Some("Demo User"));
        assert_eq!(identity.preferred_username.as_deref(), Some("demo"));
        assert_eq!(identity.email.as_deref(), Some("demo@example.com"));
        assert_eq!(identity.phone_number.as_deref(), Some("+86 138 0000 0000"));
        let request = vendor
            .server()
            .requests_to(vendor.userinfo_path())
            .pop()
            .unwrap();
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {at}").as_str())
        );
        assert_eq!(request.header("accept"), Some("application/json"));
        match kind {
            Kind::Huawei => {
                // camelCase as sent (ShowUser_0), no `sub`; no email_verified or picture.
                assert_eq!(identity.claims["userName"], "demo");
                assert_eq!(identity.claims["mobile"], "+86 138 0000 0000");
                assert!(!identity.claims.contains_key("sub"));
                assert_eq!(identity.email_verified, None);
                assert_eq!(identity.picture, None);
            }
            Kind::GenAuth => {
                // Unset claims come back as null, and stay in the raw claims.
                assert_eq!(identity.claims["nickname"], Value::Null);
                assert_eq!(identity.email_verified, Some(true));
            }
            _ => {
                assert_eq!(identity.email_verified, Some(true));
                assert_eq!(
                    identity.picture.as_deref(),
                    Some("https://files.example.com/demo-user.png")
                );
            }
        }

        // A refused access token is InvalidToken at every vendor, whatever the shape.
        vendor.state().revoke_access_token(&at);
        let error = provider
            .userinfo(&SecretString::from(at.clone()))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidToken, "{kind:?}: {error:?}");
        let refusal = error.oauth_error().unwrap();
        let expected = if kind == Kind::Huawei {
            "unauthorized"
        } else {
            "invalid_token"
        };
        assert_eq!(refusal.code(), expected, "{kind:?}");
        assert_eq!(refusal.status(), Some(401));
        assert!(!error.to_string().contains(&at));
        if kind == Kind::Tencent {
            // Read from WWW-Authenticate: Tencent sends no body.
            assert_eq!(
                refusal.description(),
                Some("the access token is invalid, expired or revoked")
            );
        }
    }
}

#[tokio::test]
async fn userinfo_without_an_endpoint_is_unsupported_and_sends_nothing() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    let config = Config::from_toml_str(&format!(
        "[providers.t]\nkind = \"oidc\"\ntoken_endpoint = \"{}\"\nclient_id = \"a\"\nclient_secret = \"s\"\n",
        emulator.token_endpoint()
    ))
    .unwrap();
    let provider = Registry::new().build(&config, "t").unwrap();
    let error = provider
        .userinfo(&SecretString::from("at"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert!(emulator.requests().is_empty());
    // No issuer and no keys either: an ID token cannot be verified.
    let error = provider
        .verify_id_token("a.b.c", VerifyOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unsupported, "{error:?}");
}

#[tokio::test]
async fn userinfo_for_another_subject_than_the_id_token_is_an_error() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        let provider = vendor.provider("");
        let state = vendor.state();
        let verified = provider
            .verify_id_token(
                &state.sign_id_token(CLIENT_ID, &good_claims(&vendor)),
                VerifyOptions::new(),
            )
            .await
            .unwrap();
        let at = state.issue_access_token(CLIENT_ID);
        let same = provider
            .userinfo_for(&SecretString::from(at), &verified)
            .await
            .unwrap();
        assert_eq!(same.subject, verified.subject);
        assert_eq!(tokenbridge::Identity::from(&verified).subject, same.subject);

        // An access token of another user (a substituted token).
        let mut other = tokenbridge_testkit::oidc::demo_user_claims();
        other.insert("sub".into(), json!("user-2"));
        state.set_user_claims(other);
        let at = state.issue_access_token(CLIENT_ID);
        let error = provider
            .userinfo_for(&SecretString::from(at), &verified)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::IdToken(e) if matches!(**e, IdTokenError::SubjectMismatch)),
            "{kind:?}: {error:?}"
        );
        assert_eq!(check(&error), "subject");
    }
}
