//! Sign a user in from a web application, through whichever provider the configuration names.
//!
//! ```text
//! cargo run --example web_sign_in                      # against the embedded OIDC emulator
//! cargo run --example web_sign_in -- --self-test       # ...and drive one sign-in, then exit
//! cargo run --example web_sign_in -- --config tokenbridge.toml --provider corp --addr 127.0.0.1:8400
//! ```
//!
//! Two routes: `/login` starts a sign-in and keeps its `PendingLogin` in a server-side session
//! map, keyed by a random cookie value; `/callback` takes it back out (once) and completes the
//! login: the `state`, `iss` and `error` checks, the code exchange with PKCE, and the ID-token
//! check. Register `http://<addr>/callback` as the redirect URI at your provider.

use std::collections::HashMap;
use std::error::Error;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tokenbridge::core::signin::random_token;
use tokenbridge::{reqwest, AuthMethod, Config, PendingLogin, Provider, Registry};
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};

/// The application: one provider, and the logins in progress (a real app uses its session
/// store; the value is the serialized `PendingLogin`, which holds secrets and so never goes in
/// a cookie).
#[derive(Clone)]
struct App {
    provider: Provider,
    redirect_uri: String,
    sessions: Arc<Mutex<HashMap<String, String>>>,
}

const COOKIE: &str = "signin";

async fn login(State(app): State<App>) -> Result<Response, AppError> {
    let request = app
        .provider
        .authorization_request()
        .redirect_uri(&app.redirect_uri)
        .build()
        .await?;
    let session = random_token(32)?;
    let stored = serde_json::to_string(&request.pending)?;
    app.sessions.lock().unwrap().insert(session.clone(), stored);
    let cookie = format!("{COOKIE}={session}; HttpOnly; SameSite=Lax; Path=/");
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(request.url.as_str()),
    )
        .into_response())
}

async fn callback(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    // Taken out of the map: a callback is accepted once.
    let pending = session_of(&headers)
        .and_then(|session| app.sessions.lock().unwrap().remove(&session))
        .ok_or_else(|| AppError::bad("no sign-in in progress in this browser; start at /login"))?;
    let pending: PendingLogin = serde_json::from_str(&pending)?;
    let login = app
        .provider
        .complete_login(&query.unwrap_or_default(), pending)
        .await?;
    let who = login
        .identity()
        .map(|identity| identity.subject)
        .unwrap_or_else(|| "(no ID token)".into());
    // TokenSet's Display never shows a secret.
    Ok(Html(format!(
        "<p>Signed in as {} with {}.</p>",
        escape(&who),
        escape(&login.tokens.to_string())
    )))
}

fn session_of(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_owned())
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A failed request: 400 with a short reason (no secret is ever in a tokenbridge message).
struct AppError(String);

impl AppError {
    fn bad(message: &str) -> Self {
        Self(message.to_owned())
    }
}

impl<E: Error> From<E> for AppError {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let page = format!("<p>Sign-in failed: {}</p>", escape(&self.0));
        (StatusCode::BAD_REQUEST, Html(page)).into_response()
    }
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let listener =
        tokio::net::TcpListener::bind(flag(&args, "--addr").unwrap_or("127.0.0.1:0")).await?;
    let base = format!("http://{}", listener.local_addr()?);

    // The provider the configuration names; by default the embedded OIDC emulator, kept
    // alive as long as the app.
    let mut _emulator = None;
    let provider = match flag(&args, "--config") {
        Some(path) => {
            let config = Config::from_file(path)?;
            Registry::new().build(&config, flag(&args, "--provider").unwrap_or("corp"))?
        }
        None => {
            let emulator = OidcEmulator::start(Profile::standard()).await?;
            emulator.register_client(ClientRegistration::confidential(
                "demo-app",
                "demo-secret",
                AuthMethod::ClientSecretBasic,
            ));
            let config = Config::from_toml_str(&format!(
                "[providers.demo]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\nscopes = [\"openid\", \"profile\"]\n",
                emulator.issuer()
            ))?;
            _emulator = Some(emulator);
            Registry::new().build(&config, "demo")?
        }
    };
    let app = App {
        provider,
        redirect_uri: format!("{base}/callback"),
        sessions: Arc::default(),
    };
    let router = Router::new()
        .route("/login", get(login))
        .route("/callback", get(callback))
        .with_state(app);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    if !args.iter().any(|a| a == "--self-test") {
        println!("Open {base}/login to sign in (Ctrl-C to stop).");
        return Ok(server.await??);
    }
    self_test(&base).await?;
    println!("self-test passed: signed in through {base}/login");
    Ok(())
}

/// Plays the browser once: `/login`, the provider's authorize endpoint, `/callback` with the
/// session cookie; then the same callback again, which must be refused.
async fn self_test(base: &str) -> Result<(), Box<dyn Error>> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let location = |r: &reqwest::Response| -> Result<String, Box<dyn Error>> {
        Ok(r.headers()
            .get(header::LOCATION.as_str())
            .ok_or("no Location")?
            .to_str()?
            .to_owned())
    };
    let start = browser.get(format!("{base}/login")).send().await?;
    let cookie = start
        .headers()
        .get(header::SET_COOKIE.as_str())
        .ok_or("no session cookie")?
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let authorize = location(&start)?;
    let callback = location(&browser.get(&authorize).send().await?)?;
    let done = browser
        .get(&callback)
        .header(header::COOKIE.as_str(), &cookie)
        .send()
        .await?;
    let (status, page) = (done.status(), done.text().await?);
    println!("{page}");
    if status != 200 || !page.contains("Signed in as user-1") {
        return Err(format!("sign-in failed: {status} {page}").into());
    }
    let replay = browser
        .get(&callback)
        .header(header::COOKIE.as_str(), &cookie)
        .send()
        .await?;
    if replay.status() != 400 {
        return Err("a replayed callback was accepted".into());
    }
    Ok(())
}
