//! The `tokenbridge` binary against the DingTalk emulator through `base_url`: every command
//! DingTalk supports, the exit code of those it does not, of a refusal (3) and of a throttled
//! or unavailable DingTalk (4).

mod common;

use common::login::{authorize, get, LoginProcess};
use common::{check_emulated_configuration, run, ConfigFile, Run};
use tokenbridge_testkit::dingtalk::{
    DingTalkEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CORP_ID, DEMO_USER,
};

/// The AppSecret of the tests' app: it must never be printed.
const SECRET: &str = "dingtalk-cli-secret";
const APP: &str = "ding-cli";

fn config(dingtalk: &DingTalkEmulator) -> ConfigFile {
    ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"dingtalk\"\nbase_url = \"{}\"\nclient_id = \"{APP}\"\nclient_secret = \"{SECRET}\"\n",
        dingtalk.base()
    ))
}

async fn emulator() -> DingTalkEmulator {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    dingtalk.register_app(APP, SECRET);
    dingtalk
}

async fn cli(command: &str, config: &ConfigFile, rest: &[&str]) -> Run {
    let mut args = vec![command, "--config", config.path(), "--provider", "corp"];
    args.extend_from_slice(rest);
    let run = run(&args).await;
    assert!(
        !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
        "{run:?}"
    );
    run
}

#[tokio::test]
async fn exchange_refresh_and_userinfo() {
    let dingtalk = emulator().await;
    let config = config(&dingtalk);
    let code = dingtalk.issue_code(APP, DEMO_USER, "openid corpid");
    let exchanged = cli("exchange", &config, &["--code", &code, "--reveal"]).await;
    assert_eq!(exchanged.code, 0, "{exchanged:?}");
    let tokens = exchanged.json();
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["extra"]["corpId"], DEMO_CORP_ID);

    let access_token = tokens["access_token"].as_str().unwrap();
    let user = cli("userinfo", &config, &["--access-token", access_token]).await;
    assert_eq!(user.code, 0, "{user:?}");
    let user = user.json();
    assert_eq!(user["subject"], dingtalk.open_id(APP, DEMO_USER).as_str());
    assert_eq!(user["name"], DEMO_USER);
    assert_eq!(
        user["claims"]["unionId"],
        dingtalk.union_id(DEMO_USER).as_str()
    );
    let file = ConfigFile::new("json", &exchanged.stdout);
    let same = cli("userinfo", &config, &["--tokens", file.path()]).await;
    assert_eq!(same.code, 0, "{same:?}");
    assert_eq!(same.json()["subject"], user["subject"]);

    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let refreshed = cli("exchange", &config, &["--refresh-token", refresh_token]).await;
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
}

#[tokio::test]
async fn login_reads_the_auth_code_of_the_callback() {
    let dingtalk = emulator().await;
    let config = config(&dingtalk);
    let login = LoginProcess::start(&["--config", config.path(), "--provider", "corp"]).await;
    assert_eq!(login.url.path(), "/oauth2/auth");
    let pairs: Vec<(String, String)> = login.url.query_pairs().into_owned().collect();
    assert!(
        pairs.contains(&("prompt".into(), "consent".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("client_id".into(), APP.into())),
        "{pairs:?}"
    );
    assert!(!pairs
        .iter()
        .any(|(k, _)| k == "code_challenge" || k == "nonce"));
    let callback = authorize(login.url.as_str()).await;
    assert!(callback.contains("authCode="), "{callback}");
    let reply = get(&callback).await.unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    let run = login.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(tokens["provider"], "corp");
    assert_eq!(tokens["access_token"], "[redacted]");
}

#[tokio::test]
async fn what_dingtalk_does_not_offer_exits_2_and_sends_nothing() {
    let dingtalk = emulator().await;
    let config = config(&dingtalk);
    for (command, rest) in [
        ("revoke", &["--token", "at-1"][..]),
        ("logout-url", &[][..]),
        ("verify-id-token", &["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"][..]),
    ] {
        let run = cli(command, &config, rest).await;
        assert_eq!(run.code, 2, "{command}: {run:?}");
    }
    assert!(dingtalk.requests().is_empty(), "{:?}", dingtalk.requests());
}

#[tokio::test]
async fn a_refusal_exits_3_and_a_throttled_dingtalk_exits_4() {
    let dingtalk = emulator().await;
    let config = config(&dingtalk);
    let used = cli("exchange", &config, &["--code", "never-issued"]).await;
    assert_eq!(used.code, 3, "{used:?}");
    assert!(used.error_line().contains("invalidAuthCode"), "{used:?}");
    for (status, code) in [(429, "Throttling"), (503, "ServiceUnavailable")] {
        dingtalk.fail_next(status, code, "try later");
        let busy = cli("exchange", &config, &["--code", "c"]).await;
        assert_eq!(busy.code, 4, "{code}: {busy:?}");
    }
}

#[tokio::test]
async fn emulate_prints_a_working_configuration() {
    check_emulated_configuration(
        "dingtalk",
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        &format!(
            "/oauth2/auth?client_id={DEMO_CLIENT_ID}&redirect_uri=http://127.0.0.1/callback&response_type=code&scope=openid&prompt=consent&state=s"
        ),
        "authCode",
    )
    .await;
}
