//! The `tokenbridge` binary against a real OpenID Provider: panva's `oidc-provider`, started
//! per test by the workspace's interop harness (tests/interop_support, see docs/interop.md).
//! `tokenbridge login --no-browser` prints its URL; the test drives the provider's login and
//! consent pages over HTTP like a browser and delivers the provider's redirect to the login's
//! loopback listener; the printed TokenSet is then used with `verify-id-token`, `userinfo`,
//! `revoke` and `exchange`.
//!
//! Without Node or `tests/interop/node_modules` each test is reported as ignored with the
//! reason; with `CI` set (or `TOKENBRIDGE_INTEROP=required`) it runs and fails instead.

#[path = "../../../tests/interop_support/mod.rs"]
mod interop_support;

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::login::{LoginProcess, Process};
use common::{run_command, ConfigFile, Run};
use interop_support::{Client, Interop, ACCOUNT, BASIC, DEVICE, PUBLIC};
use serde_json::Value;
use tokenbridge::reqwest;
use tokenbridge::url::Url;

const REDACTED: &str = "[redacted]";
const SCOPES: &str = "openid email profile";

/// Starts the provider (the test is ignored, by its attribute, where it cannot run here).
macro_rules! provider {
    ($test:literal) => {
        Interop::start($test)
    };
}

/// `[providers.corp]`: the `oidc` kind with only the issuer (discovery does the rest).
fn config_for_client(op: &Interop, client: &Client, secret: Option<&str>) -> ConfigFile {
    config_for_client_with(op, client, secret, "")
}

/// [`config_for_client`] with more lines for the table (`par = true`, ...).
fn config_for_client_with(
    op: &Interop,
    client: &Client,
    secret: Option<&str>,
    extra: &str,
) -> ConfigFile {
    let mut text = format!(
        "[providers.corp]\nkind = \"oidc\"\nissuer = {:?}\nclient_id = {:?}\nauth_method = {:?}\n",
        op.issuer(),
        client.id,
        client.auth_method
    );
    if let Some(secret) = secret {
        text.push_str(&format!("client_secret = {secret:?}\n"));
    }
    text.push_str(extra);
    ConfigFile::toml(&text)
}

/// `tokenbridge SUBCOMMAND --config FILE --provider corp REST`, its output piped.
fn command(config: &ConfigFile, subcommand: &str, rest: &[&str]) -> Command {
    let mut all = vec![subcommand, "--config", config.path(), "--provider", "corp"];
    all.extend_from_slice(rest);
    let mut command = common::command(&all, &[]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A running `tokenbridge login --no-browser` and the redirect URI it was given (a pushed
/// authorization request leaves it out of the URL).
struct Login {
    process: LoginProcess,
    redirect_uri: String,
}

impl Login {
    /// Starts the login on a free loopback port and reads the URL it prints on stderr.
    async fn start(config: &ConfigFile, extra: &[&str]) -> Self {
        let redirect_uri = format!("http://127.0.0.1:{}/callback", free_port());
        let mut args = vec![
            "--no-browser",
            "--redirect-uri",
            &redirect_uri,
            "--scope",
            SCOPES,
            "--timeout",
            "60",
        ];
        args.extend_from_slice(extra);
        let process = LoginProcess::spawn(command(config, "login", &args)).await;
        Self {
            process,
            redirect_uri,
        }
    }

    /// Signs in on the provider's pages and delivers its redirect to the login's listener,
    /// as the browser would: the listener's HTTP status and page.
    async fn sign_in(&self, op: &Interop) -> (u16, String) {
        let callback = op
            .authorize(&self.process.url, &self.redirect_uri)
            .await
            .unwrap_or_else(|e| panic!("driving the provider's pages: {e}"));
        assert_eq!(param(&callback, "iss").as_deref(), Some(op.issuer()));
        let response = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client")
            .get(callback)
            .send()
            .await
            .expect("delivering the callback to the login's listener");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Waits for the process to end: its exit code, stdout and the rest of stderr.
    async fn finish(self) -> (Run, Duration) {
        self.process.finish_timed().await
    }
}

/// `login --no-browser --reveal` with a confidential client (client_secret_basic, PKCE), then
/// the printed tokens through `verify-id-token`, `userinfo`, `revoke` and `exchange`.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_signs_in_against_the_real_provider() {
    let op = provider!("login_signs_in_against_the_real_provider");
    let config = config_for_client(&op, &BASIC, BASIC.secret);
    let login = Login::start(&config, &["--reveal"]).await;
    let url = login.process.url.clone();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/auth", op.issuer()).as_str())
    );
    assert_eq!(param(&url, "client_id").as_deref(), Some(BASIC.id));
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some(login.redirect_uri.as_str())
    );
    assert_eq!(param(&url, "scope").as_deref(), Some(SCOPES));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let nonce = param(&url, "nonce").expect("a nonce: openid was asked for");

    let (status, page) = login.sign_in(&op).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Signed in"), "{page}");
    let (login_run, elapsed) = login.finish().await;
    assert_eq!(login_run.code, 0, "{login_run:?}");
    eprintln!(
        "login took {elapsed:?} (provider started in {:?})",
        op.started_in()
    );

    let tokens = login_run.json();
    assert_eq!(tokens["provider"], "corp", "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer", "{tokens}");
    assert_eq!(tokens["expires_in"], 3600, "{tokens}");
    for scope in SCOPES.split(' ') {
        assert!(
            tokens["scope"]
                .as_array()
                .is_some_and(|s| s.iter().any(|v| v == scope)),
            "scope {scope}: {tokens}"
        );
    }
    let secret = |name: &str| -> String {
        let value = tokens[name].as_str().unwrap_or_default().to_owned();
        assert!(!value.is_empty() && value != REDACTED, "{name}: {tokens}");
        value
    };
    let (access_token, refresh_token, id_token) = (
        secret("access_token"),
        secret("refresh_token"),
        secret("id_token"),
    );
    let identity = &tokens["identity"];
    assert_eq!(identity["issuer"], op.issuer(), "{tokens}");
    assert_eq!(identity["subject"], ACCOUNT, "{tokens}");
    assert_eq!(identity["claims"]["sub"], ACCOUNT, "{tokens}");
    assert_eq!(identity["claims"]["aud"], BASIC.id, "{tokens}");
    assert_eq!(identity["claims"]["nonce"], nonce.as_str(), "{tokens}");

    // verify-id-token: the login's nonce passes, another fails with exit 3 naming the check.
    let verified = run_ok(command(
        &config,
        "verify-id-token",
        &["--nonce", &nonce, &id_token],
    ))
    .await;
    assert_eq!(verified["issuer"], op.issuer(), "{verified}");
    assert_eq!(verified["subject"], ACCOUNT, "{verified}");
    assert_eq!(
        verified["audience"],
        serde_json::json!([BASIC.id]),
        "{verified}"
    );
    let refused = run_command(
        command(
            &config,
            "verify-id-token",
            &["--nonce", "another-nonce", &id_token],
        ),
        None,
    )
    .await;
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(refused.stderr.contains("(nonce)"), "{refused:?}");
    assert!(!refused.stderr.contains(&id_token), "{refused:?}");

    // userinfo: the same subject, normalized.
    let who = run_ok_with_stdin(
        command(&config, "userinfo", &["--access-token", "-"]),
        &access_token,
    )
    .await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");
    assert_eq!(who["email"], "alice@example.test", "{who}");
    assert_eq!(who["email_verified"], true, "{who}");

    // revoke the refresh token; refreshing with it is then refused (exit 3, invalid_grant).
    let revoked = run_command(
        command(
            &config,
            "revoke",
            &["--token", "-", "--token-type-hint", "refresh_token"],
        ),
        Some(&refresh_token),
    )
    .await;
    assert_eq!(revoked.code, 0, "{revoked:?}");
    let refresh = run_command(
        command(&config, "exchange", &["--refresh-token", &refresh_token]),
        None,
    )
    .await;
    assert_eq!(refresh.code, 3, "{refresh:?}");
    assert!(refresh.stderr.contains("invalid_grant"), "{refresh:?}");
    assert!(!refresh.stderr.contains(&refresh_token), "{refresh:?}");
}

async fn run_ok(command: Command) -> Value {
    let run = run_command(command, None).await;
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
}

async fn run_ok_with_stdin(command: Command, stdin: &str) -> Value {
    let run = run_command(command, Some(stdin)).await;
    assert_eq!(run.code, 0, "{run:?}");
    run.json()
}

/// A public client (PKCE required by the provider): secrets are redacted by default, and the
/// identity is still shown.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_public_client_redacts_the_tokens() {
    let op = provider!("login_with_a_public_client_redacts_the_tokens");
    let config = config_for_client(&op, &PUBLIC, None);
    let login = Login::start(&config, &[]).await;
    let (status, page) = login.sign_in(&op).await;
    assert_eq!(status, 200, "{page}");
    let (run, _) = login.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens = run.json();
    for name in ["access_token", "refresh_token", "id_token"] {
        assert_eq!(tokens[name], REDACTED, "{name}: {tokens}");
    }
    assert_eq!(tokens["identity"]["issuer"], op.issuer(), "{tokens}");
    assert_eq!(tokens["identity"]["subject"], ACCOUNT, "{tokens}");
    assert_eq!(tokens["identity"]["claims"]["aud"], PUBLIC.id, "{tokens}");
}

/// The provider refuses the client: the login exits 3 naming `invalid_client`, tells the
/// browser it failed, prints nothing on stdout and never echoes the secret.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_wrong_secret_exits_3() {
    let op = provider!("login_with_a_wrong_secret_exits_3");
    let wrong = "wrong-secret-ZX81";
    let config = config_for_client(&op, &BASIC, Some(wrong));
    let login = Login::start(&config, &[]).await;
    let (status, page) = login.sign_in(&op).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Sign-in failed"), "{page}");
    let (run, _) = login.finish().await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("invalid_client"), "{run:?}");
    assert!(!run.stderr.contains(wrong), "{run:?}");
    assert!(!page.contains(wrong), "{page}");
}

/// A temporary file path, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(what: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Self(std::env::temp_dir().join(format!(
            "tokenbridge-cli-interop-{what}-{}-{}.json",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )))
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A running `tokenbridge login --device`: the verification URI and user code it printed.
struct DeviceLogin {
    process: Process,
    first_lines: Vec<String>,
    verification_uri: String,
    user_code: String,
}

const DEVICE_LINE: &str = "To sign in, open ";

impl DeviceLogin {
    async fn start(config: &ConfigFile, extra: &[&str]) -> Self {
        let mut args = vec!["--device"];
        args.extend_from_slice(extra);
        let mut process = Process::spawn(command(config, "login", &args));
        let first = process.stderr_line(Duration::from_secs(20)).await;
        let second = process.stderr_line(Duration::from_secs(5)).await;
        let lines: Vec<String> = [first, second].into_iter().flatten().collect();
        let first = lines.first().cloned().unwrap_or_default();
        let rest = first
            .strip_prefix(DEVICE_LINE)
            .unwrap_or_else(|| panic!("the first stderr line is not the device line: {lines:?}"));
        let (uri, code) = rest
            .split_once(" and enter the code ")
            .unwrap_or_else(|| panic!("no user code in {first:?}"));
        Self {
            process,
            verification_uri: uri.to_owned(),
            user_code: code.to_owned(),
            first_lines: lines,
        }
    }

    /// Waits for the process to end; stderr with the lines read at the start.
    async fn finish(self) -> Run {
        let (mut run, _) = self.process.finish().await;
        run.stderr = format!("{}\n{}", self.first_lines.join("\n"), run.stderr);
        run
    }
}

/// `login --device` with DPoP and a session file: the user approves on the provider's pages;
/// then `token --session` refreshes with the session's key, `userinfo --tokens` proves
/// possession with it, the token alone is refused, and `introspect` sees it bound.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_device_with_dpop_and_a_session() {
    let op = provider!("login_device_with_dpop_and_a_session");
    let config = config_for_client_with(&op, &DEVICE, DEVICE.secret, "dpop = true\n");
    let session = TempFile::new("device-session");
    let login = DeviceLogin::start(
        &config,
        &["--scope", SCOPES, "--reveal", "--session", session.path()],
    )
    .await;
    assert_eq!(login.verification_uri, format!("{}/device", op.issuer()));
    let or_open = login.first_lines.get(1).cloned().unwrap_or_default();
    assert!(
        or_open.starts_with(&format!("Or open: {}/device?user_code=", op.issuer())),
        "{:?}",
        login.first_lines
    );
    let page = op
        .decide_device_login(&login.verification_uri, &login.user_code, true)
        .await
        .expect("approving on the provider's pages");
    assert!(page.contains("device signed in"), "{page}");
    let run = login.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens = run.json();
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    assert_eq!(tokens["identity"]["subject"], ACCOUNT, "{tokens}");
    assert_eq!(tokens["identity"]["issuer"], op.issuer(), "{tokens}");
    assert_eq!(tokens["dpop_key"]["alg"], "ES256", "{tokens}");
    let access_token = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // The session file keeps the key: userinfo proves possession with it.
    let who = run_ok(command(&config, "userinfo", &["--tokens", session.path()])).await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");
    // The token alone, as a Bearer token, is refused.
    let refused = run_command(
        command(&config, "userinfo", &["--access-token", "-"]),
        Some(&access_token),
    )
    .await;
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(!refused.stderr.contains(&access_token), "{refused:?}");

    // introspect sees the binding.
    let answer = run_ok_with_stdin(
        command(&config, "introspect", &["--token", "-"]),
        &access_token,
    )
    .await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["token_type"], "DPoP", "{answer}");
    assert_eq!(
        answer["cnf"]["jkt"].as_str().map(str::len),
        Some(43),
        "{answer}"
    );

    // token --session refreshes (the token expires within --min-valid) with the same key.
    let fresh = run_command(
        command(
            &config,
            "token",
            &["--session", session.path(), "--min-valid", "999999"],
        ),
        None,
    )
    .await;
    assert_eq!(fresh.code, 0, "{fresh:?}");
    let renewed = fresh.stdout.trim().to_owned();
    assert!(!renewed.is_empty() && renewed != access_token, "{fresh:?}");
    let who = run_ok(command(&config, "userinfo", &["--tokens", session.path()])).await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");
}

/// `login --device`: the user aborts (exit 3), or nobody approves before --timeout (exit 4);
/// nothing on stdout either way.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_device_refused_exits_3_and_timed_out_exits_4() {
    let op = provider!("login_device_refused_exits_3_and_timed_out_exits_4");
    let config = config_for_client(&op, &DEVICE, DEVICE.secret);
    let login = DeviceLogin::start(&config, &[]).await;
    op.decide_device_login(&login.verification_uri, &login.user_code, false)
        .await
        .expect("aborting on the provider's pages");
    let run = login.finish().await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("access_denied"), "{run:?}");

    let login = DeviceLogin::start(&config, &["--timeout", "1"]).await;
    let run = login.finish().await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("--timeout"), "{run:?}");
}

/// `login` with `par = true` and `dpop = true`: the URL carries only `client_id` and
/// `request_uri` (the DPoP thumbprint is pushed with the rest), the sign-in completes with the
/// same checks, and the tokens are DPoP-bound to the key printed with them.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn login_with_par_and_dpop() {
    let op = provider!("login_with_par_and_dpop");
    let config = config_for_client_with(&op, &BASIC, BASIC.secret, "par = true\ndpop = true\n");
    let login = Login::start(&config, &["--reveal"]).await;
    let names: Vec<String> = login
        .process
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"], "{}", login.process.url);
    let (status, page) = login.sign_in(&op).await;
    assert_eq!(status, 200, "{page}");
    let (run, _) = login.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens = run.json();
    assert_eq!(tokens["identity"]["subject"], ACCOUNT, "{tokens}");
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    assert_eq!(tokens["dpop_key"]["alg"], "ES256", "{tokens}");
    let who = run_ok_with_stdin(
        command(&config, "userinfo", &["--tokens", "-"]),
        &run.stdout,
    )
    .await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");
}

/// `introspect`: exit 0 with the answer while the token is active, 3 (the answer still
/// printed) once it is revoked.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn introspect_exits_0_when_active_and_3_when_not() {
    let op = provider!("introspect_exits_0_when_active_and_3_when_not");
    let config = config_for_client(&op, &BASIC, BASIC.secret);
    let code = op
        .get_code(
            BASIC.id,
            interop_support::REDIRECT_URI,
            SCOPES,
            None,
            "s",
            "n",
        )
        .await;
    let tokens = run_ok(command(
        &config,
        "exchange",
        &[
            "--code",
            &code,
            "--redirect-uri",
            interop_support::REDIRECT_URI,
            "--reveal",
        ],
    ))
    .await;
    let access_token = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let answer = run_ok(command(
        &config,
        "introspect",
        &[
            "--token",
            &access_token,
            "--token-type-hint",
            "access_token",
        ],
    ))
    .await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["client_id"], BASIC.id, "{answer}");
    assert_eq!(answer["sub"], ACCOUNT, "{answer}");
    let revoked = run_command(
        command(&config, "revoke", &["--token", "-"]),
        Some(&access_token),
    )
    .await;
    assert_eq!(revoked.code, 0, "{revoked:?}");
    let run = run_command(
        command(&config, "introspect", &["--token", "-"]),
        Some(&access_token),
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.json()["active"], false, "{run:?}");
    assert!(!run.stderr.contains(&access_token), "{run:?}");
}

/// `exchange` with `dpop = true` prints the key with --reveal; `userinfo --tokens` (a file or
/// standard input) proves possession with it; `exchange --refresh-token` binds the new tokens.
#[cfg_attr(
    tokenbridge_no_interop,
    ignore = "needs Node.js and the certified OpenID Provider: npm ci --prefix tests/interop"
)]
#[tokio::test(flavor = "multi_thread")]
async fn exchange_with_dpop_and_userinfo_with_the_tokens_file() {
    let op = provider!("exchange_with_dpop_and_userinfo_with_the_tokens_file");
    let config = config_for_client_with(&op, &BASIC, BASIC.secret, "dpop = true\n");
    let code = op
        .get_code(
            BASIC.id,
            interop_support::REDIRECT_URI,
            SCOPES,
            None,
            "s",
            "n",
        )
        .await;
    let run = run_command(
        command(
            &config,
            "exchange",
            &[
                "--code",
                &code,
                "--redirect-uri",
                interop_support::REDIRECT_URI,
                "--reveal",
            ],
        ),
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens = run.json();
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    let file = TempFile::new("dpop-tokens");
    std::fs::write(&file.0, &run.stdout).expect("writing the tokens file");
    let who = run_ok(command(&config, "userinfo", &["--tokens", file.path()])).await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");
    let who = run_ok_with_stdin(
        command(&config, "userinfo", &["--tokens", "-"]),
        &run.stdout,
    )
    .await;
    assert_eq!(who["subject"], ACCOUNT, "{who}");

    // Without --reveal the key is redacted like the tokens.
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refreshed = run_command(
        command(&config, "exchange", &["--refresh-token", &refresh_token]),
        None,
    )
    .await;
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
    let refreshed = refreshed.json();
    assert_eq!(refreshed["token_type"], "DPoP", "{refreshed}");
    assert_eq!(refreshed["dpop_key"], REDACTED, "{refreshed}");
}
