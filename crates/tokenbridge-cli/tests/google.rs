//! `tokenbridge` against the Google emulator through `base_url`: `login` (with `offline`
//! and `hosted_domain`), `exchange`, `userinfo`, `verify-id-token` in both issuer spellings,
//! `revoke`; `logout-url` unsupported (exit 2); a refusal (exit 3) and a rate-limited Google
//! (exit 4).

mod common;

use common::login::{follow_redirect, LoginProcess};
use common::{run, ConfigFile};
use serde_json::json;
use tokenbridge_testkit::google::{
    GoogleEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_HOSTED_DOMAIN, DEMO_SUBJECT,
};
use tokenbridge_testkit::Reply;

const REDIRECT: &str = "http://127.0.0.1/callback";

async fn setup(extra: &str) -> (GoogleEmulator, ConfigFile) {
    let google = GoogleEmulator::start().await.unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"google\"\nbase_url = \"{}\"\nclient_id = \"{DEMO_CLIENT_ID}\"\n\
         client_secret = \"{DEMO_CLIENT_SECRET}\"\n{extra}",
        google.base()
    ));
    (google, config)
}

fn args<'a>(command: &'a str, config: &'a ConfigFile, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command, "--config", config.path(), "--provider", "corp"];
    args.extend_from_slice(rest);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_offline_in_the_hosted_domain() {
    let (google, config) = setup(&format!(
        "offline = true\nhosted_domain = \"{DEMO_HOSTED_DOMAIN}\"\n"
    ))
    .await;
    let login = LoginProcess::start(&args("", &config, &[])[1..]).await;
    for part in ["access_type=offline", "prompt=consent", "hd=example.com"] {
        assert!(login.url.as_str().contains(part), "{part}: {}", login.url);
    }
    assert_eq!(follow_redirect(login.url.as_str()).await, 200);
    let out = login.finish().await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    assert_eq!(tokens["refresh_token"], "[redacted]");
    assert_eq!(tokens["identity"]["subject"], DEMO_SUBJECT);
    assert_eq!(tokens["identity"]["claims"]["hd"], DEMO_HOSTED_DOMAIN);
    assert_eq!(google.token_requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_userinfo_verify_and_revoke() {
    let (google, config) = setup("").await;
    let code = google.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let out = run(&args(
        "exchange",
        &config,
        &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
    ))
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    let access = tokens["access_token"].as_str().unwrap().to_owned();

    let out = run(&args("userinfo", &config, &["--access-token", &access])).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["subject"], DEMO_SUBJECT);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for iss in [google.issuer().to_owned(), google.legacy_issuer()] {
        let token = google.provider().sign_id_token(
            DEMO_CLIENT_ID,
            &json!({"iss": iss, "sub": DEMO_SUBJECT, "aud": DEMO_CLIENT_ID, "iat": now, "exp": now + 600}),
        );
        let out = run(&args("verify-id-token", &config, &[&token])).await;
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.json()["issuer"], iss);
    }

    let out = run(&args("revoke", &config, &["--token", &access])).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(&args("revoke", &config, &["--token", "never-issued"])).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("invalid_token"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_url_is_unsupported() {
    let (google, config) = setup("").await;
    let out = run(&args("logout-url", &config, &[])).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(google.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_exits_3_and_rate_limiting_exits_4() {
    let (google, config) = setup("").await;
    let out = run(&args(
        "exchange",
        &config,
        &["--code", "code-never-issued", "--redirect-uri", REDIRECT],
    ))
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    google.push_reply(Reply::json(429, json!({"error": "rate_limit_exceeded"})));
    let out = run(&args("exchange", &config, &["--refresh-token", "rt-1"])).await;
    assert_eq!(out.code, 4, "{out:?}");
}
