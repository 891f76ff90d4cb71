//! The `tokenbridge` binary end to end: every command run as a real process against the
//! testkit's loopback emulators, checking stdout, stderr and the exit code.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokenbridge::adapter::ProviderContext;
use tokenbridge::{AuthMethod, Config, Protocol, Registry};
use tokenbridge_testkit::genauth::{
    self, envelope_error, GenAuthEmulator, CONTROL_QRCODES_PATH, CONTROL_QRCODE_PREFIX,
    DEMO_APP_ID, DEMO_APP_SECRET, TICKET_INVALID,
};
use tokenbridge_testkit::huawei_oneaccess::{self, HuaweiOneAccessEmulator, OneAccessOptions};
use tokenbridge_testkit::oidc::s256;
use tokenbridge_testkit::tencent_ciam::{self, TencentCiamEmulator};
use tokenbridge_testkit::{
    any_loopback_port, ClientRegistration, OidcEmulator, Profile, RecordedRequest, Reply,
};

mod common;

use common::{assert_no_panic, command, run, run_env, ConfigFile, Run, Running};
const REDIRECT: &str = "http://127.0.0.1/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ0-3cbB1k9Vq8sBGo4hSB0-Ie9KqW_0aQp";
const REDACTED: &str = "[redacted]";

// ---------------------------------------------------------------------------------------------
// Running the binary

fn genauth_config(base: &str, extra: &str) -> ConfigFile {
    ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"genauth\"\nbase_url = \"{base}\"\nclient_id = \"{DEMO_APP_ID}\"\nclient_secret = \"{DEMO_APP_SECRET}\"\n{extra}"
    ))
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP to the emulators (authorize redirects, control routes)

#[derive(Debug)]
struct HttpReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl HttpReply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// One HTTP/1.1 request over a plain socket; the emulators only listen on loopback.
fn http_blocking(method: &str, url: &str) -> HttpReply {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    HttpReply {
        status: status.parse().unwrap(),
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect(),
        body: body.to_owned(),
    }
}

async fn http(method: &str, url: &str) -> HttpReply {
    let (method, url) = (method.to_owned(), url.to_owned());
    tokio::task::spawn_blocking(move || http_blocking(&method, &url))
        .await
        .unwrap()
}

/// Follows an authorize URL the way a browser would start to, and takes the code from the
/// redirect.
async fn code_from_authorize(url: &str) -> String {
    let reply = http("GET", url).await;
    assert_eq!(reply.status, 302, "{reply:?}");
    let location = reply.header("location").unwrap();
    let (target, query) = location.split_once('?').unwrap();
    assert_eq!(target, REDIRECT);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .unwrap()
        .to_owned()
}

/// Polls `check` every 20 ms until it gives a value, for at most 10 s.
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The TokenSet JSON contract

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Seconds since the epoch of an RFC 3339 UTC timestamp as the CLI writes it
/// (`2026-01-02T03:04:05Z`).
fn rfc3339_secs(text: &str) -> u64 {
    let b = text.as_bytes();
    assert!(
        b.len() == 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z',
        "not RFC 3339 UTC: {text}"
    );
    let n = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from the civil date (proleptic Gregorian), as in Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)).unwrap()
}

const SECRET_KEYS: [&str; 3] = ["access_token", "refresh_token", "id_token"];

/// Runs `tokenbridge exchange` and checks the whole JSON object against `expected`, which is
/// written with every secret redacted and without `expires_at`: that must be the run's time
/// plus `expires_in` (or null with it). With `--reveal`, each secret that `expected` marks
/// present must be a real value. Returns the object as printed.
async fn exchange_ok(args: &[&str], expected: Value) -> Value {
    exchange_ok_env(args, &[], expected).await
}

/// [`exchange_ok`] with environment variables set for the process.
async fn exchange_ok_env(args: &[&str], env: &[(&str, &str)], expected: Value) -> Value {
    let before = now_secs();
    let run = run_env(args, env).await;
    let after = now_secs();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "nothing on stderr when it works");
    let printed = run.json();
    let mut out = printed.clone();
    let object = out.as_object_mut().unwrap();
    let expires_at = object
        .remove("expires_at")
        .expect("expires_at is always present");
    match expected["expires_in"].as_u64() {
        Some(lifetime) => {
            let at = rfc3339_secs(expires_at.as_str().unwrap());
            assert!(
                (before + lifetime..=after + lifetime).contains(&at),
                "expires_at {expires_at} for expires_in {lifetime}"
            );
        }
        None => assert_eq!(expires_at, Value::Null),
    }
    if args.contains(&"--reveal") {
        for key in SECRET_KEYS {
            if let Some(Value::String(value)) = object.get_mut(key) {
                assert!(value.len() > 8 && value != REDACTED, "{key}: {value}");
                *value = REDACTED.to_owned();
            }
        }
    } else {
        for secret in ["demo-secret", "code-", "rt-", "tk-", "eyJ"] {
            assert!(!run.stdout.contains(secret), "{secret} in {}", run.stdout);
        }
    }
    assert_eq!(out, expected, "{}", run.stdout);
    printed
}

/// The expected object with every secret redacted.
fn redacted(
    provider: &str,
    expires_in: Option<u64>,
    refresh: bool,
    id_token: bool,
    scope: &[&str],
) -> Value {
    let secret = |present: bool| {
        if present {
            json!(REDACTED)
        } else {
            Value::Null
        }
    };
    json!({
        "provider": provider,
        "token_type": "Bearer",
        "access_token": REDACTED,
        "expires_in": expires_in,
        "refresh_token": secret(refresh),
        "id_token": secret(id_token),
        "scope": scope,
        "extra": {},
    })
}

/// The claims of a JWT-shaped token (no verification: the emulator's are unsigned).
fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// Checks one recorded form POST: path, content type and the exact body pairs in order.
fn assert_form(request: &RecordedRequest, path: &str, pairs: &[(&str, &str)]) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, path);
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let expected: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(request.form(), expected, "{request:?}");
}

fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// A loopback port where nothing listens.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `exchange --config FILE --provider NAME` followed by `rest`.
fn exchange_args<'a>(config: &'a ConfigFile, provider: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "exchange",
        "--config",
        config.path(),
        "--provider",
        provider,
    ];
    args.extend_from_slice(rest);
    args
}

// ---------------------------------------------------------------------------------------------
// exchange: every vendor, every grant it supports

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genauth_every_grant() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let config = genauth_config(&emulator.base(), "");
    let token_path = genauth::OIDC_TOKEN_PATH;
    let client = [
        ("client_id", DEMO_APP_ID),
        ("client_secret", DEMO_APP_SECRET),
    ];
    let user_tokens = redacted(
        "corp",
        Some(3600),
        true,
        true,
        &["openid", "offline_access", "profile"],
    );

    // Authorization code, revealed: the tokens are the ones the emulator issued. GenAuth
    // returns a refresh token only to a sign-in that asked for offline_access with
    // prompt=consent.
    let code = emulator.issue_offline_code(Protocol::Oidc, DEMO_APP_ID, REDIRECT, None);
    let out = exchange_ok(
        &exchange_args(
            &config,
            "corp",
            &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
        ),
        user_tokens.clone(),
    )
    .await;
    let issuer = format!("{}/oidc", emulator.base());
    let access = claims(out["access_token"].as_str().unwrap());
    assert_eq!(
        (&access["iss"], &access["aud"], &access["sub"]),
        (&json!(issuer), &json!(DEMO_APP_ID), &json!("user-1"))
    );
    assert_eq!(
        claims(out["id_token"].as_str().unwrap())["aud"],
        DEMO_APP_ID
    );
    let requests = emulator.requests_to(token_path);
    assert_eq!(requests.len(), 1);
    assert_form(
        &requests[0],
        token_path,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            client[0],
            client[1],
        ],
    );

    // The revealed refresh token is the real one: it refreshes.
    let refresh_token = out["refresh_token"].as_str().unwrap();
    assert!(refresh_token.starts_with("rt-"));
    emulator.clear_requests();
    exchange_ok(
        &exchange_args(
            &config,
            "corp",
            &["--refresh-token", refresh_token, "--scope", "openid"],
        ),
        redacted("corp", Some(3600), true, true, &["openid"]),
    )
    .await;
    assert_form(
        &emulator.requests_to(token_path)[0],
        token_path,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", "openid"),
            client[0],
            client[1],
        ],
    );

    // Code with PKCE.
    let code =
        emulator.issue_offline_code(Protocol::Oidc, DEMO_APP_ID, REDIRECT, Some(s256(VERIFIER)));
    emulator.clear_requests();
    exchange_ok(
        &exchange_args(
            &config,
            "corp",
            &[
                "--code",
                &code,
                "--redirect-uri",
                REDIRECT,
                "--code-verifier",
                VERIFIER,
            ],
        ),
        user_tokens.clone(),
    )
    .await;
    assert_form(
        &emulator.requests_to(token_path)[0],
        token_path,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            client[0],
            client[1],
        ],
    );

    // Client credentials: no user, so no id token and no refresh token.
    emulator.clear_requests();
    exchange_ok(
        &exchange_args(
            &config,
            "corp",
            &["--client-credentials", "--scope", "read write"],
        ),
        redacted("corp", Some(3600), false, false, &["read", "write"]),
    )
    .await;
    assert_form(
        &emulator.requests_to(token_path)[0],
        token_path,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "read write"),
            client[0],
            client[1],
        ],
    );

    // A QR-login ticket: the V3 exchange, whose `expire_in` and `bearer` come out normalized.
    let ticket = emulator.issue_ticket(DEMO_APP_ID).unwrap();
    emulator.clear_requests();
    exchange_ok(
        &exchange_args(&config, "corp", &["--qr-ticket", &ticket]),
        redacted(
            "corp",
            Some(genauth::V3_EXPIRE_IN),
            true,
            true,
            &["openid", "profile"],
        ),
    )
    .await;
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", genauth::EXCHANGE_TICKET_PATH)
    );
    assert_eq!(request.header("x-authing-app-id"), Some(DEMO_APP_ID));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.json(),
        json!({"ticket": ticket, "client_id": DEMO_APP_ID, "client_secret": DEMO_APP_SECRET})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genauth_oauth_protocol_with_basic_auth() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(genauth::GenAuthApp::new(
        "basic-app",
        "basic-secret",
        AuthMethod::ClientSecretBasic,
    ));
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"genauth\"\nbase_url = \"{}\"\nclient_id = \"basic-app\"\nclient_secret_env = \"CORP_SECRET\"\nauth_method = \"client_secret_basic\"\nprotocol = \"oauth\"\n",
        emulator.base()
    ));
    let code = emulator.issue_code(Protocol::OAuth2, "basic-app", REDIRECT, None);
    let args = exchange_args(
        &config,
        "corp",
        &["--code", &code, "--redirect-uri", REDIRECT],
    );
    // The OAuth 2.0 side: opaque token, no id token, scope `user`; the secret comes from
    // the environment.
    let out = exchange_ok_env(
        &args,
        &[("CORP_SECRET", "basic-secret")],
        redacted("corp", Some(3599), true, false, &["user"]),
    )
    .await;
    assert_eq!(out["expires_in"], 3599);

    let requests = emulator.requests_to(genauth::OAUTH_TOKEN_PATH);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some(basic("basic-app", "basic-secret").as_str())
    );
    assert_form(
        &requests[0],
        genauth::OAUTH_TOKEN_PATH,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_ciam_every_grant() {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{base}\"\nclient_id = \"{id}\"\nclient_secret = \"{secret}\"\n\n[providers.spa]\nkind = \"tencent-ciam\"\nbase_url = \"{base}\"\nclient_id = \"{spa}\"\nauth_method = \"none\"\n",
        base = ciam.base(),
        id = tencent_ciam::DEMO_CLIENT_ID,
        secret = tencent_ciam::DEMO_CLIENT_SECRET,
        spa = tencent_ciam::DEMO_PUBLIC_CLIENT_ID,
    ));
    let path = tencent_ciam::TOKEN_PATH;
    let client = [
        ("client_id", tencent_ciam::DEMO_CLIENT_ID),
        ("client_secret", tencent_ciam::DEMO_CLIENT_SECRET),
    ];
    let lifetime = Some(tencent_ciam::EXPIRES_IN);

    let code = ciam.issue_code(tencent_ciam::DEMO_CLIENT_ID, REDIRECT, None);
    exchange_ok(
        &exchange_args(
            &config,
            "tencent",
            &["--code", &code, "--redirect-uri", REDIRECT],
        ),
        redacted("tencent", lifetime, true, true, &["openid"]),
    )
    .await;
    assert_form(
        &ciam.token_requests()[0],
        path,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            client[0],
            client[1],
        ],
    );

    // Tencent echoes the refresh token: the revealed one is the one sent.
    let refresh_token = ciam.issue_refresh_token(tencent_ciam::DEMO_CLIENT_ID, "openid");
    ciam.clear_requests();
    let out = exchange_ok(
        &exchange_args(
            &config,
            "tencent",
            &["--refresh-token", &refresh_token, "--reveal"],
        ),
        redacted("tencent", lifetime, true, true, &["openid"]),
    )
    .await;
    assert_eq!(out["refresh_token"], refresh_token.as_str());
    assert_form(
        &ciam.token_requests()[0],
        path,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            client[0],
            client[1],
        ],
    );

    ciam.clear_requests();
    exchange_ok(
        &exchange_args(
            &config,
            "tencent",
            &["--client-credentials", "--scope", "api.read"],
        ),
        redacted("tencent", lifetime, false, false, &["api.read"]),
    )
    .await;
    assert_form(
        &ciam.token_requests()[0],
        path,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "api.read"),
            client[0],
            client[1],
        ],
    );

    // The public SPA: PKCE, no secret.
    let code = ciam.issue_code(
        tencent_ciam::DEMO_PUBLIC_CLIENT_ID,
        REDIRECT,
        Some(s256(VERIFIER)),
    );
    ciam.clear_requests();
    exchange_ok(
        &exchange_args(
            &config,
            "spa",
            &[
                "--code",
                &code,
                "--redirect-uri",
                REDIRECT,
                "--code-verifier",
                VERIFIER,
            ],
        ),
        redacted("spa", lifetime, true, true, &["openid"]),
    )
    .await;
    assert_form(
        &ciam.token_requests()[0],
        path,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", tencent_ciam::DEMO_PUBLIC_CLIENT_ID),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huawei_oneaccess_every_grant() {
    let oidc_app = HuaweiOneAccessEmulator::start().await.unwrap();
    let oauth_app =
        HuaweiOneAccessEmulator::start_with(OneAccessOptions::oauth(), any_loopback_port())
            .await
            .unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.huawei]\nkind = \"huawei-oneaccess\"\nbase_url = \"{}\"\nclient_id = \"{id}\"\nclient_secret = \"{secret}\"\n\n[providers.huawei-oauth]\nkind = \"huawei-oneaccess\"\nbase_url = \"{}\"\nclient_id = \"{id}\"\nclient_secret = \"{secret}\"\nprotocol = \"oauth\"\n",
        oidc_app.base(),
        oauth_app.base(),
        id = huawei_oneaccess::DEMO_CLIENT_ID,
        secret = huawei_oneaccess::DEMO_CLIENT_SECRET,
    ));
    let path = huawei_oneaccess::TOKEN_PATH;
    let client = [
        ("client_id", huawei_oneaccess::DEMO_CLIENT_ID),
        ("client_secret", huawei_oneaccess::DEMO_CLIENT_SECRET),
    ];
    let lifetime = Some(huawei_oneaccess::EXPIRES_IN);

    // OIDC application: id token, no refresh token unless the console enables one.
    let code = oidc_app.issue_code(huawei_oneaccess::DEMO_CLIENT_ID, REDIRECT);
    exchange_ok(
        &exchange_args(
            &config,
            "huawei",
            &["--code", &code, "--redirect-uri", REDIRECT],
        ),
        redacted("huawei", lifetime, false, true, &["openid"]),
    )
    .await;
    assert_form(
        &oidc_app.token_requests()[0],
        path,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            client[0],
            client[1],
        ],
    );

    // Refresh rotates the token.
    let refresh_token = oidc_app.issue_refresh_token(huawei_oneaccess::DEMO_CLIENT_ID);
    oidc_app.clear_requests();
    let out = exchange_ok(
        &exchange_args(
            &config,
            "huawei",
            &["--refresh-token", &refresh_token, "--reveal"],
        ),
        redacted("huawei", lifetime, true, true, &["openid"]),
    )
    .await;
    assert_ne!(out["refresh_token"], refresh_token.as_str());
    assert_form(
        &oidc_app.token_requests()[0],
        path,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            client[0],
            client[1],
        ],
    );

    // OAuth 2.0 application: `"expires_in": "7200"` as a string comes out as a number.
    let code = oauth_app.issue_code(huawei_oneaccess::DEMO_CLIENT_ID, REDIRECT);
    exchange_ok(
        &exchange_args(
            &config,
            "huawei-oauth",
            &["--code", &code, "--redirect-uri", REDIRECT],
        ),
        redacted(
            "huawei-oauth",
            lifetime,
            false,
            false,
            &[huawei_oneaccess::OAUTH_SCOPE],
        ),
    )
    .await;
    assert!(oauth_app.token_requests()[0]
        .form()
        .contains(&("code".to_owned(), code.clone())));

    // OneAccess has no client credentials grant: refused before anything is sent.
    oidc_app.clear_requests();
    let run = run(&exchange_args(&config, "huawei", &["--client-credentials"])).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.error_line(),
        "tokenbridge: provider \"huawei\" does not support the client_credentials grant; supported: authorization_code, refresh_token"
    );
    assert!(oidc_app.requests().is_empty());
}

/// The standard provider with the demo client, as `tokenbridge emulate` runs it.
async fn oidc_emulator() -> OidcEmulator {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator
        .provider()
        .register_client(ClientRegistration::confidential(
            "demo-app",
            "demo-secret",
            AuthMethod::ClientSecretBasic,
        ));
    emulator
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_every_grant_through_discovery() {
    let emulator = oidc_emulator().await;
    let config = ConfigFile::toml(&format!(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\nauth_method = \"client_secret_basic\"\n",
        emulator.issuer()
    ));
    let authorization = basic("demo-app", "demo-secret");
    let token_request = |expected: &[(&str, &str)]| {
        let requests = emulator.server().requests();
        assert_eq!(
            requests
                .iter()
                .map(|r| (r.method.as_str(), r.path.as_str()))
                .collect::<Vec<_>>(),
            [
                ("GET", "/.well-known/openid-configuration"),
                ("POST", "/token")
            ],
            "each run discovers the endpoint, then calls it once"
        );
        assert_eq!(
            requests[1].header("authorization"),
            Some(authorization.as_str())
        );
        assert_form(&requests[1], "/token", expected);
        emulator.server().clear_requests();
    };
    let user_tokens = redacted("any", Some(3600), true, true, &["openid", "profile"]);

    let code = emulator.issue_code("demo-app", REDIRECT, None);
    let out = exchange_ok(
        &exchange_args(
            &config,
            "any",
            &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
        ),
        user_tokens.clone(),
    )
    .await;
    token_request(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
    ]);

    let code = emulator.issue_code("demo-app", REDIRECT, Some(s256(VERIFIER)));
    exchange_ok(
        &exchange_args(
            &config,
            "any",
            &[
                "--code",
                &code,
                "--redirect-uri",
                REDIRECT,
                "--code-verifier",
                VERIFIER,
            ],
        ),
        user_tokens.clone(),
    )
    .await;
    token_request(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]);

    let refresh_token = out["refresh_token"].as_str().unwrap();
    exchange_ok(
        &exchange_args(&config, "any", &["--refresh-token", refresh_token]),
        user_tokens,
    )
    .await;
    token_request(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ]);

    exchange_ok(
        &exchange_args(&config, "any", &["--client-credentials"]),
        redacted("any", Some(3600), false, false, &["openid", "profile"]),
    )
    .await;
    token_request(&[("grant_type", "client_credentials")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_config_and_redaction_of_extra_fields() {
    let emulator = oidc_emulator().await;
    emulator
        .provider()
        .register_client(ClientRegistration::confidential(
            "post-app",
            "post-secret",
            AuthMethod::ClientSecretPost,
        ));
    let config = ConfigFile::new(
        "json",
        &json!({"providers": {"any": {
            "kind": "oidc",
            "token_endpoint": emulator.token_endpoint(),
            "client_id": "post-app",
            "client_secret": "post-secret",
            "auth_method": "client_secret_post",
        }}})
        .to_string(),
    );
    let answer = json!({
        "access_token": "at-fixed-1", "token_type": "bearer", "refresh_token": "rt-fixed-1",
        "scope": "read", "session_key": "sk-fixed-1", "tenant": {"id": 7}, "count": 3,
    });
    let args = exchange_args(&config, "any", &["--client-credentials"]);

    emulator
        .provider()
        .push_reply(Reply::json(200, answer.clone()));
    let hidden = run(&args).await;
    assert_eq!(hidden.code, 0, "{hidden:?}");
    assert_eq!(
        hidden.json(),
        json!({
            "provider": "any", "token_type": "Bearer", "access_token": REDACTED,
            "expires_in": null, "expires_at": null, "refresh_token": REDACTED, "id_token": null,
            "scope": ["read"],
            "extra": {"session_key": REDACTED, "tenant": {"id": 7}, "count": 3},
        })
    );
    assert!(!hidden.stdout.contains("fixed-1"), "{}", hidden.stdout);

    emulator.provider().push_reply(Reply::json(200, answer));
    let mut args = args;
    args.push("--reveal");
    let shown = run(&args).await;
    assert_eq!(shown.code, 0, "{shown:?}");
    assert_eq!(
        shown.json(),
        json!({
            "provider": "any", "token_type": "Bearer", "access_token": "at-fixed-1",
            "expires_in": null, "expires_at": null, "refresh_token": "rt-fixed-1", "id_token": null,
            "scope": ["read"],
            "extra": {"session_key": "sk-fixed-1", "tenant": {"id": 7}, "count": 3},
        })
    );
    // No discovery with token_endpoint; the secret went in the body.
    let requests = emulator.server().requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_form(
            request,
            "/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "post-app"),
                ("client_secret", "post-secret"),
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Exit codes and stderr

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_code_is_refused_with_exit_3_for_every_vendor() {
    let genauth = GenAuthEmulator::start().await.unwrap();
    let tencent = TencentCiamEmulator::start().await.unwrap();
    let huawei = HuaweiOneAccessEmulator::start().await.unwrap();
    let oidc = oidc_emulator().await;
    let config = ConfigFile::toml(&format!(
        "[providers.genauth]\nkind = \"genauth\"\nbase_url = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n\n\
         [providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n\n\
         [providers.huawei]\nkind = \"huawei-oneaccess\"\nbase_url = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n\n\
         [providers.oidc]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n",
        genauth.base(),
        tencent.base(),
        huawei.base(),
        oidc.issuer()
    ));
    let codes = [
        (
            "genauth",
            genauth.issue_code(Protocol::Oidc, "demo-app", REDIRECT, None),
        ),
        ("tencent", tencent.issue_code("demo-app", REDIRECT, None)),
        ("huawei", huawei.issue_code("demo-app", REDIRECT)),
        ("oidc", oidc.issue_code("demo-app", REDIRECT, None)),
    ];
    for (name, code) in &codes {
        let args = exchange_args(&config, name, &["--code", code, "--redirect-uri", REDIRECT]);
        let first = run(&args).await;
        assert_eq!(first.code, 0, "{name}: {first:?}");
        assert_eq!(first.json()["provider"], *name);
        let again = run(&args).await;
        assert_eq!(again.code, 3, "{name}: {again:?}");
        assert_eq!(again.stdout, "", "{name}");
        let line = again.error_line();
        assert!(
            line.starts_with("tokenbridge: refused: invalid_grant"),
            "{name}: {line}"
        );
        assert!(line.contains("(HTTP 400)"), "{name}: {line}");
        assert!(
            !line.contains(code.as_str()),
            "{name}: the code is not echoed: {line}"
        );
    }
    assert!(
        codes.iter().all(|(_, c)| c.starts_with("code-")),
        "codes look like the emulator's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genauth_business_error_shows_the_vendor_code_and_request_id() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let config = genauth_config(&emulator.base(), "");
    emulator.push_reply(Reply::json(
        200,
        envelope_error(TICKET_INVALID, "4f1c9e2a-0d3b-4c55-8e61-7a2b9c0d1e2f"),
    ));
    let run1 = run(&exchange_args(
        &config,
        "corp",
        &["--qr-ticket", "tk-spent"],
    ))
    .await;
    assert_eq!(run1.code, 3, "{run1:?}");
    assert_eq!(run1.stdout, "");
    assert_eq!(
        run1.error_line(),
        "tokenbridge: refused: genauth status 400 code 2004: ticket is invalid or expired (request id 4f1c9e2a-0d3b-4c55-8e61-7a2b9c0d1e2f)"
    );

    // Unscripted: a ticket used twice.
    let ticket = emulator.issue_ticket(DEMO_APP_ID).unwrap();
    let args = exchange_args(&config, "corp", &["--qr-ticket", &ticket]);
    assert_eq!(run(&args).await.code, 0);
    let again = run(&args).await;
    assert_eq!(again.code, 3, "{again:?}");
    let line = again.error_line();
    assert!(
        line.starts_with(
            "tokenbridge: refused: genauth status 400 code 2004: ticket is invalid or expired (request id "
        ),
        "{line}"
    );
    assert!(!line.contains(&ticket), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_exit_2_and_name_the_fix() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let base = emulator.base();
    let code_args = ["--code", "code-x", "--redirect-uri", REDIRECT];
    let expect = |run: &Run, starts: &str, contains: &[&str]| {
        assert_eq!(run.code, 2, "{run:?}");
        assert_eq!(run.stdout, "");
        let line = run.error_line();
        assert!(line.starts_with(starts), "{line}");
        for part in contains {
            assert!(line.contains(part), "{part:?} in {line}");
        }
    };

    let config = genauth_config(&base, "");
    let r = run(&exchange_args(&config, "nope", &code_args)).await;
    expect(
        &r,
        "tokenbridge: configuration error in `provider`: no provider named \"nope\"",
        &["configured: corp"],
    );

    let config = genauth_config(&base, "client_secrte = \"typo\"\n");
    let r = run(&exchange_args(&config, "corp", &code_args)).await;
    expect(
        &r,
        "tokenbridge: configuration error in `providers.corp.client_secrte`: unknown field `client_secrte`",
        &["client_secret"],
    );

    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"genauth\"\nbase_url = \"{base}\"\nclient_id = \"demo-app\"\nclient_secret_env = \"TB_CLI_TEST_SECRET\"\n"
    ));
    let args = exchange_args(&config, "corp", &code_args);
    let r = run(&args).await;
    expect(
        &r,
        "tokenbridge: configuration error in `providers.corp.client_secret_env`: the environment variable TB_CLI_TEST_SECRET is not set",
        &[],
    );
    // The same file works once the variable is set (the code is unknown: a refusal, not a
    // configuration error).
    let r = run_env(&args, &[("TB_CLI_TEST_SECRET", DEMO_APP_SECRET)]).await;
    assert_eq!(r.code, 3, "{r:?}");

    let config = ConfigFile::toml("[providers.corp]\nkind = \"okta\"\nclient_id = \"a\"\n");
    let r = run(&exchange_args(&config, "corp", &code_args)).await;
    expect(
        &r,
        "tokenbridge: configuration error in `providers.corp.kind`: unknown kind \"okta\"",
        &["genauth", "huawei-oneaccess", "oidc", "tencent-ciam"],
    );

    let config = ConfigFile::toml("[providers.corp\nkind = ");
    let r = run(&exchange_args(&config, "corp", &code_args)).await;
    expect(
        &r,
        "tokenbridge: configuration error: the configuration is not valid TOML",
        &[config.path()],
    );

    let missing = std::env::temp_dir().join("tokenbridge-cli-test-no-such-file.toml");
    let r = run(&[
        "exchange",
        "--config",
        missing.to_str().unwrap(),
        "--provider",
        "corp",
        "--client-credentials",
    ])
    .await;
    expect(
        &r,
        "tokenbridge: configuration error: cannot read the configuration file",
        &[missing.to_str().unwrap()],
    );

    // A grant the provider's kind does not have.
    let config = ConfigFile::toml(&format!(
        "[providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{base}\"\nclient_id = \"demo-app\"\nclient_secret = \"s\"\n"
    ));
    let r = run(&exchange_args(&config, "tencent", &["--qr-ticket", "tk-1"])).await;
    expect(
        &r,
        "tokenbridge: provider \"tencent\" does not support the extension grant",
        &[],
    );
    // QR login needs a GenAuth provider.
    let r = run(&[
        "qr-login",
        "--config",
        config.path(),
        "--provider",
        "tencent",
    ])
    .await;
    expect(
        &r,
        "tokenbridge: configuration error in `providers.tencent.kind`",
        &["genauth"],
    );
    // Only the run with the variable set sent anything, with the secret it read.
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_form(
        &requests[0],
        genauth::OIDC_TOKEN_PATH,
        &[
            ("grant_type", "authorization_code"),
            ("code", "code-x"),
            ("redirect_uri", REDIRECT),
            ("client_id", DEMO_APP_ID),
            ("client_secret", DEMO_APP_SECRET),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let config = ConfigFile::toml(
        "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"http://127.0.0.1:9/token\"\nclient_id = \"a\"\nauth_method = \"none\"\n",
    );
    let cases: [(&[&str], &str); 5] = [
        (&[], "--code"),
        (&["--code-verifier", "v", "--refresh-token", "rt"], "--code"),
        (
            &["--refresh-token", "rt", "--client-credentials"],
            "cannot be used with",
        ),
        (
            &["--code", "c", "--redirect-uri", REDIRECT, "--scope", "s"],
            "--scope goes with --refresh-token or --client-credentials",
        ),
        (&["--client-credentials", "--bogus"], "--bogus"),
    ];
    for (rest, message) in cases {
        let r = run(&exchange_args(&config, "any", rest)).await;
        assert_eq!(r.code, 2, "{rest:?}: {r:?}");
        assert_eq!(r.stdout, "", "{rest:?}");
        assert!(
            r.stderr.contains(message),
            "{rest:?}: {message:?} in {}",
            r.stderr
        );
    }
    for args in [
        &["frobnicate"][..],
        &[][..],
        &["exchange", "--provider", "any", "--client-credentials"][..],
        &[
            "qr-login",
            "--config",
            config.path(),
            "--provider",
            "any",
            "--interval",
            "0",
        ][..],
        &["emulate", "--vendor", "okta"][..],
    ] {
        let r = run(args).await;
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_exit_4() {
    let port = dead_port();
    let url = format!("http://127.0.0.1:{port}");
    let config = ConfigFile::toml(&format!(
        "[providers.genauth]\nkind = \"genauth\"\nbase_url = \"{url}\"\nclient_id = \"a\"\nclient_secret = \"s\"\n\n\
         [providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{url}\"\nclient_id = \"a\"\nclient_secret = \"s\"\n\n\
         [providers.huawei]\nkind = \"huawei-oneaccess\"\nbase_url = \"{url}\"\nclient_id = \"a\"\nclient_secret = \"s\"\n\n\
         [providers.oidc]\nkind = \"oidc\"\nissuer = \"{url}\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"
    ));
    for name in ["genauth", "tencent", "huawei", "oidc"] {
        let r = run(&exchange_args(
            &config,
            name,
            &["--refresh-token", "rt-secret-value"],
        ))
        .await;
        assert_eq!(r.code, 4, "{name}: {r:?}");
        assert_eq!(r.stdout, "");
        let line = r.error_line();
        assert!(
            line.starts_with(&format!("tokenbridge: connecting to {url}/")),
            "{name}: {line}"
        );
        assert!(!line.contains("rt-secret-value"), "{line}");
    }
    let r = run(&[
        "qr-login",
        "--config",
        config.path(),
        "--provider",
        "genauth",
        "--no-draw",
    ])
    .await;
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.error_line().starts_with(&format!(
        "tokenbridge: connecting to {url}/api/v3/gene-qrcode"
    )));

    // An answer that is not a token response is also exit 4.
    let emulator = oidc_emulator().await;
    emulator.provider().push_reply(Reply::raw(
        502,
        "text/html",
        "<html><body>Bad Gateway</body></html>",
    ));
    let config = ConfigFile::toml(&format!(
        "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\nauth_method = \"client_secret_basic\"\n",
        emulator.token_endpoint()
    ));
    let r = run(&exchange_args(&config, "any", &["--client-credentials"])).await;
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.error_line().contains("502"), "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// decode-jwt

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_jwt_shows_an_emulator_token_unverified() {
    let emulator = oidc_emulator().await;
    let config = ConfigFile::toml(&format!(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n",
        emulator.issuer()
    ));
    let code = emulator.issue_code("demo-app", REDIRECT, None);
    let out = run(&exchange_args(
        &config,
        "any",
        &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
    ))
    .await
    .json();
    let id_token = out["id_token"].as_str().unwrap();

    let decoded = run(&["decode-jwt", id_token]).await;
    assert_eq!(decoded.code, 0, "{decoded:?}");
    assert_eq!(
        decoded.stderr,
        "tokenbridge: the signature is NOT verified\n"
    );
    let shown = decoded.json();
    let claims_shown = &shown["claims"];
    assert_eq!(
        shown,
        json!({
            "verified": false,
            "warning": "NOT VERIFIED: the signature was not checked; do not trust these claims",
            // The emulator signs ID tokens for real, RS256 with its first fixture key.
            "header": {"alg": "RS256", "typ": "JWT", "kid": "rsa-1"},
            "claims": claims_shown,
        })
    );
    assert_eq!(*claims_shown, claims(id_token));
    assert_eq!(claims_shown["iss"], emulator.issuer());
    assert_eq!(claims_shown["aud"], "demo-app");
    assert_eq!(claims_shown["sub"], "user-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_jwt_refuses_garbage_with_exit_2() {
    let cases = [
        (
            "not-a-jwt",
            "a JWT has three dot-separated parts (five when encrypted); this has 1",
        ),
        (
            "a.b",
            "a JWT has three dot-separated parts (five when encrypted); this has 2",
        ),
        ("!!!.e30.x", "the JWT header is not base64url"),
        ("e30.bm90IGpzb24.x", "the JWT payload is not JSON"),
    ];
    for (token, message) in cases {
        let r = run(&["decode-jwt", token]).await;
        assert_eq!(r.code, 2, "{token}: {r:?}");
        assert_eq!(r.stdout, "");
        assert_eq!(r.error_line(), format!("tokenbridge: {message}"));
    }
}

// ---------------------------------------------------------------------------------------------
// qr-login

/// Starts `tokenbridge qr-login` against `emulator` and returns the process's output when
/// it ends, plus the id of the QR code it generated (found through the control route).
async fn start_qr_login(
    emulator: &GenAuthEmulator,
    config: &ConfigFile,
    extra: &[&str],
) -> (tokio::task::JoinHandle<std::process::Output>, String) {
    let mut args = vec![
        "qr-login",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--interval",
        "0.05",
        "--timeout",
        "20",
    ];
    args.extend_from_slice(extra);
    let list = format!("{}{CONTROL_QRCODES_PATH}", emulator.base());
    let listed_ids = |listed: &Value| -> Vec<String> {
        listed["qrcodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["qrcodeId"].as_str().unwrap().to_owned())
            .collect()
    };
    let earlier = listed_ids(&http("GET", &list).await.json());
    let child = command(&args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded by --timeout: the process ends by itself even if this test fails.
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
    let mut id = None;
    while id.is_none() {
        let listed = http("GET", &list).await.json();
        id = listed_ids(&listed)
            .into_iter()
            .find(|id| !earlier.contains(id));
        if id.is_none() {
            assert!(!output.is_finished(), "qr-login ended early");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let id = id.unwrap();
    // A second status request is sent only once the first was answered: from then on the
    // CLI has seen PENDING, whatever a test does to the code next.
    eventually("two status polls", || {
        let polls = emulator
            .requests_to(genauth::QRCODE_STATUS_PATH)
            .iter()
            .filter(|r| {
                r.query_pairs()
                    .contains(&("qrcodeId".to_owned(), id.clone()))
            })
            .count();
        (polls >= 2).then_some(())
    })
    .await;
    (output, id)
}

/// Sends a control action and waits until the CLI has polled the status after it, so it
/// cannot miss the change.
async fn act_and_wait_for_poll(emulator: &GenAuthEmulator, id: &str, action: &str) -> Value {
    let reply = http(
        "POST",
        &format!("{}{CONTROL_QRCODE_PREFIX}/{id}/{action}", emulator.base()),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // The recorder logs a request before it is answered: one logged from now on sees the
    // change.
    let seen = emulator.requests_to(genauth::QRCODE_STATUS_PATH).len();
    eventually("a status poll after the change", || {
        (emulator.requests_to(genauth::QRCODE_STATUS_PATH).len() > seen).then_some(())
    })
    .await;
    reply.json()
}

fn status_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("status: "))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_login_end_to_end() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let config = genauth_config(&emulator.base(), "");
    let started = now_secs();
    let (output, id) = start_qr_login(&emulator, &config, &["--no-draw"]).await;
    assert_eq!(
        act_and_wait_for_poll(&emulator, &id, "scan?displayName=Alice%20Li").await,
        json!({"qrcodeId": id, "status": "SCANNED"})
    );
    assert_eq!(
        act_and_wait_for_poll(&emulator, &id, "confirm").await,
        json!({"qrcodeId": id, "status": "AUTHORIZED"})
    );

    let output = output.await.unwrap();
    let ended = now_secs();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_no_panic(&stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.lines().next(),
        Some(
            format!(
                "Scan this QR code (MOBILE_APP) to sign in: {}/qrcode/{id}",
                emulator.base()
            )
            .as_str()
        )
    );
    assert_eq!(
        status_lines(&stderr),
        [
            "status: PENDING (waiting for the QR code to be scanned)",
            "status: SCANNED (scanned by Alice Li, waiting for confirmation)",
            "status: AUTHORIZED (authorized by Alice Li)",
        ],
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        4,
        "no drawing with --no-draw: {stderr}"
    );

    let mut out: Value = serde_json::from_str(&stdout).unwrap();
    let at = rfc3339_secs(out["expires_at"].as_str().unwrap());
    assert!(
        (started + genauth::V3_EXPIRE_IN..=ended + genauth::V3_EXPIRE_IN).contains(&at),
        "{stdout}"
    );
    out.as_object_mut().unwrap().remove("expires_at");
    assert_eq!(
        out,
        redacted(
            "corp",
            Some(genauth::V3_EXPIRE_IN),
            true,
            true,
            &["openid", "profile"]
        )
    );

    // The ticket was exchanged once, with the application's credentials.
    let exchanges = emulator.requests_to(genauth::EXCHANGE_TICKET_PATH);
    assert_eq!(exchanges.len(), 1);
    let ticket = emulator.ticket(&id).unwrap();
    assert_eq!(
        exchanges[0].json(),
        json!({"ticket": ticket, "client_id": DEMO_APP_ID, "client_secret": DEMO_APP_SECRET})
    );
    assert_eq!(
        emulator.requests_to(genauth::GENE_QRCODE_PATH)[0].json(),
        json!({"type": "MOBILE_APP"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_login_cancelled_or_expired_exits_3() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let config = genauth_config(&emulator.base(), "");

    // Cancelled after a scan, with the QR code drawn in the terminal.
    let (output, id) = start_qr_login(&emulator, &config, &[]).await;
    act_and_wait_for_poll(&emulator, &id, "scan?displayName=Bob").await;
    act_and_wait_for_poll(&emulator, &id, "cancel").await;
    let output = output.await.unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_no_panic(&stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains('\u{2580}') || stderr.contains('\u{2584}') || stderr.contains('\u{2588}'),
        "the QR code is drawn with half blocks: {stderr}"
    );
    assert_eq!(
        status_lines(&stderr),
        [
            "status: PENDING (waiting for the QR code to be scanned)",
            "status: SCANNED (scanned by Bob, waiting for confirmation)",
            "status: CANCELLED (cancelled by Bob)",
        ]
    );
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "tokenbridge: the user cancelled the login: Bob declined the login for QR code {id} on their phone"
            )
            .as_str()
        )
    );
    assert!(emulator
        .requests_to(genauth::EXCHANGE_TICKET_PATH)
        .is_empty());

    // Expired before anyone scanned it.
    emulator.clear_requests();
    let (output, id) = start_qr_login(&emulator, &config, &["--no-draw"]).await;
    act_and_wait_for_poll(&emulator, &id, "expire").await;
    let output = output.await.unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_no_panic(&stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some(
            format!(
                "tokenbridge: the login expired before it was confirmed: start a new one: GenAuth reports QR code {id} as EXPIRED; generate a new one"
            )
            .as_str()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// emulate

/// The lines of `text` from `[providers.<name>]` to the next table.
fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let header = format!("[providers.{name}]\n");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("{header} in {text}"));
    let rest = &text[start + header.len()..];
    &rest[..rest.find("\n[providers.").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_all_prints_a_configuration_that_works() {
    let child = command(&["emulate", "--vendor", "all"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut emulate = Running(child);
    let stdout = emulate.0.stdout.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let text = tokio::task::spawn_blocking(move || {
        let mut text = String::new();
        loop {
            let line = lines_rx
                .recv_timeout(Duration::from_secs(20))
                .expect("emulate prints its configuration");
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("# ready:") {
                // One emulator per built-in kind.
                let count = tokenbridge::kinds::BUILT_IN.len();
                assert_eq!(
                    line,
                    format!("# ready: {count} emulator(s) running; press Ctrl-C to stop")
                );
                return text;
            }
        }
    })
    .await
    .unwrap();

    // The whole output is one configuration file.
    let config = Config::from_toml_str(&text).unwrap();
    let names: Vec<&str> = config.provider_names().collect();
    for name in [
        "apple", "entra", "genauth", "google", "huawei", "oidc", "tencent", "wechat", "dingtalk",
        "feishu", "github",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for name in [
        "apple", "entra", "feishu", "genauth", "github", "google", "huawei", "oidc", "tencent",
    ] {
        let table = config.provider(name).unwrap();
        let no_env = |_: &str| None;
        let common = ProviderContext::new(table, &no_env, None).common().unwrap();
        let expected_kind = match name {
            "apple" | "entra" | "google" => name,
            "genauth" => "genauth",
            "huawei" => "huawei-oneaccess",
            "oidc" => "oidc",
            "feishu" => "feishu",
            "github" => "github",
            _ => "tencent-ciam",
        };
        assert_eq!(table.kind, expected_kind, "{name}");
        match name {
            "genauth" => {
                assert_eq!(common.auth_method, Some(AuthMethod::ClientSecretPost));
                assert_eq!(table.settings["protocol"], "oidc");
            }
            "oidc" => assert_eq!(common.auth_method, Some(AuthMethod::ClientSecretBasic)),
            _ => {}
        }
        assert!(Registry::new().build(&config, name).is_ok(), "{name}");
    }
    let file = ConfigFile::toml(&text);

    // Every vendor with a query callback: a code from the printed authorize URL, exchanged by
    // the printed command (Apple's callback is a form POST: `tokenbridge login`, tested in
    // apple.rs).
    for name in [
        "entra", "feishu", "genauth", "github", "google", "huawei", "oidc", "tencent",
    ] {
        let block = section(&text, name);
        let curl = block
            .lines()
            .find(|l| l.starts_with("#   get a code:  curl "))
            .unwrap_or_else(|| panic!("{name}: {block}"));
        let url = curl.rsplit('\'').nth(1).unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let code = code_from_authorize(url).await;
        assert!(block.contains(&format!(
            "#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider {name} --code CODE --redirect-uri {REDIRECT}"
        )), "{block}");
        let r = run(&exchange_args(
            &file,
            name,
            &["--code", &code, "--redirect-uri", REDIRECT],
        ))
        .await;
        assert_eq!(r.code, 0, "{name}: {r:?}");
        let out = r.json();
        assert_eq!(out["provider"], name);
        assert_eq!(out["access_token"], REDACTED);
        let scope = match name {
            "feishu" => json!(["offline_access"]),
            "github" => json!([]),
            _ => json!(["openid"]),
        };
        assert_eq!(out["scope"], scope, "{name}");
    }

    // The QR-login controls it prints are served.
    let genauth_block = section(&text, "genauth");
    let base_line = genauth_block
        .lines()
        .find(|l| l.starts_with("base_url = "))
        .unwrap();
    let base = base_line.split('"').nth(1).unwrap();
    assert!(genauth_block.contains(&format!("curl -s '{base}{CONTROL_QRCODES_PATH}'")));
    assert!(genauth_block.contains(&format!(
        "curl -X POST '{base}{CONTROL_QRCODE_PREFIX}/ID/scan?displayName=Alice'"
    )));
    assert!(genauth_block.contains(&format!(
        "curl -X POST '{base}{CONTROL_QRCODE_PREFIX}/ID/confirm'"
    )));
    let listed = http("GET", &format!("{base}{CONTROL_QRCODES_PATH}")).await;
    assert_eq!(
        (listed.status, listed.json()),
        (200, json!({"qrcodes": []}))
    );
    let unknown = http("POST", &format!("{base}{CONTROL_QRCODE_PREFIX}/ID/scan")).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"], "qrcode_not_found");

    drop(emulate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulate_listens_on_loopback_only() {
    let r = run(&["emulate", "--vendor", "oidc", "--addr", "0.0.0.0:0"]).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.error_line(),
        "tokenbridge: --addr 0.0.0.0:0 is not a loopback address; the emulators listen on 127.0.0.1 or ::1 only"
    );
    // A port already taken.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let r = run(&["emulate", "--vendor", "genauth", "--addr", &addr]).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.error_line().starts_with(&format!(
            "tokenbridge: cannot start the genauth emulator on {addr}: "
        )),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// help

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_has_help_with_an_example() {
    for sub in ["exchange", "qr-login", "decode-jwt", "emulate"] {
        let r = run(&[sub, "--help"]).await;
        assert_eq!(r.code, 0, "{sub}: {r:?}");
        assert!(r.stdout.contains("Example"), "{sub}: {}", r.stdout);
        assert!(
            r.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("tokenbridge {sub}"))),
            "{sub}: an example command line in {}",
            r.stdout
        );
    }
    let r = run(&["--help"]).await;
    assert_eq!(r.code, 0);
    for sub in ["exchange", "qr-login", "decode-jwt", "emulate"] {
        assert!(r.stdout.contains(sub), "{sub} in {}", r.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_can_come_from_standard_input() {
    let emulator = oidc_emulator().await;
    let config = ConfigFile::toml(&format!(
        "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\nauth_method = \"client_secret_basic\"\n",
        emulator.token_endpoint()
    ));
    let code = emulator.issue_code("demo-app", REDIRECT, None);
    let sent = code.clone();
    let path = config.0.to_str().unwrap().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command(
            &[
                "exchange",
                "--config",
                &path,
                "--provider",
                "any",
                "--code",
                "-",
                "--redirect-uri",
                REDIRECT,
            ],
            &[],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        writeln!(child.stdin.take().unwrap(), "{sent}").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let requests = emulator.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].form_param("code"), Some(code));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("code-"));

    // Two credentials cannot both come from standard input; nothing is sent.
    emulator.server().clear_requests();
    let run = run(&[
        "exchange",
        "--config",
        config.0.to_str().unwrap(),
        "--provider",
        "any",
        "--code",
        "-",
        "--code-verifier",
        "-",
        "--redirect-uri",
        REDIRECT,
    ])
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(emulator.token_requests().is_empty());
}
