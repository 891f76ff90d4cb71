//! `tokenbridge`: exchange credentials for tokens with any configured provider, run a GenAuth
//! QR login, decode a JWT, or run the vendor emulators for offline development.
//!
//! Exit codes: 0 success; 2 configuration or usage error; 3 the provider refused, an ID token
//! failed a check, or a QR login ended without tokens (cancelled, expired, timed out); 4 transport failure or
//! unreadable response.

mod device;
#[cfg(feature = "emulate")]
mod emulate;
mod exchange;
mod identity;
mod introspect;
mod jwt;
mod login;
mod output;
mod qr;
mod signout;
mod token;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tokenbridge::{Error, ErrorKind};

/// Exchange credentials for tokens with any identity vendor, through one configuration.
#[derive(Debug, Parser)]
#[command(
    name = "tokenbridge",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 success; 2 configuration or usage error; 3 the provider refused, an ID token failed a check, or a QR login ended without tokens; 4 transport failure, unreadable response, or a busy or rate-limited provider (try again later)."
)]
struct Cli {
    /// Log what tokenbridge does to stderr (-v: each call, -vv: each HTTP request). Never logs
    /// a secret. RUST_LOG, when set, takes precedence (e.g. RUST_LOG=tokenbridge_core=debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// Installs a log subscriber on stderr when asked for; silent otherwise.
fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::new(spec),
        _ => match verbose {
            0 => return,
            1 => EnvFilter::new("tokenbridge_core=info"),
            _ => EnvFilter::new("tokenbridge_core=debug,tokenbridge=debug"),
        },
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exchange a code, refresh token, QR ticket or client credentials for a TokenSet.
    #[command(after_help = "Examples:
  tokenbridge exchange --config tokenbridge.toml --provider corp --code C --redirect-uri https://app.example.com/cb
  tokenbridge exchange --config tokenbridge.toml --provider corp --refresh-token RT --scope \"openid email\"
  tokenbridge exchange --config tokenbridge.toml --provider m2m --client-credentials --scope read")]
    Exchange(exchange::ExchangeArgs),
    /// Sign in through the browser (authorization code with PKCE, one loopback callback) and
    /// print the TokenSet.
    #[command(after_help = "Examples:
  tokenbridge login --config tokenbridge.toml --provider corp
  tokenbridge login --config tokenbridge.toml --provider corp --no-browser --redirect-uri http://127.0.0.1:8400/callback --scope \"openid profile\"
  tokenbridge login --device --config tokenbridge.toml --provider tv --scope \"openid offline_access\" --session ~/.tv-session.json")]
    Login(login::LoginArgs),
    /// Revoke an access or refresh token (RFC 7009).
    #[command(after_help = "Example:
  tokenbridge revoke --config tokenbridge.toml --provider corp --token - --token-type-hint refresh_token < refresh-token.txt")]
    Revoke(signout::RevokeArgs),
    /// Ask the provider whether a token is active (RFC 7662) and print its answer.
    #[command(after_help = "Example:
  tokenbridge introspect --config tokenbridge.toml --provider corp --token - --token-type-hint access_token < access-token.txt
Exit codes: 0 active; 3 not active; 2 no introspection endpoint; 4 transport failure.")]
    Introspect(introspect::IntrospectArgs),
    /// Print the provider's logout (end-session) URL.
    #[command(after_help = "Example:
  tokenbridge logout-url --config tokenbridge.toml --provider corp --post-logout-redirect-uri https://app.example.com/")]
    LogoutUrl(signout::LogoutUrlArgs),
    /// Print a valid access token from a session file, refreshing (and saving) it first when
    /// it expires within --min-valid seconds.
    #[command(after_help = "Example:
  curl -H \"Authorization: Bearer $(tokenbridge token --config tokenbridge.toml --provider corp --session ~/.corp-session.json)\" https://api.example.com/me")]
    Token(token::TokenArgs),
    /// Run a GenAuth QR-code login: show the code, follow its status, print the TokenSet.
    #[command(after_help = "Example:
  tokenbridge qr-login --config tokenbridge.toml --provider corp --type MOBILE_APP")]
    QrLogin(qr::QrLoginArgs),
    /// Verify an ID token with the provider's keys (signature, issuer, audience, lifetime,
    /// nonce) and print its claims.
    #[command(after_help = "Examples:
  tokenbridge verify-id-token --config tokenbridge.toml --provider corp --nonce N eyJhbGciOi...
  tokenbridge verify-id-token --config tokenbridge.toml --provider corp - < id-token.txt")]
    VerifyIdToken(identity::VerifyIdTokenArgs),
    /// Ask the provider's userinfo endpoint who an access token belongs to.
    #[command(after_help = "Example:
  tokenbridge userinfo --config tokenbridge.toml --provider corp --access-token - < access-token.txt
  tokenbridge userinfo --config tokenbridge.toml --provider corp --tokens ~/.corp-session.json   # DPoP-bound tokens too")]
    Userinfo(identity::UserinfoArgs),
    /// Show the header and claims of a JWT. The signature is NOT verified (see verify-id-token).
    #[command(after_help = "Example:
  tokenbridge decode-jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")]
    DecodeJwt(jwt::DecodeArgs),
    /// Run the vendor emulators on loopback, for testing applications offline.
    #[cfg(feature = "emulate")]
    #[command(after_help = "Examples:
  tokenbridge emulate
  tokenbridge emulate --vendor genauth --addr 127.0.0.1:8700")]
    Emulate(emulate::EmulateArgs),
}

/// `--config FILE --provider NAME`, shared by the commands that talk to a provider.
#[derive(Debug, Args)]
struct ProviderArgs {
    /// The configuration file (TOML, or JSON when it ends in .json).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The provider's name in the configuration.
    #[arg(long, value_name = "NAME")]
    pub(crate) provider: String,
}

impl ProviderArgs {
    fn build(&self) -> Result<tokenbridge::Provider, Error> {
        let config = tokenbridge::Config::from_file(&self.config)?;
        tokenbridge::Registry::new().build(&config, &self.provider)
    }
}

/// How a command failed, mapped to the exit codes the CLI documents.
#[derive(Debug)]
enum Failure {
    Usage(String),
    /// Nothing usable came back in time, or the network failed outside the library.
    Transport(String),
    /// The provider refused, in a way already described by the message.
    Refused(String),
    Library(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Library(e)
    }
}

/// The exit code for a library error.
fn exit_code(error: &Error) -> u8 {
    // A busy or rate-limited vendor is worth retrying later, however it said so (an HTTP
    // 429/503, or a code in a 200 answer such as WeChat's -1 and 45011).
    if matches!(
        error.kind(),
        ErrorKind::RateLimited
            | ErrorKind::ProviderUnavailable
            | ErrorKind::Timeout
            | ErrorKind::Transport
    ) {
        return 4;
    }
    match error {
        Error::Config { .. }
        | Error::InvalidInput { .. }
        | Error::UnsupportedGrant { .. }
        | Error::Unsupported { .. } => 2,
        Error::OAuth(_)
        | Error::Vendor(_)
        | Error::Device(_)
        | Error::Adapter(_)
        | Error::Callback(_) => 3,
        // A token that failed a check is a refusal; keys that could not be fetched are not.
        Error::IdToken(e) => match e.as_ref() {
            tokenbridge::IdTokenError::KeySource(source) => exit_code(source),
            _ => 3,
        },
        _ => 4,
    }
}

/// One line for stderr: the error code first for refusals, so scripts can match on it.
pub(crate) fn error_line(error: &Error) -> String {
    let line = match error {
        Error::OAuth(p) => {
            let mut line = format!("refused: {}", p.code());
            if let Some(d) = &p.description() {
                line.push_str(&format!(": {d}"));
            }
            if let Some(s) = p.status() {
                line.push_str(&format!(" (HTTP {s})"));
            }
            if let Some(h) = &p.hint() {
                line.push_str(&format!("; {h}"));
            }
            if let Some(r) = &p.retry_after() {
                line.push_str(&format!("; {r}"));
            }
            line.push_str(&format!("; {}", p.advice()));
            line
        }
        Error::Vendor(v) => {
            let mut line = format!("refused: {} status {}", v.vendor(), v.status_code());
            if let Some(code) = &v.api_code() {
                line.push_str(&format!(" code {code}"));
            }
            line.push_str(&format!(": {}", v.message()));
            if let Some(id) = &v.request_id() {
                line.push_str(&format!(" (request id {id})"));
            }
            if let Some(r) = &v.retry_after() {
                line.push_str(&format!("; {r}"));
            }
            line
        }
        other => other.to_string(),
    };
    printable(&line)
}

/// `text` safe for a terminal: control characters (ESC, BEL, CR, newlines, ...) that came
/// from a provider are written as escapes, so an answer cannot move the cursor, rewrite the
/// line or change the terminal's state.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn main() -> ExitCode {
    // A bug must not print a backtrace (which could hold request data): one line instead.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("tokenbridge: internal error{place}; please report it");
    }));
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokenbridge: cannot start the async runtime: {e}");
            return ExitCode::from(4);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Exchange(args) => exchange::run(args).await,
            Command::Login(args) => login::run(args).await,
            Command::Revoke(args) => signout::revoke(args).await,
            Command::Introspect(args) => introspect::run(args).await,
            Command::LogoutUrl(args) => signout::logout_url(args).await,
            Command::Token(args) => token::run(args).await,
            Command::QrLogin(args) => qr::run(args).await,
            Command::VerifyIdToken(args) => identity::verify_id_token(args).await,
            Command::Userinfo(args) => identity::userinfo(args).await,
            Command::DecodeJwt(args) => jwt::run(args),
            #[cfg(feature = "emulate")]
            Command::Emulate(args) => emulate::run(args).await,
        }
    });
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("tokenbridge: {}", printable(&message));
            ExitCode::from(2)
        }
        Err(Failure::Transport(message)) => {
            eprintln!("tokenbridge: {}", printable(&message));
            ExitCode::from(4)
        }
        Err(Failure::Refused(message)) => {
            eprintln!("tokenbridge: {}", printable(&message));
            ExitCode::from(3)
        }
        Err(Failure::Library(error)) => {
            eprintln!("tokenbridge: {}", error_line(&error));
            ExitCode::from(exit_code(&error))
        }
    }
}

/// Prints a JSON value on stdout, one line.
fn print_json(value: &serde_json::Value) {
    println!("{value}");
}
