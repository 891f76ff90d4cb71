//! The kinds tokenbridge ships, in one table.
//!
//! The registry, the configuration's messages, `tokenbridge emulate --vendor` and the
//! documentation checks all read [`BUILT_IN`], so a new built-in vendor is one line here; what
//! else it touches (its crate, manifests, testkit demo, docs) is listed in
//! docs/writing-an-adapter.md, section 11.

use std::sync::Arc;

use tokenbridge_core::{ProviderFactory, StandardKind};

/// One built-in kind: its configuration name, the Cargo feature that compiles it, the factory
/// that builds its providers (absent when the feature is off), the testkit emulator that plays
/// it and its documentation page.
#[derive(Debug, Clone, Copy)]
pub struct BuiltInKind {
    /// The `kind` value in configuration, e.g. `tencent-ciam`.
    pub name: &'static str,
    /// The Cargo feature of `tokenbridge` that compiles this kind; `None` for a kind that is
    /// always compiled.
    pub feature: Option<&'static str>,
    /// The emulator `tokenbridge emulate --vendor <emulator>` starts for this kind.
    pub emulator: &'static str,
    /// The page describing this kind, relative to the repository root.
    pub docs: &'static str,
    factory: Option<fn() -> Arc<dyn ProviderFactory>>,
}

impl BuiltInKind {
    /// The factory of this kind's providers, or `None` when its Cargo feature is off.
    pub fn factory(&self) -> Option<Arc<dyn ProviderFactory>> {
        self.factory.map(|make| make())
    }

    /// Whether this build of tokenbridge can build providers of this kind.
    pub fn is_enabled(&self) -> bool {
        self.factory.is_some()
    }
}

/// One row of [`BUILT_IN`]: the factory is compiled only with the feature on.
macro_rules! kind {
    ($name:literal, feature = $feature:literal, $factory:expr) => {
        BuiltInKind {
            name: $name,
            feature: Some($feature),
            emulator: $name,
            docs: concat!("docs/providers/", $name, ".md"),
            factory: {
                #[cfg(feature = $feature)]
                let factory: Option<fn() -> Arc<dyn ProviderFactory>> =
                    Some(|| Arc::new($factory) as Arc<dyn ProviderFactory>);
                #[cfg(not(feature = $feature))]
                let factory: Option<fn() -> Arc<dyn ProviderFactory>> = None;
                factory
            },
        }
    };
    ($name:literal, always, $factory:expr) => {
        BuiltInKind {
            name: $name,
            feature: None,
            emulator: $name,
            docs: concat!("docs/providers/", $name, ".md"),
            factory: Some(|| Arc::new($factory) as Arc<dyn ProviderFactory>),
        }
    };
}

/// Every built-in kind, whether or not its Cargo feature is on, in the order messages list them.
pub const BUILT_IN: &[BuiltInKind] = &[
    kind!("genauth", feature = "genauth", tokenbridge_genauth::GenAuth),
    kind!(
        "tencent-ciam",
        feature = "tencent-ciam",
        tokenbridge_tencent_ciam::TencentCiam
    ),
    kind!(
        "huawei-oneaccess",
        feature = "huawei-oneaccess",
        tokenbridge_huawei_oneaccess::HuaweiOneAccess
    ),
    kind!("wechat", feature = "wechat", tokenbridge_wechat::WeChat),
    kind!(
        "dingtalk",
        feature = "dingtalk",
        tokenbridge_dingtalk::DingTalk
    ),
    kind!("feishu", feature = "feishu", tokenbridge_feishu::Feishu),
    kind!("github", feature = "github", tokenbridge_github::GitHub),
    kind!("apple", feature = "apple", tokenbridge_apple::Apple),
    kind!("entra", feature = "entra", tokenbridge_entra::Entra),
    kind!("google", feature = "google", tokenbridge_google::Google),
    kind!("oidc", always, StandardKind),
];

/// The built-in kind called `name`.
pub fn built_in(name: &str) -> Option<&'static BuiltInKind> {
    BUILT_IN.iter().find(|kind| kind.name == name)
}

/// The built-in kind names, comma-separated, for messages.
pub(crate) fn names() -> String {
    BUILT_IN
        .iter()
        .map(|kind| kind.name)
        .collect::<Vec<_>>()
        .join(", ")
}
