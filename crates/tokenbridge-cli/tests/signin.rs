//! `tokenbridge login`, `revoke` and `logout-url` (issue 10) as real processes against the
//! testkit's emulators, for every built-in kind; and option values that begin with `-`.

mod common;

use common::login::{authorize, get, LoginProcess, URL_LINE};
use common::{run, run_with_stdin, ConfigFile, Run};

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokenbridge::{AuthMethod, Url};
use tokenbridge_testkit::genauth::{self, GenAuthEmulator};
use tokenbridge_testkit::huawei_oneaccess::{self, HuaweiOneAccessEmulator, OneAccessOptions};
use tokenbridge_testkit::oidc::{s256, AuthorizeMode};
use tokenbridge_testkit::tencent_ciam::{self, TencentCiamEmulator};
use tokenbridge_testkit::{
    any_loopback_port, ClientRegistration, EmulatorServer, OidcEmulator, OidcProvider, Profile,
    RecordedRequest,
};

const CLIENT_ID: &str = "demo-app";
const CLIENT_SECRET: &str = "demo-secret";
const REDACTED: &str = "[redacted]";

// ---------------------------------------------------------------------------------------------
// Running the binary: see common/mod.rs

/// `COMMAND --config FILE --provider corp` followed by `rest`.
fn args<'a>(command: &'a str, config: &'a ConfigFile, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command, "--config", config.path(), "--provider", "corp"];
    args.extend_from_slice(rest);
    args
}

/// `tokenbridge login --no-browser --config FILE --provider corp` followed by `rest`, started.
async fn start_login(config: &ConfigFile, rest: &[&str]) -> LoginProcess {
    let mut all = vec!["--config", config.path(), "--provider", "corp"];
    all.extend_from_slice(rest);
    LoginProcess::start(&all).await
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with `name` set to `value`, or removed when `value` is `None`.
fn with_param(url: &Url, name: &str, value: Option<&str>) -> String {
    let mut out = url.clone();
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(value) = value {
        kept.push((name.to_owned(), value.to_owned()));
    }
    out.query_pairs_mut().clear().extend_pairs(kept);
    out.to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// The four kinds

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Oidc,
    GenAuth,
    Tencent,
    Huawei,
}

const KINDS: [Kind; 4] = [Kind::Oidc, Kind::GenAuth, Kind::Tencent, Kind::Huawei];

#[derive(Debug)]
enum Running {
    Oidc(OidcEmulator),
    GenAuth(GenAuthEmulator),
    Tencent(TencentCiamEmulator),
    Huawei(HuaweiOneAccessEmulator),
}

impl Running {
    async fn start(kind: Kind) -> Self {
        match kind {
            Kind::Oidc => {
                let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
                emulator.register_client(ClientRegistration::confidential(
                    CLIENT_ID,
                    CLIENT_SECRET,
                    AuthMethod::ClientSecretBasic,
                ));
                Running::Oidc(emulator)
            }
            Kind::GenAuth => Running::GenAuth(GenAuthEmulator::start().await.unwrap()),
            Kind::Tencent => Running::Tencent(TencentCiamEmulator::start().await.unwrap()),
            Kind::Huawei => Running::Huawei(HuaweiOneAccessEmulator::start().await.unwrap()),
        }
    }

    fn server(&self) -> &EmulatorServer {
        match self {
            Running::Oidc(e) => e.server(),
            Running::GenAuth(e) => e.server(),
            Running::Tencent(e) => e.server(),
            Running::Huawei(e) => e.server(),
        }
    }

    fn state(&self) -> &Arc<OidcProvider> {
        match self {
            Running::Oidc(e) => e.provider(),
            Running::GenAuth(e) => e.oidc(),
            Running::Tencent(e) => e.provider(),
            Running::Huawei(e) => e.provider(),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Running::Oidc(_) => Kind::Oidc,
            Running::GenAuth(_) => Kind::GenAuth,
            Running::Tencent(_) => Kind::Tencent,
            Running::Huawei(_) => Kind::Huawei,
        }
    }

    fn token_path(&self) -> &'static str {
        match self.kind() {
            Kind::Oidc => "/token",
            Kind::GenAuth => genauth::OIDC_TOKEN_PATH,
            Kind::Tencent => tencent_ciam::TOKEN_PATH,
            Kind::Huawei => huawei_oneaccess::TOKEN_PATH,
        }
    }

    fn authorize_path(&self) -> &'static str {
        match self.kind() {
            Kind::Oidc => "/authorize",
            Kind::GenAuth => "/oidc/auth",
            Kind::Tencent => "/oauth2/authorize",
            Kind::Huawei => "/api/v1/oauth2/authorize",
        }
    }

    fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server().requests_to(self.token_path())
    }

    /// The client of browser sign-ins: the demo client, except at Tencent CIAM, where it is
    /// the public app (Tencent documents PKCE, which a sign-in always sends, for public apps
    /// only; whether it takes a secret and a verifier together is not documented).
    fn signin_client_id(&self) -> &'static str {
        match self.kind() {
            Kind::Tencent => tencent_ciam::DEMO_PUBLIC_CLIENT_ID,
            _ => CLIENT_ID,
        }
    }

    /// [`Running::config`] for [`Running::signin_client_id`]: no secret for Tencent's public
    /// app.
    fn signin_config(&self, extra: &str) -> ConfigFile {
        match self.kind() {
            Kind::Tencent => ConfigFile::toml(&format!(
                "[providers.corp]\nkind = \"tencent-ciam\"\nbase_url = \"{}\"\nclient_id = \"{}\"\n{extra}\n",
                self.server().base(),
                tencent_ciam::DEMO_PUBLIC_CLIENT_ID
            )),
            _ => self.config(extra),
        }
    }

    /// `[providers.corp]` for this emulator, plus `extra` lines.
    fn config(&self, extra: &str) -> ConfigFile {
        let base = self.server().base();
        let head = match self.kind() {
            Kind::Oidc => format!(
                "kind = \"oidc\"\nissuer = \"{}\"\nauth_method = \"client_secret_basic\"",
                self.state().issuer()
            ),
            Kind::GenAuth => format!("kind = \"genauth\"\nbase_url = \"{base}\""),
            Kind::Tencent => format!("kind = \"tencent-ciam\"\nbase_url = \"{base}\""),
            Kind::Huawei => format!("kind = \"huawei-oneaccess\"\nbase_url = \"{base}\""),
        };
        ConfigFile::toml(&format!(
            "[providers.corp]\n{head}\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n{extra}\n"
        ))
    }

    /// The TokenSet JSON `exchange` prints for a code of this vendor, secrets redacted,
    /// without `expires_at`.
    fn expected_tokens(&self) -> Value {
        let (expires_in, refresh) = match self.kind() {
            Kind::Oidc => (3600, true),
            // GenAuth returns a refresh token only for offline_access with prompt=consent.
            Kind::GenAuth => (3600, false),
            Kind::Tencent => (tencent_ciam::EXPIRES_IN, true),
            Kind::Huawei => (huawei_oneaccess::EXPIRES_IN, false),
        };
        json!({
            "provider": "corp",
            "token_type": "Bearer",
            "access_token": REDACTED,
            "expires_in": expires_in,
            "refresh_token": if refresh { json!(REDACTED) } else { Value::Null },
            "id_token": REDACTED,
            "scope": ["openid"],
            "extra": {},
        })
    }
}

/// stdout of a login as the TokenSet object: `expires_at` checked and removed, and the
/// `identity` object (the ID-token work's) left out.
fn token_set(run: &Run) -> Value {
    let mut printed = run.json();
    let object = printed.as_object_mut().unwrap();
    object.remove("identity");
    let expires_at = object.remove("expires_at").unwrap();
    assert!(
        expires_at.as_str().is_some_and(|s| s.ends_with('Z')),
        "{expires_at}"
    );
    printed
}

fn assert_random(value: &str) {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .unwrap();
    assert!(bytes.len() >= 16, "{value}");
}

// ---------------------------------------------------------------------------------------------
// login

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_signs_in_through_every_kind() {
    for kind in KINDS {
        let vendor = Running::start(kind).await;
        let what = format!("{kind:?}");
        let config = vendor.signin_config("");
        let login = start_login(&config, &[]).await;
        let url = login.url.clone();
        assert_eq!(
            url.as_str().split('?').next().unwrap(),
            format!("{}{}", vendor.server().base(), vendor.authorize_path()),
            "{what}"
        );
        let redirect_uri = login.redirect_uri();
        let port = Url::parse(&redirect_uri).unwrap().port().unwrap();
        assert_eq!(
            redirect_uri,
            format!("http://127.0.0.1:{port}/callback"),
            "{what}: the default loopback redirect URI"
        );
        assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
        assert_eq!(
            param(&url, "client_id").as_deref(),
            Some(vendor.signin_client_id())
        );
        assert_eq!(param(&url, "scope").as_deref(), Some("openid"));
        assert_eq!(
            param(&url, "code_challenge_method").as_deref(),
            Some("S256")
        );
        let challenge = param(&url, "code_challenge").unwrap();
        assert_eq!(challenge.len(), 43);
        assert_random(&param(&url, "state").unwrap());
        assert_random(&param(&url, "nonce").unwrap());

        let callback = Url::parse(&authorize(url.as_str()).await).unwrap();
        assert!(callback.as_str().starts_with(&redirect_uri), "{callback}");
        let code = param(&callback, "code").unwrap();
        let page = get(callback.as_str()).await.unwrap();
        assert_eq!(page.status, 200, "{what}: {page:?}");
        assert!(page.body.contains("Signed in"), "{}", page.body);
        assert!(!page.body.contains(&code));

        let (run, _) = login.finish_timed().await;
        assert_eq!(run.code, 0, "{what}: {run:?}");
        assert_eq!(
            run.stderr.lines().count(),
            0,
            "{what}: only the URL line on stderr: {run:?}"
        );
        assert_eq!(token_set(&run), vendor.expected_tokens(), "{what}");
        for secret in [CLIENT_SECRET, "code-", "rt-", "eyJ"] {
            assert!(
                !run.stdout.contains(secret),
                "{what}: {secret} in {}",
                run.stdout
            );
        }

        // The one token request: the code, the same redirect URI, the verifier.
        let requests = vendor.token_requests();
        assert_eq!(requests.len(), 1, "{what}");
        let form = requests[0].form();
        let get_form = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        assert_eq!(
            get_form("grant_type").as_deref(),
            Some("authorization_code")
        );
        assert_eq!(get_form("code"), Some(code));
        assert_eq!(get_form("redirect_uri"), Some(redirect_uri));
        assert_eq!(
            s256(&get_form("code_verifier").unwrap()),
            challenge,
            "{what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_reveal_and_a_configured_redirect_uri() {
    let vendor = Running::start(Kind::Tencent).await;
    let port = free_port();
    let redirect = format!("http://localhost:{port}/auth/done");
    let config = vendor.signin_config(&format!(
        "redirect_uri = \"{redirect}\"\nscopes = [\"openid\", \"profile\"]"
    ));
    let login = start_login(&config, &["--reveal"]).await;
    assert_eq!(login.redirect_uri(), redirect);
    assert_eq!(
        param(&login.url, "scope").as_deref(),
        Some("openid profile")
    );
    let callback = Url::parse(&authorize(login.url.as_str()).await).unwrap();
    // The listener binds localhost's loopback address; deliver there.
    let delivered = callback.as_str().replace("localhost", "127.0.0.1");
    assert_eq!(get(&delivered).await.unwrap().status, 200);
    let (run, _) = login.finish_timed().await;
    assert_eq!(run.code, 0, "{run:?}");
    let printed = run.json();
    let access_token = printed["access_token"].as_str().unwrap();
    assert!(access_token.starts_with("eyJ"), "revealed: {access_token}");
    assert_eq!(printed["scope"], json!(["openid", "profile"]));

    // --scope overrides the configured scopes.
    let login = start_login(&config, &["--scope", "openid email"]).await;
    assert_eq!(param(&login.url, "scope").as_deref(), Some("openid email"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_answers_404_elsewhere_and_accepts_one_callback() {
    let vendor = Running::start(Kind::Oidc).await;
    let config = vendor.config("");
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/cb");
    let mut login = start_login(&config, &["--redirect-uri", &redirect]).await;
    assert_eq!(login.redirect_uri(), redirect);
    // Bound before the URL was printed: it answers at once.
    for other in ["/", "/favicon.ico", "/cb/extra", "/callback"] {
        let reply = get(&format!("http://127.0.0.1:{port}{other}"))
            .await
            .unwrap();
        assert_eq!(reply.status, 404, "{other}: {reply:?}");
    }
    let callback = Url::parse(&authorize(login.url.as_str()).await).unwrap();
    // The query does not matter for the 404: a callback on another path is not one.
    let elsewhere = callback.as_str().replace("/cb?", "/other?");
    assert_eq!(get(&elsewhere).await.unwrap().status, 404);
    assert!(login.is_running(), "a stray request does not end the login");
    assert!(vendor.token_requests().is_empty());

    assert_eq!(get(callback.as_str()).await.unwrap().status, 200);
    // The listener closed before the answer: a second delivery finds nobody.
    let again = get(callback.as_str()).await;
    assert_eq!(
        again.map(|r| r.status).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    let (run, _) = login.finish_timed().await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(vendor.token_requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_callback_exits_3_naming_the_check_and_sends_nothing() {
    let vendor = Running::start(Kind::Oidc).await;
    let config = vendor.config("");
    // (what is done to the callback, the word the message must carry)
    for case in [
        "missing state",
        "another login's state",
        "access_denied",
        "wrong iss",
    ] {
        let login = start_login(&config, &[]).await;
        let other = start_login(&config, &[]).await;
        match case {
            "access_denied" => vendor
                .state()
                .set_authorize_mode(AuthorizeMode::Deny("access_denied".into())),
            "wrong iss" => vendor
                .state()
                .set_authorize_mode(AuthorizeMode::WrongIssuer),
            _ => vendor.state().set_authorize_mode(AuthorizeMode::Approve),
        }
        let callback = Url::parse(&authorize(login.url.as_str()).await).unwrap();
        let (delivered, word) = match case {
            "missing state" => (with_param(&callback, "state", None), "`state`"),
            "another login's state" => (
                with_param(&callback, "state", param(&other.url, "state").as_deref()),
                "`state`",
            ),
            "access_denied" => (callback.to_string(), "access_denied"),
            _ => (callback.to_string(), "`iss`"),
        };
        let page = get(&delivered).await.unwrap();
        assert_eq!(page.status, 400, "{case}: {page:?}");
        assert!(
            page.body.contains("Sign-in failed"),
            "{case}: {}",
            page.body
        );
        let (run, _) = login.finish_timed().await;
        drop(other);
        assert_eq!(run.code, 3, "{case}: {run:?}");
        assert_eq!(run.stdout, "", "{case}: nothing on stdout");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{case}: {run:?}");
        assert!(lines[0].starts_with("tokenbridge: "), "{case}: {run:?}");
        assert!(lines[0].contains(word), "{case}: {word} in {}", lines[0]);
        assert!(
            vendor.token_requests().is_empty(),
            "{case}: no token request"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_times_out_with_exit_4() {
    let vendor = Running::start(Kind::Oidc).await;
    let config = vendor.config("");
    let login = start_login(&config, &["--timeout", "1"]).await;
    let (run, elapsed) = login.finish_timed().await;
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--timeout"), "{run:?}");
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert!(vendor.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refuses_a_redirect_uri_it_cannot_listen_on() {
    let vendor = Running::start(Kind::Oidc).await;
    let config = vendor.config("");
    for uri in [
        "https://127.0.0.1:8400/callback",
        "http://app.example.com/callback",
        "http://192.0.2.1:8400/callback",
        "com.example.app:/callback",
    ] {
        let run = run(&args(
            "login",
            &config,
            &["--no-browser", "--redirect-uri", uri],
        ))
        .await;
        assert_eq!(run.code, 2, "{uri}: {run:?}");
        assert_eq!(run.stdout, "");
        assert!(!run.stderr.contains(URL_LINE), "{uri}: {run:?}");
        assert!(run.stderr.contains("loopback"), "{uri}: {run:?}");
    }
    assert!(vendor.server().requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// revoke

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_per_vendor() {
    for (kind, path) in [
        (Kind::Oidc, "/revoke"),
        (Kind::GenAuth, genauth::OIDC_REVOCATION_PATH),
        (Kind::Tencent, "/oauth2/revoke"),
    ] {
        let vendor = Running::start(kind).await;
        let what = format!("{kind:?}");
        let config = vendor.config("");
        let refresh_token = vendor.state().issue_refresh_token(CLIENT_ID, "openid");
        let run1 = run(&args(
            "revoke",
            &config,
            &[
                "--token",
                &refresh_token,
                "--token-type-hint",
                "refresh_token",
            ],
        ))
        .await;
        assert_eq!(run1.code, 0, "{what}: {run1:?}");
        assert_eq!(run1.stdout, "");
        assert!(!run1.stderr.contains(&refresh_token));
        let requests = vendor.server().requests_to(path);
        assert_eq!(requests.len(), 1, "{what}");
        assert_eq!(requests[0].form_param("token"), Some(refresh_token.clone()));
        assert_eq!(
            requests[0].form_param("token_type_hint").as_deref(),
            Some("refresh_token")
        );
        match kind {
            Kind::Oidc => assert!(requests[0]
                .header("authorization")
                .is_some_and(|h| h.starts_with("Basic "))),
            _ => assert_eq!(
                requests[0].form_param("client_secret").as_deref(),
                Some(CLIENT_SECRET)
            ),
        }
        // The revoked refresh token is refused by the token endpoint afterwards.
        let run2 = run_with_stdin(
            &args("exchange", &config, &["--refresh-token", "-"]),
            Some(&refresh_token),
        )
        .await;
        assert_eq!(run2.code, 3, "{what}: {run2:?}");
        assert!(run2.stderr.contains("invalid_grant"), "{run2:?}");

        // `--token -` reads standard input; `--token -abc` is a value.
        let run3 = run_with_stdin(
            &args("revoke", &config, &["--token", "-"]),
            Some("at-stdin"),
        )
        .await;
        assert_eq!(run3.code, 0, "{what}: {run3:?}");
        let run4 = run(&args("revoke", &config, &["--token", "-abc"])).await;
        assert_eq!(run4.code, 0, "{what}: {run4:?}");
        let run5 = run(&args("revoke", &config, &["--token=-def"])).await;
        assert_eq!(run5.code, 0, "{what}: {run5:?}");
        let sent: Vec<Option<String>> = vendor
            .server()
            .requests_to(path)
            .iter()
            .map(|r| r.form_param("token"))
            .collect();
        assert_eq!(
            sent[1..],
            [
                Some("at-stdin".to_owned()),
                Some("-abc".to_owned()),
                Some("-def".to_owned())
            ],
            "{what}"
        );

        // Refused (wrong client secret): exit 3.
        let wrong = ConfigFile::toml(
            &std::fs::read_to_string(config.path())
                .unwrap()
                .replace(CLIENT_SECRET, "wrong-secret"),
        );
        let run6 = run(&args("revoke", &wrong, &["--token", "at-1"])).await;
        assert_eq!(run6.code, 3, "{what}: {run6:?}");
        assert!(run6.stderr.contains("invalid_client"), "{run6:?}");
    }

    // Huawei OneAccess has no revocation: exit 2, nothing sent.
    let vendor = Running::start(Kind::Huawei).await;
    let config = vendor.config("");
    let run = run(&args("revoke", &config, &["--token", "at-1"])).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("revocation"), "{run:?}");
    assert!(vendor.server().requests().is_empty());

    // Nobody listening: exit 4.
    let dead = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"tencent-ciam\"\nbase_url = \"http://127.0.0.1:{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        free_port()
    ));
    let run = run_with_stdin(&args("revoke", &dead, &["--token", "at-1"]), None).await;
    assert_eq!(run.code, 4, "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// logout-url

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_url_per_vendor() {
    let after = "https://app.example.com/bye?from=cli&x=a b";
    let encoded = "https%3A%2F%2Fapp.example.com%2Fbye%3Ffrom%3Dcli%26x%3Da+b";
    for (kind, tail) in [
        (
            Kind::Oidc,
            format!("/logout?id_token_hint=-h.p.s&post_logout_redirect_uri={encoded}&client_id={CLIENT_ID}&state=s%2F1"),
        ),
        (
            Kind::GenAuth,
            format!("/oidc/session/end?id_token_hint=-h.p.s&post_logout_redirect_uri={encoded}&state=s%2F1"),
        ),
        (
            Kind::Tencent,
            format!("/logout?logout_redirect_uri={encoded}&client_id={CLIENT_ID}&state=s%2F1"),
        ),
        (Kind::Huawei, format!("/api/v1/logout?redirect_url={encoded}")),
    ] {
        let vendor = Running::start(kind).await;
        let config = vendor.config("");
        let run = run(&args(
            "logout-url",
            &config,
            &[
                "--id-token",
                "-h.p.s",
                "--post-logout-redirect-uri",
                after,
                "--state",
                "s/1",
            ],
        ))
        .await;
        assert_eq!(run.code, 0, "{kind:?}: {run:?}");
        assert_eq!(run.stderr, "");
        assert_eq!(
            run.stdout,
            format!("{}{tail}\n", vendor.server().base()),
            "{kind:?}"
        );
    }

    // GenAuth's OAuth 2.0 endpoints have no logout: exit 2.
    let vendor = Running::start(Kind::GenAuth).await;
    let config = vendor.config("protocol = \"oauth\"");
    let run = run(&args("logout-url", &config, &[])).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("logout"), "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// exchange: values beginning with `-`, and codes without a redirect URI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_option_value_may_begin_with_a_hyphen() {
    let vendor = Running::start(Kind::Oidc).await;
    let config = vendor.config("");
    for form in [
        vec!["--refresh-token", "-abc"],
        vec!["--refresh-token=-abc"],
    ] {
        vendor.server().clear_requests();
        let run = run(&args("exchange", &config, &form)).await;
        // Sent (and refused by the emulator, which never issued it), not a usage error.
        assert_eq!(run.code, 3, "{form:?}: {run:?}");
        let requests = vendor.token_requests();
        assert_eq!(requests.len(), 1, "{form:?}");
        assert_eq!(
            requests[0].form_param("refresh_token").as_deref(),
            Some("-abc")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_without_redirect_uri_where_the_vendor_allows_it() {
    // Huawei OneAccess, OAuth 2.0 application: redirect_uri is optional.
    let oauth_app =
        HuaweiOneAccessEmulator::start_with(OneAccessOptions::oauth(), any_loopback_port())
            .await
            .unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"huawei-oneaccess\"\nbase_url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\nprotocol = \"oauth\"\n",
        oauth_app.base()
    ));
    let code = oauth_app.issue_code(CLIENT_ID, "http://127.0.0.1/callback");
    let done = run(&args("exchange", &config, &["--code", &code])).await;
    assert_eq!(done.code, 0, "{done:?}");
    assert_eq!(done.json()["access_token"], REDACTED);
    let requests = oauth_app.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].form_param("code"), Some(code));
    assert_eq!(requests[0].form_param("redirect_uri"), None);

    // GenAuth and Tencent require it: a configuration error naming it, nothing sent.
    for kind in [Kind::GenAuth, Kind::Tencent] {
        let vendor = Running::start(kind).await;
        let config = vendor.config("");
        let refused = run(&args("exchange", &config, &["--code", "C"])).await;
        assert_eq!(refused.code, 2, "{kind:?}: {refused:?}");
        assert_eq!(refused.stdout, "");
        assert!(
            refused.stderr.contains("redirect_uri"),
            "{kind:?}: {refused:?}"
        );
        assert!(vendor.server().requests().is_empty(), "{kind:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_commands_have_help_with_an_example() {
    for sub in ["login", "revoke", "logout-url"] {
        let r = run(&[sub, "--help"]).await;
        assert_eq!(r.code, 0, "{sub}: {r:?}");
        assert!(
            r.stdout.lines().any(|l| l
                .trim_start()
                .starts_with(&format!("tokenbridge {sub} --config"))),
            "{sub}: an example command line in {}",
            r.stdout
        );
    }
}
