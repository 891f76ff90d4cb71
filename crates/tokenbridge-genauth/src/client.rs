//! [`QrLoginClient`]: GenAuth's QR-code login over a configured [`Provider`].

use serde_json::{Map, Value};
use tokenbridge_core::{
    BodyEncoding, Error, HttpResponse, Provider, Result, SecretString, TokenExchanger,
    TokenRequest, TokenSet, Url,
};

use crate::qr::QrLogin;
use crate::vendor::{
    no_base_url, qr_ticket_grant, v3_request, GENE_QRCODE_PATH, QRCODE_STATUS_PATH, VENDOR,
};
use crate::wire::{open_envelope, QrCode, QrCodeOptions, QrCodeType, QrStatus};

/// The QR-code login of one GenAuth application: generate a code, follow its status, exchange
/// the ticket. Built over a GenAuth [`Provider`] (from configuration, or from
/// [`builder`](crate::builder)), whose base URL, client id, auth method and HTTP client it
/// uses.
///
/// Cheap to clone: clones share the provider.
///
/// ```no_run
/// # async fn run() -> tokenbridge_core::Result<()> {
/// use tokenbridge_core::{Protocol, SecretString};
/// use tokenbridge_genauth::{QrCodeType, QrLoginClient};
///
/// let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
///     .base_url("https://my-app.genauth.ai")
///     .client_id("6342b8537axxxx047d314109")
///     .client_secret(SecretString::from("4203d30e5e915xxxxxx26c31c9adce68"))
///     .build()?;
/// let qr_login = QrLoginClient::new(provider)?;
/// let qr = qr_login.generate_qr_code(QrCodeType::MobileApp).await?;
/// println!("show this QR code: {}", qr.url);
/// let tokens = qr_login
///     .poll_qr_login(&qr.id)
///     .run(|status| println!("{status}")) // "scanned by Alice, waiting for confirmation"
///     .await?;
/// println!("{tokens}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct QrLoginClient {
    provider: Provider,
}

impl QrLoginClient {
    /// A QR login client over `provider`, which must be a GenAuth provider with a base URL;
    /// anything else is an [`Error::Config`] and nothing is sent.
    pub fn new(provider: Provider) -> Result<Self> {
        if provider.vendor().kind != VENDOR {
            return Err(Error::config(
                "kind",
                format!(
                    "QR-code login needs a provider of kind \"genauth\", and {:?} is {:?}",
                    provider.id(),
                    provider.vendor().kind
                ),
            ));
        }
        if provider.base_url().is_none() {
            return Err(no_base_url());
        }
        Ok(Self { provider })
    }

    /// The provider this client calls.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    fn base(&self) -> Result<&Url> {
        self.provider.base_url().ok_or_else(no_base_url)
    }

    fn request(&self, path: &str, encoding: BodyEncoding) -> Result<TokenRequest> {
        v3_request(self.base()?, path, encoding, self.provider.client_id())
    }

    /// Sends a V3 call and opens its envelope; failures are classified by GenAuth's error
    /// table, as the token exchange's are.
    async fn send(&self, request: &TokenRequest) -> Result<(HttpResponse, Map<String, Value>)> {
        let result = async {
            let response = self.provider.http().send(request).await?;
            let data = open_envelope(&response)?;
            Ok((response, data))
        }
        .await;
        result.map_err(|e| self.provider.vendor().errors.classify(e))
    }

    /// Creates a login QR code (`POST /api/v3/gene-qrcode`). Show [`QrCode::url`] to the user,
    /// then [`poll_qr_login`](Self::poll_qr_login) with [`QrCode::id`].
    pub async fn generate_qr_code(&self, kind: QrCodeType) -> Result<QrCode> {
        self.generate_qr_code_with(QrCodeOptions::new(kind)).await
    }

    /// [`generate_qr_code`](Self::generate_qr_code) with GenAuth's optional settings
    /// (`extIdpConnId`, `customData`, `context`, `autoMergeQrCode`). A setting that does not
    /// go with the type is an [`Error::Config`], and nothing is sent.
    pub async fn generate_qr_code_with(&self, options: QrCodeOptions) -> Result<QrCode> {
        let mut request = self.request(GENE_QRCODE_PATH, BodyEncoding::Json)?;
        options.apply(&mut request)?;
        let (response, data) = self.send(&request).await?;
        QrCode::from_data(&response, &data, options.kind())
    }

    /// The current status of a QR code (`GET /api/v3/get-qrcode-status?qrcodeId=`), once.
    pub async fn qr_code_status(&self, qrcode_id: &str) -> Result<QrStatus> {
        if qrcode_id.trim().is_empty() {
            return Err(Error::config(
                "qrcode_id",
                "the QR code id is empty; use the id generate_qr_code returned",
            ));
        }
        let mut request = self.request(QRCODE_STATUS_PATH, BodyEncoding::None)?;
        request.param("qrcodeId", qrcode_id);
        let (response, data) = self.send(&request).await?;
        QrStatus::from_data(&response, &data, self.provider.id())
    }

    /// Exchanges a QR-code ticket for tokens: `provider.exchange(qr_ticket_grant(ticket))`,
    /// sent to `POST /api/v3/exchange-tokenset-with-qrcode-ticket` with the application's auth
    /// method (nothing extra for `none`, `client_id` and `client_secret` in the JSON body for
    /// `client_secret_post`, an `Authorization: Basic` header for `client_secret_basic`).
    ///
    /// The ticket is spent by the first request that reaches GenAuth, so it is sent once and
    /// never retried. Run this on a server: it needs the application secret.
    pub async fn exchange_qr_ticket(&self, ticket: SecretString) -> Result<TokenSet> {
        use tokenbridge_core::ExposeSecret;
        self.provider
            .exchange(qr_ticket_grant(ticket.expose_secret()))
            .await
    }

    /// Waits for the QR code `qrcode_id` to be scanned and confirmed, then returns the tokens.
    /// See [`QrLogin`] for the interval, the deadline (120 s by default, the QR code's default
    /// validity), cancellation, and how status changes are delivered.
    pub fn poll_qr_login(&self, qrcode_id: impl Into<String>) -> QrLogin {
        QrLogin::new(self.clone(), qrcode_id.into())
    }
}
