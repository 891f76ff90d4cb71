//! The userinfo request and answer as a vendor's [`UserinfoShape`] says: where the token goes,
//! the parameters taken from the token answer, the envelope and the vendor's claim names.

use http::header::ACCEPT;
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::http::HttpResponse;
use crate::identity::{userinfo_error, Identity};
use crate::request::TokenRequest;
use crate::request_auth::RequestAuthorization;
use crate::shape::{header_name, TokenPlacement, UserinfoShape};
use crate::token::TokenSet;
use crate::vendor::VendorDescription;
use crate::wire::{decode_json_object, json_type, standard_error, unreadable, vendor_code_error};

/// The userinfo request for `tokens`, shaped by `shape`; `nonce` is a DPoP nonce the endpoint
/// asked for.
pub(crate) fn userinfo_request(
    url: &Url,
    tokens: &TokenSet,
    shape: &UserinfoShape,
    nonce: Option<&str>,
) -> Result<TokenRequest> {
    let mut request = TokenRequest::get(url.clone());
    match shape.token {
        TokenPlacement::Authorization => {
            RequestAuthorization::for_tokens(tokens, "GET", url, nonce)?.apply(&mut request)?;
        }
        TokenPlacement::Header(name) => {
            request.header(
                header_name(name)?,
                tokens.access_token().expose_secret(),
                true,
            )?;
        }
        TokenPlacement::Query(name) => {
            request.secret_param(name, tokens.access_token());
        }
    }
    for (param, member) in shape.params_from_tokens {
        let value = match tokens.extra().get(*member) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(Error::config(
                    *member,
                    format!(
                        "the userinfo request needs `{member}` from the token answer, and the \
                         tokens given have none: pass the whole token set the exchange returned"
                    ),
                ))
            }
        };
        request.param(*param, value);
    }
    request.header(ACCEPT, "application/json", false)?;
    for (name, value) in shape.headers {
        request.header(header_name(name)?, value, false)?;
    }
    Ok(request)
}

/// A userinfo answer read as the vendor's description says: a refusal (see
/// [`userinfo_error`]), the vendor's error code (the token answer's
/// [`error_code_field`](crate::TokenResponseShape::error_code_field), whatever the status),
/// an OAuth `error`, then the claims, inside the shape's envelope, under the vendor's names.
/// The default of [`VendorHooks::parse_userinfo`](crate::VendorHooks::parse_userinfo).
pub fn parse_shaped_userinfo(
    response: &HttpResponse,
    vendor: &VendorDescription,
) -> Result<Identity> {
    let shape = &vendor.userinfo;
    let mut codes = vendor.token_response;
    if let Some(field) = shape.error_message_field {
        codes.error_message_field = Some(field);
    }
    let codes = &codes;
    if !response.is_success() {
        if codes.error_code_field.is_some() {
            if let Ok(object) = decode_json_object(response) {
                if let Some(error) = vendor_code_error(response, &object, codes, vendor.kind) {
                    return Err(error);
                }
            }
        }
        return Err(userinfo_error(response));
    }
    let mut object = decode_json_object(response)?;
    if let Some(error) = vendor_code_error(response, &object, codes, vendor.kind) {
        return Err(error);
    }
    if let Some(error) = standard_error(response, &object) {
        return Err(error);
    }
    if let Some(envelope) = shape.envelope {
        object = match object.remove(envelope) {
            Some(Value::Object(inner)) => inner,
            Some(other) => {
                return Err(unreadable(
                    response,
                    format!("`{envelope}` is {}, expected an object", json_type(&other)),
                ))
            }
            None => {
                return Err(unreadable(
                    response,
                    format!("no `{envelope}` member holding the user"),
                ))
            }
        };
    }
    Identity::from_claims_with_aliases(object, shape.fields.0)
        .map_err(|why| unreadable(response, format!("not a userinfo answer: {why}")))
}
