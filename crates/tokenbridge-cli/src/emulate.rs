//! `tokenbridge emulate`: the testkit's vendor emulators, for testing applications offline.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;
use tokenbridge::AuthMethod;
use tokenbridge_testkit::apple::AppleEmulator;
use tokenbridge_testkit::entra::EntraEmulator;
use tokenbridge_testkit::genauth::GenAuthEmulator;
use tokenbridge_testkit::google::GoogleEmulator;
use tokenbridge_testkit::huawei_oneaccess::HuaweiOneAccessEmulator;
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
use tokenbridge_testkit::tencent_ciam::TencentCiamEmulator;
use tokenbridge_testkit::{
    any_loopback_port, apple, dingtalk, entra, genauth, google, huawei_oneaccess, tencent_ciam,
    wechat,
};
use tokenbridge_testkit::{feishu, github};

use crate::Failure;

/// The values `--vendor` takes: each built-in kind's emulator, then `all`.
fn vendor_values() -> Vec<&'static str> {
    tokenbridge::kinds::BUILT_IN
        .iter()
        .map(|kind| kind.emulator)
        .chain(["all"])
        .collect()
}

/// Arguments of `tokenbridge emulate`.
#[derive(Debug, Args)]
pub(crate) struct EmulateArgs {
    /// Which vendor to emulate (a built-in kind), or `all` of them, on consecutive ports when
    /// --addr gives one.
    #[arg(long, default_value = "all", value_parser = clap::builder::PossibleValuesParser::new(vendor_values()))]
    vendor: String,
    /// A loopback address to listen on; with --vendor all, the next vendors take the next
    /// ports. Default: free ports.
    #[arg(long, value_name = "127.0.0.1:PORT")]
    addr: Option<SocketAddr>,
}

/// The client id every emulator registers for the demo.
const DEMO_ID: &str = "demo-app";
/// Its secret.
const DEMO_SECRET: &str = "demo-secret";
/// The redirect URI the printed instructions use.
const DEMO_REDIRECT: &str = "http://127.0.0.1/callback";

/// A running emulator, kept alive until the command stops.
type Running = Box<dyn std::any::Any + Send>;

fn address(base: Option<SocketAddr>, offset: u16) -> Result<SocketAddr, Failure> {
    match base {
        None => Ok(any_loopback_port()),
        Some(addr) if !addr.ip().is_loopback() => Err(Failure::Usage(format!(
            "--addr {addr} is not a loopback address; the emulators listen on 127.0.0.1 or ::1 only"
        ))),
        Some(addr) if addr.port() == 0 => Ok(addr),
        Some(mut addr) => {
            let port = addr.port().checked_add(offset).ok_or_else(|| {
                Failure::Usage("--addr: the port is too high for every emulator".into())
            })?;
            addr.set_port(port);
            Ok(addr)
        }
    }
}

fn io_failure(vendor: &str, addr: SocketAddr, e: std::io::Error) -> Failure {
    Failure::Usage(format!("cannot start the {vendor} emulator on {addr}: {e}"))
}

/// How to mint a code and exchange it, as TOML comments so the whole output stays a valid
/// configuration file.
fn authorize_hint(name: &str, base: &str, path: &str) -> String {
    format!(
        "#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{path}?client_id={DEMO_ID}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=openid'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider {name} --code CODE --redirect-uri {DEMO_REDIRECT}"
    )
}

/// Starts the emulator called `emulator` (a [`tokenbridge::kinds::BuiltInKind::emulator`]).
async fn start(emulator: &str, addr: SocketAddr) -> Result<(Running, String), Failure> {
    Ok(match emulator {
        "genauth" => {
            let emulator = GenAuthEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("genauth", addr, e))?;
            let base = emulator.base();
            let authorize = emulator.oidc().authorize_path();
            let text = format!(
                "[providers.genauth]\nkind = \"genauth\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nauth_method = \"client_secret_post\"\nprotocol = \"oidc\"\n\n{}\n#   QR login:    tokenbridge qr-login --config tokenbridge.toml --provider genauth, then find the code's ID with\n#                curl -s '{base}{list}' and drive it with\n#                curl -X POST '{base}{control}/ID/scan?displayName=Alice', then curl -X POST '{base}{control}/ID/confirm'\n#                (or .../ID/cancel, .../ID/expire)\n",
                genauth::DEMO_APP_ID,
                genauth::DEMO_APP_SECRET,
                authorize_hint("genauth", &base, &authorize),
                list = genauth::CONTROL_QRCODES_PATH,
                control = genauth::CONTROL_QRCODE_PREFIX,
            );
            (Box::new(emulator) as Running, text)
        }
        "tencent-ciam" => {
            let emulator = TencentCiamEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("tencent-ciam", addr, e))?;
            let base = emulator.base();
            let authorize = emulator.provider().authorize_path();
            let text = format!(
                "[providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n{}\n",
                tencent_ciam::DEMO_CLIENT_ID,
                tencent_ciam::DEMO_CLIENT_SECRET,
                authorize_hint("tencent", &base, &authorize),
            );
            (Box::new(emulator) as Running, text)
        }
        "huawei-oneaccess" => {
            let emulator = HuaweiOneAccessEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("huawei-oneaccess", addr, e))?;
            let base = emulator.base();
            let authorize = emulator.provider().authorize_path();
            let text = format!(
                "[providers.huawei]\nkind = \"huawei-oneaccess\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nprotocol = \"oidc\"\n\n{}\n",
                huawei_oneaccess::DEMO_CLIENT_ID,
                huawei_oneaccess::DEMO_CLIENT_SECRET,
                authorize_hint("huawei", &base, &authorize),
            );
            (Box::new(emulator) as Running, text)
        }
        "apple" => {
            let emulator = AppleEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("apple", addr, e))?;
            // The demo key is the testkit's public fixture, written out so the block below
            // works as it stands.
            let key = std::env::temp_dir().join("tokenbridge-emulate-apple-demo.p8");
            std::fs::write(&key, apple::demo_private_key_pem()).map_err(|e| {
                Failure::Usage(format!("cannot write the demo key {}: {e}", key.display()))
            })?;
            let base = emulator.base();
            let text = format!(
                "[providers.apple]\nkind = \"apple\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nteam_id = \"{}\"\nkey_id = \"{}\"\nprivate_key_file = \"{}\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider apple (the callback is a form POST)\n",
                apple::DEMO_CLIENT_ID,
                apple::DEMO_TEAM_ID,
                apple::DEMO_KEY_ID,
                key.display(),
            );
            (Box::new(emulator) as Running, text)
        }
        "entra" => {
            let emulator = EntraEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("entra", addr, e))?;
            let base = emulator.base();
            let authorize = emulator.provider().authorize_path();
            let text = format!(
                "[providers.entra]\nkind = \"entra\"\ntenant = \"{}\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n{}\n",
                emulator.tenant(),
                entra::DEMO_CLIENT_ID,
                entra::DEMO_CLIENT_SECRET,
                authorize_hint("entra", &base, &authorize)
                    .replace(DEMO_ID, entra::DEMO_CLIENT_ID),
            );
            (Box::new(emulator) as Running, text)
        }
        "google" => {
            let emulator = GoogleEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("google", addr, e))?;
            let base = emulator.base();
            let authorize = emulator.provider().authorize_path();
            let text = format!(
                "[providers.google]\nkind = \"google\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\noffline = true\n\n{}\n",
                google::DEMO_CLIENT_ID,
                google::DEMO_CLIENT_SECRET,
                authorize_hint("google", &base, &authorize)
                    .replace(DEMO_ID, google::DEMO_CLIENT_ID),
            );
            (Box::new(emulator) as Running, text)
        }
        "wechat" => {
            let emulator = wechat::WeChatEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("wechat", addr, e))?;
            let base = emulator.base();
            let text = format!(
                "[providers.wechat]\nkind = \"wechat\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?appid={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=snsapi_login&state=s'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider wechat --code CODE --reveal > tokens.json\n#   the user:    tokenbridge userinfo --config tokenbridge.toml --provider wechat --tokens tokens.json\n",
                wechat::DEMO_APPID,
                wechat::DEMO_SECRET,
                tokenbridge_testkit::facts::wechat::AUTHORIZE_PATH,
                wechat::DEMO_APPID,
            );
            (Box::new(emulator) as Running, text)
        }
        "dingtalk" => {
            let emulator = dingtalk::DingTalkEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("dingtalk", addr, e))?;
            let base = emulator.base();
            let text = format!(
                "[providers.dingtalk]\nkind = \"dingtalk\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=openid&prompt=consent&state=s'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider dingtalk --code AUTHCODE --reveal > tokens.json\n#   the user:    tokenbridge userinfo --config tokenbridge.toml --provider dingtalk --tokens tokens.json\n",
                dingtalk::DEMO_CLIENT_ID,
                dingtalk::DEMO_CLIENT_SECRET,
                tokenbridge_testkit::facts::dingtalk::AUTHORIZE_PATH,
                dingtalk::DEMO_CLIENT_ID,
            );
            (Box::new(emulator) as Running, text)
        }
        "feishu" => {
            let emulator = feishu::FeishuEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("feishu", addr, e))?;
            let base = emulator.base();
            let text = format!(
                "[providers.feishu]\nkind = \"feishu\"\nregion = \"feishu\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nscopes = \"offline_access\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider feishu --no-browser\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=offline_access'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider feishu --code CODE --redirect-uri {DEMO_REDIRECT}\n",
                feishu::DEMO_CLIENT_ID,
                feishu::DEMO_CLIENT_SECRET,
                feishu::AUTHORIZE_PATH,
                feishu::DEMO_CLIENT_ID,
            );
            (Box::new(emulator) as Running, text)
        }
        "github" => {
            let emulator = github::GitHubEmulator::start_on(addr)
                .await
                .map_err(|e| io_failure("github", addr, e))?;
            let base = emulator.base();
            let text = format!(
                "[providers.github]\nkind = \"github\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider github --no-browser\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider github --code CODE --redirect-uri {DEMO_REDIRECT}\n",
                github::DEMO_CLIENT_ID,
                github::DEMO_CLIENT_SECRET,
                github::AUTHORIZE_PATH,
                github::DEMO_CLIENT_ID,
            );
            (Box::new(emulator) as Running, text)
        }
        "oidc" => {
            let emulator = OidcEmulator::start_on(Profile::standard(), addr)
                .await
                .map_err(|e| io_failure("oidc", addr, e))?;
            emulator
                .provider()
                .register_client(ClientRegistration::confidential(
                    DEMO_ID,
                    DEMO_SECRET,
                    AuthMethod::ClientSecretBasic,
                ));
            let issuer = emulator.issuer().to_owned();
            let authorize = emulator.provider().authorize_path();
            let text = format!(
                "[providers.oidc]\nkind = \"oidc\"\nissuer = \"{issuer}\"\nclient_id = \"{DEMO_ID}\"\nclient_secret = \"{DEMO_SECRET}\"\nauth_method = \"client_secret_basic\"\n\n{}\n",
                authorize_hint("oidc", &issuer, &authorize),
            );
            (Box::new(emulator) as Running, text)
        }
        other => {
            return Err(Failure::Usage(format!(
                "the built-in kind {other:?} has no emulator in this build of tokenbridge"
            )))
        }
    })
}

/// Runs `tokenbridge emulate` until Ctrl-C.
pub(crate) async fn run(args: EmulateArgs) -> Result<(), Failure> {
    let vendors: Vec<&str> = match args.vendor.as_str() {
        "all" => tokenbridge::kinds::BUILT_IN
            .iter()
            .map(|kind| kind.emulator)
            .collect(),
        one => vec![one],
    };
    let mut running = Vec::new();
    let mut out = String::from(
        "# tokenbridge emulators (loopback only). This output is a tokenbridge.toml as it stands.\n\n",
    );
    for (offset, vendor) in (0u16..).zip(vendors) {
        let (emulator, text) = start(vendor, address(args.addr, offset)?).await?;
        running.push(emulator);
        out.push_str(&text);
        out.push('\n');
    }
    // The last line tells a script reading stdout that the configuration is complete.
    out.push_str(&format!(
        "# ready: {} emulator(s) running; press Ctrl-C to stop\n",
        running.len()
    ));
    print!("{out}");
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    drop(running);
    Ok(())
}
