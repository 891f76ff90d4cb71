//! An outgoing token request, before it is sent.
//!
//! Request building is separate from sending so that [`ClientAuth`](crate::ClientAuth)
//! implementations and adapters can act on it, and tests can assert the exact bytes.

use std::borrow::Cow;
use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, Result};

/// How the request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyEncoding {
    /// `application/x-www-form-urlencoded` (RFC 6749).
    Form,
    /// `application/json` with a flat object of string values (GenAuth V3).
    Json,
    /// No body (for `GET`).
    None,
}

/// One body or query parameter. Secret values are redacted in `Debug`.
#[derive(Clone)]
pub enum ParamValue {
    /// A value safe to show; borrowed when it is a literal such as `client_credentials`.
    Plain(Cow<'static, str>),
    /// A credential.
    Secret(SecretString),
    /// A structured value (object, array, number, boolean) for JSON bodies; a form body or a
    /// query string carries its JSON text.
    Json(serde_json::Value),
}

impl ParamValue {
    fn expose(&self) -> Cow<'_, str> {
        match self {
            ParamValue::Plain(s) => Cow::Borrowed(s),
            ParamValue::Secret(s) => Cow::Borrowed(s.expose_secret()),
            ParamValue::Json(serde_json::Value::String(s)) => Cow::Borrowed(s),
            ParamValue::Json(v) => Cow::Owned(v.to_string()),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            ParamValue::Json(v) => v.clone(),
            other => serde_json::Value::String(other.expose().into_owned()),
        }
    }
}

impl fmt::Debug for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Plain(s) => write!(f, "{s:?}"),
            ParamValue::Secret(_) => f.write_str("[redacted]"),
            ParamValue::Json(v) => write!(f, "{v}"),
        }
    }
}

/// A token request: endpoint, method, body encoding, parameters and headers.
#[derive(Clone)]
pub struct TokenRequest {
    method: Method,
    endpoint: Url,
    encoding: BodyEncoding,
    /// Names are mostly literals (`grant_type`, `client_id`): borrowed, they cost nothing.
    params: Vec<(Cow<'static, str>, ParamValue)>,
    headers: HeaderMap,
}

impl TokenRequest {
    /// A `POST` to `endpoint` with the given body encoding and no parameters yet.
    pub fn post(endpoint: Url, encoding: BodyEncoding) -> Self {
        Self {
            method: Method::POST,
            endpoint,
            encoding,
            params: Vec::new(),
            headers: HeaderMap::new(),
        }
    }

    /// A `GET` to `endpoint`; parameters go in the query string.
    pub fn get(endpoint: Url) -> Self {
        Self {
            method: Method::GET,
            endpoint,
            encoding: BodyEncoding::None,
            params: Vec::new(),
            headers: HeaderMap::new(),
        }
    }

    /// Adds a parameter that is safe to show.
    pub fn param(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.params.push((
            Cow::Owned(name.into()),
            ParamValue::Plain(Cow::Owned(value.into())),
        ));
        self
    }

    /// [`param`](Self::param) for a literal value (`grant_type=client_credentials`), which
    /// is then not copied.
    pub fn static_param(&mut self, name: &'static str, value: &'static str) -> &mut Self {
        self.params
            .push((Cow::Borrowed(name), ParamValue::Plain(Cow::Borrowed(value))));
        self
    }

    /// Adds a credential parameter; it is redacted in `Debug`.
    pub fn secret_param(&mut self, name: impl Into<String>, value: &SecretString) -> &mut Self {
        self.params
            .push((Cow::Owned(name.into()), ParamValue::Secret(value.clone())));
        self
    }

    /// Adds a structured parameter (an object, an array, a number, a boolean), sent as is in a
    /// JSON body and as its JSON text in a form body or query. Not for credentials: it is
    /// shown in `Debug`.
    pub fn json_param(&mut self, name: impl Into<String>, value: serde_json::Value) -> &mut Self {
        self.params
            .push((Cow::Owned(name.into()), ParamValue::Json(value)));
        self
    }

    /// Removes every parameter called `name`.
    pub fn remove_param(&mut self, name: &str) -> &mut Self {
        self.params.retain(|(n, _)| n != name);
        self
    }

    /// Whether a parameter called `name` is present.
    pub fn has_param(&self, name: &str) -> bool {
        self.params.iter().any(|(n, _)| n == name)
    }

    /// Sets a header; `sensitive` marks it so `Debug` output and HTTP/2 compression skip it.
    pub fn header(&mut self, name: HeaderName, value: &str, sensitive: bool) -> Result<&mut Self> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::internal(format!(
                "the value of the {} header contains characters not allowed in HTTP headers",
                name.as_str()
            ))
        })?;
        value.set_sensitive(sensitive);
        self.headers.insert(name, value);
        Ok(self)
    }

    /// Sets a header to a value built beforehand (e.g. once per client, not per request).
    /// Mark a credential with [`HeaderValue::set_sensitive`] first.
    pub fn insert_header(&mut self, name: HeaderName, value: HeaderValue) -> &mut Self {
        self.headers.insert(name, value);
        self
    }

    /// Sends the request with `method`, its parameters in a body of `encoding`
    /// ([`BodyEncoding::None`]: in the query).
    pub(crate) fn set_shape(&mut self, method: Method, encoding: BodyEncoding) {
        self.method = method;
        self.encoding = encoding;
    }

    /// Renames parameters in place, keeping their order: each `(from, to)` pair.
    pub(crate) fn rename_params<'a>(
        &mut self,
        pairs: impl Iterator<Item = (&'a str, &'static str)>,
    ) {
        for (from, to) in pairs {
            for (name, _) in self.params.iter_mut().filter(|(n, _)| n == from) {
                *name = Cow::Borrowed(to);
            }
        }
    }

    /// Removes the parameter `name` and returns its value as a secret, when present.
    pub(crate) fn take_secret_param(&mut self, name: &str) -> Option<SecretString> {
        let at = self.params.iter().position(|(n, _)| n == name)?;
        let (_, value) = self.params.remove(at);
        Some(match value {
            ParamValue::Secret(s) => s,
            other => SecretString::from(other.expose().into_owned()),
        })
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The body encoding.
    pub fn encoding(&self) -> BodyEncoding {
        self.encoding
    }

    /// The headers set so far (not counting `Content-Type` and `User-Agent`, added when sent).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Parameter names in order.
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|(n, _)| n.as_ref())
    }

    /// The `Content-Type` the body is sent with.
    pub fn content_type(&self) -> Option<&'static str> {
        match self.encoding {
            BodyEncoding::Form => Some("application/x-www-form-urlencoded"),
            BodyEncoding::Json => Some("application/json"),
            BodyEncoding::None => None,
        }
    }

    /// The exact body bytes that will be sent. Contains credentials: never log it.
    pub fn body_bytes(&self) -> Vec<u8> {
        match self.encoding {
            BodyEncoding::Form => {
                // Straight into one buffer of the exact size: the body becomes the request's
                // `Bytes` without a second allocation, which a buffer with spare capacity
                // would need. Measuring first costs a pass over short strings.
                let len = self
                    .params
                    .iter()
                    .map(|(n, v)| form_encoded_len(n) + 1 + form_encoded_len(&v.expose()))
                    .sum::<usize>()
                    + self.params.len().saturating_sub(1);
                let mut body = Vec::with_capacity(len);
                for (i, (n, v)) in self.params.iter().enumerate() {
                    if i > 0 {
                        body.push(b'&');
                    }
                    push_form_encoded(&mut body, n);
                    body.push(b'=');
                    push_form_encoded(&mut body, &v.expose());
                }
                body
            }
            BodyEncoding::Json => {
                let map: serde_json::Map<String, serde_json::Value> = self
                    .params
                    .iter()
                    .map(|(n, v)| (n.clone().into_owned(), v.to_json()))
                    .collect();
                serde_json::Value::Object(map).to_string().into_bytes()
            }
            BodyEncoding::None => Vec::new(),
        }
    }

    /// The URL the request goes to, with the parameters in the query for a `GET`.
    pub fn url(&self) -> Url {
        let mut url = self.endpoint.clone();
        if self.encoding == BodyEncoding::None && !self.params.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (n, v) in &self.params {
                pairs.append_pair(n, &v.expose());
            }
        }
        url
    }

    /// The credentials this request carries (secret parameters and sensitive headers), in
    /// every spelling a server might echo back, for scrubbing what is kept of its answer.
    pub fn sent_secrets(&self) -> crate::error::redact::SentSecrets {
        let params = self.params.iter().filter_map(|(_, v)| match v {
            ParamValue::Secret(s) => Some(s.expose_secret()),
            _ => None,
        });
        let headers = self
            .headers
            .values()
            .filter(|v| v.is_sensitive())
            .filter_map(|v| v.to_str().ok());
        crate::error::redact::SentSecrets::new(params, headers)
    }

    /// Headers including `Content-Type`, as they will be sent.
    pub fn headers_to_send(&self) -> HeaderMap {
        let mut headers = self.headers.clone();
        if let Some(ct) = self.sent_content_type() {
            headers.insert(CONTENT_TYPE, ct);
        }
        headers
    }

    /// The `Content-Type` sent: the encoding's, or the same media type with parameters where
    /// the headers set one (Feishu's `application/json; charset=utf-8`); another media type
    /// among the headers is replaced.
    pub(crate) fn sent_content_type(&self) -> Option<HeaderValue> {
        let media = self.content_type()?;
        Some(refined_content_type(media, self.headers.get(CONTENT_TYPE)))
    }
}

/// The `Content-Type` to send for a body of `media`: `set` (the first one among the request's
/// headers) when it is the same media type with parameters, else `media` itself.
pub(crate) fn refined_content_type(media: &'static str, set: Option<&HeaderValue>) -> HeaderValue {
    let refines = |set: &HeaderValue| {
        set.to_str().is_ok_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(media))
        })
    };
    match set {
        Some(set) if refines(set) => set.clone(),
        _ => HeaderValue::from_static(media),
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("method", &self.method)
            .field("endpoint", &self.endpoint.as_str())
            .field("encoding", &self.encoding)
            .field("params", &self.params)
            .field("headers", &self.headers)
            .finish()
    }
}

/// `application/x-www-form-urlencoded` serialization (the WHATWG form encoding: space as `+`).
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = Vec::new();
    for (i, (n, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_form_encoded(&mut out, n);
        out.push(b'=');
        push_form_encoded(&mut out, v);
    }
    // Only ASCII was written: every other byte became `%XX`.
    String::from_utf8(out).unwrap_or_default()
}

/// Whether the WHATWG form encoding keeps `byte` as it is, by byte: one load per byte.
static FORM_UNCHANGED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] =
            matches!(b as u8, b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z');
        b += 1;
    }
    table
};

fn form_unchanged(byte: u8) -> bool {
    FORM_UNCHANGED[usize::from(byte)]
}

/// The length of `s` once form-encoded.
fn form_encoded_len(s: &str) -> usize {
    let escaped = s
        .bytes()
        .filter(|&b| !form_unchanged(b) && b != b' ')
        .count();
    s.len() + 2 * escaped
}

/// Appends `s` form-encoded (the WHATWG `application/x-www-form-urlencoded` byte serializer:
/// space as `+`, every byte outside `*-._` and ASCII letters and digits as `%XX` in upper
/// case). Runs of bytes kept as they are are copied at once: a token request encodes its
/// parameters on every send, and they are mostly such runs.
fn push_form_encoded(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if form_unchanged(b) {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_the_whatwg_serializer_byte_for_byte() {
        let samples = [
            "",
            "plain-Text_0.9*",
            "a b+c&d=e%f",
            "https://app.example.com/cb?x=1#frag",
            "naïve 漢字 🙂",
            "\u{0}\u{1f}\u{7f}~!'()",
            "grant_type",
        ];
        for value in samples {
            let expected: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            let mut ours = Vec::new();
            push_form_encoded(&mut ours, value);
            assert_eq!(String::from_utf8(ours).unwrap(), expected, "{value:?}");
            assert_eq!(form_encoded_len(value), expected.len(), "{value:?}");
        }
        let pairs = [("a b", "c&d"), ("redirect_uri", "https://x.example/cb?y=1")];
        let expected = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        assert_eq!(form_encode(pairs), expected);
    }

    fn endpoint() -> Url {
        Url::parse("https://id.example.com/token").unwrap()
    }

    #[test]
    fn form_body_is_exact() {
        let mut r = TokenRequest::post(endpoint(), BodyEncoding::Form);
        r.param("grant_type", "authorization_code")
            .secret_param("code", &SecretString::from("a b&c=d+e"))
            .param("redirect_uri", "https://app.example.com/cb?x=1");
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "grant_type=authorization_code&code=a+b%26c%3Dd%2Be&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1"
        );
        assert_eq!(r.content_type(), Some("application/x-www-form-urlencoded"));
    }

    #[test]
    fn json_body_is_exact() {
        let mut r = TokenRequest::post(endpoint(), BodyEncoding::Json);
        r.secret_param("ticket", &SecretString::from("t\"1"))
            .param("client_id", "app");
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            r#"{"client_id":"app","ticket":"t\"1"}"#
        );
    }

    #[test]
    fn json_params_keep_their_type() {
        let mut r = TokenRequest::post(endpoint(), BodyEncoding::Json);
        r.param("type", "MOBILE_APP")
            .json_param("autoMergeQrCode", serde_json::json!(true))
            .json_param("customData", serde_json::json!({"plan": "pro", "seats": 3}));
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            r#"{"autoMergeQrCode":true,"customData":{"plan":"pro","seats":3},"type":"MOBILE_APP"}"#
        );
        let mut form = TokenRequest::post(endpoint(), BodyEncoding::Form);
        form.json_param("n", serde_json::json!(3))
            .json_param("s", serde_json::json!("a b"));
        assert_eq!(String::from_utf8(form.body_bytes()).unwrap(), "n=3&s=a+b");
    }

    #[test]
    fn debug_redacts_secrets_and_sensitive_headers() {
        let mut r = TokenRequest::post(endpoint(), BodyEncoding::Form);
        r.secret_param("client_secret", &SecretString::from("hunter2"))
            .header(http::header::AUTHORIZATION, "Basic aHVudGVyMg==", true)
            .unwrap();
        let dbg = format!("{r:?}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("aHVudGVyMg"),
            "{dbg}"
        );
    }

    #[test]
    fn get_puts_params_in_query() {
        let mut r = TokenRequest::get(endpoint());
        r.param("qrcodeId", "a b");
        assert_eq!(
            r.url().as_str(),
            "https://id.example.com/token?qrcodeId=a+b"
        );
        assert!(r.body_bytes().is_empty());
    }
}
