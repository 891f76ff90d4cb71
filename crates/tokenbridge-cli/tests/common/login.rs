//! A `tokenbridge login` process a test drives as a browser would.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{assert_no_panic, command, Run};

/// The line `login` prints before the URL.
pub(crate) const URL_LINE: &str = "Open this URL to sign in: ";

/// A running `tokenbridge login --no-browser`, killed when dropped, with the URL it printed.
pub(crate) struct LoginProcess {
    child: Option<Child>,
    stderr: mpsc::Receiver<String>,
    /// The authorization URL.
    pub(crate) url: String,
}

impl Drop for LoginProcess {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl LoginProcess {
    /// Starts `tokenbridge login --no-browser ARGS` and waits for its URL line on stderr.
    pub(crate) async fn start(args: &[&str]) -> Self {
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
            .unwrap_or_else(|| panic!("first stderr line: {first:?}"))
            .to_owned();
        Self {
            child: Some(child),
            stderr: rx,
            url,
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

/// An HTTP client that does not follow redirects, as a test's browser.
pub(crate) fn browser() -> tokenbridge::reqwest::Client {
    tokenbridge::reqwest::Client::builder()
        .redirect(tokenbridge::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows the authorization URL one step and then its redirect to the login's listener,
/// as a browser would; returns the listener's status.
pub(crate) async fn follow_redirect(url: &str) -> u16 {
    let browser = browser();
    let reply = browser.get(url).send().await.unwrap();
    assert_eq!(reply.status(), 302, "{reply:?}");
    let callback = reply.headers()["location"].to_str().unwrap().to_owned();
    browser
        .get(callback)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
