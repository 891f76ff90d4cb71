//! The `[providers]` table of a configuration: each provider's settings by id.

use std::fmt;

use serde_json::{Map, Value};

use crate::config::values::{is_secret_setting, without_values, Quote};
use crate::config::{missing_field, unknown_field};
use crate::error::{Error, Result};

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

impl ProviderTable {
    /// Deserializes the settings into `T`, naming the provider and the key in errors.
    /// A value in the message is never quoted: the table may hold a kind's own settings, and
    /// only the kind knows which of them are secrets.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        self.deserialize_value(Value::Object(self.settings.clone()), Quote::Never)
    }

    pub(super) fn deserialize_value<T: serde::de::DeserializeOwned>(
        &self,
        value: Value,
        quote: Quote,
    ) -> Result<T> {
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
            let hide = match quote {
                Quote::Never => true,
                Quote::UnlessSecret => key.as_deref().is_none_or(is_secret_setting),
            };
            let message = if hide {
                without_values(&message)
            } else {
                message
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
