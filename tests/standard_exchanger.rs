//! The standard exchanger, through the `tokenbridge` facade, against the loopback OpenID
//! Connect emulator: every grant with every client authentication method (asserting the exact
//! request the emulator received), discovery, and the HTTP safety rules.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header::LOCATION, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use tokenbridge::adapter::{HookContext, TokenRequest, VendorDescription, VendorHooks};
use tokenbridge::{
    AuthMethod, Error, ExposeSecret, Grant, GrantKind, HttpClient, HttpConfig, OAuthError,
    PkceVerifier, Provider, SecretString, TokenExchanger, TokenType, TransportKind,
};
use tokenbridge_testkit::{
    any_loopback_port, ClientRegistration, EmulatorServer, OidcEmulator, Profile, ProviderTarget,
    RecordedRequest, Reply,
};

const REDIRECT_URI: &str = "http://127.0.0.1/callback";
const REDIRECT_URI_FORM: &str = "http%3A%2F%2F127.0.0.1%2Fcallback";
/// A client id and secret with every character form encoding and Basic auth trip over.
const CLIENT_ID: &str = "weird:client id+/%";
const CLIENT_ID_FORM: &str = "weird%3Aclient+id%2B%2F%25";
const CLIENT_SECRET: &str = "a+b/c:d%e f";
const CLIENT_SECRET_FORM: &str = "a%2Bb%2Fc%3Ad%25e+f";
const BASIC: &str = "Basic d2VpcmQlM0FjbGllbnQraWQlMkIlMkYlMjU6YSUyQmIlMkZjJTNBZCUyNWUrZg==";
const DISCOVERY: &str = "/.well-known/openid-configuration";

fn user_agent() -> String {
    format!("tokenbridge/{}", env!("CARGO_PKG_VERSION"))
}

fn registration(method: AuthMethod) -> ClientRegistration {
    match method {
        AuthMethod::None => ClientRegistration::public(CLIENT_ID),
        m => ClientRegistration::confidential(CLIENT_ID, CLIENT_SECRET, m),
    }
}

/// An emulator with the weird client registered for `method`.
async fn emulator(profile: Profile, method: AuthMethod) -> OidcEmulator {
    let emulator = OidcEmulator::start(profile).await.unwrap();
    emulator.provider().register_client(registration(method));
    emulator
}

/// Sets the secret when there is one (the builder has no `Option` setters on purpose).
trait MaybeSecret {
    fn maybe_secret(self, secret: Option<SecretString>) -> Self;
}

impl MaybeSecret for tokenbridge::ProviderBuilder {
    fn maybe_secret(self, secret: Option<SecretString>) -> Self {
        match secret {
            Some(secret) => self.client_secret(secret),
            None => self,
        }
    }
}

/// An exchanger for the weird client with a fixed token endpoint (no discovery requests).
fn exchanger(emulator: &OidcEmulator, method: AuthMethod, http: HttpClient) -> Provider {
    Provider::builder("corp")
        .token_endpoint(emulator.token_endpoint())
        .client_id(CLIENT_ID)
        .maybe_secret(
            method
                .needs_secret()
                .then(|| SecretString::from(CLIENT_SECRET)),
        )
        .auth_method(method)
        .http_client(http)
        .build()
        .unwrap()
}

fn issue_code(emulator: &OidcEmulator, challenge: Option<String>) -> String {
    emulator.issue_code(CLIENT_ID, REDIRECT_URI, challenge)
}

fn last_token_request(emulator: &OidcEmulator) -> RecordedRequest {
    emulator.token_requests().pop().expect("no token request")
}

/// Method, path, content type, user agent, client authentication and the exact body bytes.
fn assert_request(request: &RecordedRequest, method: AuthMethod, grant_body: &str, what: &str) {
    assert_eq!(request.method, "POST", "{what}");
    assert_eq!(request.path, "/token", "{what}");
    assert_eq!(request.query, None, "{what}");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded"),
        "{what}"
    );
    assert_eq!(
        request.header("user-agent"),
        Some(user_agent().as_str()),
        "{what}"
    );
    let (suffix, authorization) = match method {
        AuthMethod::None => (format!("&client_id={CLIENT_ID_FORM}"), None),
        AuthMethod::ClientSecretPost => (
            format!("&client_id={CLIENT_ID_FORM}&client_secret={CLIENT_SECRET_FORM}"),
            None,
        ),
        _ => (String::new(), Some(BASIC)),
    };
    assert_eq!(request.header("authorization"), authorization, "{what}");
    assert_eq!(
        request.body_text(),
        format!("{grant_body}{suffix}"),
        "{what}"
    );
}

fn scopes(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| (*s).to_owned()).collect())
}

fn oauth_error(err: Error) -> OAuthError {
    match err {
        Error::OAuth(p) => *p,
        other => panic!("expected Error::OAuth, got {other:?}"),
    }
}

#[tokio::test]
async fn every_grant_with_every_auth_method_sends_the_exact_request() {
    for method in AuthMethod::ALL {
        let emulator = emulator(Profile::standard(), method).await;
        let exchanger = exchanger(&emulator, method, HttpClient::default());

        // authorization_code
        let code = issue_code(&emulator, None);
        let tokens = exchanger
            .exchange(Grant::authorization_code(&code, REDIRECT_URI))
            .await
            .unwrap_or_else(|e| panic!("{method}: code: {e}"));
        assert_request(
            &last_token_request(&emulator),
            method,
            &format!("grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI_FORM}"),
            &format!("{method}: code"),
        );
        assert_eq!(tokens.provider_id(), "corp");
        assert_eq!(tokens.token_type(), &TokenType::Bearer);
        assert_eq!(tokens.expires_in(), Some(Duration::from_secs(3600)));
        assert_eq!(
            tokens.scopes().map(<[String]>::to_vec),
            scopes(&["openid", "profile"])
        );
        assert!(tokens.refresh_token().is_some() && tokens.id_token().is_some());
        assert_eq!(
            tokens
                .id_token()
                .unwrap()
                .expose_secret()
                .split('.')
                .count(),
            3
        );
        assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());

        // authorization_code with PKCE
        let verifier = PkceVerifier::generate().unwrap();
        let code = issue_code(&emulator, Some(verifier.s256_challenge()));
        let v = verifier.secret().expose_secret().to_owned();
        exchanger
            .exchange(Grant::authorization_code(&code, REDIRECT_URI).with_pkce_verifier(verifier))
            .await
            .unwrap_or_else(|e| panic!("{method}: PKCE: {e}"));
        assert_request(
            &last_token_request(&emulator),
            method,
            &format!(
                "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI_FORM}&code_verifier={v}"
            ),
            &format!("{method}: PKCE"),
        );

        // refresh_token, narrowing the scopes
        let refresh = emulator
            .provider()
            .issue_refresh_token(CLIENT_ID, "openid profile");
        let tokens = exchanger
            .exchange(Grant::refresh_token(refresh.clone()).with_scopes(["openid"]))
            .await
            .unwrap_or_else(|e| panic!("{method}: refresh: {e}"));
        assert_request(
            &last_token_request(&emulator),
            method,
            &format!("grant_type=refresh_token&refresh_token={refresh}&scope=openid"),
            &format!("{method}: refresh"),
        );
        assert_eq!(tokens.scopes().map(<[String]>::to_vec), scopes(&["openid"]));
        let rotated = tokens.refresh_token().unwrap().expose_secret();
        assert_ne!(
            rotated, refresh,
            "the standard profile rotates refresh tokens"
        );

        // client_credentials with scopes
        let tokens = exchanger
            .exchange(Grant::client_credentials().with_scopes(["api.read", "api.write"]))
            .await
            .unwrap_or_else(|e| panic!("{method}: client credentials: {e}"));
        assert_request(
            &last_token_request(&emulator),
            method,
            "grant_type=client_credentials&scope=api.read+api.write",
            &format!("{method}: client credentials"),
        );
        assert_eq!(
            tokens.scopes().map(<[String]>::to_vec),
            scopes(&["api.read", "api.write"])
        );
        assert!(tokens.refresh_token().is_none() && tokens.id_token().is_none());

        // Each exchange was one request; nothing else was fetched.
        assert_eq!(emulator.token_requests().len(), 4, "{method}");
        assert_eq!(emulator.server().requests().len(), 4, "{method}");
    }
}

#[tokio::test]
async fn an_open_grant_is_sent_as_given() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = exchanger(
        &emulator,
        AuthMethod::ClientSecretBasic,
        HttpClient::default(),
    );
    let err = exchanger
        .exchange(
            Grant::extension("urn:ietf:params:oauth:grant-type:token-exchange")
                .with_secret_param("subject_token", "st-1"),
        )
        .await
        .unwrap_err();
    assert_request(
        &last_token_request(&emulator),
        AuthMethod::ClientSecretBasic,
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=st-1",
        "other grant",
    );
    // The emulator does not know token exchange, and says so the standard way.
    assert_eq!(
        oauth_error(err),
        OAuthError::new(Some(400), "unsupported_grant_type")
            .with_description(Some("unsupported grant_type".into()))
    );
}

#[tokio::test]
async fn conformance_with_discovery_and_each_auth_method() {
    for method in AuthMethod::ALL {
        let emulator = emulator(Profile::standard(), method).await;
        let exchanger: Arc<dyn TokenExchanger> = Arc::new(
            Provider::builder("corp")
                .issuer(emulator.issuer())
                .client_id(CLIENT_ID)
                .maybe_secret(
                    method
                        .needs_secret()
                        .then(|| SecretString::from(CLIENT_SECRET)),
                )
                .auth_method(method)
                .build()
                .unwrap(),
        );
        let report =
            tokenbridge_testkit::run_all(exchanger, &ProviderTarget::new(&emulator, CLIENT_ID))
                .await
                .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(
            report.passed,
            [
                "code_exchange",
                "code_is_one_time",
                "pkce",
                "refresh",
                "bad_refresh_token",
                "object_safe"
            ],
            "{method}"
        );
        // A standard provider accepts every grant kind (it refuses per client itself), so no
        // grant is unsupported up front; no standard grant is a one-time extension.
        assert_eq!(
            report.skipped,
            ["one_time_extension", "unsupported_grant"],
            "{method}"
        );
        assert_eq!(
            emulator.server().requests_to(DISCOVERY).len(),
            1,
            "{method}"
        );
    }
}

#[tokio::test]
async fn discovery_is_fetched_once_across_exchanges() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let build = || {
        Provider::builder("corp")
            .issuer(emulator.issuer())
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .build()
            .unwrap()
    };

    let exchanger = build();
    assert_eq!(
        emulator.server().requests().len(),
        0,
        "nothing is fetched before first use"
    );
    let code = issue_code(&emulator, None);
    exchanger
        .exchange(Grant::authorization_code(code, REDIRECT_URI))
        .await
        .unwrap();
    let refresh = emulator.provider().issue_refresh_token(CLIENT_ID, "openid");
    exchanger
        .exchange(Grant::refresh_token(refresh))
        .await
        .unwrap();
    exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap();
    assert_eq!(
        exchanger.token_endpoint().await.unwrap().as_str(),
        emulator.token_endpoint()
    );
    let discovery = emulator.server().requests_to(DISCOVERY);
    assert_eq!(discovery.len(), 1);
    assert_eq!(discovery[0].method, "GET");
    assert_eq!(
        discovery[0].header("user-agent"),
        Some(user_agent().as_str())
    );
    assert_eq!(emulator.token_requests().len(), 3);

    // Concurrent first use still fetches it once.
    emulator.server().clear_requests();
    let exchanger = build();
    let (a, b, c) = tokio::join!(
        exchanger.exchange(Grant::client_credentials().with_scopes(["a"])),
        exchanger.exchange(Grant::client_credentials().with_scopes(["b"])),
        exchanger.exchange(Grant::client_credentials().with_scopes(["c"])),
    );
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    assert_eq!(emulator.server().requests_to(DISCOVERY).len(), 1);
    assert_eq!(emulator.token_requests().len(), 3);
}

#[tokio::test]
async fn discovery_chooses_the_auth_method() {
    // (methods the provider advertises, client secret given, method chosen)
    let cases = [
        (
            AuthMethod::ALL.to_vec(),
            true,
            AuthMethod::ClientSecretBasic,
        ),
        (
            vec![AuthMethod::ClientSecretPost],
            true,
            AuthMethod::ClientSecretPost,
        ),
        (AuthMethod::ALL.to_vec(), false, AuthMethod::None),
    ];
    for (advertised, with_secret, chosen) in cases {
        let mut profile = Profile::standard();
        profile.auth_methods = advertised.clone();
        let emulator = emulator(profile, chosen).await;
        let exchanger = Provider::builder("corp")
            .issuer(emulator.issuer())
            .client_id(CLIENT_ID)
            .maybe_secret(with_secret.then(|| SecretString::from(CLIENT_SECRET)))
            .build()
            .unwrap();
        assert_eq!(
            exchanger.auth_method_name().await.unwrap(),
            chosen.as_str(),
            "{advertised:?}"
        );
        exchanger
            .exchange(Grant::client_credentials().with_scopes(["api"]))
            .await
            .unwrap_or_else(|e| panic!("{advertised:?}: {e}"));
        assert_request(
            &last_token_request(&emulator),
            chosen,
            "grant_type=client_credentials&scope=api",
            &format!("{advertised:?}"),
        );
    }
}

#[tokio::test]
async fn a_configured_method_the_provider_does_not_advertise_is_a_config_error() {
    let mut profile = Profile::standard();
    profile.auth_methods = vec![AuthMethod::ClientSecretPost];
    let emulator = emulator(profile, AuthMethod::ClientSecretPost).await;
    let exchanger = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .auth_method(AuthMethod::ClientSecretBasic)
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    match err {
        Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("auth_method"));
            assert_eq!(
                message,
                "client_secret_basic is configured, but the provider's discovery document \
                 advertises only [\"client_secret_post\"]; choose one of those"
            );
        }
        other => panic!("expected Error::Config, got {other:?}"),
    }
    assert_eq!(emulator.token_requests().len(), 0, "nothing may be sent");
}

#[tokio::test]
async fn a_discovery_document_for_another_issuer_is_refused() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = Provider::builder("corp")
        .issuer("https://id.example.com")
        .discovery_url(format!("{}{DISCOVERY}", emulator.issuer()))
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    match err {
        Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("issuer"));
            assert_eq!(
                message,
                format!(
                    "the discovery document names issuer {:?}, not the configured \
                     \"https://id.example.com/\" (OpenID Connect Discovery section 4.3); fix the \
                     issuer URL",
                    emulator.issuer()
                )
            );
        }
        other => panic!("expected Error::Config, got {other:?}"),
    }
    assert_eq!(emulator.server().requests_to(DISCOVERY).len(), 1);
    assert_eq!(emulator.token_requests().len(), 0, "nothing may be sent");
}

#[tokio::test]
async fn a_wrong_issuer_path_says_where_discovery_was_looked_for() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = Provider::builder("corp")
        .issuer(format!("{}/tenant-a", emulator.issuer()))
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    match &err {
        Error::UnreadableResponse(u) => {
            assert_eq!(u.status, Some(404));
            assert_eq!(
                u.endpoint,
                format!("{}/tenant-a{DISCOVERY}", emulator.issuer())
            );
            assert!(u
                .reason
                .starts_with("the discovery document answered HTTP 404; check the issuer"));
        }
        other => panic!("expected UnreadableResponse, got {other:?}"),
    }
    assert!(
        !err.is_invalid_client(),
        "a missing document is not a refused client"
    );
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let http = HttpClient::shared(HttpConfig::default().with_max_body_bytes(2048));
    let exchanger = exchanger(&emulator, AuthMethod::ClientSecretBasic, http);
    emulator.provider().push_reply(Reply::json(
        200,
        json!({"access_token": "at", "padding": "x".repeat(64 * 1024)}),
    ));
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    match &err {
        Error::ResponseTooLarge { endpoint, limit } => {
            assert_eq!(endpoint, &emulator.token_endpoint());
            assert_eq!(*limit, 2048);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(!err.is_retryable());
    // A normal answer fits under the same cap.
    exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_slow_answer_times_out_and_the_code_is_sent_once() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretPost).await;
    let http =
        HttpClient::new(HttpConfig::default().with_timeout(Duration::from_millis(300))).unwrap();
    let exchanger = exchanger(&emulator, AuthMethod::ClientSecretPost, http);
    emulator.provider().push_reply(
        Reply::json(200, json!({"access_token": "late", "token_type": "Bearer"}))
            // Far beyond the timeout, so that a loaded machine cannot see the answer first.
            .delayed(Duration::from_secs(120)),
    );
    let code = issue_code(&emulator, None);
    let grant = Grant::authorization_code(&code, REDIRECT_URI);
    assert!(grant.kind().is_one_time());
    let err = exchanger.exchange(grant).await.unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Timeout);
            assert_eq!(t.endpoint, emulator.token_endpoint());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
    // No waiting needed: the emulator records a request before it answers, and a retry by
    // the library would have been sent (and timed out) before `exchange` returned.
    let sent = emulator.token_requests();
    assert_eq!(sent.len(), 1, "a one-time code must never be sent twice");
    assert_eq!(sent[0].form_param("code").as_deref(), Some(code.as_str()));
}

/// A server whose token endpoint redirects to `location`.
async fn redirector(status: StatusCode, location: String) -> EmulatorServer {
    EmulatorServer::start(any_loopback_port(), move |_| {
        Router::new().route(
            "/token",
            post(move || async move { (status, [(LOCATION, location)]) }),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_redirect_from_the_token_endpoint_is_refused_and_not_followed() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    for status in [StatusCode::FOUND, StatusCode::TEMPORARY_REDIRECT] {
        // The redirect points at a real token endpoint that would answer with tokens.
        let redirector = redirector(status, emulator.token_endpoint()).await;
        let exchanger = Provider::builder("corp")
            .token_endpoint(format!("{}/token", redirector.base()))
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .build()
            .unwrap();
        let code = issue_code(&emulator, None);
        let err = exchanger
            .exchange(Grant::authorization_code(code, REDIRECT_URI))
            .await
            .unwrap_err();
        match &err {
            Error::Redirected {
                endpoint,
                status: s,
                location,
            } => {
                assert_eq!(endpoint, &format!("{}/token", redirector.base()));
                assert_eq!(*s, status.as_u16());
                assert_eq!(
                    location.as_deref(),
                    Some(emulator.token_endpoint().as_str())
                );
            }
            other => panic!("expected Error::Redirected, got {other:?}"),
        }
        assert!(!err.is_retryable());
        assert_eq!(redirector.requests().len(), 1);
    }
    assert_eq!(
        emulator.token_requests().len(),
        0,
        "a redirect was followed"
    );

    // A redirect without a Location header.
    let exchanger = exchanger(
        &emulator,
        AuthMethod::ClientSecretBasic,
        HttpClient::default(),
    );
    emulator.provider().push_reply(Reply::empty(302));
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Redirected {
                status: 302,
                location: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("without a Location header"),
        "{err}"
    );
}

#[tokio::test]
async fn plain_http_is_refused_except_on_loopback() {
    for (builder, key) in [
        (
            Provider::builder("corp").token_endpoint("http://id.example.com/token"),
            "token_endpoint",
        ),
        (
            Provider::builder("corp").issuer("http://id.example.com"),
            "issuer",
        ),
        (
            Provider::builder("corp")
                .discovery_url("http://id.example.com/.well-known/openid-configuration"),
            "discovery_url",
        ),
    ] {
        match builder.client_id("app").build() {
            Err(Error::Config {
                key: Some(k),
                message,
            }) => {
                assert_eq!(k, key);
                assert!(
                    message.contains("uses http to a non-loopback host"),
                    "{message}"
                );
            }
            other => panic!("{key}: expected Error::Config, got {other:?}"),
        }
    }

    // A discovery document cannot downgrade the token endpoint to plain http either.
    let server = EmulatorServer::start(any_loopback_port(), |base| {
        let doc = json!({
            "issuer": base.as_str().trim_end_matches('/'),
            "token_endpoint": "http://id.example.com/token",
        });
        Router::new().route(DISCOVERY, get(move || async move { Reply::json(200, doc) }))
    })
    .await
    .unwrap();
    let exchanger = Provider::builder("corp")
        .issuer(server.base())
        .client_id("app")
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { key: Some(k), .. } if k == "token_endpoint (from discovery)"),
        "{err:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "only the discovery document was fetched"
    );
}

#[tokio::test]
async fn nothing_listening_is_a_retryable_connect_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let exchanger = Provider::builder("corp")
        .token_endpoint(format!("http://127.0.0.1:{port}/token"))
        .client_id("app")
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportKind::Connect);
            assert_eq!(t.endpoint, format!("http://127.0.0.1:{port}/token"));
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_error_sent_with_http_200_is_an_error() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = exchanger(
        &emulator,
        AuthMethod::ClientSecretBasic,
        HttpClient::default(),
    );
    emulator
        .provider()
        .push_reply(Reply::oauth_error(200, "invalid_grant", "code expired"));
    let err = exchanger
        .exchange(Grant::authorization_code(
            issue_code(&emulator, None),
            REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant() && !err.is_retryable());
    assert_eq!(
        oauth_error(err),
        OAuthError::new(Some(200), "invalid_grant").with_description(Some("code expired".into()))
    );
}

#[tokio::test]
async fn an_html_error_page_is_unreadable_with_a_redacted_snippet() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = exchanger(
        &emulator,
        AuthMethod::ClientSecretBasic,
        HttpClient::default(),
    );
    emulator.provider().push_reply(Reply::raw(
        502,
        "text/html; charset=utf-8",
        "<html><body>Bad gateway: upstream code=abc123 token \
         eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln</body></html>",
    ));
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    assert!(
        err.is_retryable(),
        "a 502 is worth retrying for client credentials"
    );
    match err {
        Error::UnreadableResponse(u) => {
            assert_eq!(u.endpoint, emulator.token_endpoint());
            assert_eq!(u.status, Some(502));
            assert_eq!(u.content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert!(
                u.reason.starts_with("the body is an HTML page"),
                "{}",
                u.reason
            );
            assert_eq!(
                u.snippet,
                "<html><body>Bad gateway: upstream code=[redacted] token [redacted]</body></html>"
            );
        }
        other => panic!("expected UnreadableResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_client_credentials_are_invalid_client() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    // (secret, method): a wrong secret, and the right secret with another method.
    for (secret, method) in [
        ("wrong", AuthMethod::ClientSecretBasic),
        (CLIENT_SECRET, AuthMethod::ClientSecretPost),
    ] {
        let exchanger = Provider::builder("corp")
            .token_endpoint(emulator.token_endpoint())
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(secret))
            .auth_method(method)
            .build()
            .unwrap();
        let err = exchanger
            .exchange(Grant::client_credentials().with_scopes(["api"]))
            .await
            .unwrap_err();
        assert!(err.is_invalid_client() && !err.is_retryable() && !err.is_invalid_grant());
        assert_eq!(
            oauth_error(err),
            OAuthError::new(Some(401), "invalid_client")
                .with_description(Some("client authentication failed".into())),
            "{method}"
        );
    }

    // A bare 401 (no body at all) still says which kind of refusal it is.
    let exchanger = exchanger(
        &emulator,
        AuthMethod::ClientSecretBasic,
        HttpClient::default(),
    );
    emulator.provider().push_reply(Reply::empty(401));
    let err = exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap_err();
    assert!(err.is_invalid_client());
    let expected = OAuthError::new(Some(401), "invalid_client").with_from_status_only(true);
    assert_eq!(oauth_error(err), expected);
}

/// Hooks as a vendor adapter would write them: a header the vendor wants, and a hint on the
/// vendor's confusing error.
#[derive(Debug)]
struct TenantHooks;

impl VendorHooks for TenantHooks {
    fn prepare_request(
        &self,
        request: &mut TokenRequest,
        _grant: &Grant,
        _context: &HookContext<'_>,
    ) -> tokenbridge::Result<()> {
        request.header("x-tenant-id".parse().unwrap(), "tenant-a", false)?;
        Ok(())
    }

    fn map_error(&self, error: Error, grant: &Grant, _context: &HookContext<'_>) -> Error {
        match error {
            Error::OAuth(p) if grant.uses_pkce() => {
                Error::from((*p).with_hint("PKCE was used: check the code_verifier"))
            }
            other => other,
        }
    }
}

static TENANT: VendorDescription = {
    let mut tenant = VendorDescription::standard("tenant", "Tenant Identity");
    tenant.hooks = &TenantHooks;
    tenant
};

#[tokio::test]
async fn hooks_adjust_requests_and_errors() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = Provider::builder("corp")
        .token_endpoint(emulator.token_endpoint())
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .vendor(&TENANT)
        .build()
        .unwrap();
    exchanger
        .exchange(Grant::client_credentials().with_scopes(["api"]))
        .await
        .unwrap();
    assert_eq!(
        last_token_request(&emulator).header("x-tenant-id"),
        Some("tenant-a")
    );

    let verifier = PkceVerifier::generate().unwrap();
    let code = issue_code(&emulator, Some(verifier.s256_challenge()));
    let wrong = PkceVerifier::generate().unwrap();
    let err = exchanger
        .exchange(Grant::authorization_code(code, REDIRECT_URI).with_pkce_verifier(wrong))
        .await
        .unwrap_err();
    assert!(err.is_invalid_grant());
    assert_eq!(
        oauth_error(err).hint(),
        Some("PKCE was used: check the code_verifier")
    );
}

#[tokio::test]
async fn an_unsupported_grant_sends_nothing() {
    let emulator = emulator(Profile::standard(), AuthMethod::ClientSecretBasic).await;
    let exchanger = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id(CLIENT_ID)
        .client_secret(SecretString::from(CLIENT_SECRET))
        .grants([GrantKind::ClientCredentials])
        .build()
        .unwrap();
    let err = exchanger
        .exchange(Grant::authorization_code(
            issue_code(&emulator, None),
            REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "provider \"corp\" does not support the authorization_code grant; supported: client_credentials"
    );
    assert_eq!(emulator.server().requests().len(), 0, "not even discovery");
}
