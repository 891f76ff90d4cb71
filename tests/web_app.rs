//! examples/web_app.rs with no `--config`: against its embedded OIDC emulator, driven like a
//! browser (cookies, redirects read one by one). The same routes in headless Chromium against
//! the certified OpenID Provider: tests/browser.rs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tokenbridge::reqwest;
use tokenbridge::reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// The example's binary, which `cargo test` builds beside the test binaries.
fn web_app() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let app = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .join("examples")
        .join(format!("web_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        app.is_file(),
        "{} is missing: `cargo test` builds the examples, or run `cargo build --example web_app`",
        app.display()
    );
    app
}

/// The app, killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the app on a free port; returns it and its base URL from `listening on <URL>`.
fn start() -> (Running, String) {
    let mut child = Command::new(web_app())
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("web_app starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a line on stdout");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a `listening on` line: {line:?}"))
        .to_owned();
    (Running(child), base)
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .expect("the header")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_route_against_the_embedded_emulator() {
    let (_app, base) = start();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let home = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let page = home.text().await.unwrap();
    assert!(
        page.contains("<a id=\"sign-in\" href=\"/login\">Sign in</a>"),
        "{page}"
    );
    let me = http.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(me.text().await.unwrap(), r#"{"error":"not signed in"}"#);
    let info = http
        .get(format!("{base}/me/userinfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 401);

    // Sign in: /login, the emulator's authorize endpoint, /callback.
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    assert!(matches!(login.status().as_u16(), 302 | 303));
    let cookie = header(&login, SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let authorize = header(&login, LOCATION);
    let approved = http.get(&authorize).send().await.unwrap();
    let callback = header(&approved, LOCATION);
    assert!(
        callback.starts_with(&format!("{base}/callback?")),
        "{callback}"
    );
    let done = http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(matches!(done.status().as_u16(), 302 | 303));
    assert_eq!(header(&done, LOCATION), "/");
    let cookie = header(&done, SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let page = http
        .get(format!("{base}/"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<code id=\"subject\">user-1</code>"),
        "{page}"
    );
    assert!(
        page.contains("<strong id=\"name\">Demo User</strong>"),
        "{page}"
    );
    assert!(
        page.contains("<form method=\"post\" action=\"/logout\">"),
        "{page}"
    );
    assert!(!page.contains("eyJ"), "a JWT in the page: {page}");

    let me = http
        .get(format!("{base}/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = serde_json::from_str(&me.text().await.unwrap()).unwrap();
    assert_eq!(
        me,
        serde_json::json!({
            "provider": "demo", "subject": "user-1", "name": "Demo User", "email": "demo@example.com"
        })
    );
    let info = http
        .get(format!("{base}/me/userinfo"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    let info: serde_json::Value = serde_json::from_str(&info.text().await.unwrap()).unwrap();
    assert_eq!(info["subject"], "user-1");
    assert_eq!(info["email"], "demo@example.com");

    // A replayed callback is a 400 page.
    let replay = http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("Sign-in refused"));

    let out = http
        .post(format!("{base}/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(matches!(out.status().as_u16(), 302 | 303));
    let logout = header(&out, LOCATION);
    assert!(logout.contains("id_token_hint="), "{logout}");
    let me = http
        .get(format!("{base}/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}
