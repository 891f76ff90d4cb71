//! `tokenbridge` against the GitHub emulator through `base_url`: exchange, login, userinfo
//! (with the private email), revoke, the commands GitHub has no endpoint for (exit 2), a
//! refusal (exit 3) and a busy or rate-limiting GitHub (exit 4).

mod common;

use common::login::sign_in;
use common::ConfigFile;
use serde_json::json;
use tokenbridge_testkit::github::{
    GitHubEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOGIN, DEMO_PRIMARY_EMAIL,
    DEMO_REDIRECT_URI, DEMO_USER_ID, EMAILS_PATH, TOKEN_PATH, USER_PATH,
};
use tokenbridge_testkit::Reply;

fn config(github: &GitHubEmulator) -> ConfigFile {
    ConfigFile::toml(&format!(
        r#"
[providers.github]
kind = "github"
base_url = "{}"
client_id = "{DEMO_CLIENT_ID}"
client_secret_env = "GITHUB_SECRET"
"#,
        github.base()
    ))
}

fn args<'a>(command: &'a str, config: &'a ConfigFile, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command, "--config", config.path(), "--provider", "github"];
    args.extend_from_slice(rest);
    args
}

const ENV: &[(&str, &str)] = &[("GITHUB_SECRET", DEMO_CLIENT_SECRET)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_userinfo_and_revoke() {
    let github = GitHubEmulator::start().await.unwrap();
    let config = config(&github);
    let code = github.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "user:email", None);
    let out = common::run_env(
        &args(
            "exchange",
            &config,
            &[
                "--code",
                &code,
                "--redirect-uri",
                DEMO_REDIRECT_URI,
                "--reveal",
            ],
        ),
        ENV,
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    assert_eq!(tokens["provider"], "github");
    assert_eq!(tokens["expires_in"], 28800);
    assert_eq!(tokens["extra"]["refresh_token_expires_in"], 15_811_200);
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    assert!(access_token.starts_with("ghu_"));
    assert_eq!(
        github.requests_to(TOKEN_PATH)[0].header("accept"),
        Some("application/json")
    );

    // userinfo from the TokenSet JSON on stdin.
    let out = common::run_with(
        &args("userinfo", &config, &["--tokens", "-"]),
        ENV,
        Some(&tokens.to_string()),
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let identity = out.json();
    assert_eq!(identity["subject"], DEMO_USER_ID.to_string());
    assert_eq!(identity["preferred_username"], DEMO_LOGIN);
    assert_eq!(identity["email"], DEMO_PRIMARY_EMAIL);
    assert_eq!(identity["email_verified"], true);
    assert_eq!(identity["claims"]["id"], json!(DEMO_USER_ID));
    assert!(github.requests_to(USER_PATH)[0]
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("tokenbridge/")));
    assert_eq!(github.requests_to(EMAILS_PATH).len(), 1);
    assert!(!out.stdout.contains(&access_token));

    let out = common::run_env(&args("revoke", &config, &["--token", &access_token]), ENV).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!github.is_active(&access_token));
    let path = GitHubEmulator::revoke_path(DEMO_CLIENT_ID);
    assert_eq!(github.requests_to(&path)[0].method, "DELETE");
    // The token is gone: userinfo is refused (exit 3), the token not shown.
    let out = common::run_with(
        &args("userinfo", &config, &["--access-token", "-"]),
        ENV,
        Some(&access_token),
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(!out.stderr.contains(&access_token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_signs_in_through_the_emulator() {
    let github = GitHubEmulator::start().await.unwrap();
    let config = config(&github);
    let all = args("login", &config, &["--no-browser", "--timeout", "20"]);
    let (out, url) = sign_in(&all, ENV).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        url.starts_with(&format!("{}/login/oauth/authorize?", github.base())),
        "{url}"
    );
    assert!(!url.contains("scope="), "no default scope: {url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let exchange = &github.requests_to(TOKEN_PATH)[0];
    assert!(
        exchange.form_param("code_verifier").is_some(),
        "{exchange:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_github_lacks_is_exit_2() {
    let github = GitHubEmulator::start().await.unwrap();
    let config = config(&github);
    for rest in [
        vec!["logout-url"],
        vec!["verify-id-token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"],
    ] {
        let mut all = args(rest[0], &config, &[]);
        all.extend_from_slice(&rest[1..]);
        let out = common::run_env(&all, ENV).await;
        assert_eq!(out.code, 2, "{rest:?}: {out:?}");
    }
    assert!(github.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_exit_3_and_a_busy_github_exit_4() {
    let github = GitHubEmulator::start().await.unwrap();
    let config = config(&github);
    let out = common::run_env(
        &args(
            "exchange",
            &config,
            &[
                "--code",
                "c-never-issued",
                "--redirect-uri",
                DEMO_REDIRECT_URI,
            ],
        ),
        ENV,
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.error_line().contains("bad_verification_code"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("c-never-issued"));
    for reply in [
        Reply::raw(503, "text/html", "<h1>Unicorn!</h1>"),
        Reply::json(429, json!({"message": "API rate limit exceeded"})),
    ] {
        github.script_token_reply(reply);
        let out = common::run_env(
            &args("exchange", &config, &["--refresh-token", "ghr_1"]),
            ENV,
        )
        .await;
        assert_eq!(out.code, 4, "{out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_device_polls_until_the_user_approves() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let github = GitHubEmulator::start().await.unwrap();
    // A device-flow client has no secret.
    let config = ConfigFile::toml(&format!(
        "[providers.github]\nkind = \"github\"\nbase_url = \"{}\"\nclient_id = \"{DEMO_CLIENT_ID}\"\n",
        github.base()
    ));
    let mut child = common::command(
        &args("login", &config, &["--device", "--timeout", "30"]),
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let user_code = first
        .trim()
        .strip_prefix("To sign in, open https://github.com/login/device and enter the code ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_owned();
    // No scope configured: none is asked for.
    let asked = &github.requests_to(tokenbridge_testkit::github::DEVICE_CODE_PATH)[0];
    assert_eq!(asked.form_param("scope"), None, "{asked:?}");
    assert_eq!(asked.form_param("client_secret"), None, "{asked:?}");
    assert!(github.approve_device(&user_code));
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["access_token"], "[redacted]");
    assert_eq!(shown["refresh_token"], "[redacted]");
    assert!(github
        .requests_to(TOKEN_PATH)
        .iter()
        .all(|r| r.form_param("grant_type").as_deref()
            == Some(tokenbridge_testkit::facts::github::DEVICE_GRANT_TYPE)));
}
