//! `tokenbridge exchange`.

use crate::output::{token_set_json, Secrets};
use clap::{ArgGroup, Args};
use tokenbridge::{Grant, PkceVerifier, TokenExchanger};

use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge exchange`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("grant").required(true).args(["code", "refresh_token", "qr_ticket", "client_credentials"])))]
pub(crate) struct ExchangeArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// An authorization code (needs --redirect-uri). For this and the other credentials, `-`
    /// reads the value from the first line of standard input, keeping it out of the process
    /// list and the shell history.
    #[arg(long, value_name = "C", allow_hyphen_values = true)]
    code: Option<String>,
    /// The redirect URI of the authorize request (default: the provider's `redirect_uri`;
    /// providers that require one refuse a code without it before sending anything).
    #[arg(long, value_name = "U", allow_hyphen_values = true)]
    redirect_uri: Option<String>,
    /// The PKCE verifier, when the authorize request carried a challenge.
    #[arg(long, value_name = "V", requires = "code", allow_hyphen_values = true)]
    code_verifier: Option<String>,
    /// A refresh token.
    #[arg(long, value_name = "RT", allow_hyphen_values = true)]
    refresh_token: Option<String>,
    /// A GenAuth QR-login ticket.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    qr_ticket: Option<String>,
    /// Use the client credentials grant.
    #[arg(long)]
    client_credentials: bool,
    /// Scopes (space-separated) for --refresh-token or --client-credentials.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    scope: Option<String>,
    // Help as an attribute: in a doc comment rustdoc would take "[redacted]" for a link.
    #[arg(long, help = "Show secret values instead of \"[redacted]\"")]
    reveal: bool,
}

/// Reads a credential given as `-` from standard input (one line); at most one may be.
struct Credentials {
    stdin_used_by: Option<&'static str>,
}

impl Credentials {
    fn read(&mut self, flag: &'static str, value: &str) -> Result<String, Failure> {
        if value != "-" {
            return Ok(value.to_owned());
        }
        if let Some(first) = self.stdin_used_by.replace(flag) {
            return Err(Failure::Usage(format!(
                "only one credential can come from standard input, and {first} already does"
            )));
        }
        read_stdin_line(flag)
    }
}

/// Reads the first line of standard input, for a credential given as `-`.
pub(crate) fn read_stdin_line(flag: &str) -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(format!("cannot read {flag} from standard input: {e}")))?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        return Err(Failure::Usage(format!(
            "{flag} - reads standard input, which was empty"
        )));
    }
    Ok(line)
}

impl ExchangeArgs {
    fn grant(&self, default_redirect_uri: Option<&str>) -> Result<Grant, Failure> {
        let mut credentials = Credentials {
            stdin_used_by: None,
        };
        let scopes: Vec<String> = self
            .scope
            .as_deref()
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if self.code_verifier.is_some() && self.code.is_none() {
            return Err(Failure::Usage(
                "--code-verifier goes with --code (the PKCE verifier of that code)".into(),
            ));
        }
        if self.scope.is_some() && (self.code.is_some() || self.qr_ticket.is_some()) {
            return Err(Failure::Usage(
                "--scope goes with --refresh-token or --client-credentials".into(),
            ));
        }
        Ok(if let Some(code) = &self.code {
            let code = credentials.read("--code", code)?;
            let grant = match self.redirect_uri.as_deref().or(default_redirect_uri) {
                Some(uri) => Grant::authorization_code(code, uri),
                None => Grant::authorization_code_without_redirect_uri(code),
            };
            match &self.code_verifier {
                Some(v) => {
                    let verifier = PkceVerifier::new(credentials.read("--code-verifier", v)?)?;
                    grant.with_pkce_verifier(verifier)
                }
                None => grant,
            }
        } else if let Some(rt) = &self.refresh_token {
            Grant::refresh_token(credentials.read("--refresh-token", rt)?).with_scopes(scopes)
        } else if let Some(ticket) = &self.qr_ticket {
            tokenbridge::genauth::qr_ticket_grant(credentials.read("--qr-ticket", ticket)?)
        } else {
            Grant::client_credentials().with_scopes(scopes)
        })
    }
}

/// Runs `tokenbridge exchange`.
pub(crate) async fn run(args: ExchangeArgs) -> Result<(), Failure> {
    let provider = args.provider.build()?;
    let grant = args.grant(provider.redirect_uri())?;
    let tokens = provider.exchange(grant).await?;
    let secrets = if args.reveal {
        Secrets::Reveal
    } else {
        Secrets::Redact
    };
    print_json(&token_set_json(&tokens, secrets));
    Ok(())
}
