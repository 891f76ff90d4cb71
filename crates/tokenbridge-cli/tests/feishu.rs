//! `tokenbridge` against the Feishu emulator through `base_url`: exchange, login, userinfo,
//! the commands Feishu has no endpoint for (exit 2), a refusal (exit 3) and a busy Feishu
//! (exit 4).

mod common;

use common::login::sign_in;
use common::{run, run_with_stdin, ConfigFile};
use tokenbridge_testkit::feishu::{
    FeishuEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_OPEN_ID, DEMO_REDIRECT_URI,
    DEMO_UNION_ID, TOKEN_PATH,
};

fn config(feishu: &FeishuEmulator) -> ConfigFile {
    ConfigFile::toml(&format!(
        r#"
[providers.feishu]
kind = "feishu"
region = "lark"
base_url = "{}"
client_id = "{DEMO_CLIENT_ID}"
client_secret = "{DEMO_CLIENT_SECRET}"
scopes = "offline_access"
"#,
        feishu.base()
    ))
}

fn args<'a>(command: &'a str, config: &'a ConfigFile, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command, "--config", config.path(), "--provider", "feishu"];
    args.extend_from_slice(rest);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_and_userinfo() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let config = config(&feishu);
    let code = feishu.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "offline_access", None);
    let out = run(&args(
        "exchange",
        &config,
        &["--code", &code, "--redirect-uri", DEMO_REDIRECT_URI],
    ))
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(shown["provider"], "feishu");
    assert_eq!(shown["access_token"], "[redacted]");
    assert_eq!(shown["refresh_token"], "[redacted]");
    assert_eq!(shown["expires_in"], 7200);
    let sent = feishu.requests_to(TOKEN_PATH);
    assert_eq!(sent[0].json()["client_id"], DEMO_CLIENT_ID);
    assert!(!out
        .stdout
        .contains(sent[0].json()["code"].as_str().unwrap()));

    let token = feishu.issue_access_token();
    let out = run_with_stdin(
        &args("userinfo", &config, &["--access-token", "-"]),
        Some(&token),
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let identity = out.json();
    assert_eq!(identity["subject"], DEMO_OPEN_ID);
    assert_eq!(identity["claims"]["union_id"], DEMO_UNION_ID);
    assert!(!out.stdout.contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_signs_in_through_the_emulator() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let config = config(&feishu);
    let (out, url) = sign_in(
        &args("login", &config, &["--no-browser", "--timeout", "20"]),
        &[],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        url.starts_with(&format!("{}/open-apis/authen/v1/authorize?", feishu.base())),
        "{url}"
    );
    assert!(url.contains("scope=offline_access"), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let shown: serde_json::Value =
        serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(shown["refresh_token"], "[redacted]", "{shown}");
    assert_eq!(shown["provider"], "feishu", "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_feishu_lacks_is_exit_2() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let config = config(&feishu);
    for rest in [
        vec!["revoke", "--token", "u-1"],
        vec!["logout-url"],
        vec!["verify-id-token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"],
    ] {
        let mut all = args(rest[0], &config, &[]);
        all.extend_from_slice(&rest[1..]);
        let out = run(&all).await;
        assert_eq!(out.code, 2, "{rest:?}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    assert!(feishu.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_exit_3_and_a_busy_feishu_exit_4() {
    let feishu = FeishuEmulator::start().await.unwrap();
    let config = config(&feishu);
    let out = run(&args(
        "exchange",
        &config,
        &[
            "--code",
            "code-never-issued",
            "--redirect-uri",
            DEMO_REDIRECT_URI,
        ],
    ))
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("20003"), "{out:?}");
    assert!(!out.stderr.contains("code-never-issued"), "{out:?}");
    for busy in [20050, 20072] {
        feishu.fail_next_token_request(busy);
        let out = run(&args("exchange", &config, &["--refresh-token", "ur-1"])).await;
        assert_eq!(out.code, 4, "{busy}: {out:?}");
        assert!(!out.stderr.contains("ur-1"), "{out:?}");
    }
}
