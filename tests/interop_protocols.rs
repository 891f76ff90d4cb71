//! Device sign-in (RFC 8628), introspection (RFC 7662), pushed authorization requests
//! (RFC 9126) and DPoP (RFC 9449) against the certified OpenID Provider (panva's
//! `oidc-provider`, see docs/interop.md). Each test starts its own provider and kills it when
//! it ends; without Node or the npm package they are reported as ignored, except in CI.

mod interop_support;

use interop_support::{Interop, ACCOUNT, BASIC, DEVICE, REDIRECT_URI};
use tokenbridge::session::TokenSession;
use tokenbridge::url::Url;
use tokenbridge::{
    AuthMethod, Error, ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger,
    TokenSet, TokenType, TokenTypeHint,
};

const SCOPES: &str = "openid email profile";

fn provider_for(op: &Interop, client: &interop_support::Client) -> tokenbridge::ProviderBuilder {
    Provider::builder("interop")
        .issuer(op.issuer())
        .client_id(client.id)
        .client_secret(SecretString::from(client.secret.unwrap_or_default()))
        .auth_method(AuthMethod::ClientSecretBasic)
}

/// Tokens from a code the provider's pages gave `client` (no PKCE, Basic authentication).
async fn code_tokens(op: &Interop, provider: &Provider, client_id: &str) -> TokenSet {
    let code = op
        .get_code(client_id, REDIRECT_URI, SCOPES, None, "state-1", "n-1")
        .await;
    provider
        .exchange(Grant::authorization_code(code, REDIRECT_URI))
        .await
        .expect("a code exchange")
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_device_login_approved_on_the_providers_pages_gives_tokens() {
    let op = Interop::start("a_device_login_approved_on_the_providers_pages_gives_tokens");
    let provider = provider_for(&op, &DEVICE).build().unwrap();
    let scopes: Vec<String> = SCOPES.split(' ').map(str::to_owned).collect();
    let authorization = provider
        .start_device_authorization(Some(&scopes))
        .await
        .expect("a device authorization");
    assert_eq!(
        authorization.verification_uri,
        format!("{}/device", op.issuer())
    );
    let complete = authorization
        .verification_uri_complete
        .as_deref()
        .expect("oidc-provider offers verification_uri_complete");
    assert!(complete.contains("user_code="), "{complete}");
    assert!(!format!("{authorization:?}").contains(authorization.device_code().expose_secret()));

    let (tokens, page) = tokio::join!(
        provider.poll_device_authorization(&authorization),
        op.decide_device_login(
            &authorization.verification_uri,
            &authorization.user_code,
            true
        ),
    );
    let page = page.expect("the user approves on the provider's pages");
    assert!(page.contains("device signed in"), "{page}");
    let tokens = tokens.expect("the poll ends with tokens");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert!(tokens.id_token().is_some());
    let identity = provider
        .userinfo(tokens.access_token())
        .await
        .expect("the device's access token works at userinfo");
    assert_eq!(identity.subject, ACCOUNT);
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_device_login_refused_on_the_providers_pages_is_access_denied() {
    let op = Interop::start("a_device_login_refused_on_the_providers_pages_is_access_denied");
    let provider = provider_for(&op, &DEVICE).build().unwrap();
    let authorization = provider
        .start_device_authorization(None)
        .await
        .expect("a device authorization");
    let (result, page) = tokio::join!(
        provider.poll_device_authorization(&authorization),
        op.decide_device_login(
            &authorization.verification_uri,
            &authorization.user_code,
            false
        ),
    );
    page.expect("the user aborts on the provider's pages");
    let e = result.expect_err("a refused device login");
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e}");
    assert!(
        matches!(&e, Error::OAuth(p) if p.code() == "access_denied"),
        "{e:?}"
    );

    // A client without the grant is refused at the start, not while polling (oidc-provider
    // says invalid_request, naming the grant).
    let e = provider_for(&op, &BASIC)
        .build()
        .unwrap()
        .start_device_authorization(None)
        .await
        .expect_err("tb-basic may not use the device flow");
    assert!(
        matches!(&e, Error::OAuth(p) if p.code() == "invalid_request"),
        "{e:?}"
    );
    assert!(e.to_string().contains("not allowed for this client"), "{e}");
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn introspection_says_active_then_inactive_after_revocation() {
    let op = Interop::start("introspection_says_active_then_inactive_after_revocation");
    let provider = provider_for(&op, &BASIC).build().unwrap();
    let tokens = code_tokens(&op, &provider, BASIC.id).await;
    let answer = provider
        .introspect(tokens.access_token(), Some(TokenTypeHint::AccessToken))
        .await
        .expect("introspection");
    assert!(answer.active, "{answer:?}");
    assert_eq!(answer.client_id.as_deref(), Some(BASIC.id));
    assert_eq!(answer.sub.as_deref(), Some(ACCOUNT));
    assert_eq!(answer.iss.as_deref(), Some(op.issuer()));
    assert_eq!(answer.token_type.as_deref(), Some("Bearer"));
    let scope = answer.scope.clone().unwrap_or_default();
    assert!(scope.iter().any(|s| s == "openid"), "{scope:?}");
    assert!(answer.exp.unwrap_or_default() > answer.iat.unwrap_or(u64::MAX));

    let refresh = tokens.refresh_token().expect("a refresh token");
    let answer = provider
        .introspect(refresh, Some(TokenTypeHint::RefreshToken))
        .await
        .expect("introspecting the refresh token");
    assert!(answer.active);

    provider
        .revoke(tokens.access_token(), Some(TokenTypeHint::AccessToken))
        .await
        .expect("revocation");
    let answer = provider
        .introspect(tokens.access_token(), None)
        .await
        .expect("an inactive token is an answer, not an error");
    assert!(!answer.active);
    assert_eq!(answer.sub, None);

    let unknown = SecretString::from("not-a-token-9f2a");
    assert!(!provider.introspect(&unknown, None).await.unwrap().active);

    let wrong = "wrong-secret-QL42";
    let e = Provider::builder("interop")
        .issuer(op.issuer())
        .client_id(BASIC.id)
        .client_secret(SecretString::from(wrong))
        .build()
        .unwrap()
        .introspect(&unknown, None)
        .await
        .expect_err("a wrong secret is refused at the introspection endpoint");
    assert_eq!(e.kind(), ErrorKind::InvalidClient, "{e}");
    assert!(!format!("{e} {e:?}").contains(wrong));
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_pushed_authorization_request_signs_in() {
    let op = Interop::start("a_pushed_authorization_request_signs_in");
    let provider = provider_for(&op, &BASIC).par(true).build().unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri(REDIRECT_URI)
        .scopes(SCOPES.split(' '))
        .build()
        .await
        .expect("a pushed authorization request");
    let names: Vec<String> = request
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"]);
    let request_uri = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "request_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    assert!(
        request_uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{request_uri}"
    );
    let callback = op
        .authorize(&request.url, REDIRECT_URI)
        .await
        .expect("the provider's pages accept the pushed request");
    let login = provider
        .complete_login(callback.as_str(), request.pending)
        .await
        .expect("the callback checks and the code exchange");
    let identity = login.identity().expect("a verified ID token");
    assert_eq!(identity.subject, ACCOUNT);
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn dpop_bound_tokens_are_refused_without_their_proof_and_accepted_with_it() {
    let op =
        Interop::start("dpop_bound_tokens_are_refused_without_their_proof_and_accepted_with_it");
    let provider = provider_for(&op, &BASIC).dpop(true).build().unwrap();
    // provider.js requires a nonce in every proof: the first token request is refused with
    // use_dpop_nonce and retried once with it.
    let tokens = code_tokens(&op, &provider, BASIC.id).await;
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
    let key = tokens
        .dpop_key()
        .expect("the key stays with the tokens")
        .clone();

    // The provider bound the token to this key.
    let answer = provider
        .introspect(tokens.access_token(), None)
        .await
        .expect("introspection");
    assert_eq!(answer.token_type.as_deref(), Some("DPoP"));
    assert_eq!(answer.extra["cnf"]["jkt"], key.thumbprint());

    // As a Bearer token it is refused; with its proof (and the resource nonce) accepted.
    let e = provider
        .userinfo(tokens.access_token())
        .await
        .expect_err("a DPoP-bound token without its proof");
    assert_eq!(e.kind(), ErrorKind::InvalidToken, "{e}");
    let identity = provider
        .userinfo_with_tokens(&tokens)
        .await
        .expect("the token with its proof");
    assert_eq!(identity.subject, ACCOUNT);

    // A proof from another key does not do.
    let stolen = TokenSet::new(
        "interop",
        tokens.access_token().expose_secret(),
        TokenType::DPoP,
    )
    .with_dpop_key(Some(tokenbridge::DpopKey::generate().unwrap()));
    let e = provider
        .userinfo_with_tokens(&stolen)
        .await
        .expect_err("a proof from another key");
    assert_eq!(e.kind(), ErrorKind::InvalidToken, "{e}");

    // A session refreshes with the same key and authorizes outgoing requests with it.
    let exchanger: std::sync::Arc<dyn TokenExchanger> = std::sync::Arc::new(provider.clone());
    let session = TokenSession::builder(exchanger)
        .tokens(tokens.clone())
        .build();
    session.invalidate(tokens.access_token());
    let url = Url::parse(&format!("{}/me", op.issuer())).unwrap();
    let auth = session
        .authorization_for("GET", &url)
        .await
        .expect("a refreshed, still bound token");
    assert!(auth.authorization().expose_secret().starts_with("DPoP "));
    let renewed = session.token_set().await.unwrap();
    assert!(!renewed.access_token().expose_secret().is_empty());
    assert_eq!(renewed.dpop_key().unwrap().thumbprint(), key.thumbprint());
    let answer = provider
        .introspect(renewed.access_token(), None)
        .await
        .unwrap();
    assert!(answer.active);
    assert_eq!(answer.extra["cnf"]["jkt"], key.thumbprint());
}

#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test]
async fn a_dpop_sign_in_binds_the_code_to_the_logins_key() {
    let op = Interop::start("a_dpop_sign_in_binds_the_code_to_the_logins_key");
    for par in [false, true] {
        let provider = provider_for(&op, &BASIC)
            .dpop(true)
            .par(par)
            .build()
            .unwrap();
        let sign_in = || async {
            let request = provider
                .authorization_request()
                .redirect_uri(REDIRECT_URI)
                .scopes(SCOPES.split(' '))
                .build()
                .await
                .expect("an authorization request with dpop_jkt");
            let callback = op
                .authorize(&request.url, REDIRECT_URI)
                .await
                .expect("the provider's pages accept dpop_jkt");
            (callback, request.pending)
        };

        let (callback, pending) = sign_in().await;
        let jkt = pending.dpop_key().unwrap().thumbprint().to_owned();
        let login = provider
            .complete_login(callback.as_str(), pending)
            .await
            .unwrap_or_else(|e| panic!("par={par}: {e}"));
        assert_eq!(login.tokens.token_type(), &TokenType::DPoP);
        assert_eq!(login.tokens.dpop_key().unwrap().thumbprint(), jkt);
        let answer = provider
            .introspect(login.tokens.access_token(), None)
            .await
            .unwrap();
        assert_eq!(answer.extra["cnf"]["jkt"], jkt.as_str());

        // The code exchanged by hand: with the login's key it works, with any other key a
        // code that leaked is useless.
        let exchange_with = |key: Option<tokenbridge::DpopKey>| async {
            let (callback, pending) = sign_in().await;
            let stored = serde_json::to_value(&pending).unwrap();
            let verifier = stored["code_verifier"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let code = callback
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let key = key.unwrap_or_else(|| pending.dpop_key().unwrap().clone());
            provider
                .exchange(
                    Grant::authorization_code(code, REDIRECT_URI)
                        .with_pkce_verifier(tokenbridge::PkceVerifier::new(verifier).unwrap())
                        .with_dpop_key(key),
                )
                .await
        };
        exchange_with(None)
            .await
            .expect("the code with the login's own key");
        let e = exchange_with(Some(tokenbridge::DpopKey::generate().unwrap()))
            .await
            .expect_err("a stolen code with another key");
        // oidc-provider keeps the reason (the thumbprint differs from dpop_jkt) to its logs.
        assert!(
            matches!(&e, Error::OAuth(p) if *p.code() == "invalid_grant"),
            "{e:?}"
        );
    }
}
