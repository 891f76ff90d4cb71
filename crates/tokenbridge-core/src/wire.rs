//! Lenient parsing of token responses: the standard steps of the response pipeline.
//!
//! A response goes through [`decode_json_object`] (status, empty bodies, HTML pages, wrong
//! JSON types), then [`standard_error`] (an RFC 6749 section 5.2 error, even with HTTP 200),
//! then [`token_set_from_fields`] (the lenient field parse). [`parse_standard_response`] runs
//! all three; a vendor adapter that wraps tokens in an envelope runs the first, unwraps, and
//! hands the inner object to the last.
//!
//! Those steps build a `serde_json::Value` tree, which costs an allocation per field. A plain
//! success is therefore read first by a typed parser ([`TokenFields`], [`parse_standard_fast`])
//! that follows the same rules; the `Value` steps run only when it declines, to report errors.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, ProviderError, Result, RetryAfter, UnreadableResponse, VendorError};
use crate::http::HttpResponse;
use crate::redact::redact_snippet_scrubbing;
use crate::shape::{FieldNames, ResponseFormat, TokenResponseShape};
use crate::token::{TokenSet, TokenType};
use crate::vendor::VendorDescription;

mod typed;

pub use typed::parse_standard_fast;

/// The longest lifetime tokenbridge accepts: ten years. Larger values (including ones that do
/// not fit in a `u64`) are clamped to it, because an absurd lifetime is a provider quirk, not
/// a reason to throw away a valid token.
pub const MAX_EXPIRES_IN: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// Parses an expiry value leniently.
///
/// Accepts a JSON integer, a float (rounded down), a numeric string (`"7200"`, `" 7200 "`,
/// `"7200.0"`, `"7.2e3"`), `null` or an empty string (both: unknown). Zero is a valid lifetime
/// (already expired). Values above [`MAX_EXPIRES_IN`], including ones too large for a `u64`
/// or for an `f64`, are clamped to it. Negative numbers, non-numeric strings and other JSON
/// types are errors, described in the returned text.
pub fn parse_expires_in(value: &Value) -> std::result::Result<Option<Duration>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => Ok(Some(clamp_secs(u))),
            // `shown` is the value as sent, for messages: an f64 would print a rounded number.
            (None, Some(f)) => expiry_from_f64(f, || n.to_string()),
            (None, None) => Err(format!("{n} is not a number of seconds")),
        },
        Value::String(s) => expiry_from_str(s),
        other => Err(format!(
            "expected a number of seconds, got {}",
            json_type(other)
        )),
    }
}

/// [`parse_expires_in`] for a string value; shared with the typed parser so that both read
/// strings the same way.
fn expiry_from_str(s: &str) -> std::result::Result<Option<Duration>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(u) = t.parse::<u64>() {
        return Ok(Some(clamp_secs(u)));
    }
    // Rust's float parser also takes "inf" and "NaN"; only plain numerals are seconds.
    let numeral = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(f) if numeral => expiry_from_f64(f, || t.to_owned()),
        _ => Err(format!("{s:?} is not a number of seconds")),
    }
}

/// [`parse_expires_in`] for a number that is not a `u64`: rounded down, clamped, and refused
/// when negative or NaN. `shown` gives the value as sent, only when a message needs it.
fn expiry_from_f64(
    seconds: f64,
    shown: impl FnOnce() -> String,
) -> std::result::Result<Option<Duration>, String> {
    if seconds.is_nan() {
        return Err(format!("{} is not a number of seconds", shown()));
    }
    if seconds < 0.0 {
        return Err(format!("{} is negative", shown()));
    }
    // Also catches +infinity (e.g. "1e999"): absurdly large, like a u64 overflow.
    if seconds >= MAX_EXPIRES_IN.as_secs() as f64 {
        return Ok(Some(MAX_EXPIRES_IN));
    }
    // 0 <= seconds < MAX_EXPIRES_IN, so the cast cannot saturate.
    Ok(Some(Duration::from_secs(seconds.floor() as u64)))
}

fn clamp_secs(secs: u64) -> Duration {
    Duration::from_secs(secs).min(MAX_EXPIRES_IN)
}

/// Parses a `scope` value: a space-separated string or a JSON array of strings. `null`, an
/// empty (or blank) string and an empty array give `None`: the provider did not say.
pub fn parse_scope(value: &Value) -> std::result::Result<Option<Vec<String>>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => {
            let scopes: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
            Ok((!scopes.is_empty()).then_some(scopes))
        }
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "scope array holds {}, expected strings",
                    json_type(other)
                )),
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(|scopes| (!scopes.is_empty()).then_some(scopes)),
        other => Err(format!(
            "expected a string or an array, got {}",
            json_type(other)
        )),
    }
}

/// The JSON type name of `v`, for error messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An [`UnreadableResponse`] error for `response` with `reason`.
pub fn unreadable(response: &HttpResponse, reason: impl Into<String>) -> Error {
    UnreadableResponse {
        endpoint: response.endpoint.to_string(),
        status: Some(response.status),
        content_type: response.content_type(),
        reason: response.sent_secrets().scrub(&reason.into()),
        snippet: redact_snippet_scrubbing(&response.body, response.sent_secrets()),
        retry_after: retry_after(response),
    }
    .into()
}

/// The `Retry-After` header of `response`, when it has a readable one.
pub fn retry_after(response: &HttpResponse) -> Option<RetryAfter> {
    response
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(RetryAfter::parse)
}

/// The RFC 6749 error code a bare error status stands for, where it stands for a refusal:
/// 400 `invalid_request`, 401 `invalid_client`, 403 `access_denied`. Other statuses with an
/// empty body (404, 429, 5xx, ...) say nothing about the request's content: the URL is wrong
/// or the server is in trouble.
pub fn code_for_status(status: u16) -> Option<&'static str> {
    match status {
        400 => Some("invalid_request"),
        401 => Some("invalid_client"),
        403 => Some("access_denied"),
        _ => None,
    }
}

/// Step 1: the body as a JSON object.
///
/// An empty body with 400, 401 or 403 becomes a [`ProviderError`] derived from the status (a
/// bare 401 means the client was refused); with another error status it is an
/// [`UnreadableResponse`] (retryable for 429 and 5xx). Any other body that is not a JSON object is an
/// [`UnreadableResponse`]: with a redacted snippet for an error status, described by its shape
/// and length, never quoted, for a success status.
pub fn decode_json_object(response: &HttpResponse) -> Result<Map<String, Value>> {
    let body = &response.body;
    if body.iter().all(u8::is_ascii_whitespace) {
        if response.is_success() {
            return Err(unreadable(
                response,
                "the body is empty; expected a JSON object with tokens",
            ));
        }
        return Err(match code_for_status(response.status) {
            Some(code) => {
                let mut err = ProviderError::new(Some(response.status), code);
                err.from_status_only = true;
                err.retry_after = retry_after(response);
                err.into()
            }
            None => unreadable(
                response,
                format!("HTTP {} with an empty body", response.status),
            ),
        });
    }
    let parsed = serde_json::from_slice::<StrictValue>(body).map(|v| v.0);
    if response.is_success() {
        // A success answer that is not an object may be a bare token (a JSON string, a
        // text/plain body): it is described, never quoted.
        return match parsed {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(unreadable_unquoted(
                response,
                format!("expected a JSON object, got {}", json_shape(&other)),
            )),
            Err(e) if looks_like_html(body) => Err(unreadable_unquoted(
                response,
                format!("the body is an HTML page of {} bytes ({e})", body.len()),
            )),
            Err(e) => Err(unreadable_unquoted(
                response,
                format!("the body is not valid JSON ({e}): {}", text_shape(body)),
            )),
        };
    }
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(unreadable(
            response,
            format!("expected a JSON object, got {}", json_type(&other)),
        )),
        Err(e) => {
            let what = if looks_like_html(body) {
                "an HTML page"
            } else {
                "not valid JSON"
            };
            Err(unreadable(response, format!("the body is {what} ({e})")))
        }
    }
}

/// An [`UnreadableResponse`] without a snippet of the body: for success answers, whose body
/// may be nothing but a credential that no key name marks as one.
fn unreadable_unquoted(response: &HttpResponse, reason: String) -> Error {
    UnreadableResponse {
        endpoint: response.endpoint.to_string(),
        status: Some(response.status),
        content_type: response.content_type(),
        reason: format!("{reason}; the body is not quoted, as it may be a token"),
        snippet: String::new(),
        retry_after: retry_after(response),
    }
    .into()
}

/// A JSON value's type and size, without its content.
fn json_shape(value: &Value) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match value {
        Value::String(s) => format!("a string of {}", plural(s.chars().count(), "character")),
        Value::Array(items) => format!("an array of {}", plural(items.len(), "item")),
        other => json_type(other).to_owned(),
    }
}

/// A body's kind and length, without its content.
fn text_shape(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => format!("{} characters of text", text.chars().count()),
        Err(_) => format!("{} bytes that are not UTF-8 text", body.len()),
    }
}

/// A JSON value whose objects never repeat a member name. `serde_json` keeps the last of two
/// equal names, so `{"error":"invalid_grant","error":null}` would read as no error at all: an
/// answer that says two things is refused as unreadable instead (RFC 8259 section 4 leaves
/// duplicate names to the parser; tokenbridge chooses to believe neither).
///
/// The typed parser of token answers holds the fields it keeps as sent to the same rule.
pub(crate) struct StrictValue(pub(crate) Value);

impl std::fmt::Debug for StrictValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The value may be a credential a vendor sent among the extras.
        f.write_str("StrictValue(..)")
    }
}

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the member {key:?} appears more than once"
                )));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html") || start.starts_with(b"<")
}

/// Step 2: an RFC 6749 section 5.2 error in `object`, whatever the HTTP status (some
/// providers send errors with 200).
pub fn standard_error(response: &HttpResponse, object: &Map<String, Value>) -> Option<Error> {
    let code = object.get("error")?;
    let code = match code {
        // `"error": ""` and `"error": null` say "no error" (some vendors send them with tokens).
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.clone(),
        Value::Null => return None,
        other => {
            return Some(unreadable(
                response,
                format!("`error` is {}, expected a string", json_type(other)),
            ))
        }
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let sent = response.sent_secrets();
    let mut error = ProviderError::new(Some(response.status), sent.scrub(&code))
        .with_description(text("error_description").map(|d| sent.scrub(&d)))
        .with_uri(text("error_uri").map(|u| sent.scrub(&u)));
    error.retry_after = retry_after(response);
    Some(error.into())
}

/// Step 3: a [`TokenSet`] from a token object, leniently.
///
/// `access_token` is required. `token_type` is compared case-insensitively and defaults to
/// `Bearer` when absent, `null` or blank. The lifetime comes from `expires_in` or, when that
/// is absent or `null`, `expire_in` (see [`parse_expires_in`]). `scope` may be a string or an array. Empty or `null`
/// `refresh_token` and `id_token` count as absent. Every other field is kept in
/// [`TokenSet::extra`].
pub fn token_set_from_fields(
    response: &HttpResponse,
    mut object: Map<String, Value>,
    provider: &str,
) -> Result<TokenSet> {
    let bad = |field: &str, why: String| unreadable(response, format!("`{field}`: {why}"));

    let access_token = match object.remove("access_token") {
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(bad("access_token", "is empty or only white space".into()))
        }
        // A token goes into an Authorization header as is: control characters (CR, LF, NUL,
        // ...) would break or inject into it.
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            return Err(bad("access_token", "holds control characters".into()))
        }
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(bad(
                "access_token",
                format!("expected a string, got {}", json_type(&other)),
            ))
        }
        None => return Err(unreadable(response, "no `access_token` in the answer")),
    };

    let token_type = match object.remove("token_type") {
        Some(Value::String(s)) if !s.trim().is_empty() => TokenType::parse(&s),
        None | Some(Value::Null) => TokenType::Bearer,
        Some(Value::String(_)) => TokenType::Bearer,
        Some(other) => {
            return Err(bad(
                "token_type",
                format!("expected a string, got {}", json_type(&other)),
            ))
        }
    };

    // `expires_in` wins when it has a value; `expire_in` (GenAuth V3) is then kept in `extra`
    // as sent. A `null` `expires_in` counts as absent so that `expire_in` can still be used.
    let expires_in = match (object.remove("expires_in"), object.remove("expire_in")) {
        (Some(v), alt) if !v.is_null() => {
            if let Some(alt) = alt {
                object.insert("expire_in".into(), alt);
            }
            parse_expires_in(&v).map_err(|why| bad("expires_in", why))?
        }
        (_, Some(v)) => parse_expires_in(&v).map_err(|why| bad("expire_in", why))?,
        (_, None) => None,
    };

    let mut optional_secret = |field: &str| -> Result<Option<String>> {
        match object.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(bad(
                field,
                format!("expected a string, got {}", json_type(&other)),
            )),
        }
    };
    let refresh_token = optional_secret("refresh_token")?;
    let id_token = optional_secret("id_token")?;

    let scopes = match object.remove("scope") {
        None => None,
        Some(v) => parse_scope(&v).map_err(|why| bad("scope", why))?,
    };

    Ok(TokenSet::new(provider, access_token, token_type)
        .with_received_at(response.received_at)
        .with_expires_in(expires_in)
        .with_refresh_token(refresh_token)
        .with_id_token(id_token)
        .with_scopes(scopes)
        .with_extra(object))
}

/// The whole standard pipeline: [`decode_json_object`], [`standard_error`], a check that the
/// status is 2xx, then [`token_set_from_fields`].
///
/// A plain success is read by the typed [`parse_standard_fast`]; only when that declines does
/// the body go through the `Value` steps, which say precisely what is wrong.
pub fn parse_standard_response(response: &HttpResponse, provider: &str) -> Result<TokenSet> {
    parse_shaped(response, provider, &TokenResponseShape::STANDARD, "")
}

/// The pipeline for a vendor's answer, read as its description's
/// [`token_response`](VendorDescription::token_response) shape says: the body (JSON or form
/// pairs), the vendor's error code at the top whatever the HTTP status (a code outside the
/// success values is a [`VendorError`] carrying it, classified later by the vendor's error
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

fn parse_shaped(
    response: &HttpResponse,
    provider: &str,
    shape: &TokenResponseShape,
    vendor: &str,
) -> Result<TokenSet> {
    if let Some(tokens) = typed::parse_fast(response, provider, shape) {
        return Ok(tokens);
    }
    let mut object = if is_form(response, shape) && !response.body.trim_ascii().is_empty() {
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

/// The tokens of a 2xx answer that is a plain success for `vendor`'s description, read in one
/// typed pass; `None` for anything else (then [`parse_token_response`] says what is wrong).
pub fn parse_token_fast(
    response: &HttpResponse,
    provider: &str,
    vendor: &VendorDescription,
) -> Option<TokenSet> {
    typed::parse_fast(response, provider, &vendor.token_response)
}

/// Whether a token answer of `shape` is read as form pairs.
pub(crate) fn is_form(response: &HttpResponse, shape: &TokenResponseShape) -> bool {
    match shape.format {
        ResponseFormat::Json => false,
        ResponseFormat::Form => true,
        ResponseFormat::ByContentType => {
            let ct = response
                .content_type()
                .unwrap_or_default()
                .to_ascii_lowercase();
            ct.starts_with("application/x-www-form-urlencoded")
                || (ct.starts_with("text/plain")
                    && !response.body.trim_ascii_start().starts_with(b"{"))
        }
    }
}

/// A form-encoded body as an object of strings; a repeated name is unreadable, as in JSON.
fn decode_form_object(response: &HttpResponse) -> Result<Map<String, Value>> {
    let mut object = Map::new();
    for (name, value) in url::form_urlencoded::parse(&response.body) {
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

/// The vendor's error code in the JSON body of `response` (see
/// [`TokenResponseShape::error_code_field`]), as a [`VendorError`], when it is not one of the
/// success values; for adapters reading answers of other endpoints the same way.
pub fn vendor_error_in(response: &HttpResponse, vendor: &VendorDescription) -> Option<Error> {
    vendor.token_response.error_code_field?;
    let object = decode_json_object(response).ok()?;
    vendor_code_error(response, &object, &vendor.token_response, vendor.kind)
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
        _ => i64::from(response.status),
    };
    let mut error = VendorError::new(vendor, response.status, status_code, message);
    let detail = shape.error_detail_field.and_then(text);
    error.api_code = Some(sent.scrub(&detail.unwrap_or(code)));
    error.request_id = shape.request_id_fields.iter().find_map(|f| text(f));
    error.retry_after = retry_after(response);
    Some(error.into())
}
