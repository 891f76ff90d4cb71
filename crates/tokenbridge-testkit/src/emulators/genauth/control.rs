//! The emulator's own routes (not GenAuth's API): list the QR codes, and scan, confirm,
//! cancel, expire or fail one from another process.

use serde_json::{json, Map, Value};

use super::qrcode::{expire_if_due, QrRecord, Shared};
use super::{QrPhase, CONTROL_QRCODES_PATH, DEFAULT_SCANNER_NAME, DEFAULT_SCANNER_PHOTO};
use crate::oidc::Reply;
use crate::server::lock;

impl Shared {
    /// `GET /emulator/qrcodes`.
    pub(super) fn list_qr_codes(&self) -> Reply {
        let mut state = lock(&self.state);
        let mut records: Vec<(&String, &mut QrRecord)> = state.qrcodes.iter_mut().collect();
        records.sort_by_key(|(_, r)| r.serial);
        let listed: Vec<Value> = records
            .into_iter()
            .map(|(id, record)| {
                expire_if_due(record);
                let mut entry = Map::new();
                entry.insert("qrcodeId".into(), json!(id));
                entry.insert("appId".into(), json!(record.app_id));
                entry.insert("status".into(), json!(record.phase.as_str()));
                if let Some((name, photo)) = &record.user {
                    entry.insert("user".into(), json!({"displayName": name, "photo": photo}));
                }
                if let Some(ticket) = &record.ticket {
                    entry.insert("ticket".into(), json!(ticket));
                }
                Value::Object(entry)
            })
            .collect();
        Reply::json(200, json!({ "qrcodes": listed }))
    }

    /// `POST /emulator/qrcode/{id}/{action}`: the same transitions as the emulator's
    /// methods, answered in JSON.
    pub(super) fn control(&self, qrcode_id: &str, action: &str, query: Option<&str>) -> Reply {
        let param = |name: &str| {
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let changed = match action {
            "scan" => {
                let name = param("displayName").unwrap_or_else(|| DEFAULT_SCANNER_NAME.into());
                let photo = param("photo").unwrap_or_else(|| DEFAULT_SCANNER_PHOTO.into());
                self.scan(qrcode_id, &name, &photo)
            }
            "confirm" => self.confirm(qrcode_id),
            "cancel" => self.end(qrcode_id, QrPhase::Cancelled),
            "expire" => self.end(qrcode_id, QrPhase::Expired),
            "fail" => self.end(qrcode_id, QrPhase::Error),
            _ => {
                return Reply::json(
                    404,
                    json!({
                        "error": "unknown_action",
                        "message": format!("unknown action {action:?}; use scan, confirm, cancel, expire or fail"),
                        "qrcodeId": qrcode_id,
                    }),
                )
            }
        };
        match self.phase(qrcode_id) {
            None => Reply::json(
                404,
                json!({
                    "error": "qrcode_not_found",
                    "message": format!("no QR code {qrcode_id:?}; GET {CONTROL_QRCODES_PATH} lists them"),
                    "qrcodeId": qrcode_id,
                }),
            ),
            Some(phase) if changed => Reply::json(
                200,
                json!({"qrcodeId": qrcode_id, "status": phase.as_str()}),
            ),
            Some(phase) => Reply::json(
                409,
                json!({
                    "error": "invalid_transition",
                    "message": format!(
                        "cannot {action} QR code {qrcode_id:?}: it is {}; scan needs PENDING, confirm needs SCANNED, cancel, expire and fail need PENDING or SCANNED",
                        phase.as_str()
                    ),
                    "qrcodeId": qrcode_id,
                    "status": phase.as_str(),
                }),
            ),
        }
    }
}
