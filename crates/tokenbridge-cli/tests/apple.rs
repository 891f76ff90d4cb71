//! `tokenbridge` against the Sign in with Apple emulator through `base_url`: `login` with the
//! form-POST callback, `exchange`, `verify-id-token`, `revoke`; `userinfo` and `logout-url`
//! unsupported (exit 2); a refusal (exit 3) and a busy Apple (exit 4).

mod common;

use common::login::{browser, LoginProcess};
use common::{run, ConfigFile};
use serde_json::json;
use tokenbridge_testkit::apple::{
    demo_private_key_pem, AppleEmulator, DEMO_CLIENT_ID, DEMO_KEY_ID, DEMO_SUBJECT, DEMO_TEAM_ID,
};
use tokenbridge_testkit::oidc::form_post_fields;
use tokenbridge_testkit::Reply;

const REDIRECT: &str = "http://127.0.0.1/callback";

struct Setup {
    apple: AppleEmulator,
    config: ConfigFile,
    _key: ConfigFile,
}

async fn setup() -> Setup {
    let apple = AppleEmulator::start().await.unwrap();
    let key = ConfigFile::new("p8", demo_private_key_pem());
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"apple\"\nbase_url = \"{}\"\nclient_id = \"{DEMO_CLIENT_ID}\"\n\
         team_id = \"{DEMO_TEAM_ID}\"\nkey_id = \"{DEMO_KEY_ID}\"\nprivate_key_file = \"{}\"\n",
        apple.base(),
        key.path()
    ));
    Setup {
        apple,
        config,
        _key: key,
    }
}

fn args<'a>(command: &'a str, setup: &'a Setup, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--config",
        setup.config.path(),
        "--provider",
        "corp",
    ];
    args.extend_from_slice(rest);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_the_form_post_callback_with_the_user() {
    let setup = setup().await;
    let login = LoginProcess::start(&args("", &setup, &[])[1..]).await;
    assert!(
        login.url.as_str().contains("response_mode=form_post"),
        "{}",
        login.url
    );
    assert!(
        login.url.as_str().contains("scope=name+email"),
        "{}",
        login.url
    );
    // The browser opens the authorize URL and posts the form it gets back.
    let page = browser().get(login.url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (action, fields) = form_post_fields(&page.text().await.unwrap()).unwrap();
    assert!(fields.iter().any(|(name, _)| name == "user"), "{fields:?}");
    let posted = browser().post(&action).form(&fields).send().await.unwrap();
    assert_eq!(posted.status(), 200);
    let out = login.finish().await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    assert_eq!(tokens["access_token"], "[redacted]");
    let identity = &tokens["identity"];
    assert_eq!(identity["subject"], DEMO_SUBJECT);
    assert_eq!(identity["name"], "Demo User");
    assert_eq!(identity["email_verified"], true);
    assert_eq!(identity["issuer"], setup.apple.issuer());
    let token_request = &setup.apple.token_requests()[0];
    assert_eq!(
        token_request.form_param("client_id").as_deref(),
        Some(DEMO_CLIENT_ID)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_that_is_not_a_form_is_refused_and_the_login_goes_on() {
    let setup = setup().await;
    let login = LoginProcess::start(&args("", &setup, &[])[1..]).await;
    let page = browser().get(login.url.as_str()).send().await.unwrap();
    let (action, fields) = form_post_fields(&page.text().await.unwrap()).unwrap();
    let json = browser()
        .post(&action)
        .header("content-type", "application/json")
        .body(r#"{"code":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 415);
    let huge = browser()
        .post(&action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let posted = browser().post(&action).form(&fields).send().await.unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(login.finish().await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_verify_and_revoke() {
    let setup = setup().await;
    let code = setup.apple.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let out = run(&args(
        "exchange",
        &setup,
        &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
    ))
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    let out = run(&args("verify-id-token", &setup, &[&id_token])).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["subject"], DEMO_SUBJECT);
    assert_eq!(out.json()["claims"]["is_private_email"], "true");

    let out = run(&args("revoke", &setup, &["--token", &refresh])).await;
    assert_eq!(out.code, 0, "{out:?}");
    let revoke = setup.apple.requests().into_iter().last().unwrap();
    assert_eq!(revoke.path, "/auth/revoke");
    assert_eq!(
        revoke.form_param("token").as_deref(),
        Some(refresh.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_and_logout_url_are_unsupported() {
    let setup = setup().await;
    let out = run(&args("userinfo", &setup, &["--access-token", "at"])).await;
    assert_eq!(out.code, 2, "{out:?}");
    let out = run(&args("logout-url", &setup, &[])).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.error_line().contains("not"), "{out:?}");
    assert!(setup.apple.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_exits_3_and_a_busy_apple_exits_4() {
    let setup = setup().await;
    let out = run(&args(
        "exchange",
        &setup,
        &["--code", "code-never-issued", "--redirect-uri", REDIRECT],
    ))
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("invalid_grant"), "{out:?}");
    setup.apple.push_reply(Reply::json(
        503,
        json!({"error": "temporarily_unavailable"}),
    ));
    let out = run(&args("exchange", &setup, &["--refresh-token", "rt-1"])).await;
    assert_eq!(out.code, 4, "{out:?}");
}
