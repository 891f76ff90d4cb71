//! The shapes of a vendor's requests and answers, as data: where a token request puts its
//! parameters and how it spells them, how the answer wraps and spells the tokens and reports
//! errors, and how the userinfo request carries the token and names the user's fields.
//!
//! Every shape has the standard one (RFC 6749, OpenID Connect Core) as its `STANDARD` value,
//! so [`VendorDescription::standard`](crate::VendorDescription::standard) stays the base and a
//! vendor changes only what differs. The data is `'static` so that a vendor's description is a
//! `const`: a declared vendor (a `[vendors.<kind>]` table) is built once into the same type.

use http::header::HeaderName;
use http::Method;

use crate::error::GrantKind;
use crate::error::{Error, Result};
use crate::model::grant::Grant;
use crate::transport::request::{BodyEncoding, TokenRequest};

/// The HTTP method of a request a vendor expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `POST` (RFC 6749 section 3.2 requires it for the token endpoint).
    Post,
    /// `GET` (WeChat's token endpoint; every userinfo endpoint).
    Get,
    /// `DELETE` (GitHub's token revocation).
    Delete,
}

impl HttpMethod {
    /// The method as `http` names it.
    pub(crate) fn to_http(self) -> Method {
        match self {
            HttpMethod::Post => Method::POST,
            HttpMethod::Get => Method::GET,
            HttpMethod::Delete => Method::DELETE,
        }
    }
}

/// How a vendor's revocation request is shaped (RFC 7009 section 2.1 by default: a form
/// `POST` of `token` and `token_type_hint`, authenticated as the token endpoint is).
///
/// The revocation path may hold `{client_id}`, replaced by the client id (GitHub's
/// `/applications/{client_id}/token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationShape {
    /// The method; `POST` by default.
    pub method: HttpMethod,
    /// Where the parameters go; a form body by default.
    pub params_in: ParamsIn,
    /// The parameter carrying the token; `token` by default.
    pub token_param: &'static str,
    /// Whether `token_type_hint` is sent when known; `true` by default.
    pub type_hint: bool,
    /// Whether the client id and secret go in HTTP Basic whatever the token endpoint's auth
    /// method (GitHub); `false`: the configured client authentication, as RFC 7009 says.
    pub basic_auth: bool,
}

impl RevocationShape {
    /// RFC 7009's request.
    pub const STANDARD: Self = Self {
        method: HttpMethod::Post,
        params_in: ParamsIn::Form,
        token_param: "token",
        type_hint: true,
        basic_auth: false,
    };
}

impl Default for RevocationShape {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// Where a token request's parameters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamsIn {
    /// An `application/x-www-form-urlencoded` body (RFC 6749).
    Form,
    /// An `application/json` body of one flat object (DingTalk, Feishu).
    Json,
    /// The URL's query string, with no body (WeChat).
    Query,
}

impl ParamsIn {
    /// The body encoding that puts the parameters here.
    pub(crate) fn encoding(self) -> BodyEncoding {
        match self {
            ParamsIn::Form => BodyEncoding::Form,
            ParamsIn::Json => BodyEncoding::Json,
            ParamsIn::Query => BodyEncoding::None,
        }
    }
}

/// A vendor's names for standard members: pairs of `(standard name, vendor name)`, e.g.
/// `("access_token", "accessToken")`. A name without a pair is spelled the standard way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldNames(pub &'static [(&'static str, &'static str)]);

impl FieldNames {
    /// Every member spelled the standard way.
    pub const STANDARD: Self = Self(&[]);

    /// How the vendor spells the standard member `standard`.
    pub fn vendor<'a>(&self, standard: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.0
            .iter()
            .find(|(s, _)| *s == standard)
            .map_or(standard, |(_, v)| v)
    }

    /// The standard name of the vendor's member `vendor`, when the vendor renames one to it.
    pub fn standard(&self, vendor: &str) -> Option<&'static str> {
        self.0.iter().find(|(_, v)| *v == vendor).map(|(s, _)| *s)
    }

    /// Whether no member is renamed.
    pub fn is_standard(&self) -> bool {
        self.0.iter().all(|(s, v)| s == v)
    }
}

/// How a vendor's token request is shaped (RFC 6749 section 4.1.3 by default).
///
/// Client credentials follow the provider's auth method: `client_secret_post` puts
/// `client_id` and `client_secret` among the parameters (so in the form body, the JSON body or
/// the query, spelled by [`fields`](Self::fields)), `client_secret_basic` in the
/// `Authorization` header, and [`client_secret_header`](Self::client_secret_header) moves the
/// secret into a header of the vendor's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRequestShape {
    /// The method; `POST` by default.
    pub method: HttpMethod,
    /// Where the parameters go; a form body by default.
    pub params_in: ParamsIn,
    /// The vendor's names for `client_id`, `client_secret`, `grant_type`, `code`,
    /// `refresh_token`, `redirect_uri`, `code_verifier` and `scope`.
    pub fields: FieldNames,
    /// A header that carries the client secret instead of a parameter; `None` by default.
    pub client_secret_header: Option<&'static str>,
    /// The endpoint of the refresh grant (a path below the base URL or an absolute URL, as
    /// [`EndpointPaths`](crate::EndpointPaths) entries are), where the vendor has one apart
    /// from the token endpoint (WeChat `/sns/oauth2/refresh_token`); `None` by default.
    pub refresh_path: Option<&'static str>,
    /// Whether a refresh request goes without the client secret (WeChat); `false` by default.
    pub refresh_omits_secret: bool,
    /// Headers every token request carries, e.g. GitHub's `Accept: application/json`.
    pub headers: &'static [(&'static str, &'static str)],
    /// Standard parameters the vendor's token request does not take, dropped before sending
    /// (WeChat and DingTalk: `redirect_uri`); empty by default.
    pub omit_params: &'static [&'static str],
}

impl TokenRequestShape {
    /// A form-encoded `POST` with the standard names.
    pub const STANDARD: Self = Self {
        method: HttpMethod::Post,
        params_in: ParamsIn::Form,
        fields: FieldNames::STANDARD,
        client_secret_header: None,
        refresh_path: None,
        refresh_omits_secret: false,
        headers: &[],
        omit_params: &[],
    };
}

impl Default for TokenRequestShape {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// How a token answer's body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// A JSON object (RFC 6749 section 5.1).
    Json,
    /// `application/x-www-form-urlencoded` pairs (GitHub, unless asked for JSON).
    Form,
    /// Form pairs when the `Content-Type` says `application/x-www-form-urlencoded` (or
    /// `text/plain` with a body that is not JSON), a JSON object otherwise.
    ByContentType,
}

/// How a vendor's token answer is shaped (RFC 6749 sections 5.1 and 5.2 by default).
///
/// An RFC 6749 `error` member is read whatever the shape; a vendor's own error code is read
/// from [`error_code_field`](Self::error_code_field) at the top of the body whatever the HTTP
/// status, 200 included, and classified by the description's
/// [`ErrorTable`](crate::ErrorTable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenResponseShape {
    /// The body's encoding; JSON by default.
    pub format: ResponseFormat,
    /// The member of the body that holds the token object (`data`); `None` (the default):
    /// the tokens are at the top. When the body has no such member, the tokens are read at
    /// the top unless [`envelope_required`](Self::envelope_required).
    pub envelope: Option<&'static str>,
    /// Whether an answer without the envelope member is unreadable.
    pub envelope_required: bool,
    /// The vendor's names for `access_token`, `token_type`, `expires_in`, `refresh_token`,
    /// `id_token` and `scope`. Members with no standard name stay in
    /// [`TokenSet::extra`](crate::TokenSet::extra) as sent.
    pub fields: FieldNames,
    /// The member carrying the vendor's error code (`errcode`, `code`); a string or a number.
    pub error_code_field: Option<&'static str>,
    /// The member carrying the vendor's error message (`errmsg`, `msg`).
    pub error_message_field: Option<&'static str>,
    /// The message of a vendor error whose answer has none; `None`: `(no message)`.
    pub error_message_missing: Option<&'static str>,
    /// The values of the error code that mean success (`"0"`); an absent code means success too.
    pub success_codes: &'static [&'static str],
    /// Whether the error code is a business status on the HTTP scale (GenAuth `statusCode`
    /// 400): it then sets [`VendorError::status_code`](crate::VendorError::status_code), from
    /// which the kind follows when the table does not know the code.
    pub error_code_is_status: bool,
    /// A finer code beside the error code (GenAuth `apiCode`); when present it is the
    /// [`VendorError::api_code`](crate::VendorError::api_code) the table classifies.
    pub error_detail_field: Option<&'static str>,
    /// Members naming the request for the vendor's support (GenAuth `requestId`, then
    /// `uniqueId`): the first present is the error's `request_id`.
    pub request_id_fields: &'static [&'static str],
    /// The character between scopes in the answer's `scope` string besides whitespace
    /// (WeChat and GitHub write `snsapi_login,snsapi_userinfo`); a space by default, as RFC
    /// 6749 section 3.3 has it.
    pub scope_separator: char,
}

impl TokenResponseShape {
    /// A JSON object with the standard names and RFC 6749 errors only.
    pub const STANDARD: Self = Self {
        format: ResponseFormat::Json,
        envelope: None,
        envelope_required: false,
        fields: FieldNames::STANDARD,
        error_code_field: None,
        error_message_field: None,
        error_message_missing: None,
        success_codes: &[],
        error_code_is_status: false,
        error_detail_field: None,
        request_id_fields: &[],
        scope_separator: ' ',
    };

    /// The vendor's members beside the tokens that are neither tokens nor extras: the message,
    /// the detail code and the request ids.
    pub(crate) fn vendor_members(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.error_message_field
            .into_iter()
            .chain(self.error_detail_field)
            .chain(self.request_id_fields.iter().copied())
    }

    /// Whether `code`, as text, is one of the success values.
    pub fn is_success_code(&self, code: &str) -> bool {
        self.success_codes.contains(&code)
    }
}

impl Default for TokenResponseShape {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// Where a userinfo request carries the access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenPlacement {
    /// `Authorization: <token type> <token>` (RFC 6750 section 2.1; `DPoP` for a bound token).
    Authorization,
    /// A header of the vendor's own holding the bare token (DingTalk
    /// `x-acs-dingtalk-access-token`).
    Header(&'static str),
    /// A query parameter (WeChat `access_token`).
    Query(&'static str),
}

/// How a vendor's userinfo request and answer are shaped (OpenID Connect Core 5.3 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserinfoShape {
    /// Where the access token goes; `Authorization` by default.
    pub token: TokenPlacement,
    /// Query parameters taken from the token answer's extra members, as `(parameter, member)`
    /// pairs: WeChat's `openid`. A member missing from the tokens is a caller error.
    pub params_from_tokens: &'static [(&'static str, &'static str)],
    /// Headers the request carries besides `Accept: application/json` (GitHub's
    /// `Accept: application/vnd.github+json`).
    pub headers: &'static [(&'static str, &'static str)],
    /// The member of the answer holding the user (Feishu `data`); `None`: at the top.
    pub envelope: Option<&'static str>,
    /// The vendor's names for the identity's claims, as `(claim, vendor member)` pairs:
    /// `sub`, `name`, `preferred_username`, `email`, `email_verified`, `phone_number`,
    /// `picture`. A numeric subject becomes its decimal text; every member stays in
    /// [`Identity::claims`](crate::Identity::claims) as sent.
    pub fields: FieldNames,
    /// The member carrying the message of a userinfo refusal when it differs from the token
    /// answer's [`error_message_field`](TokenResponseShape::error_message_field) (Feishu:
    /// `error_description` there, `msg` here); `None`: the token answer's.
    pub error_message_field: Option<&'static str>,
    /// A second request made when the answer has no email; `None` by default.
    pub email_lookup: Option<EmailLookup>,
}

/// Where a vendor lists a user's email addresses when its userinfo answer may have none
/// (GitHub's `GET /user/emails`): the primary verified address becomes the identity's email.
/// The request is made like the userinfo request (same token placement and headers); an
/// answer of 403 or 404 (a token without the permission) leaves the email absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmailLookup {
    /// Appended to the userinfo endpoint's path (`/emails` after GitHub's `/user`), so the
    /// lookup follows the userinfo endpoint wherever `base_url` puts it.
    pub path_suffix: &'static str,
    /// The member of each entry holding the address.
    pub address_field: &'static str,
    /// The member marking the primary address (a boolean).
    pub primary_field: &'static str,
    /// The member marking a verified address (a boolean).
    pub verified_field: &'static str,
}

impl EmailLookup {
    /// A list below the userinfo path at `path_suffix`, of `{email, primary, verified}`
    /// entries.
    pub const fn new(path_suffix: &'static str) -> Self {
        Self {
            path_suffix,
            address_field: "email",
            primary_field: "primary",
            verified_field: "verified",
        }
    }
}

impl UserinfoShape {
    /// A `GET` with `Authorization`, answered by the standard claims at the top.
    pub const STANDARD: Self = Self {
        token: TokenPlacement::Authorization,
        params_from_tokens: &[],
        headers: &[],
        envelope: None,
        fields: FieldNames::STANDARD,
        error_message_field: None,
        email_lookup: None,
    };
}

impl Default for UserinfoShape {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// The standard names a token request's parameters may be renamed from.
const REQUEST_NAMES: [&str; 8] = [
    "client_id",
    "client_secret",
    "grant_type",
    "code",
    "refresh_token",
    "redirect_uri",
    "code_verifier",
    "scope",
];

impl TokenRequestShape {
    /// Reshapes a standard request (grant parameters and client authentication applied) the
    /// way the vendor takes it. The standard shape changes nothing.
    pub(crate) fn apply(&self, request: &mut TokenRequest, grant: &Grant) -> Result<()> {
        if *self == Self::STANDARD {
            return Ok(());
        }
        for name in self.omit_params {
            request.remove_param(name);
        }
        if self.refresh_omits_secret && grant.kind() == GrantKind::RefreshToken {
            request.take_secret_param("client_secret");
        }
        if let Some(header) = self.client_secret_header {
            if let Some(secret) = request.take_secret_param("client_secret") {
                use secrecy::ExposeSecret as _;
                request.header(header_name(header)?, secret.expose_secret(), true)?;
            }
        }
        if !self.fields.is_standard() {
            request.rename_params(
                REQUEST_NAMES
                    .iter()
                    .map(|n| (*n, self.fields.vendor(n)))
                    .filter(|(s, v)| s != v),
            );
        }
        match (self.method, self.params_in) {
            (HttpMethod::Post, ParamsIn::Form) => {}
            (HttpMethod::Post, ParamsIn::Json) => {
                request.set_shape(Method::POST, BodyEncoding::Json)
            }
            (HttpMethod::Post, ParamsIn::Query) => {
                request.set_shape(Method::POST, BodyEncoding::None)
            }
            // A GET has no body: its parameters always go in the query.
            (HttpMethod::Get, _) => request.set_shape(Method::GET, BodyEncoding::None),
            (HttpMethod::Delete, params_in) => {
                request.set_shape(Method::DELETE, params_in.encoding())
            }
        }
        for (name, value) in self.headers {
            request.header(header_name(name)?, value, false)?;
        }
        Ok(())
    }
}

/// A header name from a description, which a declared vendor may have misspelt.
pub(crate) fn header_name(name: &str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Error::config(
            "vendors",
            format!("{name:?} is not a valid HTTP header name"),
        )
    })
}
