//! `tokenbridge emulate`: the testkit's vendor emulators, for testing applications offline.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;
use tokenbridge_testkit::{any_loopback_port, demo};

use crate::Failure;

/// The values `--vendor` takes: each built-in kind's emulator, then `all`.
fn vendor_values() -> Vec<&'static str> {
    tokenbridge::kinds::BUILT_IN
        .iter()
        .map(|kind| kind.emulator)
        .chain(["all"])
        .collect()
}

/// Arguments of `tokenbridge emulate`.
#[derive(Debug, Args)]
pub(crate) struct EmulateArgs {
    /// Which vendor to emulate (a built-in kind), or `all` of them, on consecutive ports when
    /// --addr gives one.
    #[arg(long, default_value = "all", value_parser = clap::builder::PossibleValuesParser::new(vendor_values()))]
    vendor: String,
    /// A loopback address to listen on; with --vendor all, the next vendors take the next
    /// ports. Default: free ports.
    #[arg(long, value_name = "127.0.0.1:PORT")]
    addr: Option<SocketAddr>,
}

fn address(base: Option<SocketAddr>, offset: u16) -> Result<SocketAddr, Failure> {
    match base {
        None => Ok(any_loopback_port()),
        Some(addr) if !addr.ip().is_loopback() => Err(Failure::Usage(format!(
            "--addr {addr} is not a loopback address; the emulators listen on 127.0.0.1 or ::1 only"
        ))),
        Some(addr) if addr.port() == 0 => Ok(addr),
        Some(mut addr) => {
            let port = addr.port().checked_add(offset).ok_or_else(|| {
                Failure::Usage("--addr: the port is too high for every emulator".into())
            })?;
            addr.set_port(port);
            Ok(addr)
        }
    }
}

/// Starts the emulator called `emulator` (a [`tokenbridge::kinds::BuiltInKind::emulator`]).
async fn start(emulator: &str, addr: SocketAddr) -> Result<demo::Demo, Failure> {
    let Some(found) = demo::find(emulator) else {
        return Err(Failure::Usage(format!(
            "the built-in kind {emulator:?} has no emulator in this build of tokenbridge"
        )));
    };
    found
        .start(addr)
        .await
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// Runs `tokenbridge emulate` until Ctrl-C.
pub(crate) async fn run(args: EmulateArgs) -> Result<(), Failure> {
    let vendors: Vec<&str> = match args.vendor.as_str() {
        "all" => tokenbridge::kinds::BUILT_IN
            .iter()
            .map(|kind| kind.emulator)
            .collect(),
        one => vec![one],
    };
    let mut running = Vec::new();
    let mut out = String::from(
        "# tokenbridge emulators (loopback only). This output is a tokenbridge.toml as it stands.\n\n",
    );
    for (offset, vendor) in (0u16..).zip(vendors) {
        let emulator = start(vendor, address(args.addr, offset)?).await?;
        out.push_str(emulator.config());
        running.push(emulator);
        out.push('\n');
    }
    // The last line tells a script reading stdout that the configuration is complete.
    out.push_str(&format!(
        "# ready: {} emulator(s) running; press Ctrl-C to stop\n",
        running.len()
    ));
    print!("{out}");
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    drop(running);
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every built-in kind names an emulator this build can start.
    #[test]
    fn every_built_in_kind_has_a_demo_emulator() {
        for kind in tokenbridge::kinds::BUILT_IN {
            assert!(
                tokenbridge_testkit::demo::find(kind.emulator).is_some(),
                "{}: no demo emulator called {:?}",
                kind.name,
                kind.emulator
            );
        }
        assert_eq!(
            tokenbridge_testkit::demo::EMULATORS.len(),
            tokenbridge::kinds::BUILT_IN.len()
        );
    }
}
