//! `tokenbridge token`: a valid access token from a stored session, refreshed first when it
//! expires within `--min-valid` seconds.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokenbridge::session::{EndReason, FileStore, SessionError, TokenSession};
use tokenbridge::{Error, ExposeSecret};

use crate::{Failure, ProviderArgs};

/// Arguments of `tokenbridge token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// The session file `tokenbridge login --session FILE` wrote. The client's credentials and
    /// the endpoints come from --config, never from this file.
    #[arg(long, value_name = "FILE")]
    session: PathBuf,
    /// Refresh first when the access token expires within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    min_valid: u64,
}

/// How a session failure maps onto the CLI's exit codes: an ended session or any refusal of
/// the refresh is 3, a session file that cannot be used is 2, the network is 4 (a refresh
/// whose answer was lost too: nothing refused it, although it ends the session).
fn failure(error: Error) -> Failure {
    let Some(session) = error.session_error() else {
        return Failure::Library(error);
    };
    match session {
        SessionError::Ended {
            reason: EndReason::OutcomeUnknown(source),
            provider,
        } => Failure::Transport(format!(
            "the refresh request to provider {provider:?} may have reached it, but its answer \
             was lost ({source}); the refresh token may have been spent and will not be resent: \
             the session has ended, sign in again (tokenbridge login --session FILE)"
        )),
        SessionError::RefreshFailed { source, .. }
        | SessionError::BackingOff { last: source, .. } => match &**source {
            Error::OAuth(_) | Error::Vendor(_) => Failure::Refused(error.to_string()),
            _ => Failure::Library(error),
        },
        SessionError::Ended { .. } => Failure::Refused(error.to_string()),
        SessionError::Store(_)
        | SessionError::NoTokens { .. }
        | SessionError::ProviderMismatch { .. } => Failure::Usage(error.to_string()),
        _ => Failure::Library(error),
    }
}

/// Runs `tokenbridge token`.
pub(crate) async fn run(args: TokenArgs) -> Result<(), Failure> {
    // A missing or unreadable file is a usage error before any configuration is read.
    std::fs::File::open(&args.session).map_err(|e| {
        Failure::Usage(format!(
            "cannot read the session file {}: {e}; create it with `tokenbridge login --session {}`",
            args.session.display(),
            args.session.display()
        ))
    })?;
    let provider = args.provider.build()?;
    let session = TokenSession::builder(Arc::new(provider))
        .store(Arc::new(FileStore::new(&args.session)))
        .refresh_margin(Duration::from_secs(args.min_valid))
        // The caller asked for a token valid --min-valid seconds: a failed refresh is an
        // answer, not a reason to hand out the one that is about to expire.
        .stale_while_failing(false)
        .build();
    let token = session.access_token().await.map_err(failure)?;
    // The one command whose purpose is to reveal a token: only the token and a newline.
    println!("{}", token.expose_secret());
    Ok(())
}
