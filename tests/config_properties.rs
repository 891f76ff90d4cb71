//! Property tests of the configuration loader (issue 13, section 5): arbitrary TOML, JSON and
//! environment variables never make `Config` or `Registry::build` panic, and whatever is
//! refused is a configuration error.

use proptest::prelude::*;
use tokenbridge::{Config, Error, Registry};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Keys a provider table may have, and a few it may not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("kind"),
        Just("client_id"),
        Just("client_secret"),
        Just("client_secret_env"),
        Just("auth_method"),
        Just("redirect_uri"),
        Just("scopes"),
        Just("issuer"),
        Just("discovery_url"),
        Just("token_endpoint"),
        Just("base_url"),
        Just("protocol"),
        Just("basic_encoding"),
        Just("id_token_signed_response_alg"),
        Just("key_id"),
        Just("private_key_env"),
        Just("grants"),
        Just("unknown_key"),
    ]
    .prop_map(str::to_owned)
}

/// Values: kinds, URLs (good, bad, with credentials), methods, numbers, garbage.
fn value() -> impl Strategy<Value = toml::Value> {
    prop_oneof![
        prop_oneof![
            Just("oidc"),
            Just("genauth"),
            Just("tencent-ciam"),
            Just("huawei-oneaccess"),
            Just("nope"),
            Just("https://id.example.com"),
            Just("http://127.0.0.1:1/token"),
            Just("http://id.example.com"),
            Just("user:pw@id.example.com"),
            Just("https://u:p@id.example.com/?secret=x"),
            Just("client_secret_basic"),
            Just("client_secret_post"),
            Just("private_key_jwt"),
            Just("none"),
            Just("RS256"),
            Just("oauth2"),
            Just(""),
            Just(" "),
        ]
        .prop_map(|s| toml::Value::String(s.to_owned())),
        "[ -~]{0,30}".prop_map(toml::Value::String),
        any::<i64>().prop_map(toml::Value::Integer),
        any::<bool>().prop_map(toml::Value::Boolean),
        prop::collection::vec("[a-z]{0,8}".prop_map(toml::Value::String), 0..4)
            .prop_map(toml::Value::Array),
        prop::collection::btree_map(
            prop_oneof![
                Just("timeout_secs"),
                Just("connect_timeout_secs"),
                Just("max_body_bytes"),
                Just("other")
            ]
            .prop_map(str::to_owned),
            prop_oneof![
                any::<i64>().prop_map(toml::Value::Integer),
                "[ -~]{0,8}".prop_map(toml::Value::String)
            ],
            0..3,
        )
        .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
    ]
}

fn provider_tables() -> impl Strategy<Value = toml::Value> {
    prop::collection::btree_map(
        "[a-z]{1,6}",
        prop::collection::btree_map(key(), value(), 0..8),
        0..3,
    )
    .prop_map(|providers| {
        let mut root = toml::map::Map::new();
        root.insert(
            "providers".into(),
            toml::Value::Table(
                providers
                    .into_iter()
                    .map(|(name, table)| (name, toml::Value::Table(table.into_iter().collect())))
                    .collect(),
            ),
        );
        toml::Value::Table(root)
    })
}

/// Builds every provider of `config`, with no environment: must not panic, and a refusal is
/// a configuration (or unsupported) error.
fn build_all(config: &Config) {
    let registry = Registry::new().with_env(|_| None);
    let names: Vec<String> = config.provider_names().map(str::to_owned).collect();
    for name in names {
        if let Err(e) = registry.build(config, &name) {
            let _ = (e.to_string(), format!("{e:?}"));
            assert!(
                matches!(
                    e,
                    Error::Config { .. }
                        | Error::Unsupported { .. }
                        | Error::UnsupportedGrant { .. }
                ),
                "{name}: {e:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_toml_text_never_panics(text in ".{0,300}") {
        if let Ok(config) = Config::from_toml_str(&text) {
            build_all(&config);
        }
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in ".{0,300}") {
        if let Ok(config) = Config::from_json_str(&text) {
            build_all(&config);
        }
    }

    #[test]
    fn structured_configurations_never_panic(document in provider_tables()) {
        let toml_text = toml::to_string(&document).unwrap();
        match Config::from_toml_str(&toml_text) {
            Ok(config) => build_all(&config),
            Err(e) => prop_assert!(matches!(e, Error::Config { .. }), "{e:?}"),
        }
        let json_text = serde_json::to_string(&document).unwrap();
        match Config::from_json_str(&json_text) {
            Ok(config) => build_all(&config),
            Err(e) => prop_assert!(matches!(e, Error::Config { .. }), "{e:?}"),
        }
    }

    #[test]
    fn arbitrary_environment_variables_never_panic(
        vars in prop::collection::vec(
            (
                prop_oneof![
                    "TOKENBRIDGE__[A-Z_]{0,12}(__[A-Z_]{0,12}){0,2}",
                    "[A-Z_]{0,16}",
                    ".{0,20}",
                ],
                ".{0,30}",
            ),
            0..6,
        ),
    ) {
        match Config::from_env_vars(vars) {
            Ok(config) => build_all(&config),
            Err(e) => prop_assert!(matches!(e, Error::Config { .. }), "{e:?}"),
        }
    }
}
