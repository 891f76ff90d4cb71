//! What a vendor adapter contributes: a [`VendorDescription`] (data) and [`VendorHooks`]
//! (behaviour where data is not enough).
//!
//! Every capability of a [`Provider`](crate::Provider) is written once, in core, and reads
//! the vendor's description for its endpoint paths, parameter spellings, accepted auth
//! methods, grants and error codes. A vendor whose protocol is the standard one needs no
//! hooks at all.

mod authorize_shape;
mod parse;
mod userinfo;

pub use authorize_shape::{AuthorizeShape, NonceMode};
pub use parse::{parse_token_fast, parse_token_response, vendor_error_in};
pub use userinfo::parse_shaped_userinfo;

use std::fmt;

use url::Url;

use crate::error::GrantKind;
use crate::error::SigningAlgorithm;
use crate::error::{Error, ErrorKind, Result};
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::auth::{AuthMethod, BasicEncoding, ClientAuth};
use crate::protocol::identity::Identity;
use crate::transport::http::HttpResponse;
use crate::transport::request::TokenRequest;
use crate::transport::shape::{
    RevocationShape, TokenRequestShape, TokenResponseShape, UserinfoShape,
};

/// A vendor, as data: everything core needs to talk to it.
///
/// Built-in vendors declare theirs as a `static`; an application's own vendor does the same.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct VendorDescription {
    /// The configuration `kind`, e.g. `tencent-ciam`; also the `vendor` of its
    /// [`VendorError`](crate::VendorError)s.
    pub kind: &'static str,
    /// The vendor's name for people, e.g. `Tencent Cloud CIAM`.
    pub name: &'static str,
    /// The vendor's endpoints: paths below the configured base URL, or absolute URLs for a
    /// vendor on fixed hosts (see [`EndpointPaths`]).
    pub paths: EndpointPaths,
    /// The issuer the vendor's ID tokens carry, as a path below the base URL (`""` for the
    /// base URL itself) or an absolute URL (whose origin a configured base URL replaces),
    /// where the vendor documents it; `None` leaves it to discovery or the configured issuer. Used by [`Provider::id_token_verifier`](crate::Provider::id_token_verifier).
    pub issuer_path: Option<&'static str>,
    /// The token endpoint auth methods the vendor documents, the default first.
    pub auth_methods: &'static [AuthMethod],
    /// How `client_secret_basic` encodes the credentials at this vendor.
    pub basic_encoding: BasicEncoding,
    /// The grants a confidential client (one with a secret) may use.
    pub grants: &'static [GrantKind],
    /// The grants a public client (auth method `none`) may use.
    pub public_grants: &'static [GrantKind],
    /// Whether a code grant must carry `redirect_uri`; refused before sending when missing.
    pub redirect_uri_required: bool,
    /// How the authorization request spells its redirect URI parameter (`redirect_uri` in
    /// RFC 6749; Huawei OneAccess's OAuth 2.0 applications write `redirect_url`).
    pub authorize_redirect_param: &'static str,
    /// The rest of the authorization request's shape: the client-id parameter's name, fixed
    /// parameters, a fragment, the scope separator, PKCE and `nonce`.
    pub authorize: AuthorizeShape,
    /// Parameter spellings of the logout (end-session) request.
    pub logout: LogoutParams,
    /// The scopes of a sign-in when neither the caller nor the configuration names any:
    /// `openid` for OpenID Connect; a vendor's OAuth 2.0 flavour documents its own (Huawei
    /// OneAccess: `get_user_info`). When a `nonce` is sent follows
    /// [`authorize.nonce`](AuthorizeShape::nonce): by default, when `openid` is among them.
    pub default_scopes: &'static [&'static str],
    /// The ID-token algorithms accepted when `id_token_signed_response_alg` is not
    /// configured, where the vendor documents its default (GenAuth: HS256 with the client
    /// secret, or RS256 from the JWKS, as set per application). HS256 is dropped for a client
    /// without a secret. Empty: what discovery lists, else RS256.
    pub id_token_algorithms: &'static [SigningAlgorithm],
    /// Whether the vendor issues a refresh token to a sign-in only when `offline_access` comes
    /// with `prompt=consent` (GenAuth); the authorization request then adds `consent` to
    /// `prompt` whenever `offline_access` is requested.
    pub offline_access_needs_consent: bool,
    /// The vendor's error codes and what they mean.
    pub errors: ErrorTable,
    /// How the token request is shaped: method, where parameters and credentials go, the
    /// vendor's names for them, a separate refresh endpoint.
    pub token_request: TokenRequestShape,
    /// How the token answer is shaped: encoding, envelope, names, the vendor's error code.
    pub token_response: TokenResponseShape,
    /// Other names the sign-in callback may carry the code under (DingTalk `authCode`);
    /// `code` is always accepted.
    pub callback_code_params: &'static [&'static str],
    /// How the userinfo request carries the token and how the answer names the user.
    pub userinfo: UserinfoShape,
    /// How the revocation request is shaped: method, body, the token's parameter, auth.
    pub revocation: RevocationShape,
    /// Where the vendor's protocol departs from the standard.
    pub hooks: &'static dyn VendorHooks,
}

impl VendorDescription {
    /// A standard OAuth 2.0 / OpenID Connect vendor called `kind`, with no paths (endpoints
    /// come from discovery or are given one by one); change fields with struct update syntax.
    pub const fn standard(kind: &'static str, name: &'static str) -> Self {
        Self {
            kind,
            name,
            paths: EndpointPaths::NONE,
            issuer_path: None,
            // The JWT assertion methods are standard (OpenID Connect Core 9, RFC 7523); a
            // standard provider's discovery document says which it accepts.
            auth_methods: &[
                AuthMethod::ClientSecretBasic,
                AuthMethod::ClientSecretPost,
                AuthMethod::None,
                AuthMethod::ClientSecretJwt,
                AuthMethod::PrivateKeyJwt,
            ],
            basic_encoding: BasicEncoding::FormUrlEncoded,
            grants: &[
                GrantKind::AuthorizationCode,
                GrantKind::RefreshToken,
                GrantKind::ClientCredentials,
                GrantKind::Extension,
            ],
            // A standard provider decides per client which grants it allows (and says
            // `unauthorized_client`); tokenbridge does not second-guess it.
            public_grants: &[
                GrantKind::AuthorizationCode,
                GrantKind::RefreshToken,
                GrantKind::ClientCredentials,
                GrantKind::Extension,
            ],
            redirect_uri_required: false,
            authorize_redirect_param: "redirect_uri",
            authorize: AuthorizeShape::STANDARD,
            logout: LogoutParams::STANDARD,
            default_scopes: &["openid"],
            id_token_algorithms: &[],
            offline_access_needs_consent: false,
            errors: ErrorTable::EMPTY,
            token_request: TokenRequestShape::STANDARD,
            token_response: TokenResponseShape::STANDARD,
            callback_code_params: &[],
            userinfo: UserinfoShape::STANDARD,
            revocation: RevocationShape::STANDARD,
            hooks: &StandardHooks,
        }
    }

    /// The grants a client authenticating with `method` may use.
    pub fn grants_for(&self, method: AuthMethod) -> &'static [GrantKind] {
        if method == AuthMethod::None {
            self.public_grants
        } else {
            self.grants
        }
    }

    /// The auth method used when the configuration names none: the documented default when
    /// there is a secret, `none` when there is not.
    pub fn default_auth_method(&self, has_secret: bool) -> AuthMethod {
        if !has_secret {
            return AuthMethod::None;
        }
        self.auth_methods
            .iter()
            .copied()
            .find(|m| m.needs_secret())
            .unwrap_or(AuthMethod::ClientSecretBasic)
    }
}

/// A vendor's endpoints; `None` where the vendor has no such endpoint (or where discovery
/// gives it).
///
/// Each entry is a path below the provider's base URL (`/oauth2/token`, for a vendor whose
/// hosts are per tenant), or the vendor's absolute `https://` URL (for a vendor on fixed
/// hosts, perhaps several). A configured base URL replaces the scheme, host and port of an
/// absolute entry and keeps its path, so one `base_url` points every endpoint at an emulator
/// or a proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointPaths {
    /// The token endpoint (RFC 6749 section 3.2).
    pub token: Option<&'static str>,
    /// The authorization endpoint (RFC 6749 section 3.1).
    pub authorization: Option<&'static str>,
    /// The revocation endpoint (RFC 7009).
    pub revocation: Option<&'static str>,
    /// The userinfo endpoint (OpenID Connect Core 5.3).
    pub userinfo: Option<&'static str>,
    /// The JSON Web Key Set.
    pub jwks: Option<&'static str>,
    /// The end-session (logout) endpoint.
    pub end_session: Option<&'static str>,
    /// The discovery document, where the vendor serves one.
    pub discovery: Option<&'static str>,
    /// The token introspection endpoint (RFC 7662).
    pub introspection: Option<&'static str>,
    /// The device authorization endpoint (RFC 8628).
    pub device_authorization: Option<&'static str>,
    /// The pushed authorization request endpoint (RFC 9126).
    pub pushed_authorization_request: Option<&'static str>,
}

impl EndpointPaths {
    /// No paths at all.
    pub const NONE: Self = Self {
        token: None,
        authorization: None,
        revocation: None,
        userinfo: None,
        jwks: None,
        end_session: None,
        discovery: None,
        introspection: None,
        device_authorization: None,
        pushed_authorization_request: None,
    };
}

/// How a vendor spells the parameters of its logout request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutParams {
    /// The parameter carrying the ID token, when the vendor takes one.
    pub id_token_hint: Option<&'static str>,
    /// The parameter carrying where to go after logout.
    pub post_logout_redirect_uri: &'static str,
    /// The parameter carrying the client id, when the vendor wants it.
    pub client_id: Option<&'static str>,
    /// Whether `state` is passed through.
    pub state: bool,
    /// The parameter carrying a hint of which account to sign out, when the vendor takes one
    /// (RP-Initiated Logout 1.0's `logout_hint`; Microsoft Entra ID documents it).
    pub logout_hint: Option<&'static str>,
}

impl LogoutParams {
    /// OpenID Connect RP-Initiated Logout 1.0, section 2.
    pub const STANDARD: Self = Self {
        id_token_hint: Some("id_token_hint"),
        post_logout_redirect_uri: "post_logout_redirect_uri",
        client_id: Some("client_id"),
        state: true,
        logout_hint: Some("logout_hint"),
    };
}

/// One vendor error code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorMapping {
    /// The code as the vendor sends it (an `apiCode`, an `error_code`, an OAuth `error`).
    pub code: &'static str,
    /// What the caller should do.
    pub kind: ErrorKind,
    /// True when the vendor documents no meaning for the code and the kind is inferred (from
    /// its message, its HTTP status, or the behaviour of the same API elsewhere).
    pub inferred: bool,
}

impl ErrorMapping {
    /// A documented code.
    pub const fn documented(code: &'static str, kind: ErrorKind) -> Self {
        Self {
            code,
            kind,
            inferred: false,
        }
    }

    /// A code whose meaning the vendor does not document.
    pub const fn inferred(code: &'static str, kind: ErrorKind) -> Self {
        Self {
            code,
            kind,
            inferred: true,
        }
    }
}

/// A vendor's error codes, looked up after every refusal so that a kind means the same at
/// every vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorTable(pub &'static [ErrorMapping]);

impl ErrorTable {
    /// No vendor codes: the standard classification alone.
    pub const EMPTY: Self = Self(&[]);

    /// The mapping for `code`, if the table has one.
    pub fn lookup(&self, code: &str) -> Option<&'static ErrorMapping> {
        self.0.iter().find(|m| m.code == code)
    }

    /// Sets the kind of a vendor error from its `api_code`, or of a provider error from its
    /// OAuth code, where the table knows the code. Other errors pass through.
    pub fn classify(&self, error: Error) -> Error {
        match error {
            Error::Vendor(mut v) => {
                if let Some(m) = v.api_code.as_deref().and_then(|c| self.lookup(c)) {
                    v.kind = m.kind;
                    v.kind_inferred = m.inferred;
                }
                Error::Vendor(v)
            }
            Error::OAuth(mut p) => {
                if let Some(m) = self.lookup(p.code.as_str()) {
                    p.kind = m.kind;
                }
                Error::OAuth(p)
            }
            other => other,
        }
    }
}

/// What a hook may need to know about the provider it runs for.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HookContext<'a> {
    /// The provider's id.
    pub provider: &'a str,
    /// The configured base URL, for vendors whose endpoints live below one.
    pub base_url: Option<&'a Url>,
    /// The token endpoint.
    pub token_endpoint: &'a Url,
    /// The client authentication in use.
    pub client_auth: &'a dyn ClientAuth,
    /// The auth method in use; `None` for a custom [`ClientAuth`] of a method tokenbridge
    /// does not name.
    pub auth_method: Option<AuthMethod>,
}

/// Where a vendor's token exchange departs from the standard. Every method has the standard
/// behaviour as its default, so an adapter overrides only what its vendor does differently.
pub trait VendorHooks: Send + Sync + fmt::Debug {
    /// Builds the whole request for `grant` when the vendor sends it somewhere else than the
    /// token endpoint (GenAuth's QR ticket goes to its V3 API). `None`: the standard request.
    fn token_request(
        &self,
        _grant: &Grant,
        _context: &HookContext<'_>,
    ) -> Option<Result<TokenRequest>> {
        None
    }

    /// Adjusts the standard request after the grant's parameters and client authentication
    /// are set.
    fn prepare_request(
        &self,
        _request: &mut TokenRequest,
        _grant: &Grant,
        _context: &HookContext<'_>,
    ) -> Result<()> {
        Ok(())
    }

    /// Turns the answer into tokens; the default, [`parse_token_response`], reads it as the
    /// description's [`token_response`](VendorDescription::token_response) shape says.
    fn parse_token_response(
        &self,
        response: &HttpResponse,
        _grant: &Grant,
        provider: &str,
        vendor: &VendorDescription,
    ) -> Result<TokenSet> {
        parse_token_response(response, provider, vendor)
    }

    /// Rewrites an error after the error table classified it, e.g. to add a hint a
    /// vendor's misleading code needs.
    fn map_error(&self, error: Error, _grant: &Grant, _context: &HookContext<'_>) -> Error {
        error
    }

    /// Reads a successful (2xx) answer of the revocation endpoint. The default accepts it
    /// (RFC 7009 2.2) unless the description's
    /// [`error_code_field`](crate::TokenResponseShape::error_code_field) carries a failure
    /// code in a JSON body (GenAuth's V3 envelope reports failures with HTTP 200). Non-2xx
    /// answers are handled by core.
    fn check_revocation_response(
        &self,
        response: &HttpResponse,
        vendor: &VendorDescription,
    ) -> Result<()> {
        vendor_error_in(response, vendor).map_or(Ok(()), Err)
    }

    /// Adjusts a userinfo request (a `GET` shaped by the description's
    /// [`userinfo`](VendorDescription::userinfo) with `Accept: application/json`) before it is
    /// sent.
    fn prepare_userinfo_request(&self, _request: &mut TokenRequest) -> Result<()> {
        Ok(())
    }

    /// Turns a userinfo answer into an [`Identity`]; the default, [`parse_shaped_userinfo`],
    /// reads the claims (OpenID Connect Core 5.1) as the description's
    /// [`userinfo`](VendorDescription::userinfo) shape names them, and refusals from
    /// `WWW-Authenticate` (RFC 6750 section 3), an `error` body or the vendor's error code.
    fn parse_userinfo(
        &self,
        response: &HttpResponse,
        vendor: &VendorDescription,
    ) -> Result<Identity> {
        parse_shaped_userinfo(response, vendor)
    }
}

/// The standard behaviour, with no changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardHooks;

impl VendorHooks for StandardHooks {}

/// Which capabilities a provider offers, as configured or discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// An authorization endpoint: sign-in through the browser.
    pub authorization: bool,
    /// Token revocation (RFC 7009).
    pub revocation: bool,
    /// A userinfo endpoint.
    pub userinfo: bool,
    /// Signing keys for ID tokens.
    pub jwks: bool,
    /// RP-initiated logout.
    pub end_session: bool,
    /// Token introspection (RFC 7662).
    pub introspection: bool,
    /// The device authorization grant (RFC 8628).
    pub device_authorization: bool,
    /// Pushed authorization requests (RFC 9126).
    pub pushed_authorization_requests: bool,
}
