use axum::{routing::get, Json, Router};
use tokenbridge::{Config, Registry};
use tokenbridge_axum::{SignedIn, WebAuth};

/// Any handler takes `SignedIn`: without a signed-in user it answers 401 by itself.
async fn me(user: SignedIn) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "subject": user.identity.subject, "name": user.identity.name }))
}

/// The application with its whole sign-in: `/login`, `/callback` and `/logout`, and the
/// server-side session behind a random `HttpOnly` cookie.
fn app(config_file: &str) -> tokenbridge::Result<Router> {
    let provider = Registry::new().build(&Config::from_file(config_file)?, "corp")?;
    let auth = WebAuth::builder("https://app.example.com")
        .provider(provider)
        .build()?;
    Ok(Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer()))
}
