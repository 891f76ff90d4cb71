//! `tokenbridge token`: a valid access token from a session file, refreshed exactly when it
//! expires within `--min-valid`, the rotated refresh token saved before the token is printed,
//! one refresh for several processes, and the documented exit codes.

mod common;

use common::login::{follow_redirect, LoginProcess};
use common::{command, run};

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use tokenbridge::{AuthMethod, ExposeSecret, TokenSet, TokenType};
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile};

const CLIENT: &str = "svc-app";
const SECRET: &str = "svc:secret +/%";

/// A directory of its own for each test, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "tokenbridge-session-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn emulator() -> OidcEmulator {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        CLIENT,
        SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    emulator
}

fn config(dir: &Dir, emulator: &OidcEmulator, secret: &str) -> String {
    let path = dir.file("tokenbridge.toml");
    std::fs::write(
        &path,
        format!(
            "[providers.svc]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT}\"\nclient_secret = {}\nauth_method = \"client_secret_basic\"\n",
            emulator.issuer(),
            serde_json::to_string(secret).unwrap()
        ),
    )
    .unwrap();
    path
}

/// A session file as `login --session` leaves it: tokens received `age` ago, living
/// `lifetime`, with a refresh token the emulator knows.
fn session_file(
    dir: &Dir,
    emulator: &OidcEmulator,
    age: Duration,
    lifetime: u64,
) -> (String, String) {
    let refresh = emulator.issue_refresh_token(CLIENT, "openid profile");
    let tokens = TokenSet::new("svc", "at-original", TokenType::Bearer)
        .with_received_at(SystemTime::now() - age)
        .with_expires_in(Some(Duration::from_secs(lifetime)))
        .with_refresh_token(Some(refresh.clone()));
    let path = dir.file("session.json");
    std::fs::write(
        &path,
        serde_json::to_string(&tokens.serialize_secrets()).unwrap(),
    )
    .unwrap();
    (path, refresh)
}

fn stored(path: &str) -> TokenSet {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn token_args<'a>(config: &'a str, session: &'a str, min_valid: &'a str) -> Vec<&'a str> {
    vec![
        "token",
        "--config",
        config,
        "--provider",
        "svc",
        "--session",
        session,
        "--min-valid",
        min_valid,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_token_is_printed_without_a_request() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let config = config(&dir, &emulator, SECRET);
    // 3600 s lifetime, received 100 s ago: 3500 s left.
    let (session, _) = session_file(&dir, &emulator, Duration::from_secs(100), 3600);
    let r = run(&token_args(&config, &session, "3000")).await;
    assert_eq!((r.code, r.stdout.as_str()), (0, "at-original\n"), "{r:?}");
    assert_eq!(r.stderr, "");
    assert!(emulator.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_refreshes_exactly_below_min_valid_and_saves_the_rotation_first() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let config = config(&dir, &emulator, SECRET);
    let (session, refresh) = session_file(&dir, &emulator, Duration::from_secs(100), 3600);
    // 3500 s left: --min-valid 3400 keeps it, 3600 refreshes.
    let r = run(&token_args(&config, &session, "3400")).await;
    assert_eq!(r.stdout, "at-original\n", "{r:?}");
    assert!(emulator.token_requests().is_empty());

    let r = run(&token_args(&config, &session, "3600")).await;
    assert_eq!(r.code, 0, "{r:?}");
    let printed = r.stdout.trim_end().to_owned();
    assert_ne!(printed, "at-original");
    assert_eq!(
        r.stdout,
        format!("{printed}\n"),
        "only the token and a newline"
    );
    let requests = emulator.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].form_param("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(
        requests[0].form_param("refresh_token").as_deref(),
        Some(refresh.as_str())
    );
    // The emulator rotates refresh tokens: the new one is on disk, with the printed token.
    let saved = stored(&session);
    assert_eq!(saved.access_token().expose_secret(), printed);
    let rotated = saved.refresh_token().unwrap().expose_secret().to_owned();
    assert_ne!(rotated, refresh);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Nothing but the configuration, the session and a lock file (which holds no token).
    let names = dir.names();
    assert_eq!(
        names,
        ["session.json", "session.json.lock", "tokenbridge.toml"],
        "{names:?}"
    );
    assert_eq!(std::fs::read(dir.file("session.json.lock")).unwrap(), b"");

    // The next call uses the rotated refresh token.
    let r = run(&token_args(&config, &session, "4000")).await;
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        emulator.token_requests()[1]
            .form_param("refresh_token")
            .as_deref(),
        Some(rotated.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_at_once_cause_one_refresh() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let config = config(&dir, &emulator, SECRET);
    let (session, _) = session_file(&dir, &emulator, Duration::from_secs(3590), 3600);
    let children: Vec<_> = (0..6)
        .map(|_| {
            command(&token_args(&config, &session, "60"), &[])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let printed: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{o:?}");
            String::from_utf8(o.stdout.clone()).unwrap()
        })
        .collect();
    assert_eq!(emulator.token_requests().len(), 1, "one refresh for all");
    assert!(printed.iter().all(|p| p == &printed[0]), "{printed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let config = config(&dir, &emulator, SECRET);

    // 2: the file is missing, or not a session.
    let missing = dir.file("nope.json");
    let r = run(&token_args(&config, &missing, "60")).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("nope.json"), "{r:?}");
    let corrupt = dir.file("corrupt.json");
    std::fs::write(&corrupt, "{not json").unwrap();
    let r = run(&token_args(&config, &corrupt, "60")).await;
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stdout, "");

    // 3: the refresh is refused (a revoked refresh token): the session has ended.
    let (session, refresh) = session_file(&dir, &emulator, Duration::from_secs(3590), 3600);
    // Using it up once through the library makes it unknown to the emulator.
    let provider = tokenbridge::Provider::builder("svc")
        .issuer(emulator.issuer())
        .client_id(CLIENT)
        .client_secret(tokenbridge::SecretString::from(SECRET))
        .build()
        .unwrap();
    use tokenbridge::TokenExchanger;
    provider
        .exchange(tokenbridge::Grant::refresh_token(refresh.clone()))
        .await
        .unwrap();
    let r = run(&token_args(&config, &session, "60")).await;
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(!r.stderr.contains(&refresh), "{r:?}");

    // 3: invalid_client too (a wrong secret in the configuration).
    let (session, _) = session_file(&dir, &emulator, Duration::from_secs(3590), 3600);
    let wrong = config_with_secret(&dir, &emulator, "not-the-secret");
    let r = run(&token_args(&wrong, &session, "60")).await;
    assert_eq!(r.code, 3, "{r:?}");
    assert!(!r.stderr.contains("not-the-secret"), "{r:?}");

    // 4: the provider cannot be reached.
    let dead = dir.file("dead.toml");
    std::fs::write(
        &dead,
        format!(
            "[providers.svc]\nkind = \"oidc\"\ntoken_endpoint = \"http://127.0.0.1:{}/token\"\nclient_id = \"{CLIENT}\"\nclient_secret = \"s\"\n",
            dead_port()
        ),
    )
    .unwrap();
    let (session, _) = session_file(&dir, &emulator, Duration::from_secs(3590), 3600);
    let r = run(&token_args(&dead, &session, "60")).await;
    assert_eq!(r.code, 4, "{r:?}");
}

/// A token endpoint that reads each request in full and closes the connection without a
/// word: the request reached the provider, its answer was lost. Counts the requests.
fn answer_lost_endpoint() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut seen = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then the body their Content-Length announces.
            loop {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
                let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_refresh_answer_exits_4_then_the_ended_session_exits_3() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let (port, requests) = answer_lost_endpoint();
    let config = dir.file("lost.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.svc]\nkind = \"oidc\"\ntoken_endpoint = \"http://127.0.0.1:{port}/token\"\nclient_id = \"{CLIENT}\"\nclient_secret = \"s\"\n"
        ),
    )
    .unwrap();
    let (session, refresh) = session_file(&dir, &emulator, Duration::from_secs(3590), 3600);

    let r = run(&token_args(&config, &session, "60")).await;
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains(
            "the refresh token may have been spent and will not be resent: the session has ended"
        ),
        "{r:?}"
    );
    assert!(!r.stderr.contains(&refresh), "{r:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    // The session file keeps the tokens, without the refresh token that may be spent.
    let kept = stored(&session);
    assert_eq!(kept.access_token().expose_secret(), "at-original");
    assert!(kept.refresh_token().is_none());

    // Later: the session has ended; nothing is sent.
    let r = run(&token_args(&config, &session, "60")).await;
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("has ended"), "{r:?}");
    assert!(r.stderr.contains("sign in again"), "{r:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

fn config_with_secret(dir: &Dir, emulator: &OidcEmulator, secret: &str) -> String {
    let path = dir.file("wrong.toml");
    std::fs::write(
        &path,
        format!(
            "[providers.svc]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT}\"\nclient_secret = \"{secret}\"\nauth_method = \"client_secret_basic\"\n",
            emulator.issuer()
        ),
    )
    .unwrap();
    path
}

/// A loopback port nothing listens on.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `login --session FILE` prints the same TokenSet as without it (honouring `--reveal`) and
/// leaves a private session file that `token` then serves from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_saves_the_session_for_token() {
    let emulator = emulator().await;
    let dir = Dir::new();
    let config = config(&dir, &emulator, SECRET);
    let session = dir.file("login-session.json");
    let port = dead_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let login = LoginProcess::spawn(command(
        &[
            "login",
            "--config",
            &config,
            "--provider",
            "svc",
            "--no-browser",
            "--redirect-uri",
            &redirect,
            "--session",
            &session,
            "--reveal",
            "--timeout",
            "20",
        ],
        &[],
    ))
    .await;
    assert_eq!(follow_redirect(login.url.as_str()).await, 200);
    let out = login.finish().await;
    assert_eq!(out.code, 0, "{out:?}");
    let printed: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let access_token = printed["access_token"].as_str().unwrap().to_owned();
    assert_ne!(access_token, "[redacted]", "--reveal is honoured");
    assert_eq!(printed["provider"], "svc");

    let saved = stored(&session);
    assert_eq!(saved.access_token().expose_secret(), access_token);
    assert!(saved.refresh_token().is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let r = run(&token_args(&config, &session, "60")).await;
    assert_eq!((r.code, r.stdout), (0, format!("{access_token}\n")));
}
