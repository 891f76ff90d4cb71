//! Each emulator ready to try by hand: started on an address, with the `tokenbridge.toml`
//! block that points at it and TOML comments saying how to get a code and exchange it.
//! `tokenbridge emulate` prints these. [`EMULATORS`] lists them by name, the name
//! `tokenbridge::kinds::BuiltInKind::emulator` holds; each is compiled with its emulator's
//! feature.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;

/// A running emulator and the configuration block that points at it. Dropping it stops the
/// emulator.
pub struct Demo {
    config: String,
    _emulator: Box<dyn Any + Send>,
}

impl Demo {
    #[cfg(any(
        feature = "oidc",
        feature = "wechat",
        feature = "dingtalk",
        feature = "feishu",
        feature = "github"
    ))]
    fn new(emulator: impl Any + Send, config: String) -> Self {
        Self {
            config,
            _emulator: Box::new(emulator),
        }
    }

    /// The `[providers.<name>]` block for this emulator, then TOML comments saying how to try
    /// it; a valid `tokenbridge.toml` fragment as it stands.
    pub fn config(&self) -> &str {
        &self.config
    }
}

impl fmt::Debug for Demo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Demo").finish_non_exhaustive()
    }
}

/// What starts one emulator's demo.
type Start = fn(SocketAddr) -> Pin<Box<dyn Future<Output = io::Result<Demo>> + Send>>;

/// One emulator of [`EMULATORS`].
#[derive(Clone, Copy)]
pub struct DemoEmulator {
    /// Its name: the value of `tokenbridge emulate --vendor`, and the `emulator` of its
    /// built-in kind.
    pub name: &'static str,
    start: Start,
}

impl DemoEmulator {
    /// Starts the emulator on `addr`, a loopback address (port 0: any free port). The error
    /// names the emulator and the address.
    pub async fn start(&self, addr: SocketAddr) -> io::Result<Demo> {
        (self.start)(addr).await
    }
}

impl fmt::Debug for DemoEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoEmulator")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// One row of [`EMULATORS`].
#[cfg(any(
    feature = "oidc",
    feature = "wechat",
    feature = "dingtalk",
    feature = "feishu",
    feature = "github"
))]
macro_rules! demo {
    ($name:literal, $start:ident) => {
        DemoEmulator {
            name: $name,
            start: |addr| Box::pin($start(addr)),
        }
    };
}

/// Every emulator this build of the testkit has, in the order of tokenbridge's built-in kinds.
pub const EMULATORS: &[DemoEmulator] = &[
    #[cfg(feature = "genauth")]
    demo!("genauth", genauth),
    #[cfg(feature = "tencent-ciam")]
    demo!("tencent-ciam", tencent_ciam),
    #[cfg(feature = "huawei-oneaccess")]
    demo!("huawei-oneaccess", huawei_oneaccess),
    #[cfg(feature = "apple")]
    demo!("apple", apple),
    #[cfg(feature = "entra")]
    demo!("entra", entra),
    #[cfg(feature = "google")]
    demo!("google", google),
    #[cfg(feature = "wechat")]
    demo!("wechat", wechat),
    #[cfg(feature = "dingtalk")]
    demo!("dingtalk", dingtalk),
    #[cfg(feature = "feishu")]
    demo!("feishu", feishu),
    #[cfg(feature = "github")]
    demo!("github", github),
    #[cfg(feature = "oidc")]
    demo!("oidc", oidc),
];

/// The emulator called `name`, when this build of the testkit has it.
pub fn find(name: &str) -> Option<&'static DemoEmulator> {
    EMULATORS.iter().find(|emulator| emulator.name == name)
}

/// The client id every OpenID Connect emulator registers for the demo.
#[cfg(feature = "oidc")]
const DEMO_ID: &str = "demo-app";
/// Its secret.
#[cfg(feature = "oidc")]
const DEMO_SECRET: &str = "demo-secret";
/// The redirect URI the printed instructions use.
#[cfg(any(
    feature = "oidc",
    feature = "wechat",
    feature = "dingtalk",
    feature = "feishu",
    feature = "github"
))]
const DEMO_REDIRECT: &str = "http://127.0.0.1/callback";

#[cfg(any(
    feature = "oidc",
    feature = "wechat",
    feature = "dingtalk",
    feature = "feishu",
    feature = "github"
))]
fn not_started(emulator: &str, addr: SocketAddr, e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!("cannot start the {emulator} emulator on {addr}: {e}"),
    )
}

/// How to mint a code and exchange it, as TOML comments so the whole block stays a valid
/// configuration.
#[cfg(feature = "oidc")]
fn authorize_hint(name: &str, base: &str, path: &str) -> String {
    format!(
        "#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{path}?client_id={DEMO_ID}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=openid'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider {name} --code CODE --redirect-uri {DEMO_REDIRECT}"
    )
}

/// GenAuth (`genauth`), with its OIDC protocol and its QR login control paths.
#[cfg(feature = "genauth")]
pub async fn genauth(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::genauth::GenAuthEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("genauth", addr, e))?;
    let base = emulator.base();
    let authorize = emulator.oidc().authorize_path();
    let text = format!(
        "[providers.genauth]\nkind = \"genauth\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nauth_method = \"client_secret_post\"\nprotocol = \"oidc\"\n\n{}\n#   QR login:    tokenbridge qr-login --config tokenbridge.toml --provider genauth, then find the code's ID with\n#                curl -s '{base}{list}' and drive it with\n#                curl -X POST '{base}{control}/ID/scan?displayName=Alice', then curl -X POST '{base}{control}/ID/confirm'\n#                (or .../ID/cancel, .../ID/expire)\n",
        crate::genauth::DEMO_APP_ID,
        crate::genauth::DEMO_APP_SECRET,
        authorize_hint("genauth", &base, &authorize),
        list = crate::genauth::CONTROL_QRCODES_PATH,
        control = crate::genauth::CONTROL_QRCODE_PREFIX,
    );
    Ok(Demo::new(emulator, text))
}

/// Tencent Cloud CIAM (`tencent-ciam`).
#[cfg(feature = "tencent-ciam")]
pub async fn tencent_ciam(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::tencent_ciam::TencentCiamEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("tencent-ciam", addr, e))?;
    let base = emulator.base();
    let authorize = emulator.provider().authorize_path();
    let text = format!(
        "[providers.tencent]\nkind = \"tencent-ciam\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n{}\n",
        crate::tencent_ciam::DEMO_CLIENT_ID,
        crate::tencent_ciam::DEMO_CLIENT_SECRET,
        authorize_hint("tencent", &base, &authorize),
    );
    Ok(Demo::new(emulator, text))
}

/// Huawei Cloud OneAccess (`huawei-oneaccess`), with its OIDC protocol.
#[cfg(feature = "huawei-oneaccess")]
pub async fn huawei_oneaccess(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::huawei_oneaccess::HuaweiOneAccessEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("huawei-oneaccess", addr, e))?;
    let base = emulator.base();
    let authorize = emulator.provider().authorize_path();
    let text = format!(
        "[providers.huawei]\nkind = \"huawei-oneaccess\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nprotocol = \"oidc\"\n\n{}\n",
        crate::huawei_oneaccess::DEMO_CLIENT_ID,
        crate::huawei_oneaccess::DEMO_CLIENT_SECRET,
        authorize_hint("huawei", &base, &authorize),
    );
    Ok(Demo::new(emulator, text))
}

/// Sign in with Apple (`apple`); writes the testkit's public demo key to a temporary file the block names.
#[cfg(feature = "apple")]
pub async fn apple(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::apple::AppleEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("apple", addr, e))?;
    // The demo key is the testkit's public fixture, written out so the block below
    // works as it stands.
    let key = std::env::temp_dir().join("tokenbridge-emulate-apple-demo.p8");
    std::fs::write(&key, crate::apple::demo_private_key_pem()).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot write the demo key {}: {e}", key.display()),
        )
    })?;
    let base = emulator.base();
    let text = format!(
        "[providers.apple]\nkind = \"apple\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nteam_id = \"{}\"\nkey_id = \"{}\"\nprivate_key_file = \"{}\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider apple (the callback is a form POST)\n",
        crate::apple::DEMO_CLIENT_ID,
        crate::apple::DEMO_TEAM_ID,
        crate::apple::DEMO_KEY_ID,
        key.display(),
    );
    Ok(Demo::new(emulator, text))
}

/// Microsoft Entra ID (`entra`).
#[cfg(feature = "entra")]
pub async fn entra(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::entra::EntraEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("entra", addr, e))?;
    let base = emulator.base();
    let authorize = emulator.provider().authorize_path();
    let text = format!(
        "[providers.entra]\nkind = \"entra\"\ntenant = \"{}\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n{}\n",
        emulator.tenant(),
        crate::entra::DEMO_CLIENT_ID,
        crate::entra::DEMO_CLIENT_SECRET,
        authorize_hint("entra", &base, &authorize)
            .replace(DEMO_ID, crate::entra::DEMO_CLIENT_ID),
    );
    Ok(Demo::new(emulator, text))
}

/// Google (`google`), asking for a refresh token.
#[cfg(feature = "google")]
pub async fn google(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::google::GoogleEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("google", addr, e))?;
    let base = emulator.base();
    let authorize = emulator.provider().authorize_path();
    let text = format!(
        "[providers.google]\nkind = \"google\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\noffline = true\n\n{}\n",
        crate::google::DEMO_CLIENT_ID,
        crate::google::DEMO_CLIENT_SECRET,
        authorize_hint("google", &base, &authorize)
            .replace(DEMO_ID, crate::google::DEMO_CLIENT_ID),
    );
    Ok(Demo::new(emulator, text))
}

/// WeChat website QR login (`wechat`).
#[cfg(feature = "wechat")]
pub async fn wechat(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::wechat::WeChatEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("wechat", addr, e))?;
    let base = emulator.base();
    let text = format!(
        "[providers.wechat]\nkind = \"wechat\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?appid={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=snsapi_login&state=s'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider wechat --code CODE --reveal > tokens.json\n#   the user:    tokenbridge userinfo --config tokenbridge.toml --provider wechat --tokens tokens.json\n",
        crate::wechat::DEMO_APPID,
        crate::wechat::DEMO_SECRET,
        crate::facts::wechat::AUTHORIZE_PATH,
        crate::wechat::DEMO_APPID,
    );
    Ok(Demo::new(emulator, text))
}

/// DingTalk (`dingtalk`).
#[cfg(feature = "dingtalk")]
pub async fn dingtalk(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::dingtalk::DingTalkEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("dingtalk", addr, e))?;
    let base = emulator.base();
    let text = format!(
        "[providers.dingtalk]\nkind = \"dingtalk\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=openid&prompt=consent&state=s'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider dingtalk --code AUTHCODE --reveal > tokens.json\n#   the user:    tokenbridge userinfo --config tokenbridge.toml --provider dingtalk --tokens tokens.json\n",
        crate::dingtalk::DEMO_CLIENT_ID,
        crate::dingtalk::DEMO_CLIENT_SECRET,
        crate::facts::dingtalk::AUTHORIZE_PATH,
        crate::dingtalk::DEMO_CLIENT_ID,
    );
    Ok(Demo::new(emulator, text))
}

/// Feishu / Lark (`feishu`).
#[cfg(feature = "feishu")]
pub async fn feishu(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::feishu::FeishuEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("feishu", addr, e))?;
    let base = emulator.base();
    let text = format!(
        "[providers.feishu]\nkind = \"feishu\"\nregion = \"feishu\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nscopes = \"offline_access\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider feishu --no-browser\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}&response_type=code&scope=offline_access'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider feishu --code CODE --redirect-uri {DEMO_REDIRECT}\n",
        crate::feishu::DEMO_CLIENT_ID,
        crate::feishu::DEMO_CLIENT_SECRET,
        crate::feishu::AUTHORIZE_PATH,
        crate::feishu::DEMO_CLIENT_ID,
    );
    Ok(Demo::new(emulator, text))
}

/// GitHub (`github`).
#[cfg(feature = "github")]
pub async fn github(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::github::GitHubEmulator::start_on(addr)
        .await
        .map_err(|e| not_started("github", addr, e))?;
    let base = emulator.base();
    let text = format!(
        "[providers.github]\nkind = \"github\"\nbase_url = \"{base}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n#   sign in:     tokenbridge login --config tokenbridge.toml --provider github --no-browser\n#   get a code:  curl -s -o /dev/null -w '%{{redirect_url}}\\n' '{base}{}?client_id={}&redirect_uri={DEMO_REDIRECT}'\n#   exchange it: tokenbridge exchange --config tokenbridge.toml --provider github --code CODE --redirect-uri {DEMO_REDIRECT}\n",
        crate::github::DEMO_CLIENT_ID,
        crate::github::DEMO_CLIENT_SECRET,
        crate::github::AUTHORIZE_PATH,
        crate::github::DEMO_CLIENT_ID,
    );
    Ok(Demo::new(emulator, text))
}

/// A standard OpenID Connect provider (`oidc`), found through discovery, with a demo client registered.
#[cfg(feature = "oidc")]
pub async fn oidc(addr: SocketAddr) -> io::Result<Demo> {
    let emulator = crate::oidc::OidcEmulator::start_on(crate::oidc::Profile::standard(), addr)
        .await
        .map_err(|e| not_started("oidc", addr, e))?;
    emulator
        .provider()
        .register_client(crate::oidc::ClientRegistration::confidential(
            DEMO_ID,
            DEMO_SECRET,
            tokenbridge_core::AuthMethod::ClientSecretBasic,
        ));
    let issuer = emulator.issuer().to_owned();
    let authorize = emulator.provider().authorize_path();
    let text = format!(
        "[providers.oidc]\nkind = \"oidc\"\nissuer = \"{issuer}\"\nclient_id = \"{DEMO_ID}\"\nclient_secret = \"{DEMO_SECRET}\"\nauth_method = \"client_secret_basic\"\n\n{}\n",
        authorize_hint("oidc", &issuer, &authorize),
    );
    Ok(Demo::new(emulator, text))
}
