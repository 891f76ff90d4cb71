//! An [`OidcProvider`] served on loopback.

use std::sync::Arc;

use axum::Router;
use url::Url;

use super::{ClientRegistration, CodeRequest, OidcProvider, Profile};
use crate::conformance::ProviderTarget;
use crate::reply::Reply;
use crate::server::{any_loopback_port, EmulatorServer, RecordedRequest};

/// A standard OpenID Connect provider served on loopback.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
/// use tokenbridge_core::AuthMethod;
///
/// let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
/// emulator.provider().register_client(ClientRegistration::confidential("app", "s3cret", AuthMethod::ClientSecretBasic));
/// let code = emulator.issue_code("app", "http://127.0.0.1/cb", None);
/// assert!(code.starts_with("code-"));
/// # }
/// ```
#[derive(Debug)]
pub struct OidcEmulator {
    server: EmulatorServer,
    provider: Arc<OidcProvider>,
}

impl OidcEmulator {
    /// Starts `profile` on a free loopback port.
    pub async fn start(profile: Profile) -> std::io::Result<Self> {
        Self::start_on(profile, any_loopback_port()).await
    }

    /// Starts `profile` on `addr`.
    pub async fn start_on(profile: Profile, addr: std::net::SocketAddr) -> std::io::Result<Self> {
        Self::start_with_routes(profile, addr, |_| Router::new()).await
    }

    /// Starts `profile` on `addr` with a vendor's extra routes (e.g. a discovery document of
    /// its own shape) beside the provider's.
    pub async fn start_with_routes(
        profile: Profile,
        addr: std::net::SocketAddr,
        extra_routes: impl FnOnce(&Arc<OidcProvider>) -> Router,
    ) -> std::io::Result<Self> {
        let mut provider = None;
        let server = EmulatorServer::start(addr, |base| {
            let p = OidcProvider::new(profile, base);
            let router = p.routes().merge(extra_routes(&p));
            provider = Some(p);
            router
        })
        .await?;
        let provider = provider.ok_or_else(|| std::io::Error::other("router was not built"))?;
        Ok(Self { server, provider })
    }

    /// The base URL without the trailing slash, as configuration writes it.
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        self.server.base_url()
    }

    /// Registers a client.
    pub fn register_client(&self, client: ClientRegistration) {
        self.provider.register_client(client);
    }

    /// Mints a refresh token for `client_id`, as an earlier code exchange would.
    pub fn issue_refresh_token(&self, client_id: &str, scope: &str) -> String {
        self.provider.issue_refresh_token(client_id, scope)
    }

    /// Makes the next token request get `reply` (e.g. a documentation sample, verbatim).
    pub fn push_reply(&self, reply: Reply) {
        self.provider.push_reply(reply);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.server.clear_requests();
    }

    /// A conformance target minting credentials for `client_id`.
    pub fn target(&self, client_id: &str) -> ProviderTarget {
        ProviderTarget::new(self, client_id)
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.server.wait().await;
    }

    /// The provider state (register clients, mint codes, queue replies).
    pub fn provider(&self) -> &Arc<OidcProvider> {
        &self.provider
    }

    /// The server (base URL, recorded requests).
    pub fn server(&self) -> &EmulatorServer {
        &self.server
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        self.provider.issuer()
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        self.provider.token_endpoint()
    }

    /// Mints a code for `client_id` (see [`OidcProvider::issue_code`]).
    pub fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> String {
        self.provider.issue_code(CodeRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            code_challenge,
            scope: None,
        })
    }

    /// Requests received at the token endpoint.
    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.server.requests_to(&self.provider.profile().token_path)
    }
}
