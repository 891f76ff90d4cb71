//! The response pipeline for a vendor's shape ([`TokenResponseShape`]): form or JSON bodies,
//! the vendor's error code at any status, its envelope and its names for the standard members.

use serde_json::{Map, Value};

use super::{
    decode_json_object, is_form, json_type, retry_after, standard_error, token_set_from_fields,
    typed, unreadable,
};
use crate::error::{Error, Result, VendorError};
use crate::model::token::TokenSet;
use crate::transport::http::HttpResponse;
use crate::transport::shape::{FieldNames, TokenResponseShape};

/// The pipeline for an answer of `shape` (see `vendor::parse::parse_token_response`).
pub(crate) fn parse_shaped(
    response: &HttpResponse,
    provider: &str,
    shape: &TokenResponseShape,
    vendor: &str,
) -> Result<TokenSet> {
    if shape.scope_separator.is_whitespace() {
        return parse_shaped_tokens(response, provider, shape, vendor);
    }
    let tokens = parse_shaped_tokens(response, provider, shape, vendor)?;
    Ok(split_scopes(tokens, shape.scope_separator))
}

/// `tokens` with each scope split again at the vendor's own separator, when it has one.
pub(crate) fn split_scopes(tokens: TokenSet, separator: char) -> TokenSet {
    if separator.is_whitespace() {
        return tokens;
    }
    let Some(scopes) = tokens.scopes() else {
        return tokens;
    };
    if !scopes.iter().any(|s| s.contains(separator)) {
        return tokens;
    }
    let split: Vec<String> = scopes
        .iter()
        .flat_map(|s| s.split(separator))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    tokens.with_scopes((!split.is_empty()).then_some(split))
}

#[inline]
fn parse_shaped_tokens(
    response: &HttpResponse,
    provider: &str,
    shape: &TokenResponseShape,
    vendor: &str,
) -> Result<TokenSet> {
    if let Some(tokens) = typed::parse_fast(response, provider, shape) {
        return Ok(tokens);
    }
    let mut object = if is_form(response, shape) && !response.body().trim_ascii().is_empty() {
        decode_form_object(response)?
    } else {
        decode_json_object(response)?
    };
    if let Some(err) = vendor_code_error(response, &object, shape, vendor) {
        return Err(err);
    }
    if let Some(err) = standard_error(response, &object) {
        return Err(err);
    }
    if !response.is_success() {
        return Err(unreadable(
            response,
            "an error status without an OAuth 2.0 `error` field",
        ));
    }
    if let Some(field) = shape.error_code_field {
        object.remove(field);
    }
    for field in shape.vendor_members() {
        object.remove(field);
    }
    if let Some(envelope) = shape.envelope {
        // The tokens are inside the envelope when the body has it, else at the top.
        match object.remove(envelope) {
            Some(Value::Object(inner)) => object = inner,
            Some(other) => {
                return Err(unreadable(
                    response,
                    format!("`{envelope}` is {}, expected an object", json_type(&other)),
                ))
            }
            None if shape.envelope_required
                || !object.contains_key(shape.fields.vendor("access_token")) =>
            {
                return Err(unreadable(
                    response,
                    format!("no `{envelope}` member holding the tokens (nor tokens at the top)"),
                ))
            }
            None => {}
        }
    }
    rename_members(&mut object, &shape.fields);
    token_set_from_fields(response, object, provider)
}

/// A form-encoded body as an object of strings; a repeated name is unreadable, as in JSON.
fn decode_form_object(response: &HttpResponse) -> Result<Map<String, Value>> {
    let mut object = Map::new();
    for (name, value) in url::form_urlencoded::parse(response.body()) {
        if object.contains_key(name.as_ref()) {
            return Err(unreadable(
                response,
                format!("the member {name:?} appears more than once"),
            ));
        }
        object.insert(name.into_owned(), Value::String(value.into_owned()));
    }
    Ok(object)
}

/// Renames a vendor's members to the standard names, where the standard name is not taken.
pub(crate) fn rename_members(object: &mut Map<String, Value>, names: &FieldNames) {
    for (standard, vendor) in names.0 {
        if standard == vendor || object.contains_key(*standard) {
            continue;
        }
        if let Some(value) = object.remove(*vendor) {
            object.insert((*standard).to_owned(), value);
        }
    }
}

/// The vendor's error code at the top of `object`, when it is not a success value: a
/// [`VendorError`] with the code, the message (scrubbed of what was sent) and the statuses.
pub(crate) fn vendor_code_error(
    response: &HttpResponse,
    object: &Map<String, Value>,
    shape: &TokenResponseShape,
    vendor: &str,
) -> Option<Error> {
    let code = match object.get(shape.error_code_field?)? {
        // Blank says "no error", as `"error": ""` does.
        Value::Null => return None,
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        // Anything else is not a code at all (a gateway's object, a flag): it says nothing.
        _ => return None,
    };
    // A success code with an error status is still a refusal: the status wins.
    if shape.is_success_code(&code) && response.is_success() {
        return None;
    }
    let sent = response.sent_secrets();
    let message = match shape.error_message_field.and_then(|f| object.get(f)) {
        Some(Value::String(m)) if !m.trim().is_empty() => sent.scrub(m),
        None | Some(Value::Null | Value::String(_)) => shape
            .error_message_missing
            .unwrap_or("(no message)")
            .to_owned(),
        Some(other) => sent.scrub(&other.to_string()),
    };
    let text = |field: &str| match object.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let status_code = match code.trim().parse::<i64>() {
        Ok(status) if shape.error_code_is_status => status,
        _ => i64::from(response.status()),
    };
    let mut error = VendorError::new(vendor, response.status(), status_code, message);
    let detail = shape.error_detail_field.and_then(text);
    error.api_code = Some(sent.scrub(&detail.unwrap_or(code)));
    error.request_id = shape.request_id_fields.iter().find_map(|f| text(f));
    error.retry_after = retry_after(response);
    Some(error.into())
}
