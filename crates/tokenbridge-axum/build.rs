//! Tells the Redis store's tests whether `redis-server` is installed.
//!
//! They carry `#[cfg_attr(tokenbridge_no_redis, ignore = "...")]`, so without the server they
//! are reported as ignored, with the reason, instead of passing without having run. With `CI`
//! set the cfg is never set: the tests run and fail loudly. Nothing here changes the library.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tokenbridge_no_redis)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    match find_on_path("redis-server") {
        // Rerun when it is removed or replaced.
        Some(found) => println!("cargo::rerun-if-changed={}", found.display()),
        None => {
            // A path that never exists makes Cargo rerun this script on every build, so an
            // install is noticed without a `cargo clean` (a package keeps its files' old dates).
            println!("cargo::rerun-if-changed=/nonexistent/tokenbridge/rerun-until-found");
            if !ci {
                println!("cargo::rustc-cfg=tokenbridge_no_redis");
            }
        }
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
