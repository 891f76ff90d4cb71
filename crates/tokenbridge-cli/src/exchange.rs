//! `tokenbridge exchange`.

use clap::{ArgGroup, Args};
use tokenbridge::output::{token_set_json, Secrets};
use tokenbridge::Grant;

use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge exchange`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("grant").required(true).args(["code", "refresh_token", "qr_ticket", "client_credentials"])))]
pub(crate) struct ExchangeArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// An authorization code (needs --redirect-uri).
    #[arg(long, value_name = "C", requires = "redirect_uri")]
    code: Option<String>,
    /// The redirect URI of the authorize request.
    #[arg(long, value_name = "U")]
    redirect_uri: Option<String>,
    /// The PKCE verifier, when the authorize request carried a challenge.
    #[arg(long, value_name = "V", requires = "code")]
    code_verifier: Option<String>,
    /// A refresh token.
    #[arg(long, value_name = "RT")]
    refresh_token: Option<String>,
    /// A GenAuth QR-login ticket.
    #[arg(long, value_name = "T")]
    qr_ticket: Option<String>,
    /// Use the client credentials grant.
    #[arg(long)]
    client_credentials: bool,
    /// Scopes (space-separated) for --refresh-token or --client-credentials.
    #[arg(long, value_name = "S")]
    scope: Option<String>,
    // Help as an attribute: in a doc comment rustdoc would take "[redacted]" for a link.
    #[arg(long, help = "Show secret values instead of \"[redacted]\"")]
    reveal: bool,
}

impl ExchangeArgs {
    fn grant(&self) -> Result<Grant, Failure> {
        let scopes = || -> Vec<String> {
            self.scope
                .as_deref()
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        if self.scope.is_some() && (self.code.is_some() || self.qr_ticket.is_some()) {
            return Err(Failure::Usage(
                "--scope goes with --refresh-token or --client-credentials".into(),
            ));
        }
        Ok(if let Some(code) = &self.code {
            let redirect_uri = self.redirect_uri.clone().unwrap_or_default();
            match &self.code_verifier {
                Some(v) => Grant::authorization_code_pkce(code, redirect_uri, v),
                None => Grant::authorization_code(code, redirect_uri),
            }
        } else if let Some(rt) = &self.refresh_token {
            let mut grant = Grant::refresh_token(rt);
            if let Grant::RefreshToken { scopes: s, .. } = &mut grant {
                *s = scopes();
            }
            grant
        } else if let Some(ticket) = &self.qr_ticket {
            Grant::qr_ticket(ticket)
        } else {
            Grant::client_credentials(scopes())
        })
    }
}

/// Runs `tokenbridge exchange`.
pub(crate) async fn run(args: ExchangeArgs) -> Result<(), Failure> {
    let grant = args.grant()?;
    let exchanger = args.provider.build()?;
    let tokens = exchanger.exchange(grant).await?;
    let secrets = if args.reveal {
        Secrets::Reveal
    } else {
        Secrets::Redact
    };
    print_json(&token_set_json(&tokens, secrets));
    Ok(())
}
