//! `tokenbridge login`: a browser sign-in for a native app (RFC 8252): the authorization
//! request, one callback on a loopback listener (a GET with a query, or a form POST for
//! `response_mode=form_post`), the checks, the code exchange.

use std::net::SocketAddr;
use std::time::Duration;

use crate::output::{identity_json, token_set_json, Secrets};
use clap::Args;
use tokenbridge::session::{FileStore, TokenStore};
use tokenbridge::url::{self, Url};
use tokenbridge::CompletedLogin;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{print_json, Failure, ProviderArgs};

/// Arguments of `tokenbridge login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) provider: ProviderArgs,
    /// Sign in on another device (RFC 8628): print the verification URI and the user code on
    /// stderr, then wait until the user approves there.
    #[arg(long, conflicts_with_all = ["redirect_uri", "no_browser"])]
    pub(crate) device: bool,
    /// Where the provider sends the browser back: an http URL on a loopback host, which this
    /// command listens on (default: the provider's redirect_uri, else
    /// `http://127.0.0.1:<free port>/callback`).
    #[arg(long, value_name = "URI", allow_hyphen_values = true)]
    redirect_uri: Option<String>,
    /// Scopes, space-separated (default: the provider's scopes, else the vendor's default:
    /// "openid" for OpenID Connect, none for vendors such as GitHub and Feishu).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub(crate) scope: Option<String>,
    /// Do not try to open a browser; only print the URL.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the callback.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub(crate) timeout: u64,
    // Help as an attribute: in a doc comment rustdoc would take "[redacted]" for a link.
    #[arg(long, help = "Show secret values instead of \"[redacted]\"")]
    pub(crate) reveal: bool,
    /// Also save the session (the tokens, refresh token included) to FILE, written
    /// atomically with mode 0600, for `tokenbridge token`.
    #[arg(long, value_name = "FILE")]
    pub(crate) session: Option<std::path::PathBuf>,
}

/// The largest request head the listener reads: a callback is a request line and a few
/// headers.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// The largest form body a form-POST callback (`response_mode=form_post`, Sign in with
/// Apple) may carry: a code, a state, an ID token and a `user` JSON fit many times over.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The loopback listener and the path it answers on.
struct Listener {
    socket: TcpListener,
    redirect_uri: String,
    path: String,
}

/// Binds the redirect URI, refusing anything but http on a loopback host.
async fn bind(redirect_uri: Option<String>) -> Result<Listener, Failure> {
    let Some(uri) = redirect_uri else {
        let socket = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::Usage(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = socket
            .local_addr()
            .map_err(|e| Failure::Usage(format!("cannot read the listener's port: {e}")))?
            .port();
        return Ok(Listener {
            socket,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
            path: "/callback".into(),
        });
    };
    let url = Url::parse(&uri)
        .map_err(|e| Failure::Usage(format!("the redirect URI {uri:?} is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.scheme() != "http" || !loopback {
        return Err(Failure::Usage(format!(
            "the redirect URI must be http on a loopback host (127.0.0.1, [::1] or localhost) \
             for this command to receive the callback (RFC 8252 7.3), not {uri:?}"
        )));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(url::Host::Domain(_)) => "127.0.0.1".to_owned(),
        Some(other) => other.to_string(),
        None => "127.0.0.1".to_owned(),
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| Failure::Usage(format!("cannot listen on {host}:{port}: {e}")))?;
    let socket = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on {addr}: {e}")))?;
    Ok(Listener {
        socket,
        path: url.path().to_owned(),
        redirect_uri: uri,
    })
}

/// One request received on the listener.
struct Received {
    /// The request target: path and query.
    target: String,
    /// The form body of a POST, which then carries the callback's parameters.
    form: Option<String>,
}

/// Why a request could not be read as a callback, and the status to answer it with.
enum Refused {
    BadRequest,
    LengthRequired,
    TooLarge,
    UnsupportedMediaType,
}

impl Refused {
    fn status(&self) -> &'static str {
        match self {
            Refused::BadRequest => "400 Bad Request",
            Refused::LengthRequired => "411 Length Required",
            Refused::TooLarge => "413 Content Too Large",
            Refused::UnsupportedMediaType => "415 Unsupported Media Type",
        }
    }
}

/// Reads one HTTP request: its head, and for a POST its
/// `application/x-www-form-urlencoded` body of at most [`MAX_FORM_BYTES`] (the form-POST
/// response mode). Anything else is refused with the status to answer.
async fn read_request(stream: &mut TcpStream) -> Result<Received, Refused> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buffer.len() > MAX_REQUEST_BYTES {
            return Err(Refused::TooLarge);
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| Refused::BadRequest)?;
        if n == 0 {
            return Err(Refused::BadRequest);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut parts = lines.next().ok_or(Refused::BadRequest)?.split(' ');
    let method = parts.next().ok_or(Refused::BadRequest)?.to_owned();
    let target = parts.next().ok_or(Refused::BadRequest)?.to_owned();
    if method != "POST" {
        return Ok(Received { target, form: None });
    }
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    };
    let form_type = header("content-type").is_some_and(|t| {
        t.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if !form_type {
        return Err(Refused::UnsupportedMediaType);
    }
    let length: usize = header("content-length")
        .ok_or(Refused::LengthRequired)?
        .parse()
        .map_err(|_| Refused::BadRequest)?;
    if length > MAX_FORM_BYTES {
        return Err(Refused::TooLarge);
    }
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| Refused::BadRequest)?;
        if n == 0 {
            return Err(Refused::BadRequest);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let form = String::from_utf8(body).map_err(|_| Refused::BadRequest)?;
    Ok(Received {
        target,
        form: Some(form),
    })
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>tokenbridge</title></head>\
         <body><p>{}</p></body></html>",
        html_escape(body)
    );
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Waits for a callback on the callback path, a GET with its parameters in the query or a
/// form POST with them in the body; other paths get 404, unreadable requests their error
/// status, and the wait goes on. Returns the callback's parameters as a query string.
async fn wait_for_callback(listener: &Listener) -> Result<(TcpStream, String), Failure> {
    loop {
        let (mut stream, _) = listener
            .socket
            .accept()
            .await
            .map_err(|e| Failure::Transport(format!("the callback listener failed: {e}")))?;
        let received = match read_request(&mut stream).await {
            Ok(received) => received,
            Err(refused) => {
                respond(&mut stream, refused.status(), "Bad request.").await;
                continue;
            }
        };
        let path = received.target.split('?').next().unwrap_or_default();
        if path != listener.path {
            respond(&mut stream, "404 Not Found", "Not found.").await;
            continue;
        }
        let callback = match received.form {
            // response_mode=form_post: the parameters are the body, whatever the query says.
            Some(form) => format!("{path}?{form}"),
            None => received.target,
        };
        return Ok((stream, callback));
    }
}

/// Tries to open `url` in a browser, quietly: a machine without one just shows the URL.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// The TokenSet JSON `login` prints, with `identity` when an ID token was verified.
pub(crate) fn login_json(login: &CompletedLogin, reveal: bool) -> serde_json::Value {
    let secrets = if reveal {
        Secrets::Reveal
    } else {
        Secrets::Redact
    };
    let mut json = token_set_json(&login.tokens, secrets);
    // The verified ID token's user, when an ID token came back and was verified.
    if let (Some(token), Some(identity)) = (&login.id_token, login.identity()) {
        let mut value = identity_json(&identity);
        if let Some(map) = value.as_object_mut() {
            map.insert("issuer".into(), token.issuer.clone().into());
        }
        if let Some(map) = json.as_object_mut() {
            map.insert("identity".into(), value);
        }
    }
    json
}

/// Runs `tokenbridge login`.
pub(crate) async fn run(args: LoginArgs) -> Result<(), Failure> {
    if args.device {
        return crate::device::run(args).await;
    }
    let provider = args.provider.build()?;
    // Bound before the URL is shown, so a fast browser cannot arrive before the listener.
    let listener = bind(
        args.redirect_uri
            .clone()
            .or_else(|| provider.redirect_uri().map(str::to_owned)),
    )
    .await?;
    let mut request = provider
        .authorization_request()
        .redirect_uri(listener.redirect_uri.clone());
    if let Some(scope) = &args.scope {
        request = request.scopes(scope.split_whitespace());
    }
    let request = request.build().await?;
    eprintln!("Open this URL to sign in: {}", request.url);
    if !args.no_browser {
        open_browser(request.url.as_str());
    }
    let timeout = Duration::from_secs(args.timeout);
    let (mut stream, target) = tokio::time::timeout(timeout, wait_for_callback(&listener))
        .await
        .map_err(|_| {
            Failure::Transport(format!(
                "no callback arrived within {} s (--timeout)",
                args.timeout
            ))
        })??;
    // One callback only: later deliveries find nobody listening.
    drop(listener);
    let result = provider.complete_login(&target, request.pending).await;
    match result {
        Ok(login) => {
            if let Some(path) = &args.session {
                // Saved (atomically, mode 0600) before anything is printed: a session that
                // could not be kept is a failed login.
                if let Err(error) = FileStore::new(path).save(&login.tokens).await {
                    respond(
                        &mut stream,
                        "500 Internal Server Error",
                        "Signed in, but the session could not be saved; see the terminal.",
                    )
                    .await;
                    return Err(Failure::Usage(error.to_string()));
                }
            }
            respond(
                &mut stream,
                "200 OK",
                "Signed in. You can close this window and return to the terminal.",
            )
            .await;
            print_json(&login_json(&login, args.reveal));
            Ok(())
        }
        Err(error) => {
            respond(
                &mut stream,
                "400 Bad Request",
                &format!("Sign-in failed: {}", crate::error_line(&error)),
            )
            .await;
            Err(Failure::Library(error))
        }
    }
}
