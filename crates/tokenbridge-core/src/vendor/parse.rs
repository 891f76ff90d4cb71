//! A vendor's token answers read as its description says: thin entries over the shape-driven
//! pipeline of `transport::wire`, which knows shapes, not descriptions.

use crate::error::{Error, Result};
use crate::model::token::TokenSet;
use crate::transport::http::HttpResponse;
use crate::transport::wire::{
    decode_json_object, parse_fast, parse_shaped, split_scopes, vendor_code_error,
};

use super::VendorDescription;

/// The pipeline for a vendor's answer, read as its description's
/// [`token_response`](VendorDescription::token_response) shape says: the body (JSON or form
/// pairs), the vendor's error code at the top whatever the HTTP status (a code outside the
/// success values is a [`VendorError`](crate::VendorError) carrying it, classified later by the vendor's error
/// table), an RFC 6749 error, the envelope, then the lenient fields under the vendor's names.
///
/// A plain success is read by the typed parser in one pass, whatever the shape.
pub fn parse_token_response(
    response: &HttpResponse,
    provider: &str,
    vendor: &VendorDescription,
) -> Result<TokenSet> {
    parse_shaped(response, provider, &vendor.token_response, vendor.kind)
}

/// The tokens of a 2xx answer that is a plain success for `vendor`'s description, read in one
/// typed pass; `None` for anything else (then [`parse_token_response`] says what is wrong).
pub fn parse_token_fast(
    response: &HttpResponse,
    provider: &str,
    vendor: &VendorDescription,
) -> Option<TokenSet> {
    let shape = &vendor.token_response;
    parse_fast(response, provider, shape).map(|t| split_scopes(t, shape.scope_separator))
}

/// The vendor's error code in the JSON body of `response` (see
/// [`TokenResponseShape::error_code_field`](crate::TokenResponseShape::error_code_field)), as a [`VendorError`](crate::VendorError), when it is not one of the
/// success values; for adapters reading answers of other endpoints the same way.
pub fn vendor_error_in(response: &HttpResponse, vendor: &VendorDescription) -> Option<Error> {
    vendor.token_response.error_code_field?;
    let object = decode_json_object(response).ok()?;
    vendor_code_error(response, &object, &vendor.token_response, vendor.kind)
}
