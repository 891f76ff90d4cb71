//! The harness for the interop tests: starts panva's `oidc-provider` (tests/interop/provider.js)
//! as a child process on a free loopback port, drives its login and consent pages over HTTP to
//! get authorization codes, and kills the process by id when the test ends.
//!
//! Without Node or without `tests/interop/node_modules` the tests are reported as ignored, with
//! the reason (the `tokenbridge_no_interop` cfg, set by the package's build script), unless `CI`
//! is set (or `TOKENBRIDGE_INTEROP=required`): then they run and fail, so CI can never pass
//! without having talked to the real provider. See docs/interop.md.
//!
//! Two test crates include this file: the facade's `tests/interop_oidc_provider.rs` (as
//! `mod interop_support;`) and the CLI's `crates/tokenbridge-cli/tests/interop.rs` (by
//! `#[path]`). So it names only what both can reach: `tokenbridge` (with its re-exported
//! `reqwest` and `url`) and `serde_json`; reqwest's `cookies` feature is not on in the CLI's
//! build, hence the small cookie jar below. Each crate uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tokenbridge::reqwest;
use tokenbridge::reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use tokenbridge::reqwest::redirect::Policy;
use tokenbridge::url::Url;

/// How long the provider may take to print its readiness line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// What provider.js prints on stdout once it listens, followed by the issuer URL.
const READY_PREFIX: &str = "tokenbridge-interop ready ";
/// The account every sign-in logs in as (the login form takes any id); the ID token's `sub`.
pub(crate) const ACCOUNT: &str = "alice";
/// Bounds the login/consent round trips: a provider that redirects in circles fails the test.
const MAX_HOPS: usize = 12;
/// The most of the provider's stderr kept for failure messages.
const STDERR_CAP: usize = 64 * 1024;

/// The redirect URI every test uses. The clients are `native`, so the provider accepts any port
/// on `http://127.0.0.1/callback` (RFC 8252 section 7.3); nothing listens here, because
/// [`Interop::get_code`] reads the final `Location` instead of following it.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:53682/callback";

/// One client registered in provider.js; this table mirrors the one at the top of that script
/// (`every_client_in_the_table_is_registered` checks they agree).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    pub(crate) id: &'static str,
    /// A test secret, never a real one; `None` for the public and private_key_jwt clients.
    pub(crate) secret: Option<&'static str>,
    /// The registered `token_endpoint_auth_method`.
    pub(crate) auth_method: &'static str,
}

pub(crate) const BASIC: Client = Client {
    id: "tb-basic",
    secret: Some("tb-basic-secret"),
    auth_method: "client_secret_basic",
};
pub(crate) const POST: Client = Client {
    id: "tb-post",
    secret: Some("tb-post-secret"),
    auth_method: "client_secret_post",
};
/// PKCE (S256) is required for this one.
pub(crate) const PUBLIC: Client = Client {
    id: "tb-public",
    secret: None,
    auth_method: "none",
};
/// RFC 6749 section 2.3.1 form-encodes id and secret before base64; these hold `:`, `+`, `/`,
/// `%` and a space, so a client that skips the encoding is refused.
pub(crate) const WEIRD: Client = Client {
    id: "weird:client id+/%",
    secret: Some("s3cret:+/% x y"),
    auth_method: "client_secret_basic",
};
/// For the JWT client authentication being written; an HS256 key needs at least 32 bytes.
pub(crate) const SECRET_JWT: Client = Client {
    id: "tb-secret-jwt",
    secret: Some("tb-secret-jwt-secret-0123456789abcdef"),
    auth_method: "client_secret_jwt",
};
/// Signs with [`private_key_jwt_pem`]; the provider holds the public half.
pub(crate) const PRIVATE_KEY_JWT: Client = Client {
    id: "tb-private-key-jwt",
    secret: None,
    auth_method: "private_key_jwt",
};
/// Also allowed the device code grant (RFC 8628).
pub(crate) const DEVICE: Client = Client {
    id: "tb-device",
    secret: Some("tb-device-secret"),
    auth_method: "client_secret_basic",
};
/// Every client provider.js registers.
pub(crate) const CLIENTS: [Client; 7] = [
    BASIC,
    POST,
    PUBLIC,
    WEIRD,
    SECRET_JWT,
    PRIVATE_KEY_JWT,
    DEVICE,
];

/// The directory holding package.json and provider.js: `tests/interop` of the workspace,
/// found from the including crate's directory (the workspace root, or a crate below it).
fn interop_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("tests").join("interop"))
        .find(|dir| dir.join("provider.js").is_file())
        .unwrap_or_else(|| manifest.join("tests").join("interop"))
}

/// The RSA private key (PKCS#8 PEM) of the `private_key_jwt` client: a test key, committed.
pub(crate) fn private_key_jwt_pem() -> PathBuf {
    interop_dir()
        .join("keys")
        .join("private_key_jwt_client.pem")
}

/// The `node` to run: `TOKENBRIDGE_NODE` if set, else `node` from `PATH`.
fn node_program() -> String {
    std::env::var("TOKENBRIDGE_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// Why the provider cannot run here, if it cannot.
fn missing_prerequisite(node: &str) -> Option<String> {
    match Command::new(node).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return Some(format!(
                "`{node} --version` failed ({}); install Node.js 18 or newer",
                out.status
            ))
        }
        Err(e) => {
            return Some(format!(
                "cannot run `{node}` ({e}); install Node.js 18 or newer, or set TOKENBRIDGE_NODE"
            ))
        }
    }
    let package = interop_dir().join("node_modules").join("oidc-provider");
    if !package.join("package.json").is_file() {
        return Some(format!(
            "{} is missing; run `npm ci --prefix tests/interop` first",
            package.display()
        ));
    }
    None
}

/// A running oidc-provider. Dropping it kills the process (by its id) and reaps it.
#[derive(Debug)]
pub(crate) struct Interop {
    child: Child,
    /// Held open so provider.js (started with --exit-on-stdin-close) exits if this test process
    /// dies without running `Drop`.
    _stdin: Option<ChildStdin>,
    issuer: String,
    stderr: Arc<Mutex<String>>,
    started_in: Duration,
}

impl Interop {
    /// Starts a provider for `test`.
    ///
    /// A test that calls this is marked `#[cfg_attr(tokenbridge_no_interop, ignore = ...)]`,
    /// so it only runs where the build found Node.js and the npm package (or where CI requires
    /// them); a missing prerequisite here is a failure, never a silent pass.
    ///
    /// # Panics
    /// When the provider cannot run, or does not become ready in time.
    pub(crate) fn start(test: &str) -> Self {
        let node = node_program();
        if let Some(reason) = missing_prerequisite(&node) {
            panic!("{test}: the certified OpenID Provider cannot run: {reason}");
        }
        Self::spawn(test, &node)
    }

    fn spawn(test: &str, node: &str) -> Self {
        let begin = Instant::now();
        // Port 0: provider.js binds a free port itself and reports the issuer, so two tests
        // never race for a port the harness picked.
        let mut child = Command::new(node)
            .arg("provider.js")
            .arg("0")
            .arg("--exit-on-stdin-close")
            .current_dir(interop_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: cannot start `{node} provider.js`: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr_pipe = child.stderr.take();

        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = stderr_pipe {
            let sink = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut s) = sink.lock() {
                        if s.len() < STDERR_CAP {
                            s.push_str(&String::from_utf8_lossy(&buf[..n]));
                        }
                    }
                }
            });
        }

        // Every stdout line is read, also after readiness, so the child never blocks on a full
        // pipe; oidc-provider prints its own notices there too, hence the prefix.
        let (ready_tx, ready_rx) = mpsc::channel::<String>();
        if let Some(pipe) = stdout {
            thread::spawn(move || {
                let mut ready_tx = Some(ready_tx);
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(issuer) = line.strip_prefix(READY_PREFIX) {
                        if let Some(tx) = ready_tx.take() {
                            let _ = tx.send(issuer.trim().to_owned());
                        }
                    }
                }
            });
        }

        let mut interop = Self {
            child,
            _stdin: stdin,
            issuer: String::new(),
            stderr,
            started_in: Duration::ZERO,
        };
        match ready_rx.recv_timeout(READY_TIMEOUT) {
            Ok(issuer) => interop.issuer = issuer,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "{test}: the provider printed no readiness line within {READY_TIMEOUT:?}; its stderr:\n{}",
                interop.stderr_text()
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // stdout closed: the process exited; give the stderr reader a moment to finish.
                let status = interop.child.wait();
                thread::sleep(Duration::from_millis(100));
                panic!(
                    "{test}: the provider exited before it was ready ({status:?}); its stderr:\n{}",
                    interop.stderr_text()
                )
            }
        }
        interop.started_in = begin.elapsed();
        interop
    }

    /// The issuer URL (`http://127.0.0.1:<port>`, no trailing slash), as the provider
    /// publishes it in its discovery document.
    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// How long the provider took to start.
    pub(crate) fn started_in(&self) -> Duration {
        self.started_in
    }

    /// What the provider wrote on stderr so far, for failure messages.
    pub(crate) fn stderr_text(&self) -> String {
        self.stderr
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|_| "(stderr buffer poisoned)".to_owned())
    }

    /// Signs in as an account, consents, and returns the authorization code the provider
    /// redirects to `redirect_uri` with.
    ///
    /// # Panics
    /// When the provider refuses the request or the flow does not end at `redirect_uri`.
    pub(crate) async fn get_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scopes: &str,
        pkce_challenge: Option<&str>,
        state: &str,
        nonce: &str,
    ) -> String {
        match self
            .try_get_code(
                client_id,
                redirect_uri,
                scopes,
                pkce_challenge,
                state,
                nonce,
            )
            .await
        {
            Ok(code) => code,
            Err(e) => panic!("getting a code for {client_id:?}: {e}"),
        }
    }

    /// [`Interop::get_code`], with the provider's refusal (the `error` and `error_description`
    /// it redirected back with, or the status of an error page) as `Err`.
    pub(crate) async fn try_get_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        scopes: &str,
        pkce_challenge: Option<&str>,
        state: &str,
        nonce: &str,
    ) -> Result<String, String> {
        let discovery = self.discovery().await?;
        let authorization_endpoint = discovery["authorization_endpoint"]
            .as_str()
            .ok_or("the discovery document has no authorization_endpoint")?;
        let mut url = Url::parse(authorization_endpoint)
            .map_err(|e| format!("bad authorization_endpoint {authorization_endpoint:?}: {e}"))?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", scopes)
                .append_pair("state", state)
                .append_pair("nonce", nonce);
            if let Some(challenge) = pkce_challenge {
                query
                    .append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        let location = self.authorize(&url, redirect_uri).await?;
        self.code_from_callback(&location, state)
    }

    /// Drives a ready authorization URL (built by the test, or by the library or the CLI
    /// under test) like a browser with a fresh cookie jar: `GET` it, sign in as `alice` on the
    /// login page, accept the consent page, follow the provider's redirects, and stop at the
    /// first redirect to `redirect_uri` (scheme, host, port and path), which is returned
    /// whole, `code`, `state`, `iss` or `error` included, and not followed.
    pub(crate) async fn authorize(
        &self,
        authorization_url: &Url,
        redirect_uri: &str,
    ) -> Result<Url, String> {
        let callback = Url::parse(redirect_uri)
            .map_err(|e| format!("bad redirect_uri {redirect_uri:?}: {e}"))?;
        let browser = Browser::new();
        let mut location = self
            .redirect_from(&browser, Step::Get, authorization_url)
            .await?;
        for _ in 0..MAX_HOPS {
            if same_endpoint(&location, &callback) {
                return Ok(location);
            }
            if location.path().starts_with("/interaction/") {
                location = self.submit_interaction(&browser, &location).await?;
            } else {
                location = self.redirect_from(&browser, Step::Get, &location).await?;
            }
        }
        Err(format!(
            "no redirect to {redirect_uri} after {MAX_HOPS} hops; last: {}",
            location.path()
        ))
    }

    /// The provider's discovery document, fetched directly (not through the library).
    pub(crate) async fn discovery(&self) -> Result<serde_json::Value, String> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let response = Browser::new()
            .send(
                Step::Get,
                &Url::parse(&url).map_err(|e| format!("{url}: {e}"))?,
            )
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {url}: HTTP {status}"));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: not JSON: {e}"))
    }

    /// Plays the user of a device login (RFC 8628 section 3.3) on the provider's own pages,
    /// with a fresh cookie jar: opens `verification_uri`, enters `user_code`, and on the
    /// confirmation page either confirms (then signs in as `alice` and consents, as in
    /// [`Interop::authorize`]) or aborts. Returns the text of the last page.
    pub(crate) async fn decide_device_login(
        &self,
        verification_uri: &str,
        user_code: &str,
        approve: bool,
    ) -> Result<String, String> {
        let browser = Browser::new();
        let page_url = Url::parse(verification_uri)
            .map_err(|e| format!("bad verification_uri {verification_uri:?}: {e}"))?;
        let page = self.page(&browser, Step::Get, &page_url).await?;
        let action = attribute(&page, "action")
            .ok_or_else(|| format!("no form action on the device page: {}", snippet(&page)))?;
        let target = page_url
            .join(&action)
            .map_err(|e| format!("bad form action {action:?}: {e}"))?;
        let xsrf = field_value(&page, "xsrf")
            .ok_or_else(|| format!("no xsrf field on the device page: {}", snippet(&page)))?;
        let form = [("xsrf", xsrf.as_str()), ("user_code", user_code)];
        let confirm = self.page(&browser, Step::Post(&form), &target).await?;
        if !confirm.contains(&format!("value=\"{user_code}\"")) {
            return Err(format!(
                "the confirmation page does not show the code: {}",
                snippet(&confirm)
            ));
        }
        let xsrf = field_value(&confirm, "xsrf").ok_or_else(|| {
            format!(
                "no xsrf field on the confirmation page: {}",
                snippet(&confirm)
            )
        })?;
        let decision = if approve { "confirm" } else { "abort" };
        let form = [
            ("xsrf", xsrf.as_str()),
            ("user_code", user_code),
            (decision, "yes"),
        ];
        let mut response = browser.send(Step::Post(&form), &target).await?;
        let mut url = target;
        for _ in 0..MAX_HOPS {
            let status = response.status();
            if !status.is_redirection() {
                let body = response.text().await.unwrap_or_default();
                return if status == reqwest::StatusCode::OK {
                    Ok(body)
                } else {
                    Err(format!(
                        "{}: HTTP {status}: {}{}",
                        url.path(),
                        snippet(&body),
                        self.stderr_hint()
                    ))
                };
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{}: HTTP {status} without a Location", url.path()))?;
            url = url
                .join(location)
                .map_err(|e| format!("{}: bad Location: {e}", url.path()))?;
            if url.path().starts_with("/interaction/") {
                url = self.submit_interaction(&browser, &url).await?;
            }
            response = browser.send(Step::Get, &url).await?;
        }
        Err(format!(
            "the device login did not end after {MAX_HOPS} hops"
        ))
    }

    /// Sends one request and returns its page, which must be a 200.
    async fn page(&self, browser: &Browser, step: Step<'_>, url: &Url) -> Result<String, String> {
        let response = browser.send(step, url).await?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| format!("{}: {e}", url.path()))?;
        if status != reqwest::StatusCode::OK {
            return Err(format!(
                "{}: HTTP {status}: {}{}",
                url.path(),
                snippet(&body),
                self.stderr_hint()
            ));
        }
        Ok(body)
    }

    /// Reads the interaction page, fills in its form like a user would (any account id for the
    /// login, accept for the consent) and returns where the provider redirects next.
    async fn submit_interaction(&self, browser: &Browser, page_url: &Url) -> Result<Url, String> {
        let response = browser.send(Step::Get, page_url).await?;
        let status = response.status();
        let page = response
            .text()
            .await
            .map_err(|e| format!("GET {}: {e}", page_url.path()))?;
        if status != reqwest::StatusCode::OK {
            return Err(format!(
                "GET {}: HTTP {status}: {}{}",
                page_url.path(),
                snippet(&page),
                self.stderr_hint()
            ));
        }
        let prompt = attribute(&page, "data-prompt")
            .ok_or_else(|| format!("no data-prompt in the interaction page: {}", snippet(&page)))?;
        let action = attribute(&page, "action")
            .ok_or_else(|| format!("no form action in the interaction page: {}", snippet(&page)))?;
        let target = page_url
            .join(&action)
            .map_err(|e| format!("bad form action {action:?}: {e}"))?;
        let form: &[(&str, &str)] = match prompt.as_str() {
            "login" => &[("login", ACCOUNT)],
            "consent" => &[],
            other => return Err(format!("unexpected interaction prompt {other:?}")),
        };
        self.redirect_from(browser, Step::Post(form), &target).await
    }

    /// Sends `request` and returns its redirect target, resolved against `url`.
    async fn redirect_from(
        &self,
        browser: &Browser,
        step: Step<'_>,
        url: &Url,
    ) -> Result<Url, String> {
        let response = browser.send(step, url).await?;
        let status = response.status();
        if !status.is_redirection() {
            let body = response.text().await.unwrap_or_default();
            return Err(format!(
                "{}: expected a redirect, got HTTP {status}: {}{}",
                url.path(),
                snippet(&body),
                self.stderr_hint()
            ));
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("{}: HTTP {status} without a Location", url.path()))?;
        url.join(location)
            .map_err(|e| format!("{}: bad Location: {e}", url.path()))
    }

    /// The code from the final redirect, after checking `state` and `iss` (RFC 9207), or the
    /// authorization error the provider sent instead.
    fn code_from_callback(&self, location: &Url, state: &str) -> Result<String, String> {
        let param = |name: &str| {
            location
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(error) = param("error") {
            return Err(format!(
                "the provider refused the authorization request: {error}: {}",
                param("error_description").unwrap_or_default()
            ));
        }
        if param("state").as_deref() != Some(state) {
            return Err(format!(
                "the callback carries state {:?}, not {state:?}",
                param("state")
            ));
        }
        if param("iss").as_deref() != Some(self.issuer.as_str()) {
            return Err(format!(
                "the callback carries iss {:?}, not {:?}",
                param("iss"),
                self.issuer
            ));
        }
        param("code").ok_or_else(|| "the callback carries no code".to_owned())
    }

    fn stderr_hint(&self) -> String {
        let text = self.stderr_text();
        if text.trim().is_empty() {
            String::new()
        } else {
            format!("\nprovider stderr:\n{}", snippet(&text))
        }
    }
}

impl Drop for Interop {
    fn drop(&mut self) {
        // Child::kill signals this exact process id (SIGKILL on Unix); wait reaps it so no
        // zombie remains. Both fail harmlessly if it already exited.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request of a sign-in: a `GET`, or a `POST` of a form.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Get,
    Post(&'a [(&'a str, &'a str)]),
}

/// A cookie kept by [`Browser`]: enough of RFC 6265 for oidc-provider's interaction and
/// session cookies (name, value, path; a cleared cookie is removed).
#[derive(Debug, Clone)]
struct Cookie {
    name: String,
    value: String,
    path: String,
}

/// A browser for one sign-in: no proxy (loopback only), no automatic redirects (each hop is
/// checked), and its own cookie jar, so every sign-in starts logged out.
#[derive(Debug)]
struct Browser {
    http: reqwest::Client,
    jar: Mutex<Vec<Cookie>>,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|e| panic!("cannot build the test HTTP client: {e}"));
        Self {
            http,
            jar: Mutex::new(Vec::new()),
        }
    }

    /// Sends one request with the cookies that apply to `url`, and keeps the ones it sets.
    async fn send(&self, step: Step<'_>, url: &Url) -> Result<reqwest::Response, String> {
        let (method, request) = match step {
            Step::Get => ("GET", self.http.get(url.clone())),
            Step::Post(form) => ("POST", self.http.post(url.clone()).form(form)),
        };
        let cookies = self.cookie_header(url);
        let request = if cookies.is_empty() {
            request
        } else {
            request.header(COOKIE, cookies)
        };
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {}: {e}", url.path()))?;
        let set: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        for header in set {
            self.store(url, &header);
        }
        Ok(response)
    }

    fn cookie_header(&self, url: &Url) -> String {
        let jar = self.jar.lock().unwrap_or_else(|p| p.into_inner());
        jar.iter()
            .filter(|c| path_matches(url.path(), &c.path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn store(&self, url: &Url, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        let mut path = None;
        let mut cleared = value.is_empty();
        for attribute in parts {
            let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
            let (key, val) = (key.trim().to_ascii_lowercase(), val.trim());
            match key.as_str() {
                "path" if val.starts_with('/') => path = Some(val.to_owned()),
                "max-age" if val.parse::<i64>().is_ok_and(|n| n <= 0) => cleared = true,
                "expires" if val.contains("1970") => cleared = true,
                _ => {}
            }
        }
        // RFC 6265 5.1.4: without a Path, the directory of the request's path.
        let path = path.unwrap_or_else(|| match url.path().rfind('/') {
            Some(0) | None => "/".to_owned(),
            Some(i) => url.path()[..i].to_owned(),
        });
        let mut jar = self.jar.lock().unwrap_or_else(|p| p.into_inner());
        jar.retain(|c| !(c.name == name && c.path == path));
        if !cleared {
            jar.push(Cookie { name, value, path });
        }
    }
}

/// RFC 6265 5.1.4 path matching.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie)
            && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

/// Whether `a` is the endpoint `b` names: scheme, host, port and path.
fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// The value of the first `name="..."` attribute in `html` (our own page, so no HTML parser).
fn attribute(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned())
}

/// The `value` of the form field called `name` in `html` (`name="..." value="..."`).
fn field_value(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\""))?;
    attribute(&html[start..], "value")
}

/// The start of a body, for failure messages.
fn snippet(text: &str) -> String {
    text.chars().take(600).collect()
}
