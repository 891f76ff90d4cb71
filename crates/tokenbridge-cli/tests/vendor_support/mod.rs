//! A browser for the vendor tests: `tokenbridge login --no-browser` run to its end, its
//! authorization URL followed through an emulator's authorize endpoint to the callback.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use crate::common::{assert_no_panic, command, Run};

/// The `Location` of a plain `GET` of `url` (an `http://` loopback URL), or the status when
/// there is none.
pub(crate) fn follow(url: &str) -> Result<String, u16> {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .ok_or(status)
}

/// Runs `tokenbridge login --no-browser` with `args`, plays the browser (the authorize
/// endpoint approves at once), and returns the run and the authorization URL it printed.
pub(crate) async fn login(args: Vec<String>) -> (Run, String) {
    login_with_env(args, &[]).await
}

/// [`login`] with extra environment variables.
pub(crate) async fn login_with_env(
    args: Vec<String>,
    env: &'static [(&'static str, &'static str)],
) -> (Run, String) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = command(&args, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("Open this URL to sign in: ")
            .unwrap_or_else(|| panic!("first stderr line: {first:?}"))
            .to_owned();
        let callback = follow(&url).unwrap_or_else(|status| panic!("authorize gave {status}"));
        // The listener answers the callback with a page; the login then ends.
        let _ = follow(&callback);
        let output = child.wait_with_output().unwrap();
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        let run = Run {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: rest,
        };
        assert_no_panic(&run.stderr);
        (run, url)
    })
    .await
    .unwrap()
}
