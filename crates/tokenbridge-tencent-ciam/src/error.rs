//! Tencent CIAM's refusals, made to say what they mean.
//!
//! The token endpoint answers in the RFC 6749 shape (or, for an unknown client, with a bare
//! 401 that core already reads as `invalid_client`), so classification is core's. What this
//! module adds are hints where Tencent's codes mislead: a wrong PKCE verifier comes back as
//! `invalid_client` rather than `invalid_grant` (vendor-apis.md section 2.4), and PKCE requests
//! report an unknown client as `invalid_request`.

use tokenbridge_core::{AuthMethod, Error, Grant, GrantKind, ProviderError};

/// The vendor name tokenbridge uses for Tencent Cloud CIAM, as in
/// [`VendorError::vendor`](tokenbridge_core::VendorError::vendor). Tencent's token endpoint
/// answers only in the RFC 6749 shape, so its refusals are [`Error::Provider`]s today.
pub const VENDOR: &str = "tencent-ciam";

/// Hint added to `invalid_client` when the grant carried a PKCE verifier.
pub(crate) const PKCE_INVALID_CLIENT_HINT: &str =
    "PKCE was in play, and Tencent CIAM also answers invalid_client when the code_verifier does \
     not match the authorize request's code_challenge: check the verifier as well as client_id";

/// Hint added to `invalid_request` when the grant carried a PKCE verifier.
pub(crate) const PKCE_INVALID_REQUEST_HINT: &str =
    "PKCE was in play, and Tencent CIAM answers a missing or unknown client_id in a PKCE request \
     with invalid_request: check client_id";

/// Hint added when a public client sent a code without a verifier.
pub(crate) const PUBLIC_CLIENT_WITHOUT_PKCE_HINT: &str =
    "auth_method is none (a public app) but the code was sent without a PKCE verifier: \
     Tencent CIAM public apps must use PKCE (Grant::authorization_code_pkce)";

/// Hint added to the bare 401 Tencent CIAM sends for an unknown client.
pub(crate) const BARE_401_HINT: &str =
    "Tencent CIAM answers a missing or unknown client_id with an empty 401: check client_id \
     and the portal domain";

/// Adds the hint `error` needs, given the grant that was sent and the auth method in use.
pub(crate) fn add_hints(error: Error, grant: &Grant, auth_method: AuthMethod) -> Error {
    let Error::Provider(provider) = error else {
        return error;
    };
    let hint = hint_for(&provider, grant, auth_method);
    match hint {
        Some(hint) => Error::Provider(Box::new((*provider).with_hint(hint))),
        None => Error::Provider(provider),
    }
}

fn hint_for(error: &ProviderError, grant: &Grant, auth_method: AuthMethod) -> Option<&'static str> {
    let code = error.code.as_str();
    if grant.uses_pkce() {
        return match code {
            "invalid_client" => Some(PKCE_INVALID_CLIENT_HINT),
            "invalid_request" => Some(PKCE_INVALID_REQUEST_HINT),
            _ => None,
        };
    }
    let is_code = grant.kind() == GrantKind::AuthorizationCode;
    if is_code
        && auth_method == AuthMethod::None
        && matches!(code, "invalid_client" | "invalid_request" | "invalid_grant")
    {
        return Some(PUBLIC_CLIENT_WITHOUT_PKCE_HINT);
    }
    if error.from_status_only && error.status == Some(401) {
        return Some(BARE_401_HINT);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(status: u16, code: &str) -> Error {
        ProviderError::new(Some(status), code).into()
    }

    fn hint(e: &Error) -> Option<&str> {
        e.provider_error().and_then(|p| p.hint.as_deref())
    }

    #[test]
    fn pkce_invalid_client_points_at_the_verifier() {
        let grant = Grant::authorization_code_pkce("c", "https://app/cb", "v".repeat(43));
        let e = add_hints(provider(401, "invalid_client"), &grant, AuthMethod::None);
        assert_eq!(hint(&e), Some(PKCE_INVALID_CLIENT_HINT));
        assert!(e.is_invalid_client());
        assert!(e.to_string().contains("code_verifier"), "{e}");

        let e = add_hints(provider(400, "invalid_request"), &grant, AuthMethod::None);
        assert_eq!(hint(&e), Some(PKCE_INVALID_REQUEST_HINT));

        let e = add_hints(provider(400, "invalid_grant"), &grant, AuthMethod::None);
        assert_eq!(hint(&e), None);
    }

    #[test]
    fn without_pkce_invalid_client_has_no_verifier_hint() {
        let grant = Grant::authorization_code("c", "https://app/cb");
        let e = add_hints(
            provider(401, "invalid_client"),
            &grant,
            AuthMethod::ClientSecretPost,
        );
        assert_eq!(hint(&e), None);
    }

    #[test]
    fn public_client_without_pkce_is_told_to_use_it() {
        let grant = Grant::authorization_code("c", "https://app/cb");
        let e = add_hints(provider(401, "invalid_client"), &grant, AuthMethod::None);
        assert_eq!(hint(&e), Some(PUBLIC_CLIENT_WITHOUT_PKCE_HINT));
    }

    #[test]
    fn bare_401_names_the_client_id() {
        let mut bare = ProviderError::new(Some(401), "invalid_client");
        bare.from_status_only = true;
        let e = add_hints(
            bare.into(),
            &Grant::refresh_token("rt"),
            AuthMethod::ClientSecretPost,
        );
        assert_eq!(hint(&e), Some(BARE_401_HINT));
    }

    #[test]
    fn other_errors_pass_through_unchanged() {
        let e = add_hints(
            Error::config("x", "y"),
            &Grant::refresh_token("rt"),
            AuthMethod::None,
        );
        assert!(matches!(e, Error::Config { .. }));
    }
}
