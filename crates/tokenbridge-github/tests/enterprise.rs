//! GitHub Enterprise Server (`host`): the OAuth flow at `https://HOSTNAME/login/...` and the
//! REST API below `https://HOSTNAME/api/v3`, as GitHub's Enterprise Server pages document,
//! with the exact URLs of every request, sent through a recording transport (no socket).

use std::sync::{Arc, Mutex};

use http::{Request, Response};
use serde_json::{json, Value};
use tokenbridge_core::{
    transport_fn, Error, ExposeSecret, Grant, HttpClient, HttpConfig, Provider, ProviderContext,
    ProviderFactory, ProviderTable, SecretString, TokenExchanger as _, TransportError,
};
use tokenbridge_github::GitHub;

const HOST: &str = "github.example.com";

fn table(settings: Value) -> ProviderTable {
    ProviderTable {
        name: "ghe".into(),
        kind: "github".into(),
        settings: settings.as_object().unwrap().clone(),
    }
}

fn build(settings: Value, http: Option<&HttpClient>) -> tokenbridge_core::Result<Provider> {
    let env = |_: &str| None;
    GitHub.build(&ProviderContext::new(&table(settings), &env, http))
}

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A client recording each request's method and URL, answering by the URL's path.
fn recording() -> (HttpClient, Seen) {
    let seen = Seen::default();
    let log = Arc::clone(&seen);
    let client = HttpClient::with_transport(
        transport_fn(move |request: Request<Vec<u8>>| {
            let url = request.uri().to_string();
            log.lock()
                .unwrap()
                .push((request.method().to_string(), url.clone()));
            async move {
                let (status, body) = if url.ends_with("/login/oauth/access_token") {
                    (
                        200,
                        r#"{"access_token":"gho_1","token_type":"bearer","scope":"read:user,user:email"}"#,
                    )
                } else if url.ends_with("/api/v3/user") {
                    (200, r#"{"id":583231,"login":"octocat","email":null}"#)
                } else if url.ends_with("/api/v3/user/emails") {
                    (
                        200,
                        r#"[{"email":"octocat@github.example.com","primary":true,"verified":true}]"#,
                    )
                } else {
                    (204, "")
                };
                Ok::<_, TransportError>(
                    Response::builder()
                        .status(status)
                        .header("content-type", "application/json")
                        .body(body)
                        .unwrap(),
                )
            }
        }),
        HttpConfig::default(),
    );
    (client, seen)
}

#[tokio::test]
async fn host_moves_the_oauth_flow_to_the_server_and_the_api_below_api_v3() {
    let ghe = build(
        json!({"client_id": "Iv1.abc", "client_secret": "s", "host": HOST}),
        None,
    )
    .unwrap();
    assert_eq!(ghe.vendor().name, "GitHub Enterprise Server");
    assert_eq!(ghe.vendor().kind, "github");
    let endpoints = ghe.endpoints().await.unwrap();
    let url = |u: &Option<tokenbridge_core::Url>| u.as_ref().unwrap().as_str().to_owned();
    assert_eq!(
        endpoints.token.as_str(),
        "https://github.example.com/login/oauth/access_token"
    );
    assert_eq!(
        url(&endpoints.authorization),
        "https://github.example.com/login/oauth/authorize"
    );
    assert_eq!(
        url(&endpoints.device_authorization),
        "https://github.example.com/login/device/code"
    );
    assert_eq!(
        url(&endpoints.userinfo),
        "https://github.example.com/api/v3/user"
    );
    // The client id fills `{client_id}` when a token is revoked (below).
    assert_eq!(
        url(&endpoints.revocation),
        "https://github.example.com/api/v3/applications/%7Bclient_id%7D/token"
    );
    assert!(endpoints.jwks.is_none() && endpoints.end_session.is_none());

    let request = ghe
        .authorization_request()
        .redirect_uri("https://app.example.com/cb")
        .build()
        .await
        .unwrap();
    let state = request.pending.state().expose_secret().to_owned();
    let challenge = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "code_challenge")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "https://github.example.com/login/oauth/authorize?response_type=code\
             &client_id=Iv1.abc&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&state={state}\
             &code_challenge={challenge}&code_challenge_method=S256"
        )
    );
}

#[tokio::test]
async fn every_request_goes_to_the_servers_exact_urls() {
    let (http, seen) = recording();
    let ghe = build(
        json!({"client_id": "Iv1.abc", "client_secret": "s", "host": HOST}),
        Some(&http),
    )
    .unwrap();
    let tokens = ghe
        .exchange(Grant::authorization_code(
            "c0de",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    let user = ghe.userinfo_with_tokens(&tokens).await.unwrap();
    assert_eq!(user.subject, "583231");
    assert_eq!(user.email.as_deref(), Some("octocat@github.example.com"));
    ghe.revoke(&SecretString::from("gho_1"), None)
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let expected: Vec<(String, String)> = [
        (
            "POST",
            "https://github.example.com/login/oauth/access_token",
        ),
        ("GET", "https://github.example.com/api/v3/user"),
        ("GET", "https://github.example.com/api/v3/user/emails"),
        (
            "DELETE",
            "https://github.example.com/api/v3/applications/Iv1.abc/token",
        ),
    ]
    .iter()
    .map(|(m, u)| ((*m).to_owned(), (*u).to_owned()))
    .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_programmatic_builder_and_a_port_give_the_same_urls() {
    let ghe = tokenbridge_github::enterprise_builder("ghe", "ghe.internal:8443")
        .unwrap()
        .client_id("Iv1.abc")
        .client_secret(SecretString::from("s"))
        .build()
        .unwrap();
    assert_eq!(
        ghe.token_endpoint().await.unwrap().as_str(),
        "https://ghe.internal:8443/login/oauth/access_token"
    );
    // With base_url too (an emulator, a proxy), the server's paths move to it.
    let local = build(
        json!({"client_id": "a", "client_secret": "s", "host": HOST, "base_url": "http://127.0.0.1:8123"}),
        None,
    )
    .unwrap();
    assert_eq!(
        local
            .endpoints()
            .await
            .unwrap()
            .userinfo
            .as_ref()
            .unwrap()
            .as_str(),
        "http://127.0.0.1:8123/api/v3/user"
    );
}

#[test]
fn a_host_that_is_not_a_host_name_is_refused_naming_host() {
    for (host, message) in [
        (
            "",
            "empty; set the GitHub Enterprise Server's host name, e.g. github.example.com",
        ),
        (
            "https://github.example.com",
            "a host name without a scheme, e.g. github.example.com (https is used)",
        ),
        (
            "github.example.com/api/v3",
            "a host name (with a port if any) and nothing else, e.g. github.example.com",
        ),
        (
            "github.com",
            "github.com is not an Enterprise Server: remove host",
        ),
    ] {
        let err = build(
            json!({"client_id": "a", "client_secret": "s", "host": host}),
            None,
        )
        .unwrap_err();
        match &err {
            Error::Config {
                key: Some(key),
                message: shown,
            } => {
                assert_eq!(key, "providers.ghe.host", "{host}");
                assert_eq!(shown, message, "{host}");
            }
            other => panic!("{host}: {other:?}"),
        }
    }
}
