//! `tokenbridge exchange` and `userinfo` with a vendor declared in the configuration file
//! alone (`[vendors.<kind>]`), against a loopback stub that records the raw requests.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

mod common;

use common::login::sign_in;
use common::{run, ConfigFile, Run};

/// One raw request from `stream`: the head, and the body its `Content-Length` announces.
fn read_request(stream: &mut std::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap_or(0);
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len || n == 0 {
                return text;
            }
        } else if n == 0 {
            return text;
        }
    }
}

/// A stub answering each request with the body given for its path (JSON, HTTP 200), sending
/// the raw request on the returned channel.
fn stub(answers: &'static [(&'static str, &'static str)]) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let request = read_request(&mut stream);
            let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            let body = answers
                .iter()
                .find(|(p, _)| path.starts_with(p))
                .map_or("{}", |(_, b)| b);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tx.send(request);
        }
    });
    (base, rx)
}

fn config(base: &str) -> ConfigFile {
    ConfigFile::toml(&format!(
        r#"
[vendors.acme]
token_path = "/api/token"
authorize_path = "/authorize"
userinfo_path = "/me"
revocation_path = "/revoke"
request_body = "json"
request_fields = {{ client_id = "clientId", client_secret = "clientSecret", grant_type = "grantType" }}
response_envelope = "data"
response_fields = {{ access_token = "accessToken", expires_in = "expiresIn" }}
error_code_field = "errCode"
error_message_field = "errMsg"
success_codes = ["0"]
errors = {{ "1001" = "invalid_grant", "1003" = "rate_limited", "-1" = "provider_unavailable" }}
userinfo_token_header = "x-acme-token"
userinfo_fields = {{ subject = "openId", name = "nick" }}

[providers.corp]
kind = "acme"
base_url = "{base}"
client_id = "app-1"
client_secret = "demo-secret"
"#
    ))
}

/// `tokenbridge COMMAND --config FILE --provider corp REST`, run to its end.
async fn corp(command: &str, config: &ConfigFile, rest: &[&str]) -> Run {
    let mut args = vec![command, "--config", config.path(), "--provider", "corp"];
    args.extend_from_slice(rest);
    run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_and_userinfo_with_a_declared_vendor() {
    let (base, requests) = stub(&[
        (
            "/api/token",
            r#"{"errCode":0,"data":{"accessToken":"at-declared-1","expiresIn":"3600","openId":"o-1"}}"#,
        ),
        ("/me", r#"{"openId":"o-1","nick":"Ann","unionId":"u-1"}"#),
    ]);
    let config = config(&base);
    let out = corp("exchange", &config, &["--code", "code-1"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(shown["access_token"], "[redacted]");
    assert_eq!(shown["expires_in"], 3600);
    assert!(!out.stdout.contains("at-declared-1"), "{}", out.stdout);
    let sent = requests.recv().unwrap();
    assert!(sent.starts_with("POST /api/token HTTP/1.1\r\n"), "{sent}");
    assert!(
        sent.ends_with(
            r#"{"clientId":"app-1","clientSecret":"demo-secret","code":"code-1","grantType":"authorization_code"}"#
        ),
        "{sent}"
    );

    let out = corp("userinfo", &config, &["--access-token", "at-declared-1"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(shown["subject"], "o-1");
    assert_eq!(shown["name"], "Ann");
    assert_eq!(shown["claims"]["unionId"], "u-1");
    let sent = requests.recv().unwrap().to_ascii_lowercase();
    assert!(sent.starts_with("get /me http/1.1\r\n"), "{sent}");
    assert!(
        sent.contains("\r\nx-acme-token: at-declared-1\r\n"),
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_vendors_refusal_exits_3_and_a_bad_declaration_exits_2() {
    let (base, _requests) = stub(&[("/api/token", r#"{"errCode":"1001","errMsg":"code used"}"#)]);
    let config = config(&base);
    let out = corp("exchange", &config, &["--code", "code-1"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("1001"), "{}", out.stderr);

    let bad = ConfigFile::toml(
        "[vendors.acme]\nauthorize_path = \"/a\"\n[providers.corp]\nkind = \"acme\"\nbase_url = \"https://id.example.com\"\nclient_id = \"c\"\n",
    );
    let out = corp("exchange", &bad, &["--code", "c"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("vendors.acme.token_path"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_or_rate_limited_vendor_exits_4_even_with_http_200() {
    for answer in [
        r#"{"errCode":1003,"errMsg":"too many requests"}"#,
        r#"{"errCode":-1,"errMsg":"system busy"}"#,
    ] {
        let answers: &'static [(&'static str, &'static str)] =
            Box::leak(vec![("/api/token", answer)].into_boxed_slice());
        let (base, _requests) = stub(answers);
        let config = config(&base);
        let out = corp("exchange", &config, &["--code", "code-1"]).await;
        assert_eq!(out.code, 4, "{answer}: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_claim_names_the_user_by_another_claim() {
    let (base, _requests) = stub(&[("/me", r#"{"openId":"o-1","nick":"Ann","unionId":"u-1"}"#)]);
    let config = ConfigFile::toml(&format!(
        "{}subject_claim = \"unionId\"\n",
        std::fs::read_to_string(config(&base).path()).unwrap()
    ));
    let out = corp("userinfo", &config, &["--access-token", "at-1"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(shown["subject"], "u-1");
    assert_eq!(shown["claims"]["openId"], "o-1");
}

/// A stub of the declared vendor for a whole sign-in: `/authorize` redirects back to the
/// `redirect_uri` it was given with a code and the `state`, `/api/token` answers tokens in the
/// envelope, `/revoke` answers 200. Every raw request goes on the channel.
fn sign_in_stub() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let request = read_request(&mut stream);
            let target = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            let reply = if target.starts_with("/authorize?") {
                let url = tokenbridge::Url::parse(&format!("http://stub{target}")).unwrap();
                let get = |name: &str| {
                    url.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default()
                };
                let mut back = tokenbridge::Url::parse(&get("redirect_uri")).unwrap();
                back.query_pairs_mut()
                    .append_pair("code", "code-declared")
                    .append_pair("state", &get("state"));
                format!("HTTP/1.1 302 Found\r\nlocation: {back}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            } else {
                let body = if target.starts_with("/api/token") {
                    r#"{"errCode":0,"data":{"accessToken":"at-declared-2","refreshToken":"rt-declared-2","expiresIn":600}}"#
                } else {
                    "{}"
                };
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let _ = stream.write_all(reply.as_bytes());
            let _ = tx.send(request);
        }
    });
    (base, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_revoke_and_logout_url_with_a_declared_vendor() {
    let (base, requests) = sign_in_stub();
    let config = config(&base);
    let args = [
        "login",
        "--no-browser",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--timeout",
        "20",
    ];
    let (out, url) = sign_in(&args, &[]).await;
    assert!(url.starts_with(&format!("{base}/authorize?")), "{url}");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("at-declared-2"), "{}", out.stdout);
    let shown: serde_json::Value =
        serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(shown["access_token"], "[redacted]", "{shown}");
    assert_eq!(shown["provider"], "corp", "{shown}");
    let authorize = requests.recv().unwrap();
    assert!(authorize.starts_with("GET /authorize?"), "{authorize}");
    let token = requests.recv().unwrap();
    assert!(token.starts_with("POST /api/token HTTP/1.1\r\n"), "{token}");
    assert!(token.contains(r#""code":"code-declared""#), "{token}");

    let out = corp("revoke", &config, &["--token", "rt-declared-2"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let revoke = requests.recv().unwrap();
    assert!(revoke.starts_with("POST /revoke HTTP/1.1\r\n"), "{revoke}");
    assert!(revoke.contains("token=rt-declared-2"), "{revoke}");

    // The declaration names no logout endpoint: unsupported, exit 2, nothing sent.
    let out = corp("logout-url", &config, &[]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(requests.try_recv().is_err());
}
