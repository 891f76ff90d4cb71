//! OneAccess's failures mapped into tokenbridge's errors.
//!
//! The token endpoint refuses in the RFC 6749 shape `{error, error_description}`, classified by
//! `error` only: OneAccess's descriptions are unreliable (the refresh page reuses "Invalid
//! authorization code", vendor-apis.md section 3.4). The management API shape
//! `{error_code, error_msg}` becomes an [`Error::Vendor`].

use tokenbridge_core::wire::{decode_json_object, parse_standard_fast, parse_standard_response};
use tokenbridge_core::{Error, Grant, GrantKind, HttpResponse, Result, TokenSet, VendorError};

use crate::wire::ManagementError;

/// The vendor name in [`VendorError::vendor`].
pub const VENDOR: &str = "huawei-oneaccess";

/// Hint added to `invalid_grant` on a refresh.
pub(crate) const REFRESH_INVALID_GRANT_HINT: &str =
    "the refresh token was refused; OneAccess rotates refresh tokens, so only the one from the \
     latest exchange works (the description may wrongly speak of an authorization code)";

/// The token answer as a [`TokenSet`], or the error it carries: the management shape first,
/// then core's standard pipeline. `expires_in` is read whether it is `7200` or `"7200"`.
pub fn parse_token_response(response: &HttpResponse, provider: &str) -> Result<TokenSet> {
    // A plain success goes through core's typed parser in one pass. An `error_code` among the
    // fields may be a management error, which only the full path below recognises.
    if let Some(tokens) = parse_standard_fast(response, provider) {
        if !tokens.extra().contains_key("error_code") {
            return Ok(tokens);
        }
    }
    if let Ok(object) = decode_json_object(response) {
        if let Some(error) = ManagementError::from_object(&object) {
            return Err(vendor_error(response.status, error));
        }
    }
    parse_standard_response(response, provider)
}

fn vendor_error(http_status: u16, error: ManagementError) -> Error {
    let message = error.message().unwrap_or_else(|| {
        "OneAccess answered with a management API error and no message".to_owned()
    });
    let mut vendor = VendorError::new(VENDOR, http_status, i64::from(http_status), message);
    vendor.api_code = Some(error.error_code.into_text());
    vendor.into()
}

/// Adds the hint a refusal needs, given the grant that was sent.
pub(crate) fn add_hints(error: Error, grant: &Grant) -> Error {
    match error {
        Error::Provider(p)
            if p.code == "invalid_grant" && grant.kind() == GrantKind::RefreshToken =>
        {
            Error::Provider(Box::new((*p).with_hint(REFRESH_INVALID_GRANT_HINT)))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use tokenbridge_core::{ProviderError, Url};

    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            Url::parse("https://example.huaweioneaccess.com/api/v1/oauth2/token").unwrap(),
            status,
            Default::default(),
            body.to_owned(),
        )
    }

    #[test]
    fn management_shape_is_a_vendor_error() {
        let err = parse_token_response(
            &response(
                400,
                r#"{"error_code":"PARAM.0004","error_msg":"clientId不能为空"}"#,
            ),
            "huawei",
        )
        .unwrap_err();
        let v = err.vendor_error().unwrap();
        assert_eq!(v.vendor, "huawei-oneaccess");
        assert_eq!(v.http_status, 400);
        assert_eq!(v.status_code, 400);
        assert_eq!(v.api_code.as_deref(), Some("PARAM.0004"));
        assert_eq!(v.message, "clientId不能为空");
        assert_eq!(v.request_id, None);
        assert!(!err.is_retryable() && !err.is_invalid_client() && !err.is_invalid_grant());
    }

    #[test]
    fn management_shape_wins_even_with_http_200() {
        let err = parse_token_response(
            &response(200, r#"{"error_code":"USER.0001","error_msg":"x"}"#),
            "huawei",
        )
        .unwrap_err();
        assert_eq!(err.vendor_error().unwrap().http_status, 200);
    }

    #[test]
    fn standard_answers_go_through_core() {
        let tokens = parse_token_response(
            &response(
                200,
                r#"{"access_token":"at","token_type":"Bearer","expires_in":"7200"}"#,
            ),
            "huawei",
        )
        .unwrap();
        assert_eq!(
            tokens.expires_in(),
            Some(std::time::Duration::from_secs(7200))
        );

        let err = parse_token_response(&response(401, ""), "huawei").unwrap_err();
        assert!(err.is_invalid_client());
        let err = parse_token_response(&response(500, "<html>oops</html>"), "huawei").unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)), "{err}");
    }

    #[test]
    fn refresh_invalid_grant_gets_the_rotation_hint() {
        let e: Error = ProviderError::new(Some(400), "invalid_grant")
            .with_description(Some("Invalid authorization code".into()))
            .into();
        let e = add_hints(e, &Grant::refresh_token("rt"));
        assert!(e.is_invalid_grant());
        assert_eq!(
            e.provider_error().unwrap().hint.as_deref(),
            Some(REFRESH_INVALID_GRANT_HINT)
        );
        let e: Error = ProviderError::new(Some(400), "invalid_grant").into();
        let e = add_hints(e, &Grant::authorization_code("c", "https://app/cb"));
        assert_eq!(e.provider_error().unwrap().hint, None);
    }
}
