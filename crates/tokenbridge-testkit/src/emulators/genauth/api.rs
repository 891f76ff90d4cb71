//! The three V3 calls of a QR login: create a code, poll its status, exchange the ticket.

use std::time::Instant;

use axum::http::HeaderMap;
use serde_json::{json, Map, Value};

use super::envelope::{client_authenticated, json_object};
use super::qrcode::{expire_if_due, Shared};
use super::{
    envelope_error, envelope_ok, facts, Failure, GenAuthApp, QrPhase, APP_NOT_FOUND,
    CLIENT_AUTH_FAILED, INVALID_PARAMETER, QRCODE_NOT_FOUND, TICKET_INVALID,
};
use crate::oidc::Reply;
use crate::server::lock;

impl Shared {
    fn fail(&self, failure: Failure) -> Reply {
        Reply::json(200, envelope_error(failure, &self.request_id()))
    }

    fn ok(&self, data: Value) -> Reply {
        let mut body = envelope_ok(data);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("requestId".into(), Value::String(self.request_id()));
        }
        Reply::json(200, body)
    }

    fn queued(&self) -> Option<Reply> {
        lock(&self.state).queued.pop_front()
    }

    fn app_for(&self, headers: &HeaderMap) -> Result<GenAuthApp, Reply> {
        let id = headers
            .get(facts::APP_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        lock(&self.state)
            .apps
            .get(id)
            .cloned()
            .ok_or_else(|| self.fail(APP_NOT_FOUND))
    }

    pub(super) fn gene_qrcode(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let Some(params) = json_object(body) else {
            return self.fail(INVALID_PARAMETER);
        };
        let kind = params.get("type").and_then(Value::as_str).unwrap_or("");
        if ![
            "MOBILE_APP",
            "WECHAT_MINIPROGRAM",
            "WECHAT_OFFICIAL_ACCOUNT",
        ]
        .contains(&kind)
        {
            return self.fail(INVALID_PARAMETER);
        }
        let id = self.create_qr_code(&app.app_id);
        let url = format!("{}qrcode/{id}", self.base);
        self.ok(json!({"qrcodeId": id, "url": url}))
    }

    pub(super) fn qrcode_status(&self, headers: &HeaderMap, query: Option<&str>) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let id = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "qrcodeId")
            .map(|(_, v)| v.into_owned());
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return self.fail(INVALID_PARAMETER);
        };
        let record = {
            let mut state = lock(&self.state);
            match state.qrcodes.get_mut(&id) {
                Some(record) if record.app_id == app.app_id => {
                    expire_if_due(record);
                    Some(record.clone())
                }
                _ => None,
            }
        };
        let Some(record) = record else {
            return self.fail(QRCODE_NOT_FOUND);
        };
        let mut data = Map::new();
        data.insert("status".into(), json!(record.phase.as_str()));
        if matches!(
            record.phase,
            QrPhase::Scanned | QrPhase::Authorized | QrPhase::Cancelled
        ) {
            if let Some((name, photo)) = &record.user {
                data.insert(
                    "briefUserInfo".into(),
                    json!({"displayName": name, "photo": photo}),
                );
            }
        }
        if record.phase == QrPhase::Authorized {
            if let Some(tokens) = &record.token_set {
                data.insert("tokenSet".into(), tokens.clone());
            } else if let Some(ticket) = &record.ticket {
                data.insert("ticket".into(), json!(ticket));
            }
        }
        self.ok(Value::Object(data))
    }

    pub(super) fn exchange_ticket(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        if let Some(reply) = self.queued() {
            return reply;
        }
        let app = match self.app_for(headers) {
            Ok(app) => app,
            Err(reply) => return reply,
        };
        let Some(params) = json_object(body) else {
            return self.fail(INVALID_PARAMETER);
        };
        if !client_authenticated(&app, headers, &params) {
            return self.fail(CLIENT_AUTH_FAILED);
        }
        let ticket = match params.get("ticket") {
            Some(Value::String(t)) if !t.is_empty() => t.clone(),
            _ => return self.fail(INVALID_PARAMETER),
        };
        {
            let mut state = lock(&self.state);
            match state.tickets.get_mut(&ticket) {
                Some(record)
                    if !record.used
                        && record.app_id == app.app_id
                        && Instant::now() < record.expires_at =>
                {
                    record.used = true;
                }
                _ => return self.fail(TICKET_INVALID),
            }
        }
        let tokens = self.v3_token_set(&app.app_id);
        let delay = lock(&self.state).exchange_delay;
        self.ok(tokens).delayed(delay)
    }
}
