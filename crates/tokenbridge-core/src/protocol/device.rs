//! The device authorization grant (RFC 8628): sign in on another device.
//!
//! [`Provider::start_device_authorization`] asks for a device code and a user code; the
//! application shows the user code and the verification URI; [`DevicePoller`] then polls the
//! token endpoint at the interval the provider asked for until the user approves or refuses,
//! or the code expires.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, BoxStream};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;

use crate::error::{DeviceEnd, DeviceError, Error, OAuthErrorCode, Result};
use crate::model::grant::Grant;
use crate::model::token::TokenSet;
use crate::protocol::exchanger::TokenExchanger;
use crate::transport::http::HttpResponse;
use crate::transport::url::parse_secure_url;
use crate::transport::wire::{decode_json_object, standard_error, unreadable};

/// The polling interval when the provider names none (RFC 8628 section 3.2).
pub const DEFAULT_DEVICE_INTERVAL: Duration = Duration::from_secs(5);

/// What `slow_down` adds to the interval, for that poll and every later one (RFC 8628 3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The shortest interval honoured, whatever the provider says, so a bad answer cannot make
/// the client flood the token endpoint.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// A device authorization in progress (RFC 8628 section 3.2): what to show the user, and the
/// device code the poll sends. `Debug` shows no device code.
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The code the user enters at [`verification_uri`](Self::verification_uri).
    pub user_code: String,
    /// Where the user goes, on any device, to enter the code.
    pub verification_uri: String,
    /// The same page with the code filled in, when the provider offers it (e.g. for a QR
    /// code).
    pub verification_uri_complete: Option<String>,
    /// How long the codes are valid, from when the answer arrived.
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
    device_code: SecretString,
    /// When the answer arrived, on tokio's clock: the codes expire `expires_in` later.
    started: Instant,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .field("device_code", &"[redacted]")
            .finish()
    }
}

impl DeviceAuthorization {
    /// A device authorization from its parts, for applications that started it themselves;
    /// the codes expire `expires_in` from now.
    pub fn new(
        device_code: impl Into<String>,
        user_code: impl Into<String>,
        verification_uri: impl Into<String>,
        expires_in: Duration,
        interval: Option<Duration>,
    ) -> Self {
        Self {
            user_code: user_code.into(),
            verification_uri: verification_uri.into(),
            verification_uri_complete: None,
            expires_in,
            interval: interval
                .unwrap_or(DEFAULT_DEVICE_INTERVAL)
                .max(MIN_INTERVAL),
            device_code: SecretString::from(device_code.into()),
            started: Instant::now(),
        }
    }

    /// The device code the poll sends.
    pub fn device_code(&self) -> &SecretString {
        &self.device_code
    }

    /// When the codes expire, on tokio's clock.
    pub fn deadline(&self) -> Instant {
        self.started + self.expires_in
    }

    /// Reads the answer of the device authorization endpoint (RFC 8628 section 3.2). Google's
    /// `verification_url` spelling is accepted for `verification_uri`.
    pub fn from_response(response: &HttpResponse) -> Result<Self> {
        let object = decode_json_object(response)?;
        if let Some(error) = standard_error(response, &object) {
            return Err(error);
        }
        if !response.is_success() {
            return Err(unreadable(
                response,
                "an error status without an OAuth 2.0 `error` field",
            ));
        }
        let text = |name: &str| match object.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(unreadable(
                response,
                format!("the device authorization answer's `{name}` is not a string"),
            )),
        };
        let required = |name: &str, value: Option<String>| {
            value.ok_or_else(|| {
                unreadable(
                    response,
                    format!(
                        "the device authorization answer has no `{name}` (RFC 8628 section 3.2)"
                    ),
                )
            })
        };
        let seconds = |name: &str| match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f >= 0.0) => {
                Ok(n.as_f64().map(|f| Duration::from_secs(f as u64)))
            }
            Some(Value::String(s)) => match s.trim().parse::<u64>() {
                Ok(n) => Ok(Some(Duration::from_secs(n))),
                Err(_) => Err(unreadable(
                    response,
                    format!("the device authorization answer's `{name}` is not a number"),
                )),
            },
            Some(_) => Err(unreadable(
                response,
                format!("the device authorization answer's `{name}` is not a number"),
            )),
        };
        let device_code = required("device_code", text("device_code")?)?;
        let user_code = required("user_code", text("user_code")?)?;
        let verification_uri = required(
            "verification_uri",
            text("verification_uri")?.or(text("verification_url")?),
        )?;
        // The user is sent there to type a code that signs this client in: a page over plain
        // http to another host could be read or replaced on the way.
        let secure = |name: &str, uri: Option<String>| match uri {
            Some(uri) if parse_secure_url(&uri, name).is_err() => Err(unreadable(
                response,
                format!(
                    "the device authorization answer's `{name}` is not an https URL (or http \
                     to a loopback host)"
                ),
            )),
            other => Ok(other),
        };
        let verification_uri =
            secure("verification_uri", Some(verification_uri))?.unwrap_or_default();
        let verification_uri_complete = secure(
            "verification_uri_complete",
            text("verification_uri_complete")?,
        )?;
        let expires_in = seconds("expires_in")?.ok_or_else(|| {
            unreadable(
                response,
                "the device authorization answer has no `expires_in` (RFC 8628 section 3.2)",
            )
        })?;
        let mut authorization = Self::new(
            device_code,
            user_code,
            verification_uri,
            expires_in,
            seconds("interval")?,
        );
        authorization.verification_uri_complete = verification_uri_complete;
        Ok(authorization)
    }
}

/// What a [`DevicePoller`] reports after each poll.
#[derive(Debug)]
#[non_exhaustive]
pub enum DeviceProgress {
    /// `authorization_pending`: the user has not decided yet.
    Pending,
    /// `slow_down`: polling goes on at this longer interval.
    SlowDown {
        /// The interval from now on.
        interval: Duration,
    },
    /// The user approved: the tokens. Nothing follows.
    Authorized(TokenSet),
}

type CancelSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Polls the token endpoint for a [`DeviceAuthorization`] (RFC 8628 section 3.4 and 3.5).
///
/// It waits [`interval`](DeviceAuthorization::interval) before each poll, keeps polling on
/// `authorization_pending`, adds 5 s to the interval on `slow_down` (for good), and ends
/// - with the tokens when the user approves,
/// - with the provider's `access_denied` ([`ErrorKind::AccessDenied`](crate::ErrorKind)) when
///   the user refuses,
/// - with [`Error::Device`](crate::Error::Device) and [`DeviceEnd::Expired`](crate::DeviceEnd::Expired) on `expired_token`, and when the codes'
///   lifetime ends before an answer (nothing is sent after it),
/// - with [`DeviceEnd::Aborted`](crate::DeviceEnd::Aborted) when the [`cancel_on`](Self::cancel_on) signal fires,
/// - with the error itself on any other failure.
///
/// Dropping the poller (or the future of [`wait`](Self::wait), or the stream) stops it too:
/// the device code grant is reusable, so no credential is lost by stopping mid-request.
pub struct DevicePoller<'a> {
    exchanger: &'a dyn TokenExchanger,
    authorization: &'a DeviceAuthorization,
    interval: Duration,
    cancel: Option<CancelSignal>,
    done: bool,
}

impl fmt::Debug for DevicePoller<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevicePoller")
            .field("provider", &self.exchanger.provider_id())
            .field("authorization", self.authorization)
            .field("interval", &self.interval)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'a> DevicePoller<'a> {
    /// A poller sending the device code grant through `exchanger` (usually the
    /// [`Provider`](crate::Provider) that started the authorization).
    pub fn new(exchanger: &'a dyn TokenExchanger, authorization: &'a DeviceAuthorization) -> Self {
        Self {
            exchanger,
            authorization,
            interval: authorization.interval,
            cancel: None,
            done: false,
        }
    }

    /// Stops waiting when `signal` completes (e.g. Ctrl-C, or the user pressing cancel),
    /// ending with [`DeviceEnd::Aborted`](crate::DeviceEnd::Aborted). A poll already sent runs to its end.
    pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cancel = Some(Box::pin(signal));
        self
    }

    /// The interval the next poll waits (raised by every `slow_down`).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits the interval, polls once, and says what came back. After the tokens or an
    /// error, it answers [`DeviceEnd::Ended`](crate::DeviceEnd::Ended) without sending anything.
    pub async fn next(&mut self) -> Result<DeviceProgress> {
        if self.done {
            return Err(
                DeviceError::new(DeviceEnd::Ended, "the device sign-in already ended").into(),
            );
        }
        let result = self.poll_once().await;
        if !matches!(
            result,
            Ok(DeviceProgress::Pending | DeviceProgress::SlowDown { .. })
        ) {
            self.done = true;
        }
        result
    }

    async fn poll_once(&mut self) -> Result<DeviceProgress> {
        let deadline = self.authorization.deadline();
        let wake = (Instant::now() + self.interval).min(deadline);
        let sleep = tokio::time::sleep_until(wake);
        match &mut self.cancel {
            Some(cancel) => {
                tokio::select! {
                    () = sleep => {}
                    () = cancel.as_mut() => {
                        return Err(DeviceError::new(
                            DeviceEnd::Aborted,
                            "the device login was cancelled",
                        )
                        .into())
                    }
                }
            }
            None => sleep.await,
        }
        if Instant::now() >= deadline {
            return Err(expired(format!(
                "the user code was not approved within its {} s",
                self.authorization.expires_in.as_secs()
            )));
        }
        let grant = Grant::device_code(self.authorization.device_code.expose_secret());
        match self.exchanger.exchange(grant).await {
            Ok(tokens) => Ok(DeviceProgress::Authorized(tokens)),
            Err(Error::OAuth(p)) if p.code == "authorization_pending" => {
                Ok(DeviceProgress::Pending)
            }
            Err(Error::OAuth(p)) if p.code == OAuthErrorCode::SlowDown => {
                self.interval += SLOW_DOWN_STEP;
                Ok(DeviceProgress::SlowDown {
                    interval: self.interval,
                })
            }
            Err(Error::OAuth(p)) if p.code == "expired_token" => Err(expired(
                "the provider says the device code expired (expired_token)".to_owned(),
            )),
            Err(e) => Err(e),
        }
    }

    /// Polls until the login ends; the tokens, or why not.
    pub async fn wait(mut self) -> Result<TokenSet> {
        loop {
            if let DeviceProgress::Authorized(tokens) = self.next().await? {
                return Ok(tokens);
            }
        }
    }

    /// Every poll's result as a stream, ending after the tokens or the first error.
    pub fn into_stream(self) -> BoxStream<'a, Result<DeviceProgress>> {
        Box::pin(stream::unfold(self, |mut poller| async move {
            if poller.done {
                return None;
            }
            let item = poller.next().await;
            Some((item, poller))
        }))
    }
}

fn expired(detail: String) -> Error {
    DeviceError::new(DeviceEnd::Expired, detail).into()
}
