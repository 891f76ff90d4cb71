//! The tokenbridge quickstart: one application code path, several vendors, switched by
//! configuration alone.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! It starts the embedded loopback emulators of GenAuth, Tencent CIAM, Huawei OneAccess,
//! WeChat, DingTalk, Feishu, GitHub, Sign in with Apple, Microsoft Entra ID, Google and a standard OpenID
//! Connect provider, writes one configuration file naming them all, and
//! exchanges an authorization code through each provider by name. Each normalized TokenSet is
//! printed with its secrets redacted. Nothing leaves the machine.

use std::collections::BTreeMap;
use std::error::Error;

use tokenbridge::{AuthMethod, Config, Grant, Protocol, Registry, TokenExchanger, TokenSet};
use tokenbridge_testkit::apple::{self, AppleEmulator};
use tokenbridge_testkit::entra::{self, EntraEmulator};
use tokenbridge_testkit::genauth::GenAuthEmulator;
use tokenbridge_testkit::google::{self, GoogleEmulator};
use tokenbridge_testkit::huawei_oneaccess::HuaweiOneAccessEmulator;
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
use tokenbridge_testkit::tencent_ciam::TencentCiamEmulator;
use tokenbridge_testkit::{dingtalk::DingTalkEmulator, wechat::WeChatEmulator};
use tokenbridge_testkit::{feishu::FeishuEmulator, github::GitHubEmulator};

/// Where the "browser" comes back to after sign-in.
const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// The application's whole token logic: look the provider up by name and exchange the code.
/// Nothing in it names a vendor.
async fn sign_in(
    registry: &Registry,
    config: &Config,
    provider: &str,
    code: String,
) -> tokenbridge::Result<TokenSet> {
    let exchanger = registry.build(config, provider)?;
    exchanger
        .exchange(Grant::authorization_code(code, REDIRECT_URI))
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The identity providers, on loopback. Each has a demo client "demo-app" / "demo-secret".
    let genauth = GenAuthEmulator::start().await?;
    let tencent = TencentCiamEmulator::start().await?;
    let huawei = HuaweiOneAccessEmulator::start().await?;
    let wechat = WeChatEmulator::start().await?;
    let dingtalk = DingTalkEmulator::start().await?;
    let feishu = FeishuEmulator::start().await?;
    let github = GitHubEmulator::start().await?;
    let oidc = OidcEmulator::start(Profile::standard()).await?;
    oidc.provider()
        .register_client(ClientRegistration::confidential(
            "demo-app",
            "demo-secret",
            AuthMethod::ClientSecretBasic,
        ));
    // Vendors on fixed hosts: `base_url` points every endpoint of each at its emulator.
    let apple = AppleEmulator::start().await?;
    let entra = EntraEmulator::start().await?;
    let google = GoogleEmulator::start().await?;
    // Apple's client secret is signed with the team's .p8 key: here the testkit's demo key.
    let apple_key =
        std::env::temp_dir().join(format!("tokenbridge-quickstart-{}.p8", std::process::id()));
    std::fs::write(&apple_key, apple::demo_private_key_pem())?;

    // One configuration file naming every kind. Secrets come from the environment.
    let config_text = format!(
        r#"
[providers.corp]
kind = "genauth"
base_url = "{genauth}"
client_id = "demo-app"
client_secret_env = "CORP_SECRET"
auth_method = "client_secret_post"
protocol = "oidc"

[providers.tencent]
kind = "tencent-ciam"
base_url = "{tencent}"
client_id = "demo-app"
client_secret_env = "TENCENT_SECRET"

[providers.huawei]
kind = "huawei-oneaccess"
base_url = "{huawei}"
client_id = "demo-app"
client_secret_env = "HUAWEI_SECRET"
protocol = "oidc"

[providers.wechat]
kind = "wechat"
base_url = "{wechat}"
client_id = "demo-app"
client_secret_env = "WECHAT_SECRET"

[providers.dingtalk]
kind = "dingtalk"
base_url = "{dingtalk}"
client_id = "demo-app"
client_secret_env = "DINGTALK_SECRET"

[providers.feishu]
kind = "feishu"
base_url = "{feishu}"
client_id = "demo-app"
client_secret_env = "FEISHU_SECRET"

[providers.github]
kind = "github"
base_url = "{github}"
client_id = "demo-app"
client_secret_env = "GITHUB_SECRET"

[providers.any]
kind = "oidc"
issuer = "{issuer}"
client_id = "demo-app"
client_secret_env = "ANY_SECRET"

[providers.apple]
kind = "apple"
base_url = "{apple}"
client_id = "{apple_id}"
team_id = "{apple_team}"
key_id = "{apple_kid}"
private_key_file = "{apple_key}"

[providers.entra]
kind = "entra"
tenant = "common"
base_url = "{entra}"
client_id = "{entra_id}"
client_secret_env = "ENTRA_SECRET"

[providers.google]
kind = "google"
base_url = "{google}"
client_id = "{google_id}"
client_secret_env = "GOOGLE_SECRET"
"#,
        apple = apple.base(),
        apple_id = apple::DEMO_CLIENT_ID,
        apple_team = apple::DEMO_TEAM_ID,
        apple_kid = apple::DEMO_KEY_ID,
        apple_key = apple_key.display(),
        entra = entra.base(),
        entra_id = entra::DEMO_CLIENT_ID,
        google = google.base(),
        google_id = google::DEMO_CLIENT_ID,
        genauth = genauth.base(),
        tencent = tencent.base(),
        huawei = huawei.base(),
        wechat = wechat.base(),
        dingtalk = dingtalk.base(),
        feishu = feishu.base(),
        github = github.base(),
        issuer = oidc.issuer(),
    );
    let path = std::env::temp_dir().join(format!(
        "tokenbridge-quickstart-{}.toml",
        std::process::id()
    ));
    std::fs::write(&path, config_text)?;
    let config = Config::from_file(&path);
    let _ = std::fs::remove_file(&path);
    let config = config?;
    println!(
        "Loaded {} with providers: {}",
        path.display(),
        config.provider_names().collect::<Vec<_>>().join(", ")
    );

    // A real application reads secrets from its environment; the demo supplies them here so
    // it runs anywhere without exporting anything.
    let registry = Registry::new().with_env(|var| match var {
        "ENTRA_SECRET" => Some(entra::DEMO_CLIENT_SECRET.to_owned()),
        "GOOGLE_SECRET" => Some(google::DEMO_CLIENT_SECRET.to_owned()),
        _ => var.ends_with("_SECRET").then(|| "demo-secret".to_owned()),
    });

    // What the browser would bring back from each provider's sign-in page.
    let mut codes = BTreeMap::new();
    codes.insert(
        "corp",
        genauth.issue_code(Protocol::Oidc, "demo-app", REDIRECT_URI, None),
    );
    codes.insert(
        "tencent",
        tencent.issue_code("demo-app", REDIRECT_URI, None),
    );
    codes.insert("huawei", huawei.issue_code("demo-app", REDIRECT_URI));
    codes.insert("wechat", wechat.issue_code("demo-app", "alice"));
    codes.insert(
        "dingtalk",
        dingtalk.issue_code("demo-app", "alice", "openid"),
    );
    codes.insert(
        "feishu",
        feishu.issue_code("demo-app", REDIRECT_URI, "", None),
    );
    codes.insert(
        "github",
        github.issue_code("demo-app", REDIRECT_URI, "read:user", None),
    );
    codes.insert("any", oidc.issue_code("demo-app", REDIRECT_URI, None));
    codes.insert(
        "apple",
        apple.issue_code(apple::DEMO_CLIENT_ID, REDIRECT_URI, None),
    );
    codes.insert(
        "entra",
        entra.issue_code(entra::DEMO_CLIENT_ID, REDIRECT_URI, None),
    );
    codes.insert(
        "google",
        google.issue_code(google::DEMO_CLIENT_ID, REDIRECT_URI, None),
    );

    for (provider, code) in codes {
        let tokens = sign_in(&registry, &config, provider, code).await?;
        // Display summarizes the token set and never shows a secret.
        println!("\n{provider}:\n{tokens}");
    }
    let _ = std::fs::remove_file(&apple_key);
    Ok(())
}
