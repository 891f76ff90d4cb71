//! The table of built-in kinds drives the registry and its messages, with and without the
//! vendors' Cargo features.

use tokenbridge::kinds::{built_in, BUILT_IN};
use tokenbridge::{Config, Registry};

#[test]
fn the_registry_knows_exactly_the_enabled_built_in_kinds() {
    let mut enabled: Vec<&str> = BUILT_IN
        .iter()
        .filter(|kind| kind.is_enabled())
        .map(|kind| kind.name)
        .collect();
    enabled.sort_unstable();
    assert_eq!(Registry::new().kinds(), enabled);
    for kind in BUILT_IN {
        assert_eq!(
            kind.factory().map(|factory| factory.kind()),
            kind.is_enabled().then_some(kind.name)
        );
        assert_eq!(built_in(kind.name).map(|k| k.name), Some(kind.name));
    }
    assert!(built_in("okta").is_none());
}

#[test]
fn a_missing_kind_lists_every_built_in_kind() {
    let err = Config::from_toml_str("[providers.x]\nclient_id = \"a\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error in `providers.x.kind`: missing `kind`; set it to one of: genauth, \
         tencent-ciam, huawei-oneaccess, wechat, dingtalk, feishu, github, apple, entra, google, oidc \
         (or a kind your application registers)"
    );
}

#[cfg(not(feature = "genauth"))]
#[test]
fn a_built_in_kind_without_its_feature_names_the_feature() {
    let config = Config::from_toml_str(
        "[providers.corp]\nkind = \"genauth\"\nbase_url = \"https://corp.genauth.ai\"\nclient_id = \"a\"\n",
    )
    .unwrap();
    match Registry::new().build(&config, "corp").unwrap_err() {
        tokenbridge::Error::Config { key, message } => {
            assert_eq!(key.as_deref(), Some("providers.corp.kind"));
            assert_eq!(
                message,
                "kind \"genauth\" is built in but its Cargo feature is off; enable the `genauth` \
                 feature of tokenbridge"
            );
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}
