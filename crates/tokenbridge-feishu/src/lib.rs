//! Feishu and Lark for tokenbridge: two [`VendorDescription`]s (one per region) and the
//! registration of `kind = "feishu"`.
//!
//! Feishu (`feishu.cn`) and Lark (`larksuite.com`) are the same platform on two sets of hosts:
//! the browser signs in at `accounts.<host>`, the server exchanges codes and reads the user at
//! `open.<host>`. Everything here is data; the token exchange, the userinfo request and the
//! sign-in are core's [`Provider`]. Sources (Feishu's Open Platform documentation):
//!
//! - authorize: <https://open.feishu.cn/document/authentication-management/access-token/obtain-oauth-code>
//! - code exchange: <https://open.feishu.cn/document/authentication-management/access-token/get-user-access-token>
//! - refresh: <https://open.feishu.cn/document/authentication-management/access-token/refresh-user-access-token>
//! - user info: <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get>
//!
//! ```no_run
//! # async fn run() -> tokenbridge_core::Result<()> {
//! use tokenbridge_core::{Grant, SecretString, TokenExchanger};
//!
//! let lark = tokenbridge_feishu::builder("lark", tokenbridge_feishu::Region::Lark)
//!     .client_id("cli_a1b2c3")
//!     .client_secret(SecretString::from("app-secret"))
//!     .build()?;
//! let grant = Grant::authorization_code("code-from-callback", "https://example.com/callback");
//! let tokens = lark.exchange(grant).await?;
//! let user = lark.userinfo_with_tokens(&tokens).await?;
//! println!("{} {}", user.subject, tokens);
//! # Ok(()) }
//! ```

mod errors;

use serde::Deserialize;
use tokenbridge_core::{
    AuthMethod, FieldNames, GrantKind, ParamsIn, Provider, ProviderBuilder, ProviderContext,
    ProviderFactory, Result, VendorDescription,
};

pub use errors::ERRORS;

/// The endpoints, as the vendor's absolute URLs; a configured `base_url` replaces their
/// scheme, host and port (an emulator or a proxy stands in for both hosts).
pub mod endpoints {
    /// Feishu's authorization endpoint (the authorize page: "HTTP URL
    /// `https://accounts.feishu.cn/open-apis/authen/v1/authorize`", GET).
    pub const FEISHU_AUTHORIZE: &str = "https://accounts.feishu.cn/open-apis/authen/v1/authorize";
    /// Feishu's token endpoint, for codes and refresh tokens (both token pages).
    pub const FEISHU_TOKEN: &str = "https://open.feishu.cn/open-apis/authen/v2/oauth/token";
    /// Feishu's user info endpoint (the user_info page).
    pub const FEISHU_USERINFO: &str = "https://open.feishu.cn/open-apis/authen/v1/user_info";
    /// Lark's authorization endpoint. inferred: Lark's pages were not found; the path is
    /// Feishu's on Lark's `accounts` host, as Lark serves every other Open Platform path.
    pub const LARK_AUTHORIZE: &str = "https://accounts.larksuite.com/open-apis/authen/v1/authorize";
    /// Lark's token endpoint. inferred, as [`LARK_AUTHORIZE`].
    pub const LARK_TOKEN: &str = "https://open.larksuite.com/open-apis/authen/v2/oauth/token";
    /// Lark's user info endpoint. inferred, as [`LARK_AUTHORIZE`].
    pub const LARK_USERINFO: &str = "https://open.larksuite.com/open-apis/authen/v1/user_info";
}

/// Which of the platform's two deployments an application lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Region {
    /// Feishu, on `feishu.cn` (the default).
    #[default]
    Feishu,
    /// Lark, on `larksuite.com`.
    Lark,
}

impl Region {
    /// This region's description.
    pub fn description(self) -> &'static VendorDescription {
        match self {
            Region::Feishu => &DESCRIPTION,
            Region::Lark => &LARK,
        }
    }
}

/// The description of both regions but the hosts.
///
/// - Authorize (GET) with `client_id`, `response_type=code` (required), `redirect_uri`,
///   `scope` (optional, space-separated), `state`, `code_challenge` and
///   `code_challenge_method` (its default is `plain`; core always sends `S256`).
/// - Token endpoint (both grants): a `POST` with a JSON body (`Content-Type:
///   application/json; charset=utf-8` is required) of `grant_type`, `client_id`,
///   `client_secret`, `code`, `redirect_uri` (optional), `code_verifier` or `refresh_token`.
///   `client_secret` is required, so there is no public client.
/// - The answer carries `code` (0 on success), `access_token`, `expires_in`, `token_type`
///   (always `Bearer`), `scope`, and only when `offline_access` was granted `refresh_token`
///   and `refresh_token_expires_in`. A refresh token works once and its answer brings the
///   next one. Refusals carry `code`, `error` and `error_description`: the code is classified
///   by [`ERRORS`], the description is the message.
/// - User info: `GET` with `Authorization: Bearer`, answering `{"code":0,"msg":...,"data":
///   {...}}`; the subject is `open_id` (per application); `union_id`, `user_id` and
///   `tenant_key` stay in the claims. Refusals carry `code` and `msg`.
/// - No ID token, revocation, logout or discovery is documented for this flow.
macro_rules! feishu_description {
    ($name:literal, $authorize:expr, $token:expr, $userinfo:expr) => {{
        let mut d = VendorDescription::standard("feishu", $name);
        d.paths.authorization = Some($authorize);
        d.paths.token = Some($token);
        d.paths.userinfo = Some($userinfo);
        d.auth_methods = &[AuthMethod::ClientSecretPost];
        d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
        d.public_grants = &[];
        d.default_scopes = &[];
        d.token_request.params_in = ParamsIn::Json;
        d.token_request.headers = &[("content-type", "application/json; charset=utf-8")];
        d.token_response.error_code_field = Some("code");
        d.token_response.error_message_field = Some("error_description");
        d.token_response.success_codes = &["0"];
        d.errors = tokenbridge_core::ErrorTable(ERRORS);
        d.userinfo.envelope = Some("data");
        d.userinfo.error_message_field = Some("msg");
        d.userinfo.fields = FieldNames(&[
            ("sub", "open_id"),
            ("picture", "avatar_url"),
            ("phone_number", "mobile"),
        ]);
        d
    }};
}

/// Feishu (`region = "feishu"`), as data: see the crate documentation for the pages.
pub static DESCRIPTION: VendorDescription = feishu_description!(
    "Feishu",
    endpoints::FEISHU_AUTHORIZE,
    endpoints::FEISHU_TOKEN,
    endpoints::FEISHU_USERINFO
);

/// Lark (`region = "lark"`): Feishu's description on Lark's hosts.
pub static LARK: VendorDescription = feishu_description!(
    "Lark",
    endpoints::LARK_AUTHORIZE,
    endpoints::LARK_TOKEN,
    endpoints::LARK_USERINFO
);

/// A provider builder for `region`: set `client_id` (the App ID) and `client_secret` (the
/// App Secret).
pub fn builder(id: impl Into<String>, region: Region) -> ProviderBuilder {
    Provider::builder(id).vendor(region.description())
}

/// The own settings of `kind = "feishu"`; the shared keys (`client_id`, `client_secret`,
/// `client_secret_env`, `redirect_uri`, `scopes`, `http`...) are read by core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FeishuSettings {
    /// `feishu` (default) or `lark`.
    #[serde(default)]
    pub region: Region,
    /// Replaces the scheme, host and port of every endpoint (an emulator, a proxy); `https`,
    /// or `http` on loopback only.
    pub base_url: Option<String>,
}

/// The registration of `kind = "feishu"`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Feishu;

impl ProviderFactory for Feishu {
    fn kind(&self) -> &'static str {
        DESCRIPTION.kind
    }

    fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
        let settings: FeishuSettings = context.settings()?;
        context.build_vendor(settings.region.description(), settings.base_url)
    }
}
