//! GenAuth's JSON shapes where they differ from the standard: the V3 envelope
//! `{statusCode, message, apiCode, requestId, data}` and the QR-code data objects.
//!
//! Token objects (`data` of the ticket exchange, `tokenSet` of a QR status) go through
//! [`token_set_from_fields`], which already reads `expire_in` and a lower-case `bearer`.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};
use tokenbridge_core::{
    decode_json_object, json_type, standard_error, token_set_from_fields, unreadable,
};
use tokenbridge_core::{Error, HttpResponse, Result, SecretString, TokenRequest, TokenSet};

use crate::error::envelope_error;
use crate::qr_error::{QrLoginEnd, QrLoginError};

/// The business status of a successful V3 call.
pub(crate) const STATUS_OK: i64 = 200;

/// Reads a V3 answer: the `data` object of a successful envelope.
///
/// Success needs an HTTP 2xx status **and** `statusCode` 200; anything else with an envelope
/// is an [`Error::Vendor`]. Bodies that are empty, HTML or not JSON get core's standard
/// handling ([`decode_json_object`]).
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn open_envelope(response: &HttpResponse) -> Result<Map<String, Value>> {
    let object = decode_json_object(response)?;
    unwrap_envelope(response, object)
}

/// [`open_envelope`] for a body already decoded to a JSON object.
pub(crate) fn unwrap_envelope(
    response: &HttpResponse,
    mut object: Map<String, Value>,
) -> Result<Map<String, Value>> {
    let Some(status_value) = object.get("statusCode") else {
        if let Some(err) = standard_error(response, &object) {
            return Err(err);
        }
        let reason = if response.is_success() {
            "the answer is not a GenAuth V3 envelope (no `statusCode`); check that base_url is the application's host"
        } else {
            "an error status without a GenAuth V3 envelope or an OAuth 2.0 `error` field"
        };
        return Err(unreadable(response, reason));
    };
    let status_code = integer(status_value).ok_or_else(|| {
        unreadable(
            response,
            format!(
                "`statusCode` is {}, expected an integer",
                json_type(status_value)
            ),
        )
    })?;
    if status_code != STATUS_OK || !response.is_success() {
        return Err(envelope_error(response, &object, status_code));
    }
    match object.remove("data") {
        Some(Value::Object(data)) => Ok(data),
        None => Err(unreadable(
            response,
            "the envelope reports success (statusCode 200) but has no `data`",
        )),
        Some(Value::Null) => Err(unreadable(
            response,
            "the envelope reports success (statusCode 200) but `data` is null",
        )),
        Some(other) => Err(unreadable(
            response,
            format!("`data` is {}, expected an object", json_type(&other)),
        )),
    }
}

/// Reads a V3 answer whose `data` is a token object (the QR-ticket exchange) as a
/// [`TokenSet`]: a plain success in one pass by core's typed parser (the V3 envelope is data
/// of a description requiring it), anything else through [`open_envelope`], then core's lenient
/// token fields.
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn parse_envelope_tokens(response: &HttpResponse, provider: &str) -> Result<TokenSet> {
    if let Some(tokens) = tokenbridge_core::parse_token_fast(response, provider, &crate::vendor::V3)
    {
        return Ok(tokens);
    }
    let data = open_envelope(response)?;
    token_set_from_fields(response, data, provider)
}

/// An integer from a JSON number or a numeric string (`400`, `"400"`).
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The kinds of QR code `POST /api/v3/gene-qrcode` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum QrCodeType {
    /// `MOBILE_APP`: scanned by the tenant's own mobile app (self-built app scan login).
    #[default]
    MobileApp,
    /// `WECHAT_MINIPROGRAM`: scanned with a WeChat mini program.
    WechatMiniprogram,
    /// `WECHAT_OFFICIAL_ACCOUNT`: scanned to follow a WeChat official account.
    WechatOfficialAccount,
}

impl QrCodeType {
    /// Every type.
    pub const ALL: [QrCodeType; 3] = [
        QrCodeType::MobileApp,
        QrCodeType::WechatMiniprogram,
        QrCodeType::WechatOfficialAccount,
    ];

    /// The API spelling, e.g. `MOBILE_APP`.
    pub fn as_str(self) -> &'static str {
        match self {
            QrCodeType::MobileApp => "MOBILE_APP",
            QrCodeType::WechatMiniprogram => "WECHAT_MINIPROGRAM",
            QrCodeType::WechatOfficialAccount => "WECHAT_OFFICIAL_ACCOUNT",
        }
    }
}

/// What `POST /api/v3/gene-qrcode` is asked for: the type and its optional settings.
///
/// ```
/// use serde_json::json;
/// use tokenbridge_genauth::{QrCodeOptions, QrCodeType};
///
/// let options = QrCodeOptions::new(QrCodeType::MobileApp)
///     .with_custom_data(json!({"source": "kiosk-3"}));
/// assert_eq!(options.kind(), QrCodeType::MobileApp);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QrCodeOptions {
    kind: QrCodeType,
    ext_idp_conn_id: Option<String>,
    custom_data: Option<Value>,
    context: Option<Value>,
    auto_merge_qr_code: Option<bool>,
}

impl QrCodeOptions {
    /// A QR code of `kind` with no optional settings.
    pub fn new(kind: QrCodeType) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// The QR code type.
    pub fn kind(&self) -> QrCodeType {
        self.kind
    }

    /// `extIdpConnId`: the identity source connection to log in through.
    pub fn with_ext_idp_conn_id(mut self, id: impl Into<String>) -> Self {
        self.ext_idp_conn_id = Some(id.into());
        self
    }

    /// `customData` (`MOBILE_APP` only): stored into the user's custom data on login. Must be
    /// a JSON object; anything else is an [`Error::Config`] when the QR code is generated.
    pub fn with_custom_data(mut self, data: Value) -> Self {
        self.custom_data = Some(data);
        self
    }

    /// `context` (WeChat types only): passed to the tenant's pipeline. Must be a JSON object;
    /// anything else is an [`Error::Config`] when the QR code is generated.
    pub fn with_context(mut self, context: Value) -> Self {
        self.context = Some(context);
        self
    }

    /// `autoMergeQrCode` (`WECHAT_MINIPROGRAM` only): merge the tenant's logo into the code.
    pub fn with_auto_merge_qr_code(mut self, merge: bool) -> Self {
        self.auto_merge_qr_code = Some(merge);
        self
    }

    /// Checks that each setting goes with the type, as GenAuth documents them, and that
    /// `customData` and `context` are JSON objects, and adds them to `request`.
    pub(crate) fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        let only_for = |key: &str, allowed: &[QrCodeType]| -> Result<()> {
            if allowed.contains(&self.kind) {
                Ok(())
            } else {
                let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
                Err(Error::config(
                    key,
                    format!(
                        "{key} applies only to {} QR codes, not {}",
                        names.join(" and "),
                        self.kind
                    ),
                ))
            }
        };
        request.param("type", self.kind.as_str());
        if let Some(id) = &self.ext_idp_conn_id {
            request.param("extIdpConnId", id);
        }
        if let Some(data) = &self.custom_data {
            must_be_object("customData", data)?;
            only_for("customData", &[QrCodeType::MobileApp])?;
            request.json_param("customData", data.clone());
        }
        if let Some(context) = &self.context {
            must_be_object("context", context)?;
            only_for(
                "context",
                &[
                    QrCodeType::WechatMiniprogram,
                    QrCodeType::WechatOfficialAccount,
                ],
            )?;
            request.json_param("context", context.clone());
        }
        if let Some(merge) = self.auto_merge_qr_code {
            only_for("autoMergeQrCode", &[QrCodeType::WechatMiniprogram])?;
            request.json_param("autoMergeQrCode", Value::Bool(merge));
        }
        Ok(())
    }
}

/// GenAuth documents `customData` and `context` as objects; another value is refused rather
/// than reshaped, so what reaches the tenant is exactly what the caller gave.
fn must_be_object(key: &str, value: &Value) -> Result<()> {
    if value.is_object() {
        Ok(())
    } else {
        Err(Error::config(
            key,
            format!(
                "{key} must be a JSON object, e.g. {{\"source\": \"kiosk-3\"}}, not {}",
                json_type(value)
            ),
        ))
    }
}

impl fmt::Display for QrCodeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QrCodeType {
    type Err = Error;

    /// Accepts the API spelling in any case (`MOBILE_APP`, `mobile_app`).
    fn from_str(s: &str) -> Result<Self> {
        QrCodeType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::config(
                    "qrcode_type",
                    format!(
                        "unknown QR code type {s:?}; expected MOBILE_APP, WECHAT_MINIPROGRAM or WECHAT_OFFICIAL_ACCOUNT"
                    ),
                )
            })
    }
}

impl serde::Serialize for QrCodeType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for QrCodeType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.to_string()))
    }
}

/// A QR code to show to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrCode {
    /// `qrcodeId`: what status queries ask about.
    pub id: String,
    /// `url`: the QR code image to display.
    pub url: String,
    /// `customLogoUrl`, when the tenant configured one.
    pub custom_logo_url: Option<String>,
    /// The type it was generated as.
    pub kind: QrCodeType,
}

impl QrCode {
    /// Reads the `data` of a `gene-qrcode` answer.
    pub fn from_data(
        response: &HttpResponse,
        data: &Map<String, Value>,
        kind: QrCodeType,
    ) -> Result<Self> {
        let id = required_string(response, data, "qrcodeId")?;
        let url = required_string(response, data, "url")?;
        let custom_logo_url = optional_string(response, data, "customLogoUrl")?;
        Ok(Self {
            id,
            url,
            custom_logo_url,
            kind,
        })
    }
}

/// The user who scanned a QR code (`briefUserInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct QrUser {
    /// `displayName`.
    pub display_name: Option<String>,
    /// `photo`: an avatar URL.
    pub photo: Option<String>,
}

impl QrUser {
    /// A user with a display name and photo URL.
    pub fn new(display_name: Option<String>, photo: Option<String>) -> Self {
        Self {
            display_name,
            photo,
        }
    }
}

/// What an `AUTHORIZED` QR code carries.
#[derive(Clone)]
#[non_exhaustive]
pub enum QrAuthorization {
    /// A one-time ticket to exchange server-side (the default tenant setting).
    Ticket(SecretString),
    /// The tokens themselves, when the console switch "Web polling interface returns complete
    /// user information" is on; no exchange is needed.
    Tokens(Box<TokenSet>),
}

impl fmt::Debug for QrAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrAuthorization::Ticket(_) => f.write_str("Ticket([redacted])"),
            QrAuthorization::Tokens(t) => f.debug_tuple("Tokens").field(t).finish(),
        }
    }
}

/// The status of a QR code (`GET /api/v3/get-qrcode-status`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum QrStatus {
    /// `PENDING`: not scanned yet.
    Pending,
    /// `SCANNED`: scanned, waiting for the user to confirm on the phone.
    Scanned {
        /// Who scanned it.
        user: Option<QrUser>,
    },
    /// `AUTHORIZED`: confirmed.
    Authorized {
        /// Who confirmed it.
        user: Option<QrUser>,
        /// A ticket to exchange, or the tokens.
        authorization: QrAuthorization,
    },
    /// `CANCELLED`: the user declined on the phone.
    Cancelled {
        /// Who cancelled.
        user: Option<QrUser>,
    },
    /// `EXPIRED`: the QR code is no longer valid (120 s by default).
    Expired,
    /// `ERROR`: GenAuth reports a failure.
    Error,
}

impl QrStatus {
    /// The API spelling, e.g. `SCANNED`.
    pub fn as_str(&self) -> &'static str {
        match self {
            QrStatus::Pending => "PENDING",
            QrStatus::Scanned { .. } => "SCANNED",
            QrStatus::Authorized { .. } => "AUTHORIZED",
            QrStatus::Cancelled { .. } => "CANCELLED",
            QrStatus::Expired => "EXPIRED",
            QrStatus::Error => "ERROR",
        }
    }

    /// Whether the login is over (authorized, cancelled, expired or failed).
    pub fn is_terminal(&self) -> bool {
        !matches!(self, QrStatus::Pending | QrStatus::Scanned { .. })
    }

    /// The user who scanned, when GenAuth said.
    pub fn user(&self) -> Option<&QrUser> {
        match self {
            QrStatus::Scanned { user }
            | QrStatus::Authorized { user, .. }
            | QrStatus::Cancelled { user } => user.as_ref(),
            _ => None,
        }
    }

    /// Reads the `data` of a `get-qrcode-status` answer. An unknown status is an
    /// a [`QrLoginError`] with [`QrLoginEnd::Failed`], so a poll never waits on a state it does
    /// not understand.
    pub fn from_data(
        response: &HttpResponse,
        data: &Map<String, Value>,
        provider: &str,
    ) -> Result<Self> {
        let status = required_string(response, data, "status")?;
        let user = match data.get("briefUserInfo") {
            None | Some(Value::Null) => None,
            Some(Value::Object(info)) => Some(QrUser {
                display_name: optional_string(response, info, "displayName")?,
                photo: optional_string(response, info, "photo")?,
            }),
            Some(other) => {
                return Err(unreadable(
                    response,
                    format!(
                        "`briefUserInfo` is {}, expected an object",
                        json_type(other)
                    ),
                ))
            }
        };
        Ok(match status.trim().to_ascii_uppercase().as_str() {
            "PENDING" => QrStatus::Pending,
            "SCANNED" => QrStatus::Scanned { user },
            "CANCELLED" | "CANCELED" => QrStatus::Cancelled { user },
            "EXPIRED" => QrStatus::Expired,
            "ERROR" => QrStatus::Error,
            "AUTHORIZED" => QrStatus::Authorized {
                user,
                authorization: authorization(response, data, provider)?,
            },
            other => {
                return Err(QrLoginError::new(
                    QrLoginEnd::Failed,
                    format!(
                        "GenAuth reported QR status {other:?}, which tokenbridge does not know \
                         (expected PENDING, SCANNED, AUTHORIZED, CANCELLED, EXPIRED or ERROR)"
                    ),
                )
                .into())
            }
        })
    }
}

fn authorization(
    response: &HttpResponse,
    data: &Map<String, Value>,
    provider: &str,
) -> Result<QrAuthorization> {
    // A full token set wins over a ticket: it needs no second request.
    match data.get("tokenSet") {
        None | Some(Value::Null) => {}
        Some(Value::Object(tokens)) => {
            return token_set_from_fields(response, tokens.clone(), provider)
                .map(|t| QrAuthorization::Tokens(Box::new(t)));
        }
        Some(other) => {
            return Err(unreadable(
                response,
                format!("`tokenSet` is {}, expected an object", json_type(other)),
            ))
        }
    }
    match optional_string(response, data, "ticket")? {
        Some(ticket) => Ok(QrAuthorization::Ticket(SecretString::from(ticket))),
        None => Err(unreadable(
            response,
            "the QR code is AUTHORIZED but the answer has neither `ticket` nor `tokenSet`",
        )),
    }
}

impl fmt::Display for QrStatus {
    /// A phrase for a person, e.g. `scanned by Alice, waiting for confirmation`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by = |f: &mut fmt::Formatter<'_>| match self
            .user()
            .and_then(|u| u.display_name.as_deref())
        {
            Some(name) => write!(f, " by {name}"),
            None => Ok(()),
        };
        match self {
            QrStatus::Pending => f.write_str("waiting for the QR code to be scanned"),
            QrStatus::Scanned { .. } => {
                f.write_str("scanned")?;
                by(f)?;
                f.write_str(", waiting for confirmation")
            }
            QrStatus::Authorized { .. } => {
                f.write_str("authorized")?;
                by(f)
            }
            QrStatus::Cancelled { .. } => {
                f.write_str("cancelled")?;
                by(f)
            }
            QrStatus::Expired => f.write_str("the QR code expired"),
            QrStatus::Error => f.write_str("GenAuth reported an error for this QR code"),
        }
    }
}

fn required_string(
    response: &HttpResponse,
    object: &Map<String, Value>,
    key: &str,
) -> Result<String> {
    optional_string(response, object, key)?
        .ok_or_else(|| unreadable(response, format!("no `{key}` in the answer's data")))
}

/// A string field; absent, `null` or empty is `None`, another type is an error.
fn optional_string(
    response: &HttpResponse,
    object: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(unreadable(
            response,
            format!("`{key}` is {}, expected a string", json_type(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokenbridge_core::secrecy::ExposeSecret;
    use tokenbridge_core::{Url, VendorError};

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            Url::parse("https://app.genauth.ai/api/v3/x").unwrap(),
            status,
            Default::default(),
            body.as_bytes().to_vec(),
        )
    }

    fn data_of(body: Value) -> Map<String, Value> {
        body.as_object().unwrap().clone()
    }

    #[test]
    fn integers_are_lenient() {
        assert_eq!(integer(&json!(400)), Some(400));
        assert_eq!(integer(&json!("499")), Some(499));
        assert_eq!(integer(&json!(200.0)), Some(200));
        assert_eq!(integer(&json!("x")), None);
        assert_eq!(integer(&json!(true)), None);
    }

    #[test]
    fn status_code_as_a_string_still_counts() {
        let data = open_envelope(&response(
            200,
            r#"{"statusCode":"200","message":"ok","data":{"a":1}}"#,
        ))
        .unwrap();
        assert_eq!(data["a"], 1);
        let err =
            open_envelope(&response(200, r#"{"statusCode":"400","message":"bad"}"#)).unwrap_err();
        assert_eq!(err.vendor_error().unwrap().status_code(), 400);
    }

    #[test]
    fn success_needs_http_2xx_too() {
        let err = open_envelope(&response(
            503,
            r#"{"statusCode":200,"message":"ok","data":{}}"#,
        ))
        .unwrap_err();
        let mut expected = VendorError::new("genauth", 503, 200, "ok");
        expected = expected.with_api_code(None);
        assert_eq!(err.vendor_error(), Some(&expected));
        assert!(err.is_retryable());
    }

    #[test]
    fn wrong_status_code_type_is_unreadable() {
        let err = open_envelope(&response(200, r#"{"statusCode":true,"data":{}}"#)).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason.contains("statusCode")),
            "{err}"
        );
    }

    #[test]
    fn data_of_the_wrong_type_is_unreadable() {
        let err = open_envelope(&response(200, r#"{"statusCode":200,"data":[1]}"#)).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason == "`data` is an array, expected an object"),
            "{err}"
        );
    }

    #[test]
    fn no_envelope_is_unreadable_or_a_standard_error() {
        let err = open_envelope(&response(200, r#"{"access_token":"x"}"#)).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason.contains("not a GenAuth V3 envelope")),
            "{err}"
        );
        let err = open_envelope(&response(
            400,
            r#"{"error":"invalid_request","error_description":"d"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.oauth_error().unwrap().code(), "invalid_request");
    }

    #[test]
    fn qr_type_parses_in_any_case() {
        for t in QrCodeType::ALL {
            assert_eq!(t.as_str().parse::<QrCodeType>().unwrap(), t);
            assert_eq!(
                t.as_str()
                    .to_ascii_lowercase()
                    .parse::<QrCodeType>()
                    .unwrap(),
                t
            );
        }
        assert_eq!(
            "MOBILE_APP".parse::<QrCodeType>().unwrap(),
            QrCodeType::MobileApp
        );
        let err = "PC".parse::<QrCodeType>().unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "qrcode_type"),
            "{err}"
        );
        let t: QrCodeType = serde_json::from_str(r#""WECHAT_MINIPROGRAM""#).unwrap();
        assert_eq!(t, QrCodeType::WechatMiniprogram);
        assert_eq!(
            serde_json::to_string(&QrCodeType::WechatOfficialAccount).unwrap(),
            r#""WECHAT_OFFICIAL_ACCOUNT""#
        );
    }

    #[test]
    fn qrcode_data() {
        let r = response(200, "");
        let qr = QrCode::from_data(
            &r,
            &data_of(json!({"qrcodeId": "q1", "url": "https://files/q1.png", "customLogoUrl": "https://files/logo.png"})),
            QrCodeType::MobileApp,
        )
        .unwrap();
        assert_eq!(qr.id, "q1");
        assert_eq!(qr.url, "https://files/q1.png");
        assert_eq!(
            qr.custom_logo_url.as_deref(),
            Some("https://files/logo.png")
        );
        let err = QrCode::from_data(&r, &data_of(json!({"url": "u"})), QrCodeType::MobileApp)
            .unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason == "no `qrcodeId` in the answer's data"),
            "{err}"
        );
        let err = QrCode::from_data(
            &r,
            &data_of(json!({"qrcodeId": 5, "url": "u"})),
            QrCodeType::MobileApp,
        )
        .unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)));
    }

    #[test]
    fn every_status_parses() {
        let r = response(200, "");
        let user = json!({"displayName": "Alice", "photo": "https://files/a.png"});
        let parse = |v: Value| QrStatus::from_data(&r, &data_of(v), "genauth");
        assert!(matches!(
            parse(json!({"status": "PENDING"})).unwrap(),
            QrStatus::Pending
        ));
        let scanned = parse(json!({"status": "SCANNED", "briefUserInfo": user})).unwrap();
        assert_eq!(
            scanned.user(),
            Some(&QrUser::new(
                Some("Alice".into()),
                Some("https://files/a.png".into())
            ))
        );
        assert_eq!(
            scanned.to_string(),
            "scanned by Alice, waiting for confirmation"
        );
        let authorized =
            parse(json!({"status": "AUTHORIZED", "ticket": "tk-1", "briefUserInfo": user}))
                .unwrap();
        match &authorized {
            QrStatus::Authorized {
                authorization: QrAuthorization::Ticket(t),
                ..
            } => assert_eq!(t.expose_secret(), "tk-1"),
            other => panic!("{other:?}"),
        }
        assert!(!format!("{authorized:?}").contains("tk-1"));
        assert_eq!(authorized.to_string(), "authorized by Alice");
        let cancelled = parse(json!({"status": "CANCELLED", "briefUserInfo": user})).unwrap();
        assert_eq!(cancelled.to_string(), "cancelled by Alice");
        assert!(matches!(
            parse(json!({"status": "EXPIRED"})).unwrap(),
            QrStatus::Expired
        ));
        assert!(matches!(
            parse(json!({"status": "ERROR"})).unwrap(),
            QrStatus::Error
        ));
        for s in ["PENDING", "SCANNED"] {
            assert!(!parse(json!({ "status": s })).unwrap().is_terminal());
        }
        for s in ["CANCELLED", "EXPIRED", "ERROR"] {
            assert!(parse(json!({ "status": s })).unwrap().is_terminal());
        }
    }

    #[test]
    fn authorized_with_a_token_set() {
        let r = response(200, "");
        let status = QrStatus::from_data(
            &r,
            &data_of(json!({"status": "AUTHORIZED", "tokenSet": {
                "access_token": "at-1", "token_type": "bearer", "expire_in": 7200,
                "refresh_token": "rt-1", "scope": "openid profile"
            }})),
            "genauth",
        )
        .unwrap();
        match status {
            QrStatus::Authorized {
                authorization: QrAuthorization::Tokens(t),
                ..
            } => {
                assert_eq!(t.access_token().expose_secret(), "at-1");
                assert_eq!(t.expires_in(), Some(std::time::Duration::from_secs(7200)));
                assert_eq!(t.provider_id(), "genauth");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn odd_statuses_are_errors() {
        let r = response(200, "");
        let parse = |v: Value| QrStatus::from_data(&r, &data_of(v), "genauth");
        let err = parse(json!({"status": "WAITING_FOR_GODOT"})).unwrap_err();
        match &err {
            e if e.adapter_error::<QrLoginError>().is_some() => {
                let l = e.adapter_error::<QrLoginError>().unwrap();
                assert_eq!(l.reason, QrLoginEnd::Failed);
                assert!(l.detail.contains("\"WAITING_FOR_GODOT\""), "{}", l.detail);
            }
            other => panic!("{other:?}"),
        }
        let err = parse(json!({"status": "AUTHORIZED"})).unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason.contains("neither `ticket` nor `tokenSet`")),
            "{err}"
        );
        let err = parse(json!({})).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)));
        let err = parse(json!({"status": "SCANNED", "briefUserInfo": "Alice"})).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse(_)));
        let err = parse(json!({"status": "AUTHORIZED", "tokenSet": {"token_type": "bearer"}}))
            .unwrap_err();
        assert!(
            matches!(&err, Error::UnreadableResponse(u) if u.reason.contains("access_token")),
            "{err}"
        );
    }
}
