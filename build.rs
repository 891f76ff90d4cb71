//! Tells the facade's tests whether the certified OpenID Provider (and, for the browser tests,
//! headless Chromium) can run here.
//!
//! Tests that need it carry `#[cfg_attr(tokenbridge_no_interop, ignore = "...")]`, so on a
//! machine without Node.js or without `npm ci --prefix tests/interop` they are reported as
//! ignored, with the reason, instead of passing without having run. With `CI` set (or
//! `TOKENBRIDGE_INTEROP=required`) the cfg is never set: the tests run and fail loudly.
//! Nothing here changes the library itself.

use std::path::Path;
use std::process::Command;

fn main() {
    browser();
    println!("cargo::rustc-check-cfg=cfg(tokenbridge_no_interop)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=TOKENBRIDGE_INTEROP");
    println!("cargo::rerun-if-env-changed=TOKENBRIDGE_NODE");
    println!("cargo::rerun-if-env-changed=PATH");
    let package = Path::new("tests/interop/node_modules/oidc-provider/package.json");
    if required() {
        return;
    }
    let node = std::env::var("TOKENBRIDGE_NODE").unwrap_or_else(|_| "node".to_owned());
    let node_runs = Command::new(node)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if node_runs && package.is_file() {
        println!("cargo::rerun-if-changed={}", package.display());
    } else {
        println!("cargo::rustc-cfg=tokenbridge_no_interop");
        // A path that never exists makes Cargo rerun this script on every build, so a later
        // `npm ci` is noticed without a `cargo clean` (npm dates the files it unpacks in 1985).
        println!("cargo::rerun-if-changed=/nonexistent/tokenbridge/rerun-until-found");
    }
}

/// The browser tests (tests/browser.rs) also need `npm ci --prefix tests/browser` and
/// Chromium (`TOKENBRIDGE_CHROMIUM`, else /usr/bin/chromium); without them, the
/// `tokenbridge_no_browser` cfg reports them as ignored, except where the provider is required.
fn browser() {
    println!("cargo::rustc-check-cfg=cfg(tokenbridge_no_browser)");
    println!("cargo::rerun-if-env-changed=TOKENBRIDGE_CHROMIUM");
    if required() {
        return;
    }
    let chromium =
        std::env::var("TOKENBRIDGE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let node = std::env::var("TOKENBRIDGE_NODE").unwrap_or_else(|_| "node".to_owned());
    let node_runs = Command::new(node)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    let needed = [
        Path::new("tests/browser/node_modules/playwright-core/package.json"),
        Path::new("tests/interop/node_modules/oidc-provider/package.json"),
        Path::new(&chromium),
    ];
    if node_runs && needed.iter().all(|p| p.is_file()) {
        for path in needed {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    } else {
        println!("cargo::rustc-cfg=tokenbridge_no_browser");
        println!("cargo::rerun-if-changed=/nonexistent/tokenbridge/rerun-until-found");
    }
}

/// Whether the provider must run (CI, or asked for): then nothing is ignored.
fn required() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    ci || std::env::var("TOKENBRIDGE_INTEROP").is_ok_and(|v| v == "required")
}
