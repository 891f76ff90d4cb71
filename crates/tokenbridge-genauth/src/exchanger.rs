//! [`GenAuthExchanger`]: the QR-code login calls of the V3 API, and the OIDC / OAuth 2.0 token
//! endpoint through core's [`StandardExchanger`].

use std::sync::Arc;

use reqwest::header::HeaderName;
use serde_json::{Map, Value};
use tokenbridge_core::http::join_path;
use tokenbridge_core::wire::{
    decode_json_object, parse_standard_fast, standard_error, token_set_from_fields, unreadable,
};
use tokenbridge_core::{
    async_trait, ensure_supported, AuthMethod, BasicEncoding, BodyEncoding, ClientAuth,
    ClientSecretBasic, ClientSecretPost, Error, ExchangeHooks, ExposeSecret, Grant, GrantKind,
    HttpClient, HttpResponse, Result, SecretString, StandardExchanger, TokenExchanger,
    TokenRequest, TokenSet, Url,
};

use crate::config::GenAuthConfig;
use crate::qr::QrLogin;
use crate::wire::{
    open_envelope, parse_envelope_tokens, unwrap_envelope, QrCode, QrCodeOptions, QrCodeType,
    QrStatus,
};

/// The header naming the application on every V3 call.
pub const APP_ID_HEADER: &str = "x-authing-app-id";

/// `POST`: creates a login QR code.
pub const GENE_QRCODE_PATH: &str = "/api/v3/gene-qrcode";

/// `GET ?qrcodeId=`: the status of a QR code. (`/api/v3/check-qrcode-status` is deprecated
/// and `/api/v3/get-app-login-qrcode-status` is another feature.)
pub const QRCODE_STATUS_PATH: &str = "/api/v3/get-qrcode-status";

/// `POST`: exchanges a QR-code ticket for tokens.
pub const EXCHANGE_TICKET_PATH: &str = "/api/v3/exchange-tokenset-with-qrcode-ticket";

/// The grants a [`GenAuthExchanger`] exchanges.
const GRANTS: [GrantKind; 4] = [
    GrantKind::AuthorizationCode,
    GrantKind::RefreshToken,
    GrantKind::ClientCredentials,
    GrantKind::QrTicket,
];

/// Reads `/oidc/token` and `/oauth/token` answers: standard, except that a V3 envelope is
/// understood too, so a business failure there still becomes an [`Error::Vendor`] rather than
/// an unreadable answer.
#[derive(Debug, Clone, Copy, Default)]
struct GenAuthHooks;

impl ExchangeHooks for GenAuthHooks {
    fn parse_response(&self, response: &HttpResponse, provider: &str) -> Result<TokenSet> {
        // A plain standard success has an `access_token`, so the envelope branch below would
        // not be taken: core's typed parser gives the same tokens in one pass.
        if let Some(tokens) = parse_standard_fast(response, provider) {
            return Ok(tokens);
        }
        let object = decode_json_object(response)?;
        if let Some(err) = standard_error(response, &object) {
            return Err(err);
        }
        if object.contains_key("statusCode") && !object.contains_key("access_token") {
            let data = unwrap_envelope(response, object)?;
            return token_set_from_fields(response, data, provider);
        }
        if !response.is_success() {
            return Err(unreadable(
                response,
                "an error status without an OAuth 2.0 `error` field",
            ));
        }
        token_set_from_fields(response, object, provider)
    }
}

/// Exchanges credentials with one GenAuth application: authorization codes, refresh tokens
/// and client credentials at `/oidc/token` (or `/oauth/token`), and QR-login tickets at
/// `/api/v3/exchange-tokenset-with-qrcode-ticket`. It also runs the QR-code login itself:
/// [`generate_qr_code`](Self::generate_qr_code), [`poll_qr_login`](Self::poll_qr_login).
///
/// Cheap to clone: clones share the configuration and the HTTP client.
#[derive(Debug, Clone)]
pub struct GenAuthExchanger {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    provider: String,
    config: GenAuthConfig,
    base: Url,
    token_endpoint: Url,
    http: HttpClient,
    standard: StandardExchanger,
    /// `None` for the `none` method: the V3 API wants nothing extra then, not even a
    /// `client_id` (unlike RFC 6749's `none`).
    ticket_auth: Option<Arc<dyn ClientAuth>>,
    app_id_header: HeaderName,
}

impl GenAuthExchanger {
    /// Checks `config` and builds the exchanger; nothing is sent yet.
    pub fn new(
        provider_id: impl Into<String>,
        config: GenAuthConfig,
        http: HttpClient,
    ) -> Result<Self> {
        let provider = provider_id.into();
        config.validate()?;
        let base = config.base()?;
        let secret = || {
            config.app_secret().cloned().ok_or_else(|| {
                Error::config(
                    "app_secret",
                    "this auth method needs the application secret",
                )
            })
        };
        // GenAuth documents Basic as base64(<client_id>:<client_secret>), without the RFC 6749
        // form-encoding step; application ids and secrets are hex, so both agree in practice.
        let ticket_auth: Option<Arc<dyn ClientAuth>> = match config.auth_method() {
            AuthMethod::None => None,
            AuthMethod::ClientSecretBasic => Some(Arc::new(
                ClientSecretBasic::new(config.app_id(), secret()?)
                    .with_encoding(BasicEncoding::Raw),
            )),
            AuthMethod::ClientSecretPost => {
                Some(Arc::new(ClientSecretPost::new(config.app_id(), secret()?)))
            }
            other => {
                return Err(Error::config(
                    "auth_method",
                    format!("GenAuth supports none, client_secret_post and client_secret_basic, not {other}"),
                ))
            }
        };
        let token_endpoint = config.token_endpoint()?;
        let standard = StandardExchanger::builder(provider.clone())
            .token_endpoint(token_endpoint.as_str())
            .client_id(config.app_id())
            .client_secret_opt(config.app_secret().cloned())
            .auth_method(config.auth_method())
            .basic_encoding(BasicEncoding::Raw)
            .http_client(http.clone())
            .grants([
                GrantKind::AuthorizationCode,
                GrantKind::RefreshToken,
                GrantKind::ClientCredentials,
            ])
            .hooks(Arc::new(GenAuthHooks))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                provider,
                base,
                token_endpoint,
                http,
                standard,
                ticket_auth,
                app_id_header: HeaderName::from_static(APP_ID_HEADER),
                config,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GenAuthConfig {
        &self.inner.config
    }

    /// The application host every endpoint lives below.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The token endpoint codes and refresh tokens go to: `<base_url>/oidc/token` or
    /// `<base_url>/oauth/token`, by the configured protocol.
    pub fn token_endpoint(&self) -> &Url {
        &self.inner.token_endpoint
    }

    /// The URL of a V3 API path on this application's host.
    pub fn api_url(&self, path: &str) -> Url {
        join_path(&self.inner.base, path)
    }

    /// Builds the request `grant` would send, without sending it.
    pub async fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
        ensure_supported(self, grant.kind())?;
        match grant {
            Grant::QrTicket { ticket } => self.ticket_request(ticket),
            other => self.inner.standard.build_request(other).await,
        }
    }

    fn v3_request(&self, path: &str, encoding: BodyEncoding) -> Result<TokenRequest> {
        let url = self.api_url(path);
        let mut request = match encoding {
            BodyEncoding::None => TokenRequest::get(url),
            other => TokenRequest::post(url, other),
        };
        request.header(
            self.inner.app_id_header.clone(),
            self.inner.config.app_id(),
            false,
        )?;
        Ok(request)
    }

    fn ticket_request(&self, ticket: &SecretString) -> Result<TokenRequest> {
        if ticket.expose_secret().trim().is_empty() {
            return Err(Error::config(
                "ticket",
                "the QR-code ticket is empty; take it from an AUTHORIZED QR status",
            ));
        }
        let mut request = self.v3_request(EXCHANGE_TICKET_PATH, BodyEncoding::Json)?;
        request.secret_param("ticket", ticket);
        if let Some(auth) = &self.inner.ticket_auth {
            auth.apply(&mut request)?;
        }
        Ok(request)
    }

    async fn send_v3(&self, request: &TokenRequest) -> Result<(HttpResponse, Map<String, Value>)> {
        let response = self.inner.http.send(request).await?;
        let data = open_envelope(&response)?;
        Ok((response, data))
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
        let mut request = self.v3_request(GENE_QRCODE_PATH, BodyEncoding::Json)?;
        options.apply(&mut request)?;
        let (response, data) = self.send_v3(&request).await?;
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
        let mut request = self.v3_request(QRCODE_STATUS_PATH, BodyEncoding::None)?;
        request.param("qrcodeId", qrcode_id);
        let (response, data) = self.send_v3(&request).await?;
        QrStatus::from_data(&response, &data, &self.inner.provider)
    }

    /// Exchanges a QR-code ticket for tokens
    /// (`POST /api/v3/exchange-tokenset-with-qrcode-ticket`), with the application's auth
    /// method: nothing extra for `none`, `client_id` and `client_secret` in the JSON body for
    /// `client_secret_post`, an `Authorization: Basic` header for `client_secret_basic`.
    ///
    /// The ticket is spent by the first request that reaches GenAuth, so it is sent once and
    /// never retried. Run this on a server: it needs the application secret.
    pub async fn exchange_qr_ticket(&self, ticket: SecretString) -> Result<TokenSet> {
        let request = self.ticket_request(&ticket)?;
        let response = self.inner.http.send(&request).await?;
        parse_envelope_tokens(&response, &self.inner.provider)
    }

    /// Waits for the QR code `qrcode_id` to be scanned and confirmed, then returns the tokens.
    /// See [`QrLogin`] for the interval, the deadline (120 s by default, the QR code's default
    /// validity), cancellation, and how status changes are delivered.
    pub fn poll_qr_login(&self, qrcode_id: impl Into<String>) -> QrLogin {
        QrLogin::new(self.clone(), qrcode_id.into())
    }
}

#[async_trait]
impl TokenExchanger for GenAuthExchanger {
    fn provider_id(&self) -> &str {
        &self.inner.provider
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &GRANTS
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        ensure_supported(self, grant.kind())?;
        match grant {
            Grant::QrTicket { ticket } => self.exchange_qr_ticket(ticket).await,
            other => self.inner.standard.exchange(other).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::AUTHORIZATION;
    use tokenbridge_core::Protocol;

    fn exchanger(method: AuthMethod, protocol: Protocol) -> GenAuthExchanger {
        let mut config = GenAuthConfig::new("https://proxy.example.com/tenant-a", "app-1")
            .with_auth_method(method)
            .with_protocol(protocol);
        if method.needs_secret() {
            config = config.with_app_secret(SecretString::from("s3cret"));
        }
        GenAuthExchanger::new("genauth", config, HttpClient::default()).unwrap()
    }

    fn body(request: &TokenRequest) -> String {
        String::from_utf8(request.body_bytes()).unwrap()
    }

    #[tokio::test]
    async fn ticket_request_per_auth_method() {
        let grant = Grant::qr_ticket("tk-1");
        let r = exchanger(AuthMethod::None, Protocol::Oidc)
            .build_request(&grant)
            .await
            .unwrap();
        assert_eq!(
            r.url().as_str(),
            "https://proxy.example.com/tenant-a/api/v3/exchange-tokenset-with-qrcode-ticket"
        );
        assert_eq!(body(&r), r#"{"ticket":"tk-1"}"#);
        assert_eq!(r.headers().len(), 1);
        assert_eq!(r.headers()[APP_ID_HEADER], "app-1");
        assert_eq!(r.content_type(), Some("application/json"));

        let r = exchanger(AuthMethod::ClientSecretPost, Protocol::Oidc)
            .build_request(&grant)
            .await
            .unwrap();
        assert_eq!(
            body(&r),
            r#"{"client_id":"app-1","client_secret":"s3cret","ticket":"tk-1"}"#
        );
        assert!(r.headers().get(AUTHORIZATION).is_none());

        let r = exchanger(AuthMethod::ClientSecretBasic, Protocol::Oidc)
            .build_request(&grant)
            .await
            .unwrap();
        assert_eq!(body(&r), r#"{"ticket":"tk-1"}"#);
        // base64("app-1:s3cret")
        assert_eq!(r.headers()[AUTHORIZATION], "Basic YXBwLTE6czNjcmV0");
        assert!(!format!("{r:?}").contains("YXBwLTE6czNjcmV0"));
    }

    #[tokio::test]
    async fn token_endpoint_follows_the_protocol_and_prefix() {
        let e = exchanger(AuthMethod::ClientSecretPost, Protocol::Oidc);
        assert_eq!(e.base_url().as_str(), "https://proxy.example.com/tenant-a");
        assert_eq!(
            e.token_endpoint().as_str(),
            "https://proxy.example.com/tenant-a/oidc/token"
        );
        let e = exchanger(AuthMethod::ClientSecretPost, Protocol::OAuth2);
        assert_eq!(
            e.token_endpoint().as_str(),
            "https://proxy.example.com/tenant-a/oauth/token"
        );
        let clone = e.clone();
        assert_eq!(clone.token_endpoint(), e.token_endpoint());
        let r = e
            .build_request(&Grant::refresh_token("rt-1"))
            .await
            .unwrap();
        assert_eq!(
            body(&r),
            "grant_type=refresh_token&refresh_token=rt-1&client_id=app-1&client_secret=s3cret"
        );
        assert!(r.headers().get(APP_ID_HEADER).is_none());
    }

    #[tokio::test]
    async fn empty_ticket_is_refused_before_sending() {
        let e = exchanger(AuthMethod::None, Protocol::Oidc);
        let err = e.exchange(Grant::qr_ticket(" ")).await.unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "ticket"),
            "{err}"
        );
        let err = e.qr_code_status("").await.unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "qrcode_id"),
            "{err}"
        );
    }

    #[test]
    fn basic_matches_the_documented_header() {
        // The example value on GenAuth's exchange-tokenset-with-qrcode-ticket page decodes to
        // "6063fb2f3cxxxx6df55f39eb:2fe7c87a81f867xxxx0324df12daedc7".
        let auth = ClientSecretBasic::new(
            "6063fb2f3cxxxx6df55f39eb",
            SecretString::from("2fe7c87a81f867xxxx0324df12daedc7"),
        )
        .with_encoding(BasicEncoding::Raw);
        assert_eq!(
            auth.header_value(),
            "Basic NjA2M2ZiMmYzY3h4eHg2ZGY1NWYzOWViOjJmZTdjODdhODFmODY3eHh4eDAzMjRkZjEyZGFlZGM3"
        );
    }

    #[test]
    fn new_checks_the_config_and_hides_the_secret() {
        let err = GenAuthExchanger::new(
            "genauth",
            GenAuthConfig::new("https://a.genauth.ai", "app"),
            HttpClient::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Config { key: Some(k), .. } if k == "app_secret"),
            "{err}"
        );
        let e = exchanger(AuthMethod::ClientSecretBasic, Protocol::Oidc);
        let shown = format!("{e:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn a_secret_with_auth_method_none_is_refused() {
        let err = GenAuthExchanger::new(
            "genauth",
            GenAuthConfig::new("https://a.genauth.ai", "app")
                .with_app_secret(SecretString::from("s3cret"))
                .with_auth_method(AuthMethod::None),
            HttpClient::default(),
        )
        .unwrap_err();
        match &err {
            Error::Config { key, message } => {
                assert_eq!(key.as_deref(), Some("app_secret"));
                assert!(message.contains("would never be sent"), "{message}");
                assert!(!message.contains("s3cret"), "{message}");
            }
            other => panic!("expected Error::Config, got {other:?}"),
        }
    }
}
