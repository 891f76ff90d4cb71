//! Lenient parsing of token responses: the standard steps of the response pipeline.
//!
//! A response goes through [`decode_json_object`] (status, empty bodies, HTML pages, wrong
//! JSON types), then [`standard_error`] (an RFC 6749 section 5.2 error, even with HTTP 200),
//! then [`token_set_from_fields`] (the lenient field parse). [`parse_standard_response`] runs
//! all three; [`parse_token_response`] runs them as a vendor's description shapes its answer
//! (form or JSON, its error code at any status, its envelope, its names).
//!
//! Those steps build a `serde_json::Value` tree, which costs an allocation per field. A plain
//! success is therefore read first by a typed parser ([`parse_token_fast`],
//! [`parse_standard_fast`]) that follows the same rules for every shape; the `Value` steps run
//! only when it declines, to report errors.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::malformed::MalformedValue;
use crate::error::redact::redact_snippet_scrubbing;
use crate::error::{Error, OAuthError, Result, RetryAfter, UnreadableResponse};
use crate::model::token::{TokenSet, TokenType};
use crate::transport::http::HttpResponse;
use crate::transport::shape::{ResponseFormat, TokenResponseShape};

mod shaped;
mod typed;

pub(crate) use shaped::{parse_shaped, split_scopes, vendor_code_error};
pub(crate) use typed::parse_fast;
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
/// types are errors, saying what is wrong with the value.
pub fn parse_expires_in(value: &Value) -> std::result::Result<Option<Duration>, MalformedValue> {
    parse_expires_in_text(value).map_err(MalformedValue::new)
}

/// [`parse_expires_in`] with its reason as text, for the parsers that add the field's name.
fn parse_expires_in_text(value: &Value) -> std::result::Result<Option<Duration>, String> {
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
pub fn parse_scope(value: &Value) -> std::result::Result<Option<Vec<String>>, MalformedValue> {
    parse_scope_text(value).map_err(MalformedValue::new)
}

/// [`parse_scope`] with its reason as text.
fn parse_scope_text(value: &Value) -> std::result::Result<Option<Vec<String>>, String> {
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

/// Whether a token answer of `shape` is read as form pairs (both pipelines ask).
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
                    && !response.body().trim_ascii_start().starts_with(b"{"))
        }
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
        endpoint: response.endpoint().to_string(),
        status: Some(response.status()),
        content_type: response.content_type(),
        reason: response.sent_secrets().scrub(&reason.into()),
        snippet: redact_snippet_scrubbing(response.body(), response.sent_secrets()),
        retry_after: retry_after(response),
    }
    .into()
}

/// The `Retry-After` header of `response`, when it has a readable one.
pub fn retry_after(response: &HttpResponse) -> Option<RetryAfter> {
    response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(RetryAfter::parse)
}

/// The RFC 6749 error code a bare error status stands for, where it stands for a refusal:
/// 400 `invalid_request`, 401 `invalid_client`, 403 `access_denied`. Other statuses with an
/// empty body (404, 429, 5xx, ...) say nothing about the request's content: the URL is wrong
/// or the server is in trouble.
pub(crate) fn code_for_status(status: u16) -> Option<&'static str> {
    match status {
        400 => Some("invalid_request"),
        401 => Some("invalid_client"),
        403 => Some("access_denied"),
        _ => None,
    }
}

/// Step 1: the body as a JSON object.
///
/// An empty body with 400, 401 or 403 becomes a [`OAuthError`] derived from the status (a
/// bare 401 means the client was refused); with another error status it is an
/// [`UnreadableResponse`] (retryable for 429 and 5xx). Any other body that is not a JSON object is an
/// [`UnreadableResponse`]: with a redacted snippet for an error status, described by its shape
/// and length, never quoted, for a success status.
pub fn decode_json_object(response: &HttpResponse) -> Result<Map<String, Value>> {
    let body = response.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        if response.is_success() {
            return Err(unreadable(
                response,
                "the body is empty; expected a JSON object with tokens",
            ));
        }
        return Err(match code_for_status(response.status()) {
            Some(code) => {
                let mut err = OAuthError::new(Some(response.status()), code);
                err.from_status_only = true;
                err.retry_after = retry_after(response);
                err.into()
            }
            None => unreadable(
                response,
                format!("HTTP {} with an empty body", response.status()),
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
        endpoint: response.endpoint().to_string(),
        status: Some(response.status()),
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
    let mut error = OAuthError::new(Some(response.status()), sent.scrub(&code))
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
            parse_expires_in_text(&v).map_err(|why| bad("expires_in", why))?
        }
        (_, Some(v)) => parse_expires_in_text(&v).map_err(|why| bad("expire_in", why))?,
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
        Some(v) => parse_scope_text(&v).map_err(|why| bad("scope", why))?,
    };

    Ok(TokenSet::new(provider, access_token, token_type)
        .with_received_at(response.received_at())
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
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn parse_standard_response(response: &HttpResponse, provider: &str) -> Result<TokenSet> {
    shaped::parse_shaped(response, provider, &TokenResponseShape::STANDARD, "")
}
