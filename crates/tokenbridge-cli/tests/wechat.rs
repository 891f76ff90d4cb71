//! The `tokenbridge` binary against the WeChat emulator through `base_url`: every command
//! WeChat supports, the exit code of those it does not, of a refusal (3) and of a busy or
//! rate-limited WeChat (4).

mod common;

use common::login::{authorize, get, LoginProcess};
use common::{check_emulated_configuration, run, ConfigFile, Run};
use tokenbridge_testkit::wechat::{WeChatEmulator, DEMO_APPID, DEMO_SECRET, DEMO_USER};

/// The AppSecret of the tests' app: it must never be printed.
const SECRET: &str = "wechat-cli-secret";
const APPID: &str = "wx-cli";

fn config(wechat: &WeChatEmulator) -> ConfigFile {
    ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"wechat\"\nbase_url = \"{}\"\nclient_id = \"{APPID}\"\nclient_secret = \"{SECRET}\"\n",
        wechat.base()
    ))
}

async fn emulator() -> WeChatEmulator {
    let wechat = WeChatEmulator::start().await.unwrap();
    wechat.register_app(APPID, SECRET);
    wechat
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
async fn exchange_refresh_and_userinfo_with_the_token_set() {
    let wechat = emulator().await;
    let config = config(&wechat);
    let code = wechat.issue_code(APPID, DEMO_USER);
    let exchanged = cli("exchange", &config, &["--code", &code, "--reveal"]).await;
    assert_eq!(exchanged.code, 0, "{exchanged:?}");
    let tokens = exchanged.json();
    assert_eq!(tokens["provider"], "corp");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["scope"], serde_json::json!(["snsapi_login"]));
    let openid = wechat.openid(APPID, DEMO_USER);
    assert_eq!(tokens["extra"]["openid"], openid.as_str());
    assert_eq!(
        tokens["extra"]["unionid"],
        wechat.unionid(DEMO_USER).as_str()
    );

    let file = ConfigFile::new("json", &exchanged.stdout);
    let user = cli("userinfo", &config, &["--tokens", file.path()]).await;
    assert_eq!(user.code, 0, "{user:?}");
    let user = user.json();
    assert_eq!(user["subject"], openid.as_str());
    assert_eq!(user["name"], DEMO_USER);
    assert_eq!(
        user["claims"]["unionid"],
        wechat.unionid(DEMO_USER).as_str()
    );
    assert_eq!(user["provider"], "corp");

    let access_token = tokens["access_token"].as_str().unwrap();
    let alone = cli("userinfo", &config, &["--access-token", access_token]).await;
    assert_eq!(alone.code, 2, "{alone:?}");
    assert!(alone.error_line().contains("--tokens"), "{alone:?}");
    assert!(alone.error_line().contains("openid"), "{alone:?}");

    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let refreshed = cli("exchange", &config, &["--refresh-token", refresh_token]).await;
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
    assert_eq!(refreshed.json()["access_token"], "[redacted]");
    assert_eq!(wechat.requests_to("/sns/oauth2/refresh_token").len(), 1);
}

#[tokio::test]
async fn login_goes_through_the_qr_page_and_prints_the_tokens() {
    let wechat = emulator().await;
    let config = config(&wechat);
    let login =
        LoginProcess::start(&["--config", config.path(), "--provider", "corp", "--reveal"]).await;
    assert_eq!(login.url.path(), "/connect/qrconnect");
    assert_eq!(login.url.fragment(), Some("wechat_redirect"));
    let pairs: Vec<(String, String)> = login.url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("appid".into(), APPID.into())), "{pairs:?}");
    assert!(pairs.contains(&("scope".into(), "snsapi_login".into())));
    assert!(!pairs
        .iter()
        .any(|(k, _)| k == "client_id" || k == "code_challenge"));
    let callback = authorize(login.url.as_str()).await;
    let reply = get(&callback).await.unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    let run = login.finish().await;
    assert_eq!(run.code, 0, "{run:?}");
    let tokens: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        tokens["extra"]["openid"],
        wechat.openid(APPID, DEMO_USER).as_str()
    );
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
}

#[tokio::test]
async fn what_wechat_does_not_offer_exits_2_and_sends_nothing() {
    let wechat = emulator().await;
    let config = config(&wechat);
    for (command, rest) in [
        ("revoke", &["--token", "at-1"][..]),
        ("logout-url", &[][..]),
        ("verify-id-token", &["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"][..]),
    ] {
        let run = cli(command, &config, rest).await;
        assert_eq!(run.code, 2, "{command}: {run:?}");
    }
    assert!(wechat.requests().is_empty(), "{:?}", wechat.requests());
}

#[tokio::test]
async fn a_refusal_exits_3_and_a_busy_or_rate_limited_wechat_exits_4() {
    let wechat = emulator().await;
    let config = config(&wechat);
    let code = wechat.issue_code(APPID, DEMO_USER);
    assert_eq!(cli("exchange", &config, &["--code", &code]).await.code, 0);
    let used = cli("exchange", &config, &["--code", &code]).await;
    assert_eq!(used.code, 3, "{used:?}");
    assert!(used.error_line().contains("40163"), "{used:?}");
    for errcode in [-1, 45011] {
        wechat.fail_next(errcode);
        let code = wechat.issue_code(APPID, DEMO_USER);
        let busy = cli("exchange", &config, &["--code", &code]).await;
        assert_eq!(busy.code, 4, "{errcode}: {busy:?}");
        assert!(busy.error_line().contains(&errcode.to_string()), "{busy:?}");
    }
}

#[tokio::test]
async fn emulate_prints_a_working_configuration() {
    check_emulated_configuration(
        "wechat",
        DEMO_APPID,
        DEMO_SECRET,
        &format!(
            "/connect/qrconnect?appid={DEMO_APPID}&redirect_uri=http://127.0.0.1/callback&response_type=code&scope=snsapi_login&state=s"
        ),
        "code",
    )
    .await;
}
