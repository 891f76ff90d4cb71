//! `tokenbridge login` driven as a browser would drive it, for every CLI test file: the
//! process (its printed URL, its end), plain HTTP GETs that follow nothing, and a whole
//! sign-in through an emulator that approves at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokenbridge::Url;

use super::{assert_no_panic, command, Run};

/// The line `login` prints before the URL.
pub(crate) const URL_LINE: &str = "Open this URL to sign in: ";

// ---------------------------------------------------------------------------------------------
// Plain HTTP, as a browser that follows nothing

/// One HTTP answer.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: u16,
    /// Names and values as sent, in order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl HttpReply {
    /// The first header called `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A GET of the `http://` URL `url`, its fragment left out as a browser does.
pub(crate) fn get_blocking(url: &str) -> std::io::Result<HttpReply> {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = path.split('#').next().unwrap_or_default();
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
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(HttpReply {
        status,
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect(),
        body: body.to_owned(),
    })
}

/// [`get_blocking`] on a blocking thread, so the emulators keep serving.
pub(crate) async fn get(url: &str) -> std::io::Result<HttpReply> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || get_blocking(&url))
        .await
        .unwrap()
}

/// Follows an authorization URL one step: the redirect (302, or WeChat's and DingTalk's 303)
/// to the callback URL, which is returned.
pub(crate) async fn authorize(url: &str) -> String {
    let reply = get(url).await.unwrap();
    assert!(matches!(reply.status, 302 | 303), "{reply:?}");
    reply.header("location").expect("a Location").to_owned()
}

/// Follows the authorization URL and then its redirect to the login's listener, as a
/// browser would; returns the listener's status.
pub(crate) async fn follow_redirect(url: &str) -> u16 {
    let callback = authorize(url).await;
    get(&callback).await.unwrap().status
}

/// An HTTP client that does not follow redirects, for what plain GETs cannot do (Sign in
/// with Apple's `form_post`).
pub(crate) fn browser() -> tokenbridge::reqwest::Client {
    tokenbridge::reqwest::Client::builder()
        .redirect(tokenbridge::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The process

/// A `tokenbridge` process whose stderr is read line by line as it comes, killed when
/// dropped (a test that fails does not leave it running).
pub(crate) struct Process {
    /// `None` once [`Process::finish`] took it to reap it.
    child: Option<Child>,
    /// `None` only while a line is awaited on a blocking thread.
    stderr: Option<mpsc::Receiver<String>>,
    started: Instant,
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Process {
    /// Spawns `command` with stdout and stderr piped.
    pub(crate) fn spawn(mut command: Command) -> Self {
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting tokenbridge");
        let pipe = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child: Some(child),
            stderr: Some(rx),
            started,
        }
    }

    /// The next stderr line, waiting at most `wait`.
    pub(crate) async fn stderr_line(&mut self, wait: Duration) -> Option<String> {
        let rx = self.stderr.take().expect("the stderr reader");
        let (line, rx) = tokio::task::spawn_blocking(move || (rx.recv_timeout(wait), rx))
            .await
            .unwrap();
        self.stderr = Some(rx);
        line.ok()
    }

    /// Whether the process still runs.
    pub(crate) fn is_running(&mut self) -> bool {
        let child = self.child.as_mut().expect("the process is running");
        child.try_wait().unwrap().is_none()
    }

    /// Waits for the process to end: its exit code, stdout and the stderr lines not read
    /// yet, and how long it ran. Fails on any sign of a panic.
    pub(crate) async fn finish(mut self) -> (Run, Duration) {
        let mut child = self.child.take().expect("the process is running");
        let (status, stdout) = tokio::task::spawn_blocking(move || {
            let status = child.wait().unwrap();
            let mut stdout = String::new();
            if let Some(mut pipe) = child.stdout.take() {
                pipe.read_to_string(&mut stdout).unwrap();
            }
            (status, stdout)
        })
        .await
        .unwrap();
        let elapsed = self.started.elapsed();
        let mut stderr = String::new();
        let rx = self.stderr.take().expect("the stderr reader");
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
            stderr.push_str(&line);
            stderr.push('\n');
        }
        let run = Run {
            code: status.code().expect("exited, not killed"),
            stdout,
            stderr,
        };
        assert_no_panic(&run.stderr);
        (run, elapsed)
    }
}

/// A running `tokenbridge login --no-browser` with the authorization URL it printed.
pub(crate) struct LoginProcess {
    process: Process,
    /// The authorization URL.
    pub(crate) url: Url,
}

impl LoginProcess {
    /// Starts `tokenbridge login --no-browser ARGS` and waits for its URL line on stderr.
    pub(crate) async fn start(args: &[&str]) -> Self {
        let mut all = vec!["login", "--no-browser"];
        all.extend_from_slice(args);
        Self::spawn(command(&all, &[])).await
    }

    /// Spawns `command`, a `tokenbridge login --no-browser`, and waits for its URL line.
    pub(crate) async fn spawn(command: Command) -> Self {
        let mut process = Process::spawn(command);
        let Some(first) = process.stderr_line(Duration::from_secs(20)).await else {
            let status = process.child.as_mut().map(Child::try_wait);
            panic!("no URL line on stderr; the login's status: {status:?}")
        };
        let url = first
            .strip_prefix(URL_LINE)
            .unwrap_or_else(|| panic!("the first stderr line is not the URL: {first:?}"));
        let url = Url::parse(url).unwrap_or_else(|e| panic!("{e}: {url:?}"));
        Self { process, url }
    }

    /// The `redirect_uri` of the authorization URL: where the login listens.
    pub(crate) fn redirect_uri(&self) -> String {
        self.url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .expect("a redirect_uri in the authorization URL")
    }

    /// Whether the login still waits.
    pub(crate) fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Waits for the process to end.
    pub(crate) async fn finish(self) -> Run {
        self.finish_timed().await.0
    }

    /// Waits for the process to end; also how long it ran.
    pub(crate) async fn finish_timed(self) -> (Run, Duration) {
        self.process.finish().await
    }
}

/// Runs `tokenbridge ARGS` (a `login --no-browser`) with `env` to its end, playing the browser
/// through an authorize endpoint that approves at once; returns the run and the
/// authorization URL it printed.
pub(crate) async fn sign_in(args: &[&str], env: &[(&str, &str)]) -> (Run, String) {
    let login = LoginProcess::spawn(command(args, env)).await;
    let url = login.url.to_string();
    // The listener answers the callback with a page; the login then ends.
    follow_redirect(&url).await;
    (login.finish().await, url)
}
