//! `tokenbridge verify-id-token` and `tokenbridge userinfo`: who a token belongs to, checked by
//! the provider's keys or asked of its userinfo endpoint.

use clap::Args;
use serde_json::Value;
use tokenbridge::output::{identity_json, verified_id_token_json};
use tokenbridge::{SecretString, VerifyOptions};

use crate::exchange::read_stdin_line;
use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge verify-id-token`.
#[derive(Debug, Args)]
pub(crate) struct VerifyIdTokenArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The nonce sent in the authorization request: the token must carry exactly this one.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    nonce: Option<String>,
    /// The access token issued with the ID token, checked against its `at_hash`.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    access_token: Option<String>,
    /// The ID token; `-` reads it from the first line of standard input.
    #[arg(value_name = "TOKEN", allow_hyphen_values = true)]
    token: String,
}

/// Runs `tokenbridge verify-id-token`: prints the verified token as one JSON object.
pub(crate) async fn verify_id_token(args: VerifyIdTokenArgs) -> Result<(), Failure> {
    let token = match args.token.as_str() {
        "-" => read_stdin_line("TOKEN")?,
        other => other.trim().to_owned(),
    };
    let provider = args.provider.build()?;
    let mut options = VerifyOptions::new();
    if let Some(nonce) = &args.nonce {
        options = options.nonce(nonce);
    }
    if let Some(access_token) = &args.access_token {
        options = options.access_token(access_token);
    }
    let verified = provider.verify_id_token(&token, options).await?;
    print_json(&verified_id_token_json(&verified));
    Ok(())
}

/// Arguments of `tokenbridge userinfo`.
#[derive(Debug, Args)]
pub(crate) struct UserinfoArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The access token; `-` reads it from the first line of standard input.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    access_token: String,
}

/// Runs `tokenbridge userinfo`: prints the normalized identity as one JSON object.
pub(crate) async fn userinfo(args: UserinfoArgs) -> Result<(), Failure> {
    let token = match args.access_token.as_str() {
        "-" => read_stdin_line("--access-token")?,
        other => other.trim().to_owned(),
    };
    let provider = args.provider.build()?;
    let identity = provider.userinfo(&SecretString::from(token)).await?;
    let mut json = identity_json(&identity);
    if let Value::Object(map) = &mut json {
        map.insert("provider".into(), Value::String(provider.id().to_owned()));
    }
    print_json(&json);
    Ok(())
}
