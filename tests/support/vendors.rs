//! The four built-in kinds, each running on its testkit emulator and configured from TOML:
//! shared by the facade's tests that run the same scenario at every vendor.

use std::sync::Arc;

use tokenbridge::{AuthMethod, Config, Provider, Registry};
use tokenbridge_testkit::genauth::GenAuthEmulator;
use tokenbridge_testkit::huawei_oneaccess::HuaweiOneAccessEmulator;
use tokenbridge_testkit::tencent_ciam::TencentCiamEmulator;
use tokenbridge_testkit::{
    ClientRegistration, EmulatorServer, OidcEmulator, OidcProvider, Profile,
};

/// The demo client every emulator knows (the standard one registers it here).
pub(crate) const CLIENT_ID: &str = "demo-app";
/// Its secret.
pub(crate) const CLIENT_SECRET: &str = "demo-secret";
/// Tencent CIAM's public (PKCE) demo app, which browser sign-ins use there.
pub(crate) const TENCENT_PUBLIC_CLIENT_ID: &str = "demo-spa";

/// A built-in kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Oidc,
    GenAuth,
    Tencent,
    Huawei,
}

/// Every built-in kind.
pub(crate) const KINDS: [Kind; 4] = [Kind::Oidc, Kind::GenAuth, Kind::Tencent, Kind::Huawei];

impl Kind {
    /// The `kind` value in configuration.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Oidc => "oidc",
            Kind::GenAuth => "genauth",
            Kind::Tencent => "tencent-ciam",
            Kind::Huawei => "huawei-oneaccess",
        }
    }
}

/// One vendor's emulator, running until dropped.
#[derive(Debug)]
pub(crate) enum Running {
    Oidc(OidcEmulator),
    GenAuth(GenAuthEmulator),
    Tencent(TencentCiamEmulator),
    Huawei(HuaweiOneAccessEmulator),
}

impl Running {
    /// Starts `kind`'s emulator; the standard one with the demo client on Basic.
    pub(crate) async fn start(kind: Kind) -> Self {
        match kind {
            Kind::Oidc => {
                let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
                emulator.register_client(ClientRegistration::confidential(
                    CLIENT_ID,
                    CLIENT_SECRET,
                    AuthMethod::ClientSecretBasic,
                ));
                Running::Oidc(emulator)
            }
            Kind::GenAuth => Running::GenAuth(GenAuthEmulator::start().await.unwrap()),
            Kind::Tencent => Running::Tencent(TencentCiamEmulator::start().await.unwrap()),
            Kind::Huawei => Running::Huawei(HuaweiOneAccessEmulator::start().await.unwrap()),
        }
    }

    /// The server (base URL, recorded requests).
    pub(crate) fn server(&self) -> &EmulatorServer {
        match self {
            Running::Oidc(e) => e.server(),
            Running::GenAuth(e) => e.server(),
            Running::Tencent(e) => e.server(),
            Running::Huawei(e) => e.server(),
        }
    }

    /// The emulated provider's state (authorize mode, keys, revoked tokens, issuer).
    pub(crate) fn state(&self) -> &Arc<OidcProvider> {
        match self {
            Running::Oidc(e) => e.provider(),
            Running::GenAuth(e) => e.oidc(),
            Running::Tencent(e) => e.provider(),
            Running::Huawei(e) => e.provider(),
        }
    }

    /// The kind this emulator stands for.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Running::Oidc(_) => Kind::Oidc,
            Running::GenAuth(_) => Kind::GenAuth,
            Running::Tencent(_) => Kind::Tencent,
            Running::Huawei(_) => Kind::Huawei,
        }
    }

    /// The provider's TOML table (`[providers.corp]`) for the demo client, plus `extra` lines:
    /// the standard kind through discovery with Basic, the vendors below their base URL.
    pub(crate) fn toml(&self, extra: &str) -> String {
        let place = match self.kind() {
            Kind::Oidc => format!(
                "issuer = \"{}\"\nauth_method = \"client_secret_basic\"",
                self.state().issuer()
            ),
            _ => format!("base_url = \"{}\"", self.server().base()),
        };
        format!(
            "[providers.corp]\nkind = \"{}\"\n{place}\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n{extra}\n",
            self.kind().name()
        )
    }

    /// The provider the registry builds from [`toml`](Self::toml).
    pub(crate) fn provider(&self, extra: &str) -> Provider {
        let config = Config::from_toml_str(&self.toml(extra)).unwrap();
        Registry::new().build(&config, "corp").unwrap()
    }

    /// The client a browser sign-in uses: the demo client, except at Tencent CIAM, where it is
    /// the public app. Sign-in always sends a PKCE verifier, and Tencent documents PKCE for
    /// public apps only: whether it takes a secret and a verifier together is not documented,
    /// so no test relies on it.
    pub(crate) fn signin_client_id(&self) -> &'static str {
        match self.kind() {
            Kind::Tencent => TENCENT_PUBLIC_CLIENT_ID,
            _ => CLIENT_ID,
        }
    }

    /// [`toml`](Self::toml) for [`signin_client_id`](Self::signin_client_id) (no secret for
    /// Tencent's public app).
    pub(crate) fn signin_toml(&self, extra: &str) -> String {
        match self.kind() {
            Kind::Tencent => format!(
                "[providers.corp]\nkind = \"tencent-ciam\"\nbase_url = \"{}\"\nclient_id = \"{TENCENT_PUBLIC_CLIENT_ID}\"\n{extra}\n",
                self.server().base()
            ),
            _ => self.toml(extra),
        }
    }

    /// The provider the registry builds from [`signin_toml`](Self::signin_toml).
    pub(crate) fn signin_provider(&self, extra: &str) -> Provider {
        let config = Config::from_toml_str(&self.signin_toml(extra)).unwrap();
        Registry::new().build(&config, "corp").unwrap()
    }
}
