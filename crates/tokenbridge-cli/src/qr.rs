//! `tokenbridge qr-login`.

use std::time::Duration;

use clap::Args;
use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;
use tokenbridge::genauth::QrCodeType;
use tokenbridge::output::{token_set_json, Secrets};
use tokenbridge::{Config, Registry};

use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge qr-login`.
#[derive(Debug, Args)]
pub(crate) struct QrLoginArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// MOBILE_APP, WECHAT_MINIPROGRAM or WECHAT_OFFICIAL_ACCOUNT.
    #[arg(long = "type", value_name = "TYPE", default_value = "MOBILE_APP")]
    kind: String,
    /// Seconds between status checks.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    interval: u64,
    /// Seconds to wait for the user before giving up (QR codes live 120 s by default).
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,
    /// Do not draw the QR code, only print its URL.
    #[arg(long)]
    no_draw: bool,
    /// Show secret values instead of "[redacted]".
    #[arg(long)]
    reveal: bool,
}

/// Draws `text` as a QR code with Unicode half blocks, for a terminal.
pub(crate) fn draw(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().quiet_zone(true).build())
}

/// Runs `tokenbridge qr-login`. Progress goes to stderr; the TokenSet alone to stdout.
pub(crate) async fn run(args: QrLoginArgs) -> Result<(), Failure> {
    let kind: QrCodeType = args.kind.parse()?;
    let config = Config::from_file(&args.provider.config)?;
    let exchanger = Registry::new().build_genauth(&config, &args.provider.provider)?;
    let qr = exchanger.generate_qr_code(kind).await?;
    eprintln!("Scan this QR code ({kind}) to sign in: {}", qr.url);
    if !args.no_draw {
        if let Some(picture) = draw(&qr.url) {
            eprintln!("{picture}");
        }
    }
    let tokens = exchanger
        .poll_qr_login(qr.id.clone())
        .interval(Duration::from_secs(args.interval.max(1)))
        .deadline(Duration::from_secs(args.timeout))
        .cancel_on(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .run(|status| eprintln!("status: {} ({status})", status.as_str()))
        .await?;
    let secrets = if args.reveal {
        Secrets::Reveal
    } else {
        Secrets::Redact
    };
    print_json(&token_set_json(&tokens, secrets));
    Ok(())
}
