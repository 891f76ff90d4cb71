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
//! A vendor that needs no behaviour beyond data is declared in a `[vendors.<kind>]` table
//! (see [`DeclaredVendor`]) and used by `kind = "<kind>"` like a built-in one.
//!
//! A [`Config`] keeps each provider's table as written; the [`Registry`](crate::Registry)
//! hands a table to the [`ProviderFactory`](tokenbridge_core::ProviderFactory) registered for its
//! `kind`, which reads the keys every kind shares and its own.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};
use tokenbridge_core::{Error, ProviderTable, Result};

use crate::declared::DeclaredVendor;

/// The largest configuration file [`Config::from_file`] reads: 1 MiB.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The provider keys that are booleans, read from `true`/`false` (or `1`/`0`) in the
/// environment.
const BOOLEAN_KEYS: [&str; 2] = ["par", "dpop"];

/// The prefix of environment variables read by [`Config::from_env`].
pub const ENV_PREFIX: &str = "TOKENBRIDGE__";

/// A loaded configuration: providers by name, and the vendors it declares by kind.
#[derive(Clone, Default, PartialEq)]
pub struct Config {
    providers: BTreeMap<String, ProviderTable>,
    vendors: BTreeMap<String, DeclaredVendor>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        map.entries(self.providers.iter());
        for (kind, vendor) in &self.vendors {
            map.entry(&format!("vendors.{kind}"), vendor);
        }
        map.finish()
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
        use std::io::Read as _;
        let path = path.as_ref();
        let cannot_read = |e: std::io::Error| {
            Error::config_general(format!(
                "cannot read the configuration file {}: {e}",
                path.display()
            ))
        };
        // Read one byte past the cap, so that `--config /dev/zero` or a huge file is refused
        // instead of exhausting memory.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(cannot_read)?
            .take(MAX_CONFIG_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(Error::config_general(format!(
                "the configuration file {} is larger than {MAX_CONFIG_BYTES} bytes; a provider \
                 configuration is a few hundred bytes, so check the path",
                path.display()
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::config_general(format!(
                "the configuration file {} is not valid UTF-8",
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
            // Only the http settings are numbers, and only the switches `par` and `dpop`
            // are booleans; a numeric client_id stays text.
            let typed = match value.parse::<u64>() {
                Ok(n) if path.len() == 3 && path[1] == "http" => Value::from(n),
                _ if path.len() == 2 && BOOLEAN_KEYS.contains(&path[1].as_str()) => {
                    match value.trim().to_ascii_lowercase().as_str() {
                        "true" | "1" => Value::Bool(true),
                        "false" | "0" => Value::Bool(false),
                        _ => {
                            return Err(Error::config(
                                name.clone(),
                                format!("`{}` is true or false, not {value:?}", path[1]),
                            ))
                        }
                    }
                }
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
        let vendors = match root.remove("vendors") {
            Some(Value::Object(v)) => v
                .iter()
                .map(|(kind, table)| Ok((kind.clone(), DeclaredVendor::parse(kind, table)?)))
                .collect::<Result<BTreeMap<_, _>>>()?,
            Some(_) => {
                return Err(Error::config(
                    "vendors",
                    "`vendors` must be a table of declared vendors by kind",
                ))
            }
            None => BTreeMap::new(),
        };
        if let Some(key) = root.keys().next() {
            return Err(Error::config(
                key.clone(),
                "unknown top-level key; the configuration holds only `providers` and `vendors`",
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
                        format!(
                            "missing `kind`; set it to one of: {} (or a kind your application registers)",
                            crate::kinds::names()
                        ),
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
        Ok(Self {
            providers: out,
            vendors,
        })
    }

    /// The vendor declared as `[vendors.<kind>]`, if any.
    pub fn declared_vendor(&self, kind: &str) -> Option<&DeclaredVendor> {
        self.vendors.get(kind)
    }

    /// The declared vendors' kinds, sorted.
    pub fn declared_kinds(&self) -> impl Iterator<Item = &str> {
        self.vendors.keys().map(String::as_str)
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
