//! Vendors declared in configuration alone: a `[vendors.<kind>]` table becomes a
//! [`VendorDescription`], the same type a vendor crate writes as a `static`, and the kind is
//! built by the [`Registry`](crate::Registry) like a built-in one.
//!
//! ```toml
//! [vendors.acme]
//! token_path = "/api/token"
//! request_body = "json"
//! request_fields = { client_id = "clientId", client_secret = "clientSecret" }
//! response_envelope = "data"
//! error_code_field = "errCode"
//! success_codes = ["0"]
//! errors = { "1001" = "invalid_grant" }
//! ```
//!
//! A description's data is `'static` (so that a vendor crate's is a `const`); a declaration is
//! therefore built once per distinct table and kept for the life of the process: loading the
//! same configuration again reuses it.

mod shapes;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use serde_json::{Map, Value};
use tokenbridge_core::{
    AuthMethod, Error, ErrorKind, ErrorMapping, ErrorTable, FieldNames, HttpMethod, ParamsIn,
    Provider, ResponseFormat, Result, TokenPlacement, VendorDescription,
};
use tokenbridge_core::{ProviderContext, ProviderFactory};

/// Every key a `[vendors.<kind>]` table may hold.
pub const DECLARATION_KEYS: &[&str] = &[
    "name",
    "token_path",
    "authorize_path",
    "userinfo_path",
    "revocation_path",
    "jwks_path",
    "end_session_path",
    "issuer_path",
    "refresh_path",
    "auth_methods",
    "default_scopes",
    "redirect_uri_required",
    "request_method",
    "request_body",
    "request_fields",
    "request_headers",
    "refresh_omits_secret",
    "client_secret_header",
    "callback_code_params",
    "response_format",
    "response_envelope",
    "response_fields",
    "error_code_field",
    "error_message_field",
    "error_detail_field",
    "request_id_fields",
    "success_codes",
    "errors",
    "userinfo_token_header",
    "userinfo_token_query",
    "userinfo_params_from_tokens",
    "userinfo_headers",
    "userinfo_envelope",
    "userinfo_fields",
    "discovery_path",
    "introspection_path",
    "device_authorization_path",
    "par_path",
    "grants",
    "public_grants",
    "basic_encoding",
    "id_token_algorithms",
    "offline_access_needs_consent",
    "authorize_redirect_param",
    "authorize_client_id_param",
    "authorize_params",
    "authorize_fragment",
    "authorize_scope_separator",
    "authorize_pkce",
    "authorize_nonce",
    "logout_id_token_hint_param",
    "logout_redirect_param",
    "logout_client_id_param",
    "logout_state",
    "logout_hint_param",
    "request_omit_params",
    "response_envelope_required",
    "response_scope_separator",
    "error_message_missing",
    "error_code_is_status",
    "userinfo_error_message_field",
    "userinfo_email_lookup",
    "revocation_method",
    "revocation_body",
    "revocation_token_param",
    "revocation_type_hint",
    "revocation_basic_auth",
];

/// The standard names `request_fields` may rename.
const REQUEST_FIELDS: &[&str] = &[
    "client_id",
    "client_secret",
    "grant_type",
    "code",
    "refresh_token",
    "redirect_uri",
    "code_verifier",
    "scope",
];

/// The standard names `response_fields` may rename.
const RESPONSE_FIELDS: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "id_token",
    "scope",
];

/// The identity fields `userinfo_fields` may name, with the claim each reads.
const USERINFO_FIELDS: &[(&str, &str)] = &[
    ("subject", "sub"),
    ("name", "name"),
    ("preferred_username", "preferred_username"),
    ("email", "email"),
    ("email_verified", "email_verified"),
    ("phone_number", "phone_number"),
    ("picture", "picture"),
];

/// The kinds an `errors` entry may name.
const ERROR_KINDS: &[ErrorKind] = &[
    ErrorKind::InvalidGrant,
    ErrorKind::InvalidClient,
    ErrorKind::InvalidRequest,
    ErrorKind::InvalidScope,
    ErrorKind::AccessDenied,
    ErrorKind::InvalidToken,
    ErrorKind::Unsupported,
    ErrorKind::RateLimited,
    ErrorKind::ProviderUnavailable,
];

/// A vendor declared in configuration: its kind and its description.
#[derive(Clone)]
pub struct DeclaredVendor {
    source: Value,
    description: &'static VendorDescription,
}

impl PartialEq for DeclaredVendor {
    fn eq(&self, other: &Self) -> bool {
        self.description.kind == other.description.kind && self.source == other.source
    }
}

impl fmt::Debug for DeclaredVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeclaredVendor")
            .field("kind", &self.description.kind)
            .field("token_path", &self.description.paths.token)
            .finish_non_exhaustive()
    }
}

impl DeclaredVendor {
    /// Reads the `[vendors.<kind>]` table `table`; errors name `vendors.<kind>.<key>`.
    pub fn parse(kind: &str, table: &Value) -> Result<Self> {
        let Value::Object(map) = table else {
            return Err(Error::config(
                format!("vendors.{kind}"),
                "a declared vendor must be a table of keys",
            ));
        };
        if kind.trim().is_empty() || kind.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::config(
                format!("vendors.{kind}"),
                "a declared kind is a name without spaces, e.g. `acme`",
            ));
        }
        let interned = interned();
        let key = format!("{kind}\n{table}");
        let mut known = interned.lock().unwrap_or_else(|e| e.into_inner());
        let description = match known.get(&key) {
            Some(d) => *d,
            None => {
                let d: &'static VendorDescription =
                    Box::leak(Box::new(Reader { kind, map }.description()?));
                known.insert(key, d);
                d
            }
        };
        Ok(Self {
            source: table.clone(),
            description,
        })
    }

    /// The declared kind.
    pub fn kind(&self) -> &'static str {
        self.description.kind
    }

    /// The description the declaration makes.
    pub fn description(&self) -> &'static VendorDescription {
        self.description
    }
}

/// Descriptions already built, by kind and table, so that reloading leaks nothing new.
fn interned() -> &'static Mutex<HashMap<String, &'static VendorDescription>> {
    static INTERNED: OnceLock<Mutex<HashMap<String, &'static VendorDescription>>> = OnceLock::new();
    INTERNED.get_or_init(Default::default)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// Reads one declaration's keys.
struct Reader<'a> {
    kind: &'a str,
    map: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::config(format!("vendors.{}.{key}", self.kind), message)
    }

    fn text(&self, key: &str) -> Result<Option<&'static str>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(leak(s))),
            Some(_) => Err(self.error(key, "expected a non-empty string")),
        }
    }

    /// An endpoint: a path below `base_url`, or the vendor's absolute `https://` URL (whose
    /// scheme, host and port a provider's `base_url` replaces).
    fn path(&self, key: &str) -> Result<Option<&'static str>> {
        let path = self.text(key)?;
        match path {
            Some(p) if p.starts_with('/') => Ok(path),
            Some(p) if p.starts_with("https://") => {
                let host = p["https://".len()..].split(['/', '?', '#']).next();
                match host {
                    Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(path),
                    _ => Err(self.error(key, "an absolute URL needs a host: https://HOST/PATH")),
                }
            }
            Some(_) => Err(self.error(
                key,
                "expected a path below base_url, starting with `/`, or an absolute https:// URL",
            )),
            None => Ok(None),
        }
    }

    fn flag(&self, key: &str) -> Result<bool> {
        self.flag_or(key, false)
    }

    fn flag_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.map.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.error(key, "expected true or false")),
        }
    }

    fn choice(&self, key: &str, choices: &[&str]) -> Result<Option<usize>> {
        match self.text(key)? {
            None => Ok(None),
            Some(v) => choices
                .iter()
                .position(|c| *c == v)
                .map(Some)
                .ok_or_else(|| {
                    self.error(key, format!("{v:?} is not one of: {}", choices.join(", ")))
                }),
        }
    }

    /// A list of strings; numbers are written out (`success_codes = [0]`).
    fn list(&self, key: &str) -> Result<&'static [&'static str]> {
        match self.map.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Ok(leak(s)),
                        Value::Number(n) => Ok(leak(&n.to_string())),
                        _ => Err(self.error(key, "expected a list of strings")),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(leak_slice(items))
            }
            Some(_) => Err(self.error(key, "expected a list of strings")),
        }
    }

    /// A table of strings, as `(key, value)` pairs; with `allowed`, each key must be one of
    /// them (mapped to the name it stands for).
    fn pairs(
        &self,
        key: &str,
        allowed: Option<&[(&str, &str)]>,
    ) -> Result<&'static [(&'static str, &'static str)]> {
        let table = match self.map.get(key) {
            None => return Ok(&[]),
            Some(Value::Object(t)) => t,
            Some(_) => return Err(self.error(key, "expected a table of strings")),
        };
        let mut pairs = Vec::with_capacity(table.len());
        for (name, value) in table {
            let Value::String(value) = value else {
                return Err(self.error(&format!("{key}.{name}"), "expected a string"));
            };
            let name = match allowed {
                None => leak(name),
                Some(allowed) => match allowed.iter().find(|(n, _)| n == name) {
                    Some((_, standard)) => leak(standard),
                    None => {
                        let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                        return Err(self.error(
                            &format!("{key}.{name}"),
                            format!("unknown field; expected one of: {}", names.join(", ")),
                        ));
                    }
                },
            };
            pairs.push((name, leak(value)));
        }
        Ok(leak_slice(pairs))
    }

    fn fields(&self, key: &str, standard: &[&str]) -> Result<FieldNames> {
        let allowed: Vec<(&str, &str)> = standard.iter().map(|s| (*s, *s)).collect();
        Ok(FieldNames(self.pairs(key, Some(&allowed))?))
    }

    fn errors(&self) -> Result<ErrorTable> {
        let table = match self.map.get("errors") {
            None => return Ok(ErrorTable::EMPTY),
            Some(Value::Object(t)) => t,
            Some(_) => return Err(self.error("errors", "expected a table of code = kind")),
        };
        let mut mappings = Vec::with_capacity(table.len());
        for (code, kind) in table {
            let key = format!("errors.{code}");
            let (kind, inferred) = self.error_entry(&key, kind)?;
            let kind = ERROR_KINDS
                .iter()
                .copied()
                .find(|k| k.as_str() == kind)
                .ok_or_else(|| {
                    let names: Vec<&str> = ERROR_KINDS.iter().map(|k| k.as_str()).collect();
                    self.error(
                        &key,
                        format!(
                            "unknown error kind {kind:?}; expected one of: {}",
                            names.join(", ")
                        ),
                    )
                })?;
            // The declaration states what each code means, and whether the vendor documents it.
            mappings.push(if inferred {
                ErrorMapping::inferred(leak(code), kind)
            } else {
                ErrorMapping::documented(leak(code), kind)
            });
        }
        Ok(ErrorTable(leak_slice(mappings)))
    }

    fn auth_methods(&self, params_in: ParamsIn) -> Result<&'static [AuthMethod]> {
        let names = self.list("auth_methods")?;
        if names.is_empty() {
            // A JSON body or a query cannot hold a Basic header's credentials in the body:
            // `client_secret_post` puts them among the parameters, wherever those go.
            return Ok(match params_in {
                ParamsIn::Form => VendorDescription::standard("", "").auth_methods,
                _ => &[
                    AuthMethod::ClientSecretPost,
                    AuthMethod::ClientSecretBasic,
                    AuthMethod::None,
                ],
            });
        }
        let methods = names
            .iter()
            .map(|n| {
                n.parse::<AuthMethod>()
                    .map_err(|_| self.error("auth_methods", format!("unknown auth method {n:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(leak_slice(methods))
    }

    fn description(&self) -> Result<VendorDescription> {
        if let Some(key) = self
            .map
            .keys()
            .find(|k| !DECLARATION_KEYS.contains(&k.as_str()))
        {
            return Err(self.error(
                key,
                format!(
                    "unknown key; a declared vendor has: {}",
                    DECLARATION_KEYS.join(", ")
                ),
            ));
        }
        let kind = leak(self.kind);
        let name = self.text("name")?.unwrap_or(kind);
        let mut d = VendorDescription::standard(kind, name);
        d.paths.token = Some(self.path("token_path")?.ok_or_else(|| {
            self.error(
                "token_path",
                "missing; every declared vendor needs its token path",
            )
        })?);
        d.paths.authorization = self.path("authorize_path")?;
        d.paths.userinfo = self.path("userinfo_path")?;
        d.paths.revocation = self.path("revocation_path")?;
        d.paths.jwks = self.path("jwks_path")?;
        d.paths.end_session = self.path("end_session_path")?;
        d.issuer_path = match self.map.get("issuer_path") {
            Some(Value::String(s)) if s.is_empty() => Some(""),
            _ => self.path("issuer_path")?,
        };
        d.redirect_uri_required = self.flag("redirect_uri_required")?;
        // `[]` is a declaration too: a vendor whose sign-in sends no scope by default.
        if self.map.contains_key("default_scopes") {
            d.default_scopes = self.list("default_scopes")?;
        }

        let request = &mut d.token_request;
        request.method = match self.choice("request_method", &["post", "get"])? {
            Some(1) => HttpMethod::Get,
            _ => HttpMethod::Post,
        };
        request.params_in = match self.choice("request_body", &["form", "json", "query"])? {
            Some(1) => ParamsIn::Json,
            Some(2) => ParamsIn::Query,
            _ if request.method == HttpMethod::Get => ParamsIn::Query,
            _ => ParamsIn::Form,
        };
        request.fields = self.fields("request_fields", REQUEST_FIELDS)?;
        request.headers = self.pairs("request_headers", None)?;
        request.refresh_path = self.path("refresh_path")?;
        request.refresh_omits_secret = self.flag("refresh_omits_secret")?;
        request.client_secret_header = self.text("client_secret_header")?;
        d.auth_methods = self.auth_methods(d.token_request.params_in)?;
        d.callback_code_params = self.list("callback_code_params")?;

        let response = &mut d.token_response;
        response.format = match self.choice("response_format", &["json", "form", "auto"])? {
            Some(1) => ResponseFormat::Form,
            Some(2) => ResponseFormat::ByContentType,
            _ => ResponseFormat::Json,
        };
        response.envelope = self.text("response_envelope")?;
        response.fields = self.fields("response_fields", RESPONSE_FIELDS)?;
        response.error_code_field = self.text("error_code_field")?;
        response.error_message_field = self.text("error_message_field")?;
        response.error_detail_field = self.text("error_detail_field")?;
        response.request_id_fields = self.list("request_id_fields")?;
        response.success_codes = self.list("success_codes")?;
        d.errors = self.errors()?;

        let userinfo = &mut d.userinfo;
        userinfo.token = match (
            self.text("userinfo_token_header")?,
            self.text("userinfo_token_query")?,
        ) {
            (None, None) => TokenPlacement::Authorization,
            (Some(h), None) => TokenPlacement::Header(h),
            (None, Some(q)) => TokenPlacement::Query(q),
            (Some(_), Some(_)) => {
                return Err(self.error(
                    "userinfo_token_query",
                    "set userinfo_token_header or userinfo_token_query, not both",
                ))
            }
        };
        userinfo.params_from_tokens = self.pairs("userinfo_params_from_tokens", None)?;
        userinfo.headers = self.pairs("userinfo_headers", None)?;
        userinfo.envelope = self.text("userinfo_envelope")?;
        userinfo.fields = FieldNames(self.pairs("userinfo_fields", Some(USERINFO_FIELDS))?);
        self.more(&mut d)?;
        Ok(d)
    }
}

/// The keys of a provider of a declared kind, besides the shared ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclaredSettings {
    /// Every path of the declaration is below it, and it replaces the scheme, host and port
    /// of its absolute URLs; required unless every endpoint is an absolute URL.
    #[serde(default)]
    base_url: Option<String>,
}

/// Builds the providers of a declared kind.
#[derive(Debug, Clone)]
pub(crate) struct DeclaredKind(pub(crate) &'static VendorDescription);

impl ProviderFactory for DeclaredKind {
    fn kind(&self) -> &'static str {
        self.0.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: DeclaredSettings = context.settings()?;
        let mut builder = context.builder(self.0)?;
        if let Some(base_url) = settings.base_url {
            builder = builder.base_url(base_url);
        }
        context.build(builder)
    }
}
