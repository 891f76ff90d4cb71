//! Builds exchangers from configuration, by provider name.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use tokenbridge_core::{HttpClient, HttpConfig, Result, StandardExchanger, TokenExchanger};

use crate::config::{
    Config, EnvLookup, HttpSettings, ProviderConfig, ProviderTable, SecretSetting, BUILT_IN_KINDS,
};

/// What a factory gets to build one provider's exchanger.
pub struct ProviderContext<'a> {
    /// The provider's table (name, kind, settings).
    pub table: &'a ProviderTable,
    env: EnvLookup<'a>,
    base_client: Option<&'a HttpClient>,
}

impl fmt::Debug for ProviderContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderContext")
            .field("table", &self.table)
            .finish()
    }
}

impl ProviderContext<'_> {
    /// The provider's name.
    pub fn name(&self) -> &str {
        &self.table.name
    }

    /// Deserializes the settings into the factory's own type, naming the provider in errors.
    pub fn settings<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        self.table.deserialize()
    }

    /// Resolves an inline secret or `client_secret_env` through the environment.
    pub fn resolve_secret(
        &self,
        secret: &SecretSetting,
    ) -> Result<Option<tokenbridge_core::SecretString>> {
        secret
            .resolve(self.env)
            .map_err(|(key, message)| self.table.config_error(Some(&key), message))
    }

    /// The HTTP client for these settings: the registry's client, with the provider's
    /// timeouts and body cap.
    pub fn http_client(&self, settings: &HttpSettings) -> Result<HttpClient> {
        for (key, value) in [
            ("http.connect_timeout_secs", settings.connect_timeout_secs),
            ("http.timeout_secs", settings.timeout_secs),
            (
                "http.max_body_bytes",
                settings.max_body_bytes.map(|n| n as u64),
            ),
        ] {
            if value == Some(0) {
                return Err(self.table.config_error(
                    Some(key),
                    "must be above zero; remove it to use the default",
                ));
            }
        }
        let config: HttpConfig = settings.to_http_config();
        match self.base_client {
            // The connect timeout belongs to the connection pool, which is the caller's:
            // building another one would silently drop their proxy and root certificates.
            Some(_) if settings.connect_timeout_secs.is_some() => Err(self.table.config_error(
                Some("http.connect_timeout_secs"),
                "the application supplies its own HTTP client, which sets the connect timeout; remove this setting",
            )),
            Some(base) => Ok(base.with_config(config)),
            None => HttpClient::from_config(config).map_err(|e| self.table.qualify(e)),
        }
    }
}

/// Builds an exchanger from a provider's configuration.
pub type Factory =
    Arc<dyn Fn(&ProviderContext<'_>) -> Result<Arc<dyn TokenExchanger>> + Send + Sync>;

/// Maps each `kind` to the factory that builds its exchangers.
///
/// [`Registry::new`] knows the built-in kinds (those whose Cargo feature is on);
/// applications add their own with [`Registry::register`], so a custom vendor is configured
/// exactly like a built-in one.
///
/// ```
/// use tokenbridge::{Config, Registry};
///
/// let config = Config::from_toml_str(r#"
///     [providers.any]
///     kind = "oidc"
///     token_endpoint = "https://id.example.com/token"
///     client_id = "my-app"
///     client_secret = "s3cret"
///     auth_method = "client_secret_post"
/// "#)?;
/// let exchanger = Registry::new().build(&config, "any")?;
/// assert_eq!(exchanger.provider_id(), "any");
/// # Ok::<(), tokenbridge::Error>(())
/// ```
#[derive(Clone)]
pub struct Registry {
    factories: BTreeMap<String, Factory>,
    http: Option<HttpClient>,
    env: SharedEnv,
}

/// How the registry reads environment variables.
type SharedEnv = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.factories.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// A registry with every built-in kind enabled by Cargo features.
    pub fn new() -> Self {
        let mut registry = Self::empty();
        for kind in BUILT_IN_KINDS {
            if built_in_enabled(kind) {
                registry
                    .factories
                    .insert(kind.to_owned(), Arc::new(build_built_in));
            }
        }
        registry
    }

    /// A registry with no kinds at all.
    pub fn empty() -> Self {
        Self {
            factories: BTreeMap::new(),
            http: None,
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// Registers (or replaces) the factory for `kind`.
    pub fn register(
        &mut self,
        kind: impl Into<String>,
        factory: impl Fn(&ProviderContext<'_>) -> Result<Arc<dyn TokenExchanger>>
            + Send
            + Sync
            + 'static,
    ) -> &mut Self {
        self.factories.insert(kind.into(), Arc::new(factory));
        self
    }

    /// Uses `http` (e.g. one built from a caller's `reqwest::Client`) for every provider.
    pub fn with_http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Reads `client_secret_env` variables through `env` instead of the process environment.
    pub fn with_env(
        mut self,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Arc::new(env);
        self
    }

    /// The kinds this registry can build, sorted.
    pub fn kinds(&self) -> Vec<&str> {
        self.factories.keys().map(String::as_str).collect()
    }

    /// Builds the exchanger for the provider called `name`. Nothing is sent yet.
    pub fn build(&self, config: &Config, name: &str) -> Result<Arc<dyn TokenExchanger>> {
        let table = config.provider(name)?;
        let Some(factory) = self.factories.get(&table.kind) else {
            let hint = if BUILT_IN_KINDS.contains(&table.kind.as_str()) {
                format!(
                    "kind {:?} is built in but its Cargo feature is off; enable the `{}` feature of tokenbridge",
                    table.kind, table.kind
                )
            } else {
                format!(
                    "unknown kind {:?}; known kinds: {}",
                    table.kind,
                    self.kinds().join(", ")
                )
            };
            return Err(table.config_error(Some("kind"), hint));
        };
        self.in_context(table, |context| factory(context))
    }

    /// Runs `build` with the context of `table`, labelling its configuration errors with the
    /// provider's name.
    fn in_context<T>(
        &self,
        table: &ProviderTable,
        build: impl FnOnce(&ProviderContext<'_>) -> Result<T>,
    ) -> Result<T> {
        let context = ProviderContext {
            table,
            env: &*self.env,
            base_client: self.http.as_ref(),
        };
        build(&context).map_err(|e| table.qualify(e))
    }

    /// Builds the GenAuth provider called `name` as its concrete type, for the calls only
    /// GenAuth has (QR-code login).
    #[cfg(feature = "genauth")]
    pub fn build_genauth(
        &self,
        config: &Config,
        name: &str,
    ) -> Result<tokenbridge_genauth::GenAuthExchanger> {
        let table = config.provider(name)?;
        if table.kind != "genauth" {
            return Err(table.config_error(
                Some("kind"),
                format!(
                    "this needs a provider of kind \"genauth\", and {name:?} is {:?}",
                    table.kind
                ),
            ));
        }
        self.in_context(table, |context| match ProviderConfig::from_table(table)? {
            ProviderConfig::GenAuth(s) => {
                let http = context.http_client(&s.http)?;
                genauth_exchanger(context, s, http)
            }
            _ => Err(table.config_error(Some("kind"), "not a genauth provider")),
        })
    }

    /// Builds every configured provider, to check a whole configuration at start-up.
    pub fn build_all(&self, config: &Config) -> Result<BTreeMap<String, Arc<dyn TokenExchanger>>> {
        config
            .provider_names()
            .map(|name| Ok((name.to_owned(), self.build(config, name)?)))
            .collect()
    }
}

fn built_in_enabled(kind: &str) -> bool {
    (kind == "genauth" && cfg!(feature = "genauth"))
        || (kind == "tencent-ciam" && cfg!(feature = "tencent-ciam"))
        || (kind == "huawei-oneaccess" && cfg!(feature = "huawei-oneaccess"))
        || kind == "oidc"
}

#[cfg(feature = "genauth")]
fn genauth_exchanger(
    context: &ProviderContext<'_>,
    s: crate::config::GenAuthSettings,
    http: HttpClient,
) -> Result<tokenbridge_genauth::GenAuthExchanger> {
    use tokenbridge_genauth::{GenAuthConfig, GenAuthExchanger};
    let secret = context.resolve_secret(&s.secret())?;
    let mut cfg = GenAuthConfig::new(s.base_url, s.client_id);
    if let Some(secret) = secret {
        cfg = cfg.with_app_secret(secret);
    }
    if let Some(m) = s.auth_method {
        cfg = cfg.with_auth_method(m);
    }
    if let Some(p) = s.protocol {
        cfg = cfg.with_protocol(p);
    }
    // The adapter speaks of GenAuth's own names; the configuration file says client_id and
    // client_secret.
    use tokenbridge_core::Error;
    GenAuthExchanger::new(context.name(), cfg, http).map_err(|e| match e {
        Error::Config { key, message } => {
            let key = key.map(|key| match key.as_str() {
                "app_id" => "client_id".to_owned(),
                "app_secret" => "client_secret".to_owned(),
                _ => key,
            });
            Error::Config {
                key,
                message: message
                    .replace("app_secret", "client_secret")
                    .replace("app_id", "client_id"),
            }
        }
        other => other,
    })
}

fn build_built_in(context: &ProviderContext<'_>) -> Result<Arc<dyn TokenExchanger>> {
    let config = ProviderConfig::from_table(context.table)?;
    let http = context.http_client(config.http())?;
    let name = context.name().to_owned();
    match config {
        ProviderConfig::Oidc(s) => {
            let secret = context.resolve_secret(&s.secret())?;
            let mut builder = StandardExchanger::builder(name)
                .client_id(s.client_id)
                .client_secret_opt(secret)
                .auth_method_opt(s.auth_method)
                .basic_encoding(s.basic_encoding.into())
                .http_client(http);
            match (s.issuer, s.token_endpoint) {
                (Some(issuer), None) => builder = builder.issuer(issuer),
                (None, Some(endpoint)) => builder = builder.token_endpoint(endpoint),
                (Some(_), Some(_)) => {
                    return Err(context.table.config_error(
                        Some("token_endpoint"),
                        "set either issuer (discovery) or token_endpoint, not both",
                    ))
                }
                (None, None) => {
                    return Err(context.table.config_error(
                        Some("issuer"),
                        "set issuer (for discovery) or token_endpoint",
                    ))
                }
            }
            Ok(Arc::new(builder.build()?))
        }
        #[cfg(feature = "genauth")]
        ProviderConfig::GenAuth(s) => Ok(Arc::new(genauth_exchanger(context, s, http)?)),
        #[cfg(feature = "tencent-ciam")]
        ProviderConfig::TencentCiam(s) => {
            use tokenbridge_tencent_ciam::{TencentCiamConfig, TencentCiamExchanger};
            let secret = context.resolve_secret(&s.secret())?;
            let mut cfg = TencentCiamConfig::new(s.base_url, s.client_id);
            if let Some(secret) = secret {
                cfg = cfg.with_client_secret(secret);
            }
            if let Some(m) = s.auth_method {
                cfg = cfg.with_auth_method(m);
            }
            Ok(Arc::new(TencentCiamExchanger::new(name, cfg, http)?))
        }
        #[cfg(feature = "huawei-oneaccess")]
        ProviderConfig::HuaweiOneAccess(s) => {
            use tokenbridge_core::AuthMethod;
            use tokenbridge_huawei_oneaccess::{HuaweiOneAccessConfig, HuaweiOneAccessExchanger};
            if s.auth_method
                .is_some_and(|m| m != AuthMethod::ClientSecretPost)
            {
                return Err(context.table.config_error(
                    Some("auth_method"),
                    "Huawei OneAccess documents only client_secret_post; remove auth_method or set it to client_secret_post",
                ));
            }
            let secret = context.resolve_secret(&s.secret())?.ok_or_else(|| {
                context.table.config_error(
                    Some("client_secret"),
                    "Huawei OneAccess needs a client secret; set client_secret_env (or client_secret)",
                )
            })?;
            let mut cfg = HuaweiOneAccessConfig::new(s.base_url, s.client_id, secret);
            if let Some(p) = s.protocol {
                cfg = cfg.with_protocol(p);
            }
            Ok(Arc::new(HuaweiOneAccessExchanger::new(name, cfg, http)?))
        }
        #[allow(unreachable_patterns)]
        _ => Err(context.table.config_error(
            Some("kind"),
            format!(
                "kind {:?} is built in but its Cargo feature is off",
                context.table.kind
            ),
        )),
    }
}
