//! Nothing the web integration (or any crate under it) logs, at TRACE, shows a token, the
//! code, the `state` or the client secret, through a whole sign-in, renewal and sign-out.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use secrecy::{ExposeSecret, SecretString};
use tokenbridge_axum::{AccessToken, WebAuth, COOKIE_NAME};
use tokenbridge_core::{AuthMethod, Provider};
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
use url::Url;

const SECRET: &str = "web-app-secret-Zq8";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Only for this test, which compares the log with it: an application never shows the token.
async fn token(AccessToken(token): AccessToken) -> String {
    token.expose_secret().to_owned()
}

fn cookie_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|pair| pair.starts_with(&format!("{COOKIE_NAME}=")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_logged_shows_a_token_the_code_the_state_or_the_client_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        "web-app",
        SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id("web-app")
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // A margin longer than the tokens' life: every use renews, so renewals are logged too.
    let auth = WebAuth::builder(&base)
        .provider(provider)
        .refresh_margin(Duration::from_secs(7200))
        .build()
        .unwrap();
    let app = Router::new()
        .route("/token", get(token))
        .merge(auth.routes())
        .layer(auth.layer());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = cookie_of(&login).unwrap();
    let authorize = login.headers()[LOCATION].to_str().unwrap().to_owned();
    let approved = http.get(&authorize).send().await.unwrap();
    let callback = approved.headers()[LOCATION].to_str().unwrap().to_owned();
    let query: Vec<(String, String)> = Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let done = http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let cookie = cookie_of(&done).unwrap();
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let answer = http
            .get(format!("{base}/token"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        tokens.push(answer.text().await.unwrap());
    }
    let out = http
        .post(format!("{base}/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let logout = out.headers()[LOCATION].to_str().unwrap().to_owned();
    let id_token = Url::parse(&logout)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "id_token_hint")
        .map(|(_, v)| v.into_owned())
        .expect("an id_token_hint");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("renewed the access token of a signed-in user"),
        "{log}"
    );
    assert!(log.contains("a user signed in"), "{log}");
    let mut secrets: Vec<String> = tokens;
    secrets.push(id_token);
    secrets.push(SECRET.to_owned());
    secrets.push(cookie.split('=').nth(1).unwrap().to_owned());
    secrets.extend(emulator.provider().revoked());
    for (name, value) in query {
        if name == "code" || name == "state" {
            secrets.push(value);
        }
    }
    for secret in &secrets {
        assert!(secret.len() >= 8, "{secret:?}");
        assert!(
            !log.contains(secret.as_str()),
            "the log shows {secret:?}:\n{log}"
        );
    }
}
