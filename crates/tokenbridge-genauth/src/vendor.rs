//! GenAuth as data: its two [`VendorDescription`]s ([`OIDC`], [`OAUTH`]), its V3 envelope and
//! its error table; and as behaviour: the hooks that send the QR-code ticket to the V3 API.
//!
//! Sources (GenAuth's public documentation):
//! - OIDC and OAuth 2.0 endpoints below the application host:
//!   <https://docs.genauth.ai/federation/oauth2/authorization-code/> and the V3 authentication
//!   OpenAPI spec the SDK docs are generated from (`authentication-openapi.json` in
//!   <https://github.com/Authing/authing-docs-factory>);
//! - the QR-code ticket exchange:
//!   <https://docs.genauth.ai/guides/authentication/qrcode/use-self-build-app/full-api-list.html>
//!   and <https://docs.genauth.ai/reference/sdk/python/authentication/登录/exchange-tokenset-with-qrcode-ticket.html>;
//! - error codes: <https://docs.authing.cn/v2/reference/error-code.html>.

use http::header::HeaderName;
use tokenbridge_core::join_path;
use tokenbridge_core::{
    AuthMethod, BasicEncoding, BodyEncoding, EndpointPaths, Error, ErrorKind, ErrorMapping,
    ErrorTable, ExposeSecret, Grant, GrantKind, HookContext, HttpResponse, LogoutParams, Protocol,
    Result, SigningAlgorithm, TokenRequest, TokenSet, VendorDescription, VendorHooks,
};

use crate::wire::parse_envelope_tokens;

/// The configuration `kind`, and the `vendor` of every [`VendorError`](tokenbridge_core::VendorError)
/// this crate returns.
pub const VENDOR: &str = "genauth";

/// The header naming the application on every V3 call.
pub const APP_ID_HEADER: &str = "x-authing-app-id";

/// `POST`: creates a login QR code.
pub const GENE_QRCODE_PATH: &str = "/api/v3/gene-qrcode";

/// `GET ?qrcodeId=`: the status of a QR code. (`/api/v3/check-qrcode-status` is deprecated
/// and `/api/v3/get-app-login-qrcode-status` is another feature.)
pub const QRCODE_STATUS_PATH: &str = "/api/v3/get-qrcode-status";

/// `POST`: exchanges a QR-code ticket for tokens.
pub const EXCHANGE_TICKET_PATH: &str = "/api/v3/exchange-tokenset-with-qrcode-ticket";

/// The extension `grant_type` of the QR-code ticket ([`qr_ticket_grant`]). GenAuth's API has
/// no `grant_type` for it (the ticket goes to its own V3 endpoint); this name only routes the
/// grant inside tokenbridge and is never sent.
pub const QR_TICKET_GRANT_TYPE: &str = "urn:tokenbridge:genauth:qrcode-ticket";

/// The grant exchanging a QR-code ticket (from an `AUTHORIZED` status) for tokens, at
/// `POST /api/v3/exchange-tokenset-with-qrcode-ticket`. The ticket is one-time: it is sent
/// once and never retried.
///
/// ```
/// use tokenbridge_core::GrantKind;
/// use tokenbridge_genauth::{qr_ticket_grant, QR_TICKET_GRANT_TYPE};
///
/// let grant = qr_ticket_grant("tk-1");
/// assert_eq!(grant.kind(), GrantKind::Extension);
/// assert_eq!(grant.grant_type(), QR_TICKET_GRANT_TYPE);
/// assert!(grant.is_one_time());
/// assert!(!format!("{grant:?}").contains("tk-1"));
/// ```
pub fn qr_ticket_grant(ticket: impl Into<String>) -> Grant {
    Grant::extension(QR_TICKET_GRANT_TYPE).with_secret_param("ticket", ticket)
}

/// The auth methods of `/oidc/token`: `client_secret_post` (the SDKs' default),
/// `client_secret_basic`, and `none` for single-page and native apps, which exchange codes with
/// PKCE (GenAuth's OpenID Connect guide, the ticket-exchange page and the SDKs cited above).
const OIDC_AUTH_METHODS: &[AuthMethod] = &[
    AuthMethod::ClientSecretPost,
    AuthMethod::ClientSecretBasic,
    AuthMethod::None,
];

/// The auth methods of `/oauth/token`: its page lists `client_secret_post` and
/// `client_secret_basic` only (<https://docs.genauth.ai/federation/oauth2/authorization-code/>),
/// so `none` is refused in configuration.
const OAUTH_AUTH_METHODS: &[AuthMethod] =
    &[AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic];

/// An application signs ID tokens HS256 with its secret unless its console says RS256
/// (the documentation's example header is `HS256`); which one is per application and not in
/// discovery, so both are accepted, each only with its own key.
const ID_TOKEN_ALGORITHMS: &[SigningAlgorithm] =
    &[SigningAlgorithm::Hs256, SigningAlgorithm::Rs256];

/// Codes, refresh tokens, client credentials (AccessKey / SecretKey) and the QR ticket.
const GRANTS: &[GrantKind] = &[
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::ClientCredentials,
    GrantKind::Extension,
];

/// A public client (`none`, forced for single-page and native apps; `/oidc` only) has no
/// client credentials to exchange.
const PUBLIC_GRANTS: &[GrantKind] = &[
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::Extension,
];

/// GenAuth's `apiCode`s and what they mean.
///
/// GenAuth publishes no list of the `apiCode`s its V3 API answers for a refused ticket or
/// client; those entries are inferred (the codes are the ones tokenbridge's emulator answers).
/// A business `statusCode` 400 on the ticket exchange whose code is not listed here is
/// inferred to be a refused ticket too (see `GenAuthHooks::map_error`).
const ERRORS: ErrorTable = ErrorTable(&[
    // "应用不存在", the application does not exist (statusCode 499):
    // https://docs.authing.cn/v2/reference/error-code.html
    ErrorMapping::documented("2011", ErrorKind::InvalidClient),
    // Client authentication refused on the V3 API (wrong id or secret, or another method
    // than the application's): undocumented.
    ErrorMapping::inferred("2002", ErrorKind::InvalidClient),
    // Unknown, spent or expired QR-code ticket: undocumented.
    ErrorMapping::inferred("2004", ErrorKind::InvalidGrant),
    // Unknown QR code: undocumented.
    ErrorMapping::inferred("2003", ErrorKind::InvalidRequest),
    // Missing or malformed parameter: undocumented.
    ErrorMapping::inferred("1001", ErrorKind::InvalidRequest),
]);

/// `GET /oidc/session/end?id_token_hint=&post_logout_redirect_uri=&state=` (the V3 OpenAPI
/// spec): no `client_id`.
const LOGOUT: LogoutParams = {
    let mut logout = LogoutParams::STANDARD;
    logout.id_token_hint = Some("id_token_hint");
    logout.post_logout_redirect_uri = "post_logout_redirect_uri";
    logout.client_id = None;
    logout.state = true;
    logout
};

const fn describe(paths: EndpointPaths, auth_methods: &'static [AuthMethod]) -> VendorDescription {
    let mut d = VendorDescription::standard(VENDOR, "GenAuth");
    d.paths = paths;
    d.auth_methods = auth_methods;
    // GenAuth documents Basic as `base64(<client_id>:<client_secret>)`, without RFC 6749's
    // form-encoding step (docs.genauth.ai exchange-tokenset-with-qrcode-ticket page).
    d.basic_encoding = BasicEncoding::Raw;
    d.grants = GRANTS;
    d.public_grants = PUBLIC_GRANTS;
    // The OpenAPI spec lists redirect_uri as required at the token endpoint.
    d.redirect_uri_required = true;
    d.logout = LOGOUT;
    d.id_token_algorithms = ID_TOKEN_ALGORITHMS;
    // GenAuth returns a refresh token to a sign-in only for `offline_access` with
    // `prompt=consent` (GenAuth's OpenID Connect guide).
    d.offline_access_needs_consent = true;
    d.errors = ERRORS;
    // The V3 envelope `{statusCode, message, apiCode, requestId, data}`: the ticket exchange
    // answers in it, and GenAuth reports business failures in it with HTTP 200 (also from a
    // revocation). `/oidc/token` and `/oauth/token` answer standard JSON, which is read at the
    // top; an envelope there is understood too, so a business failure is a vendor error
    // rather than an unreadable answer. `requestId` is `uniqueId` in the older shape (the
    // V2 error-code page).
    d.token_response.envelope = Some("data");
    d.token_response.error_code_field = Some("statusCode");
    d.token_response.success_codes = &["200"];
    d.token_response.error_code_is_status = true;
    d.token_response.error_message_field = Some("message");
    d.token_response.error_detail_field = Some("apiCode");
    d.token_response.request_id_fields = &["requestId", "uniqueId"];
    d.hooks = &GenAuthHooks;
    d
}

/// GenAuth's protocol paths below the app host, as [`OIDC`] and [`OAUTH`] use them (and the
/// testkit writes them out on its own from GenAuth's pages, so conformance catches a wrong one).
pub mod paths {
    /// `/oidc/token`.
    pub const OIDC_TOKEN: &str = "/oidc/token";
    /// `/oidc/auth`.
    pub const OIDC_AUTHORIZE: &str = "/oidc/auth";
    /// `/oidc/token/revocation`.
    pub const OIDC_REVOCATION: &str = "/oidc/token/revocation";
    /// `/oidc/me`.
    pub const OIDC_USERINFO: &str = "/oidc/me";
    /// `/oidc/.well-known/jwks.json`.
    pub const OIDC_JWKS: &str = "/oidc/.well-known/jwks.json";
    /// `/oidc/session/end`.
    pub const OIDC_END_SESSION: &str = "/oidc/session/end";
    /// `/oidc/.well-known/openid-configuration`.
    pub const OIDC_DISCOVERY: &str = "/oidc/.well-known/openid-configuration";
    /// `/oauth/token`.
    pub const OAUTH_TOKEN: &str = "/oauth/token";
    /// `/oauth/auth`.
    pub const OAUTH_AUTHORIZE: &str = "/oauth/auth";
    /// `/oauth/token/revocation`.
    pub const OAUTH_REVOCATION: &str = "/oauth/token/revocation";
    /// `/oauth/me`.
    pub const OAUTH_USERINFO: &str = "/oauth/me";
}

/// GenAuth's OpenID Connect endpoints (`/oidc/*`): id tokens, discovery, JWKS and logout.
pub static OIDC: VendorDescription = describe(
    {
        let mut p = EndpointPaths::NONE;
        p.token = Some(paths::OIDC_TOKEN);
        p.authorization = Some(paths::OIDC_AUTHORIZE);
        p.revocation = Some(paths::OIDC_REVOCATION);
        p.userinfo = Some(paths::OIDC_USERINFO);
        p.jwks = Some(paths::OIDC_JWKS);
        p.end_session = Some(paths::OIDC_END_SESSION);
        p.discovery = Some(paths::OIDC_DISCOVERY);
        p
    },
    OIDC_AUTH_METHODS,
);

/// The V3 API's answers (the QR-code ticket exchange): always in the envelope.
pub(crate) static V3: VendorDescription = {
    let mut d = describe(EndpointPaths::NONE, OIDC_AUTH_METHODS);
    d.token_response.envelope_required = true;
    d
};

/// GenAuth's OAuth 2.0 endpoints (`/oauth/*`): no id token, no discovery, no logout.
pub static OAUTH: VendorDescription = describe(
    {
        let mut p = EndpointPaths::NONE;
        p.token = Some(paths::OAUTH_TOKEN);
        p.authorization = Some(paths::OAUTH_AUTHORIZE);
        p.revocation = Some(paths::OAUTH_REVOCATION);
        p.userinfo = Some(paths::OAUTH_USERINFO);
        p
    },
    OAUTH_AUTH_METHODS,
);

/// The description of `protocol`'s endpoints: [`OIDC`] or [`OAUTH`].
pub fn description(protocol: Protocol) -> &'static VendorDescription {
    match protocol {
        Protocol::OAuth2 => &OAUTH,
        _ => &OIDC,
    }
}

/// GenAuth's hooks beyond data, all for the QR-code login: the ticket goes to the V3 API, and
/// an unknown refusal of it is a refused ticket.
#[derive(Debug, Clone, Copy, Default)]
struct GenAuthHooks;

fn is_qr_ticket(grant: &Grant) -> bool {
    grant.kind() == GrantKind::Extension && grant.grant_type() == QR_TICKET_GRANT_TYPE
}

/// A V3 request to `path` below `base`, naming the application `app_id`.
pub(crate) fn v3_request(
    base: &tokenbridge_core::Url,
    path: &str,
    encoding: BodyEncoding,
    app_id: &str,
) -> Result<TokenRequest> {
    let url = join_path(base, path);
    let mut request = match encoding {
        BodyEncoding::None => TokenRequest::get(url),
        other => TokenRequest::post(url, other),
    };
    request.header(HeaderName::from_static(APP_ID_HEADER), app_id, false)?;
    Ok(request)
}

/// The error for a GenAuth provider built without `base_url`.
pub(crate) fn no_base_url() -> Error {
    Error::config(
        "base_url",
        "GenAuth needs base_url, the application host (e.g. https://my-app.genauth.ai)",
    )
}

impl GenAuthHooks {
    fn ticket_request(&self, grant: &Grant, context: &HookContext<'_>) -> Result<TokenRequest> {
        let ticket = grant
            .secret_param("ticket")
            .filter(|t| !t.expose_secret().trim().is_empty())
            .ok_or_else(|| {
                Error::config(
                    "ticket",
                    "the QR-code ticket is empty; take it from an AUTHORIZED QR status",
                )
            })?;
        let base = context.base_url.ok_or_else(no_base_url)?;
        let client_auth = context.client_auth;
        let mut request = v3_request(
            base,
            EXCHANGE_TICKET_PATH,
            BodyEncoding::Json,
            client_auth.client_id(),
        )?;
        request.secret_param("ticket", ticket);
        for (name, value) in grant.params() {
            request.param(name, value);
        }
        // `none` sends nothing extra here, not even `client_id` (unlike RFC 6749's `none`);
        // `client_secret_post` puts the credentials in the JSON body, `client_secret_basic`
        // in the header.
        if client_auth.method_name() != AuthMethod::None.as_str() {
            client_auth.apply(&mut request)?;
        }
        Ok(request)
    }
}

impl VendorHooks for GenAuthHooks {
    fn token_request(
        &self,
        grant: &Grant,
        context: &HookContext<'_>,
    ) -> Option<Result<TokenRequest>> {
        is_qr_ticket(grant).then(|| self.ticket_request(grant, context))
    }

    /// The ticket exchange always answers in the V3 envelope, and says so when it does not.
    fn parse_token_response(
        &self,
        response: &HttpResponse,
        grant: &Grant,
        provider: &str,
        vendor: &VendorDescription,
    ) -> Result<TokenSet> {
        if is_qr_ticket(grant) {
            return parse_envelope_tokens(response, provider);
        }
        tokenbridge_core::parse_token_response(response, provider, vendor)
    }

    /// On the ticket exchange, a business `statusCode` 400 whose `apiCode` the table does not
    /// know is taken as a refused ticket (inferred): the request carries nothing else but the
    /// client's credentials, whose refusal GenAuth reports otherwise.
    fn map_error(&self, error: Error, grant: &Grant, _context: &HookContext<'_>) -> Error {
        match error {
            Error::Vendor(mut v)
                if is_qr_ticket(grant)
                    && v.status_code() == 400
                    && v.http_status() < 500
                    && v.http_status() != 429
                    && v.api_code().and_then(|c| ERRORS.lookup(c)).is_none() =>
            {
                v.set_kind(ErrorKind::InvalidGrant, true);
                Error::Vendor(v)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_descriptions_follow_the_documentation() {
        for (protocol, prefix) in [(Protocol::Oidc, "/oidc"), (Protocol::OAuth2, "/oauth")] {
            let d = description(protocol);
            assert_eq!(d.kind, "genauth");
            assert_eq!(d.paths.token, Some(format!("{prefix}/token").as_str()));
            assert_eq!(
                d.paths.authorization,
                Some(format!("{prefix}/auth").as_str())
            );
            assert_eq!(
                d.paths.revocation,
                Some(format!("{prefix}/token/revocation").as_str())
            );
            assert_eq!(d.paths.userinfo, Some(format!("{prefix}/me").as_str()));
            assert_eq!(d.basic_encoding, BasicEncoding::Raw);
            assert!(d.redirect_uri_required);
            assert_eq!(d.default_auth_method(true), AuthMethod::ClientSecretPost);
            assert_eq!(d.id_token_algorithms, ID_TOKEN_ALGORITHMS);
            assert!(d.offline_access_needs_consent);
            assert_eq!(d.logout.client_id, None);
            assert_eq!(d.logout.id_token_hint, Some("id_token_hint"));
            assert_eq!(
                d.logout.post_logout_redirect_uri,
                "post_logout_redirect_uri"
            );
            assert!(d
                .grants_for(AuthMethod::None)
                .contains(&GrantKind::Extension));
            assert!(!d
                .grants_for(AuthMethod::None)
                .contains(&GrantKind::ClientCredentials));
        }
        assert_eq!(OIDC.paths.end_session, Some("/oidc/session/end"));
        assert_eq!(OIDC.paths.jwks, Some("/oidc/.well-known/jwks.json"));
        assert_eq!(
            OIDC.paths.discovery,
            Some("/oidc/.well-known/openid-configuration")
        );
        assert_eq!(
            OIDC.auth_methods,
            [
                AuthMethod::ClientSecretPost,
                AuthMethod::ClientSecretBasic,
                AuthMethod::None
            ]
        );
        assert_eq!(
            OAUTH.auth_methods,
            [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic]
        );
        assert_eq!(OAUTH.paths.end_session, None);
        assert_eq!(OAUTH.paths.jwks, None);
        assert_eq!(OAUTH.paths.discovery, None);
    }

    #[test]
    fn the_error_table_marks_what_genauth_does_not_document() {
        let m = ERRORS.lookup("2011").unwrap();
        assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidClient, false));
        let m = ERRORS.lookup("2004").unwrap();
        assert_eq!((m.kind, m.inferred), (ErrorKind::InvalidGrant, true));
        for entry in ERRORS.0 {
            assert!(entry.inferred || entry.code == "2011", "{entry:?}");
        }
    }

    fn answer(body: &str) -> HttpResponse {
        let mut headers = http::header::HeaderMap::new();
        if !body.is_empty() {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::header::HeaderValue::from_static("application/json"),
            );
        }
        HttpResponse::new(
            tokenbridge_core::Url::parse("https://a.genauth.ai/oidc/token/revocation").unwrap(),
            200,
            headers,
            body.to_owned(),
        )
    }

    #[test]
    fn a_revocation_failure_reported_with_http_200_is_an_error() {
        for ok in [
            "",
            "{}",
            r#"{"statusCode":200,"message":"success"}"#,
            r#"{"statusCode":"200","message":"success","data":null}"#,
        ] {
            GenAuthHooks
                .check_revocation_response(&answer(ok), &OIDC)
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let err = GenAuthHooks
            .check_revocation_response(
                &answer(
                    r#"{"statusCode":400,"message":"token invalid","apiCode":1001,"requestId":"r-1"}"#,
                ),
                &OIDC,
            )
            .unwrap_err();
        let vendor = err.vendor_error().expect("a vendor error");
        assert_eq!((vendor.http_status(), vendor.status_code()), (200, 400));
        assert_eq!(vendor.api_code(), Some("1001"));
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    }

    #[test]
    fn qr_ticket_grant_carries_the_ticket_as_a_secret() {
        let grant = qr_ticket_grant("tk-1");
        assert!(is_qr_ticket(&grant));
        assert_eq!(
            grant.secret_param("ticket").unwrap().expose_secret(),
            "tk-1"
        );
        assert!(!is_qr_ticket(&Grant::extension("urn:example:other")));
    }
}
