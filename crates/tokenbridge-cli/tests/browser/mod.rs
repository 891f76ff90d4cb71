//! A browser's part in the CLI tests of the vendors whose sign-in page is emulated (WeChat,
//! DingTalk): plain HTTP GETs that follow nothing, and a `tokenbridge login` process waiting
//! for its callback.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tokenbridge::Url;

use crate::common::{assert_no_panic, command, Run};

/// The line `tokenbridge login --no-browser` prints before the URL.
pub(crate) const URL_LINE: &str = "Open this URL to sign in: ";

/// One HTTP answer: status and the `Location` header.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
}

fn get_blocking(url: &str) -> std::io::Result<Reply> {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = path.split('#').next().unwrap_or("/");
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let location = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_owned());
    Ok(Reply { status, location })
}

/// A GET of `url` (its fragment left out, as a browser does), on a blocking thread.
pub(crate) async fn get(url: &str) -> Reply {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || get_blocking(&url))
        .await
        .unwrap()
        .unwrap()
}

/// Follows an authorize URL one step: the callback URL the emulator redirects to.
pub(crate) async fn authorize(url: &str) -> String {
    let reply = get(url).await;
    assert!(matches!(reply.status, 302 | 303), "{reply:?}");
    reply.location.expect("a Location")
}

/// A `tokenbridge login --no-browser` process, killed when dropped.
pub(crate) struct Login {
    child: Option<Child>,
    stderr: mpsc::Receiver<String>,
    /// The URL it printed.
    pub(crate) url: Url,
}

impl Drop for Login {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Login {
    /// Starts `tokenbridge login --no-browser ARGS` and waits for its URL line on stderr.
    pub(crate) async fn start(args: &[&str]) -> Login {
        let mut all = vec!["login", "--no-browser"];
        all.extend_from_slice(args);
        let mut child = command(&all, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (first, rx) =
            tokio::task::spawn_blocking(move || (rx.recv_timeout(Duration::from_secs(20)), rx))
                .await
                .unwrap();
        let first = first.expect("the URL line on stderr");
        let url = first
            .strip_prefix(URL_LINE)
            .unwrap_or_else(|| panic!("first stderr line: {first:?}"));
        Login {
            url: Url::parse(url).unwrap(),
            child: Some(child),
            stderr: rx,
        }
    }

    /// Waits for the process to end.
    pub(crate) async fn finish(mut self) -> Run {
        let mut child = self.child.take().unwrap();
        let (status, stdout) = tokio::task::spawn_blocking(move || {
            let status = child.wait().unwrap();
            let mut stdout = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            (status, stdout)
        })
        .await
        .unwrap();
        let mut stderr = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            stderr.push_str(&line);
            stderr.push('\n');
        }
        let run = Run {
            code: status.code().expect("exited"),
            stdout,
            stderr,
        };
        assert_no_panic(&run.stderr);
        run
    }
}

/// Runs `tokenbridge emulate --vendor VENDOR` until its `# ready` line: the process (killed
/// when dropped) and the configuration it printed.
pub(crate) async fn emulate(vendor: &str) -> (crate::common::Running, String) {
    let mut child = command(&["emulate", "--vendor", vendor], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let text = tokio::task::spawn_blocking(move || {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("# ready") {
                break;
            }
        }
        text
    })
    .await
    .unwrap();
    (crate::common::Running(child), text)
}
