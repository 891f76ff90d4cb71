//! `tokenbridge introspect`: asks the provider whether a token is active (RFC 7662).

use clap::Args;
use tokenbridge::{SecretString, TokenTypeHint};

use crate::exchange::read_stdin_line;
use crate::signout::Hint;
use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge introspect`.
#[derive(Debug, Args)]
pub(crate) struct IntrospectArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The token to ask about; `-` reads it from the first line of standard input.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    token: String,
    /// What the token is, to help the provider find it (RFC 7662 2.1).
    #[arg(long, value_enum, value_name = "HINT")]
    token_type_hint: Option<Hint>,
}

/// Runs `tokenbridge introspect`: prints the normalized answer as one JSON object; exit 0 when
/// the token is active, 3 when it is not, 2 when the provider has no introspection endpoint.
pub(crate) async fn run(args: IntrospectArgs) -> Result<(), Failure> {
    let token = match args.token.as_str() {
        "-" => read_stdin_line("--token")?,
        other => other.trim().to_owned(),
    };
    let provider = args.provider.build()?;
    let hint = args.token_type_hint.map(|h| match h {
        Hint::AccessToken => TokenTypeHint::AccessToken,
        Hint::RefreshToken => TokenTypeHint::RefreshToken,
    });
    let answer = provider
        .introspect(&SecretString::from(token), hint)
        .await?;
    print_json(&answer.to_json());
    if answer.active {
        Ok(())
    } else {
        Err(Failure::Refused(
            "the token is not active (expired, revoked, unknown, or not this client's)".into(),
        ))
    }
}
