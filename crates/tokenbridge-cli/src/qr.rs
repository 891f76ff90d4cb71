//! `tokenbridge qr-login`.

use std::time::Duration;

use crate::output::{token_set_json, Secrets};
use clap::Args;
use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;
use tokenbridge::genauth::{QrCodeType, QrLoginClient};
use tokenbridge::Error;

use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge qr-login`.
#[derive(Debug, Args)]
pub(crate) struct QrLoginArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// MOBILE_APP, WECHAT_MINIPROGRAM or WECHAT_OFFICIAL_ACCOUNT.
    #[arg(long = "type", value_name = "TYPE", default_value = "MOBILE_APP")]
    kind: String,
    /// Seconds between status checks (decimals allowed, at least 0.05).
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = seconds)]
    interval: Duration,
    /// Seconds to wait for the user before giving up (QR codes live 120 s by default).
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    timeout: Duration,
    /// Do not draw the QR code, only print its URL.
    #[arg(long)]
    no_draw: bool,
    // Help as an attribute: in a doc comment rustdoc would take "[redacted]" for a link.
    #[arg(long, help = "Show secret values instead of \"[redacted]\"")]
    reveal: bool,
}

/// Parses a positive number of seconds such as `2` or `0.5`.
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            format!("expected a positive number of seconds, e.g. 2 or 0.5, not {text:?}")
        })
}

/// Draws `text` as a QR code with Unicode half blocks, for a terminal.
pub(crate) fn draw(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().quiet_zone(true).build())
}

/// Runs `tokenbridge qr-login`. Progress goes to stderr; the TokenSet alone to stdout.
pub(crate) async fn run(args: QrLoginArgs) -> Result<(), Failure> {
    let kind: QrCodeType = args.kind.parse()?;
    let client = QrLoginClient::new(args.provider.build()?).map_err(|e| match e {
        // Name the key in the configuration file, as every other configuration error does.
        Error::Config {
            key: Some(key),
            message,
        } if key == "kind" => Error::config(
            format!("providers.{}.kind", args.provider.provider),
            message,
        ),
        other => other,
    })?;
    let qr = client.generate_qr_code(kind).await?;
    eprintln!(
        "Scan this QR code ({kind}) to sign in: {}",
        crate::printable(&qr.url)
    );
    if !args.no_draw {
        if let Some(picture) = draw(&qr.url) {
            eprintln!("{picture}");
        }
    }
    let tokens = client
        .poll_qr_login(qr.id.clone())
        .interval(args.interval)
        .deadline(args.timeout)
        .cancel_on(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .run(|status| {
            eprintln!(
                "status: {} ({})",
                status.as_str(),
                crate::printable(&status.to_string())
            )
        })
        .await?;
    let secrets = if args.reveal {
        Secrets::Reveal
    } else {
        Secrets::Redact
    };
    print_json(&token_set_json(&tokens, secrets));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_accept_decimals_and_refuse_the_rest() {
        assert_eq!(seconds("2"), Ok(Duration::from_secs(2)));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "abc", "", "NaN", "inf", "1e30"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
