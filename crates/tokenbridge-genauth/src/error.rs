//! Maps GenAuth's failure envelopes onto [`tokenbridge_core::Error`].
//!
//! GenAuth reports business failures inside the V3 envelope, usually with HTTP 200:
//! `{"statusCode": 400, "message": "...", "apiCode": 2001, "requestId": "..."}`. The older shape
//! (the V2 error-code page) has `apiCode` as a string and `uniqueId` instead of `requestId`.
//! Both become an [`Error::Vendor`] whose `vendor` is [`VENDOR`]; GenAuth's error table then
//! gives it its [`ErrorKind`](tokenbridge_core::ErrorKind).

use serde_json::{Map, Value};
use tokenbridge_core::{Error, HttpResponse, VendorError};

use crate::vendor::VENDOR;
use crate::wire::integer;

/// The [`Error::Vendor`] for a failure envelope (`statusCode` other than 200, or an error HTTP
/// status).
pub(crate) fn envelope_error(
    response: &HttpResponse,
    object: &Map<String, Value>,
    status_code: i64,
) -> Error {
    let message = match object.get("message") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => "(no message)".to_owned(),
        Some(other) => other.to_string(),
    };
    let request_id = ["requestId", "uniqueId"]
        .iter()
        .find_map(|key| object.get(*key).and_then(code_text));
    VendorError::new(VENDOR, response.status(), status_code, message)
        .with_api_code(object.get("apiCode").and_then(code_text))
        .with_request_id(request_id)
        .into()
}

/// A code or id as text: a number is written out, a string kept, anything else dropped.
fn code_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(_) => integer(value)
            .map(|n| n.to_string())
            .or_else(|| Some(value.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokenbridge_core::Url;

    fn error_for(status: u16, body: Value) -> VendorError {
        let response = HttpResponse::new(
            Url::parse("https://app.genauth.ai/api/v3/x").unwrap(),
            status,
            Default::default(),
            body.to_string().into_bytes(),
        );
        let object = body.as_object().unwrap().clone();
        let code = integer(&object["statusCode"]).unwrap();
        match envelope_error(&response, &object, code) {
            Error::Vendor(v) => *v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numeric_and_string_codes_become_text() {
        let v = error_for(
            200,
            json!({"statusCode": 400, "message": "m", "apiCode": 2001, "requestId": "r-1"}),
        );
        assert_eq!(v.api_code(), Some("2001"));
        assert_eq!(v.request_id(), Some("r-1"));
        let v = error_for(
            200,
            json!({"statusCode": 499, "message": "m", "apiCode": "2011", "uniqueId": "u-1"}),
        );
        assert_eq!(v.api_code(), Some("2011"));
        assert_eq!(v.request_id(), Some("u-1"));
    }

    #[test]
    fn request_id_wins_over_unique_id() {
        let v = error_for(
            200,
            json!({"statusCode": 400, "requestId": "r", "uniqueId": "u"}),
        );
        assert_eq!(v.request_id(), Some("r"));
    }

    #[test]
    fn odd_fields_do_not_hide_the_error() {
        let v = error_for(
            200,
            json!({"statusCode": 400, "message": null, "apiCode": {"x": 1}, "requestId": 77}),
        );
        assert_eq!(v.message(), "(no message)");
        assert_eq!(v.api_code(), None);
        assert_eq!(v.request_id(), Some("77"));
        let v = error_for(200, json!({"statusCode": 400, "message": ["a"]}));
        assert_eq!(v.message(), r#"["a"]"#);
    }
}
