//! The binary against hostile answers and inputs (issue 13, section 2): provider text with
//! terminal control characters comes out escaped, a 429's `Retry-After` is in the message, and
//! a configuration file that never ends is refused quickly.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokenbridge_testkit::genauth::{
    GenAuthEmulator, CONTROL_QRCODES_PATH, DEMO_APP_ID, DEMO_APP_SECRET,
};

const BIN: &str = env!("CARGO_BIN_EXE_tokenbridge");

/// Control characters a hostile provider could use to rewrite the terminal.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}\rfake line\u{9b}31m";

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn run(args: &[&str]) -> (i32, String, String, Duration) {
    let mut command = command(args);
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        started.elapsed(),
    )
}

fn assert_no_control(text: &str) {
    for c in text.chars() {
        assert!(
            !c.is_control() || c == '\n',
            "a raw control character {c:?} was printed: {text:?}"
        );
    }
}

struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(contents: &[u8]) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "tokenbridge-cli-hardening-{}-{}.toml",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A loopback token endpoint answering every request with `response`.
fn stub(response: Vec<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 8192];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(&response);
        }
    });
    addr
}

fn reply(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    out.into_bytes()
}

fn oidc_config(token_endpoint: &str) -> TempFile {
    TempFile::new(
        format!(
            "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"{token_endpoint}\"\nclient_id = \"c\"\nclient_secret = \"s3cret-value\"\n"
        )
        .as_bytes(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_text_with_control_characters_is_printed_escaped() {
    for body in [
        json!({"error": "invalid_grant", "error_description": HOSTILE}),
        json!({"error": format!("bad{HOSTILE}"), "error_description": "x"}),
    ] {
        let addr = stub(reply(
            "400 Bad Request",
            &[("content-type", "application/json")],
            &body.to_string(),
        ));
        let config = oidc_config(&format!("http://{addr}/token"));
        let (code, stdout, stderr, _) = run(&[
            "exchange",
            "--config",
            config.path(),
            "--provider",
            "any",
            "--client-credentials",
        ])
        .await;
        assert_eq!(code, 3, "{body}: {stderr}");
        assert_eq!(stdout, "");
        assert_no_control(&stderr);
        assert!(stderr.contains(r"\u{1b}[2J"), "{stderr:?}");
    }
}

fn get_json(url: &str) -> Value {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_display_name_with_control_characters_is_printed_escaped() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let config = TempFile::new(
        format!(
            "[providers.corp]\nkind = \"genauth\"\nbase_url = \"{}\"\nclient_id = \"{DEMO_APP_ID}\"\nclient_secret = \"{DEMO_APP_SECRET}\"\n",
            emulator.base()
        )
        .as_bytes(),
    );
    let child = command(&[
        "qr-login",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--no-draw",
        "--interval",
        "0.05",
        "--timeout",
        "20",
    ])
    .spawn()
    .unwrap();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap());
    let list = format!("{}{CONTROL_QRCODES_PATH}", emulator.base());
    let id = loop {
        let listed = tokio::task::spawn_blocking({
            let list = list.clone();
            move || get_json(&list)
        })
        .await
        .unwrap();
        if let Some(id) = listed["qrcodes"].as_array().and_then(|a| a.first()) {
            break id["qrcodeId"].as_str().unwrap().to_owned();
        }
        assert!(!output.is_finished(), "qr-login ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(emulator.scan(&id, &format!("Eve{HOSTILE}"), "https://h/p.png"));
    // Let the CLI see SCANNED (it polls every 50 ms), then end the login.
    let polls = emulator.requests().len();
    while emulator.requests().len() < polls + 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(emulator.cancel(&id));
    let Output { status, stderr, .. } = output.await.unwrap();
    let stderr = String::from_utf8(stderr).unwrap();
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("Eve"), "{stderr:?}");
    assert_no_control(&stderr);
    assert!(stderr.contains(r"\u{1b}[2J"), "{stderr:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_message_says_when_to_retry() {
    for (value, shown) in [
        ("7", "retry after 7 s".to_owned()),
        (
            "Wed, 21 Oct 2099 07:28:00 GMT",
            "retry after Wed, 21 Oct 2099 07:28:00 GMT".to_owned(),
        ),
    ] {
        for body in [r#"{"error":"slow_down"}"#, "<html>Too Many Requests</html>"] {
            let addr = stub(reply(
                "429 Too Many Requests",
                &[("content-type", "application/json"), ("retry-after", value)],
                body,
            ));
            let config = oidc_config(&format!("http://{addr}/token"));
            let (code, _, stderr, _) = run(&[
                "exchange",
                "--config",
                config.path(),
                "--provider",
                "any",
                "--client-credentials",
            ])
            .await;
            assert_ne!(code, 0);
            assert!(stderr.contains(&shown), "{value} {body}: {stderr}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_or_huge_configuration_file_is_refused_quickly_with_exit_2() {
    let big = TempFile::new(&vec![b'#'; 2 * 1024 * 1024]);
    for path in ["/dev/zero", big.path()] {
        let (code, stdout, stderr, elapsed) = run(&[
            "exchange",
            "--config",
            path,
            "--provider",
            "any",
            "--client-credentials",
        ])
        .await;
        assert_eq!(code, 2, "{path}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.contains("larger than"), "{path}: {stderr}");
        assert!(stderr.contains(path), "{path}: {stderr}");
        // Without the cap it would never end; the bound leaves room for a loaded machine.
        assert!(
            elapsed < Duration::from_secs(30),
            "{path}: took {elapsed:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_private_key_file_is_refused_quickly_with_exit_2() {
    let config = TempFile::new(
        b"[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"https://id.example.com/token\"\n\
          client_id = \"c\"\nauth_method = \"private_key_jwt\"\nprivate_key_file = \"/dev/zero\"\n",
    );
    let (code, stdout, stderr, elapsed) = run(&[
        "exchange",
        "--config",
        config.path(),
        "--provider",
        "any",
        "--client-credentials",
    ])
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("private_key_file"), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}
