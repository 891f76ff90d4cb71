//! The standard `Provider` against a real OpenID Provider: panva's `oidc-provider`, run by Node
//! from tests/interop (see docs/interop.md). Each test starts its own provider on a free
//! loopback port and kills it when it ends. Without Node or the npm package the tests skip with
//! a printed reason, except in CI, where they fail.
//!
//! The `client_secret_jwt` and `private_key_jwt` clients are registered in the provider but
//! not exchanged here yet: the library's JWT client authentication does not exist on this
//! branch.

mod interop_support;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use interop_support::{Client, Interop, BASIC, CLIENTS, POST, PUBLIC, REDIRECT_URI, WEIRD};
use tokenbridge::{
    AuthMethod, Error, ErrorKind, ExposeSecret, Grant, PkceVerifier, Provider, SecretString,
    TokenExchanger, TokenSet, TokenType,
};

const SCOPES: &str = "openid email profile";

/// Starts the provider, or skips the test (returning from it) when it cannot run here.
macro_rules! provider {
    ($test:literal) => {
        match Interop::start($test) {
            Some(op) => op,
            None => return,
        }
    };
}

fn auth_method(client: &Client) -> AuthMethod {
    AuthMethod::ALL
        .into_iter()
        .find(|m| m.as_str() == client.auth_method)
        .unwrap_or_else(|| panic!("tokenbridge has no auth method {}", client.auth_method))
}

/// The `Provider` an application would configure for `client`: only the issuer, so the token endpoint comes
/// from the provider's discovery document.
fn client_provider(op: &Interop, client: &Client) -> Provider {
    client_provider_with_secret(op, client, client.secret)
}

fn client_provider_with_secret(op: &Interop, client: &Client, secret: Option<&str>) -> Provider {
    let builder = Provider::builder("interop")
        .issuer(op.issuer())
        .client_id(client.id)
        .auth_method(auth_method(client));
    let builder = match secret {
        Some(secret) => builder.client_secret(SecretString::from(secret)),
        None => builder,
    };
    builder
        .build()
        .unwrap_or_else(|e| panic!("building the provider for {}: {e}", client.id))
}

/// A code for `client`, without PKCE.
async fn code(op: &Interop, client: &Client, nonce: &str) -> String {
    op.get_code(client.id, REDIRECT_URI, SCOPES, None, "state-1", nonce)
        .await
}

/// A code for `client` bound to a fresh PKCE verifier, and that verifier.
async fn code_with_pkce(op: &Interop, client: &Client, nonce: &str) -> (String, PkceVerifier) {
    let verifier = PkceVerifier::generate().expect("a PKCE verifier");
    let code = op
        .get_code(
            client.id,
            REDIRECT_URI,
            SCOPES,
            Some(&verifier.s256_challenge()),
            "state-1",
            nonce,
        )
        .await;
    (code, verifier)
}

fn pkce_grant(code: String, verifier: PkceVerifier) -> Grant {
    Grant::authorization_code(code, REDIRECT_URI).with_pkce_verifier(verifier)
}

/// The claims of a JWT, decoded but not verified (verification comes with the identity work);
/// enough to tell that the ID token belongs to this client and this sign-in.
fn jwt_claims(jwt: &str) -> serde_json::Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "an ID token is a three-part JWS");
    let payload = URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("the ID token payload is base64url");
    serde_json::from_slice(&payload).expect("the ID token payload is JSON")
}

/// What every code exchange must give: a Bearer access token, its lifetime, a refresh token and
/// an ID token for this client, issuer and nonce.
fn assert_code_tokens(op: &Interop, tokens: &TokenSet, client: &Client, nonce: &str) {
    let what = client.id;
    assert!(
        !tokens.access_token().expose_secret().is_empty(),
        "{what}: empty access token"
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer, "{what}");
    // provider.js sets ttl.AccessToken to 3600 s.
    assert_eq!(
        tokens.expires_in(),
        Some(Duration::from_secs(3600)),
        "{what}"
    );
    assert!(tokens.refresh_token().is_some(), "{what}: no refresh token");
    let id_token = tokens
        .id_token()
        .unwrap_or_else(|| panic!("{what}: no ID token"));
    let claims = jwt_claims(id_token.expose_secret());
    assert_eq!(claims["iss"], op.issuer(), "{what}: ID token iss");
    assert_eq!(claims["aud"], client.id, "{what}: ID token aud");
    assert_eq!(claims["nonce"], nonce, "{what}: ID token nonce");
    assert_eq!(claims["sub"], "alice", "{what}: ID token sub");
    let scopes = tokens.scopes().unwrap_or_default();
    for scope in SCOPES.split(' ') {
        assert!(
            scopes.iter().any(|s| s == scope),
            "{what}: scope {scope} not granted: {scopes:?}"
        );
    }
}

/// Exchanges a fresh code for `client` (with PKCE when it is public) and checks the tokens.
async fn assert_code_exchange(op: &Interop, client: &Client) -> TokenSet {
    let nonce = format!("nonce-{}", client.id.len());
    let grant = if client.secret.is_some() {
        Grant::authorization_code(code(op, client, &nonce).await, REDIRECT_URI)
    } else {
        let (code, verifier) = code_with_pkce(op, client, &nonce).await;
        pkce_grant(code, verifier)
    };
    let tokens = client_provider(op, client)
        .exchange(grant)
        .await
        .unwrap_or_else(|e| panic!("{}: code exchange failed: {e}", client.id));
    assert_code_tokens(op, &tokens, client, &nonce);
    tokens
}

#[tokio::test]
async fn discovery_finds_the_token_endpoint_and_the_auth_method() {
    let op = provider!("discovery_finds_the_token_endpoint_and_the_auth_method");
    let published = op.discovery().await.expect("the discovery document");
    // No auth method configured: the provider picks one the provider advertises, Basic first.
    let provider = Provider::builder("interop")
        .issuer(op.issuer())
        .client_id(BASIC.id)
        .client_secret(SecretString::from(BASIC.secret.unwrap_or_default()))
        .build()
        .expect("a provider configured with only the issuer");
    let endpoint = provider.token_endpoint().await.expect("discovery");
    assert_eq!(endpoint.as_str(), published["token_endpoint"]);
    assert_eq!(endpoint.as_str(), format!("{}/token", op.issuer()));
    assert_eq!(
        provider.auth_method_name().await.expect("discovery"),
        "client_secret_basic"
    );
    let nonce = "nonce-discovery";
    let tokens = provider
        .exchange(Grant::authorization_code(
            code(&op, &BASIC, nonce).await,
            REDIRECT_URI,
        ))
        .await
        .expect("a code exchange through the discovered endpoint");
    assert_code_tokens(&op, &tokens, &BASIC, nonce);
    eprintln!("provider started in {:?}", op.started_in());
}

#[tokio::test]
async fn code_exchange_with_client_secret_basic() {
    let op = provider!("code_exchange_with_client_secret_basic");
    assert_code_exchange(&op, &BASIC).await;
}

#[tokio::test]
async fn code_exchange_with_client_secret_post() {
    let op = provider!("code_exchange_with_client_secret_post");
    assert_code_exchange(&op, &POST).await;
}

#[tokio::test]
async fn code_exchange_for_a_public_client_with_pkce() {
    let op = provider!("code_exchange_for_a_public_client_with_pkce");
    assert_code_exchange(&op, &PUBLIC).await;
}

/// oidc-provider url-decodes the Basic credentials (RFC 6749 section 2.3.1), so this passes only
/// if the provider form-encodes id and secret before base64.
#[tokio::test]
async fn code_exchange_with_reserved_characters_in_basic_credentials() {
    let op = provider!("code_exchange_with_reserved_characters_in_basic_credentials");
    assert_code_exchange(&op, &WEIRD).await;
}

#[tokio::test]
async fn a_refresh_token_from_a_code_exchange_gives_new_tokens() {
    let op = provider!("a_refresh_token_from_a_code_exchange_gives_new_tokens");
    for client in [BASIC, PUBLIC] {
        let first = assert_code_exchange(&op, &client).await;
        let refresh_token = first
            .refresh_token()
            .expect("a refresh token")
            .expose_secret()
            .to_owned();
        let refreshed = client_provider(&op, &client)
            .exchange(Grant::refresh_token(refresh_token.clone()))
            .await
            .unwrap_or_else(|e| panic!("{}: refresh failed: {e}", client.id));
        assert_eq!(refreshed.token_type(), &TokenType::Bearer, "{}", client.id);
        assert_ne!(
            refreshed.access_token().expose_secret(),
            first.access_token().expose_secret(),
            "{}: the refresh returned the old access token",
            client.id
        );
        let id_token = refreshed
            .id_token()
            .unwrap_or_else(|| panic!("{}: no ID token on refresh", client.id));
        assert_eq!(jwt_claims(id_token.expose_secret())["aud"], client.id);
        if client.secret.is_none() {
            // oidc-provider rotates a public client's refresh token; the old one is spent.
            let rotated = refreshed.refresh_token().expect("a rotated refresh token");
            assert_ne!(rotated.expose_secret(), refresh_token.as_str());
            let err = client_provider(&op, &client)
                .exchange(Grant::refresh_token(refresh_token))
                .await
                .expect_err("a rotated-out refresh token must be refused");
            assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{}: {err}", client.id);
        }
    }
}

#[tokio::test]
async fn a_code_used_twice_is_invalid_grant() {
    let op = provider!("a_code_used_twice_is_invalid_grant");
    let code = code(&op, &BASIC, "nonce-reuse").await;
    let provider = client_provider(&op, &BASIC);
    provider
        .exchange(Grant::authorization_code(code.clone(), REDIRECT_URI))
        .await
        .expect("the first use of the code");
    let err = provider
        .exchange(Grant::authorization_code(code.clone(), REDIRECT_URI))
        .await
        .expect_err("a code must work only once");
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(err.is_invalid_grant(), "{err}");
    assert!(!err.is_retryable(), "{err}");
    assert_no_secret(&err, &code);
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let op = provider!("a_wrong_client_secret_is_invalid_client");
    for client in [BASIC, POST, WEIRD] {
        let wrong = "wrong-secret-ZX81";
        let code = code(&op, &client, "nonce-wrong-secret").await;
        let err = client_provider_with_secret(&op, &client, Some(wrong))
            .exchange(Grant::authorization_code(code.clone(), REDIRECT_URI))
            .await
            .expect_err("a wrong secret must be refused");
        assert_eq!(err.kind(), ErrorKind::InvalidClient, "{}: {err}", client.id);
        assert!(err.is_invalid_client(), "{}: {err}", client.id);
        assert!(!err.is_invalid_grant(), "{}: {err}", client.id);
        assert_no_secret(&err, wrong);
        assert_no_secret(&err, &code);
    }
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused() {
    let op = provider!("a_wrong_pkce_verifier_is_refused");
    let (code, _right) = code_with_pkce(&op, &PUBLIC, "nonce-pkce").await;
    let wrong = PkceVerifier::generate().expect("a PKCE verifier");
    // Kept to check the error does not echo it; the grant takes the verifier itself.
    let wrong_text = wrong.secret().expose_secret().to_owned();
    let err = client_provider(&op, &PUBLIC)
        .exchange(pkce_grant(code.clone(), wrong))
        .await
        .expect_err("a verifier that does not match the challenge must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(err.is_invalid_grant(), "{err}");
    assert_no_secret(&err, &wrong_text);
    assert_no_secret(&err, &code);
}

/// The provider's configuration, as the other tests rely on it: every client in the harness's
/// table is registered with the redirect URI, and a public client cannot skip PKCE.
#[tokio::test]
async fn every_client_in_the_table_is_registered() {
    let op = provider!("every_client_in_the_table_is_registered");
    let challenge = PkceVerifier::generate()
        .expect("a PKCE verifier")
        .s256_challenge();
    for client in CLIENTS {
        op.try_get_code(
            client.id,
            REDIRECT_URI,
            SCOPES,
            Some(&challenge),
            "state-1",
            "n",
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", client.id));
    }
    let refused = op
        .try_get_code(PUBLIC.id, REDIRECT_URI, SCOPES, None, "state-1", "n")
        .await
        .expect_err("a public client without PKCE must be refused");
    assert!(refused.contains("invalid_request"), "{refused}");
    assert!(
        interop_support::private_key_jwt_pem().is_file(),
        "the private_key_jwt client's key is missing"
    );
}

/// Neither the message nor the debug form of `err` holds `secret`.
fn assert_no_secret(err: &Error, secret: &str) {
    assert!(
        !err.to_string().contains(secret),
        "secret in message: {err}"
    );
    assert!(
        !format!("{err:?}").contains(secret),
        "secret in debug form of the error"
    );
}

/// The harness's guard: once the `Interop` is dropped, its process is gone and the port closed,
/// so no provider outlives its test.
#[tokio::test]
async fn the_provider_stops_when_its_guard_is_dropped() {
    let op = provider!("the_provider_stops_when_its_guard_is_dropped");
    let issuer = op.issuer().to_owned();
    let address = issuer
        .strip_prefix("http://")
        .expect("a loopback http issuer")
        .to_owned();
    std::net::TcpStream::connect(&address).expect("the provider listens while it is held");
    drop(op);
    let refused = std::net::TcpStream::connect(&address);
    assert!(
        refused.is_err(),
        "{issuer} still accepts connections after the guard was dropped"
    );
}
