//! QR codes and tickets through their life: `PENDING`, `SCANNED`, then `AUTHORIZED` (with a
//! one-time ticket or the token set), `CANCELLED`, `EXPIRED` or `ERROR`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use super::{GenAuthApp, TICKET_VALIDITY};
use crate::oidc::{OidcProvider, Reply};
use crate::server::lock;

/// Where a QR code is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrPhase {
    /// `PENDING`.
    Pending,
    /// `SCANNED`.
    Scanned,
    /// `AUTHORIZED`.
    Authorized,
    /// `CANCELLED`.
    Cancelled,
    /// `EXPIRED`.
    Expired,
    /// `ERROR`.
    Error,
}

impl QrPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            QrPhase::Pending => "PENDING",
            QrPhase::Scanned => "SCANNED",
            QrPhase::Authorized => "AUTHORIZED",
            QrPhase::Cancelled => "CANCELLED",
            QrPhase::Expired => "EXPIRED",
            QrPhase::Error => "ERROR",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, QrPhase::Pending | QrPhase::Scanned)
    }
}

/// A QR code and where it is in its life.
#[derive(Debug, Clone)]
pub(super) struct QrRecord {
    /// Creation order, for listing.
    pub(super) serial: u64,
    pub(super) app_id: String,
    pub(super) phase: QrPhase,
    pub(super) user: Option<(String, String)>,
    pub(super) expires_at: Instant,
    pub(super) ticket: Option<String>,
    pub(super) token_set: Option<Value>,
}

/// A one-time ticket issued when a QR code was confirmed.
#[derive(Debug, Clone)]
pub(super) struct TicketRecord {
    pub(super) app_id: String,
    pub(super) expires_at: Instant,
    pub(super) used: bool,
}

/// Applications, QR codes, tickets and scripted replies.
#[derive(Debug)]
pub(super) struct State {
    pub(super) apps: HashMap<String, GenAuthApp>,
    pub(super) qrcodes: HashMap<String, QrRecord>,
    pub(super) qr_serial: u64,
    pub(super) tickets: HashMap<String, TicketRecord>,
    pub(super) queued: VecDeque<Reply>,
    pub(super) qr_validity: Duration,
    pub(super) exchange_delay: Duration,
}

/// The emulator's state and its three token providers, shared by every route.
pub(super) struct Shared {
    pub(super) base: Url,
    pub(super) state: Mutex<State>,
    pub(super) oidc: Arc<OidcProvider>,
    pub(super) oauth: Arc<OidcProvider>,
    /// Writes V3 token sets (`expire_in`, `bearer`), issued by the `/oidc` issuer.
    pub(super) v3_tokens: Arc<OidcProvider>,
    pub(super) counter: AtomicU64,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenAuthState")
            .field("base", &self.base.as_str())
            .finish()
    }
}

/// Marks an open code expired once its validity has passed.
pub(super) fn expire_if_due(record: &mut QrRecord) {
    if record.phase.is_open() && Instant::now() >= record.expires_at {
        record.phase = QrPhase::Expired;
    }
}

/// Lower-case hex, for ids derived from a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Shared {
    fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!(
            "{}-{prefix}-{n}-{:?}",
            self.base,
            SystemTime::now()
        ));
        format!("{prefix}{}", &hex(&digest)[..24])
    }

    pub(super) fn request_id(&self) -> String {
        let id = self.next_id("");
        format!(
            "{}-{}-{}-{}-{}",
            &id[0..8],
            &id[8..12],
            &id[12..16],
            &id[16..20],
            &id[20..24]
        )
    }

    pub(super) fn create_qr_code(&self, app_id: &str) -> String {
        let id = self.next_id("qr-");
        let mut state = lock(&self.state);
        let expires_at = Instant::now() + state.qr_validity;
        state.qr_serial += 1;
        let serial = state.qr_serial;
        state.qrcodes.insert(
            id.clone(),
            QrRecord {
                serial,
                app_id: app_id.into(),
                phase: QrPhase::Pending,
                user: None,
                expires_at,
                ticket: None,
                token_set: None,
            },
        );
        id
    }

    fn transition(&self, qrcode_id: &str, change: impl FnOnce(&mut QrRecord) -> bool) -> bool {
        let mut state = lock(&self.state);
        let Some(record) = state.qrcodes.get_mut(qrcode_id) else {
            return false;
        };
        expire_if_due(record);
        change(record)
    }

    pub(super) fn phase(&self, qrcode_id: &str) -> Option<QrPhase> {
        let mut state = lock(&self.state);
        let record = state.qrcodes.get_mut(qrcode_id)?;
        expire_if_due(record);
        Some(record.phase)
    }

    /// Ends an open (`PENDING` or `SCANNED`) code with `phase`.
    pub(super) fn end(&self, qrcode_id: &str, phase: QrPhase) -> bool {
        self.transition(qrcode_id, |record| {
            if !record.phase.is_open() {
                return false;
            }
            record.phase = phase;
            true
        })
    }

    pub(super) fn scan(&self, qrcode_id: &str, display_name: &str, photo: &str) -> bool {
        self.transition(qrcode_id, |record| {
            if record.phase != QrPhase::Pending {
                return false;
            }
            record.phase = QrPhase::Scanned;
            record.user = Some((display_name.into(), photo.into()));
            true
        })
    }

    pub(super) fn confirm(&self, qrcode_id: &str) -> bool {
        let app = {
            let state = lock(&self.state);
            state
                .qrcodes
                .get(qrcode_id)
                .and_then(|r| state.apps.get(&r.app_id).cloned())
        };
        let Some(app) = app else {
            return false;
        };
        // Minted before taking the lock again: minting tokens takes the providers' locks.
        let ticket = self.next_id("tk-");
        let token_set = app.return_token_set.then(|| self.v3_token_set(&app.app_id));
        let confirmed = self.transition(qrcode_id, |record| {
            if record.phase != QrPhase::Scanned {
                return false;
            }
            record.phase = QrPhase::Authorized;
            match &token_set {
                Some(tokens) => record.token_set = Some(tokens.clone()),
                None => record.ticket = Some(ticket.clone()),
            }
            true
        });
        if confirmed && token_set.is_none() {
            lock(&self.state).tickets.insert(
                ticket,
                TicketRecord {
                    app_id: app.app_id,
                    expires_at: Instant::now() + TICKET_VALIDITY,
                    used: false,
                },
            );
        }
        confirmed
    }

    pub(super) fn issue_ticket(&self, app_id: &str) -> Option<String> {
        if !lock(&self.state).apps.contains_key(app_id) {
            return None;
        }
        let id = self.create_qr_code(app_id);
        if !(self.scan(&id, "Test User", "https://files.example.com/test-user.png")
            && self.confirm(&id))
        {
            return None;
        }
        lock(&self.state)
            .qrcodes
            .get(&id)
            .and_then(|r| r.ticket.clone())
    }

    /// A V3 token set (`expire_in`, `bearer`) whose refresh token works at `/oidc/token`.
    pub(super) fn v3_token_set(&self, app_id: &str) -> Value {
        let scope = "openid profile";
        let refresh = self.oidc.issue_refresh_token(app_id, scope);
        self.v3_tokens
            .token_body(app_id, scope, true, Some(refresh))
    }
}
