//! The CLI contract of device sign-in, introspection, PAR and DPoP where the provider lacks
//! what a command needs: exit 2 with nothing sent (only the discovery document is read), and
//! `--tokens` files that cannot be used refused before anything is sent. The flows themselves
//! run against the certified provider in `interop.rs`.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::time::Duration;

use common::{run, run_with_stdin, ConfigFile};
use serde_json::json;

/// A provider whose discovery document lists a token, authorization and userinfo endpoint
/// only. Every request line is sent on the channel; anything but discovery gets a 500.
fn bare_provider() -> (SocketAddr, mpsc::Receiver<String>) {
    provider_with(json!({}), |_| None)
}

/// A provider whose discovery document adds `extra` (paths made absolute); `answer` gives the
/// (status, JSON body) for any other request line, `None` for a 500.
fn provider_with(
    extra: serde_json::Value,
    answer: impl Fn(&str) -> Option<(&'static str, String)> + Send + 'static,
) -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let mut doc = json!({
        "issuer": base,
        "token_endpoint": format!("{base}/token"),
        "authorization_endpoint": format!("{base}/auth"),
        "userinfo_endpoint": format!("{base}/me"),
    });
    if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            let value = match value.as_str() {
                Some(path) if path.starts_with('/') => json!(format!("{base}{path}")),
                _ => value.clone(),
            };
            doc.insert(key.clone(), value);
        }
    }
    let doc = doc.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let line = head.lines().next().unwrap_or_default().to_owned();
            let (status, body) = if line.starts_with("GET /.well-known/openid-configuration ") {
                ("200 OK", doc.clone())
            } else {
                answer(&line).unwrap_or(("500 Internal Server Error", "{}".to_owned()))
            };
            let _ = tx.send(line);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (addr, rx)
}

fn config(addr: SocketAddr, extra: &str) -> ConfigFile {
    ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"oidc\"\nissuer = \"http://{addr}\"\nclient_id = \"app\"\n\
         client_secret = \"s3cret\"\n{extra}"
    ))
}

/// Only the discovery document was asked for.
fn only_discovery(rx: &mpsc::Receiver<String>) {
    let lines: Vec<String> = rx.try_iter().collect();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("GET /.well-known/openid-configuration ")),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_without_their_endpoint_exit_2_with_nothing_sent() {
    let (addr, rx) = bare_provider();
    let plain = config(addr, "");
    let base = ["--config", plain.path(), "--provider", "corp"];

    let device = run(&[&["login", "--device"][..], &base].concat()).await;
    assert_eq!(device.code, 2, "{device:?}");
    assert!(device.stdout.is_empty(), "{device:?}");
    assert!(
        device.error_line().contains("device authorization"),
        "{device:?}"
    );

    let introspect = run(&[&["introspect"][..], &base, &["--token", "at-secret"]].concat()).await;
    assert_eq!(introspect.code, 2, "{introspect:?}");
    assert!(introspect.stdout.is_empty(), "{introspect:?}");
    assert!(
        introspect.error_line().contains("introspection"),
        "{introspect:?}"
    );
    assert!(!introspect.stderr.contains("at-secret"), "{introspect:?}");

    let par = config(addr, "par = true\n");
    let login = run(&[
        "login",
        "--config",
        par.path(),
        "--provider",
        "corp",
        "--no-browser",
        "--timeout",
        "5",
    ])
    .await;
    assert_eq!(login.code, 2, "{login:?}");
    assert!(login.stdout.is_empty(), "{login:?}");
    assert!(
        login
            .error_line()
            .contains("pushed_authorization_request_endpoint"),
        "{login:?}"
    );
    only_discovery(&rx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_tokens_files_are_refused_before_anything_is_sent() {
    let (addr, rx) = bare_provider();
    let config = config(addr, "dpop = true\n");
    let base = ["userinfo", "--config", config.path(), "--provider", "corp"];
    let redacted = json!({"provider": "corp", "token_type": "DPoP", "access_token": "[redacted]",
                          "dpop_key": "[redacted]"})
    .to_string();
    let other = json!({"provider": "elsewhere", "token_type": "Bearer",
                       "access_token": "at-of-another-provider"})
    .to_string();
    for (input, expected) in [
        (redacted.as_str(), "--reveal"),
        (other.as_str(), "not \"corp\""),
        ("not json", "not JSON"),
    ] {
        let run = run_with_stdin(&[&base[..], &["--tokens", "-"]].concat(), Some(input)).await;
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.error_line().contains(expected), "{run:?}");
        assert!(!run.stderr.contains("at-of-another-provider"), "{run:?}");
    }
    let both = run(&[&base[..], &["--tokens", "-", "--access-token", "at"]].concat()).await;
    assert_eq!(both.code, 2, "{both:?}");
    let keyless =
        json!({"provider": "corp", "token_type": "DPoP", "access_token": "at-bound"}).to_string();
    let run = run_with_stdin(&[&base[..], &["--tokens", "-"]].concat(), Some(&keyless)).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.error_line().contains("DPoP key"), "{run:?}");
    assert!(!run.stderr.contains("at-bound"), "{run:?}");
    only_discovery(&rx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_device_conflicts_with_the_browser_options() {
    let config = ConfigFile::toml(
        "[providers.corp]\nkind = \"oidc\"\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"app\"\n",
    );
    for extra in ["--no-browser", "--redirect-uri=http://127.0.0.1:8400/cb"] {
        let run = run(&[
            "login",
            "--device",
            extra,
            "--config",
            config.path(),
            "--provider",
            "corp",
        ])
        .await;
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
    }
}

/// The device login's contract on a provider that answers `expired_token`, `access_denied` or
/// an unreachable one: the lines on stderr, exit 4, 3 and 4, nothing on stdout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_device_exit_codes() {
    for (error, code) in [("expired_token", 4), ("access_denied", 3)] {
        let (addr, rx) = provider_with(
            json!({"device_authorization_endpoint": "/device/auth"}),
            move |line| {
                if line.starts_with("POST /device/auth ") {
                    Some((
                        "200 OK",
                        json!({"device_code": "dc-secret", "user_code": "WDJB-MJHT",
                               "verification_uri": "http://127.0.0.1/device",
                               "verification_uri_complete": "http://127.0.0.1/device?user_code=WDJB-MJHT",
                               "expires_in": 600, "interval": 1})
                        .to_string(),
                    ))
                } else if line.starts_with("POST /token ") {
                    Some(("400 Bad Request", json!({"error": error}).to_string()))
                } else {
                    None
                }
            },
        );
        let config = config(addr, "");
        let run = run(&[
            "login",
            "--device",
            "--config",
            config.path(),
            "--provider",
            "corp",
        ])
        .await;
        assert_eq!(run.code, code, "{error}: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(
            lines[..2],
            [
                "To sign in, open http://127.0.0.1/device and enter the code WDJB-MJHT",
                "Or open: http://127.0.0.1/device?user_code=WDJB-MJHT",
            ],
            "{run:?}"
        );
        assert!(lines[2].contains(error), "{run:?}");
        assert!(!run.stderr.contains("dc-secret"), "{run:?}");
        let sent: Vec<String> = rx.try_iter().collect();
        assert_eq!(
            sent.iter()
                .filter(|l| l.starts_with("POST /token "))
                .count(),
            1,
            "{sent:?}"
        );
    }
    // No provider at all: a transport failure before anything is shown.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = config(closed, "");
    let run = run(&[
        "introspect",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--token",
        "at",
    ])
    .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}
