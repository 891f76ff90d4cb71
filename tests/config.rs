#![cfg(all(
    feature = "genauth",
    feature = "tencent-ciam",
    feature = "huawei-oneaccess"
))]
//! Configuration parsing and the registry: every kind, every error case.

use tokenbridge::adapter::{
    CommonSettings, ProviderContext, ProviderFactory, ProviderTable, VendorDescription,
};
use tokenbridge::{
    AuthMethod, Config, Error, GrantKind, Provider, Registry, Result, TokenExchanger,
};

const ALL_KINDS: &str = r#"
[providers.corp]
kind = "genauth"
base_url = "https://corp.genauth.ai"
client_id = "6342b8537a"
client_secret_env = "CORP_SECRET"
auth_method = "client_secret_basic"
protocol = "oidc"

[providers.tencent]
kind = "tencent-ciam"
base_url = "https://sample.portal.tencentciam.com"
client_id = "tc-app"
client_secret = "tc-secret"

[providers.huawei]
kind = "huawei-oneaccess"
base_url = "https://example.huaweioneaccess.com"
client_id = "hw-app"
client_secret = "hw-secret"
protocol = "oauth"

[providers.huawei.http]
timeout_secs = 5
max_body_bytes = 65536

[providers.any]
kind = "oidc"
issuer = "https://id.example.com"
client_id = "any-app"
client_secret_env = "ANY_SECRET"
auth_method = "client_secret_post"
"#;

fn env(name: &str) -> Option<String> {
    match name {
        "CORP_SECRET" => Some("corp-secret".into()),
        "ANY_SECRET" => Some("any-secret".into()),
        _ => None,
    }
}

fn registry() -> Registry {
    Registry::new().with_env(env)
}

fn config_error(err: Error) -> (Option<String>, String) {
    match err {
        Error::Config { key, message } => (key, message),
        other => panic!("expected a configuration error, got: {other}"),
    }
}

fn build_err(toml: &str, name: &str) -> (Option<String>, String) {
    let config = Config::from_toml_str(toml).unwrap();
    config_error(registry().build(&config, name).unwrap_err())
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// The keys every kind shares, as the kind's builder reads them.
fn common(table: &ProviderTable) -> CommonSettings {
    ProviderContext::new(table, &no_env, None).common().unwrap()
}

#[tokio::test]
async fn every_kind_builds_from_its_description() {
    let config = Config::from_toml_str(ALL_KINDS).unwrap();
    let registry = registry();
    let cases = [
        ("corp", "genauth", "https://corp.genauth.ai/oidc/token"),
        (
            "tencent",
            "tencent-ciam",
            "https://sample.portal.tencentciam.com/oauth2/token",
        ),
        (
            "huawei",
            "huawei-oneaccess",
            "https://example.huaweioneaccess.com/api/v1/oauth2/token",
        ),
    ];
    for (name, kind, token_endpoint) in cases {
        let provider = registry.build(&config, name).unwrap();
        assert_eq!(provider.vendor().kind, kind);
        assert_eq!(
            provider.token_endpoint().await.unwrap().as_str(),
            token_endpoint
        );
    }
    let corp = common(config.provider("corp").unwrap());
    assert_eq!(corp.client_id, "6342b8537a");
    assert_eq!(corp.client_secret_env.as_deref(), Some("CORP_SECRET"));
    assert_eq!(corp.auth_method, Some(AuthMethod::ClientSecretBasic));
    let huawei = common(config.provider("huawei").unwrap());
    assert_eq!(huawei.http.timeout_secs, Some(5));
    let http = huawei.http.to_http_config();
    assert_eq!(http.timeout, std::time::Duration::from_secs(5));
    assert_eq!(http.max_body_bytes, 65536);
    let any = registry.build(&config, "any").unwrap();
    assert_eq!(any.vendor().kind, "oidc");
    assert_eq!(
        registry
            .build(&config, "corp")
            .unwrap()
            .auth_method_name()
            .await
            .unwrap(),
        "client_secret_basic"
    );
}

#[test]
fn redirect_uri_and_scopes_are_read_for_every_kind() {
    for scopes in [r#"["openid", "profile"]"#, r#""openid profile""#] {
        let config = Config::from_toml_str(&format!(
            "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nredirect_uri = \"https://app.example.com/cb\"\nscopes = {scopes}\n"
        ))
        .unwrap();
        let provider = registry().build(&config, "any").unwrap();
        assert_eq!(provider.redirect_uri(), Some("https://app.example.com/cb"));
        assert_eq!(provider.scopes(), ["openid", "profile"]);
    }
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nscopes = 5\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.scopes"), "{message}");
    let (key, _) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nredirect_uri = \"http://app.example.com/cb\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.redirect_uri"));
}

#[test]
fn every_kind_builds_and_keeps_its_name() {
    let config = Config::from_toml_str(ALL_KINDS).unwrap();
    let all = registry().build_all(&config).unwrap();
    for (name, exchanger) in &all {
        assert_eq!(exchanger.provider_id(), name);
        assert!(exchanger.supports(GrantKind::AuthorizationCode), "{name}");
    }
    assert!(all["corp"].supports(GrantKind::Extension));
}

#[test]
fn json_has_the_same_keys() {
    let config = Config::from_json_str(
        r#"{"providers": {"any": {"kind": "oidc", "token_endpoint": "https://id.example.com/token",
            "client_id": "a", "auth_method": "none"}}}"#,
    )
    .unwrap();
    let exchanger = registry().build(&config, "any").unwrap();
    assert_eq!(exchanger.provider_id(), "any");
}

#[test]
fn unknown_key_names_provider_and_key() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nclient_secrte = \"x\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.client_secrte"));
    assert!(
        message.contains("unknown field `client_secrte`"),
        "{message}"
    );
    assert!(
        message.contains("client_secret"),
        "the message lists the valid keys: {message}"
    );
}

#[test]
fn unknown_kind_lists_the_known_ones() {
    let (key, message) = build_err("[providers.x]\nkind = \"okta\"\nclient_id = \"a\"\n", "x");
    assert_eq!(key.as_deref(), Some("providers.x.kind"));
    for kind in ["genauth", "tencent-ciam", "huawei-oneaccess", "oidc"] {
        assert!(message.contains(kind), "{message}");
    }
}

#[test]
fn missing_kind_is_reported_at_load() {
    let (key, message) =
        config_error(Config::from_toml_str("[providers.x]\nclient_id = \"a\"\n").unwrap_err());
    assert_eq!(key.as_deref(), Some("providers.x.kind"));
    assert!(message.contains("oidc"), "{message}");
}

#[test]
fn bad_url_and_http_url_are_refused() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"not a url\"\nclient_id = \"a\"\nauth_method = \"none\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.token_endpoint"));
    assert!(message.contains("not a valid URL"), "{message}");

    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"http://id.example.com\"\nclient_id = \"a\"\nauth_method = \"none\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.issuer"));
    assert!(message.contains("https"), "{message}");

    // http is fine for loopback.
    let config = Config::from_toml_str(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"a\"\nauth_method = \"none\"\n",
    )
    .unwrap();
    assert!(registry().build(&config, "any").is_ok());
}

#[test]
fn vendor_http_url_to_a_remote_host_is_refused() {
    for kind in ["genauth", "tencent-ciam", "huawei-oneaccess"] {
        let toml = format!(
            "[providers.v]\nkind = \"{kind}\"\nbase_url = \"http://tenant.example.com\"\nclient_id = \"a\"\nclient_secret = \"s\"\n"
        );
        let (key, message) = build_err(&toml, "v");
        assert_eq!(
            key.as_deref(),
            Some("providers.v.base_url"),
            "{kind}: {message}"
        );
    }
}

#[test]
fn missing_secret_for_a_method_that_needs_one() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\ntoken_endpoint = \"https://id.example.com/token\"\nclient_id = \"a\"\nauth_method = \"client_secret_basic\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.client_secret"));
    assert!(message.contains("client_secret_basic"), "{message}");

    let (key, message) = build_err(
        "[providers.g]\nkind = \"genauth\"\nbase_url = \"https://g.genauth.ai\"\nclient_id = \"a\"\nauth_method = \"client_secret_basic\"\n",
        "g",
    );
    assert_eq!(
        key.as_deref(),
        Some("providers.g.client_secret"),
        "{message}"
    );

    let (key, _) = build_err(
        "[providers.hw]\nkind = \"huawei-oneaccess\"\nbase_url = \"https://x.example.com\"\nclient_id = \"a\"\n",
        "hw",
    );
    assert_eq!(key.as_deref(), Some("providers.hw.client_secret"));
}

#[test]
fn env_var_not_set_names_the_variable() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nclient_secret_env = \"NOT_SET_ANYWHERE\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.client_secret_env"));
    assert!(message.contains("NOT_SET_ANYWHERE"), "{message}");
}

#[test]
fn both_secret_forms_is_an_error() {
    let (key, _) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nclient_secret = \"s\"\nclient_secret_env = \"ANY_SECRET\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.client_secret"));
}

#[test]
fn bad_enum_values_are_explained() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nauth_method = \"tls_client_auth\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.auth_method"));
    assert!(
        message.contains("client_secret_basic") && message.contains("private_key_jwt"),
        "{message}"
    );
    // private_key_jwt is known now (issue 11), and needs its key.
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nauth_method = \"private_key_jwt\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.private_key_file"));
    assert!(message.contains("private_key_env"), "{message}");

    let (_, message) = build_err(
        "[providers.g]\nkind = \"genauth\"\nbase_url = \"https://g.genauth.ai\"\nclient_id = \"a\"\nclient_secret = \"s\"\nprotocol = \"saml\"\n",
        "g",
    );
    assert!(
        message.contains("oidc") && message.contains("oauth"),
        "{message}"
    );
}

#[test]
fn issuer_and_token_endpoint_together_is_an_error() {
    let (key, _) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\ntoken_endpoint = \"https://id.example.com/t\"\nclient_id = \"a\"\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.token_endpoint"));
}

#[test]
fn unknown_provider_lists_configured_ones() {
    let config = Config::from_toml_str(ALL_KINDS).unwrap();
    let (key, message) = config_error(registry().build(&config, "nope").unwrap_err());
    assert_eq!(key.as_deref(), Some("provider"));
    assert!(
        message.contains("corp") && message.contains("tencent"),
        "{message}"
    );
}

#[test]
fn invalid_toml_is_a_config_error() {
    let (_, message) = config_error(Config::from_toml_str("[providers.x\nkind=").unwrap_err());
    assert!(message.contains("TOML"), "{message}");
}

#[test]
fn environment_scheme() {
    let vars = [
        ("TOKENBRIDGE__CORP__KIND", "oidc"),
        (
            "TOKENBRIDGE__CORP__TOKEN_ENDPOINT",
            "https://id.example.com/token",
        ),
        ("TOKENBRIDGE__CORP__CLIENT_ID", "app"),
        ("TOKENBRIDGE__CORP__AUTH_METHOD", "none"),
        ("TOKENBRIDGE__CORP__HTTP__TIMEOUT_SECS", "7"),
        ("PATH", "/usr/bin"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let config = Config::from_env_vars(vars).unwrap();
    let settings = common(config.provider("corp").unwrap());
    assert_eq!(settings.client_id, "app");
    assert_eq!(settings.http.timeout_secs, Some(7));
    assert!(registry().build(&config, "corp").is_ok());

    let bad =
        Config::from_env_vars([("TOKENBRIDGE__CORP".to_owned(), "x".to_owned())]).unwrap_err();
    assert!(matches!(bad, Error::Config { .. }));
}

#[test]
fn debug_output_hides_inline_secrets() {
    let config = Config::from_toml_str(ALL_KINDS).unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("tc-secret") && !shown.contains("hw-secret"),
        "{shown}"
    );
    let typed = common(config.provider("tencent").unwrap());
    assert!(!format!("{typed:?}").contains("tc-secret"));
    let exchangers = registry().build_all(&config).unwrap();
    let shown = format!("{exchangers:?}");
    for secret in ["tc-secret", "hw-secret", "corp-secret", "any-secret"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

/// A custom vendor, described and registered exactly like the built-in ones.
static ACME: VendorDescription = {
    let mut acme = VendorDescription::standard("acme", "Acme Identity");
    acme.paths.token = Some("/v2/token");
    acme
};

#[derive(Debug)]
struct Acme;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AcmeSettings {
    tenant: String,
}

impl ProviderFactory for Acme {
    fn kind(&self) -> &'static str {
        "acme"
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: AcmeSettings = context.settings()?;
        let base = format!("https://{}.acme.example", settings.tenant);
        context.build(context.builder(&ACME)?.base_url(base))
    }
}

#[tokio::test]
async fn registry_builds_a_custom_kind() {
    let mut registry = registry();
    registry.register(Acme);
    assert!(registry.kinds().contains(&"acme"));
    let config = Config::from_toml_str(
        "[providers.mine]\nkind = \"acme\"\ntenant = \"t1\"\nclient_id = \"app\"\nclient_secret = \"s\"\n",
    )
    .unwrap();
    let provider = registry.build(&config, "mine").unwrap();
    assert_eq!(provider.provider_id(), "mine");
    assert_eq!(
        provider.token_endpoint().await.unwrap().as_str(),
        "https://t1.acme.example/v2/token"
    );
    assert_eq!(provider.vendor().name, "Acme Identity");

    let config = Config::from_toml_str(
        "[providers.mine]\nkind = \"acme\"\ntenat = \"t1\"\nclient_id = \"app\"\n",
    )
    .unwrap();
    let (key, message) = config_error(registry.build(&config, "mine").unwrap_err());
    assert_eq!(key.as_deref(), Some("providers.mine.tenat"));
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn nested_and_typed_errors_carry_the_key_path() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\n[providers.any.http]\ntimeout = 5\n",
        "any",
    );
    assert_eq!(
        key.as_deref(),
        Some("providers.any.http.timeout"),
        "{message}"
    );
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\n[providers.any.http]\ntimeout_secs = \"5\"\n",
        "any",
    );
    assert_eq!(
        key.as_deref(),
        Some("providers.any.http.timeout_secs"),
        "{message}"
    );
    assert!(message.contains("expected u64"), "{message}");
}

#[test]
fn numeric_client_id_from_the_environment_stays_text() {
    let vars = [
        ("TOKENBRIDGE__NUM__KIND", "oidc"),
        (
            "TOKENBRIDGE__NUM__TOKEN_ENDPOINT",
            "https://id.example.com/token",
        ),
        ("TOKENBRIDGE__NUM__CLIENT_ID", "1234567890"),
        ("TOKENBRIDGE__NUM__AUTH_METHOD", "none"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let config = Config::from_env_vars(vars).unwrap();
    assert_eq!(
        common(config.provider("num").unwrap()).client_id,
        "1234567890"
    );
}

#[test]
fn par_and_dpop_are_switches_in_files_and_the_environment() {
    let toml = Config::from_toml_str(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\n\
         client_id = \"app\"\npar = true\ndpop = true\n",
    )
    .unwrap();
    let provider = Registry::new().build(&toml, "any").unwrap();
    assert!(provider.uses_par() && provider.uses_dpop());
    let vars = |par: &str| {
        [
            ("TOKENBRIDGE__ENV__KIND", "oidc"),
            ("TOKENBRIDGE__ENV__ISSUER", "https://id.example.com"),
            ("TOKENBRIDGE__ENV__CLIENT_ID", "app"),
            ("TOKENBRIDGE__ENV__PAR", par),
            ("TOKENBRIDGE__ENV__DPOP", "false"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    };
    let config = Config::from_env_vars(vars("TRUE")).unwrap();
    let provider = Registry::new().build(&config, "env").unwrap();
    assert!(provider.uses_par() && !provider.uses_dpop());
    let settings = common(config.provider("env").unwrap());
    assert!(settings.par && !settings.dpop);
    let (key, message) = config_error(Config::from_env_vars(vars("yes")).unwrap_err());
    assert_eq!(key.as_deref(), Some("TOKENBRIDGE__ENV__PAR"), "{message}");
    assert!(message.contains("true or false"), "{message}");
    let unset = Config::from_toml_str(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"app\"\n",
    )
    .unwrap();
    let provider = Registry::new().build(&unset, "any").unwrap();
    assert!(!provider.uses_par() && !provider.uses_dpop());
}

#[test]
fn toml_errors_give_the_position_but_not_the_line() {
    let (_, message) = config_error(
        Config::from_toml_str(
            "[providers.any]\nkind = \"oidc\"\nclient_secret = \"hunter2\" oops\n",
        )
        .unwrap_err(),
    );
    assert!(message.contains("line 3"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn genauth_errors_use_the_configuration_key_names() {
    let (key, message) = build_err(
        "[providers.g]\nkind = \"genauth\"\nbase_url = \"https://g.genauth.ai\"\nclient_id = \"a\"\nauth_method = \"client_secret_post\"\n",
        "g",
    );
    assert_eq!(key.as_deref(), Some("providers.g.client_secret"));
    assert!(!message.contains("app_secret"), "{message}");
}

#[test]
fn a_wrongly_typed_secret_is_not_repeated() {
    let (key, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nclient_secret = 98765432123\n",
        "any",
    );
    assert_eq!(key.as_deref(), Some("providers.any.client_secret"));
    assert!(!message.contains("98765432123"), "{message}");
}

#[test]
fn setting_errors_quote_no_secret_and_no_value_of_a_custom_kind() {
    // Secret-bearing keys shared by every kind: the type is named, the value is not.
    for (line, key) in [
        ("client_secret = 98765432123", "client_secret"),
        ("client_secret = [\"s3cr3t-in-list\"]", "client_secret"),
        ("private_key_env = 4242424242", "private_key_env"),
    ] {
        let (got, message) = build_err(
            &format!("[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\n{line}\n"),
            "any",
        );
        assert_eq!(
            got.as_deref(),
            Some(format!("providers.any.{key}").as_str())
        );
        for value in ["98765432123", "s3cr3t-in-list", "4242424242"] {
            assert!(!message.contains(value), "{line}: {message}");
        }
        assert!(
            message.contains("(the value given is not shown)"),
            "{message}"
        );
    }
    let (_, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nclient_secret = 98765432123\n",
        "any",
    );
    assert_eq!(
        message,
        "invalid type: an integer (the value given is not shown), expected a string"
    );
    // A setting that is not a secret keeps its value, which helps fix it.
    let (_, message) = build_err(
        "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\nauth_method = \"client_secret_bsic\"\n",
        "any",
    );
    assert!(message.contains("client_secret_bsic"), "{message}");

    // A custom kind's own settings: tokenbridge cannot know which are secrets, so no value is
    // ever quoted, whatever the key is called.
    let mut registry = registry();
    registry.register(Acme);
    for value in [
        "12345",
        "[\"tenant-s3cr3t\"]",
        "{ nested = \"tenant-s3cr3t\" }",
        "true",
    ] {
        let config = Config::from_toml_str(&format!(
            "[providers.mine]\nkind = \"acme\"\ntenant = {value}\nclient_id = \"app\"\n"
        ))
        .unwrap();
        let (key, message) = config_error(registry.build(&config, "mine").unwrap_err());
        assert_eq!(key.as_deref(), Some("providers.mine.tenant"));
        for shown in ["12345", "tenant-s3cr3t", "true"] {
            assert!(!message.contains(shown), "{value}: {message}");
        }
        assert!(message.ends_with("expected a string"), "{value}: {message}");
    }
}

#[test]
fn empty_secrets_and_zero_http_settings_are_refused() {
    let (key, _) = build_err(
        "[providers.g]\nkind = \"genauth\"\nbase_url = \"https://g.genauth.ai\"\nclient_id = \"a\"\nclient_secret = \"\"\n",
        "g",
    );
    assert_eq!(key.as_deref(), Some("providers.g.client_secret"));
    for setting in ["timeout_secs", "connect_timeout_secs", "max_body_bytes"] {
        let (key, message) = build_err(
            &format!("[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\n[providers.any.http]\n{setting} = 0\n"),
            "any",
        );
        assert_eq!(
            key,
            Some(format!("providers.any.http.{setting}")),
            "{message}"
        );
    }
}

#[test]
fn the_callers_http_client_is_never_replaced() {
    let toml = "[providers.any]\nkind = \"oidc\"\nissuer = \"https://id.example.com\"\nclient_id = \"a\"\n[providers.any.http]\nconnect_timeout_secs = 5\n";
    let config = Config::from_toml_str(toml).unwrap();
    // Without a client of the caller's, the setting builds a pool of its own.
    assert!(registry().build(&config, "any").is_ok());
    let registry = registry().with_http_client(tokenbridge::HttpClient::default());
    let (key, message) = config_error(registry.build(&config, "any").unwrap_err());
    assert_eq!(
        key.as_deref(),
        Some("providers.any.http.connect_timeout_secs"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn from_env_ignores_foreign_variables_that_are_not_utf8() {
    use std::os::unix::ffi::OsStringExt;
    std::env::set_var(
        "TOKENBRIDGE_TEST_NOT_OURS",
        std::ffi::OsString::from_vec(vec![0xff, 0xfe]),
    );
    let config = Config::from_env().unwrap();
    std::env::remove_var("TOKENBRIDGE_TEST_NOT_OURS");
    assert_eq!(config.provider_names().count(), 0);
}
