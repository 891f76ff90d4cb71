//! What a settings error may quote: serde repeats the offending value, which may be a
//! secret; these keep the type and what was expected, and leave the value out.

/// Which values a settings error may quote.
#[derive(Clone, Copy)]
pub(super) enum Quote {
    /// Values of keys that do not name a secret.
    UnlessSecret,
    /// None: the settings belong to a kind, which alone knows its secrets.
    Never,
}

/// Whether the setting at `key` (a path such as `http.timeout_secs`) names a credential or
/// key material.
pub(super) fn is_secret_setting(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    crate::error::redact::is_sensitive_key(&last)
        || ["secret", "private", "password", "token", "key"]
            .iter()
            .any(|word| last.contains(word))
}

const NOT_SHOWN: &str = "(the value given is not shown)";

/// A deserializer's message with the offending value left out: `invalid type: string "abc",
/// expected u64` becomes `invalid type: a string (the value given is not shown), expected
/// u64`; `unknown variant `abc`, expected ...` keeps only what was expected. Any other quoted
/// text is removed too.
pub(super) fn without_values(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                let kind = found.split(['"', '`']).next().unwrap_or_default().trim();
                let kind = match kind {
                    "string" => "a string",
                    "integer" => "an integer",
                    "floating point" => "a number",
                    "boolean" => "a boolean",
                    "character" => "a character",
                    other => other,
                };
                return format!("{prefix}{kind} {NOT_SHOWN}, expected {expected}");
            }
        }
    }
    // These name keys, not values.
    if message.starts_with("unknown field ") || message.starts_with("missing field ") {
        return message.to_owned();
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        if let Some((_, expected)) = rest.split_once(", expected ") {
            return format!("unknown variant {NOT_SHOWN}, expected {expected}");
        }
    }
    crate::error::redact::scrub_quoted(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_left_out_and_the_rest_is_kept() {
        let cases = [
            (
                "invalid type: string \"s3cr3t\", expected u64",
                "invalid type: a string (the value given is not shown), expected u64",
            ),
            (
                "invalid type: integer `42`, expected a string",
                "invalid type: an integer (the value given is not shown), expected a string",
            ),
            (
                "invalid value: string \"sha1\", expected one of `RS256`, `HS256`",
                "invalid value: a string (the value given is not shown), expected one of `RS256`, `HS256`",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: map (the value given is not shown), expected a string",
            ),
            (
                "unknown variant `s3cr3t`, expected `oidc` or `oauth`",
                "unknown variant (the value given is not shown), expected `oidc` or `oauth`",
            ),
            (
                "unknown field `tenat`, expected `tenant`",
                "unknown field `tenat`, expected `tenant`",
            ),
            ("bad value \"s3cr3t\" here", "bad value \"…\" here"),
        ];
        for (message, expected) in cases {
            assert_eq!(without_values(message), expected, "{message}");
        }
    }

    #[test]
    fn secret_settings_are_recognized_by_name() {
        for key in [
            "client_secret",
            "private_key_env",
            "http.api_key",
            "password",
            "refresh_token",
        ] {
            assert!(is_secret_setting(key), "{key}");
        }
        for key in ["client_id", "auth_method", "http.timeout_secs", "scopes"] {
            assert!(!is_secret_setting(key), "{key}");
        }
    }
}
