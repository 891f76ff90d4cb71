//! JWT client authentication end to end: the exact parameters reach a loopback token endpoint,
//! and the assertion verifies with the client's public key.

use std::collections::HashSet;

use axum::routing::post;
use axum::Router;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use tokenbridge_core::CLIENT_ASSERTION_TYPE;
use tokenbridge_core::{
    BodyEncoding, ClientAuth, ClientSecretJwt, Error, HttpClient, PrivateKeyJwt, SecretString,
    SigningAlgorithm, TokenRequest,
};
use tokenbridge_testkit::jose::TestKey;
use tokenbridge_testkit::EmulatorServer;

async fn token_endpoint() -> EmulatorServer {
    EmulatorServer::start("127.0.0.1:0".parse().unwrap(), |_| {
        Router::new().route(
            "/oauth2/token",
            post(|| async { axum::Json(json!({"access_token": "at", "token_type": "Bearer"})) }),
        )
    })
    .await
    .unwrap()
}

/// Sends a client-credentials request authenticated by `auth`; returns the form received.
async fn sent_params(server: &EmulatorServer, auth: &dyn ClientAuth) -> Vec<(String, String)> {
    let url = server.base_url().join("oauth2/token").unwrap();
    let mut request = TokenRequest::post(url, BodyEncoding::Form);
    request.param("grant_type", "client_credentials");
    auth.apply(&mut request).unwrap();
    HttpClient::default().send(&request).await.unwrap();
    let recorded = server.requests_to("/oauth2/token");
    let last = recorded.last().unwrap();
    assert!(
        last.header("authorization").is_none(),
        "no second auth method"
    );
    last.form()
}

fn decode(assertion: &str, key: &DecodingKey, alg: Algorithm, aud: &str) -> Value {
    let mut validation = Validation::new(alg);
    validation.set_audience(&[aud]);
    validation.set_issuer(&["app-1"]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud", "jti"]);
    jsonwebtoken::decode::<Value>(assertion, key, &validation)
        .unwrap()
        .claims
}

fn check_claims(claims: &Value) {
    assert_eq!(claims["iss"], "app-1");
    assert_eq!(claims["sub"], "app-1");
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert!(lifetime > 0 && lifetime <= 60, "{lifetime}");
    // 128 random bits, base64url without padding.
    assert_eq!(claims["jti"].as_str().unwrap().len(), 22);
}

#[tokio::test]
async fn private_key_jwt_sends_a_verifiable_assertion() {
    let server = token_endpoint().await;
    let aud = format!("{}oauth2/token", server.base_url());
    for (key, alg, decoding) in [
        (
            TestKey::Rsa1,
            Algorithm::RS256,
            DecodingKey::from_rsa_pem(TestKey::Rsa1.public_pem().as_bytes()).unwrap(),
        ),
        (
            TestKey::EcP256,
            Algorithm::ES256,
            DecodingKey::from_ec_pem(TestKey::EcP256.public_pem().as_bytes()).unwrap(),
        ),
    ] {
        let auth = PrivateKeyJwt::from_pem("app-1", key.private_pem(), Some("client-key-1".into()))
            .unwrap();
        assert_eq!(auth.method_name(), "private_key_jwt");
        assert_eq!(
            auth.algorithm(),
            if alg == Algorithm::RS256 {
                SigningAlgorithm::Rs256
            } else {
                SigningAlgorithm::Es256
            }
        );
        assert!(!format!("{auth:?}").contains("PRIVATE"), "{auth:?}");

        let mut jtis = HashSet::new();
        for _ in 0..2 {
            let form = sent_params(&server, &auth).await;
            let names: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                names,
                [
                    "grant_type",
                    "client_id",
                    "client_assertion_type",
                    "client_assertion"
                ]
            );
            assert_eq!(form[0].1, "client_credentials");
            assert_eq!(form[1].1, "app-1");
            assert_eq!(form[2].1, CLIENT_ASSERTION_TYPE);
            let header = jsonwebtoken::decode_header(&form[3].1).unwrap();
            assert_eq!(header.alg, alg);
            assert_eq!(header.kid.as_deref(), Some("client-key-1"));
            let claims = decode(&form[3].1, &decoding, alg, &aud);
            assert_eq!(claims["aud"], aud);
            check_claims(&claims);
            assert!(
                jtis.insert(claims["jti"].as_str().unwrap().to_owned()),
                "jti reused"
            );
        }
        // Another key does not verify the assertion.
        let form = sent_params(&server, &auth).await;
        let other = DecodingKey::from_rsa_pem(TestKey::Rsa2.public_pem().as_bytes()).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[&aud]);
        assert!(jsonwebtoken::decode::<Value>(&form[3].1, &other, &validation).is_err());
    }
}

#[tokio::test]
async fn client_secret_jwt_sends_a_verifiable_assertion() {
    let server = token_endpoint().await;
    let aud = format!("{}oauth2/token", server.base_url());
    let auth = ClientSecretJwt::new("app-1", SecretString::from("s3cret-s3cret"));
    let form = sent_params(&server, &auth).await;
    let names: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "grant_type",
            "client_id",
            "client_assertion_type",
            "client_assertion"
        ]
    );
    assert_eq!(form[2].1, CLIENT_ASSERTION_TYPE);
    assert!(
        form.iter().all(|(_, v)| !v.contains("s3cret")),
        "the secret itself is not sent"
    );
    let claims = decode(
        &form[3].1,
        &DecodingKey::from_secret(b"s3cret-s3cret"),
        Algorithm::HS256,
        &aud,
    );
    check_claims(&claims);
}

#[test]
fn unusable_keys_are_configuration_errors() {
    // Ed25519 is not offered for private_key_jwt, and a public key cannot sign.
    for pem in [
        TestKey::Ed25519.private_pem(),
        TestKey::Rsa1.public_pem(),
        "garbage",
    ] {
        let err = PrivateKeyJwt::from_pem("app-1", pem, None).unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "private_key"),
            "{err:?}"
        );
        assert!(
            !err.to_string().contains("BEGIN PRIVATE KEY-----\nMI"),
            "{err}"
        );
    }
    let dir = std::env::temp_dir().join(format!("tokenbridge-jwt-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("client.pem");
    std::fs::write(&path, TestKey::EcP256.private_pem()).unwrap();
    let auth = PrivateKeyJwt::from_pem_file("app-1", &path, None).unwrap();
    assert_eq!(auth.algorithm(), SigningAlgorithm::Es256);
    std::fs::write(&path, "not a key").unwrap();
    let err = PrivateKeyJwt::from_pem_file("app-1", &path, None).unwrap_err();
    assert!(
        matches!(&err, Error::Config { key: Some(k), .. } if k == "private_key_file"),
        "{err:?}"
    );
    assert!(err.to_string().contains("client.pem"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
