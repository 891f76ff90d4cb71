//! OneAccess JSON that differs from the standard shapes core already parses.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The error shape of OneAccess's management and user APIs (ErrorCode.html), e.g.
/// `{"error_code":"PARAM.0004","error_msg":"clientId不能为空"}`. Not documented for the token
/// endpoint, but recognised there so a gateway or version change that answers in it is
/// reported as what it is rather than as an unreadable response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ManagementError {
    /// The code family and number, e.g. `PARAM.0004`.
    pub(crate) error_code: ErrorCode,
    /// The message, often in Chinese; read leniently (see [`ManagementError::message`]).
    #[serde(default)]
    error_msg: Option<Value>,
}

/// `error_code` as text or, leniently, as a number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum ErrorCode {
    Text(String),
    Number(i64),
}

impl ErrorCode {
    pub(crate) fn into_text(self) -> String {
        match self {
            ErrorCode::Text(s) => s,
            ErrorCode::Number(n) => n.to_string(),
        }
    }
}

impl ManagementError {
    /// The message as text: a string as sent, any other JSON value written out, `None` when
    /// absent, null or empty.
    pub(crate) fn message(&self) -> Option<String> {
        match self.error_msg.as_ref()? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The management error in `object`, when it has a non-empty `error_code`.
    pub(crate) fn from_object(object: &Map<String, Value>) -> Option<Self> {
        if !matches!(
            object.get("error_code"),
            Some(Value::String(_) | Value::Number(_))
        ) {
            return None;
        }
        let error = ManagementError::deserialize(Value::Object(object.clone())).ok()?;
        match &error.error_code {
            ErrorCode::Text(s) if s.trim().is_empty() => None,
            _ => Some(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn recognises_the_management_shape() {
        let e = ManagementError::from_object(&object(
            json!({"error_code": "PARAM.0004", "error_msg": "clientId不能为空"}),
        ))
        .unwrap();
        assert_eq!(e.error_code, ErrorCode::Text("PARAM.0004".into()));
        assert_eq!(e.message().as_deref(), Some("clientId不能为空"));

        let e = ManagementError::from_object(&object(json!({"error_code": 1004}))).unwrap();
        assert_eq!(e.message(), None);
        assert_eq!(e.error_code.into_text(), "1004");
    }

    #[test]
    fn ignores_other_shapes() {
        for v in [
            json!({"error": "invalid_grant", "error_description": "Invalid authorization code"}),
            json!({"error_code": null, "access_token": "x"}),
            json!({"error_code": "", "error_msg": "x"}),
            json!({"error_code": {"nested": true}}),
            json!({"access_token": "x", "token_type": "Bearer"}),
        ] {
            assert_eq!(
                ManagementError::from_object(&object(v.clone())),
                None,
                "{v}"
            );
        }
    }

    #[test]
    fn odd_messages_are_read_leniently() {
        let message = |v: Value| ManagementError::from_object(&object(v)).unwrap().message();
        assert_eq!(
            message(json!({"error_code": "X.1", "error_msg": 5})).as_deref(),
            Some("5")
        );
        assert_eq!(
            message(json!({"error_code": "X.1", "error_msg": null})),
            None
        );
        assert_eq!(
            message(json!({"error_code": "X.1", "error_msg": " "})),
            None
        );
    }
}
