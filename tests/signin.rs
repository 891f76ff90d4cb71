//! Sign-in and sign-out (issue 10) through the facade, for every built-in kind configured from
//! TOML, against the testkit's emulators: the authorization URL, the emulator's authorize
//! endpoint driven over HTTP, the callback checks (each bad callback sends no token request),
//! revocation and the logout URL.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokenbridge::CallbackError;
use tokenbridge::{
    reqwest, Config, Error, ErrorKind, ExposeSecret, Grant, LogoutRequest, PendingLogin, Provider,
    Registry, SecretString, SigningAlgorithm, TokenExchanger, TokenTypeHint, Url,
};
use tokenbridge_testkit::genauth;
use tokenbridge_testkit::huawei_oneaccess::{self, HuaweiOneAccessEmulator};
use tokenbridge_testkit::oidc::{s256, AuthorizeMode};
use tokenbridge_testkit::tencent_ciam;
use tokenbridge_testkit::{
    any_loopback_port, EmulatorServer, OidcProvider, RecordedRequest, Reply,
};

const REDIRECT: &str = "http://127.0.0.1:8400/callback";

mod support;

use support::vendors::{Kind, Running, CLIENT_ID, CLIENT_SECRET, KINDS, TENCENT_PUBLIC_CLIENT_ID};

// ---------------------------------------------------------------------------------------------
// The four kinds

/// One running emulator and what its vendor's documentation says about it.
#[derive(Debug)]
struct Vendor {
    running: Running,
    authorize_path: &'static str,
    token_path: &'static str,
    /// The RFC 9207 `iss` comes back on every callback, and discovery says so.
    sends_iss: bool,
    /// Client authentication: Basic (the oidc config) or client_secret_post.
    basic: bool,
}

impl Vendor {
    async fn start(kind: Kind) -> Self {
        let (authorize_path, token_path, sends_iss, basic) = match kind {
            Kind::Oidc => ("/authorize", "/token", true, true),
            Kind::GenAuth => ("/oidc/auth", genauth::OIDC_TOKEN_PATH, true, false),
            Kind::Tencent => ("/oauth2/authorize", tencent_ciam::TOKEN_PATH, false, false),
            // Not in the pages OneAccess's adapter cites: it comes from discovery.
            Kind::Huawei => (
                "/api/v1/oauth2/authorize",
                huawei_oneaccess::TOKEN_PATH,
                false,
                false,
            ),
        };
        Self {
            running: Running::start(kind).await,
            authorize_path,
            token_path,
            sends_iss,
            basic,
        }
    }

    fn server(&self) -> &EmulatorServer {
        self.running.server()
    }

    /// The emulated provider's state (authorize mode, revoked tokens, issuer).
    fn state(&self) -> &Arc<OidcProvider> {
        self.running.state()
    }

    fn base(&self) -> String {
        self.server().base()
    }

    /// The provider's TOML table (`[providers.corp]`), plus `extra` lines.
    fn toml(&self, extra: &str) -> String {
        self.running.toml(extra)
    }

    fn provider(&self, extra: &str) -> Provider {
        self.running.provider(extra)
    }

    /// The provider of browser sign-ins (Tencent's public app; see `Running::signin_toml`).
    fn signin_provider(&self, extra: &str) -> Provider {
        self.running.signin_provider(extra)
    }

    /// The client authentication a sign-in's code exchange carries: the public app's
    /// `client_id` alone at Tencent, else [`Vendor::client_auth`].
    fn signin_client_auth(&self) -> (Vec<(String, String)>, Option<String>) {
        match self.running.kind() {
            Kind::Tencent => (pairs(&[("client_id", TENCENT_PUBLIC_CLIENT_ID)]), None),
            _ => self.client_auth(),
        }
    }

    fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server().requests_to(self.token_path)
    }

    /// The client authentication the token and revocation requests carry: form pairs to
    /// append, and the `Authorization` header.
    fn client_auth(&self) -> (Vec<(String, String)>, Option<String>) {
        if self.basic {
            (Vec::new(), Some(basic(CLIENT_ID, CLIENT_SECRET)))
        } else {
            (
                pairs(&[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)]),
                None,
            )
        }
    }
}

fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn query_pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What a pending login holds, read through its serialized form (as a session store keeps it).
fn secrets_of(pending: &PendingLogin) -> Value {
    serde_json::to_value(pending).unwrap()
}

fn copy(pending: &PendingLogin) -> PendingLogin {
    serde_json::from_str(&serde_json::to_string(pending).unwrap()).unwrap()
}

/// Asserts `value` is base64url without padding and carries at least 128 bits.
fn assert_random(value: &str, what: &str) {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .unwrap_or_else(|e| panic!("{what} {value:?} is not base64url: {e}"));
    assert!(bytes.len() >= 16, "{what} carries {} bytes", bytes.len());
}

/// Follows the authorization URL the way a browser starts to: one GET, no redirect followed;
/// returns the `Location` (the callback URL).
async fn authorize(url: &Url) -> Url {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(url.as_str()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302, "{url}");
    let location = response.headers()["location"].to_str().unwrap();
    Url::parse(location).unwrap()
}

/// The callback URL with parameter `name` removed.
fn without(callback: &Url, name: &str) -> String {
    let mut url = callback.clone();
    let kept: Vec<(String, String)> = query_pairs(callback)
        .into_iter()
        .filter(|(k, _)| k != name)
        .collect();
    url.query_pairs_mut().clear().extend_pairs(kept);
    url.to_string()
}

/// The callback URL with parameter `name` set to `value`.
fn with_param(callback: &Url, name: &str, value: &str) -> String {
    let mut url = callback.clone();
    let kept: Vec<(String, String)> = query_pairs(callback)
        .into_iter()
        .map(|(k, v)| {
            if k == name {
                (k, value.to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(kept);
    url.to_string()
}

fn callback_error(error: Error) -> CallbackError {
    assert_eq!(error.kind(), ErrorKind::InvalidCallback, "{error:?}");
    match error {
        Error::Callback(e) => *e,
        other => panic!("expected a callback error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The whole sign-in

#[tokio::test]
async fn sign_in_end_to_end_for_every_kind() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        let what = format!("{kind:?}");
        let provider = vendor.signin_provider(&format!("redirect_uri = \"{REDIRECT}\""));
        let client_id = vendor.running.signin_client_id();
        let request = provider
            .authorization_request()
            .param("prompt", "login")
            .param("login_hint", "alice@example.com")
            .build()
            .await
            .unwrap();
        let url = &request.url;
        let secrets = secrets_of(&request.pending);
        let (state, nonce, verifier) = (
            secrets["state"].as_str().unwrap(),
            secrets["nonce"].as_str().unwrap(),
            secrets["code_verifier"].as_str().unwrap(),
        );
        assert_eq!(
            url.as_str().split('?').next().unwrap(),
            format!("{}{}", vendor.base(), vendor.authorize_path),
            "{what}"
        );
        let challenge = s256(verifier);
        assert_eq!(challenge.len(), 43, "{what}");
        assert_eq!(
            query_pairs(url),
            pairs(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("prompt", "login"),
                ("login_hint", "alice@example.com"),
            ]),
            "{what}: {url}"
        );
        assert_random(state, "state");
        assert_random(nonce, "nonce");
        assert_ne!(state, nonce);
        assert_eq!(request.pending.redirect_uri(), REDIRECT);
        assert_eq!(request.pending.provider_id(), "corp");

        // A second login gets fresh values.
        let again = provider.authorization_request().build().await.unwrap();
        let again = secrets_of(&again.pending);
        for key in ["state", "nonce", "code_verifier"] {
            assert_ne!(again[key], secrets[key], "{what}: {key} is fresh each time");
        }

        let callback = authorize(url).await;
        assert_eq!(
            callback.as_str().split('?').next().unwrap(),
            REDIRECT,
            "{what}"
        );
        assert_eq!(param(&callback, "state").as_deref(), Some(state), "{what}");
        assert_eq!(
            param(&callback, "iss").as_deref(),
            vendor.sends_iss.then(|| vendor.state().issuer()),
            "{what}"
        );
        let code = param(&callback, "code").unwrap();
        vendor.server().clear_requests();

        let login = provider
            .complete_login(callback.as_str(), request.pending)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(login.tokens.provider_id(), "corp", "{what}");
        assert!(!login.tokens.access_token().expose_secret().is_empty());
        assert!(
            login.tokens.id_token().is_some(),
            "{what}: openid was asked"
        );
        // The ID token was verified with this login's nonce (the identity work checks how).
        assert!(login.id_token.is_some(), "{what}: the ID token is verified");

        let requests = vendor.token_requests();
        assert_eq!(requests.len(), 1, "{what}: one token request");
        let (auth_pairs, authorization) = vendor.signin_client_auth();
        let mut expected = pairs(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ]);
        expected.extend(auth_pairs);
        assert_eq!(requests[0].method, "POST");
        assert_eq!(requests[0].form(), expected, "{what}");
        assert_eq!(
            requests[0].header("authorization"),
            authorization.as_deref(),
            "{what}"
        );
    }
}

#[tokio::test]
async fn scopes_come_from_configuration_or_the_request() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        let what = format!("{kind:?}");
        // An array, or one space-separated string.
        for scopes in [
            "scopes = [\"openid\", \"profile\"]",
            "scopes = \"openid profile\"",
        ] {
            let provider = vendor.provider(&format!("redirect_uri = \"{REDIRECT}\"\n{scopes}"));
            let request = provider.authorization_request().build().await.unwrap();
            assert_eq!(
                param(&request.url, "scope").as_deref(),
                Some("openid profile"),
                "{what}"
            );
        }
        // Without `openid` there is no nonce; the redirect URI can be given per request.
        let provider = vendor.provider("");
        let request = provider
            .authorization_request()
            .redirect_uri("http://localhost:9/cb")
            .scopes(["email"])
            .build()
            .await
            .unwrap();
        assert_eq!(param(&request.url, "scope").as_deref(), Some("email"));
        assert_eq!(param(&request.url, "nonce"), None, "{what}");
        assert!(request.pending.nonce().is_none());
        assert_eq!(
            param(&request.url, "redirect_uri").as_deref(),
            Some("http://localhost:9/cb")
        );

        // No redirect URI anywhere: a configuration error naming the key.
        match provider.authorization_request().build().await {
            Err(Error::Config { key, .. }) => assert_eq!(key.as_deref(), Some("redirect_uri")),
            other => panic!("{what}: {other:?}"),
        }
        // The parameters that keep the login safe cannot be overridden.
        for reserved in ["state", "code_challenge_method", "redirect_uri"] {
            match provider
                .authorization_request()
                .redirect_uri(REDIRECT)
                .param(reserved, "x")
                .build()
                .await
            {
                Err(Error::InvalidInput { argument, message }) => {
                    assert_eq!(argument, reserved);
                    assert_eq!(
                        message,
                        format!("`{reserved}` is set by tokenbridge for every login and cannot be overridden")
                    );
                }
                other => panic!("{what}: {reserved}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn pending_login_round_trips_through_json_and_hides_its_secrets() {
    let vendor = Vendor::start(Kind::Oidc).await;
    let provider = vendor.provider(&format!("redirect_uri = \"{REDIRECT}\""));
    let request = provider.authorization_request().build().await.unwrap();
    let stored = serde_json::to_string(&request.pending).unwrap();
    let secrets = secrets_of(&request.pending);
    let shown = format!("{:?}", request.pending);
    for key in ["state", "nonce", "code_verifier"] {
        let value = secrets[key].as_str().unwrap();
        assert!(value.len() >= 22);
        assert!(!shown.contains(value), "{key} in {shown}");
    }
    assert!(shown.contains("[redacted]"), "{shown}");
    drop(request.pending);

    // A web app keeps the JSON in its session store and completes the login from it.
    let restored: PendingLogin = serde_json::from_str(&stored).unwrap();
    assert_eq!(secrets_of(&restored), secrets);
    let callback = authorize(&request.url).await;
    let login = provider
        .complete_login(callback.as_str(), restored)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_some());

    // A pending login of another provider is refused before anything is sent.
    let other = Vendor::start(Kind::Oidc).await;
    let other_provider = Registry::new()
        .build(
            &Config::from_toml_str(&other.toml("").replace("providers.corp", "providers.other"))
                .unwrap(),
            "other",
        )
        .unwrap();
    let stray: PendingLogin = serde_json::from_str(&stored).unwrap();
    let error = other_provider
        .complete_login(callback.as_str(), stray)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
    assert_eq!(
        error.to_string(),
        "invalid argument `pending`: this pending login belongs to provider \"corp\", not \"other\""
    );
    assert!(!error.may_have_been_sent());
    assert!(other.token_requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Bad callbacks: a typed error, and no token request

#[tokio::test]
async fn every_bad_callback_is_refused_without_a_token_request() {
    for kind in KINDS {
        let vendor = Vendor::start(kind).await;
        let what = format!("{kind:?}");
        let provider = vendor.signin_provider(&format!("redirect_uri = \"{REDIRECT}\""));
        let start = || async {
            let request = provider.authorization_request().build().await.unwrap();
            let callback = authorize(&request.url).await;
            (request.pending, callback)
        };

        // Missing state.
        let (pending, callback) = start().await;
        let e = provider
            .complete_login(&without(&callback, "state"), pending)
            .await
            .unwrap_err();
        assert_eq!(callback_error(e), CallbackError::MissingState, "{what}");

        // Another login's state (its own callback, delivered to this login).
        let (pending_a, _) = start().await;
        let (_pending_b, callback_b) = start().await;
        let e = provider
            .complete_login(callback_b.as_str(), pending_a)
            .await
            .unwrap_err();
        assert_eq!(callback_error(e), CallbackError::StateMismatch, "{what}");

        // Duplicate parameters, whichever they are.
        for name in ["code", "state", "iss"] {
            let (pending, callback) = start().await;
            let mut doubled = callback.clone();
            match param(&callback, name) {
                Some(value) => doubled.query_pairs_mut().append_pair(name, &value),
                None => doubled
                    .query_pairs_mut()
                    .append_pair(name, "x")
                    .append_pair(name, "x"),
            };
            let e = provider
                .complete_login(doubled.as_str(), pending)
                .await
                .unwrap_err();
            assert_eq!(
                callback_error(e),
                CallbackError::DuplicateParameter(name.into()),
                "{what}"
            );
        }

        // Missing code.
        let (pending, callback) = start().await;
        let e = provider
            .complete_login(&without(&callback, "code"), pending)
            .await
            .unwrap_err();
        assert_eq!(callback_error(e), CallbackError::MissingCode, "{what}");

        // An oversized query.
        let (pending, callback) = start().await;
        let mut padded = callback.clone();
        padded
            .query_pairs_mut()
            .append_pair("pad", &"p".repeat(tokenbridge_core::MAX_CALLBACK_QUERY));
        let e = provider
            .complete_login(padded.as_str(), pending)
            .await
            .unwrap_err();
        assert!(
            matches!(callback_error(e), CallbackError::TooLarge(n) if n > 8192),
            "{what}"
        );

        // Garbage: still a refused callback.
        let (pending, _) = start().await;
        let e = provider
            .complete_login("code=%ZZ&state=%", pending)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCallback, "{what}: {e:?}");

        // The user denied: a typed error with the description kept.
        vendor
            .state()
            .set_authorize_mode(AuthorizeMode::Deny("access_denied".into()));
        let (pending, callback) = start().await;
        assert_eq!(param(&callback, "code"), None);
        let e = provider
            .complete_login(callback.as_str(), pending)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AccessDenied, "{what}: {e:?}");
        match &e {
            Error::OAuth(p) => {
                assert_eq!(p.code(), "access_denied");
                assert_eq!(p.description(), Some("the user denied the request"));
            }
            other => panic!("{what}: {other:?}"),
        }
        // Another error code keeps its code too.
        vendor
            .state()
            .set_authorize_mode(AuthorizeMode::Deny("login_required".into()));
        let (pending, callback) = start().await;
        match provider.complete_login(callback.as_str(), pending).await {
            Err(Error::OAuth(p)) => assert_eq!(p.code(), "login_required", "{what}"),
            other => panic!("{what}: {other:?}"),
        }

        // Another issuer in `iss` (a mix-up), whether or not the vendor sends `iss` itself.
        vendor
            .state()
            .set_authorize_mode(AuthorizeMode::WrongIssuer);
        let (pending, callback) = start().await;
        let e = provider
            .complete_login(callback.as_str(), pending)
            .await
            .unwrap_err();
        assert_eq!(
            callback_error(e),
            CallbackError::IssuerMismatch {
                got: "https://attacker.example.com".into(),
                expected: vendor.state().issuer().to_owned(),
            },
            "{what}"
        );
        vendor.state().set_authorize_mode(AuthorizeMode::Approve);

        // No `iss` where discovery promises it (RFC 9207 2.4); accepted where it does not.
        let (pending, callback) = start().await;
        let result = provider
            .complete_login(&without(&callback, "iss"), pending)
            .await;
        if vendor.sends_iss {
            assert_eq!(
                callback_error(result.unwrap_err()),
                CallbackError::MissingIssuer,
                "{what}"
            );
        } else {
            result.unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert_eq!(vendor.token_requests().len(), 1, "{what}");
            vendor.server().clear_requests();
        }

        assert!(
            vendor.token_requests().is_empty(),
            "{what}: a refused callback sends nothing: {:?}",
            vendor.token_requests()
        );

        // A replayed callback: the first completes, the second is refused unsent.
        let (pending, callback) = start().await;
        let kept = copy(&pending);
        provider
            .complete_login(callback.as_str(), pending)
            .await
            .unwrap();
        let e = provider
            .complete_login(callback.as_str(), kept)
            .await
            .unwrap_err();
        assert_eq!(callback_error(e), CallbackError::Replayed, "{what}");
        assert_eq!(vendor.token_requests().len(), 1, "{what}");
    }
}

#[tokio::test]
async fn a_refused_callback_leaves_the_login_open_for_the_real_one() {
    let vendor = Vendor::start(Kind::Tencent).await;
    let provider = vendor.signin_provider(&format!("redirect_uri = \"{REDIRECT}\""));
    let request = provider.authorization_request().build().await.unwrap();
    let callback = authorize(&request.url).await;
    let kept = copy(&request.pending);
    let forged = format!(
        "{REDIRECT}?code=forged&state={}",
        "A".repeat(43) // right shape, wrong value
    );
    let e = provider
        .complete_login(&forged, request.pending)
        .await
        .unwrap_err();
    assert_eq!(callback_error(e), CallbackError::StateMismatch);
    provider
        .complete_login(callback.as_str(), kept)
        .await
        .unwrap();
    assert_eq!(vendor.token_requests().len(), 1);
}

#[tokio::test]
async fn a_callback_iss_that_merely_starts_with_the_issuer_is_refused() {
    let vendor = Vendor::start(Kind::Oidc).await;
    let provider = vendor.provider(&format!("redirect_uri = \"{REDIRECT}\""));
    let issuer = vendor.state().issuer().to_owned();
    // RFC 9207 2.4: the `iss` value is compared as a whole string; an issuer whose name
    // extends the expected one is another issuer.
    for got in [
        format!("{issuer}.attacker.example"),
        format!("{issuer}/other-tenant"),
        format!("{issuer}x"),
    ] {
        let request = provider.authorization_request().build().await.unwrap();
        let callback = authorize(&request.url).await;
        assert_eq!(param(&callback, "iss").as_deref(), Some(issuer.as_str()));
        let e = provider
            .complete_login(&with_param(&callback, "iss", &got), request.pending)
            .await
            .unwrap_err();
        assert_eq!(
            callback_error(e),
            CallbackError::IssuerMismatch {
                got: got.clone(),
                expected: issuer.clone(),
            },
        );
    }
    assert!(vendor.token_requests().is_empty());
}

#[tokio::test]
async fn a_sign_in_whose_id_token_at_hash_does_not_match_the_access_token_fails() {
    let vendor = Vendor::start(Kind::Oidc).await;
    let provider = vendor.provider(&format!("redirect_uri = \"{REDIRECT}\""));
    let (provider, state) = (&provider, vendor.state());
    // The token endpoint answers with an ID token minted for `minted_for`, beside `at-issued`.
    let sign_in = |minted_for: &'static str| async move {
        let request = provider.authorization_request().build().await.unwrap();
        let callback = authorize(&request.url).await;
        let code = param(&callback, "code").unwrap();
        let nonce = state.nonce_for_code(&code).expect("the login's nonce");
        let id_token = state.id_token_for(CLIENT_ID, Some(&nonce), Some(minted_for));
        state.push_reply(Reply::json(
            200,
            json!({
                "access_token": "at-issued",
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
            }),
        ));
        provider
            .complete_login(callback.as_str(), request.pending)
            .await
    };
    let done = sign_in("at-issued").await.unwrap();
    assert_eq!(done.tokens.access_token().expose_secret(), "at-issued");
    assert!(done.id_token.is_some());

    let e = sign_in("at-other").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidToken, "{e:?}");
    match &e {
        Error::IdToken(inner) => {
            assert!(
                matches!(**inner, tokenbridge::IdTokenError::AtHashMismatch),
                "{inner:?}"
            );
        }
        other => panic!("expected an ID-token error, got {other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "ID token refused (at_hash): the access token does not match the token's at_hash"
    );
    assert_eq!(vendor.token_requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Revocation (RFC 7009)

#[tokio::test]
async fn revocation_per_vendor_sends_the_exact_request_and_ends_the_refresh_token() {
    for (kind, path) in [
        (Kind::Oidc, Some("/revoke")),
        (Kind::GenAuth, Some(genauth::OIDC_REVOCATION_PATH)),
        (Kind::Tencent, Some("/oauth2/revoke")),
        (Kind::Huawei, None),
    ] {
        let vendor = Vendor::start(kind).await;
        let what = format!("{kind:?}");
        let provider = vendor.provider("");
        let refresh_token = vendor.state().issue_refresh_token(CLIENT_ID, "openid");
        vendor.server().clear_requests();
        let result = provider
            .revoke(
                &SecretString::from(refresh_token.clone()),
                Some(TokenTypeHint::RefreshToken),
            )
            .await;
        let Some(path) = path else {
            // Huawei OneAccess documents no revocation: refused before anything is sent.
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{what}: {e:?}");
            assert!(vendor.server().requests().is_empty(), "{what}");
            assert!(vendor.state().revoked().is_empty());
            continue;
        };
        result.unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let requests: Vec<RecordedRequest> = vendor
            .server()
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect();
        assert_eq!(requests.len(), 1, "{what}: {requests:?}");
        let (auth_pairs, authorization) = vendor.client_auth();
        let mut expected = pairs(&[
            ("token", &refresh_token),
            ("token_type_hint", "refresh_token"),
        ]);
        expected.extend(auth_pairs);
        assert_eq!(requests[0].path, path, "{what}");
        assert_eq!(
            requests[0].header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(requests[0].form(), expected, "{what}");
        assert_eq!(
            requests[0].header("authorization"),
            authorization.as_deref(),
            "{what}"
        );
        assert_eq!(vendor.state().revoked(), vec![refresh_token.clone()]);

        // The revoked refresh token is refused.
        let e = provider
            .exchange(Grant::refresh_token(refresh_token.clone()))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidGrant, "{what}: {e:?}");

        // Without a hint, an access token.
        provider
            .revoke(&SecretString::from("at-1"), None)
            .await
            .unwrap();
        let last = vendor.server().requests_to(path).pop().unwrap();
        assert_eq!(last.form()[0], ("token".to_owned(), "at-1".to_owned()));
        assert!(last.form_param("token_type_hint").is_none());

        // Wrong client credentials: refused with the provider's error.
        let bad = Registry::new()
            .build(
                &Config::from_toml_str(&vendor.toml("").replace(CLIENT_SECRET, "wrong-secret"))
                    .unwrap(),
                "corp",
            )
            .unwrap();
        let e = bad
            .revoke(&SecretString::from("at-2"), None)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidClient, "{what}: {e:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Logout (RP-initiated)

#[tokio::test]
async fn logout_url_per_vendor_with_its_spelling_and_encoding() {
    let after = "https://app.example.com/signed out?x=1&y=é";
    let after_encoded = "https%3A%2F%2Fapp.example.com%2Fsigned+out%3Fx%3D1%26y%3D%C3%A9";
    for (kind, expected) in [
        (
            Kind::Oidc,
            format!("/logout?id_token_hint=h.p.s&post_logout_redirect_uri={after_encoded}&client_id={CLIENT_ID}&state=st+%26+1"),
        ),
        (
            Kind::GenAuth,
            format!("/oidc/session/end?id_token_hint=h.p.s&post_logout_redirect_uri={after_encoded}&state=st+%26+1"),
        ),
        (
            Kind::Tencent,
            format!("/logout?logout_redirect_uri={after_encoded}&client_id={CLIENT_ID}&state=st+%26+1"),
        ),
        (
            Kind::Huawei,
            format!("/api/v1/logout?redirect_url={after_encoded}"),
        ),
    ] {
        let vendor = Vendor::start(kind).await;
        let what = format!("{kind:?}");
        let provider = vendor.provider("");
        let url = provider
            .logout_url(
                LogoutRequest::new()
                    .id_token_hint(SecretString::from("h.p.s"))
                    .post_logout_redirect_uri(after)
                    .state("st & 1"),
            )
            .await
            .unwrap();
        assert_eq!(url.as_str(), format!("{}{expected}", vendor.base()), "{what}");

        // The emulator's logout endpoint reads the vendor's parameter and redirects there.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(url.as_str()).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302, "{what}");
        assert_eq!(
            response.headers()["location"].as_bytes(),
            after.as_bytes(),
            "{what}"
        );

        // Nothing asked: the bare endpoint (plus the client id where the vendor wants it).
        let bare = provider.logout_url(LogoutRequest::new()).await.unwrap();
        let path = expected.split('?').next().unwrap();
        let tail = match kind {
            Kind::Oidc | Kind::Tencent => format!("?client_id={CLIENT_ID}"),
            _ => String::new(),
        };
        assert_eq!(
            bare.as_str(),
            format!("{}{path}{tail}", vendor.base()),
            "{what}"
        );
    }

    // GenAuth's OAuth 2.0 endpoints have no logout.
    let vendor = Vendor::start(Kind::GenAuth).await;
    let provider = vendor.provider("protocol = \"oauth\"");
    let e = provider.logout_url(LogoutRequest::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    assert!(vendor.server().requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Endpoints over plain http to another host

/// A discovery document at a loopback issuer whose `key` points at plain http elsewhere.
async fn discovery_with(key: &'static str) -> EmulatorServer {
    EmulatorServer::start(any_loopback_port(), |base| {
        let issuer = base.as_str().trim_end_matches('/').to_owned();
        Router::new().route(
            "/.well-known/openid-configuration",
            get(move || {
                let mut doc = json!({
                    "issuer": issuer,
                    "authorization_endpoint": format!("{issuer}/authorize"),
                    "token_endpoint": format!("{issuer}/token"),
                    "end_session_endpoint": format!("{issuer}/logout"),
                    "response_types_supported": ["code"],
                });
                doc[key] = json!("http://idp.example.com/endpoint");
                async move { axum::Json(doc) }
            }),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_authorize_or_logout_endpoint_over_plain_http_is_a_configuration_error() {
    for key in ["authorization_endpoint", "end_session_endpoint"] {
        let server = discovery_with(key).await;
        let config = Config::from_toml_str(&format!(
            "[providers.corp]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"app\"\nredirect_uri = \"{REDIRECT}\"\n",
            server.base()
        ))
        .unwrap();
        let provider = Registry::new().build(&config, "corp").unwrap();
        let sign_in = provider.authorization_request().build().await;
        let logout = provider.logout_url(LogoutRequest::new()).await;
        for result in [sign_in.map(|r| r.url), logout] {
            match result {
                Err(Error::Config {
                    key: Some(k),
                    message,
                }) => {
                    assert!(k.starts_with(key), "{k}");
                    assert!(message.contains("http://idp.example.com"), "{message}");
                }
                other => panic!("{key}: {other:?}"),
            }
        }
        // Only the discovery document was fetched.
        assert!(server
            .requests()
            .iter()
            .all(|r| r.path == "/.well-known/openid-configuration"));
    }

    // A vendor whose base URL is plain http elsewhere fails when it is configured.
    let config = Config::from_toml_str(
        "[providers.corp]\nkind = \"tencent-ciam\"\nbase_url = \"http://ciam.example.com\"\nclient_id = \"app\"\nclient_secret = \"s\"\n",
    );
    let error = match config {
        Ok(config) => Registry::new().build(&config, "corp").unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(error.kind(), ErrorKind::Configuration, "{error:?}");
}

/// Huawei OneAccess's OAuth 2.0 applications spell the authorize parameter `redirect_url`
/// (their token page says `redirect_uri` must equal "the authorize request's redirect_url"):
/// the sign-in sends that spelling, the code exchange the standard one.
#[tokio::test]
async fn huawei_oauth_applications_spell_the_authorize_parameter_redirect_url() {
    let emulator = HuaweiOneAccessEmulator::start_with(
        huawei_oneaccess::OneAccessOptions::oauth(),
        tokenbridge_testkit::any_loopback_port(),
    )
    .await
    .unwrap();
    let config = Config::from_toml_str(&format!(
        "[providers.corp]\nkind = \"huawei-oneaccess\"\nprotocol = \"oauth\"\nbase_url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        emulator.base()
    ))
    .unwrap();
    let provider = Registry::new().build(&config, "corp").unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri(REDIRECT)
        .build()
        .await
        .unwrap();
    // The documented scope of an OAuth 2.0 application, and no nonce: openid (and with it
    // the nonce) is for OIDC applications.
    assert_eq!(
        param(&request.url, "scope").as_deref(),
        Some(huawei_oneaccess::OAUTH_SCOPE)
    );
    assert_eq!(param(&request.url, "nonce"), None);
    assert!(request.pending.nonce().is_none());
    assert_eq!(
        param(&request.url, "redirect_url").as_deref(),
        Some(REDIRECT)
    );
    assert_eq!(param(&request.url, "redirect_uri"), None);
    let callback = authorize(&request.url).await;
    let login = provider
        .complete_login(callback.as_str(), request.pending)
        .await
        .unwrap();
    assert!(!login.tokens.access_token().expose_secret().is_empty());
    let sent = emulator.server().requests_to(huawei_oneaccess::TOKEN_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].form_param("redirect_uri").as_deref(),
        Some(REDIRECT)
    );
}

#[tokio::test]
async fn genauth_asks_consent_with_offline_access_and_only_then_gets_a_refresh_token() {
    let vendor = Vendor::start(Kind::GenAuth).await;
    // The default scope: no offline_access, no prompt, and GenAuth returns no refresh token.
    let provider = vendor.provider(&format!("redirect_uri = \"{REDIRECT}\""));
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(param(&request.url, "prompt"), None);
    let callback = authorize(&request.url).await;
    let login = provider
        .complete_login(callback.as_str(), request.pending)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_none());

    // offline_access: prompt=consent is added (joined to the caller's prompt), and the code
    // gets a refresh token.
    let provider = vendor.provider(&format!(
        "redirect_uri = \"{REDIRECT}\"\nscopes = \"openid offline_access\""
    ));
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(
        param(&request.url, "scope").as_deref(),
        Some("openid offline_access")
    );
    assert_eq!(param(&request.url, "prompt").as_deref(), Some("consent"));
    let with_login = provider
        .authorization_request()
        .param("prompt", "login")
        .build()
        .await
        .unwrap();
    assert_eq!(
        param(&with_login.url, "prompt").as_deref(),
        Some("login consent")
    );
    let callback = authorize(&request.url).await;
    let login = provider
        .complete_login(callback.as_str(), request.pending)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_some());
    assert_eq!(login.id_token.unwrap().algorithm, SigningAlgorithm::Hs256);

    // Other vendors' sign-ins are left as asked.
    let tencent = Vendor::start(Kind::Tencent).await;
    let provider = tencent.provider(&format!(
        "redirect_uri = \"{REDIRECT}\"\nscopes = \"openid offline_access\""
    ));
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(param(&request.url, "prompt"), None);
}
