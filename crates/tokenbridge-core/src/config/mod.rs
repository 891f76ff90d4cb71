//! The configuration contract between an application's configuration and a vendor: a
//! provider's table as written ([`ProviderTable`]), the keys every kind shares
//! ([`CommonSettings`]), and [`ProviderFactory`], what a vendor registers so configuration can
//! name it. Loading files and the environment is the facade's job; interpreting a table is
//! the vendor's, through [`ProviderContext`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::SigningAlgorithm;
use crate::error::{Error, Result};
use crate::protocol::auth::AuthMethod;
use crate::protocol::auth::PrivateKeyJwt;
use crate::provider::{Provider, ProviderBuilder};
use crate::transport::config::HttpConfig;
use crate::transport::http::HttpClient;
use crate::vendor::VendorDescription;
use secrecy::{ExposeSecret, SecretString};

mod standard;
mod table;
mod values;

pub use standard::{BasicEncodingSetting, StandardKind, StandardSettings};
pub use table::ProviderTable;

use values::Quote;

/// What a vendor registers: its `kind` and how to build a [`Provider`] from a table of that
/// kind. Built-in vendors and an application's own register the same way.
pub trait ProviderFactory: Send + Sync + fmt::Debug {
    /// The `kind` value in configuration, e.g. `tencent-ciam`.
    fn kind(&self) -> &'static str;

    /// Builds the provider a table of this kind describes. Nothing is sent yet.
    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider>;
}

/// The keys every kind reads the same way; a kind's own keys are in its settings type.
pub const COMMON_KEYS: [&str; 14] = [
    "client_id",
    "client_secret",
    "client_secret_env",
    "auth_method",
    "http",
    "redirect_uri",
    "scopes",
    "id_token_signed_response_alg",
    "private_key_file",
    "private_key_env",
    "key_id",
    "par",
    "dpop",
    "subject_claim",
];

/// The settings every kind shares.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CommonSettings {
    /// The client id.
    pub client_id: String,
    /// The secret written in the file; prefer `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<SecretString>,
    /// The environment variable holding the secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The token endpoint auth method; default: the vendor's.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
    /// The default redirect URI of sign-in requests.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// The default scopes of sign-in requests: an array of strings, or one space-separated
    /// string.
    #[serde(default, deserialize_with = "scopes")]
    pub scopes: Vec<String>,
    /// The algorithm of this client's ID tokens (`RS256`, `PS256`, `ES256`, `EdDSA`, or
    /// `HS256` keyed with the client secret); default: discovery's list, else RS256.
    #[serde(default)]
    pub id_token_signed_response_alg: Option<String>,
    /// The PEM private key file of `auth_method = "private_key_jwt"`.
    #[serde(default)]
    pub private_key_file: Option<std::path::PathBuf>,
    /// The environment variable holding that PEM private key as text.
    #[serde(default)]
    pub private_key_env: Option<String>,
    /// The key id (`kid`) put in `private_key_jwt` assertions.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Push authorization requests (RFC 9126); see [`ProviderBuilder::par`].
    #[serde(default)]
    pub par: bool,
    /// Bind tokens to a DPoP key (RFC 9449); see [`ProviderBuilder::dpop`].
    #[serde(default)]
    pub dpop: bool,
    /// The claim read as the identity's subject instead of the vendor's own (e.g. `unionid`);
    /// see [`ProviderBuilder::subject_claim`](crate::ProviderBuilder::subject_claim).
    #[serde(default)]
    pub subject_claim: Option<String>,
}

impl fmt::Debug for CommonSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonSettings")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("client_secret_env", &self.client_secret_env)
            .field("auth_method", &self.auth_method)
            .field("http", &self.http)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field(
                "id_token_signed_response_alg",
                &self.id_token_signed_response_alg,
            )
            .field("private_key_file", &self.private_key_file)
            .field("private_key_env", &self.private_key_env)
            .field("key_id", &self.key_id)
            .field("par", &self.par)
            .field("dpop", &self.dpop)
            .field("subject_claim", &self.subject_claim)
            .finish()
    }
}

fn scopes<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scopes {
        List(Vec<String>),
        Text(String),
    }
    match Scopes::deserialize(d) {
        Ok(Scopes::List(list)) => Ok(list),
        Ok(Scopes::Text(text)) => Ok(text.split_whitespace().map(str::to_owned).collect()),
        Err(_) => Err(serde::de::Error::custom(
            "expected an array of strings, e.g. [\"openid\", \"profile\"], or a space-separated string",
        )),
    }
}

impl CommonSettings {
    /// The secret setting (inline or from the environment).
    pub fn secret(&self) -> SecretSetting {
        SecretSetting {
            client_secret: self.client_secret.clone(),
            client_secret_env: self.client_secret_env.clone(),
        }
    }
}

/// What a [`ProviderFactory`] gets to build one provider: the table, the environment and the
/// application's HTTP client.
pub struct ProviderContext<'a> {
    table: &'a ProviderTable,
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

impl<'a> ProviderContext<'a> {
    /// A context for `table`, reading `client_secret_env` through `env` and building on the
    /// application's HTTP client when one is given.
    pub fn new(
        table: &'a ProviderTable,
        env: EnvLookup<'a>,
        base_client: Option<&'a HttpClient>,
    ) -> Self {
        Self {
            table,
            env,
            base_client,
        }
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        &self.table.name
    }

    /// The provider's table.
    pub fn table(&self) -> &ProviderTable {
        self.table
    }

    /// The kind's own settings: the table without the [`COMMON_KEYS`], deserialized into the
    /// kind's type (which should refuse unknown keys), naming the key at fault in errors.
    pub fn settings<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        let own: Map<String, Value> = self
            .table
            .settings
            .iter()
            .filter(|(k, _)| !COMMON_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.table
            .deserialize_value(Value::Object(own), Quote::Never)
            .map_err(|e| match e {
                // The kind's own type lists only its own keys; name the shared ones too.
                Error::Config { key, message } if message.contains("unknown field") => {
                    Error::Config {
                        key,
                        message: format!(
                            "{message}; every kind also takes {}",
                            COMMON_KEYS.join(", ")
                        ),
                    }
                }
                other => other,
            })
    }

    /// The keys every kind shares.
    pub fn common(&self) -> Result<CommonSettings> {
        let common: Map<String, Value> = self
            .table
            .settings
            .iter()
            .filter(|(k, _)| COMMON_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.table
            .deserialize_value(Value::Object(common), Quote::UnlessSecret)
    }

    /// A [`ProviderBuilder`] for `vendor` with the shared keys applied: client id, secret,
    /// auth method (with the private key of `private_key_jwt`), HTTP client, redirect URI,
    /// scopes and the ID-token algorithm.
    pub fn builder(&self, vendor: &'static VendorDescription) -> Result<ProviderBuilder> {
        self.builder_reading_key(vendor, true)
    }

    /// Like [`builder`](Self::builder), for a kind that uses `private_key_file`,
    /// `private_key_env` and `key_id` itself rather than for `private_key_jwt` (Sign in with
    /// Apple signs its client secret with that key): read them with
    /// [`private_key_pem`](Self::private_key_pem).
    pub fn builder_with_own_key(
        &self,
        vendor: &'static VendorDescription,
    ) -> Result<ProviderBuilder> {
        self.builder_reading_key(vendor, false)
    }

    /// The PEM text of `private_key_file` or `private_key_env` (exactly one of them), for a
    /// kind that signs with the key itself; `None` when neither is set.
    pub fn private_key_pem(&self) -> Result<Option<SecretString>> {
        let common = self.common()?;
        let error = |key: &str, message: String| self.table.config_error(Some(key), message);
        match (&common.private_key_file, &common.private_key_env) {
            (Some(_), Some(_)) => Err(error(
                "private_key_file",
                "set either private_key_file or private_key_env, not both".to_owned(),
            )),
            (None, None) => Ok(None),
            (Some(path), None) => std::fs::read_to_string(path)
                .map(|pem| Some(SecretString::from(pem)))
                .map_err(|e| {
                    error(
                        "private_key_file",
                        format!("cannot read the private key file {}: {e}", path.display()),
                    )
                }),
            (None, Some(var)) => (self.env)(var)
                .filter(|v| !v.trim().is_empty())
                .map(|pem| Some(SecretString::from(pem)))
                .ok_or_else(|| {
                    error(
                        "private_key_env",
                        format!(
                            "the environment variable {var} is not set (or is empty); export                              the PEM private key in it, or set private_key_file"
                        ),
                    )
                }),
        }
    }

    fn builder_reading_key(
        &self,
        vendor: &'static VendorDescription,
        read_key: bool,
    ) -> Result<ProviderBuilder> {
        let common = self.common()?;
        let secret = self.resolve_secret(&common.secret())?;
        let private_key = if read_key {
            self.private_key(&common, vendor)?
        } else {
            None
        };
        let mut builder = Provider::builder(self.name())
            .vendor(vendor)
            .client_id(common.client_id)
            .http_client(self.http_client(&common.http)?)
            .scopes(common.scopes)
            .par(common.par)
            .dpop(common.dpop);
        if let Some(claim) = common.subject_claim {
            builder = builder.subject_claim(claim);
        }
        if let Some(secret) = secret {
            builder = builder.client_secret(secret);
        }
        match (common.auth_method, private_key) {
            (_, Some(key)) => builder = builder.client_auth(Arc::new(key)),
            (Some(method), None) => builder = builder.auth_method(method),
            (None, None) => {}
        }
        if let Some(uri) = common.redirect_uri {
            builder = builder.redirect_uri(uri);
        }
        if let Some(alg) = &common.id_token_signed_response_alg {
            let alg: SigningAlgorithm = alg.parse().map_err(|e| self.table.qualify(e))?;
            builder = builder.id_token_signed_response_alg(alg);
        }
        Ok(builder)
    }

    /// The `private_key_jwt` client authentication, when `auth_method` asks for it: the key
    /// from `private_key_file` or `private_key_env`, with `key_id`.
    fn private_key(
        &self,
        common: &CommonSettings,
        vendor: &VendorDescription,
    ) -> Result<Option<PrivateKeyJwt>> {
        let wants = common.auth_method == Some(AuthMethod::PrivateKeyJwt);
        let error = |key: &str, message: String| self.table.config_error(Some(key), message);
        let given = common.private_key_file.is_some() || common.private_key_env.is_some();
        if !wants {
            if given || common.key_id.is_some() {
                let key = if common.private_key_file.is_some() {
                    "private_key_file"
                } else if common.private_key_env.is_some() {
                    "private_key_env"
                } else {
                    "key_id"
                };
                return Err(error(
                    key,
                    format!(
                        "{key} is only used with auth_method = \"private_key_jwt\"; set that, or \
                         remove {key}"
                    ),
                ));
            }
            return Ok(None);
        }
        if !vendor.auth_methods.contains(&AuthMethod::PrivateKeyJwt) {
            let documented: Vec<&str> = vendor.auth_methods.iter().map(|m| m.as_str()).collect();
            return Err(error(
                "auth_method",
                format!(
                    "{} documents only {} at its token endpoint, not private_key_jwt",
                    vendor.name,
                    documented.join(", ")
                ),
            ));
        }
        let kid = common.key_id.clone();
        let client_id = common.client_id.clone();
        match (&common.private_key_file, &common.private_key_env) {
            (Some(_), Some(_)) => Err(error(
                "private_key_file",
                "set either private_key_file or private_key_env, not both".to_owned(),
            )),
            (None, None) => Err(error(
                "private_key_file",
                "auth_method \"private_key_jwt\" needs the client's PEM private key: set \
                 private_key_file (a path) or private_key_env (a variable holding the PEM text)"
                    .to_owned(),
            )),
            (Some(path), None) => PrivateKeyJwt::from_pem_file(client_id, path, kid)
                .map(Some)
                .map_err(|e| self.table.qualify(e)),
            (None, Some(var)) => {
                let pem = (self.env)(var)
                    .filter(|v| !v.trim().is_empty())
                    .ok_or_else(|| {
                        error(
                            "private_key_env",
                            format!(
                            "the environment variable {var} is not set (or is empty); export the \
                             PEM private key in it, or set private_key_file"
                        ),
                        )
                    })?;
                PrivateKeyJwt::from_pem(client_id, &pem, kid)
                    .map(Some)
                    .map_err(|e| match e {
                        Error::Config { message, .. } => error(
                            "private_key_env",
                            message.replace("the private key", &format!("the value of {var}")),
                        ),
                        other => other,
                    })
            }
        }
    }

    /// Builds `builder`, labelling configuration errors with this provider's name.
    pub fn build(&self, builder: ProviderBuilder) -> Result<Provider> {
        builder.build().map_err(|e| self.table.qualify(e))
    }

    /// The provider of a kind that is its description alone: [`builder`](Self::builder) for
    /// `vendor`, every endpoint moved to `base_url` when the kind's settings give one, then
    /// [`build`](Self::build). The factory of a data-only vendor is this one call.
    pub fn build_vendor(
        &self,
        vendor: &'static VendorDescription,
        base_url: Option<String>,
    ) -> Result<Provider> {
        let builder = self.builder(vendor)?;
        self.build(match base_url {
            Some(base) => builder.base_url(base),
            None => builder,
        })
    }

    /// Resolves an inline secret or `client_secret_env` through the environment.
    pub fn resolve_secret(&self, secret: &SecretSetting) -> Result<Option<SecretString>> {
        secret
            .resolve(self.env)
            .map_err(|(key, message)| self.table.config_error(Some(&key), message))
    }

    /// The HTTP client for these settings: the application's client, with the provider's
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
            #[cfg(feature = "reqwest")]
            None => HttpClient::from_config(config).map_err(|e| self.table.qualify(e)),
            // Without the default transport, the application must supply its client.
            #[cfg(not(feature = "reqwest"))]
            None => Err(self.table.config_error(
                None,
                "no HTTP transport: build tokenbridge-core with its `reqwest` feature, or supply \
                 a client built with HttpClient::with_transport (Registry::with_http_client)",
            )),
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
