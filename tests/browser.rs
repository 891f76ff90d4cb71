//! The example web application (examples/web_app.rs) in headless Chromium against the
//! certified OpenID Provider: tests/browser/web_app.mjs signs users in through the provider's
//! real login, consent and logout pages and checks every route (see docs/web.md).
//!
//! Without Node.js, `npm ci --prefix tests/browser`, `npm ci --prefix tests/interop` or
//! Chromium (`apt-get install chromium`) this is reported as ignored, with the reason (the
//! `tokenbridge_no_browser` cfg, set by build.rs), unless `CI` is set (or
//! `TOKENBRIDGE_INTEROP=required`): then it runs and fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole run takes under a minute (half of it waiting for an access token to expire).
const TIMEOUT: Duration = Duration::from_secs(300);

/// The example's binary, which `cargo test` builds beside the test binaries.
fn web_app() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let app = profile_dir
        .join("examples")
        .join(format!("web_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        app.is_file(),
        "{} is missing: `cargo test` builds the examples, or run `cargo build --example web_app`",
        app.display()
    );
    // `cargo test --test browser` alone builds no example: refuse an old binary rather than
    // test yesterday's app.
    let built = modified(&app);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = std::iter::once(root.join("examples/web_app.rs")).chain(
        std::fs::read_dir(root.join("crates/tokenbridge-axum/src"))
            .expect("crates/tokenbridge-axum/src")
            .map(|entry| entry.expect("a source file").path()),
    );
    for source in sources {
        assert!(
            modified(&source) <= built,
            "{} is older than {}: run `cargo build --example web_app` (or the whole `cargo test`)",
            app.display(),
            source.display()
        );
    }
    app
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
#[cfg_attr(
    tokenbridge_no_browser,
    ignore = "needs Node.js, Chromium and the npm packages: apt-get install chromium; npm ci --prefix tests/interop; npm ci --prefix tests/browser"
)]
fn the_example_app_works_in_a_real_browser() {
    let node = std::env::var("TOKENBRIDGE_NODE").unwrap_or_else(|_| "node".to_owned());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/web_app.mjs");
    let mut child = Command::new(node)
        .arg(&script)
        .arg("--app")
        .arg(web_app())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs tests/browser/web_app.mjs");
    // Read on threads, so a full pipe never stalls the script.
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the browser test's status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser test did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = stdout.join().expect("stdout");
    let stderr = stderr.join().expect("stderr");
    println!("{stdout}");
    assert!(
        status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all 13 browser checks passed"), "{stdout}");
}
