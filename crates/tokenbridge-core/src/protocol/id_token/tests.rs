//! Unit tests of ID-token verification.

use super::*;

#[test]
fn algorithm_names_round_trip_and_none_is_refused() {
    for a in SigningAlgorithm::ALL {
        assert_eq!(a.as_str().parse::<SigningAlgorithm>().unwrap(), a);
    }
    for bad in ["none", "NONE", "RS512", "rs256", ""] {
        assert!(bad.parse::<SigningAlgorithm>().is_err(), "{bad}");
    }
}

#[test]
fn at_hash_matches_the_spec_example() {
    // OpenID Connect Core A.3: access token and at_hash of the RS256 example.
    assert_eq!(
        access_token_hash(
            SigningAlgorithm::Rs256,
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    assert_eq!(access_token_hash(SigningAlgorithm::EdDsa, "x").len(), 43);
}

#[test]
fn builder_refuses_inconsistent_settings() {
    let b = || IdTokenVerifier::builder("https://id.example.com", "app");
    assert!(b().build().is_err(), "RS256 without a key source");
    assert!(b().algorithms([SigningAlgorithm::Hs256]).build().is_err());
    assert!(b()
        .algorithms([])
        .client_secret(SecretString::from("s"))
        .build()
        .is_err());
    assert!(b()
        .algorithms([SigningAlgorithm::Hs256])
        .client_secret(SecretString::from("s"))
        .build()
        .is_ok());
    let err = IdTokenVerifier::builder("", "app")
        .algorithms([SigningAlgorithm::Hs256])
        .client_secret(SecretString::from("s"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { key: Some(k), .. } if k == "issuer"));
}

#[test]
fn discovery_chooses_issuer_keys_and_algorithms() {
    let metadata =
        |doc: serde_json::Value| -> ProviderMetadata { serde_json::from_value(doc).unwrap() };
    let full = metadata(serde_json::json!({
        "issuer": "https://id.example.com",
        "token_endpoint": "https://id.example.com/token",
        "jwks_uri": "https://id.example.com/jwks",
        "id_token_signing_alg_values_supported": ["none", "HS256", "ES256", "PS256", "RS512"],
    }));
    let v = IdTokenVerifier::builder_from_metadata(&full, "app", HttpClient::default())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(v.issuer(), "https://id.example.com");
    assert_eq!(
        v.algorithms().collect::<Vec<_>>(),
        [SigningAlgorithm::Ps256, SigningAlgorithm::Es256]
    );
    let bare = metadata(serde_json::json!({
        "issuer": "https://id.example.com",
        "token_endpoint": "https://id.example.com/token",
        "jwks_uri": "https://id.example.com/jwks",
    }));
    let v = IdTokenVerifier::builder_from_metadata(&bare, "app", HttpClient::default())
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        v.algorithms().collect::<Vec<_>>(),
        [SigningAlgorithm::Rs256]
    );
    for (doc, key) in [
        (
            serde_json::json!({"token_endpoint": "https://x/t", "jwks_uri": "https://x/j"}),
            "issuer",
        ),
        (
            serde_json::json!({"issuer": "https://x", "token_endpoint": "https://x/t"}),
            "jwks_uri",
        ),
        (
            serde_json::json!({"issuer": "https://x", "token_endpoint": "https://x/t", "jwks_uri": "http://x/j"}),
            "jwks_uri (from discovery)",
        ),
    ] {
        let err =
            IdTokenVerifier::builder_from_metadata(&metadata(doc), "app", HttpClient::default())
                .unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == key),
            "{err:?}"
        );
    }
}

#[test]
fn debug_hides_the_secret() {
    let v = IdTokenVerifier::builder("https://id.example.com", "app")
        .algorithms([SigningAlgorithm::Hs256])
        .client_secret(SecretString::from("topsecret"))
        .build()
        .unwrap();
    assert!(!format!("{v:?}").contains("topsecret"));
    let o = VerifyOptions::new().access_token("tok-123").nonce("n");
    assert!(!format!("{o:?}").contains("tok-123"));
}
