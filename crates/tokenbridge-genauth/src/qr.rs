//! Waiting for a QR-code login to finish: polling the status, reporting each change, and
//! ending with tokens or with a [`QrLoginEnd`](crate::QrLoginEnd) that says why not.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use tokenbridge_core::{Error, Result, SecretString, TokenSet};

use crate::qr_error::{QrLoginEnd, QrLoginError};
use tokio::time::Instant;

use crate::client::QrLoginClient;
use crate::wire::{QrAuthorization, QrStatus, QrUser};

/// How often the status is asked for by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long a login is waited for by default: GenAuth's default QR-code validity. The V3
/// `gene-qrcode` answer carries no expiry, so the default console setting is assumed.
pub const DEFAULT_QR_DEADLINE: Duration = Duration::from_secs(120);

/// The shortest interval; shorter ones are raised to it so a poll cannot flood the tenant.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How many retryable failures in a row (connection errors, timeouts, 5xx) a poll rides out
/// by default before giving up.
pub const DEFAULT_MAX_CONSECUTIVE_ERRORS: u32 = 3;

type CancelSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a QR-code login reports while it runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum QrLoginEvent {
    /// The status changed (the first status counts as a change). A status that is repeated
    /// unchanged is not reported again.
    Status(QrStatus),
    /// The login finished: the tokens, from the ticket exchange or from the status itself.
    /// Nothing follows it.
    LoggedIn(TokenSet),
}

/// A QR-code login in progress; made by [`QrLoginClient::poll_qr_login`].
///
/// It asks for the status every [`interval`](Self::interval) until the code is authorized,
/// exchanges the ticket (unless GenAuth sent the tokens with the status), and returns the
/// tokens. It ends with an [`Error::Adapter`] holding a [`QrLoginError`](crate::QrLoginError) whose [`QrLoginEnd`](crate::QrLoginEnd) is
/// - `Cancelled` when the user declined on the phone,
/// - `Expired` when GenAuth says the code expired,
/// - `TimedOut` when the [`deadline`](Self::deadline) passed first,
/// - `Aborted` when the [`cancel_on`](Self::cancel_on) signal fired,
/// - `Failed` when GenAuth reported `ERROR` or a status tokenbridge does not know.
///
/// Other failures (a wrong app id, a refused ticket) keep their own [`Error`] variant.
///
/// The deadline and the cancel signal stop the waiting, never the ticket exchange: a ticket
/// is spent by the request that carries it, so that request always runs to its end.
///
/// ```no_run
/// # async fn run(qr_login: tokenbridge_genauth::QrLoginClient) -> tokenbridge_core::Result<()> {
/// use std::time::Duration;
/// use tokenbridge_genauth::QrCodeType;
///
/// let qr = qr_login.generate_qr_code(QrCodeType::MobileApp).await?;
/// println!("scan {}", qr.url);
/// let tokens = qr_login
///     .poll_qr_login(&qr.id)
///     .interval(Duration::from_secs(2))
///     .run(|status| println!("{status}"))
///     .await?;
/// println!("{tokens}");
/// # Ok(()) }
/// ```
pub struct QrLogin {
    client: QrLoginClient,
    qrcode_id: String,
    interval: Duration,
    deadline: Duration,
    max_consecutive_errors: u32,
    cancel: Option<CancelSignal>,
}

impl fmt::Debug for QrLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrLogin")
            .field("qrcode_id", &self.qrcode_id)
            .field("interval", &self.interval)
            .field("deadline", &self.deadline)
            .field("max_consecutive_errors", &self.max_consecutive_errors)
            .field("cancellable", &self.cancel.is_some())
            .finish()
    }
}

impl QrLogin {
    pub(crate) fn new(client: QrLoginClient, qrcode_id: String) -> Self {
        Self {
            client,
            qrcode_id,
            interval: DEFAULT_POLL_INTERVAL,
            deadline: DEFAULT_QR_DEADLINE,
            max_consecutive_errors: DEFAULT_MAX_CONSECUTIVE_ERRORS,
            cancel: None,
        }
    }

    /// The time between status requests (default 1 s, at least [`MIN_POLL_INTERVAL`]).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(MIN_POLL_INTERVAL);
        self
    }

    /// How long to wait in all, counted from the first status request (default 120 s). A
    /// deadline too far away to represent (e.g. [`Duration::MAX`]) means no deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How many retryable failures in a row to ride out (default 3; 0 gives up on the first).
    pub fn max_consecutive_errors(mut self, n: u32) -> Self {
        self.max_consecutive_errors = n;
        self
    }

    /// Stops waiting, with [`QrLoginEnd::Aborted`], when `signal` completes: a oneshot
    /// receiver, a cancellation token's future, `tokio::signal::ctrl_c()`. Whatever it
    /// outputs is ignored.
    pub fn cancel_on<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.cancel = Some(Box::pin(async move {
            signal.await;
        }));
        self
    }

    /// Runs the login, calling `on_status` with each status change as it happens, and returns
    /// the tokens.
    pub async fn run<F>(self, mut on_status: F) -> Result<TokenSet>
    where
        F: FnMut(&QrStatus),
    {
        let mut poller = Poller::new(self);
        while let Some(event) = poller.next_event().await {
            match event? {
                QrLoginEvent::Status(status) => on_status(&status),
                QrLoginEvent::LoggedIn(tokens) => return Ok(tokens),
            }
        }
        Err(QrLoginError::new(QrLoginEnd::Failed, "the QR login ended without tokens").into())
    }

    /// The login as a stream: each status change, then [`QrLoginEvent::LoggedIn`] or one
    /// error, then the end. Dropping the stream stops the polling.
    pub fn into_stream(self) -> BoxStream<'static, Result<QrLoginEvent>> {
        stream::unfold(Poller::new(self), |mut poller| async move {
            poller.next_event().await.map(|event| (event, poller))
        })
        .boxed()
    }
}

/// What the poller does next.
enum Step {
    Poll,
    Exchange(SecretString),
    Deliver(Box<TokenSet>),
    Fail(Error),
    Finished,
}

struct Poller {
    login: QrLogin,
    /// Set on the first event; `Some(None)` when the deadline is beyond what an [`Instant`]
    /// can hold, i.e. none.
    deadline_at: Option<Option<Instant>>,
    next: Step,
    polled: bool,
    errors_in_row: u32,
    last_seen: Option<(&'static str, Option<QrUser>)>,
}

impl Poller {
    fn new(login: QrLogin) -> Self {
        Self {
            login,
            deadline_at: None,
            next: Step::Poll,
            polled: false,
            errors_in_row: 0,
            last_seen: None,
        }
    }

    async fn next_event(&mut self) -> Option<Result<QrLoginEvent>> {
        let deadline = *self
            .deadline_at
            .get_or_insert_with(|| Instant::now().checked_add(self.login.deadline));
        loop {
            match std::mem::replace(&mut self.next, Step::Finished) {
                Step::Finished => return None,
                Step::Fail(error) => return Some(Err(error)),
                Step::Deliver(tokens) => return Some(Ok(QrLoginEvent::LoggedIn(*tokens))),
                Step::Exchange(ticket) => {
                    let result = self.login.client.exchange_qr_ticket(ticket).await;
                    return Some(result.map(QrLoginEvent::LoggedIn));
                }
                Step::Poll => {
                    let login = &mut self.login;
                    if self.polled {
                        let wait = tokio::time::sleep(login.interval);
                        let guarded = guard(
                            &mut login.cancel,
                            deadline,
                            wait,
                            &login.qrcode_id,
                            login.deadline,
                        );
                        if let Err(e) = guarded.await {
                            return Some(Err(e));
                        }
                    }
                    self.polled = true;
                    let query = login.client.qr_code_status(&login.qrcode_id);
                    let guarded = guard(
                        &mut login.cancel,
                        deadline,
                        query,
                        &login.qrcode_id,
                        login.deadline,
                    );
                    let result = match guarded.await {
                        Ok(result) => result,
                        Err(e) => return Some(Err(e)),
                    };
                    let status = match result {
                        Ok(status) => status,
                        Err(e)
                            if e.is_retryable()
                                && self.errors_in_row < login.max_consecutive_errors =>
                        {
                            self.errors_in_row += 1;
                            self.next = Step::Poll;
                            continue;
                        }
                        Err(e) => return Some(Err(e)),
                    };
                    self.errors_in_row = 0;
                    self.next = after(&status, &login.qrcode_id);
                    let seen = (status.as_str(), status.user().cloned());
                    if self.last_seen.as_ref() != Some(&seen) {
                        self.last_seen = Some(seen);
                        return Some(Ok(QrLoginEvent::Status(status)));
                    }
                }
            }
        }
    }
}

/// What follows a status.
fn after(status: &QrStatus, qrcode_id: &str) -> Step {
    let end =
        |reason: QrLoginEnd, detail: String| Step::Fail(QrLoginError::new(reason, detail).into());
    match status {
        QrStatus::Pending | QrStatus::Scanned { .. } => Step::Poll,
        QrStatus::Authorized { authorization, .. } => match authorization {
            QrAuthorization::Ticket(ticket) => Step::Exchange(ticket.clone()),
            QrAuthorization::Tokens(tokens) => Step::Deliver(tokens.clone()),
        },
        QrStatus::Cancelled { user } => end(
            QrLoginEnd::Cancelled,
            match user.as_ref().and_then(|u| u.display_name.as_deref()) {
                Some(name) => {
                    format!("{name} declined the login for QR code {qrcode_id} on their phone")
                }
                None => format!("the login for QR code {qrcode_id} was declined on the phone"),
            },
        ),
        QrStatus::Expired => end(
            QrLoginEnd::Expired,
            format!("GenAuth reports QR code {qrcode_id} as EXPIRED; generate a new one"),
        ),
        QrStatus::Error => end(
            QrLoginEnd::Failed,
            format!("GenAuth reports status ERROR for QR code {qrcode_id}; generate a new one"),
        ),
    }
}

/// Runs `work` unless the cancel signal fires or the deadline passes first.
async fn guard<T>(
    cancel: &mut Option<CancelSignal>,
    deadline: Option<Instant>,
    work: impl Future<Output = T>,
    qrcode_id: &str,
    allowed: Duration,
) -> Result<T> {
    let cancelled = async {
        match cancel.as_mut() {
            Some(signal) => signal.as_mut().await,
            None => std::future::pending().await,
        }
    };
    let timed_out = async {
        match deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        () = cancelled => Err(QrLoginError::new(
            QrLoginEnd::Aborted,
            format!("stopped waiting for QR code {qrcode_id}"),
        )
        .into()),
        () = timed_out => Err(QrLoginError::new(
            QrLoginEnd::TimedOut,
            format!(
                "QR code {qrcode_id} was not confirmed within {} s",
                allowed.as_secs_f64()
            ),
        )
        .into()),
        value = work => Ok(value),
    }
}
