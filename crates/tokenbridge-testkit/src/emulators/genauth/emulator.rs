//! A running GenAuth emulator and the controls a test drives it with.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenbridge_core::{AuthMethod, Protocol};

use super::profiles::v3_token_profile;
use super::qrcode::{Shared, State};
use super::routes::routes;
use super::{oauth_profile, oidc_profile, GenAuthApp, GenAuthTarget, QrPhase, DEFAULT_QR_VALIDITY};
use crate::conformance::ProviderTarget;
use crate::oidc::{ClientRegistration, CodeRequest, OidcProvider, Reply};
use crate::server::{any_loopback_port, lock, EmulatorServer};

/// A running GenAuth emulator. It stops when dropped.
#[derive(Debug)]
pub struct GenAuthEmulator {
    server: EmulatorServer,
    shared: Arc<Shared>,
}

impl Deref for GenAuthEmulator {
    type Target = EmulatorServer;

    /// The recording server: `base()`, `base_url()`, `requests()`, `requests_to(path)`.
    fn deref(&self) -> &EmulatorServer {
        &self.server
    }
}

impl GenAuthEmulator {
    /// Starts on a free loopback port with the demo application registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts on `addr` with the demo application registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let mut shared = None;
        let server = EmulatorServer::start(addr, |base| {
            let s = Arc::new(Shared {
                base: base.clone(),
                state: Mutex::new(State {
                    apps: HashMap::new(),
                    qrcodes: HashMap::new(),
                    qr_serial: 0,
                    tickets: HashMap::new(),
                    queued: VecDeque::new(),
                    qr_validity: DEFAULT_QR_VALIDITY,
                    exchange_delay: Duration::ZERO,
                }),
                oidc: OidcProvider::new(oidc_profile(), base),
                oauth: OidcProvider::new(oauth_profile(), base),
                v3_tokens: OidcProvider::new(v3_token_profile(), base),
                counter: AtomicU64::new(1),
            });
            let router = routes(&s);
            shared = Some(s);
            router
        })
        .await?;
        let shared = shared.ok_or_else(|| std::io::Error::other("router was not built"))?;
        let emulator = Self { server, shared };
        emulator.register_app(GenAuthApp::demo());
        Ok(emulator)
    }

    /// The server (address, recorded requests).
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// Registers (or replaces) an application, on the V3 API and both token endpoints.
    pub fn register_app(&self, app: GenAuthApp) {
        let client = match &app.app_secret {
            Some(secret) if app.auth_method != AuthMethod::None => {
                ClientRegistration::confidential(&app.app_id, secret, app.auth_method)
            }
            _ => ClientRegistration::public(&app.app_id),
        };
        self.shared.oidc.register_client(client.clone());
        self.shared.oauth.register_client(client);
        lock(&self.shared.state)
            .apps
            .insert(app.app_id.clone(), app);
    }

    /// The `/oidc` provider (mint codes, queue token-endpoint replies).
    pub fn oidc(&self) -> &Arc<OidcProvider> {
        &self.shared.oidc
    }

    /// The `/oauth` provider.
    pub fn oauth(&self) -> &Arc<OidcProvider> {
        &self.shared.oauth
    }

    /// The provider behind `protocol`'s token endpoint.
    pub fn provider(&self, protocol: Protocol) -> &Arc<OidcProvider> {
        match protocol {
            Protocol::Oidc => &self.shared.oidc,
            _ => &self.shared.oauth,
        }
    }

    /// Makes the next V3 call (any of the three) get `reply` instead of the normal answer.
    /// Replies queue up in order. Token endpoints have their own queue:
    /// `oidc().push_reply(..)`.
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.shared.state).queued.push_back(reply);
    }

    /// Sets how long QR codes created from now on stay valid.
    pub fn set_qr_validity(&self, validity: Duration) {
        lock(&self.shared.state).qr_validity = validity;
    }

    /// Makes every ticket exchange answer only after `delay` (for deadline tests).
    pub fn set_exchange_delay(&self, delay: Duration) {
        lock(&self.shared.state).exchange_delay = delay;
    }

    /// Creates a QR code for `app_id` without an HTTP call, as `gene-qrcode` would.
    pub fn create_qr_code(&self, app_id: &str) -> String {
        self.shared.create_qr_code(app_id)
    }

    /// The QR code's phase, if it exists.
    pub fn qr_phase(&self, qrcode_id: &str) -> Option<QrPhase> {
        self.shared.phase(qrcode_id)
    }

    /// The phone scans: `PENDING` becomes `SCANNED` with this user. False if the code is
    /// unknown or not pending.
    pub fn scan(&self, qrcode_id: &str, display_name: &str, photo: &str) -> bool {
        self.shared.scan(qrcode_id, display_name, photo)
    }

    /// The user confirms: `SCANNED` becomes `AUTHORIZED`, with a fresh one-time ticket (or
    /// the token set, for apps returning it). False if the code is unknown or not scanned.
    pub fn confirm(&self, qrcode_id: &str) -> bool {
        self.shared.confirm(qrcode_id)
    }

    /// The user declines: `PENDING` or `SCANNED` becomes `CANCELLED`.
    pub fn cancel(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Cancelled)
    }

    /// The code expires now: `PENDING` or `SCANNED` becomes `EXPIRED`.
    pub fn expire(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Expired)
    }

    /// GenAuth fails the code: `PENDING` or `SCANNED` becomes `ERROR`.
    pub fn fail(&self, qrcode_id: &str) -> bool {
        self.shared.end(qrcode_id, QrPhase::Error)
    }

    /// The ticket an `AUTHORIZED` code carries, if any.
    pub fn ticket(&self, qrcode_id: &str) -> Option<String> {
        lock(&self.shared.state)
            .qrcodes
            .get(qrcode_id)
            .and_then(|r| r.ticket.clone())
    }

    /// A fresh one-time ticket for `app_id`: a QR code created, scanned by "Test User" and
    /// confirmed. `None` if the app is unknown or returns token sets instead of tickets.
    pub fn issue_ticket(&self, app_id: &str) -> Option<String> {
        self.shared.issue_ticket(app_id)
    }

    /// Mints an authorization code at `protocol`'s token endpoint for `app_id`, as a sign-in
    /// with `scope=openid offline_access profile` and `prompt=consent` would: at `/oidc` it is
    /// the kind of code that gets a refresh token (GenAuth's OpenID Connect guide).
    pub fn issue_offline_code(
        &self,
        protocol: Protocol,
        app_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider(protocol).issue_consented_code(CodeRequest {
            client_id: app_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: Some("openid offline_access profile".into()),
        })
    }

    /// Mints an authorization code at `protocol`'s token endpoint for `app_id`, with the
    /// protocol's default scope; at `/oidc` it gets no refresh token (see
    /// [`GenAuthEmulator::issue_offline_code`]).
    pub fn issue_code(
        &self,
        protocol: Protocol,
        app_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider(protocol).issue_code(CodeRequest {
            client_id: app_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: None,
        })
    }

    /// A conformance target minting credentials for `app_id` (already registered), with
    /// codes from `protocol`'s token endpoint. The `pkce` check is skipped for OAuth 2.0:
    /// GenAuth documents no PKCE at `/oauth/token`.
    pub fn target(&self, app_id: &str, protocol: Protocol) -> GenAuthTarget {
        let provider = Arc::clone(self.provider(protocol));
        let token_path = provider.profile().token_path.clone();
        let mut standard = ProviderTarget::from_parts(
            provider,
            self.server.recorder(),
            // Ticket exchanges are counted by `ticket_exchanges`, added in
            // `token_request_count`.
            vec![token_path],
            app_id,
        );
        if protocol == Protocol::OAuth2 {
            // GenAuth's OAuth 2.0 page documents no PKCE at `/oauth/token`.
            standard = standard.without_pkce_check();
        }
        GenAuthTarget {
            standard,
            emulator: Arc::clone(&self.shared),
            recorder: self.server.recorder(),
            app_id: app_id.into(),
        }
    }

    /// Runs until the server stops (for the `tokenbridge emulate` command).
    pub async fn wait(self) {
        self.server.wait().await;
    }
}
