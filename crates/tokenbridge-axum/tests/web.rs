//! The routes and extractors against the OIDC emulator, driven like a browser: cookies,
//! redirects read one by one.

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use tokenbridge_axum::{AccessToken, SignedIn, WebAuth, COOKIE_NAME};
use tokenbridge_core::{AuthMethod, Provider};
use tokenbridge_testkit::oidc::{AuthorizeMode, ClientRegistration, OidcEmulator, Profile, Reply};
use url::Url;

const CLIENT: &str = "web-app";
const SECRET: &str = "web-app-secret";

struct App {
    emulator: OidcEmulator,
    base: String,
}

async fn me(user: SignedIn) -> Json<Value> {
    Json(
        json!({ "provider": user.provider, "subject": user.identity.subject, "name": user.identity.name }),
    )
}

async fn token(AccessToken(token): AccessToken) -> String {
    // Only the tests see this: they compare it with what the emulator issued.
    token.expose_secret().len().to_string()
}

async fn start(margin: Duration) -> App {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        CLIENT,
        SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id(CLIENT)
        .client_secret(SecretString::from(SECRET))
        .scopes(["openid", "profile", "email"])
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let auth = WebAuth::builder(&base)
        .provider(provider)
        .refresh_margin(margin)
        .build()
        .unwrap();
    let app = Router::new()
        .route("/me", get(me))
        .route("/token", get(token))
        .merge(auth.routes())
        .layer(auth.layer());
    tokio::spawn(async move { axum::serve(listener, app).await });
    App { emulator, base }
}

/// A browser without automatic redirects: its own cookie header, set from each answer.
struct Browser {
    http: reqwest::Client,
    cookie: Option<String>,
    set_cookies: Vec<String>,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookie: None,
            set_cookies: Vec::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let request = match &self.cookie {
            Some(c) => request.header(COOKIE, c),
            None => request,
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().unwrap().to_owned();
            let pair = value.split(';').next().unwrap().to_owned();
            if pair.starts_with(&format!("{COOKIE_NAME}=")) {
                self.cookie = Some(pair);
            }
            self.set_cookies.push(value);
        }
        response
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.http.get(url);
        self.send(request).await
    }

    async fn post(&mut self, url: &str) -> reqwest::Response {
        let request = self.http.post(url);
        self.send(request).await
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no Location in a {}", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// `/login`, the emulator's authorize endpoint; returns the callback URL it redirected to.
async fn start_login(app: &App, browser: &mut Browser, next: Option<&str>) -> String {
    let url = match next {
        Some(next) => format!("{}/login?next={}", app.base, urlencode(next)),
        None => format!("{}/login", app.base),
    };
    let login = browser.get(&url).await;
    assert_eq!(login.status(), 303);
    let authorize = location(&login);
    assert!(authorize.starts_with(app.emulator.issuer()), "{authorize}");
    let approved = browser.get(&authorize).await;
    assert_eq!(approved.status(), 302);
    location(&approved)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn sign_in(app: &App, browser: &mut Browser) {
    let callback = start_login(app, browser, None).await;
    let done = browser.get(&callback).await;
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    assert_eq!(location(&done), "/");
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_keeps_every_token_on_the_server() {
    let app = start(Duration::from_secs(60)).await;
    let mut browser = Browser::new();
    let signed_out = browser.get(&format!("{}/me", app.base)).await;
    assert_eq!(signed_out.status(), 401);
    assert_eq!(
        signed_out.json::<Value>().await.unwrap(),
        json!({ "error": "not signed in" })
    );

    let callback = start_login(&app, &mut browser, Some("/me?tab=1")).await;
    let before = browser.cookie.clone().expect("a session cookie at /login");
    let done = browser.get(&callback).await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/me?tab=1");
    let after = browser.cookie.clone().unwrap();
    assert_ne!(before, after, "the session id must change at sign-in");

    for set_cookie in &browser.set_cookies {
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(
            !set_cookie.contains("Secure"),
            "http public URL: {set_cookie}"
        );
        // The cookie is the session id: a base64url value of 22 characters, nothing else.
        let value = set_cookie.split(';').next().unwrap();
        let id = value.strip_prefix(&format!("{COOKIE_NAME}=")).unwrap();
        assert_eq!(id.len(), 22, "{set_cookie}");
    }

    let me = browser.get(&format!("{}/me", app.base)).await;
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<Value>().await.unwrap(),
        json!({ "provider": "corp", "subject": "user-1", "name": "Demo User" })
    );
    // The old id is worthless now.
    let mut stale = Browser::new();
    stale.cookie = Some(before);
    assert_eq!(stale.get(&format!("{}/me", app.base)).await.status(), 401);
}

#[tokio::test]
async fn a_secure_cookie_for_an_https_public_url() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id(CLIENT)
        .client_secret(SecretString::from(SECRET))
        .build()
        .unwrap();
    let auth = WebAuth::builder("https://app.example.com")
        .provider(provider)
        .build()
        .unwrap();
    assert_eq!(auth.callback_url(), "https://app.example.com/callback");
    let app = Router::new().merge(auth.routes()).layer(auth.layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut browser = Browser::new();
    browser.get(&format!("{base}/login")).await;
    let cookie = &browser.set_cookies[0];
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn unsafe_next_values_are_refused_before_anything_is_sent() {
    let app = start(Duration::from_secs(60)).await;
    for next in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
    ] {
        let mut browser = Browser::new();
        let url = format!("{}/login?next={}", app.base, urlencode(next));
        let refused = browser.get(&url).await;
        assert_eq!(refused.status(), 400, "{next}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("refused `next`"), "{page}");
    }
    assert!(app.emulator.requests().is_empty());
}

#[tokio::test]
async fn refused_callbacks_are_400_pages_that_name_the_problem() {
    let app = start(Duration::from_secs(60)).await;

    // A tampered state.
    let mut browser = Browser::new();
    let callback = start_login(&app, &mut browser, None).await;
    let mut tampered = Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = tampered
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let refused = browser.get(tampered.as_str()).await;
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("`state` differs"), "{page}");
    // The pending login is spent: the genuine callback is refused now too.
    let replay = browser.get(&callback).await;
    assert_eq!(replay.status(), 400);
    assert!(replay
        .text()
        .await
        .unwrap()
        .contains("no sign-in is in progress"));

    // A callback with no login in progress.
    let mut stranger = Browser::new();
    let refused = stranger
        .get(&format!("{}/callback?code=c&state=s", app.base))
        .await;
    assert_eq!(refused.status(), 400);
    let refused = stranger
        .get(&format!(
            "{}/callback?error=access_denied&state=s",
            app.base
        ))
        .await;
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("`error=access_denied`"), "{page}");
    assert!(page.contains("no sign-in is in progress"), "{page}");

    // The user said no.
    app.emulator
        .provider()
        .set_authorize_mode(AuthorizeMode::Deny("access_denied".into()));
    let mut browser = Browser::new();
    let callback = start_login(&app, &mut browser, None).await;
    let refused = browser.get(&callback).await;
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("access_denied"), "{page}");

    // A mix-up: another issuer in `iss`.
    app.emulator
        .provider()
        .set_authorize_mode(AuthorizeMode::WrongIssuer);
    let mut browser = Browser::new();
    let callback = start_login(&app, &mut browser, None).await;
    let refused = browser.get(&callback).await;
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("`iss`"), "{page}");
    assert!(page.contains("https://attacker.example.com"), "{page}");
    // No code was ever exchanged for these.
    assert!(!app.emulator.requests().iter().any(|r| r.path == "/token"));
}

#[tokio::test]
async fn a_form_post_callback_is_posted_again_from_this_site() {
    let app = start(Duration::from_secs(60)).await;
    let mut browser = Browser::new();
    let callback = start_login(&app, &mut browser, None).await;
    let query = Url::parse(&callback).unwrap().query().unwrap().to_owned();

    // From the provider's site the cookie is not sent: the app answers with a page that
    // posts the same fields again.
    let mut cross_site = Browser::new();
    let page = cross_site
        .send(
            cross_site
                .http
                .post(format!("{}/callback", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(query.clone()),
        )
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"tokenbridge_resubmitted\""), "{html}");
    assert!(html.contains("document.forms[0].submit()"), "{html}");

    // The same POST with the cookie, as the re-posted form is, completes the sign-in.
    let body = format!("{query}&tokenbridge_resubmitted=1");
    let done = browser
        .send(
            browser
                .http
                .post(format!("{}/callback", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(browser.get(&format!("{}/me", app.base)).await.status(), 200);
}

#[tokio::test]
async fn sign_out_revokes_the_refresh_token_and_ends_the_session_at_the_provider() {
    let app = start(Duration::from_secs(60)).await;
    let mut browser = Browser::new();
    sign_in(&app, &mut browser).await;

    let out = browser.post(&format!("{}/logout", app.base)).await;
    assert_eq!(out.status(), 303);
    let logout = Url::parse(&location(&out)).unwrap();
    assert!(
        logout.as_str().starts_with(&format!(
            "{}/logout",
            app.emulator.issuer().trim_end_matches('/')
        )),
        "{logout}"
    );
    let params: std::collections::HashMap<String, String> =
        logout.query_pairs().into_owned().collect();
    assert!(params.contains_key("id_token_hint"), "{logout}");
    assert_eq!(
        params.get("post_logout_redirect_uri").map(String::as_str),
        Some(format!("{}/", app.base).as_str())
    );
    // The refresh token was revoked with the client's credentials.
    let revoked = app.emulator.provider().revoked();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    let revocation = app
        .emulator
        .requests()
        .into_iter()
        .find(|r| r.path == "/revoke")
        .expect("a revocation request");
    let body = String::from_utf8_lossy(&revocation.body).into_owned();
    assert!(body.contains("token_type_hint=refresh_token"), "{body}");
    assert!(revocation
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));

    assert_eq!(browser.get(&format!("{}/me", app.base)).await.status(), 401);
    // Signing out again, or signed out, just goes home.
    let again = browser.post(&format!("{}/logout", app.base)).await;
    assert_eq!(location(&again), "/");
}

#[tokio::test]
async fn concurrent_requests_of_one_user_cause_one_refresh() {
    // A margin longer than the token's life: the first use after sign-in renews.
    let app = start(Duration::from_secs(7200)).await;
    let mut browser = Browser::new();
    sign_in(&app, &mut browser).await;
    let provider = app.emulator.provider();
    let mut fresh = provider.token_body(CLIENT, "openid profile email", true, Some("rt-2".into()));
    fresh["access_token"] = json!("at-renewed-0123456789");
    // The renewal takes a second, so every request below arrives while it is in flight.
    provider.push_reply(Reply::json(200, fresh).delayed(Duration::from_secs(1)));
    app.emulator.clear_requests();

    let cookie = browser.cookie.clone().unwrap();
    let http = browser.http.clone();
    let calls = (0..20).map(|_| {
        let http = http.clone();
        let cookie = cookie.clone();
        let url = format!("{}/token", app.base);
        tokio::spawn(async move {
            let r = http.get(url).header(COOKIE, cookie).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        })
    });
    for call in futures_join(calls).await {
        let (status, body) = call;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, "at-renewed-0123456789".len().to_string());
    }
    let refreshes = app
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path == "/token")
        .count();
    assert_eq!(refreshes, 1);
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

#[test]
fn a_public_url_must_be_absolute_http() {
    let provider = || {
        Provider::builder("corp")
            .issuer("https://id.example.com")
            .client_id(CLIENT)
            .build()
            .unwrap()
    };
    for bad in [
        "app.example.com",
        "ftp://app.example.com",
        "https://app.example.com/?x=1",
    ] {
        let err = WebAuth::builder(bad)
            .provider(provider())
            .build()
            .unwrap_err();
        assert_eq!(
            err.kind(),
            tokenbridge_core::ErrorKind::Configuration,
            "{bad}"
        );
    }
    let err = WebAuth::builder("https://app.example.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("at least one provider"), "{err}");
    let auth = WebAuth::builder("https://app.example.com/auth/")
        .provider(provider())
        .build()
        .unwrap();
    assert_eq!(auth.callback_url(), "https://app.example.com/auth/callback");
}

#[tokio::test]
async fn several_providers_side_by_side_share_one_callback() {
    let first = start(Duration::from_secs(60)).await;
    let other = OidcEmulator::start(Profile::standard()).await.unwrap();
    other.register_client(ClientRegistration::confidential(
        CLIENT,
        SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    let provider = |name: &str, emulator: &OidcEmulator| {
        Provider::builder(name)
            .issuer(emulator.issuer())
            .client_id(CLIENT)
            .client_secret(SecretString::from(SECRET))
            .build()
            .unwrap()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let auth = WebAuth::builder(&base)
        .provider(provider("corp", &first.emulator))
        .provider(provider("partner", &other))
        .build()
        .unwrap();
    let app = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut browser = Browser::new();
    let login = browser.get(&format!("{base}/login/partner")).await;
    assert_eq!(login.status(), 303);
    let authorize = location(&login);
    assert!(authorize.starts_with(other.issuer()), "{authorize}");
    let callback = location(&browser.get(&authorize).await);
    assert!(
        callback.starts_with(&format!("{base}/callback?")),
        "{callback}"
    );
    let done = browser.get(&callback).await;
    assert_eq!(done.status(), 303);
    let me = browser.get(&format!("{base}/me")).await;
    assert_eq!(me.json::<Value>().await.unwrap()["provider"], "partner");
    // The default provider is the first one; an unknown name is a 404 page.
    let login = browser.get(&format!("{base}/login")).await;
    assert!(location(&login).starts_with(first.emulator.issuer()));
    assert_eq!(
        browser.get(&format!("{base}/login/nobody")).await.status(),
        404
    );
}

#[tokio::test]
async fn a_refused_refresh_token_ends_the_sign_in() {
    // A margin longer than the token's life: the first use after sign-in renews.
    let app = start(Duration::from_secs(7200)).await;
    let mut browser = Browser::new();
    sign_in(&app, &mut browser).await;
    app.emulator.provider().push_reply(Reply::oauth_error(
        400,
        "invalid_grant",
        "refresh token is invalid",
    ));
    let refused = browser.get(&format!("{}/token", app.base)).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({ "error": "the sign-in has expired; sign in again" })
    );
    // The session is gone with it.
    let me = browser.get(&format!("{}/me", app.base)).await;
    assert_eq!(me.status(), 401);
    assert_eq!(
        me.json::<Value>().await.unwrap(),
        json!({ "error": "not signed in" })
    );
}
