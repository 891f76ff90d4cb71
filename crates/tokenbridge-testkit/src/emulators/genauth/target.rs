//! The conformance target over a GenAuth emulator.

use std::sync::Arc;

use super::qrcode::Shared;
use super::{EXCHANGE_TICKET_PATH, QR_TICKET_GRANT_TYPE};
use crate::conformance::{ConformanceTarget, IssuedCode, IssuedExtension, ProviderTarget};
use crate::server::Recorder;

/// A [`ConformanceTarget`] over a [`GenAuthEmulator`]: codes and refresh tokens from the
/// chosen token endpoint, tickets from a QR code scanned and confirmed on the spot.
///
/// [`GenAuthEmulator`]: super::GenAuthEmulator
#[derive(Debug, Clone)]
pub struct GenAuthTarget {
    pub(super) standard: ProviderTarget,
    pub(super) emulator: Arc<Shared>,
    pub(super) recorder: Recorder,
    pub(super) app_id: String,
}

impl GenAuthTarget {
    /// Requests received by the ticket-exchange endpoint so far.
    pub fn ticket_exchanges(&self) -> usize {
        self.recorder
            .all()
            .iter()
            .filter(|r| r.path == EXCHANGE_TICKET_PATH)
            .count()
    }
}

impl ConformanceTarget for GenAuthTarget {
    fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
        self.standard.issue_code(code_challenge)
    }

    fn issue_refresh_token(&self) -> Option<String> {
        self.standard.issue_refresh_token()
    }

    fn issue_extension(&self) -> Option<IssuedExtension> {
        let ticket = self.emulator.issue_ticket(&self.app_id)?;
        Some(IssuedExtension {
            grant_type: QR_TICKET_GRANT_TYPE.to_owned(),
            params: vec![("ticket".to_owned(), ticket)],
        })
    }

    fn token_request_count(&self) -> usize {
        self.standard.token_request_count() + self.ticket_exchanges()
    }
}
