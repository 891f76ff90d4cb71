//! `WWW-Authenticate` challenges (RFC 9110 section 11.6.1), read well enough to tell whether a
//! resource server refused the access token (RFC 6750 section 3.1).

/// The longest header value read; real challenges are a few hundred bytes, and a value larger
/// than this is not worth a retry.
const MAX_HEADER: usize = 8192;

/// One challenge: its scheme and its auth-params (names in lower case, values unquoted).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: Vec<(String, String)>,
}

impl Challenge {
    /// The first value of `name` (case-insensitive, as RFC 9110 says parameter names are).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether any of the `WWW-Authenticate` field values holds a challenge of `scheme` (compared
/// case-insensitively) with `error="invalid_token"`. The error code is compared exactly: RFC
/// 6750 error codes are case-sensitive.
pub(crate) fn refuses_token<'a>(values: impl IntoIterator<Item = &'a [u8]>, scheme: &str) -> bool {
    values.into_iter().any(|value| {
        std::str::from_utf8(value)
            .ok()
            .and_then(parse)
            .is_some_and(|challenges| {
                challenges.iter().any(|c| {
                    c.scheme.eq_ignore_ascii_case(scheme)
                        && c.param("error") == Some("invalid_token")
                })
            })
    })
}

/// Reads one field value: `1#challenge`, where `challenge = auth-scheme [ 1*SP ( token68 /
/// #auth-param ) ]`. `None` when the value does not follow the grammar: a refusal that cannot
/// be read is not retried.
pub(crate) fn parse(value: &str) -> Option<Vec<Challenge>> {
    if value.len() > MAX_HEADER {
        return None;
    }
    let mut cursor = Cursor {
        bytes: value.as_bytes(),
        pos: 0,
    };
    let mut challenges = Vec::new();
    loop {
        cursor.skip_list_separators();
        if cursor.at_end() {
            break;
        }
        let scheme = cursor.token()?;
        let mut challenge = Challenge {
            scheme: scheme.to_owned(),
            params: Vec::new(),
        };
        let spaced = cursor.skip_whitespace();
        if spaced && !cursor.at_end() && cursor.peek() != Some(b',') {
            if !cursor.token68() {
                cursor.auth_params(&mut challenge.params)?;
            }
        } else if !cursor.at_end() && cursor.peek() != Some(b',') {
            // `Bearer"x"`: a scheme must be followed by a space, a comma or the end.
            return None;
        }
        challenges.push(challenge);
    }
    if challenges.is_empty() {
        None
    } else {
        Some(challenges)
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips optional whitespace; whether there was any.
    fn skip_whitespace(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Skips whitespace and commas: list elements may be empty (RFC 9110 section 5.6.1).
    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }

    /// `token = 1*tchar`.
    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        std::str::from_utf8(&self.bytes[start..self.pos]).ok()
    }

    /// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`, which must
    /// end the challenge. Consumed (and ignored: no scheme this crate reads carries one) only
    /// when it matches; otherwise the cursor is left where it was.
    fn token68(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_token68_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return false;
        }
        while self.peek() == Some(b'=') {
            self.pos += 1;
        }
        self.skip_whitespace();
        if self.at_end() || self.peek() == Some(b',') {
            return true;
        }
        self.pos = start;
        false
    }

    /// `#auth-param`, up to the end or the next challenge. `auth-param = token BWS "=" BWS (
    /// token / quoted-string )`; a token not followed by `=` begins the next challenge.
    fn auth_params(&mut self, params: &mut Vec<(String, String)>) -> Option<()> {
        loop {
            self.skip_list_separators();
            if self.at_end() {
                return Some(());
            }
            let start = self.pos;
            let name = self.token()?;
            self.skip_whitespace();
            if self.peek() != Some(b'=') {
                // The scheme of the next challenge.
                self.pos = start;
                if params.is_empty() {
                    // `Bearer foo bar`: neither token68 nor parameters.
                    return None;
                }
                return Some(());
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = if self.peek() == Some(b'"') {
                self.quoted_string()?
            } else {
                self.token()?.to_owned()
            };
            params.push((name.to_ascii_lowercase(), value));
            self.skip_whitespace();
            match self.peek() {
                None | Some(b',') => {}
                Some(_) => return None,
            }
        }
    }

    /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE`, unescaped.
    fn quoted_string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut value = Vec::new();
        loop {
            let byte = self.peek()?;
            self.pos += 1;
            match byte {
                b'"' => return String::from_utf8(value).ok(),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.pos += 1;
                    value.push(escaped);
                }
                b'\t' | b' '..=b'~' | 0x80..=0xff => value.push(byte),
                _ => return None,
            }
        }
    }
}

fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn is_token68_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(scheme: &str, params: &[(&str, &str)]) -> Challenge {
        Challenge {
            scheme: scheme.to_owned(),
            params: params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn reads_one_bearer_challenge_with_quoted_params() {
        assert_eq!(
            parse(
                r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#
            ),
            Some(vec![challenge(
                "Bearer",
                &[
                    ("realm", "example"),
                    ("error", "invalid_token"),
                    ("error_description", "The access token expired")
                ]
            )])
        );
    }

    #[test]
    fn reads_several_challenges_in_one_value() {
        let value = r#"Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"", bearer error=invalid_token"#;
        assert_eq!(
            parse(value),
            Some(vec![
                challenge("Basic", &[("realm", "simple")]),
                challenge(
                    "Newauth",
                    &[
                        ("realm", "apps"),
                        ("type", "1"),
                        ("title", r#"Login to "apps""#)
                    ]
                ),
                challenge("bearer", &[("error", "invalid_token")]),
            ])
        );
    }

    #[test]
    fn reads_token68_bare_schemes_and_empty_list_elements() {
        assert_eq!(
            parse("Negotiate abc+/def==, , Bearer,Basic"),
            Some(vec![
                challenge("Negotiate", &[]),
                challenge("Bearer", &[]),
                challenge("Basic", &[]),
            ])
        );
        assert_eq!(
            parse("Bearer  ERROR = \"invalid_token\" ,, scope=\"a b\""),
            Some(vec![challenge(
                "Bearer",
                &[("error", "invalid_token"), ("scope", "a b")]
            )])
        );
    }

    #[test]
    fn refuses_what_does_not_follow_the_grammar() {
        for value in [
            "",
            "   ",
            r#"Bearer error="invalid_token"#,
            r#"Bearer error="invalid_token" junk"#,
            "Bearer foo bar",
            r#"Bearer"x""#,
            r#"Bearer realm="a" error="b""#,
            "Bearer error=\"a\u{1}b\"",
            "=",
        ] {
            assert_eq!(parse(value), None, "{value:?}");
        }
        assert_eq!(
            parse(&format!("Bearer realm=\"{}\"", "a".repeat(MAX_HEADER))),
            None
        );
    }

    #[test]
    fn a_refused_token_needs_the_scheme_and_the_exact_code() {
        let refused = |values: &[&str], scheme: &str| -> bool {
            refuses_token(values.iter().map(|v| v.as_bytes()), scheme)
        };
        assert!(refused(&[r#"Bearer error="invalid_token""#], "Bearer"));
        assert!(refused(&[r#"BEARER Error=invalid_token"#], "Bearer"));
        assert!(refused(
            &[
                r#"Basic realm="x""#,
                r#"Negotiate, Bearer realm="api", error="invalid_token""#
            ],
            "Bearer"
        ));
        assert!(refused(
            &[r#"DPoP algs="ES256", error="invalid_token""#],
            "DPoP"
        ));
        // Another scheme, another code, a code in another case, no code, nothing readable.
        assert!(!refused(&[r#"Basic error="invalid_token""#], "Bearer"));
        assert!(!refused(
            &[r#"Bearer error="insufficient_scope""#],
            "Bearer"
        ));
        assert!(!refused(&[r#"Bearer error="INVALID_TOKEN""#], "Bearer"));
        assert!(!refused(&[r#"Bearer realm="api""#], "Bearer"));
        assert!(!refused(&[r#"Bearer error="invalid_token"#], "Bearer"));
        assert!(!refused(&[], "Bearer"));
        // `error` belongs to the Basic challenge here, not to the bare Bearer one before it.
        assert!(!refused(
            &[r#"Bearer, Basic error="invalid_token""#],
            "Bearer"
        ));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn config() -> ProptestConfig {
            ProptestConfig {
                cases: 256,
                // Nothing written next to the sources; a failure prints its minimal input.
                failure_persistence: None,
                ..ProptestConfig::default()
            }
        }

        fn token() -> impl Strategy<Value = String> {
            "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
        }

        /// A parameter value: anything printable, spaces, commas, quotes and backslashes
        /// included, which the writer quotes and escapes.
        fn value() -> impl Strategy<Value = String> {
            "[ -~]{0,24}"
        }

        fn challenge() -> impl Strategy<Value = Challenge> {
            (token(), prop::collection::vec((token(), value()), 0..4)).prop_map(
                |(scheme, params)| Challenge {
                    scheme,
                    params: params
                        .into_iter()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v))
                        .collect(),
                },
            )
        }

        /// Writes challenges as a server would, with the given separators.
        fn write(challenges: &[Challenge], space: &str, comma: &str) -> String {
            challenges
                .iter()
                .map(|c| {
                    let params: Vec<String> = c
                        .params
                        .iter()
                        .map(|(n, v)| {
                            let escaped = v.replace('\\', "\\\\").replace('"', "\\\"");
                            format!("{n}{space}={space}\"{escaped}\"")
                        })
                        .collect();
                    if params.is_empty() {
                        c.scheme.clone()
                    } else {
                        format!("{} {}", c.scheme, params.join(comma))
                    }
                })
                .collect::<Vec<_>>()
                .join(comma)
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn written_challenges_read_back_exactly(
                challenges in prop::collection::vec(challenge(), 1..4),
                space in prop::sample::select(vec!["", " ", "\t"]),
                comma in prop::sample::select(vec![",", ", ", " ,  ", ",,"]),
            ) {
                let written = write(&challenges, space, comma);
                prop_assert_eq!(parse(&written), Some(challenges), "{}", written);
            }

            #[test]
            fn any_value_is_read_without_panicking(value in "\\PC{0,200}") {
                let _ = parse(&value);
                let _ = refuses_token([value.as_bytes()], "Bearer");
            }

            #[test]
            fn any_bytes_are_read_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
                let _ = refuses_token([bytes.as_slice()], "Bearer");
            }
        }
    }
}
