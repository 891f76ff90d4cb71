//! The declaration keys for the rest of a [`VendorDescription`]'s data: the other endpoints,
//! grants and ID-token algorithms, the authorization and logout requests' shapes, the token
//! request's and answer's finer points, the userinfo email lookup and the revocation request.
//! Hooks are behaviour, not data: a vendor that needs them is a crate, not a declaration.

use serde_json::Value;
use tokenbridge_core::{
    BasicEncoding, EmailLookup, GrantKind, HttpMethod, NonceMode, ParamsIn, Result,
    SigningAlgorithm, VendorDescription,
};

use super::{leak, leak_slice, Reader, REQUEST_FIELDS};

/// The grants `grants` and `public_grants` may name.
const GRANTS: &[GrantKind] = &[
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::ClientCredentials,
    GrantKind::Extension,
];

/// The keys of `userinfo_email_lookup`.
const EMAIL_LOOKUP_KEYS: &[&str] = &[
    "path_suffix",
    "address_field",
    "primary_field",
    "verified_field",
];

impl Reader<'_> {
    /// Reads every key this module owns into `d`.
    pub(super) fn more(&self, d: &mut VendorDescription) -> Result<()> {
        d.paths.discovery = self.path("discovery_path")?;
        d.paths.introspection = self.path("introspection_path")?;
        d.paths.device_authorization = self.path("device_authorization_path")?;
        d.paths.pushed_authorization_request = self.path("par_path")?;
        if let Some(grants) = self.grants("grants")? {
            d.grants = grants;
        }
        if let Some(grants) = self.grants("public_grants")? {
            d.public_grants = grants;
        }
        if let Some(i) = self.choice("basic_encoding", &["form", "raw"])? {
            d.basic_encoding = [BasicEncoding::FormUrlEncoded, BasicEncoding::Raw][i];
        }
        d.id_token_algorithms = self.algorithms()?;
        d.offline_access_needs_consent = self.flag("offline_access_needs_consent")?;
        self.authorize(d)?;
        self.logout(d)?;

        d.token_request.omit_params = self.omit_params()?;
        let response = &mut d.token_response;
        response.envelope_required = self.flag("response_envelope_required")?;
        if let Some(separator) = self.separator_char("response_scope_separator")? {
            response.scope_separator = separator;
        }
        response.error_message_missing = self.text("error_message_missing")?;
        response.error_code_is_status = self.flag("error_code_is_status")?;

        d.userinfo.error_message_field = self.text("userinfo_error_message_field")?;
        d.userinfo.email_lookup = self.email_lookup()?;
        self.revocation(d)
    }

    fn authorize(&self, d: &mut VendorDescription) -> Result<()> {
        if let Some(param) = self.text("authorize_redirect_param")? {
            d.authorize_redirect_param = param;
        }
        let shape = &mut d.authorize;
        if let Some(param) = self.text("authorize_client_id_param")? {
            shape.client_id_param = param;
        }
        shape.params = self.pairs("authorize_params", None)?;
        shape.fragment = self.text("authorize_fragment")?;
        if let Some(separator) = self.separator("authorize_scope_separator")? {
            shape.scope_separator = separator;
        }
        shape.pkce = self.flag_or("authorize_pkce", true)?;
        shape.nonce = match self.choice("authorize_nonce", &["never", "with_openid", "always"])? {
            Some(0) => NonceMode::Never,
            Some(2) => NonceMode::Always,
            _ => NonceMode::WithOpenid,
        };
        Ok(())
    }

    fn logout(&self, d: &mut VendorDescription) -> Result<()> {
        let logout = &mut d.logout;
        if let Some(param) = self.optional_param("logout_id_token_hint_param")? {
            logout.id_token_hint = param;
        }
        if let Some(param) = self.text("logout_redirect_param")? {
            logout.post_logout_redirect_uri = param;
        }
        if let Some(param) = self.optional_param("logout_client_id_param")? {
            logout.client_id = param;
        }
        logout.state = self.flag_or("logout_state", true)?;
        if let Some(param) = self.optional_param("logout_hint_param")? {
            logout.logout_hint = param;
        }
        Ok(())
    }

    fn revocation(&self, d: &mut VendorDescription) -> Result<()> {
        let revocation = &mut d.revocation;
        if let Some(i) = self.choice("revocation_method", &["post", "get", "delete"])? {
            revocation.method = [HttpMethod::Post, HttpMethod::Get, HttpMethod::Delete][i];
        }
        if let Some(i) = self.choice("revocation_body", &["form", "json", "query"])? {
            revocation.params_in = [ParamsIn::Form, ParamsIn::Json, ParamsIn::Query][i];
        }
        if let Some(param) = self.text("revocation_token_param")? {
            revocation.token_param = param;
        }
        revocation.type_hint = self.flag_or("revocation_type_hint", true)?;
        revocation.basic_auth = self.flag("revocation_basic_auth")?;
        Ok(())
    }

    /// A parameter name, or `false` for a parameter the vendor does not take; `None` when
    /// the key is absent.
    fn optional_param(&self, key: &str) -> Result<Option<Option<&'static str>>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(false)) => Ok(Some(None)),
            Some(Value::String(_)) => Ok(Some(self.text(key)?)),
            Some(_) => Err(self.error(key, "expected a parameter name, or false for none")),
        }
    }

    /// A separator: any non-empty string, a space included.
    fn separator(&self, key: &str) -> Result<Option<&'static str>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(leak(s))),
            Some(_) => Err(self.error(key, "expected a non-empty string, e.g. \",\" or \" \"")),
        }
    }

    /// A separator of one character.
    fn separator_char(&self, key: &str) -> Result<Option<char>> {
        let Some(text) = self.separator(key)? else {
            return Ok(None);
        };
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Some(c)),
            _ => Err(self.error(key, "expected one character, e.g. \",\"")),
        }
    }

    fn grants(&self, key: &str) -> Result<Option<&'static [GrantKind]>> {
        if self.map.get(key).is_none() {
            return Ok(None);
        }
        let grants = self
            .list(key)?
            .iter()
            .map(|name| {
                GRANTS
                    .iter()
                    .copied()
                    .find(|g| g.to_string() == *name)
                    .ok_or_else(|| {
                        let names: Vec<String> = GRANTS.iter().map(|g| g.to_string()).collect();
                        self.error(
                            key,
                            format!(
                                "unknown grant {name:?}; expected one of: {}",
                                names.join(", ")
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(leak_slice(grants)))
    }

    fn algorithms(&self) -> Result<&'static [SigningAlgorithm]> {
        let key = "id_token_algorithms";
        let algorithms = self
            .list(key)?
            .iter()
            .map(|name| {
                name.parse::<SigningAlgorithm>()
                    .map_err(|_| self.error(key, format!("unknown algorithm {name:?}; expected RS256, PS256, ES256, EdDSA or HS256")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(leak_slice(algorithms))
    }

    fn omit_params(&self) -> Result<&'static [&'static str]> {
        let key = "request_omit_params";
        let names = self.list(key)?;
        if let Some(name) = names.iter().find(|n| !REQUEST_FIELDS.contains(n)) {
            return Err(self.error(
                key,
                format!(
                    "{name:?} is not a standard parameter; expected some of: {}",
                    REQUEST_FIELDS.join(", ")
                ),
            ));
        }
        Ok(names)
    }

    fn email_lookup(&self) -> Result<Option<EmailLookup>> {
        let key = "userinfo_email_lookup";
        let table = match self.map.get(key) {
            None => return Ok(None),
            Some(Value::Object(table)) => table,
            Some(_) => {
                return Err(self.error(key, "expected a table, e.g. { path_suffix = \"/emails\" }"))
            }
        };
        if let Some(unknown) = table
            .keys()
            .find(|k| !EMAIL_LOOKUP_KEYS.contains(&k.as_str()))
        {
            return Err(self.error(
                &format!("{key}.{unknown}"),
                format!(
                    "unknown key; expected one of: {}",
                    EMAIL_LOOKUP_KEYS.join(", ")
                ),
            ));
        }
        let text = |name: &str| match table.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(leak(s))),
            Some(_) => Err(self.error(&format!("{key}.{name}"), "expected a non-empty string")),
        };
        let suffix = text("path_suffix")?.ok_or_else(|| {
            self.error(
                &format!("{key}.path_suffix"),
                "missing; the path appended to the userinfo endpoint's, e.g. \"/emails\"",
            )
        })?;
        let mut lookup = EmailLookup::new(suffix);
        if let Some(field) = text("address_field")? {
            lookup.address_field = field;
        }
        if let Some(field) = text("primary_field")? {
            lookup.primary_field = field;
        }
        if let Some(field) = text("verified_field")? {
            lookup.verified_field = field;
        }
        Ok(Some(lookup))
    }

    /// An `errors` entry: a kind (`"invalid_grant"`, a code the vendor documents), or a table
    /// `{ kind = "invalid_grant", inferred = true }` for a code whose meaning is inferred.
    pub(super) fn error_entry(&self, key: &str, entry: &Value) -> Result<(&'static str, bool)> {
        let expected = "expected an error kind such as \"invalid_grant\", or { kind = \"invalid_grant\", inferred = true }";
        match entry {
            Value::String(kind) => Ok((leak(kind), false)),
            Value::Object(table) => {
                if let Some(unknown) = table.keys().find(|k| *k != "kind" && *k != "inferred") {
                    return Err(self.error(
                        &format!("{key}.{unknown}"),
                        "unknown key; expected kind and inferred",
                    ));
                }
                let inferred = match table.get("inferred") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(self.error(&format!("{key}.inferred"), "expected true or false"))
                    }
                };
                match table.get("kind") {
                    Some(Value::String(kind)) => Ok((leak(kind), inferred)),
                    _ => Err(self.error(&format!("{key}.kind"), expected)),
                }
            }
            _ => Err(self.error(key, expected)),
        }
    }
}
