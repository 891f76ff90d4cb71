//! The one error type every tokenbridge crate returns.
//!
//! Adapters translate their vendor's failures into these variants, so an application matches on
//! the same kinds whichever vendor is configured. Nothing here ever holds a secret: response
//! snippets are redacted before they are stored (see [`redact_snippet`]).

use std::fmt;

use crate::grant::GrantKind;

/// Result alias used throughout tokenbridge.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while exchanging a credential for tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an OAuth 2.0 error (RFC 6749 section 5.2), or with an error
    /// status that carries no body at all.
    #[error("{0}")]
    Provider(Box<ProviderError>),

    /// The vendor's business envelope reported a failure (for example GenAuth's `statusCode`).
    #[error("{0}")]
    Vendor(Box<VendorError>),

    /// The request did not complete: connection refused, DNS failure, TLS failure or timeout.
    #[error("{0}")]
    Transport(Box<TransportError>),

    /// The provider answered, but the answer could not be understood.
    #[error("{0}")]
    UnreadableResponse(Box<UnreadableResponse>),

    /// The response body was larger than the configured cap.
    #[error(
        "the response from {endpoint} exceeded the {limit}-byte body limit; \
         check that the URL points at a token endpoint, or raise HttpConfig::max_body_bytes"
    )]
    ResponseTooLarge {
        /// The endpoint that was called.
        endpoint: String,
        /// The cap in bytes that was exceeded.
        limit: usize,
    },

    /// The token endpoint answered with a redirect, which tokenbridge never follows.
    #[error(
        "{endpoint} answered HTTP {status} with a redirect {target}; tokenbridge does not follow \
         redirects from a provider (the request may carry credentials): check the configured URL \
         (scheme, host, path, trailing slash)",
        target = location.as_deref().map_or_else(|| "without a Location header".to_owned(), |l| format!("to {l}"))
    )]
    Redirected {
        /// The endpoint that was called.
        endpoint: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if any, with credential-looking query values redacted.
        location: Option<String>,
    },

    /// The exchanger does not support the grant it was asked for.
    #[error(
        "provider {provider:?} does not support the {grant} grant; supported: {supported}",
        supported = display_kinds(supported)
    )]
    UnsupportedGrant {
        /// The provider id of the exchanger.
        provider: String,
        /// The grant that was requested.
        grant: GrantKind,
        /// What the exchanger does support.
        supported: Vec<GrantKind>,
    },

    /// An interactive login (for example a QR-code login) ended without tokens.
    #[error("{0}")]
    Login(Box<LoginError>),

    /// The configuration is wrong; nothing was sent.
    #[error("configuration error{}: {message}", key.as_deref().map(|k| format!(" in `{k}`")).unwrap_or_default())]
    Config {
        /// The configuration key at fault, when one is.
        key: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A [`TokenSession`](crate::session::TokenSession) could not hand out a token: the session
    /// has ended, a refresh failed and it is backing off, or its store failed.
    #[error("{0}")]
    Session(Box<crate::session::SessionError>),
}

fn display_kinds(kinds: &[GrantKind]) -> String {
    if kinds.is_empty() {
        return "none".to_owned();
    }
    kinds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// A configuration error about `key`.
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            key: Some(key.into()),
            message: message.into(),
        }
    }

    /// A configuration error that concerns no single key.
    pub fn config_general(message: impl Into<String>) -> Self {
        Error::Config {
            key: None,
            message: message.into(),
        }
    }

    /// Whether trying the same request again later may succeed.
    ///
    /// True for connection failures, timeouts, HTTP 429 and 5xx answers, and vendor business
    /// errors with a 5xx code. A caller must still not replay a one-time credential (see
    /// [`GrantKind::is_one_time`]) unless the failure happened before the request was sent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(t) => {
                matches!(t.kind, TransportKind::Connect | TransportKind::Timeout)
            }
            Error::Provider(p) => {
                p.status == Some(429)
                    || p.status.is_some_and(|s| s >= 500)
                    || p.code == "temporarily_unavailable"
                    || p.code == "server_error"
            }
            Error::Vendor(v) => {
                v.status_code >= 500
                    || v.http_status >= 500
                    || v.status_code == 429
                    || v.http_status == 429
            }
            Error::UnreadableResponse(u) => u.status.is_some_and(|s| s >= 500 || s == 429),
            _ => false,
        }
    }

    /// Whether the credential itself was refused: the code was used or expired, the refresh
    /// token was revoked, the verifier did not match. Get a fresh credential; do not retry.
    pub fn is_invalid_grant(&self) -> bool {
        match self {
            Error::Provider(p) => p.code == "invalid_grant",
            Error::Login(l) => matches!(l.reason, LoginEnd::Expired),
            _ => false,
        }
    }

    /// Whether the provider refused the client's own credentials: unknown client id, wrong
    /// secret, or an auth method the provider does not accept for this client.
    pub fn is_invalid_client(&self) -> bool {
        match self {
            Error::Provider(p) => p.code == "invalid_client" || p.code == "unauthorized_client",
            _ => false,
        }
    }

    /// The provider's refusal, when this is one.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Error::Provider(p) => Some(p),
            _ => None,
        }
    }

    /// The vendor business error, when this is one.
    pub fn vendor_error(&self) -> Option<&VendorError> {
        match self {
            Error::Vendor(v) => Some(v),
            _ => None,
        }
    }
}

/// An OAuth 2.0 error answer (RFC 6749 section 5.2), or an error status without a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderError {
    /// HTTP status of the answer; `None` only when built by hand.
    pub status: Option<u16>,
    /// The `error` code, e.g. `invalid_grant`. When the body was empty this is derived from the
    /// status (401 gives `invalid_client`, 400 gives `invalid_request`, ...) and
    /// [`ProviderError::from_status_only`] is true.
    pub code: String,
    /// `error_description`, as sent.
    pub description: Option<String>,
    /// `error_uri`, as sent.
    pub uri: Option<String>,
    /// Whether `code` was derived from the HTTP status because the body was empty.
    pub from_status_only: bool,
    /// Extra guidance an adapter adds, e.g. that PKCE was in play so the verifier may be wrong.
    pub hint: Option<String>,
}

impl ProviderError {
    /// A refusal with the given status and RFC 6749 code.
    pub fn new(status: Option<u16>, code: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            description: None,
            uri: None,
            from_status_only: false,
            hint: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    /// Sets the error URI.
    pub fn with_uri(mut self, uri: Option<String>) -> Self {
        self.uri = uri;
        self
    }

    /// Sets an adapter's hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What a person should check for this error code.
    pub fn advice(&self) -> &'static str {
        match self.code.as_str() {
            "invalid_grant" => {
                "the code, ticket or refresh token is invalid, expired, already used or revoked, \
                 or the redirect_uri differs from the authorize request: start a new login"
            }
            "invalid_client" => {
                "check client_id, client_secret and the configured auth_method \
                 (none, client_secret_post or client_secret_basic)"
            }
            "unauthorized_client" => "the client is not allowed this grant type: check the application's settings at the provider",
            "unsupported_grant_type" => "the provider does not accept this grant_type for this client",
            "invalid_scope" => "one of the requested scopes is unknown or not allowed for this client",
            "invalid_request" => "a required parameter is missing or malformed: check the configuration and the grant's fields",
            "access_denied" => "the user or the provider denied the request",
            "temporarily_unavailable" | "server_error" => "the provider has a problem: try again later",
            _ => "see the provider's documentation for this error code",
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the provider refused the request")?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, ": {}", self.code)?;
        if self.from_status_only {
            write!(f, " (derived from the status: the answer had no body)")?;
        }
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        if let Some(u) = &self.uri {
            write!(f, " (see {u})")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        write!(f, "; {}", self.advice())
    }
}

/// A failure reported in a vendor's business envelope rather than as an OAuth 2.0 error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// The vendor, e.g. `genauth`.
    pub vendor: String,
    /// The HTTP status the envelope came with (often 200).
    pub http_status: u16,
    /// The envelope's business status on the HTTP scale, e.g. GenAuth `statusCode` 400.
    /// [`Error::is_retryable`] treats 500 and above as a server fault, so a vendor whose codes
    /// are on another scale maps them onto this one and keeps the original in `api_code`.
    pub status_code: i64,
    /// The vendor's fine-grained code (GenAuth `apiCode`, Huawei `error_code`), as text.
    pub api_code: Option<String>,
    /// The vendor's message.
    pub message: String,
    /// The vendor's request id (GenAuth `requestId` or `uniqueId`), to quote to support.
    pub request_id: Option<String>,
}

impl VendorError {
    /// A vendor error with the essentials; the optional fields start empty.
    pub fn new(
        vendor: impl Into<String>,
        http_status: u16,
        status_code: i64,
        message: impl Into<String>,
    ) -> Self {
        Self {
            vendor: vendor.into(),
            http_status,
            status_code,
            api_code: None,
            message: message.into(),
            request_id: None,
        }
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} reported an error (HTTP {}, status {}",
            self.vendor, self.http_status, self.status_code
        )?;
        if let Some(code) = &self.api_code {
            write!(f, ", code {code}")?;
        }
        write!(f, "): {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id}: quote it to the vendor's support)")?;
        }
        Ok(())
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be made (refused, DNS, TLS). The request was not sent.
    Connect,
    /// The connect or total timeout elapsed. The request may have reached the server.
    Timeout,
    /// Anything else, e.g. the connection dropped mid-response.
    Other,
}

/// A request that did not complete.
#[derive(Debug, thiserror::Error)]
#[error("{what} {endpoint} failed: {message}; {advice}", what = self.what(), advice = self.advice())]
#[non_exhaustive]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportKind,
    /// The endpoint that was called (never contains a credential).
    pub endpoint: String,
    /// The underlying error, as text.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    fn what(&self) -> &'static str {
        match self.kind {
            TransportKind::Connect => "connecting to",
            TransportKind::Timeout => "the request to",
            TransportKind::Other => "the request to",
        }
    }

    fn advice(&self) -> &'static str {
        match self.kind {
            TransportKind::Connect => "check the URL, DNS, proxy and TLS setup; this is retryable",
            TransportKind::Timeout => {
                "it timed out and may have reached the provider; check the network or raise \
                 HttpConfig's timeouts, and start a new login rather than resending a code or ticket"
            }
            TransportKind::Other => "the connection broke; check the network",
        }
    }
}

/// A response that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableResponse {
    /// The endpoint that answered.
    pub endpoint: String,
    /// HTTP status.
    pub status: Option<u16>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// What was wrong with it.
    pub reason: String,
    /// The start of the body, with anything that looks like a credential replaced.
    pub snippet: String,
}

impl fmt::Display for UnreadableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not understand the answer from {}", self.endpoint)?;
        let content_type = self.content_type.as_deref().unwrap_or("no content type");
        match self.status {
            Some(s) => write!(f, " (HTTP {s}, {content_type})")?,
            None => write!(f, " ({content_type})")?,
        }
        write!(f, ": {}", self.reason)?;
        if !self.snippet.is_empty() {
            write!(f, "; body starts: {:?}", self.snippet)?;
        }
        if self.status.is_some_and(|s| s >= 500 || s == 429) {
            write!(
                f,
                "; the provider or a gateway in front of it failed: try again later, and check the URL if it persists"
            )
        } else {
            write!(
                f,
                "; check that the URL points at the provider's endpoint, not a proxy, gateway or web page"
            )
        }
    }
}

/// Why an interactive login ended without tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginEnd {
    /// The user cancelled on their device.
    Cancelled,
    /// The provider says the login (e.g. a QR code) expired.
    Expired,
    /// The caller's deadline passed first.
    TimedOut,
    /// The caller stopped waiting.
    Aborted,
    /// The provider reported a failure or a state tokenbridge does not know.
    Failed,
}

/// An interactive login that ended without tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginError {
    /// Why it ended.
    pub reason: LoginEnd,
    /// Details for a person.
    pub detail: String,
}

impl LoginError {
    /// A login error.
    pub fn new(reason: LoginEnd, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.reason {
            LoginEnd::Cancelled => "the user cancelled the login",
            LoginEnd::Expired => "the login expired before it was confirmed: start a new one",
            LoginEnd::TimedOut => "the login was not confirmed before the deadline",
            LoginEnd::Aborted => "the login was abandoned by the application",
            LoginEnd::Failed => "the login failed",
        };
        write!(f, "{what}")?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        Error::Provider(Box::new(e))
    }
}

impl From<VendorError> for Error {
    fn from(e: VendorError) -> Self {
        Error::Vendor(Box::new(e))
    }
}

impl From<UnreadableResponse> for Error {
    fn from(e: UnreadableResponse) -> Self {
        Error::UnreadableResponse(Box::new(e))
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(Box::new(e))
    }
}

impl From<LoginError> for Error {
    fn from(e: LoginError) -> Self {
        Error::Login(Box::new(e))
    }
}

/// Key names (lower case, without `_` and `-`) whose values are credentials, besides every
/// key ending in `token` or `secret` (`access_token`, `refreshToken`, `client_secret`, ...).
const SENSITIVE_KEYS: &[&str] = &["code", "codeverifier", "ticket", "password", "assertion"];

/// What replaces a credential in a snippet.
const REDACTED: &str = "[redacted]";

/// Whether a JSON key or form/query parameter name carries a credential. Spelling is
/// normalized so `access_token`, `accessToken` and `Access-Token` all match.
fn is_sensitive_key(key: &str) -> bool {
    let normalized: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    normalized.ends_with("token")
        || normalized.ends_with("secret")
        || SENSITIVE_KEYS.contains(&normalized.as_str())
}

/// Longest snippet kept in an [`UnreadableResponse`], in characters.
pub const SNIPPET_CHARS: usize = 200;

/// Returns the start of `body` as text, safe to show: values of credential-bearing keys (in
/// JSON, in `key=value` pairs and in `"key": "value"` fragments of broken JSON) and anything
/// shaped like a JWT are replaced by `[redacted]`, and the result is cut to [`SNIPPET_CHARS`]
/// characters.
pub fn redact_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => redact_text(&text),
    };
    let mut out: String = redacted.chars().take(SNIPPET_CHARS).collect();
    if redacted.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_sensitive_key(key) && !v.is_null() {
                    *v = serde_json::Value::String(REDACTED.into());
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        serde_json::Value::String(s) if looks_like_jwt(s) => *s = REDACTED.into(),
        _ => {}
    }
}

/// Characters that end a word in free text. `=` and `:` are not among them, so `code=abc`
/// is one word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | '<'
                | '>'
                | '&'
                | '?'
                | '#'
                | ','
                | ';'
                | '('
                | ')'
                | '{'
                | '}'
                | '['
                | ']'
        )
}

/// Redacts free text (HTML pages, truncated or broken JSON, URLs): JWT-shaped words, and the
/// values after sensitive keys written as `key=value`, `key: value` or `"key": "value"`.
pub(crate) fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if is_delimiter(c) {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(is_delimiter).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if looks_like_jwt(word) {
            out.push_str(REDACTED);
            continue;
        }
        match word.find(['=', ':']) {
            Some(i) if is_sensitive_key(&word[..i]) => {
                out.push_str(&word[..=i]);
                if word.len() > i + 1 {
                    out.push_str(REDACTED);
                } else {
                    // `code= "abc"`: the value is the next word.
                    rest = redact_value(rest, &mut out, false);
                }
            }
            Some(_) => out.push_str(word),
            None => {
                out.push_str(word);
                if is_sensitive_key(word) {
                    rest = redact_value(rest, &mut out, true);
                }
            }
        }
    }
    out
}

/// After a sensitive key: copies the separator (a closing quote, `:` or `=`, spaces; only
/// spaces when `need_separator` is false) to `out`, writes `[redacted]` in place of the value
/// (quoted or bare) and returns the text after it. Returns `rest` unchanged when no value
/// follows.
fn redact_value<'a>(rest: &'a str, out: &mut String, need_separator: bool) -> &'a str {
    let bytes = rest.as_bytes();
    let mut i = 0;
    if need_separator {
        if matches!(bytes.first(), Some(b'"' | b'\'')) {
            i += 1;
        }
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i += 1;
        }
        if !matches!(bytes.get(i), Some(b':' | b'=')) {
            return rest;
        }
        i += 1;
    }
    while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    match bytes.get(i) {
        Some(&quote @ (b'"' | b'\'')) => {
            out.push_str(&rest[..=i]);
            let value = &rest[i + 1..];
            out.push_str(REDACTED);
            // An unterminated value (a truncated body) is redacted to the end.
            match value.find(quote as char) {
                Some(close) => &value[close..],
                None => "",
            }
        }
        _ => {
            out.push_str(&rest[..i]);
            let value = &rest[i..];
            let end = value.find(is_delimiter).unwrap_or(value.len());
            if end > 0 {
                out.push_str(REDACTED);
            }
            &value[end..]
        }
    }
}

fn looks_like_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 3
        && s.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_redacts_json_credentials() {
        let body = br#"{"access_token":"s3cr3t-at","nested":{"refresh_token":"s3cr3t-rt"},"ok":"visible"}"#;
        let s = redact_snippet(body);
        assert!(!s.contains("s3cr3t"), "{s}");
        assert!(s.contains("visible"));
    }

    #[test]
    fn snippet_redacts_jwts_and_pairs_in_text() {
        let body =
            b"<html>token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln and code=abc123 here</html>";
        let s = redact_snippet(body);
        assert!(!s.contains("eyJhbGci"), "{s}");
        assert!(!s.contains("abc123"), "{s}");
        assert!(s.contains("<html>token"));
    }

    #[test]
    fn snippet_text_redaction_is_exact() {
        let cases = [
            // Words that merely name a key are left alone.
            ("the code expired", "the code expired"),
            ("code=abc&state=1", "code=[redacted]&state=1"),
            ("code=&state=1", "code=&state=1"),
            ("https://h/cb?code=abc#x", "https://h/cb?code=[redacted]#x"),
            ("(client_secret=s1)", "(client_secret=[redacted])"),
            (
                r#"{"access_token" : "a b", "token_type":"Bearer""#,
                r#"{"access_token" : "[redacted]", "token_type":"Bearer""#,
            ),
            (
                r#"{"refresh_token":"cut off"#,
                r#"{"refresh_token":"[redacted]"#,
            ),
            ("accessToken: abc def", "accessToken: [redacted] def"),
            ("Ticket='t-1'", "Ticket='[redacted]'"),
            ("password = hunter2;", "password = [redacted];"),
            ("id_token\n", "id_token\n"),
            ("expires_in=3600", "expires_in=3600"),
        ];
        for (text, expected) in cases {
            assert_eq!(redact_snippet(text.as_bytes()), expected, "{text}");
        }
    }

    #[test]
    fn snippet_json_redaction_normalizes_key_spelling() {
        let body = br#"{"data":{"accessToken":"a","Refresh-Token":"r","idToken":null,"code":7,"token_type":"bearer","list":["eyJhbGciOiJub25lIn0.eyJzIjoxfQ.c2ln"]}}"#;
        assert_eq!(
            redact_snippet(body),
            r#"{"data":{"Refresh-Token":"[redacted]","accessToken":"[redacted]","code":"[redacted]","idToken":null,"list":["[redacted]"],"token_type":"bearer"}}"#
        );
    }

    #[test]
    fn snippet_is_truncated() {
        let body = "x".repeat(5000);
        let s = redact_snippet(body.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn helpers_classify() {
        let e: Error = ProviderError::new(Some(400), "invalid_grant").into();
        assert!(e.is_invalid_grant() && !e.is_invalid_client() && !e.is_retryable());
        let e: Error = ProviderError::new(Some(401), "invalid_client").into();
        assert!(e.is_invalid_client());
        let e: Error = ProviderError::new(Some(503), "server_error").into();
        assert!(e.is_retryable());
        let e: Error = VendorError::new("genauth", 429, 429, "too many requests").into();
        assert!(e.is_retryable());
        let e: Error = VendorError::new("genauth", 200, 400, "bad ticket").into();
        assert!(!e.is_retryable());
        let e: Error = TransportError {
            kind: TransportKind::Connect,
            endpoint: "https://x/token".into(),
            message: "refused".into(),
            source: None,
        }
        .into();
        assert!(e.is_retryable());
    }
}
