//! Where OneAccess departs from the standard token exchange.
//!
//! - The management and user APIs answer `{"error_code":"PARAM.0004","error_msg":"..."}`
//!   (<https://support.huaweicloud.com/api-oneaccess/ErrorCode.html>). The token endpoint is
//!   not documented to use it, but if a gateway or a version change answers in it, it is an
//!   [`Error::Vendor`] whose kind comes from the error table, not an unreadable answer: the
//!   description's `error_code_field` says so, as data.
//! - Refresh refusals reuse the code page's description "Invalid authorization code"
//!   (<https://support.huaweicloud.com/api-oneaccess/RenewOIDCToken.html>): errors are
//!   classified by `error` only, and a refused refresh gets a hint.
//! - Userinfo (<https://support.huaweicloud.com/api-oneaccess/ShowUser_0.md>) answers
//!   camelCase `id`, `userName` and `mobile`, with no `sub`: [`USERINFO_ALIASES`], the
//!   description's userinfo field names, maps them onto the standard claims. Its `Accept: application/json` is sent by core on every userinfo
//!   request, and its 401 `"unauthorized"` is `InvalidToken` through the error table.

use tokenbridge_core::{Error, Grant, GrantKind, HookContext, HttpResponse, VendorHooks};

/// OneAccess's userinfo spellings of the standard claims, as `(standard, OneAccess)` pairs:
/// the description's userinfo field names.
pub const USERINFO_ALIASES: &[(&str, &str)] = &[
    ("sub", "id"),
    ("preferred_username", "userName"),
    ("phone_number", "mobile"),
];

/// Hint added to `invalid_grant` on a refresh.
pub const REFRESH_INVALID_GRANT_HINT: &str =
    "the refresh token was refused (OneAccess's description may wrongly speak of an \
     authorization code); OneAccess returns a new refresh token on every refresh, so use the \
     one from the latest exchange, or sign in again";

/// OneAccess's one hook beyond data: the hint on a refused refresh.
#[derive(Debug, Clone, Copy, Default)]
pub struct OneAccessHooks;

impl VendorHooks for OneAccessHooks {
    fn map_error(&self, error: Error, grant: &Grant, _context: &HookContext<'_>) -> Error {
        match error {
            Error::OAuth(mut p)
                if *p.code() == "invalid_grant" && grant.kind() == GrantKind::RefreshToken =>
            {
                p.set_hint(REFRESH_INVALID_GRANT_HINT);
                Error::OAuth(p)
            }
            other => other,
        }
    }
}

/// The management API error in `response`, when its body is an object with a non-empty
/// `error_code` (text or number), whatever the HTTP status.
pub fn management_error(response: &HttpResponse) -> Option<Error> {
    tokenbridge_core::vendor_error_in(response, &crate::OIDC)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tokenbridge_core::{ErrorKind, Result, TokenSet, Url};

    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            Url::parse("https://example.huaweioneaccess.com/api/v1/oauth2/token").unwrap(),
            status,
            Default::default(),
            body.to_owned(),
        )
    }

    fn parse(status: u16, body: &str) -> Result<TokenSet> {
        OneAccessHooks.parse_token_response(
            &response(status, body),
            &Grant::refresh_token("rt"),
            "huawei",
            &crate::OIDC,
        )
    }

    #[test]
    fn management_shape_is_a_vendor_error() {
        let err = parse(
            400,
            r#"{"error_code":"PARAM.0004","error_msg":"clientId不能为空"}"#,
        )
        .unwrap_err();
        let v = err.vendor_error().unwrap();
        assert_eq!(v.vendor(), "huawei-oneaccess");
        assert_eq!(v.http_status(), 400);
        assert_eq!(v.status_code(), 400);
        assert_eq!(v.api_code(), Some("PARAM.0004"));
        assert_eq!(v.message(), "clientId不能为空");
        assert_eq!(v.request_id(), None);
        // Before the table: the kind follows the status.
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert!(!err.is_retryable());
        // The table, as core applies it after every refusal.
        let err = crate::OIDC.errors.classify(err);
        assert_eq!(err.kind(), ErrorKind::InvalidClient);
        assert!(!err.vendor_error().unwrap().is_kind_inferred());
    }

    #[test]
    fn management_shape_wins_even_with_http_200() {
        let err = parse(200, r#"{"error_code":"USER.0001","error_msg":"x"}"#).unwrap_err();
        assert_eq!(err.vendor_error().unwrap().http_status(), 200);
        let err = parse(200, r#"{"error_code":1004}"#).unwrap_err();
        let v = err.vendor_error().unwrap();
        assert_eq!(v.api_code(), Some("1004"));
        assert_eq!(
            v.message(),
            "OneAccess answered with a management API error and no message"
        );
    }

    #[test]
    fn other_shapes_are_not_management_errors() {
        for v in [
            json!({"error": "invalid_grant", "error_description": "Invalid authorization code"}),
            json!({"error_code": null, "access_token": "x"}),
            json!({"error_code": "", "error_msg": "x"}),
            json!({"error_code": {"nested": true}}),
            json!({"access_token": "x", "token_type": "Bearer"}),
        ] {
            assert!(
                management_error(&response(400, &v.to_string())).is_none(),
                "{v}"
            );
        }
    }

    #[test]
    fn odd_messages_are_read_leniently() {
        let message = |v: Value| {
            let err = management_error(&response(400, &v.to_string())).unwrap();
            err.vendor_error().unwrap().message().to_owned()
        };
        assert_eq!(message(json!({"error_code": "X.1", "error_msg": 5})), "5");
        let none = "OneAccess answered with a management API error and no message";
        assert_eq!(
            message(json!({"error_code": "X.1", "error_msg": null})),
            none
        );
        assert_eq!(
            message(json!({"error_code": "X.1", "error_msg": " "})),
            none
        );
    }

    #[test]
    fn standard_answers_go_through_core() {
        let tokens = parse(
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":"7200"}"#,
        )
        .unwrap();
        assert_eq!(
            tokens.expires_in(),
            Some(std::time::Duration::from_secs(7200))
        );
        let err = parse(401, "").unwrap_err();
        assert!(err.is_invalid_client());
        let err = parse(500, "<html>oops</html>").unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)), "{err}");
    }
}
