//! `tokenbridge verify-id-token`, `tokenbridge userinfo` and the identity `tokenbridge login`
//! prints (issue 11), run as real processes against the testkit's emulators.

mod common;

use common::login::sign_in;
use common::{run, run_with_stdin, ConfigFile, Run};

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokenbridge::AuthMethod;
use tokenbridge_testkit::huawei_oneaccess::{self, HuaweiOneAccessEmulator};
use tokenbridge_testkit::jose::{self, TestKey};
use tokenbridge_testkit::oidc::DEMO_SUBJECT;
use tokenbridge_testkit::tencent_ciam::TencentCiamEmulator;
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile, Reply};

const CLIENT_ID: &str = "demo-app";
const CLIENT_SECRET: &str = "demo-secret";

// ---------------------------------------------------------------------------------------------
// Running the binary: see common/mod.rs

async fn oidc() -> (OidcEmulator, ConfigFile) {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        CLIENT_ID,
        CLIENT_SECRET,
        AuthMethod::ClientSecretBasic,
    ));
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        emulator.issuer()
    ));
    (emulator, config)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn is_rfc3339(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T')
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

// ---------------------------------------------------------------------------------------------
// verify-id-token

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_id_token_prints_the_checked_claims() {
    let (emulator, config) = oidc().await;
    let nonce = "-n-starting-with-a-hyphen";
    let token = emulator
        .provider()
        .id_token_for(CLIENT_ID, Some(nonce), None);
    let base = [
        "verify-id-token",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--nonce",
        nonce,
    ];
    let out = run(&[&base[..], &[token.as_str()]].concat()).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(
        keys(&shown),
        [
            "audience",
            "claims",
            "expires_at",
            "issued_at",
            "issuer",
            "nonce",
            "subject"
        ]
    );
    assert_eq!(shown["issuer"], emulator.issuer());
    assert_eq!(shown["subject"], DEMO_SUBJECT);
    assert_eq!(shown["audience"], json!([CLIENT_ID]));
    assert_eq!(shown["nonce"], nonce);
    assert!(is_rfc3339(&shown["expires_at"]), "{shown}");
    assert!(is_rfc3339(&shown["issued_at"]), "{shown}");
    assert_eq!(shown["claims"]["email"], "demo@example.com");
    assert!(!out.stdout.contains(&token) && !out.stderr.contains(&token));

    // `-`: the first line of standard input.
    let piped = run_with_stdin(&[&base[..], &["-"]].concat(), Some(&format!("{token}\n"))).await;
    assert_eq!(piped.code, 0, "{piped:?}");
    assert_eq!(piped.json(), shown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_id_token_exits_3_naming_the_check() {
    let (emulator, config) = oidc().await;
    let state = emulator.provider();
    let now = unix_now();
    let good = json!({
        "iss": emulator.issuer(), "sub": DEMO_SUBJECT, "aud": CLIENT_ID,
        "iat": now, "exp": now + 600, "nonce": "n1",
    });
    let with = |changes: &[(&str, Value)]| {
        state.sign_id_token(CLIENT_ID, &jose::with_claims(&good, changes))
    };
    let token = state.sign_id_token(CLIENT_ID, &good);
    let cases: Vec<(String, Option<&str>, &str)> = vec![
        (token.clone(), Some("n2"), "(nonce)"),
        (with(&[("nonce", Value::Null)]), Some("n1"), "(nonce)"),
        (jose::tamper_signature(&token), None, "(signature)"),
        (
            with(&[("iss", json!("https://attacker.example.com"))]),
            None,
            "(issuer)",
        ),
        (with(&[("aud", json!("another-app"))]), None, "(audience)"),
        (
            with(&[("iat", json!(now - 7200)), ("exp", json!(now - 3600))]),
            None,
            "(expired)",
        ),
        (jose::unsigned_token(&good), None, "(algorithm)"),
        (
            jose::sign_hs256(TestKey::Rsa1.public_pem().as_bytes(), Some("rsa-1"), &good),
            None,
            "(algorithm)",
        ),
        (
            jose::sign_default(TestKey::Rsa2, &good),
            None,
            "(unknown key)",
        ),
    ];
    for (bad, nonce, check) in cases {
        let mut args = vec![
            "verify-id-token",
            "--config",
            config.path(),
            "--provider",
            "corp",
        ];
        if let Some(n) = nonce {
            args.extend(["--nonce", n]);
        }
        args.push(&bad);
        let out = run(&args).await;
        assert_eq!(out.code, 3, "{check}: {out:?}");
        assert!(out.stdout.is_empty());
        let line = out.error_line();
        assert!(line.contains(check), "{check}: {line}");
        assert!(!line.contains(&bad), "the token is not repeated: {line}");
    }
    // Not a JWT at all is refused too, and still exit 3.
    let out = run(&[
        "verify-id-token",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "x.y",
    ])
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("(malformed)"), "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// userinfo

const IDENTITY_KEYS: [&str; 9] = [
    "claims",
    "email",
    "email_verified",
    "name",
    "phone_number",
    "picture",
    "preferred_username",
    "provider",
    "subject",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_prints_the_normalized_identity() {
    let (emulator, config) = oidc().await;
    let at = emulator.provider().issue_access_token(CLIENT_ID);
    let out = run(&[
        "userinfo",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--access-token",
        &at,
    ])
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(keys(&shown), IDENTITY_KEYS);
    assert_eq!(shown["provider"], "corp");
    assert_eq!(shown["subject"], DEMO_SUBJECT);
    assert_eq!(shown["email_verified"], true);
    assert_eq!(shown["claims"]["sub"], DEMO_SUBJECT);

    // Huawei OneAccess: camelCase answer (ShowUser_0, asserted for an OAuth 2.0 application;
    // the page does not say OIDC ones get it), absent claims null; the token from stdin.
    let huawei = HuaweiOneAccessEmulator::start_with(
        huawei_oneaccess::OneAccessOptions::oauth(),
        tokenbridge_testkit::any_loopback_port(),
    )
    .await
    .unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.h]\nkind = \"huawei-oneaccess\"\nprotocol = \"oauth\"\nbase_url = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n",
        huawei.base(),
        huawei_oneaccess::DEMO_CLIENT_ID,
        huawei_oneaccess::DEMO_CLIENT_SECRET
    ));
    let at = huawei
        .provider()
        .issue_access_token(huawei_oneaccess::DEMO_CLIENT_ID);
    let args = [
        "userinfo",
        "--config",
        config.path(),
        "--provider",
        "h",
        "--access-token",
        "-",
    ];
    let out = run_with_stdin(&args, Some(&format!("{at}\n"))).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(keys(&shown), IDENTITY_KEYS);
    assert_eq!(shown["subject"], DEMO_SUBJECT);
    assert_eq!(shown["preferred_username"], "demo");
    assert_eq!(shown["phone_number"], "+86 138 0000 0000");
    assert_eq!(shown["email_verified"], Value::Null);
    assert_eq!(shown["picture"], Value::Null);
    assert_eq!(shown["claims"]["userName"], "demo");

    // A refused token: exit 3, at Huawei (401 "unauthorized") and Tencent (WWW-Authenticate).
    huawei.provider().revoke_access_token(&at);
    let out = run_with_stdin(&args, Some(&at)).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("unauthorized"), "{out:?}");
    assert!(!out.stderr.contains(&at));
    let tencent = TencentCiamEmulator::start().await.unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.t]\nkind = \"tencent-ciam\"\nbase_url = \"{}\"\nclient_id = \"demo-app\"\nclient_secret = \"demo-secret\"\n",
        tencent.base()
    ));
    let out = run(&[
        "userinfo",
        "--config",
        config.path(),
        "--provider",
        "t",
        "--access-token",
        "-not-a-token",
    ])
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("invalid_token"), "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// login

/// Runs `tokenbridge login --no-browser`, follows the URL it prints as a browser would (the
/// emulator approves at once) and delivers the callback; returns the finished run.
async fn login(config: &ConfigFile) -> Run {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let args = [
        "login",
        "--config",
        config.path(),
        "--provider",
        "corp",
        "--no-browser",
        "--redirect-uri",
        &redirect,
        "--timeout",
        "30",
    ];
    sign_in(&args, &[]).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_prints_the_verified_identity() {
    let (emulator, config) = oidc().await;
    let out = login(&config).await;
    assert_eq!(out.code, 0, "{out:?}");
    let shown = out.json();
    assert_eq!(shown["access_token"], "[redacted]");
    let identity = &shown["identity"];
    assert_eq!(
        keys(identity),
        [
            "claims",
            "email",
            "email_verified",
            "issuer",
            "name",
            "phone_number",
            "picture",
            "preferred_username",
            "subject"
        ]
    );
    assert_eq!(identity["issuer"], emulator.issuer());
    assert_eq!(identity["subject"], DEMO_SUBJECT);
    assert_eq!(identity["name"], "Demo User");
    assert!(identity["claims"]["nonce"].is_string());

    // An ID token that fails a check fails the login, exit 3, naming the check.
    emulator.provider().push_reply(Reply::json(
        200,
        json!({
            "access_token": "at-1", "token_type": "Bearer",
            "id_token": emulator.provider().id_token_for(CLIENT_ID, Some("another-login"), None),
        }),
    ));
    let out = login(&config).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(out.error_line().contains("(nonce)"), "{out:?}");
}
