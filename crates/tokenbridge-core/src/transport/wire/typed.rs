//! The typed fast path of the response pipeline: a token object read straight from the body's
//! bytes, without building a `serde_json::Value` tree first.
//!
//! It only ever answers for a well-formed token object. Whatever it does not accept (a field of
//! an unexpected type, a negative lifetime, a repeated member name at any depth, an `error`
//! field, invalid JSON)
//! makes it give up, and the caller runs the `Value` pipeline, which produces the precise
//! error message. That way the error messages stay in one place and the fast path cannot
//! drift from them; it only has to agree with the `Value` pipeline on what succeeds, which
//! the tests in `tests/wire.rs` check through [`parse_standard_response`](super::parse_standard_response).

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::{clamp_secs, expiry_from_f64, expiry_from_str, parse_expires_in, StrictValue};
use crate::model::token::{TokenSet, TokenType};
use crate::transport::http::HttpResponse;
use crate::transport::shape::{FieldNames, TokenResponseShape};

/// A token object (`access_token`, `token_type`, `expires_in`, ... and every other field),
/// read leniently and directly from JSON (or form pairs): the typed counterpart of
/// [`token_set_from_fields`](super::token_set_from_fields), with the same rules, reading a
/// vendor's names for the standard members.
///
/// Deserializing fails (with a terse message) on anything that rule set would refuse; run the
/// `Value` pipeline then for the error to report. An `error` field is kept in the extras like
/// any other: checking it is the caller's business, as with the `Value` pipeline.
pub(crate) struct TokenFields {
    access_token: String,
    token_type: TokenType,
    expires_in: Option<Duration>,
    refresh_token: Option<String>,
    id_token: Option<String>,
    scopes: Option<ScopeValue>,
    /// The vendor's error code, when it sits beside the tokens (Feishu `code`).
    code: Option<String>,
    extra: Map<String, Value>,
}

/// A `scope` field that says something: a string holding at least one scope (split only when
/// the token set's scopes are read), or a non-empty array.
#[derive(Debug)]
enum ScopeValue {
    Text(String),
    List(Vec<String>),
}

impl fmt::Debug for TokenFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens and extras (which may hold vendor credentials) are not shown.
        f.debug_struct("TokenFields")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl TokenFields {
    /// The [`TokenSet`] these fields make, received with `response`, from `provider`.
    fn into_token_set(self, response: &HttpResponse, provider: &str) -> TokenSet {
        let tokens = TokenSet::received(
            provider,
            self.access_token,
            self.token_type,
            response.received_at(),
        )
        .with_expires_in(self.expires_in)
        .with_refresh_token(self.refresh_token)
        .with_id_token(self.id_token)
        .with_extra(self.extra);
        match self.scopes {
            Some(ScopeValue::Text(text)) => tokens.with_scope_text(text),
            Some(ScopeValue::List(list)) => tokens.with_scopes(Some(list)),
            None => tokens,
        }
    }
}

/// The pipeline's answer for a 2xx token response of the given shape, when it is a plain
/// success: `None` whenever [`parse_token_response`](super::parse_token_response) would have
/// to report an error (or might: the caller then runs it to find out).
pub(crate) fn parse_fast(
    response: &HttpResponse,
    provider: &str,
    shape: &TokenResponseShape,
) -> Option<TokenSet> {
    if !response.is_success() {
        return None;
    }
    let seed = FieldsSeed::top(shape);
    let fields = if super::is_form(response, shape) {
        let pairs = url::form_urlencoded::parse(response.body());
        seed.deserialize(serde_urlencoded::Deserializer::new(pairs))
            .ok()?
    } else {
        let mut de = serde_json::Deserializer::from_slice(response.body());
        let fields = seed.deserialize(&mut de).ok()?;
        de.end().ok()?;
        fields
    };
    if fields
        .code
        .as_deref()
        .is_some_and(|c| !shape.is_success_code(c))
    {
        return None;
    }
    if !no_error(fields.extra.get("error")) {
        return None;
    }
    Some(fields.into_token_set(response, provider))
}

/// The standard pipeline's answer for a 2xx token response, when it is a plain success:
/// `None` whenever [`parse_standard_response`](super::parse_standard_response) would have
/// to report an error (or might: the caller then runs it to find out).
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn parse_standard_fast(response: &HttpResponse, provider: &str) -> Option<TokenSet> {
    parse_fast(response, provider, &TokenResponseShape::STANDARD)
}

/// Whether an `error` field says "no error": absent, `null` or blank, as in
/// [`standard_error`](super::standard_error).
fn no_error(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    }
}

/// Refuses a value; the message is never shown (the `Value` pipeline reports the error).
fn refuse<E: de::Error>() -> E {
    E::custom("not a standard token field")
}

/// Reads a [`TokenFields`] with a vendor's names. The vendor's own members beside the tokens
/// (error code, message, detail code, request id) are read apart from the extras; with an
/// envelope, the tokens are read inside it when the body has it, else at the top.
#[derive(Clone, Copy)]
struct FieldsSeed<'s> {
    names: &'s FieldNames,
    /// Set at the top of an answer only.
    shape: Option<&'s TokenResponseShape>,
}

impl<'s> FieldsSeed<'s> {
    fn top(shape: &'s TokenResponseShape) -> Self {
        Self {
            names: &shape.fields,
            shape: Some(shape),
        }
    }
}

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = TokenFields;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TokenFields, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The members of a token object seen so far. `Some(..)` once seen, so a repeated key is
/// caught: the `Value` pipeline keeps the last one, and the fast path does not try to mimic
/// that.
#[derive(Default)]
struct Seen {
    access_token: Option<String>,
    token_type: Option<TokenType>,
    expires_in: Option<Option<Duration>>,
    expire_in: Option<Value>,
    refresh_token: Option<Option<String>>,
    id_token: Option<Option<String>>,
    scopes: Option<Option<ScopeValue>>,
    code: Option<Option<String>>,
    envelope: Option<TokenFields>,
    /// The vendor's other members (message, detail code, request id), by name.
    ignored: Vec<&'static str>,
    extra: Map<String, Value>,
}

fn once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(refuse()),
    }
}

impl Seen {
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        seed: FieldsSeed<'_>,
        key: KeyStr<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let raw = key.as_str();
        if let Some(shape) = seed.shape {
            if Some(raw) == shape.envelope {
                let inner = FieldsSeed {
                    names: seed.names,
                    shape: None,
                };
                return once(&mut self.envelope, map.next_value_seed(inner)?);
            }
            if Some(raw) == shape.error_code_field {
                return once(&mut self.code, map.next_value::<CodeText>()?.0);
            }
            if let Some(name) = shape.vendor_members().find(|m| *m == raw) {
                if self.ignored.contains(&name) {
                    return Err(refuse());
                }
                self.ignored.push(name);
                map.next_value::<StrictIgnored>()?;
                return Ok(());
            }
        }
        match seed.names.standard(raw).unwrap_or(raw) {
            "access_token" => once(&mut self.access_token, map.next_value::<NonEmpty>()?.0),
            "token_type" => once(
                &mut self.token_type,
                map.next_value::<Lenient<TokenType>>()?.0,
            ),
            "expires_in" => once(
                &mut self.expires_in,
                map.next_value::<Lenient<Expiry>>()?.0 .0,
            ),
            // Kept as sent: it lands in the extras when `expires_in` has a value.
            "expire_in" => once(&mut self.expire_in, map.next_value::<StrictValue>()?.0),
            "refresh_token" => once(
                &mut self.refresh_token,
                map.next_value::<OptionalToken>()?.0,
            ),
            "id_token" => once(&mut self.id_token, map.next_value::<OptionalToken>()?.0),
            "scope" => once(&mut self.scopes, map.next_value::<Scopes>()?.0),
            _ => {
                // Keys are borrowed from the input where possible: only extras need owned
                // ones.
                let key = key.into_owned();
                if self.extra.contains_key(&key) {
                    return Err(refuse());
                }
                // Strict like the `Value` pipeline: a repeated name at any depth declines.
                let value = map.next_value::<StrictValue>()?.0;
                self.extra.insert(key, value);
                Ok(())
            }
        }
    }

    fn finish<E: de::Error>(self, shape: Option<&TokenResponseShape>) -> Result<TokenFields, E> {
        let code = self.code.flatten();
        if let Some(mut inner) = self.envelope {
            // The tokens are in the envelope; what sat beside them at the top is dropped.
            inner.code = code;
            return Ok(inner);
        }
        if shape.is_some_and(|s| s.envelope_required) {
            return Err(refuse());
        }
        let mut extra = self.extra;
        let access_token = self.access_token.ok_or_else(refuse)?;
        // `expires_in` wins when it has a value; `expire_in` is then kept as sent. A null
        // `expires_in` counts as absent.
        let expires_in = match (self.expires_in.flatten(), self.expire_in) {
            (Some(d), alt) => {
                if let Some(alt) = alt {
                    extra.insert("expire_in".to_owned(), alt);
                }
                Some(d)
            }
            (None, Some(alt)) => parse_expires_in(&alt).map_err(|_| refuse::<E>())?,
            (None, None) => None,
        };
        Ok(TokenFields {
            access_token,
            token_type: self.token_type.unwrap_or(TokenType::Bearer),
            expires_in,
            refresh_token: self.refresh_token.flatten(),
            id_token: self.id_token.flatten(),
            scopes: self.scopes.flatten(),
            code,
            extra,
        })
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_> {
    type Value = TokenFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TokenFields, A::Error> {
        let mut seen = Seen::default();
        while let Some(key) = map.next_key::<KeyStr<'de>>()? {
            seen.member(self, key, &mut map)?;
        }
        seen.finish(self.shape)
    }
}

/// A vendor's error code as text: a string, or an integer written in decimal; `null` is none.
struct CodeText(Option<String>);

impl<'de> Deserialize<'de> for CodeText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CodeText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an error code")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CodeText, E> {
                // Blank says "no error", as in `vendor_code_error`.
                Ok(CodeText((!v.trim().is_empty()).then(|| v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CodeText, E> {
                Ok(CodeText(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CodeText, E> {
                Ok(CodeText(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<CodeText, E> {
                Ok(CodeText(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A JSON value checked as [`StrictValue`] checks it (no member name repeated, at any depth)
/// and thrown away: for envelope members a typed parser reads only to refuse a repeated name.
/// Strings and numbers cost no allocation; only a nested object remembers its keys.
///
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrictIgnored;

impl<'de> Deserialize<'de> for StrictIgnored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictIgnoredVisitor)
    }
}

struct StrictIgnoredVisitor;

impl<'de> Visitor<'de> for StrictIgnoredVisitor {
    type Value = StrictIgnored;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_unit<E: de::Error>(self) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_none<E: de::Error>(self) -> Result<StrictIgnored, E> {
        Ok(StrictIgnored)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<StrictIgnored, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<StrictIgnored, A::Error> {
        while seq.next_element::<StrictIgnored>()?.is_some() {}
        Ok(StrictIgnored)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictIgnored, A::Error> {
        let mut keys: Vec<KeyStr<'de>> = Vec::new();
        while let Some(key) = map.next_key::<KeyStr<'de>>()? {
            if keys.iter().any(|k| k.as_str() == key.as_str()) {
                return Err(de::Error::custom(format!(
                    "the member {:?} appears more than once",
                    key.as_str()
                )));
            }
            map.next_value::<StrictIgnored>()?;
            keys.push(key);
        }
        Ok(StrictIgnored)
    }
}

/// A map key, borrowed from the input when it has no escapes.
enum KeyStr<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyStr<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyStr::Borrowed(s) => s,
            KeyStr::Owned(s) => s,
        }
    }

    fn into_owned(self) -> String {
        match self {
            KeyStr::Borrowed(s) => s.to_owned(),
            KeyStr::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for KeyStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<KeyStr<'de>, E> {
                Ok(KeyStr::Owned(v))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// `access_token`: a string that is not blank and holds no control characters (it goes into
/// an `Authorization` header as is).
struct NonEmpty(String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match String::deserialize(deserializer) {
            Ok(s) if !s.trim().is_empty() && !has_control(&s) => Ok(NonEmpty(s)),
            Ok(_) => Err(refuse()),
            Err(e) => Err(e),
        }
    }
}

/// Whether `s` holds a control character (`char::is_control`: U+0000-U+001F, U+007F-U+009F),
/// checked on the bytes: a token is long, and decoding it char by char cost more than the rest
/// of its parse. U+0080-U+009F are the two-byte sequences `C2 80`..`C2 9F` in UTF-8.
///
/// A first pass without branches, which the compiler turns into vector instructions, looks for
/// any byte that could start one (below 0x20, 0x7F, or 0xC2, which also starts U+00A0-U+00BF);
/// only a token holding one is checked precisely. The early-exit loops alone took a third of
/// the time of parsing a whole answer with a JWT access token.
fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    let suspect = b.iter().fold(0u8, |acc, &c| {
        acc | u8::from(c < 0x20) | u8::from(c == 0x7f) | u8::from(c == 0xc2)
    });
    suspect != 0
        && (b.iter().any(|&c| c < 0x20 || c == 0x7f)
            || b.windows(2)
                .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])))
}

/// `refresh_token` and `id_token`: a string; `null` and `""` count as absent.
struct OptionalToken(Option<String>);

impl<'de> Deserialize<'de> for OptionalToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Option::<String>::deserialize(deserializer)?;
        Ok(OptionalToken(value.filter(|s| !s.is_empty())))
    }
}

/// A field read with a lenient visitor: `Lenient<TokenType>` and `Lenient<Expiry>`.
struct Lenient<T>(T);

/// The lifetime from `expires_in`: `None` for `null` or a blank string.
struct Expiry(Option<Duration>);

impl<'de> Deserialize<'de> for Lenient<Expiry> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Expiry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Expiry, E> {
                Ok(Expiry(Some(clamp_secs(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Expiry, E> {
                // serde_json hands non-negative integers to `visit_u64`; this is negative.
                u64::try_from(v)
                    .map(|u| Expiry(Some(clamp_secs(u))))
                    .map_err(|_| refuse())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Expiry, E> {
                expiry_from_f64(v, String::new)
                    .map(Expiry)
                    .map_err(|_| refuse())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Expiry, E> {
                expiry_from_str(v).map(Expiry).map_err(|_| refuse())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Expiry, E> {
                Ok(Expiry(None))
            }
        }
        deserializer.deserialize_any(V).map(Lenient)
    }
}

impl<'de> Deserialize<'de> for Lenient<TokenType> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TokenType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a token type")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TokenType, E> {
                // Blank means "not said", like absent; otherwise compared case-insensitively.
                Ok(if v.trim().is_empty() {
                    TokenType::Bearer
                } else {
                    TokenType::parse(v)
                })
            }
            fn visit_unit<E: de::Error>(self) -> Result<TokenType, E> {
                Ok(TokenType::Bearer)
            }
        }
        deserializer.deserialize_any(V).map(Lenient)
    }
}

/// `scope`: a space-separated string or an array of strings; `null`, blank and `[]` count as
/// absent. The string is kept whole: [`TokenSet::scopes`] splits it when first read.
struct Scopes(Option<ScopeValue>);

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<ScopeValue>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scope string or array")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let blank = v.split_whitespace().next().is_none();
                Ok((!blank).then(|| ScopeValue::Text(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut scopes = Vec::with_capacity(seq.size_hint().unwrap_or(4));
                while let Some(s) = seq.next_element::<String>()? {
                    scopes.push(s);
                }
                Ok((!scopes.is_empty()).then_some(ScopeValue::List(scopes)))
            }
        }
        deserializer.deserialize_any(V).map(Scopes)
    }
}

#[cfg(test)]
mod tests {
    use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};

    use super::*;
    use crate::transport::shape::ResponseFormat;

    fn answer(content_type: &str, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        let url = url::Url::parse("https://id.example.com/token").unwrap();
        HttpResponse::new(url, 200, headers, body.to_owned())
    }

    #[test]
    fn the_typed_path_reads_every_shape_in_one_pass() {
        let mut camel = TokenResponseShape::STANDARD;
        camel.fields = FieldNames(&[("access_token", "accessToken"), ("expires_in", "expireIn")]);
        camel.error_code_field = Some("code");
        camel.success_codes = &["0"];
        let t = parse_fast(
            &answer(
                "application/json",
                r#"{"code":0,"accessToken":"at","expireIn":"60","corpId":"c"}"#,
            ),
            "p",
            &camel,
        )
        .unwrap();
        assert_eq!(t.expires_in(), Some(Duration::from_secs(60)));
        assert_eq!(t.extra().keys().collect::<Vec<_>>(), ["corpId"]);
        // A failure code makes it decline, for the `Value` pipeline to report.
        assert!(parse_fast(
            &answer("application/json", r#"{"code":5,"accessToken":"at"}"#),
            "p",
            &camel
        )
        .is_none());

        let mut envelope = TokenResponseShape::STANDARD;
        envelope.envelope = Some("data");
        envelope.error_code_field = Some("code");
        envelope.success_codes = &["0"];
        let body = r#"{"code":"0","data":{"access_token":"at","x":1},"requestId":"r"}"#;
        let t = parse_fast(&answer("application/json", body), "p", &envelope).unwrap();
        assert_eq!(t.extra().keys().collect::<Vec<_>>(), ["x"]);
        let repeated = r#"{"code":0,"data":{"access_token":"at"},"data":{}}"#;
        assert!(parse_fast(&answer("application/json", repeated), "p", &envelope).is_none());

        let mut form = TokenResponseShape::STANDARD;
        form.format = ResponseFormat::ByContentType;
        let body = "access_token=at&token_type=bearer&expires_in=28800&scope=repo%2Cgist";
        let t = parse_fast(
            &answer("application/x-www-form-urlencoded", body),
            "p",
            &form,
        )
        .unwrap();
        assert_eq!(t.expires_in(), Some(Duration::from_secs(28800)));
        assert!(t.extra().is_empty());
        let error = "error=bad_verification_code";
        assert!(parse_fast(
            &answer("application/x-www-form-urlencoded", error),
            "p",
            &form
        )
        .is_none());
    }

    #[test]
    fn control_characters_are_found_on_the_bytes_as_char_is_control_finds_them() {
        for c in (0u32..0x300).filter_map(char::from_u32) {
            let s = format!("ab{c}cd");
            assert_eq!(super::has_control(&s), c.is_control(), "{:#x}", c as u32);
        }
        assert!(!super::has_control("é中文🙂"));
    }
}
