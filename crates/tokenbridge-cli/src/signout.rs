//! `tokenbridge revoke` and `tokenbridge logout-url`.

use clap::{Args, ValueEnum};
use tokenbridge::{LogoutRequest, SecretString, TokenTypeHint};

use crate::exchange::read_stdin_line;
use crate::{Failure, ProviderArgs};

/// Arguments of `tokenbridge revoke`.
#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The token to revoke; `-` reads it from the first line of standard input.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    token: String,
    /// What the token is, to help the provider find it (RFC 7009 2.1).
    #[arg(long, value_enum, value_name = "HINT")]
    token_type_hint: Option<Hint>,
}

/// `--token-type-hint` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub(crate) enum Hint {
    AccessToken,
    RefreshToken,
}

/// Runs `tokenbridge revoke`.
pub(crate) async fn revoke(args: RevokeArgs) -> Result<(), Failure> {
    let token = match args.token.as_str() {
        "-" => read_stdin_line("--token")?,
        other => other.to_owned(),
    };
    let provider = args.provider.build()?;
    let hint = args.token_type_hint.map(|h| match h {
        Hint::AccessToken => TokenTypeHint::AccessToken,
        Hint::RefreshToken => TokenTypeHint::RefreshToken,
    });
    provider.revoke(&SecretString::from(token), hint).await?;
    eprintln!("revoked");
    Ok(())
}

/// Arguments of `tokenbridge logout-url`.
#[derive(Debug, Args)]
pub(crate) struct LogoutUrlArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The ID token of the session, for providers that take `id_token_hint`.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    id_token: Option<String>,
    /// Where the provider sends the browser after logout.
    #[arg(long, value_name = "U", allow_hyphen_values = true)]
    post_logout_redirect_uri: Option<String>,
    /// A value handed back with that redirect.
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    state: Option<String>,
    /// Which account to sign out, for providers that take `logout_hint` (Microsoft Entra ID:
    /// the `login_hint` claim's value).
    #[arg(long, value_name = "H", allow_hyphen_values = true)]
    logout_hint: Option<String>,
}

/// Runs `tokenbridge logout-url`: prints the URL on stdout.
pub(crate) async fn logout_url(args: LogoutUrlArgs) -> Result<(), Failure> {
    let provider = args.provider.build()?;
    let mut request = LogoutRequest::new();
    if let Some(token) = args.id_token {
        let token = if token == "-" {
            read_stdin_line("--id-token")?
        } else {
            token
        };
        request = request.id_token_hint(SecretString::from(token));
    }
    if let Some(uri) = args.post_logout_redirect_uri {
        request = request.post_logout_redirect_uri(uri);
    }
    if let Some(state) = args.state {
        request = request.state(state);
    }
    if let Some(hint) = args.logout_hint {
        request = request.logout_hint(hint);
    }
    println!("{}", provider.logout_url(request).await?);
    Ok(())
}
