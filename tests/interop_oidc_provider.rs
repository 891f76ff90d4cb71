//! The standard `Provider` against a real OpenID Provider: panva's `oidc-provider`, run by Node
//! from tests/interop (see docs/interop.md). Each test starts its own provider on a free
//! loopback port and kills it when it ends. Without Node or the npm package the tests are
//! reported as ignored with the reason, except in CI, where they run and fail.
//!
//! Covered: discovery; the code exchange for every client authentication method (the two JWT
//! methods configured from TOML through the `Registry`); refresh; refusals (spent code, wrong
//! secret or key, wrong PKCE verifier); ID-token verification against the provider's JWKS; a
//! full sign-in through `authorization_request` and `complete_login`; revocation; userinfo.

mod interop_support;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use interop_support::{
    Client, Interop, ACCOUNT, BASIC, CLIENTS, POST, PRIVATE_KEY_JWT, PUBLIC, REDIRECT_URI,
    SECRET_JWT, WEIRD,
};
use tokenbridge::url::Url;
use tokenbridge::TokenExchanger;
use tokenbridge::{
    AuthMethod, CallbackError, Config, Error, ErrorKind, ExposeSecret, Grant, PendingLogin,
    PkceVerifier, Provider, Registry, SecretString, SigningAlgorithm, TokenSet, TokenType,
    TokenTypeHint, VerifyOptions,
};
use tokenbridge_testkit::jose::{self, TestKey};

const SCOPES: &str = "openid email profile";

/// Starts the provider, or skips the test (returning from it) when it cannot run here.
macro_rules! provider {
    ($test:literal) => {
        Interop::start($test)
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

/// The claims of a JWT, decoded but not verified: the exchange tests' own reading, independent
/// of the library's verifier (which `id_tokens_verify_against_the_providers_jwks` tests).
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
    assert_eq!(claims["sub"], ACCOUNT, "{what}: ID token sub");
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

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_with_client_secret_basic() {
    let op = provider!("code_exchange_with_client_secret_basic");
    assert_code_exchange(&op, &BASIC).await;
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_with_client_secret_post() {
    let op = provider!("code_exchange_with_client_secret_post");
    assert_code_exchange(&op, &POST).await;
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_for_a_public_client_with_pkce() {
    let op = provider!("code_exchange_for_a_public_client_with_pkce");
    assert_code_exchange(&op, &PUBLIC).await;
}

/// oidc-provider url-decodes the Basic credentials (RFC 6749 section 2.3.1), so this passes only
/// if the provider form-encodes id and secret before base64.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_with_reserved_characters_in_basic_credentials() {
    let op = provider!("code_exchange_with_reserved_characters_in_basic_credentials");
    assert_code_exchange(&op, &WEIRD).await;
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
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

// ---------------------------------------------------------------------------------------------
// ID tokens, verified against the provider's JWKS

/// The kid provider.js gives its ID-token signing key (generated at each start).
const OP_KID: &str = "tb-interop-op-1";

/// The check an `Error::IdToken` names, or a panic saying what came instead.
fn id_token_check(err: &Error) -> &'static str {
    match err {
        Error::IdToken(e) => e.check(),
        other => panic!("expected an ID-token refusal, got {other:?}"),
    }
}

/// Verifying `token` must fail the named check, as `InvalidToken`, without echoing it.
async fn assert_refused(provider: &Provider, token: &str, options: VerifyOptions<'_>, check: &str) {
    let err = provider
        .verify_id_token(token, options)
        .await
        .expect_err(&format!(
            "an ID token that must fail the {check} check passed"
        ));
    assert_eq!(id_token_check(&err), check, "{err}");
    assert_eq!(err.kind(), ErrorKind::InvalidToken, "{err}");
    assert_no_secret(&err, token);
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn id_tokens_verify_against_the_providers_jwks() {
    let op = provider!("id_tokens_verify_against_the_providers_jwks");
    let nonce = "nonce-verify-3f9a";
    let tokens = client_provider(&op, &BASIC)
        .exchange(Grant::authorization_code(
            code(&op, &BASIC, nonce).await,
            REDIRECT_URI,
        ))
        .await
        .expect("a code exchange");
    let id_token = tokens.id_token().expect("an ID token").expose_secret();
    let access_token = tokens.access_token().expose_secret();

    // A fresh Provider: the verifier comes from discovery (issuer, algorithms, jwks_uri).
    let provider = client_provider(&op, &BASIC);
    let verifier = provider.id_token_verifier().await.expect("a verifier");
    assert_eq!(verifier.issuer(), op.issuer());
    assert_eq!(verifier.client_id(), BASIC.id);
    assert_eq!(
        verifier.algorithms().collect::<Vec<_>>(),
        [SigningAlgorithm::Rs256],
        "discovery lists RS256 only"
    );

    let verified = provider
        .verify_id_token(
            id_token,
            VerifyOptions::new().nonce(nonce).access_token(access_token),
        )
        .await
        .expect("the provider's own ID token verifies");
    assert_eq!(verified.issuer, op.issuer());
    assert_eq!(verified.audience, [BASIC.id]);
    assert_eq!(verified.subject, ACCOUNT);
    assert_eq!(verified.nonce.as_deref(), Some(nonce));
    assert_eq!(verified.algorithm, SigningAlgorithm::Rs256);
    assert_eq!(verified.key_id.as_deref(), Some(OP_KID));
    assert!(verified.expires_at > verified.issued_at);
    // Without the caller's nonce or access token those checks are skipped, not failed.
    provider
        .verify_id_token(id_token, VerifyOptions::new())
        .await
        .expect("no nonce expected");

    // Each refusal, on the provider's real token.
    let claims = jwt_claims(id_token);
    assert!(
        claims.get("at_hash").is_some(),
        "oidc-provider puts at_hash in code-flow ID tokens: {claims}"
    );
    assert_refused(
        &provider,
        id_token,
        VerifyOptions::new().nonce("another-nonce"),
        "nonce",
    )
    .await;
    assert_refused(
        &provider,
        id_token,
        VerifyOptions::new().access_token("another-access-token"),
        "at_hash",
    )
    .await;
    let mallory = jose::with_claims(&claims, &[("sub", "mallory".into())]);
    assert_refused(
        &provider,
        &jose::tamper_payload(id_token, &mallory),
        VerifyOptions::new(),
        "signature",
    )
    .await;
    assert_refused(
        &provider,
        &jose::tamper_signature(id_token),
        VerifyOptions::new(),
        "signature",
    )
    .await;
    // Signed by a key that is not the provider's, under the provider's kid and under its own.
    let forged = jose::sign(
        TestKey::Rsa1,
        SigningAlgorithm::Rs256,
        Some(OP_KID),
        &claims,
    );
    assert_refused(&provider, &forged, VerifyOptions::new(), "signature").await;
    let foreign = jose::sign(
        TestKey::Rsa1,
        SigningAlgorithm::Rs256,
        Some("rsa1"),
        &claims,
    );
    assert_refused(&provider, &foreign, VerifyOptions::new(), "unknown key").await;
    assert_refused(
        &provider,
        &jose::unsigned_token(&claims),
        VerifyOptions::new(),
        "algorithm",
    )
    .await;
    // Another client of the same provider must not accept this client's token.
    assert_refused(
        &client_provider(&op, &POST),
        id_token,
        VerifyOptions::new(),
        "audience",
    )
    .await;

    // A refreshed ID token verifies too (no nonce: OpenID Connect Core 12.2).
    let refresh = tokens
        .refresh_token()
        .expect("a refresh token")
        .expose_secret();
    let refreshed = provider
        .exchange(Grant::refresh_token(refresh))
        .await
        .expect("a refresh");
    let verified = provider
        .verify_id_token(
            refreshed.id_token().expect("an ID token").expose_secret(),
            VerifyOptions::new().access_token(refreshed.access_token().expose_secret()),
        )
        .await
        .expect("the refreshed ID token verifies");
    assert_eq!(verified.subject, ACCOUNT);
}

// ---------------------------------------------------------------------------------------------
// Sign-in: authorization_request, the provider's pages, complete_login

/// `url` with `name` set to `value`, or removed when `value` is `None`.
fn with_param(url: &Url, name: &str, value: Option<&str>) -> String {
    let mut out = url.clone();
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(value) = value {
        kept.push((name.to_owned(), value.to_owned()));
    }
    out.query_pairs_mut().clear().extend_pairs(kept);
    out.to_string()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A copy of a pending login (it is not `Clone`: an application stores it serialized), with
/// `change` applied to its serialized form.
fn pending_copy(
    pending: &PendingLogin,
    change: impl FnOnce(&mut serde_json::Value),
) -> PendingLogin {
    let mut value = serde_json::to_value(pending).expect("a pending login serializes");
    change(&mut value);
    serde_json::from_value(value).expect("a pending login deserializes")
}

/// Starts a sign-in through the library and drives the provider's pages: the callback URL the
/// provider redirected to, and the pending login.
async fn sign_in(op: &Interop, provider: &Provider) -> (Url, PendingLogin) {
    let request = provider
        .authorization_request()
        .redirect_uri(REDIRECT_URI)
        .scopes(SCOPES.split(' '))
        .build()
        .await
        .expect("an authorization request");
    let url = &request.url;
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/auth", op.issuer()).as_str())
    );
    assert_eq!(
        param(url, "client_id").as_deref(),
        Some(provider.client_id())
    );
    assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
    let callback = op
        .authorize(url, REDIRECT_URI)
        .await
        .unwrap_or_else(|e| panic!("{}: the sign-in failed: {e}", provider.client_id()));
    assert!(param(&callback, "code").is_some(), "{callback}");
    (callback, request.pending)
}

/// The callback error of a refused `complete_login`.
fn callback_error(err: Error) -> CallbackError {
    assert_eq!(err.kind(), ErrorKind::InvalidCallback, "{err}");
    match err {
        Error::Callback(e) => *e,
        other => panic!("expected a refused callback, got {other:?}"),
    }
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_sign_in_completes_through_the_providers_pages() {
    let op = provider!("a_sign_in_completes_through_the_providers_pages");
    // The public client: the provider requires PKCE from it, so the exchange passes only with
    // the pending login's verifier.
    let provider = client_provider(&op, &PUBLIC);
    let (callback, pending) = sign_in(&op, &provider).await;
    // oidc-provider sends RFC 9207's iss and says so in discovery.
    assert_eq!(param(&callback, "iss").as_deref(), Some(op.issuer()));

    // Refused before anything is sent; the pending login stays usable.
    let other_issuer = with_param(&callback, "iss", Some("http://127.0.0.1:9/other"));
    let err = provider
        .complete_login(&other_issuer, pending_copy(&pending, |_| {}))
        .await
        .expect_err("another issuer's callback must be refused");
    assert!(
        matches!(callback_error(err), CallbackError::IssuerMismatch { ref got, ref expected }
            if got == "http://127.0.0.1:9/other" && expected == op.issuer()),
    );
    let no_issuer = with_param(&callback, "iss", None);
    let err = provider
        .complete_login(&no_issuer, pending_copy(&pending, |_| {}))
        .await
        .expect_err("a callback without iss must be refused: discovery promises one");
    assert_eq!(callback_error(err), CallbackError::MissingIssuer);
    let other_state = with_param(&callback, "state", Some("not-this-login"));
    let err = provider
        .complete_login(&other_state, pending_copy(&pending, |_| {}))
        .await
        .expect_err("another login's state must be refused");
    assert_eq!(callback_error(err), CallbackError::StateMismatch);

    let nonce = pending
        .nonce()
        .expect("openid was asked, so a nonce was sent")
        .expose_secret()
        .to_owned();
    let completed = provider
        .complete_login(callback.as_str(), pending_copy(&pending, |_| {}))
        .await
        .expect("the sign-in completes");
    let verified = completed.id_token.as_ref().expect("a verified ID token");
    assert_eq!(verified.issuer, op.issuer());
    assert_eq!(verified.audience, [PUBLIC.id]);
    assert_eq!(verified.subject, ACCOUNT);
    assert_eq!(verified.nonce.as_deref(), Some(nonce.as_str()));
    let identity = completed.identity().expect("an identity");
    assert_eq!(identity.subject, ACCOUNT);
    assert_code_tokens(&op, &completed.tokens, &PUBLIC, &nonce);

    // A callback is accepted once.
    let err = provider
        .complete_login(callback.as_str(), pending)
        .await
        .expect_err("a replayed callback must be refused");
    assert_eq!(callback_error(err), CallbackError::Replayed);
}

/// The pending login's PKCE verifier and nonce are what the provider and the verifier check:
/// swap either and the sign-in fails. A confidential client, for which the provider's PKCE is
/// optional: it is enforced because the library sent a challenge.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_sign_in_fails_with_another_verifier_or_nonce() {
    let op = provider!("a_sign_in_fails_with_another_verifier_or_nonce");
    let provider = client_provider(&op, &BASIC);

    let (callback, pending) = sign_in(&op, &provider).await;
    let other = PkceVerifier::generate().expect("a verifier");
    let other_verifier = other.secret().expose_secret().to_owned();
    let pending = pending_copy(&pending, |v| {
        v["code_verifier"] = other_verifier.clone().into();
    });
    let err = provider
        .complete_login(callback.as_str(), pending)
        .await
        .expect_err("another PKCE verifier must be refused by the provider");
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert_no_secret(&err, &other_verifier);

    let (callback, pending) = sign_in(&op, &provider).await;
    let pending = pending_copy(&pending, |v| v["nonce"] = "another-nonce".into());
    let err = provider
        .complete_login(callback.as_str(), pending)
        .await
        .expect_err("an ID token for another nonce must fail the login");
    assert_eq!(id_token_check(&err), "nonce", "{err}");

    // And unchanged, the same client signs in.
    let (callback, pending) = sign_in(&op, &provider).await;
    let completed = provider
        .complete_login(callback.as_str(), pending)
        .await
        .expect("the sign-in completes");
    assert_eq!(completed.id_token.expect("an ID token").subject, ACCOUNT);
}

// ---------------------------------------------------------------------------------------------
// Revocation and userinfo

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_revoked_refresh_token_is_invalid_grant() {
    let op = provider!("a_revoked_refresh_token_is_invalid_grant");
    for client in [BASIC, PUBLIC] {
        let provider = client_provider(&op, &client);
        let tokens = assert_code_exchange(&op, &client).await;
        let refresh = tokens.refresh_token().expect("a refresh token").clone();
        provider
            .revoke(&refresh, Some(TokenTypeHint::RefreshToken))
            .await
            .unwrap_or_else(|e| panic!("{}: revocation failed: {e}", client.id));
        let err = provider
            .exchange(Grant::refresh_token(refresh.expose_secret()))
            .await
            .expect_err("a revoked refresh token must be refused");
        assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{}: {err}", client.id);
        assert_no_secret(&err, refresh.expose_secret());
        // RFC 7009 2.2: an unknown or already revoked token is not an error.
        provider
            .revoke(&refresh, None)
            .await
            .unwrap_or_else(|e| panic!("{}: revoking twice failed: {e}", client.id));
    }

    // An access token, revoked, is refused by userinfo.
    let provider = client_provider(&op, &POST);
    let tokens = assert_code_exchange(&op, &POST).await;
    provider
        .userinfo(tokens.access_token())
        .await
        .expect("userinfo before revocation");
    provider
        .revoke(tokens.access_token(), Some(TokenTypeHint::AccessToken))
        .await
        .expect("revoking the access token");
    let err = provider
        .userinfo(tokens.access_token())
        .await
        .expect_err("a revoked access token must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidToken, "{err}");

    // Revocation authenticates the client like the token endpoint.
    let tokens = assert_code_exchange(&op, &BASIC).await;
    let refresh = tokens.refresh_token().expect("a refresh token");
    let wrong = "wrong-secret-ZX81";
    let err = client_provider_with_secret(&op, &BASIC, Some(wrong))
        .revoke(refresh, Some(TokenTypeHint::RefreshToken))
        .await
        .expect_err("a wrong secret must be refused at the revocation endpoint");
    assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
    assert_no_secret(&err, wrong);
    assert_no_secret(&err, refresh.expose_secret());
    client_provider(&op, &BASIC)
        .exchange(Grant::refresh_token(refresh.expose_secret()))
        .await
        .expect("the refresh token survived the refused revocation");
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn userinfo_gives_the_normalized_identity_of_the_id_tokens_subject() {
    let op = provider!("userinfo_gives_the_normalized_identity_of_the_id_tokens_subject");
    let provider = client_provider(&op, &BASIC);
    let nonce = "nonce-userinfo";
    let tokens = provider
        .exchange(Grant::authorization_code(
            code(&op, &BASIC, nonce).await,
            REDIRECT_URI,
        ))
        .await
        .expect("a code exchange");
    let verified = provider
        .verify_id_token(
            tokens.id_token().expect("an ID token").expose_secret(),
            VerifyOptions::new().nonce(nonce),
        )
        .await
        .expect("the ID token verifies");

    let identity = provider
        .userinfo(tokens.access_token())
        .await
        .expect("userinfo");
    assert_eq!(identity.subject, verified.subject);
    assert_eq!(identity.subject, ACCOUNT);
    // provider.js's account claims, through the scopes `email` and `profile`.
    assert_eq!(identity.email.as_deref(), Some("alice@example.test"));
    assert_eq!(identity.email_verified, Some(true));
    assert_eq!(identity.name.as_deref(), Some("Test user alice"));
    assert_eq!(identity.preferred_username.as_deref(), Some(ACCOUNT));
    assert_eq!(identity.phone_number, None);
    assert_eq!(identity.picture, None);
    assert_eq!(identity.claims["sub"], ACCOUNT);
    assert_eq!(identity.claims["email"], "alice@example.test");

    let checked = provider
        .userinfo_for(tokens.access_token(), &verified)
        .await
        .expect("userinfo for the ID token's subject");
    assert_eq!(checked.subject, verified.subject);

    let bogus = SecretString::from("not-an-access-token-7c1d");
    let err = provider
        .userinfo(&bogus)
        .await
        .expect_err("an unknown access token must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidToken, "{err}");
    assert_no_secret(&err, bogus.expose_secret());
}

// ---------------------------------------------------------------------------------------------
// JWT client authentication, configured from TOML through the Registry

/// A TOML basic string: `{:?}` escapes `"` and `\` the way TOML reads them.
fn toml_string(value: &str) -> String {
    format!("{value:?}")
}

/// The provider `name` of a TOML configuration, built by the registry.
fn from_toml(toml: &str, name: &str) -> Provider {
    let config = Config::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    Registry::new()
        .build(&config, name)
        .unwrap_or_else(|e| panic!("building {name}: {e}\n{toml}"))
}

fn secret_jwt_toml(op: &Interop, secret: &str) -> String {
    format!(
        "[providers.secret-jwt]\nkind = \"oidc\"\nissuer = {}\nclient_id = {}\nclient_secret = {}\nauth_method = \"client_secret_jwt\"\n",
        toml_string(op.issuer()),
        toml_string(SECRET_JWT.id),
        toml_string(secret),
    )
}

fn private_key_jwt_toml(op: &Interop, key_file: &std::path::Path) -> String {
    format!(
        "[providers.key-jwt]\nkind = \"oidc\"\nissuer = {}\nclient_id = {}\nauth_method = \"private_key_jwt\"\nprivate_key_file = {}\nkey_id = \"tb-private-key-jwt-1\"\n",
        toml_string(op.issuer()),
        toml_string(PRIVATE_KEY_JWT.id),
        toml_string(key_file.to_str().expect("a UTF-8 key path")),
    )
}

/// A code exchange, a refresh and a revocation with the configured JWT authentication.
async fn assert_jwt_client(op: &Interop, provider: &Provider, client: &Client) {
    let nonce = "nonce-jwt";
    let tokens = provider
        .exchange(Grant::authorization_code(
            code(op, client, nonce).await,
            REDIRECT_URI,
        ))
        .await
        .unwrap_or_else(|e| panic!("{}: code exchange failed: {e}", client.id));
    assert_code_tokens(op, &tokens, client, nonce);
    let refresh = tokens.refresh_token().expect("a refresh token");
    let refreshed = provider
        .exchange(Grant::refresh_token(refresh.expose_secret()))
        .await
        .unwrap_or_else(|e| panic!("{}: refresh failed: {e}", client.id));
    let refresh = refreshed.refresh_token().unwrap_or(refresh).clone();
    provider
        .revoke(&refresh, Some(TokenTypeHint::RefreshToken))
        .await
        .unwrap_or_else(|e| panic!("{}: revocation failed: {e}", client.id));
    let err = provider
        .exchange(Grant::refresh_token(refresh.expose_secret()))
        .await
        .expect_err("a revoked refresh token must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{}: {err}", client.id);
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_with_client_secret_jwt_from_toml() {
    let op = provider!("code_exchange_with_client_secret_jwt_from_toml");
    let secret = SECRET_JWT.secret.expect("a secret");
    let provider = from_toml(&secret_jwt_toml(&op, secret), "secret-jwt");
    assert_eq!(
        provider.auth_method_name().await.expect("discovery"),
        "client_secret_jwt"
    );
    assert_jwt_client(&op, &provider, &SECRET_JWT).await;

    // The same length as the right secret, so only the HMAC key differs.
    let wrong = "tb-secret-jwt-secret-WRONG56789abcdef";
    assert_eq!(wrong.len(), secret.len());
    let code = code(&op, &SECRET_JWT, "nonce-jwt-wrong").await;
    let err = from_toml(&secret_jwt_toml(&op, wrong), "secret-jwt")
        .exchange(Grant::authorization_code(code.clone(), REDIRECT_URI))
        .await
        .expect_err("an assertion signed with a wrong secret must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
    assert_no_secret(&err, wrong);
    assert_no_secret(&err, &code);
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn code_exchange_with_private_key_jwt_from_toml() {
    let op = provider!("code_exchange_with_private_key_jwt_from_toml");
    let key = interop_support::private_key_jwt_pem();
    let provider = from_toml(&private_key_jwt_toml(&op, &key), "key-jwt");
    assert_eq!(
        provider.auth_method_name().await.expect("discovery"),
        "private_key_jwt"
    );
    assert_jwt_client(&op, &provider, &PRIVATE_KEY_JWT).await;

    // Another RSA key (the testkit's fixture) under the registered kid.
    let wrong_key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/tokenbridge-testkit/keys/rsa1.pem");
    assert!(wrong_key.is_file(), "{}", wrong_key.display());
    let code = code(&op, &PRIVATE_KEY_JWT, "nonce-jwt-wrong").await;
    let err = from_toml(&private_key_jwt_toml(&op, &wrong_key), "key-jwt")
        .exchange(Grant::authorization_code(code.clone(), REDIRECT_URI))
        .await
        .expect_err("an assertion signed with another key must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidClient, "{err}");
    assert_no_secret(&err, &code);
}
