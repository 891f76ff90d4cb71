//! Hints for the answers where Tencent CIAM's codes mislead. The kinds stay as the codes say;
//! the hint tells a person what else to check.
//!
//! - A wrong PKCE `code_verifier` is answered `401 {"error":"invalid_client"}`, and a PKCE
//!   request from an unknown client `400 {"error":"invalid_request"}`
//!   (<https://www.tencentcloud.com/document/product/1148/51481>).
//! - An unknown `client_id` in code mode is a bare 401 with no body
//!   (<https://cloud.tencent.com/document/product/1441/64398>).
//! - Public apps exchange codes in PKCE mode only; the code-mode page requires a secret.
//! - The refresh page lists `client_secret` as required
//!   (<https://cloud.tencent.com/document/product/1441/64400>): a public app refreshes with
//!   `client_id` alone, which Tencent does not document either way.

use tokenbridge_core::{AuthMethod, Error, Grant, GrantKind, HookContext, VendorHooks};

/// Hint added to `invalid_client` when the grant carried a PKCE verifier.
pub const PKCE_INVALID_CLIENT_HINT: &str =
    "PKCE was in play, and Tencent CIAM also answers invalid_client when the code_verifier does \
     not match the authorize request's code_challenge: check the verifier as well as client_id";

/// Hint added to `invalid_request` when the grant carried a PKCE verifier.
pub const PKCE_INVALID_REQUEST_HINT: &str =
    "PKCE was in play, and Tencent CIAM answers a missing or unknown client_id in a PKCE request \
     with invalid_request: check client_id";

/// Hint added when a public client sent a code without a verifier.
pub const PUBLIC_CLIENT_WITHOUT_PKCE_HINT: &str =
    "auth_method is none (a public app) but the code was sent without a PKCE verifier: \
     Tencent CIAM public apps must use PKCE (Grant::with_pkce_verifier)";

/// Hint added when a public client's refresh is refused as a client error.
pub const PUBLIC_CLIENT_REFRESH_HINT: &str =
    "auth_method is none (a public app), and Tencent CIAM's refresh documentation lists \
     client_secret as required: if the app may not refresh without one, sign in again with PKCE";

/// Hint added to the bare 401 Tencent CIAM sends for an unknown client.
pub const BARE_401_HINT: &str =
    "Tencent CIAM answers a missing or unknown client_id with an empty 401: check client_id \
     and the portal domain";

/// Tencent's hook: [`map_error`](VendorHooks::map_error) adds the hints above.
#[derive(Debug, Clone, Copy, Default)]
pub struct TencentHooks;

impl VendorHooks for TencentHooks {
    fn map_error(&self, error: Error, grant: &Grant, context: &HookContext<'_>) -> Error {
        let Error::OAuth(mut p) = error else {
            return error;
        };
        let bare_401 = p.is_from_status_only() && p.status() == Some(401);
        if let Some(hint) = hint_for(p.code().as_str(), bare_401, grant, context.auth_method) {
            p.set_hint(hint);
        }
        Error::OAuth(p)
    }
}

/// The hint for a refusal with `code` of `grant`, sent with `auth_method`.
pub(crate) fn hint_for(
    code: &str,
    bare_401: bool,
    grant: &Grant,
    auth_method: Option<AuthMethod>,
) -> Option<&'static str> {
    let public = auth_method == Some(AuthMethod::None);
    match (grant.kind(), code) {
        _ if grant.uses_pkce() && code == "invalid_client" => Some(PKCE_INVALID_CLIENT_HINT),
        _ if grant.uses_pkce() && code == "invalid_request" => Some(PKCE_INVALID_REQUEST_HINT),
        (_, "invalid_grant") if grant.uses_pkce() => None,
        (GrantKind::AuthorizationCode, "invalid_client" | "invalid_request" | "invalid_grant")
            if public =>
        {
            Some(PUBLIC_CLIENT_WITHOUT_PKCE_HINT)
        }
        (GrantKind::RefreshToken, "invalid_client" | "invalid_request") if public => {
            Some(PUBLIC_CLIENT_REFRESH_HINT)
        }
        _ if bare_401 => Some(BARE_401_HINT),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use tokenbridge_core::PkceVerifier;

    use super::*;

    const PUBLIC: Option<AuthMethod> = Some(AuthMethod::None);
    const POST: Option<AuthMethod> = Some(AuthMethod::ClientSecretPost);

    fn pkce_code() -> Grant {
        Grant::authorization_code("c", "https://app/cb")
            .with_pkce_verifier(PkceVerifier::new("v".repeat(43)).unwrap())
    }

    #[test]
    fn pkce_invalid_client_points_at_the_verifier() {
        let grant = pkce_code();
        let hint = hint_for("invalid_client", false, &grant, PUBLIC);
        assert_eq!(hint, Some(PKCE_INVALID_CLIENT_HINT));
        assert!(hint.unwrap().contains("code_verifier"));
        assert_eq!(
            hint_for("invalid_request", false, &grant, PUBLIC),
            Some(PKCE_INVALID_REQUEST_HINT)
        );
        assert_eq!(hint_for("invalid_grant", false, &grant, PUBLIC), None);
    }

    #[test]
    fn without_pkce_invalid_client_has_no_verifier_hint() {
        let grant = Grant::authorization_code("c", "https://app/cb");
        assert_eq!(hint_for("invalid_client", false, &grant, POST), None);
    }

    #[test]
    fn public_client_without_pkce_is_told_to_use_it() {
        let grant = Grant::authorization_code("c", "https://app/cb");
        for code in ["invalid_client", "invalid_request", "invalid_grant"] {
            assert_eq!(
                hint_for(code, false, &grant, PUBLIC),
                Some(PUBLIC_CLIENT_WITHOUT_PKCE_HINT),
                "{code}"
            );
        }
    }

    #[test]
    fn public_client_refresh_refused_as_client_error_names_the_secret() {
        let grant = Grant::refresh_token("rt");
        assert_eq!(
            hint_for("invalid_client", false, &grant, PUBLIC),
            Some(PUBLIC_CLIENT_REFRESH_HINT)
        );
        assert_eq!(hint_for("invalid_grant", false, &grant, PUBLIC), None);
        assert_eq!(hint_for("invalid_client", false, &grant, POST), None);
    }

    #[test]
    fn bare_401_names_the_client_id() {
        let grant = Grant::refresh_token("rt");
        assert_eq!(
            hint_for("invalid_client", true, &grant, POST),
            Some(BARE_401_HINT)
        );
        assert_eq!(
            hint_for("invalid_client", true, &Grant::client_credentials(), None),
            Some(BARE_401_HINT)
        );
    }
}
