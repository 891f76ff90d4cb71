//! `tokenbridge login --device`: sign in on another device (RFC 8628). The user code and where
//! to enter it go to stderr; the TokenSet goes to stdout once the user approves.

use std::time::Duration;

use tokenbridge::session::{FileStore, TokenStore};
use tokenbridge::{DeviceEnd, Error};

use crate::login::{login_json, LoginArgs};
use crate::{error_line, print_json, printable, Failure};

/// Runs `tokenbridge login --device`: exit 3 when the user refuses (`access_denied`), 4 when
/// the code expires (`expired_token`, or its lifetime ends) or `--timeout` passes first.
pub(crate) async fn run(args: LoginArgs) -> Result<(), Failure> {
    let provider = args.provider.build()?;
    // As for the browser login: --scope, else the provider's scopes, else the vendor's
    // default ("openid" for OpenID Connect; none for GitHub).
    let scopes: Vec<String> = match args.scope.as_deref() {
        Some(s) => s.split_whitespace().map(str::to_owned).collect(),
        None if !provider.scopes().is_empty() => provider.scopes().to_vec(),
        None => provider
            .vendor()
            .default_scopes
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    let authorization = provider.start_device_authorization(Some(&scopes)).await?;
    eprintln!(
        "To sign in, open {} and enter the code {}",
        printable(&authorization.verification_uri),
        printable(&authorization.user_code)
    );
    if let Some(complete) = &authorization.verification_uri_complete {
        eprintln!("Or open: {}", printable(complete));
    }
    let login = tokio::time::timeout(
        Duration::from_secs(args.timeout),
        provider.device_login(&authorization),
    )
    .await
    .map_err(|_| {
        Failure::Transport(format!(
            "the sign-in was not approved within {} s (--timeout)",
            args.timeout
        ))
    })?
    .map_err(|error| match &error {
        Error::Device(d) if d.end == DeviceEnd::Expired => Failure::Transport(error_line(&error)),
        _ => Failure::Library(error),
    })?;
    if let Some(path) = &args.session {
        // Saved (atomically, mode 0600, the DPoP key included) before anything is printed.
        FileStore::new(path)
            .save(&login.tokens)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    print_json(&login_json(&login, args.reveal));
    Ok(())
}
