//! `tokenbridge` against the Microsoft Entra ID emulator through `base_url`: `login` on
//! `common`, `exchange`, `userinfo`, `verify-id-token`, `logout-url` with `logout_hint`;
//! `revoke` unsupported (exit 2); a refusal (exit 3) and a busy Entra (exit 4).

mod common;

use common::login::{follow_redirect, LoginProcess};
use common::{run, ConfigFile};
use tokenbridge_testkit::entra::{
    entra_error, EntraEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_OBJECT_ID, DEMO_SUBJECT,
    DEMO_TENANT_ID,
};

const REDIRECT: &str = "http://127.0.0.1/callback";

async fn setup() -> (EntraEmulator, ConfigFile) {
    let entra = EntraEmulator::start().await.unwrap();
    let config = ConfigFile::toml(&format!(
        "[providers.corp]\nkind = \"entra\"\ntenant = \"common\"\nbase_url = \"{}\"\n\
         client_id = \"{DEMO_CLIENT_ID}\"\nclient_secret = \"{DEMO_CLIENT_SECRET}\"\n\
         allowed_tenants = [\"{DEMO_TENANT_ID}\"]\n",
        entra.base()
    ));
    (entra, config)
}

fn args<'a>(command: &'a str, config: &'a ConfigFile, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command, "--config", config.path(), "--provider", "corp"];
    args.extend_from_slice(rest);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_on_common_names_the_tenant_and_the_object() {
    let (entra, config) = setup().await;
    let login = LoginProcess::start(&args("", &config, &[])[1..]).await;
    assert!(
        login
            .url
            .as_str()
            .contains("/common/oauth2/v2.0/authorize?"),
        "{}",
        login.url
    );
    assert_eq!(follow_redirect(login.url.as_str()).await, 200);
    let out = login.finish().await;
    assert_eq!(out.code, 0, "{out:?}");
    let identity = &out.json()["identity"];
    assert_eq!(identity["subject"], DEMO_SUBJECT);
    assert_eq!(identity["claims"]["oid"], DEMO_OBJECT_ID);
    assert_eq!(
        identity["issuer"],
        format!("{}/{DEMO_TENANT_ID}/v2.0", entra.base())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_userinfo_verify_and_logout_url() {
    let (entra, config) = setup().await;
    let code = entra.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    let out = run(&args(
        "exchange",
        &config,
        &["--code", &code, "--redirect-uri", REDIRECT, "--reveal"],
    ))
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();

    let out = run(&args("userinfo", &config, &["--access-token", &access])).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["subject"], DEMO_SUBJECT);

    let out = run(&args("verify-id-token", &config, &[&id_token])).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["claims"]["tid"], DEMO_TENANT_ID);

    let out = run(&args(
        "logout-url",
        &config,
        &[
            "--post-logout-redirect-uri",
            "https://app.example.com/bye",
            "--logout-hint",
            "O.CiQ3",
        ],
    ))
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        format!(
            "{}/common/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye&logout_hint=O.CiQ3",
            entra.base()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_is_unsupported() {
    let (entra, config) = setup().await;
    let out = run(&args("revoke", &config, &["--token", "rt"])).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(entra.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_exits_3_and_a_busy_entra_exits_4() {
    let (entra, config) = setup().await;
    let out = run(&args(
        "exchange",
        &config,
        &["--refresh-token", "rt-expired"],
    ))
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.error_line().contains("AADSTS70008"), "{out:?}");
    entra.push_reply(entra_error(
        503,
        "temporarily_unavailable",
        90033,
        "A transient error has occurred.",
    ));
    let out = run(&args("exchange", &config, &["--refresh-token", "rt-1"])).await;
    assert_eq!(out.code, 4, "{out:?}");
}
