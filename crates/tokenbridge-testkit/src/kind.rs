//! A kind's provider built from configuration in a test, as the registry builds it from a
//! `[providers.<name>]` table, and the configuration error a mistake must come back as.

use serde_json::Value;
use tokenbridge_core::{Error, Provider, ProviderContext, ProviderFactory, ProviderTable, Result};

/// Builds the provider `name` of `factory`'s kind from `settings`, the keys of its table as
/// a JSON object (`kind` left out). `env` is the only environment `client_secret_env` and
/// `private_key_env` read, so a test never depends on the process's variables.
///
/// ```
/// # use tokenbridge_core::{Provider, ProviderContext, ProviderFactory, Result, VendorDescription};
/// # static ACME: VendorDescription = {
/// #     let mut d = VendorDescription::standard("acme", "Acme ID");
/// #     d.paths.token = Some("/oauth/token");
/// #     d
/// # };
/// # #[derive(Debug)]
/// # struct Acme;
/// # impl ProviderFactory for Acme {
/// #     fn kind(&self) -> &'static str { "acme" }
/// #     fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
/// #         context.build_vendor(&ACME, Some("https://id.acme.example".into()))
/// #     }
/// # }
/// use serde_json::json;
/// use tokenbridge_testkit::kind::{build_kind, config_error};
///
/// let env = [("ACME_SECRET", "from-env")];
/// let provider = build_kind(&Acme, "acme", json!({"client_id": "app", "client_secret_env": "ACME_SECRET"}), &env);
/// provider.unwrap();
/// let (key, _message) = config_error(build_kind(&Acme, "acme", json!({"client_secret": "s"}), &env));
/// assert_eq!(key, "providers.acme.client_id");
/// ```
pub fn build_kind(
    factory: &dyn ProviderFactory,
    name: &str,
    settings: Value,
    env: &[(&str, &str)],
) -> Result<Provider> {
    let Value::Object(settings) = settings else {
        return Err(Error::config(
            format!("providers.{name}"),
            "the settings of a provider table are a JSON object",
        ));
    };
    let table = ProviderTable {
        name: name.to_owned(),
        kind: factory.kind().to_owned(),
        settings,
    };
    let lookup = |var: &str| {
        env.iter()
            .find(|(name, _)| *name == var)
            .map(|(_, value)| (*value).to_owned())
    };
    factory.build(&ProviderContext::new(&table, &lookup, None))
}

/// The key and message of the configuration error `result` is; any other outcome fails the
/// test (this is an assertion).
#[track_caller]
pub fn config_error(result: Result<Provider>) -> (String, String) {
    match result {
        Err(Error::Config {
            key: Some(key),
            message,
        }) => (key, message),
        other => panic!("expected a configuration error naming its key, got {other:?}"),
    }
}
