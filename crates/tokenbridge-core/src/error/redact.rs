//! Redaction: what tokenbridge keeps of a provider's answer is made safe to show.
//!
//! Error messages quote the start of an unreadable answer and the `Location` of a redirect, so
//! that a person can see what went wrong; a provider may echo credentials back in either.
//! Everything quoted goes through [`redact_snippet`] or [`redact_text`] first.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// Key names (lower case, without `_` and `-`) whose values are credentials.
const SENSITIVE_KEYS: &[&str] = &[
    "code",
    "authorizationcode",
    // RFC 8628: the device code is polled with until the user decides.
    "devicecode",
    "authorization",
    "cookie",
    "setcookie",
];

/// Endings of key names whose values are credentials: `access_token`, `refreshToken`,
/// `client_secret`, `code_verifier`, `pkce_verifier`, `qrcode_ticket`, `client_assertion`, ...
const SENSITIVE_SUFFIXES: &[&str] = &[
    "token",
    "secret",
    "verifier",
    "ticket",
    "password",
    "passwd",
    "assertion",
    "credential",
    "credentials",
    "apikey",
];

/// What replaces a credential in a snippet.
const REDACTED: &str = "[redacted]";

/// Whether a JSON key or form/query parameter name carries a credential. Spelling is
/// normalized so `access_token`, `accessToken` and `Access-Token` all match.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    let normalized: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    SENSITIVE_SUFFIXES
        .iter()
        .any(|end| normalized.ends_with(end))
        || SENSITIVE_KEYS.contains(&normalized.as_str())
}

/// The exact credentials a request carried. [`SentSecrets::scrub`] removes them, in every
/// spelling a server might echo them in (as sent, form-encoded, percent-encoded, JSON-escaped,
/// inside the base64 of a Basic header), from everything kept of the answer, so that no piece
/// of a credential survives even in a key tokenbridge does not know.
///
/// Only the raw values are kept, and only when an error is reported: the spellings are worked
/// out when scrubbing, so a successful exchange pays nothing.
#[derive(Clone, Default)]
pub struct SentSecrets(Arc<[String]>);

impl std::fmt::Debug for SentSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SentSecrets({} values, [redacted])", self.0.len())
    }
}

/// Shorter values are not scrubbed: they would match ordinary text (and no real credential is
/// this short).
const MIN_SCRUBBED_CHARS: usize = 4;

impl SentSecrets {
    /// The credentials among `secrets` (parameter values) and `headers` (sensitive header
    /// values: a Basic header's credentials are decoded and kept too).
    pub fn new<'a>(
        secrets: impl IntoIterator<Item = &'a str>,
        headers: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut raw: Vec<String> = secrets.into_iter().map(str::to_owned).collect();
        for header in headers {
            let value = header
                .strip_prefix("Basic ")
                .or_else(|| header.strip_prefix("Bearer "))
                .or_else(|| header.strip_prefix("DPoP "))
                .unwrap_or(header)
                .trim();
            raw.push(value.to_owned());
            // The Basic credentials themselves, as the server may print them decoded.
            if let Some(decoded) = STANDARD
                .decode(value)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                if let Some((_, secret)) = decoded.split_once(':') {
                    let unescaped: String =
                        url::form_urlencoded::parse(format!("s={secret}").as_bytes())
                            .next()
                            .map(|(_, v)| v.into_owned())
                            .unwrap_or_default();
                    raw.push(secret.to_owned());
                    raw.push(unescaped);
                }
            }
        }
        raw.retain(|v| v.chars().count() >= MIN_SCRUBBED_CHARS);
        Self(raw.into())
    }

    /// Whether there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every spelling of every credential, longest first so that a spelling containing
    /// another is replaced whole.
    fn spellings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for value in self.0.iter() {
            let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            let percent = form.replace('+', "%20");
            let json = serde_json::to_string(value).unwrap_or_default();
            let json = json.trim_matches('"').to_owned();
            for spelling in [value.clone(), form, percent, json] {
                if spelling.chars().count() >= MIN_SCRUBBED_CHARS && !out.contains(&spelling) {
                    out.push(spelling);
                }
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out
    }

    /// `text` with every spelling of every credential replaced by `[redacted]`. When `text`
    /// was cut (it ends with `…`), a credential's beginning left at the cut is removed too.
    pub fn scrub(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        let spellings = self.spellings();
        let mut out = text.to_owned();
        for secret in &spellings {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        if let Some(body) = out.strip_suffix('…') {
            // The longest start of any credential that the cut text ends with.
            let cut = spellings
                .iter()
                .filter_map(|secret| {
                    let chars: Vec<(usize, char)> = secret.char_indices().collect();
                    (MIN_SCRUBBED_CHARS.min(chars.len())..chars.len())
                        .rev()
                        .map(|n| &secret[..chars[n].0])
                        .find(|start| body.ends_with(start))
                        .map(str::len)
                })
                .max();
            if let Some(len) = cut {
                out = format!("{}{REDACTED}…", &body[..body.len() - len]);
            }
        }
        out
    }

    /// [`scrub`](Self::scrub) in place, for an optional field.
    pub fn scrub_opt(&self, text: &mut Option<String>) {
        if let Some(t) = text {
            *t = self.scrub(t);
        }
    }
}

/// Longest snippet kept in an [`UnreadableResponse`](crate::UnreadableResponse), in characters.
pub const SNIPPET_CHARS: usize = 200;

/// Returns the start of `body` as text, safe to show: values of credential-bearing keys (in
/// JSON, in `key=value` pairs and in `"key": "value"` fragments of broken JSON) and anything
/// shaped like a JWT are replaced by `[redacted]`, and the result is cut to [`SNIPPET_CHARS`]
/// characters.
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn redact_snippet(body: &[u8]) -> String {
    redact_snippet_scrubbing(body, &SentSecrets::default())
}

/// [`redact_snippet`], after scrubbing the exact credentials the request carried.
pub(crate) fn redact_snippet_scrubbing(body: &[u8], sent: &SentSecrets) -> String {
    let text = String::from_utf8_lossy(body);
    let text = sent.scrub(&text);
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

/// Replaces, in place, the values of credential-looking keys (`access_token`, `secret`,
/// `code`, ... in any spelling) and JWT-shaped strings with `"[redacted]"`: for JSON a server
/// sent that tokenbridge keeps or prints as is.
pub(crate) fn redact_json_credentials(value: &mut serde_json::Value) {
    redact_json(value);
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
pub fn redact_text(text: &str) -> String {
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
        if let Some(after) = redact_scheme_credential(word, rest, &mut out) {
            rest = after;
            continue;
        }
        match word.find(['=', ':']) {
            Some(i) if is_sensitive_key(&word[..i]) => {
                out.push_str(&word[..=i]);
                if word.len() > i + 1 {
                    match redact_scheme_credential(&word[i + 1..], rest, &mut out) {
                        Some(after) => rest = after,
                        None => out.push_str(REDACTED),
                    }
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
            if let Some(after) = redact_scheme_credential(&value[..end], &value[end..], out) {
                return after;
            }
            if end > 0 {
                out.push_str(REDACTED);
            }
            &value[end..]
        }
    }
}

/// HTTP authentication schemes whose credential follows the scheme word (RFC 7235 section
/// 2.1, RFC 6750, RFC 7617, RFC 9449).
const SCHEMES: &[&str] = &["bearer", "basic", "dpop"];

/// When `word` is an authentication scheme followed by spaces and a credential (RFC 7235's
/// token68, not an auth-param such as `realm="..."`): writes the scheme, the spaces and
/// `[redacted]` to `out` and returns the text after the credential.
fn redact_scheme_credential<'a>(word: &str, rest: &'a str, out: &mut String) -> Option<&'a str> {
    if !SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s)) {
        return None;
    }
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if spaces == 0 {
        return None;
    }
    let value = &rest[spaces..];
    let end = value.find(is_delimiter).unwrap_or(value.len());
    let credential = &value[..end];
    let body = credential.trim_end_matches('=');
    let token68 = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    // `realm="api"`: the word ends at `=` and a quoted value follows.
    let auth_param = credential.ends_with('=') && value[end..].starts_with(['"', '\'']);
    if !token68 || auth_param {
        return None;
    }
    out.push_str(word);
    out.push_str(&rest[..spaces]);
    out.push_str(REDACTED);
    Some(&value[end..])
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

/// Removes quoted text from a parser's message: serde quotes the offending value, which in a
/// token file may be a token.
pub(crate) fn scrub_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    quote = Some(c);
                }
            }
        }
    }
    if quote.is_some() {
        out.push('…');
    }
    out
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
            // The credential after an authentication scheme, with or without a key before it.
            (
                "Authorization: Bearer tok-123.x~y",
                "Authorization: Bearer [redacted]",
            ),
            (
                "got authorization=Basic dXNlcjpwYXNz==;",
                "got authorization=Basic [redacted];",
            ),
            (
                "sent DPoP  a/b+c, refused",
                "sent DPoP  [redacted], refused",
            ),
            ("bearer abc", "bearer [redacted]"),
            (
                r#"WWW-Authenticate: Bearer realm="api", error="invalid_token""#,
                r#"WWW-Authenticate: Bearer realm="api", error="invalid_token""#,
            ),
            ("no Bearer", "no Bearer"),
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
    fn scrub_removes_quoted_values() {
        assert_eq!(
            scrub_quoted("invalid type: string \"s3cret\", expected u32"),
            "invalid type: string \"…\", expected u32"
        );
        assert_eq!(
            scrub_quoted("unknown `abc` and \"open"),
            "unknown `…` and \"…"
        );
    }
}
