//! A vendor's userinfo answers read as its description says.

use serde_json::Value;

use crate::error::Result;
use crate::protocol::identity::{userinfo_error, Identity};
use crate::transport::http::HttpResponse;
use crate::transport::wire::{
    decode_json_object, json_type, standard_error, unreadable, vendor_code_error,
};

use super::VendorDescription;

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
