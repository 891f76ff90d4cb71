//! Running the `tokenbridge` binary in tests, shared by the CLI's test files. Each test file
//! is its own crate and uses only part of this module.
#![allow(dead_code)]

pub(crate) mod login;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_tokenbridge");

/// What one run of the binary gave.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// stdout parsed as the one JSON object the CLI prints.
    pub(crate) fn json(&self) -> Value {
        assert_eq!(
            self.stdout.lines().count(),
            1,
            "one line of JSON on stdout: {self:?}"
        );
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The single stderr line (the CLI reports every failure on one line).
    pub(crate) fn error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one stderr line: {self:?}");
        lines[0]
    }
}

/// Fails on anything a panic or a backtrace would print.
pub(crate) fn assert_no_panic(stderr: &str) {
    for marker in [
        "panicked",
        "backtrace",
        "RUST_BACKTRACE",
        "internal error",
        "at src/",
    ] {
        assert!(!stderr.contains(marker), "{marker:?} in stderr: {stderr}");
    }
}

/// The binary with a clean environment plus `env`: no proxy settings or secrets leak in, and
/// a backtrace would be printed if anything panicked.
pub(crate) fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("RUST_BACKTRACE", "full")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Runs the binary to its end on a blocking thread (so the emulators keep serving), with
/// `stdin` as its first line of input when given.
pub(crate) async fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    run_command(command(args, env), stdin).await
}

/// [`run_with`] for a command already put together.
pub(crate) async fn run_command(mut command: Command, stdin: Option<&str>) -> Run {
    let input = stdin.map(str::to_owned);
    let output = tokio::task::spawn_blocking(move || {
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = input {
            writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let run = Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {output:?}")),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert_no_panic(&run.stderr);
    run
}

/// [`run_with`] without extra environment or input.
pub(crate) async fn run(args: &[&str]) -> Run {
    run_with(args, &[], None).await
}

/// [`run_with`] with extra environment variables.
pub(crate) async fn run_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_with(args, env, None).await
}

/// [`run_with`] with a first line of standard input.
pub(crate) async fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    run_with(args, &[], stdin).await
}

/// A child process killed when the test ends, even when it fails.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `tokenbridge emulate --vendor VENDOR` until its `# ready` line: the process (killed
/// when dropped) and the configuration it printed.
pub(crate) async fn emulate(vendor: &str) -> (Running, String) {
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
    (Running(child), text)
}

/// Checks that `tokenbridge emulate --vendor VENDOR` prints a configuration that works: its
/// `[providers.VENDOR]` table names the kind, `client_id` and `client_secret`; the emulator's
/// authorize endpoint (`authorize`: path and query below its `base_url`) approves at once
/// with the code in the callback's `code_param`; `exchange` with that code exits 0.
pub(crate) async fn check_emulated_configuration(
    vendor: &str,
    client_id: &str,
    client_secret: &str,
    authorize: &str,
    code_param: &str,
) {
    let (_running, text) = emulate(vendor).await;
    let parsed: toml::Value = text.parse().unwrap();
    let table = &parsed["providers"][vendor];
    assert_eq!(table["kind"].as_str(), Some(vendor));
    assert_eq!(table["client_id"].as_str(), Some(client_id));
    assert_eq!(table["client_secret"].as_str(), Some(client_secret));
    let base = table["base_url"].as_str().unwrap();
    let config = ConfigFile::toml(&text);
    let callback = login::authorize(&format!("{base}{authorize}")).await;
    let code = tokenbridge::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == code_param)
        .unwrap_or_else(|| panic!("no {code_param} in {callback}"))
        .1
        .into_owned();
    let args = [
        "exchange",
        "--config",
        config.path(),
        "--provider",
        vendor,
        "--code",
        &code,
    ];
    let run = run(&args).await;
    assert_eq!(run.code, 0, "{run:?}");
}

/// A configuration file in the temp directory, removed when dropped.
pub(crate) struct ConfigFile(pub(crate) PathBuf);

impl ConfigFile {
    pub(crate) fn new(extension: &str, text: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "tokenbridge-cli-test-{}-{}.{extension}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }

    pub(crate) fn toml(text: &str) -> Self {
        Self::new("toml", text)
    }

    pub(crate) fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
