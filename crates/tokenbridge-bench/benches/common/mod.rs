//! The `oauth2` crate as a contender; shared by the bench binaries (`oauth2` is a
//! dev-dependency, so it cannot live in the library).

use std::net::SocketAddr;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{ClientId, ClientSecret, EndpointNotSet, EndpointSet, TokenUrl};

type Client =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// `oauth2`'s `BasicClient` (client_secret_basic, its default) with its reqwest client.
pub(crate) struct OAuth2 {
    client: Client,
    http: reqwest::Client,
}

impl OAuth2 {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let client = BasicClient::new(ClientId::new(tokenbridge_bench::CLIENT_ID.into()))
            .set_client_secret(ClientSecret::new(tokenbridge_bench::CLIENT_SECRET.into()))
            .set_token_uri(TokenUrl::new(tokenbridge_bench::token_url(addr)).expect("a URL"));
        // oauth2's documentation asks for a client that does not follow redirects.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Self { client, http }
    }

    /// One client-credentials exchange.
    pub(crate) async fn exchange(&self) -> BasicTokenResponse {
        self.client
            .exchange_client_credentials()
            .request_async(&self.http)
            .await
            .expect("the exchange succeeds")
    }
}
