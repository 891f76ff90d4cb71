//! GitHub for tokenbridge: a [`VendorDescription`] for OAuth apps and GitHub Apps, and the
//! registration of `kind = "github"`.
//!
//! GitHub signs users in on `github.com` and serves the user on `api.github.com`. Everything
//! here is data; the token exchange, the device flow, the userinfo request (with its second
//! request for a private email) and the revocation are core's [`Provider`]. Sources:
//!
//! - \[OAUTH\] <https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps>
//! - \[APP\] <https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app>
//! - \[REFRESH\] <https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens>
//! - \[ERRORS\] <https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors>
//! - \[USER\] <https://docs.github.com/en/rest/users/users#get-the-authenticated-user>
//! - \[EMAILS\] <https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user>
//! - \[REVOKE\] <https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token>
//! - \[REST\] <https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api>
//! - \[GHES\] <https://docs.github.com/en/enterprise-server@latest/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps>
//! - \[GHES-API\] <https://docs.github.com/en/enterprise-server@latest/rest/enterprise-admin>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, SecretString, TokenExchanger};
//!
//! let github = tokenbridge_github::builder("github")
//!     .client_id("Iv1.8a61f9b3a7aba766")
//!     .client_secret(SecretString::from("app-secret"))
//!     .build()?;
//! let grant = Grant::authorization_code("code-from-callback", "https://example.com/callback");
//! let tokens = github.exchange(grant).await?;
//! let user = github.userinfo_with_tokens(&tokens).await?;
//! println!("{} {:?}", user.subject, user.email);
//! # Ok(()) }
//! ```

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, EmailLookup, Error, ErrorKind, ErrorMapping, ErrorTable, FieldNames, GrantKind,
    HttpMethod, ParamsIn, Provider, ProviderBuilder, ProviderContext, ProviderFactory,
    ResponseFormat, Result, RevocationShape, VendorDescription,
};

/// GitHub's endpoints as its absolute URLs; a configured `base_url` replaces their scheme,
/// host and port (an emulator or a proxy stands in for both hosts).
pub mod endpoints {
    /// The authorization endpoint, `GET` \[OAUTH\].
    pub const AUTHORIZE: &str = "https://github.com/login/oauth/authorize";
    /// The token endpoint, for codes, refresh tokens and device codes \[OAUTH\] \[REFRESH\].
    pub const TOKEN: &str = "https://github.com/login/oauth/access_token";
    /// The device code endpoint \[OAUTH\] ("Device flow").
    pub const DEVICE_CODE: &str = "https://github.com/login/device/code";
    /// The authenticated user \[USER\].
    pub const USER: &str = "https://api.github.com/user";
    /// The user's email addresses, below [`USER`] \[EMAILS\].
    pub const EMAILS_SUFFIX: &str = "/emails";
    /// "Delete an app token": `DELETE` with Basic authentication \[REVOKE\].
    pub const REVOKE: &str = "https://api.github.com/applications/{client_id}/token";
}

/// GitHub Enterprise Server's endpoints: paths below `https://HOSTNAME`, the OAuth flow's at
/// the root \[GHES\] and the REST API's below `/api/v3` \[GHES-API\].
pub mod enterprise_paths {
    /// `GET http(s)://HOSTNAME/login/oauth/authorize` \[GHES\].
    pub const AUTHORIZE: &str = "/login/oauth/authorize";
    /// `POST http(s)://HOSTNAME/login/oauth/access_token` \[GHES\].
    pub const TOKEN: &str = "/login/oauth/access_token";
    /// `POST http(s)://HOSTNAME/login/device/code` \[GHES\].
    pub const DEVICE_CODE: &str = "/login/device/code";
    /// The REST API's prefix, `http(s)://HOSTNAME/api/v3` \[GHES-API\].
    pub const API: &str = "/api/v3";
    /// The authenticated user, below [`API`].
    pub const USER: &str = "/api/v3/user";
    /// "Delete an app token", below [`API`].
    pub const REVOKE: &str = "/api/v3/applications/{client_id}/token";
}

/// GitHub, as data.
///
/// - Authorize with `client_id`, `redirect_uri`, `scope` (space-delimited; GitHub Apps use
///   none), `state`, and PKCE `code_challenge` with `code_challenge_method=S256`, supported
///   and recommended but not required \[OAUTH\]. Codes expire after 10 minutes.
/// - The token endpoint takes a form `POST` with `client_id` and `client_secret` among the
///   parameters \[OAUTH\]; it answers form pairs unless asked for JSON, so every request
///   sends `Accept: application/json` and a form answer is still read. Expiring user tokens
///   add `expires_in` (28800), `refresh_token` and `refresh_token_expires_in` (15811200 for
///   GitHub Apps \[APP\]); a refresh token works once \[REFRESH\]. Refusals are
///   `{error, error_description, error_uri}` (HTTP 200 in GitHub's examples; see [`ERRORS`]).
/// - The device flow (`/login/device/code`, then the token endpoint with the device code
///   grant) \[OAUTH\]; its tokens refresh without the secret, so a client without one may
///   use the device flow and refresh.
/// - The user is `GET https://api.github.com/user` (`User-Agent` required \[REST\], which
///   every tokenbridge request carries; `Accept: application/vnd.github+json` recommended).
///   `id` (a number) is the subject as decimal text, `login` the preferred username,
///   `avatar_url` the picture. When `email` is null, the primary verified address of
///   `GET /user/emails` is the identity's email (absent when there is none or the token may
///   not read the list) \[EMAILS\].
/// - Revocation deletes the token: `DELETE /applications/{client_id}/token` with the client
///   id and secret in HTTP Basic and `{"access_token": "..."}`, answering 204 \[REVOKE\].
/// - No ID token, no discovery, no logout.
pub static DESCRIPTION: VendorDescription = {
    let mut d = VendorDescription::standard("github", "GitHub");
    d.paths.authorization = Some(endpoints::AUTHORIZE);
    d.paths.token = Some(endpoints::TOKEN);
    d.paths.device_authorization = Some(endpoints::DEVICE_CODE);
    d.paths.userinfo = Some(endpoints::USER);
    d.paths.revocation = Some(endpoints::REVOKE);
    // `none`: a client without a secret, for the device flow only (see `public_grants`).
    d.auth_methods = &[AuthMethod::ClientSecretPost, AuthMethod::None];
    d.grants = &[
        GrantKind::AuthorizationCode,
        GrantKind::RefreshToken,
        GrantKind::Extension,
    ];
    // Without a secret: the device flow and its refresh ("client_secret: Required unless the
    // token was generated using the device flow", [REFRESH]).
    d.public_grants = &[GrantKind::RefreshToken, GrantKind::Extension];
    d.default_scopes = &[];
    d.token_request.headers = &[("accept", "application/json")];
    d.token_response.format = ResponseFormat::ByContentType;
    // The granted scopes come comma-separated (`repo,gist`).
    d.token_response.scope_separator = ',';
    d.errors = ErrorTable(ERRORS);
    d.userinfo.headers = &[("accept", "application/vnd.github+json")];
    d.userinfo.fields = FieldNames(&[
        ("sub", "id"),
        ("preferred_username", "login"),
        ("picture", "avatar_url"),
    ]);
    d.userinfo.email_lookup = Some(EmailLookup::new(endpoints::EMAILS_SUFFIX));
    d.revocation = revocation();
    d
};

/// GitHub Enterprise Server, as data: [`DESCRIPTION`] with the endpoints of one server,
/// [`enterprise_paths`] below its `https://HOSTNAME` (the provider's base URL), the same flows,
/// answers and error codes \[GHES\]. Built by [`enterprise_builder`] or `host` in
/// configuration.
pub static ENTERPRISE: VendorDescription = {
    let mut d = DESCRIPTION;
    d.name = "GitHub Enterprise Server";
    d.paths.authorization = Some(enterprise_paths::AUTHORIZE);
    d.paths.token = Some(enterprise_paths::TOKEN);
    d.paths.device_authorization = Some(enterprise_paths::DEVICE_CODE);
    d.paths.userinfo = Some(enterprise_paths::USER);
    d.paths.revocation = Some(enterprise_paths::REVOKE);
    d
};

/// The base URL of GitHub Enterprise Server at `host` (a host name, with a port if any):
/// `https://HOSTNAME`. tokenbridge sends secrets over `https` only, so the `http` the pages
/// also allow is not offered. An error names `host` for anything else (a scheme, a path,
/// `github.com` itself).
pub fn enterprise_base_url(host: &str) -> Result<String> {
    let host = host.trim();
    let refuse = |why: &str| Err(Error::config("host", why.to_owned()));
    if host.is_empty() {
        return refuse(
            "empty; set the GitHub Enterprise Server's host name, e.g. github.example.com",
        );
    }
    if host.contains("://") {
        return refuse("a host name without a scheme, e.g. github.example.com (https is used)");
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '@' | '\\'))
    {
        return refuse(
            "a host name (with a port if any) and nothing else, e.g. github.example.com",
        );
    }
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    if name.eq_ignore_ascii_case("github.com") || name.eq_ignore_ascii_case("api.github.com") {
        return refuse("github.com is not an Enterprise Server: remove host");
    }
    let url = format!("https://{host}");
    match tokenbridge_core::Url::parse(&url) {
        Ok(parsed) if parsed.host_str().is_some() => Ok(url),
        _ => refuse("not a valid host name, e.g. github.example.com"),
    }
}

/// A provider builder for the GitHub Enterprise Server at `host` ([`ENTERPRISE`] below
/// [`enterprise_base_url`]): set `client_id` and `client_secret` as for GitHub.
pub fn enterprise_builder(id: impl Into<String>, host: &str) -> Result<ProviderBuilder> {
    Ok(Provider::builder(id)
        .vendor(&ENTERPRISE)
        .base_url(enterprise_base_url(host)?))
}

const fn revocation() -> RevocationShape {
    let mut r = RevocationShape::STANDARD;
    r.method = HttpMethod::Delete;
    r.params_in = ParamsIn::Json;
    r.token_param = "access_token";
    r.type_hint = false;
    r.basic_auth = true;
    r
}

/// GitHub's token-endpoint error codes (the OAuth `error` member) and what they mean.
pub static ERRORS: &[ErrorMapping] = &[
    // "The code passed is incorrect or expired." [ERRORS]
    ErrorMapping::documented("bad_verification_code", ErrorKind::InvalidGrant),
    // "The client_id and/or client_secret passed are incorrect." [ERRORS]
    ErrorMapping::documented("incorrect_client_credentials", ErrorKind::InvalidClient),
    // "The redirect_uri MUST match the registered callback URL for this application." [ERRORS]
    ErrorMapping::documented("redirect_uri_mismatch", ErrorKind::InvalidGrant),
    // "The user must have a verified primary email." [ERRORS]
    ErrorMapping::documented("unverified_user_email", ErrorKind::AccessDenied),
    // "If the refresh token that you specified is invalid or expired" [OAUTH]
    ErrorMapping::documented("bad_refresh_token", ErrorKind::InvalidGrant),
    // The device code is not valid [OAUTH] (device flow error codes).
    ErrorMapping::documented("incorrect_device_code", ErrorKind::InvalidGrant),
    // The device flow is not enabled in the app's settings [OAUTH].
    ErrorMapping::documented("device_flow_disabled", ErrorKind::Unsupported),
];

/// A provider builder with GitHub's description: set `client_id` and `client_secret`.
pub fn builder(id: impl Into<String>) -> ProviderBuilder {
    Provider::builder(id).vendor(&DESCRIPTION)
}

/// The own settings of `kind = "github"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `redirect_uri`, `scopes`, `http`...) are read by core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GitHubSettings {
    /// Replaces the scheme, host and port of every endpoint (an emulator, a proxy); `https`,
    /// or `http` on loopback only. With `host`, it replaces the server's origin.
    pub base_url: Option<String>,
    /// The host name of a GitHub Enterprise Server (e.g. `github.example.com`): every
    /// endpoint moves to `https://HOSTNAME`, the API below `/api/v3` ([`ENTERPRISE`]).
    pub host: Option<String>,
}

/// The registration of `kind = "github"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GitHub;

impl ProviderFactory for GitHub {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: GitHubSettings = context.settings()?;
        let Some(host) = &settings.host else {
            return context.build_vendor(&DESCRIPTION, settings.base_url);
        };
        let server = enterprise_base_url(host).map_err(|e| match e {
            Error::Config { message, .. } => context.table().config_error(Some("host"), message),
            other => other,
        })?;
        // A base_url (an emulator, a proxy) replaces the server's origin.
        context.build_vendor(&ENTERPRISE, Some(settings.base_url.unwrap_or(server)))
    }
}
