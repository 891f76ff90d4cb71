//! Where the browser may go after sign-in: only a path on this site.

/// The longest `next` accepted.
const MAX_NEXT: usize = 2048;

/// `raw` when it is a path on this site (`/orders?page=2#top`), `None` otherwise.
///
/// After sign-in the browser is redirected to `next`, so an attacker who can choose it would
/// turn the sign-in into an open redirect (a link to the real sign-in page that ends on a
/// phishing site). Refused: anything that is not a path starting with one `/`: `//host`
/// (scheme-relative), `/\host` and any backslash (browsers read `\` as `/`), schemes
/// (`https:`, `javascript:`), control characters and whitespace (stripped by browsers, so
/// `/\t/host` becomes `//host`), and the same tricks percent-encoded (`/%2F%2Fhost`,
/// `%5C`), decoded once or twice.
pub fn safe_next(raw: &str) -> Option<&str> {
    if raw.is_empty() || raw.len() > MAX_NEXT || !raw.starts_with('/') {
        return None;
    }
    if raw
        .chars()
        .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let mut text = raw.to_owned();
    // Decoded twice too: a value double-encoded by a proxy or a careless caller is read the
    // way the least careful component would read it.
    for _ in 0..3 {
        if !plain_path(&text) {
            return None;
        }
        let decoded = percent_decode(&text)?;
        if decoded == text {
            break;
        }
        text = decoded;
    }
    Some(raw)
}

/// The checks on one reading of the value: one leading `/`, and no backslash or control
/// character in the path (a decoded space is fine: `/search?q=a%20b`).
fn plain_path(text: &str) -> bool {
    let mut chars = text.chars();
    if chars.next() != Some('/') || matches!(chars.next(), Some('/' | '\\')) {
        return false;
    }
    let path = text.split(['?', '#']).next().unwrap_or_default();
    !path.chars().any(|c| c == '\\' || c.is_control())
}

/// Percent-decodes `text`; `None` when the result is not UTF-8 (no legitimate path of this
/// site needs that).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_accepted() {
        let accepted = [
            "/",
            "/me",
            "/orders/42?page=2&sort=date#top",
            "/search?q=a%20b",
            "/a/b/../c",
            "/%E2%9C%93",
            "/path?next=//elsewhere",
        ];
        for next in accepted {
            assert_eq!(safe_next(next), Some(next), "{next:?} should be accepted");
        }
        let refused = [
            "",
            "me",
            "//evil.example",
            "//evil.example/path",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "https://evil.example",
            "http://evil.example/",
            "javascript:alert(1)",
            "data:text/html,x",
            "HTTPS://evil.example",
            " /me",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%252F%252Fevil.example",
            "/%09/evil.example",
            "/%0d%0aSet-Cookie:x=y",
            "/%FF",
            "/me\u{0}",
            "/\u{2028}/evil.example",
        ];
        for next in refused {
            assert_eq!(safe_next(next), None, "{next:?} should be refused");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT))), None);
    }
}
