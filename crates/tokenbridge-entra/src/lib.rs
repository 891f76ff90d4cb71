//! Microsoft Entra ID (the v2.0 endpoints) for tokenbridge: a [`VendorDescription`] per
//! tenant, the multi-tenant issuer rule, the AADSTS error codes, and the registration of
//! `kind = "entra"`.
//!
//! Every endpoint lives below `https://login.microsoftonline.com/{tenant}` except userinfo
//! (`https://graph.microsoft.com/oidc/userinfo`); `base_url` (an emulator, a proxy) replaces
//! their scheme, host and port, and the issuer becomes `<base_url>/{tenant id}/v2.0`.
//! Sources, each cited where used:
//! - \[OIDC\] <https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc>
//! - \[CODE\] <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>
//! - \[AT\] <https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens>
//! - \[ERR\] <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>
//! - \[UI\] <https://learn.microsoft.com/en-us/entra/identity-platform/userinfo>
//! - \[CERT\] <https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::SecretString;
//!
//! let entra = tokenbridge_entra::builder("entra", "common", Vec::new())?
//!     .client_id("6731de76-14a6-49ae-97bc-6eba6914391e")
//!     .client_secret(SecretString::from("..."))
//!     .redirect_uri("https://app.example.com/callback")
//!     .build()?;
//! let login = entra.authorization_request().build().await?;
//! println!("{}", login.url);
//! # Ok(()) }
//! ```

mod errors;
mod rules;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, EndpointPaths, Error, ErrorTable, ExposeSecret, GrantKind, LogoutParams,
    PrivateKeyJwt, Provider, ProviderBuilder, ProviderContext, ProviderFactory, Result,
    SigningAlgorithm, VendorDescription,
};

pub use errors::{EntraHooks, ERRORS};
pub use rules::{EntraIdTokenRules, TENANT_PLACEHOLDER};

use rules::is_guid;

/// Entra's endpoints as absolute URL templates, `{tenant}` standing for the tenant \[OIDC\].
pub mod urls {
    /// The authorization endpoint.
    pub const AUTHORIZE: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize";
    /// The token endpoint.
    pub const TOKEN: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
    /// The logout (end-session) endpoint.
    pub const LOGOUT: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/logout";
    /// The signing keys.
    pub const KEYS: &str = "https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys";
    /// The discovery document.
    pub const DISCOVERY: &str =
        "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration";
    /// The issuer of one tenant's tokens; `{tenantid}` in the multi-tenant template \[AT\].
    pub const ISSUER: &str = "https://login.microsoftonline.com/{tenant}/v2.0";
    /// The userinfo endpoint, on Microsoft Graph \[UI\].
    pub const USERINFO: &str = "https://graph.microsoft.com/oidc/userinfo";
}

/// The tenant id `consumers` stands for ("`consumers` being a nickname for the tenant
/// 9188040d-6c67-4c5b-b112-36a304b66dad" \[AT\]).
pub const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Microsoft Entra ID, as data, with `{tenant}` still in its URLs: [`description_for`] fills
/// it in.
///
/// - Endpoints: [`urls`]; Entra documents no revocation endpoint, so `revoke` is unsupported.
/// - Auth methods: `client_secret_post` (the default), `client_secret_basic` ("also
///   supported" \[CODE\]), `private_key_jwt` with a certificate's key \[CERT\], and `none` for
///   public clients with PKCE \[CODE\].
/// - ID tokens: RS256 from the tenant's keys; `iss` checked by [`EntraIdTokenRules`]. `sub` is
///   the per-application subject; `oid` and `tid` stay in the identity's claims.
/// - Userinfo answers `sub`, `name`, `family_name`, `given_name`, `picture`, `email` only
///   \[UI\]: `oid` and `tid` come from the ID token.
/// - Logout takes `post_logout_redirect_uri` and `logout_hint` \[OIDC\]; no `id_token_hint`,
///   `client_id` or `state` is documented, so none is sent.
/// - Errors: the first of `error_codes` through [`ERRORS`], else `error` ([`EntraHooks`]).
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("entra", "Microsoft Entra ID");
    d.paths = paths(
        urls::TOKEN,
        urls::AUTHORIZE,
        urls::LOGOUT,
        urls::KEYS,
        urls::DISCOVERY,
    );
    d.issuer_path = Some(urls::ISSUER);
    d.auth_methods = &[
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretBasic,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
    ];
    d.grants = &[
        GrantKind::AuthorizationCode,
        GrantKind::RefreshToken,
        GrantKind::ClientCredentials,
    ];
    d.public_grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
    d.redirect_uri_required = true;
    d.logout = logout_params();
    d.default_scopes = &["openid", "profile", "offline_access"];
    d.id_token_algorithms = &[SigningAlgorithm::Rs256];
    d.errors = ErrorTable(ERRORS);
    d.hooks = &EntraHooks;
    d
};

const fn paths(
    token: &'static str,
    authorize: &'static str,
    logout: &'static str,
    keys: &'static str,
    discovery: &'static str,
) -> EndpointPaths {
    let mut p = EndpointPaths::NONE;
    p.token = Some(token);
    p.authorization = Some(authorize);
    p.end_session = Some(logout);
    p.jwks = Some(keys);
    p.discovery = Some(discovery);
    p.userinfo = Some(urls::USERINFO);
    p
}

const fn logout_params() -> LogoutParams {
    let mut p = LogoutParams::STANDARD;
    p.id_token_hint = None;
    p.client_id = None;
    p.state = false;
    p.logout_hint = Some("logout_hint");
    p
}

/// The issuer of `tenant`'s tokens: the tenant's own for a tenant id, the consumers tenant's
/// for `consumers`, else the template with `{tenantid}` (`common`, `organizations`, and a
/// tenant named by its domain, whose id the configuration does not know).
fn issuer_for(tenant: &str) -> String {
    let id = match tenant {
        "consumers" => CONSUMERS_TENANT_ID,
        t if is_guid(t) => t,
        _ => TENANT_PLACEHOLDER,
    };
    urls::ISSUER.replace("{tenant}", id)
}

/// The description of `tenant` (`common`, `organizations`, `consumers`, a tenant id or a
/// domain): [`DESCRIPTION`] with `{tenant}` filled in. Made once per tenant and kept for the
/// life of the process, so building providers again leaks nothing new.
pub fn description_for(tenant: &str) -> Result<&'static VendorDescription> {
    let valid = !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if !valid {
        return Err(Error::config(
            "tenant",
            format!(
                "{tenant:?} is not a tenant: use common, organizations, consumers, a tenant id \
                 or a domain such as contoso.onmicrosoft.com"
            ),
        ));
    }
    static MADE: OnceLock<Mutex<HashMap<String, &'static VendorDescription>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(description) = made.get(tenant) {
        return Ok(description);
    }
    let leak = |template: &str| -> &'static str {
        Box::leak(template.replace("{tenant}", tenant).into_boxed_str())
    };
    let mut description = DESCRIPTION;
    description.paths = paths(
        leak(urls::TOKEN),
        leak(urls::AUTHORIZE),
        leak(urls::LOGOUT),
        leak(urls::KEYS),
        leak(urls::DISCOVERY),
    );
    description.issuer_path = Some(Box::leak(issuer_for(tenant).into_boxed_str()));
    let description: &'static VendorDescription = Box::leak(Box::new(description));
    made.insert(tenant.to_owned(), description);
    Ok(description)
}

/// A provider builder for `tenant` with its description and issuer rule (tokens of
/// `allowed_tenants` only, when not empty); set `client_id` and the credentials.
pub fn builder(
    id: impl Into<String>,
    tenant: &str,
    allowed_tenants: Vec<String>,
) -> Result<ProviderBuilder> {
    let description = description_for(tenant)?;
    check_allowed(tenant, &allowed_tenants)?;
    Ok(Provider::builder(id)
        .vendor(description)
        .id_token_rules(Arc::new(EntraIdTokenRules::new(allowed_tenants))))
}

fn check_allowed(tenant: &str, allowed: &[String]) -> Result<()> {
    if let Some(bad) = allowed.iter().find(|t| !is_guid(t)) {
        return Err(Error::config(
            "allowed_tenants",
            format!(
                "{bad:?} is not a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)"
            ),
        ));
    }
    if !allowed.is_empty() && is_guid(tenant) {
        return Err(Error::config(
            "allowed_tenants",
            "allowed_tenants restricts a multi-tenant sign-in (common, organizations, consumers \
             or a domain); tenant already names one tenant",
        ));
    }
    Ok(())
}

/// The own settings of `kind = "entra"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `auth_method`, `private_key_file`, `key_id`, ...) are read by core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EntraSettings {
    /// `common`, `organizations`, `consumers`, a tenant id or a tenant domain \[OIDC\].
    pub tenant: String,
    /// With a multi-tenant `tenant`: the tenant ids whose users may sign in; empty: any.
    #[serde(default)]
    pub allowed_tenants: Vec<String>,
    /// Replaces the scheme, host and port of every endpoint and of the issuer (an emulator,
    /// a proxy); https, or http on loopback.
    #[serde(default)]
    pub base_url: Option<String>,
    /// With `auth_method = "private_key_jwt"`: the PEM X.509 certificate of the private key,
    /// whose thumbprints the assertions carry as `x5t` and `x5t#S256` \[CERT\].
    #[serde(default)]
    pub certificate_file: Option<std::path::PathBuf>,
}

/// The `private_key_jwt` authentication named by `certificate`'s thumbprints.
fn certificate_auth(
    context: &ProviderContext<'_>,
    certificate: &std::path::Path,
) -> Result<PrivateKeyJwt> {
    let table = context.table();
    let common = context.common()?;
    if common.auth_method != Some(AuthMethod::PrivateKeyJwt) {
        return Err(table.config_error(
            Some("certificate_file"),
            "certificate_file is only used with auth_method = \"private_key_jwt\"; set that, or \
             remove certificate_file",
        ));
    }
    let pem = context.private_key_pem()?.ok_or_else(|| {
        table.config_error(
            Some("private_key_file"),
            "auth_method \"private_key_jwt\" needs the certificate's private key: set \
             private_key_file or private_key_env",
        )
    })?;
    let key_name = if common.private_key_env.is_some() {
        "private_key_env"
    } else {
        "private_key_file"
    };
    let key = PrivateKeyJwt::from_pem(common.client_id, pem.expose_secret(), common.key_id)
        .map_err(|e| match e {
            Error::Config { message, .. } => table.config_error(Some(key_name), message),
            other => other,
        })?;
    let text = std::fs::read(certificate)
        .ok()
        .filter(|bytes| bytes.len() <= 64 * 1024)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            table.config_error(
                Some("certificate_file"),
                format!(
                    "cannot read {} as a PEM certificate of at most 64 KiB",
                    certificate.display()
                ),
            )
        })?;
    key.with_certificate_pem(&text).map_err(|e| match e {
        Error::Config { key, message } => table.config_error(key.as_deref(), message),
        other => other,
    })
}

/// The registration of `kind = "entra"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entra;

impl ProviderFactory for Entra {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: EntraSettings = context.settings()?;
        let qualify = |e: Error| match e {
            Error::Config { key, message } => context.table().config_error(key.as_deref(), message),
            other => other,
        };
        let description = description_for(&settings.tenant).map_err(qualify)?;
        check_allowed(&settings.tenant, &settings.allowed_tenants).map_err(qualify)?;
        let builder = match &settings.certificate_file {
            Some(certificate) => {
                let key = certificate_auth(context, certificate)?;
                context
                    .builder_with_own_key(description)?
                    .client_auth(Arc::new(key))
            }
            None => context.builder(description)?,
        };
        let mut builder =
            builder.id_token_rules(Arc::new(EntraIdTokenRules::new(settings.allowed_tenants)));
        if let Some(base) = settings.base_url {
            builder = builder.base_url(base);
        }
        context.build(builder)
    }
}
