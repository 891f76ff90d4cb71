//! Configuration: named providers, each tagged by `kind`, loaded from TOML, JSON or the
//! environment.
//!
//! ```toml
//! [providers.corp]
//! kind = "genauth"
//! base_url = "https://corp.genauth.ai"
//! client_id = "6342b8537a..."
//! client_secret_env = "CORP_SECRET"
//! auth_method = "client_secret_basic"
//! protocol = "oidc"
//!
//! [providers.any]
//! kind = "oidc"
//! issuer = "https://id.example.com"
//! client_id = "..."
//! client_secret_env = "ANY_SECRET"
//! ```
//!
//! A [`Config`] keeps each provider's table as written; the [`Registry`](crate::Registry)
//! turns a table into an exchanger, deserializing built-in kinds into [`ProviderConfig`] and
//! handing other kinds to the factory an application registered.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};
use tokenbridge_core::{
    AuthMethod, BasicEncoding, Error, ExposeSecret, HttpConfig, Protocol, Result, SecretString,
};

/// The prefix of environment variables read by [`Config::from_env`].
pub const ENV_PREFIX: &str = "TOKENBRIDGE__";

/// A loaded configuration: providers by name.
#[derive(Clone, Default, PartialEq)]
pub struct Config {
    providers: BTreeMap<String, ProviderTable>,
}

/// One provider's settings as written, before its kind interprets them.
#[derive(Clone, PartialEq)]
pub struct ProviderTable {
    /// The provider's name (its key under `providers`).
    pub name: String,
    /// The `kind` value.
    pub kind: String,
    /// Every other key, as written.
    pub settings: Map<String, Value>,
}

impl fmt::Debug for ProviderTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Inline secrets may sit in the table; only key names are shown.
        f.debug_struct("ProviderTable")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("keys", &self.settings.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.providers.iter()).finish()
    }
}

impl Config {
    /// Parses a TOML document with a `[providers.<name>]` table per provider.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let value: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            // The full error quotes the offending line, which may hold an inline secret, so
            // only its first line (the position) and the message are kept.
            let full = e.to_string();
            let position = full
                .lines()
                .next()
                .and_then(|l| l.find(" at line ").map(|i| l[i..].to_owned()))
                .unwrap_or_default();
            Error::config_general(format!(
                "the configuration is not valid TOML{position}: {}",
                e.message().trim()
            ))
        })?;
        let json = serde_json::to_value(value).map_err(|e| {
            Error::config_general(format!("the configuration could not be read: {e}"))
        })?;
        Self::from_value(json)
    }

    /// Parses a JSON document of the same shape (`{"providers": {"<name>": {...}}}`).
    pub fn from_json_str(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::config_general(format!("the configuration is not valid JSON: {e}"))
        })?;
        Self::from_value(value)
    }

    /// Reads a file: `.json` as JSON, anything else as TOML.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config_general(format!(
                "cannot read the configuration file {}: {e}",
                path.display()
            ))
        })?;
        let parsed = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        };
        parsed.map_err(|e| match e {
            Error::Config { key, message } => Error::Config {
                key,
                message: format!("{message} (in {})", path.display()),
            },
            other => other,
        })
    }

    /// Reads providers from the process environment; see [`Config::from_env_vars`].
    pub fn from_env() -> Result<Self> {
        // vars_os: a variable that is not UTF-8 must not stop the program, and matters only
        // when it is one of ours.
        let mut vars = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().map(str::to_owned) else {
                continue;
            };
            if !name.starts_with(ENV_PREFIX) {
                continue;
            }
            let value = value
                .into_string()
                .map_err(|_| Error::config(name.clone(), "the value is not valid UTF-8"))?;
            vars.push((name, value));
        }
        Self::from_env_vars(vars)
    }

    /// Reads providers from variables named `TOKENBRIDGE__<PROVIDER>__<KEY>`, with nested keys
    /// separated by `__` (`TOKENBRIDGE__CORP__HTTP__TIMEOUT_SECS=5`). Provider names and keys
    /// are lower-cased. Values are strings, except in the `http` table, whose settings are
    /// numbers. Other variables are ignored.
    pub fn from_env_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        let mut providers = Map::new();
        for (name, value) in vars {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            if path.len() < 2 || path.iter().any(String::is_empty) {
                return Err(Error::config(
                    name.clone(),
                    format!(
                        "expected {ENV_PREFIX}<PROVIDER>__<KEY>, e.g. {ENV_PREFIX}CORP__CLIENT_ID"
                    ),
                ));
            }
            // Only the http settings are numbers; a numeric client_id stays text.
            let typed = match value.parse::<u64>() {
                Ok(n) if path.len() == 3 && path[1] == "http" => Value::from(n),
                _ => Value::String(value),
            };
            let mut table = &mut providers;
            for key in &path[..path.len() - 1] {
                let entry = table
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                table = match entry {
                    Value::Object(m) => m,
                    _ => {
                        return Err(Error::config(
                            name.clone(),
                            format!("`{key}` is set both as a value and as a table"),
                        ))
                    }
                };
            }
            table.insert(path[path.len() - 1].clone(), typed);
        }
        let mut root = Map::new();
        root.insert("providers".into(), Value::Object(providers));
        Self::from_value(Value::Object(root))
    }

    /// Builds a configuration from an already parsed document.
    pub fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut root) = value else {
            return Err(Error::config_general(
                "the configuration must be a table with a `providers` table",
            ));
        };
        let providers = match root.remove("providers") {
            Some(Value::Object(p)) => p,
            Some(_) => {
                return Err(Error::config(
                    "providers",
                    "`providers` must be a table of named providers",
                ))
            }
            None => Map::new(),
        };
        if let Some(key) = root.keys().next() {
            return Err(Error::config(
                key.clone(),
                "unknown top-level key; the configuration holds only `providers`",
            ));
        }
        let mut out = BTreeMap::new();
        for (name, table) in providers {
            let Value::Object(mut settings) = table else {
                return Err(Error::config(
                    format!("providers.{name}"),
                    "a provider must be a table of settings",
                ));
            };
            let kind = match settings.remove("kind") {
                Some(Value::String(k)) => k,
                Some(_) => {
                    return Err(Error::config(format!("providers.{name}.kind"), "`kind` must be a string"))
                }
                None => {
                    return Err(Error::config(
                        format!("providers.{name}.kind"),
                        "missing `kind`; set it to one of: genauth, tencent-ciam, huawei-oneaccess, oidc (or a kind your application registers)",
                    ))
                }
            };
            out.insert(
                name.clone(),
                ProviderTable {
                    name,
                    kind,
                    settings,
                },
            );
        }
        Ok(Self { providers: out })
    }

    /// The provider called `name`.
    pub fn provider(&self, name: &str) -> Result<&ProviderTable> {
        self.providers.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
            Error::config(
                "provider",
                format!(
                    "no provider named {name:?}; configured: {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            )
        })
    }

    /// Provider names, sorted.
    pub fn provider_names(&self) -> impl Iterator<Item = &str> {
        self.providers.keys().map(String::as_str)
    }

    /// Adds or replaces a provider.
    pub fn insert(&mut self, table: ProviderTable) {
        self.providers.insert(table.name.clone(), table);
    }
}

impl ProviderTable {
    /// Deserializes the settings into `T`, naming the provider and the key in errors.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        self.deserialize_value(Value::Object(self.settings.clone()))
    }

    fn deserialize_value<T: serde::de::DeserializeOwned>(&self, value: Value) -> Result<T> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            // The path leads to the table that holds an unknown or missing key; the key itself
            // is only in the message.
            let named = unknown_field(&message).or_else(|| missing_field(&message));
            let key = match (path.as_str(), named) {
                (".", None) => None,
                (".", Some(field)) => Some(field),
                (p, Some(field)) if !p.ends_with(&field) => Some(format!("{p}.{field}")),
                (p, _) => Some(p.to_owned()),
            };
            // serde quotes a wrongly typed value; a secret's value must not be repeated.
            let message = match &key {
                Some(k) if k.ends_with("secret") => {
                    format!("{k} must be a string (the value given is not shown)")
                }
                _ => message,
            };
            self.config_error(key.as_deref(), message)
        })
    }

    /// A configuration error about `key` of this provider (the whole table when `None`).
    pub fn config_error(&self, key: Option<&str>, message: impl Into<String>) -> Error {
        let key = match key {
            Some(k) => format!("providers.{}.{k}", self.name),
            None => format!("providers.{}", self.name),
        };
        Error::config(key, message)
    }

    /// Re-labels a configuration error from an adapter with this provider's name.
    pub fn qualify(&self, error: Error) -> Error {
        match error {
            Error::Config { key, message } => match key {
                Some(k) if k.starts_with("providers.") => Error::Config {
                    key: Some(k),
                    message,
                },
                other => self.config_error(other.as_deref(), message),
            },
            other => other,
        }
    }
}

/// The HTTP settings a provider may set under `[providers.<name>.http]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Seconds to wait for a connection (default 10).
    pub connect_timeout_secs: Option<u64>,
    /// Seconds a whole request may take (default 30).
    pub timeout_secs: Option<u64>,
    /// The most response body bytes read (default 1 MiB).
    pub max_body_bytes: Option<usize>,
}

impl HttpSettings {
    /// The [`HttpConfig`] these settings describe.
    pub fn to_http_config(&self) -> HttpConfig {
        let mut config = HttpConfig::default();
        if let Some(s) = self.connect_timeout_secs {
            config = config.with_connect_timeout(Duration::from_secs(s));
        }
        if let Some(s) = self.timeout_secs {
            config = config.with_timeout(Duration::from_secs(s));
        }
        if let Some(n) = self.max_body_bytes {
            config = config.with_max_body_bytes(n);
        }
        config
    }
}

/// The client secret, inline or from an environment variable.
#[derive(Clone, Default)]
pub struct SecretSetting {
    /// The secret written in the file.
    pub client_secret: Option<SecretString>,
    /// The name of an environment variable holding the secret.
    pub client_secret_env: Option<String>,
}

impl fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretSetting")
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("client_secret_env", &self.client_secret_env)
            .finish()
    }
}

/// Looks up an environment variable; injectable so tests need not touch the process
/// environment.
pub type EnvLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Send + Sync);

impl SecretSetting {
    /// The secret: inline, or read from the named variable through `env`.
    pub fn resolve(
        &self,
        env: EnvLookup<'_>,
    ) -> std::result::Result<Option<SecretString>, (String, String)> {
        match (&self.client_secret, &self.client_secret_env) {
            (Some(_), Some(_)) => Err((
                "client_secret".into(),
                "set either client_secret or client_secret_env, not both".into(),
            )),
            (Some(s), None) if s.expose_secret().is_empty() => Err((
                "client_secret".into(),
                "the client secret is empty; set it, or remove it for auth_method \"none\"".into(),
            )),
            (Some(s), None) => Ok(Some(s.clone())),
            (None, Some(var)) => match env(var) {
                Some(v) if !v.is_empty() => Ok(Some(SecretString::from(v))),
                _ => Err((
                    "client_secret_env".into(),
                    format!("the environment variable {var} is not set (or is empty); export it or set client_secret"),
                )),
            },
            (None, None) => Ok(None),
        }
    }
}

/// Settings of a `kind = "genauth"` provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GenAuthSettings {
    /// The application host, e.g. `https://corp.genauth.ai`.
    pub base_url: String,
    /// The application id.
    pub client_id: String,
    /// The secret written in the file; prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The environment variable holding the secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Token-exchange auth method; default `client_secret_post`.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// `oidc` (`/oidc/token`, default) or `oauth` (`/oauth/token`).
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Settings of a `kind = "tencent-ciam"` provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TencentCiamSettings {
    /// The portal URL, e.g. `https://tenant.portal.tencentciam.com`.
    pub base_url: String,
    /// The client id.
    pub client_id: String,
    /// The secret written in the file (none for PKCE public apps); prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The environment variable holding the secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// `client_secret_post` (default), `client_secret_basic`, or `none` for PKCE public apps.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Settings of a `kind = "huawei-oneaccess"` provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct HuaweiOneAccessSettings {
    /// The user access domain, e.g. `https://example.huaweioneaccess.com`.
    pub base_url: String,
    /// The client id.
    pub client_id: String,
    /// The secret written in the file (required); prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The environment variable holding the secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Only `client_secret_post` is documented, and the default.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// `oidc` (default) or `oauth`.
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// How `client_secret_basic` encodes credentials, in configuration.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BasicEncodingSetting {
    /// Form-urlencode first (RFC 6749 section 2.3.1; default).
    #[default]
    Form,
    /// Raw, for servers that do not url-decode.
    Raw,
}

impl From<BasicEncodingSetting> for BasicEncoding {
    fn from(s: BasicEncodingSetting) -> Self {
        match s {
            BasicEncodingSetting::Form => BasicEncoding::FormUrlEncoded,
            BasicEncodingSetting::Raw => BasicEncoding::Raw,
        }
    }
}

/// Settings of a `kind = "oidc"` provider (any standard OAuth 2.0 / OpenID Connect server).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OidcSettings {
    /// The issuer; its discovery document gives the token endpoint.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The token endpoint, instead of `issuer`.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// The client id.
    pub client_id: String,
    /// The secret written in the file; prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The environment variable holding the secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The auth method; default: chosen from discovery (Basic preferred), `none` without a secret.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// `form` (default) or `raw` encoding of Basic credentials.
    #[serde(default)]
    pub basic_encoding: BasicEncodingSetting,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// Every built-in provider kind's settings, tagged by `kind`: the configuration contract.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind")]
#[non_exhaustive]
pub enum ProviderConfig {
    /// `kind = "genauth"`.
    #[serde(rename = "genauth")]
    GenAuth(GenAuthSettings),
    /// `kind = "tencent-ciam"`.
    #[serde(rename = "tencent-ciam")]
    TencentCiam(TencentCiamSettings),
    /// `kind = "huawei-oneaccess"`.
    #[serde(rename = "huawei-oneaccess")]
    HuaweiOneAccess(HuaweiOneAccessSettings),
    /// `kind = "oidc"`.
    #[serde(rename = "oidc")]
    Oidc(OidcSettings),
}

/// The built-in kinds, as written in `kind`.
pub const BUILT_IN_KINDS: [&str; 4] = ["genauth", "tencent-ciam", "huawei-oneaccess", "oidc"];

impl ProviderConfig {
    /// Interprets a provider table of a built-in kind.
    pub fn from_table(table: &ProviderTable) -> Result<Self> {
        // Each kind's struct is read directly, not through the tagged enum, so that errors
        // carry the path of the offending key (the tagged form buffers and loses it).
        Ok(match table.kind.as_str() {
            "genauth" => ProviderConfig::GenAuth(table.deserialize()?),
            "tencent-ciam" => ProviderConfig::TencentCiam(table.deserialize()?),
            "huawei-oneaccess" => ProviderConfig::HuaweiOneAccess(table.deserialize()?),
            "oidc" => ProviderConfig::Oidc(table.deserialize()?),
            other => {
                return Err(table.config_error(
                    Some("kind"),
                    format!(
                        "unknown kind {other:?}; built-in kinds: {}",
                        BUILT_IN_KINDS.join(", ")
                    ),
                ))
            }
        })
    }

    /// The HTTP settings.
    pub fn http(&self) -> &HttpSettings {
        match self {
            ProviderConfig::GenAuth(s) => &s.http,
            ProviderConfig::TencentCiam(s) => &s.http,
            ProviderConfig::HuaweiOneAccess(s) => &s.http,
            ProviderConfig::Oidc(s) => &s.http,
        }
    }
}

fn quoted_after(message: &str, marker: &str) -> Option<String> {
    let rest = &message[message.find(marker)? + marker.len()..];
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

fn unknown_field(message: &str) -> Option<String> {
    quoted_after(message, "unknown field `")
}

fn missing_field(message: &str) -> Option<String> {
    quoted_after(message, "missing field `")
}

/// Every built-in kind writes its secret the same two ways.
macro_rules! secret_setting {
    ($($settings:ty),+) => {$(
        impl $settings {
            /// The secret setting (inline or from the environment).
            pub fn secret(&self) -> SecretSetting {
                SecretSetting {
                    client_secret: self.client_secret.clone(),
                    client_secret_env: self.client_secret_env.clone(),
                }
            }
        }
    )+};
}

secret_setting!(
    GenAuthSettings,
    TencentCiamSettings,
    HuaweiOneAccessSettings,
    OidcSettings
);
