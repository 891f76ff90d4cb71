//! Entra's error codes: every token error carries `error_codes`, an array of AADSTS numbers
//! (<https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>);
//! the first one is looked up in [`ERRORS`], and an unknown one leaves the kind the OAuth
//! `error` gives. Meanings from
//! <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>.

use serde_json::Value;
use tokenbridge_core::{
    parse_token_response, Error, ErrorKind, ErrorMapping, Grant, HttpResponse, Result, TokenSet,
    VendorDescription, VendorHooks,
};

/// The AADSTS codes tokenbridge maps, by meaning.
pub const ERRORS: &[ErrorMapping] = &[
    // "ExpiredOrRevokedGrant - The refresh token has expired due to inactivity."
    ErrorMapping::documented("70008", ErrorKind::InvalidGrant),
    // "OAuth2 Authorization code was already redeemed."
    ErrorMapping::documented("54005", ErrorKind::InvalidGrant),
    // "InvalidGrant - Authentication failed. The refresh token isn't valid."
    ErrorMapping::documented("70000", ErrorKind::InvalidGrant),
    // The code_verifier doesn't match the code_challenge (PKCE).
    ErrorMapping::documented("50148", ErrorKind::InvalidGrant),
    ErrorMapping::documented("501481", ErrorKind::InvalidGrant),
    // The code was issued for another tenant.
    ErrorMapping::documented("700005", ErrorKind::InvalidGrant),
    // "Invalid client secret is provided."
    ErrorMapping::documented("7000215", ErrorKind::InvalidClient),
    // The client secret has expired.
    ErrorMapping::documented("7000222", ErrorKind::InvalidClient),
    // "The application wasn't found in the directory/tenant."
    ErrorMapping::documented("700016", ErrorKind::InvalidClient),
    // "Client assertion contains an invalid signature": a certificate not uploaded to the
    // application
    // (https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal).
    ErrorMapping::documented("700027", ErrorKind::InvalidClient),
    // `/common` is not supported for a single-tenant app: fix the tenant setting.
    ErrorMapping::documented("50194", ErrorKind::InvalidClient),
    // "The user or administrator hasn't consented to use the application."
    ErrorMapping::documented("65001", ErrorKind::AccessDenied),
    // "InvalidRequest - Request is malformed or invalid."
    ErrorMapping::documented("9002313", ErrorKind::InvalidRequest),
];

/// The first of the answer's `error_codes`, as decimal text.
pub(crate) fn first_error_code(response: &HttpResponse) -> Option<String> {
    let body: Value = serde_json::from_slice(response.body()).ok()?;
    match body.get("error_codes")?.as_array()?.first()? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Entra's hook: a refused token request takes its kind from its first `error_codes` entry
/// where the table knows it, and says the AADSTS code in its hint.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntraHooks;

impl VendorHooks for EntraHooks {
    fn parse_token_response(
        &self,
        response: &HttpResponse,
        _grant: &Grant,
        provider: &str,
        vendor: &VendorDescription,
    ) -> Result<TokenSet> {
        parse_token_response(response, provider, vendor).map_err(|error| match error {
            Error::OAuth(mut e) => {
                if let Some(code) = first_error_code(response) {
                    if let Some(mapping) = vendor.errors.lookup(&code) {
                        e.set_kind(mapping.kind);
                    }
                    e.set_hint(format!("Microsoft Entra ID error AADSTS{code}"));
                }
                Error::OAuth(e)
            }
            other => other,
        })
    }
}
