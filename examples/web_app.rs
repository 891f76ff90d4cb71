//! A web application that signs its users in with whichever provider the configuration names,
//! and calls an API (the provider's userinfo endpoint) with each user's fresh access token.
//!
//! ```text
//! cargo run --example web_app                          # against the embedded OIDC emulator
//! cargo run --example web_app -- --config tokenbridge.toml --provider corp --addr 127.0.0.1:8400
//! ```
//!
//! Register `http://<addr>/callback` as the redirect URI at the provider, and `http://<addr>/`
//! as its post-logout redirect URI. Without `--addr` the app listens on 127.0.0.1:3000; it
//! prints `listening on http://<addr>` once it does.
//!
//! | Route | Answer |
//! |---|---|
//! | `GET /` | HTML: signed out, a "Sign in" link to `/login`; signed in, the subject and name (escaped) and a sign-out button (a form POSTing to `/logout`) |
//! | `GET /login` | a redirect to the provider's authorization page (`?next=/path` to come back elsewhere; only paths on this site) |
//! | `GET` or `POST /callback` | a redirect to `next` or `/`; a refused callback is a 400 page naming the problem |
//! | `GET /me` | `200 {"provider", "subject", "name", "email"}`, or `401 {"error": "not signed in"}` |
//! | `GET /me/userinfo` | `200` with the provider's userinfo answer as a normalized identity, called through the outgoing middleware with the user's access token (renewed first when due, and once more if the provider refuses it); `401` when signed out |
//! | `POST /logout` | clears the session, revokes the refresh token, redirects to the provider's logout page, which comes back to `/` |
//!
//! The whole sign-in is the `WebAuth` lines in `main`; the tokens never reach the browser
//! (they stay in the server-side session store), and the log lines (stderr, `RUST_LOG` to
//! change the level) name no token.

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use reqwest_middleware::ClientWithMiddleware;
use serde_json::{json, Value};
use tokenbridge::{AuthMethod, Config, Identity, Provider, Registry};
use tokenbridge_axum::{escape_html, SignedIn, UserTokens, WebAuth};
use tokenbridge_middleware::TokenMiddleware;
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};

/// What the handlers share: the provider and one HTTP client for its API.
#[derive(Clone)]
struct App {
    provider: Provider,
    api: ClientWithMiddleware,
}

async fn home(user: Option<SignedIn>) -> Html<String> {
    let body = match user {
        None => "<p>You are signed out.</p>\n<p><a id=\"sign-in\" href=\"/login\">Sign in</a></p>"
            .to_owned(),
        Some(user) => format!(
            "<p>Signed in with {provider} as <strong id=\"name\">{name}</strong>, subject \
             <code id=\"subject\">{subject}</code>.</p>\n\
             <p><a href=\"/me\">/me</a> · <a href=\"/me/userinfo\">/me/userinfo</a></p>\n\
             <form method=\"post\" action=\"/logout\"><button id=\"sign-out\" type=\"submit\">Sign out</button></form>",
            provider = escape_html(&user.provider),
            name = escape_html(user.identity.name.as_deref().unwrap_or("(no name)")),
            subject = escape_html(&user.identity.subject),
        ),
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tokenbridge web app</title></head>\n\
         <body><h1>tokenbridge web app</h1>\n{body}\n</body></html>\n"
    ))
}

async fn me(user: SignedIn) -> Json<Value> {
    Json(json!({
        "provider": user.provider,
        "subject": user.identity.subject,
        "name": user.identity.name,
        "email": user.identity.email,
    }))
}

/// The provider's userinfo endpoint, called like any API of the application: through the
/// outgoing middleware, which adds the user's access token (renewed first when due) and
/// renews and resends once when the provider answers 401 `invalid_token`.
async fn userinfo(State(app): State<App>, UserTokens(tokens): UserTokens) -> Response {
    match call_userinfo(&app, tokens).await {
        Ok(identity) => Json(json!({
            "provider": app.provider.id(),
            "subject": identity.subject,
            "name": identity.name,
            "preferred_username": identity.preferred_username,
            "email": identity.email,
            "email_verified": identity.email_verified,
        }))
        .into_response(),
        Err((status, message)) => (status, Json(json!({ "error": message }))).into_response(),
    }
}

async fn call_userinfo(
    app: &App,
    tokens: tokenbridge::session::TokenSession,
) -> Result<Identity, (StatusCode, String)> {
    let gateway = |e: &dyn std::fmt::Display| (StatusCode::BAD_GATEWAY, e.to_string());
    let endpoint = match app
        .provider
        .endpoints()
        .await
        .map_err(|e| gateway(&e))?
        .userinfo
        .clone()
    {
        Some(url) => url.to_string(),
        None => app
            .provider
            .metadata()
            .await
            .map_err(|e| gateway(&e))?
            .and_then(|m| m.userinfo_endpoint.clone())
            .ok_or((
                StatusCode::NOT_IMPLEMENTED,
                "the provider has no userinfo endpoint".to_owned(),
            ))?,
    };
    let response = app.api.get(endpoint).with_extension(tokens).send().await;
    let response = match response {
        Ok(r) => r,
        // The session cannot hand out a token any more: the user must sign in again.
        Err(reqwest_middleware::Error::Middleware(e)) => {
            return Err(match e.downcast_ref::<tokenbridge::Error>() {
                Some(e) if e.kind() == tokenbridge::ErrorKind::InvalidGrant => (
                    StatusCode::UNAUTHORIZED,
                    "the sign-in has expired; sign in again".to_owned(),
                ),
                _ => gateway(&e),
            })
        }
        Err(e) => return Err(gateway(&e)),
    };
    let status = response.status();
    let text = response.text().await.map_err(|e| gateway(&e))?;
    if !status.is_success() {
        return Err((
            StatusCode::BAD_GATEWAY,
            format!("userinfo answered {status}"),
        ));
    }
    let claims: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .map_err(|_| gateway(&"userinfo did not answer a JSON object"))?;
    Identity::from_claims(claims).map_err(|why| gateway(&why))
}

/// The provider the command line names, or the embedded emulator (kept alive as long as the
/// app) when there is no `--config`.
async fn provider(args: &[String]) -> Result<(Provider, Option<OidcEmulator>), Box<dyn Error>> {
    if let Some(path) = flag(args, "--config") {
        let config = Config::from_file(path)?;
        let name = flag(args, "--provider").ok_or("--config needs --provider NAME")?;
        return Ok((Registry::new().build(&config, name)?, None));
    }
    let emulator = OidcEmulator::start(Profile::standard()).await?;
    emulator.register_client(ClientRegistration::confidential(
        "demo-app",
        "demo-secret",
        AuthMethod::ClientSecretBasic,
    ));
    let config = Config::from_toml_str(&format!(
        "[providers.demo]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"demo-app\"\n\
         client_secret = \"demo-secret\"\nscopes = [\"openid\", \"profile\", \"email\"]\n",
        emulator.issuer()
    ))?;
    Ok((Registry::new().build(&config, "demo")?, Some(emulator)))
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (provider, _emulator) = provider(&args).await?;
    let listener =
        tokio::net::TcpListener::bind(flag(&args, "--addr").unwrap_or("127.0.0.1:3000")).await?;
    let base = format!("http://{}", listener.local_addr()?);

    // The whole sign-in: routes for /login, /callback and /logout, and the session layer.
    let auth = WebAuth::builder(&base)
        .provider(provider.clone())
        // Renew 10 s before expiry (default 60 s): some providers issue tokens for a minute.
        .refresh_margin(Duration::from_secs(10))
        .build()?;
    let api = reqwest_middleware::ClientBuilder::new(
        tokenbridge::reqwest::Client::builder()
            .redirect(tokenbridge::reqwest::redirect::Policy::none())
            .build()?,
    )
    .with(TokenMiddleware::per_request())
    .build();
    let app = Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .route("/me/userinfo", get(userinfo))
        .merge(auth.routes())
        .layer(auth.layer())
        .with_state(App { provider, api });

    println!("listening on {base}");
    axum::serve(listener, app).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web_app: {e}");
            ExitCode::from(2)
        }
    }
}
