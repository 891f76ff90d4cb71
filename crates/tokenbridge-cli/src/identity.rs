//! `tokenbridge verify-id-token` and `tokenbridge userinfo`: who a token belongs to, checked by
//! the provider's keys or asked of its userinfo endpoint.

use crate::output::{identity_json, token_set_from_json, verified_id_token_json};
use clap::{ArgGroup, Args};
use serde_json::Value;
use tokenbridge::{TokenSet, TokenType, VerifyOptions};

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
#[command(group(ArgGroup::new("credential").required(true).args(["access_token", "tokens"])))]
pub(crate) struct UserinfoArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The access token (sent as a Bearer token); `-` reads it from the first line of standard
    /// input.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    access_token: Option<String>,
    /// A file holding the tokens: the TokenSet JSON `exchange --reveal` or `login --reveal`
    /// prints, or the session file `login --session` writes; `-` reads standard input. A
    /// DPoP-bound token is sent with a proof from the key kept in that file.
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    tokens: Option<String>,
}

/// Reads the tokens of `--tokens FILE` (`-`: standard input), refusing another provider's.
fn read_tokens(source: &str, provider: &str) -> Result<TokenSet, Failure> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
            Failure::Usage(format!("cannot read --tokens from standard input: {e}"))
        })?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::Usage(format!("cannot read the tokens file {source}: {e}")))?
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("--tokens: not JSON: {e}")))?;
    let tokens =
        token_set_from_json(&value).map_err(|e| Failure::Usage(format!("--tokens: {e}")))?;
    // A token is sent only to the provider that issued it.
    if tokens.provider_id() != provider {
        return Err(Failure::Usage(format!(
            "--tokens holds tokens of provider {:?}, not {provider:?}",
            tokens.provider_id()
        )));
    }
    Ok(tokens)
}

/// Runs `tokenbridge userinfo`: prints the normalized identity as one JSON object.
pub(crate) async fn userinfo(args: UserinfoArgs) -> Result<(), Failure> {
    let tokens = match (&args.access_token, &args.tokens) {
        (_, Some(source)) => read_tokens(source, &args.provider.provider)?,
        (Some(token), None) => {
            let token = match token.as_str() {
                "-" => read_stdin_line("--access-token")?,
                other => other.trim().to_owned(),
            };
            TokenSet::new(args.provider.provider.clone(), token, TokenType::Bearer)
        }
        (None, None) => return Err(Failure::Usage("give --access-token or --tokens".to_owned())),
    };
    let provider = args.provider.build()?;
    let identity = match provider.userinfo_with_tokens(&tokens).await {
        // A vendor whose userinfo needs members of the token answer (WeChat's `openid`)
        // cannot be asked with the access token alone.
        Err(tokenbridge::Error::Config { key: Some(key), .. })
            if args.tokens.is_none()
                && provider
                    .vendor()
                    .userinfo
                    .params_from_tokens
                    .iter()
                    .any(|(_, member)| *member == key) =>
        {
            return Err(Failure::Usage(format!(
                "{} needs `{key}` from the token answer besides the access token: give                  --tokens FILE, the TokenSet JSON `exchange --reveal` prints",
                provider.vendor().name
            )))
        }
        other => other?,
    };
    let mut json = identity_json(&identity);
    if let Value::Object(map) = &mut json {
        map.insert("provider".into(), Value::String(provider.id().to_owned()));
    }
    print_json(&json);
    Ok(())
}
