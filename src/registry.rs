//! Builds providers from configuration, by name.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use tokenbridge_core::{Error, HttpClient, Provider, Result};
use tokenbridge_core::{ProviderContext, ProviderFactory};

use crate::config::Config;
use crate::declared::DeclaredKind;
use crate::kinds;

/// Maps each `kind` to the [`ProviderFactory`] that builds its providers.
///
/// [`Registry::new`] knows the built-in kinds (those whose Cargo feature is on); applications
/// add their own with [`Registry::register`], exactly as the built-in ones are added, so a
/// custom vendor is configured like a built-in one. A kind declared in the configuration
/// (`[vendors.<kind>]`) is built under its name from its description.
///
/// ```
/// use tokenbridge::{Config, Registry, TokenExchanger};
///
/// let config = Config::from_toml_str(r#"
///     [providers.any]
///     kind = "oidc"
///     token_endpoint = "https://id.example.com/token"
///     client_id = "my-app"
///     client_secret = "s3cret"
///     auth_method = "client_secret_post"
/// "#)?;
/// let provider = Registry::new().build(&config, "any")?;
/// assert_eq!(provider.provider_id(), "any");
/// # Ok::<(), tokenbridge::Error>(())
/// ```
#[derive(Clone)]
pub struct Registry {
    kinds: BTreeMap<&'static str, Arc<dyn ProviderFactory>>,
    http: Option<HttpClient>,
    env: SharedEnv,
}

/// How the registry reads environment variables.
type SharedEnv = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds.keys().collect::<Vec<_>>())
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
        for factory in kinds::BUILT_IN
            .iter()
            .filter_map(kinds::BuiltInKind::factory)
        {
            registry.kinds.insert(factory.kind(), factory);
        }
        registry
    }

    /// A registry with no kinds at all.
    pub fn empty() -> Self {
        Self {
            kinds: BTreeMap::new(),
            http: None,
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// Registers (or replaces) the builder of `kind.kind()` providers.
    pub fn register(&mut self, kind: impl ProviderFactory + 'static) -> &mut Self {
        self.kinds.insert(kind.kind(), Arc::new(kind));
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
        self.kinds.keys().copied().collect()
    }

    /// Builds the provider called `name`. Nothing is sent yet.
    pub fn build(&self, config: &Config, name: &str) -> Result<Provider> {
        let table = config.provider(name)?;
        if let Some(declared) = config.declared_vendor(&table.kind) {
            if self.kinds.contains_key(table.kind.as_str()) {
                return Err(Error::config(
                    format!("vendors.{}", table.kind),
                    format!(
                        "kind {:?} is already a registered kind; give the declared vendor another name",
                        table.kind
                    ),
                ));
            }
            let kind = DeclaredKind(declared.description());
            let context = ProviderContext::new(table, &*self.env, self.http.as_ref());
            return kind.build(&context).map_err(|e| table.qualify(e));
        }
        let Some(kind) = self.kinds.get(table.kind.as_str()) else {
            let hint = if let Some(feature) =
                kinds::built_in(&table.kind).and_then(|built_in| built_in.feature)
            {
                format!(
                    "kind {:?} is built in but its Cargo feature is off; enable the `{feature}` feature of tokenbridge",
                    table.kind
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
        let context = ProviderContext::new(table, &*self.env, self.http.as_ref());
        kind.build(&context).map_err(|e| table.qualify(e))
    }

    /// Builds every configured provider, to check a whole configuration at start-up.
    pub fn build_all(&self, config: &Config) -> Result<BTreeMap<String, Provider>> {
        config
            .provider_names()
            .map(|name| Ok((name.to_owned(), self.build(config, name)?)))
            .collect()
    }
}
