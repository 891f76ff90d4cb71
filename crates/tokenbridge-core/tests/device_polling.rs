//! Device authorization polling (RFC 8628 sections 3.4 and 3.5) against a scripted exchanger,
//! on tokio's paused clock: every answer the token endpoint can give, and when each poll is
//! sent.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use tokenbridge_core::{
    async_trait, DeviceAuthorization, DeviceEnd, DevicePoller, DeviceProgress, Error, ErrorKind,
    ExposeSecret, Grant, GrantKind, OAuthError, Result, TokenExchanger, TokenSet, TokenType,
    DEVICE_CODE_GRANT_TYPE,
};
use tokio::time::Instant;

/// Answers each device code grant with the next scripted answer (an OAuth error code, or
/// `None` for tokens) and records when it was asked and what it was sent.
#[derive(Debug)]
struct Script {
    answers: Mutex<VecDeque<Option<&'static str>>>,
    polls: Mutex<Vec<(Duration, String, String)>>,
    start: Instant,
}

impl Script {
    fn new(answers: &[Option<&'static str>]) -> Self {
        Self {
            answers: Mutex::new(answers.iter().copied().collect()),
            polls: Mutex::new(Vec::new()),
            start: Instant::now(),
        }
    }

    /// The time of each poll since the script was made.
    fn times(&self) -> Vec<u64> {
        self.polls
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _, _)| t.as_secs())
            .collect()
    }
}

#[async_trait]
impl TokenExchanger for Script {
    fn provider_id(&self) -> &str {
        "tv"
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &[GrantKind::Extension]
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        let code = grant
            .secret_param("device_code")
            .map(|c| c.expose_secret().to_owned())
            .unwrap_or_default();
        self.polls.lock().unwrap().push((
            self.start.elapsed(),
            grant.grant_type().to_owned(),
            code,
        ));
        match self.answers.lock().unwrap().pop_front() {
            Some(None) => Ok(TokenSet::new("tv", "at-device", TokenType::Bearer)),
            Some(Some(code)) => Err(OAuthError::new(Some(400), code).into()),
            None => panic!("polled more often than scripted"),
        }
    }
}

fn authorization(expires_in: u64, interval: Option<u64>) -> DeviceAuthorization {
    DeviceAuthorization::new(
        "dc-secret",
        "WDJB-MJHT",
        "https://id.example.com/device",
        Duration::from_secs(expires_in),
        interval.map(Duration::from_secs),
    )
}

#[tokio::test(start_paused = true)]
async fn pending_keeps_polling_at_the_interval_until_approved() {
    let script = Script::new(&[
        Some("authorization_pending"),
        Some("authorization_pending"),
        None,
    ]);
    let auth = authorization(600, Some(3));
    let tokens = DevicePoller::new(&script, &auth).wait().await.unwrap();
    assert_eq!(tokens.access_token().expose_secret(), "at-device");
    assert_eq!(script.times(), [3, 6, 9]);
    for (_, grant_type, code) in script.polls.lock().unwrap().iter() {
        assert_eq!(grant_type, DEVICE_CODE_GRANT_TYPE);
        assert_eq!(code, "dc-secret");
    }
}

#[tokio::test(start_paused = true)]
async fn without_an_interval_the_default_is_five_seconds() {
    let script = Script::new(&[Some("authorization_pending"), None]);
    let auth = authorization(600, None);
    assert_eq!(auth.interval, Duration::from_secs(5));
    DevicePoller::new(&script, &auth).wait().await.unwrap();
    assert_eq!(script.times(), [5, 10]);
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_five_seconds_for_good() {
    let script = Script::new(&[
        Some("slow_down"),
        Some("authorization_pending"),
        Some("slow_down"),
        Some("authorization_pending"),
        None,
    ]);
    let auth = authorization(600, Some(2));
    let progress: Vec<String> = DevicePoller::new(&script, &auth)
        .into_stream()
        .map(|item| match item {
            Ok(DeviceProgress::Pending) => "pending".to_owned(),
            Ok(DeviceProgress::SlowDown { interval }) => format!("slow {}", interval.as_secs()),
            Ok(DeviceProgress::Authorized(_)) => "tokens".to_owned(),
            Ok(other) => format!("{other:?}"),
            Err(e) => format!("error {e}"),
        })
        .collect()
        .await;
    assert_eq!(
        progress,
        ["slow 7", "pending", "slow 12", "pending", "tokens"]
    );
    // 2, then 7 later, then 7, then 12 and 12.
    assert_eq!(script.times(), [2, 9, 16, 28, 40]);
}

#[tokio::test(start_paused = true)]
async fn access_denied_stops_with_the_providers_refusal() {
    let script = Script::new(&[Some("authorization_pending"), Some("access_denied")]);
    let auth = authorization(600, Some(5));
    let e = DevicePoller::new(&script, &auth).wait().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert!(
        matches!(&e, Error::OAuth(p) if p.code() == "access_denied"),
        "{e:?}"
    );
    assert_eq!(script.times(), [5, 10]);
}

#[tokio::test(start_paused = true)]
async fn expired_token_stops_as_an_expired_login() {
    let script = Script::new(&[Some("expired_token")]);
    let auth = authorization(600, Some(5));
    let e = DevicePoller::new(&script, &auth).wait().await.unwrap_err();
    match &e {
        Error::Device(d) => assert_eq!(d.end, DeviceEnd::Expired),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("expired_token"), "{e}");
    assert_eq!(script.times(), [5]);
}

#[tokio::test(start_paused = true)]
async fn nothing_is_sent_once_the_codes_expire() {
    // Expires after 12 s with a 5 s interval: polls at 5 and 10, none at 15.
    let script = Script::new(&[Some("authorization_pending"), Some("authorization_pending")]);
    let auth = authorization(12, Some(5));
    let started = Instant::now();
    let e = DevicePoller::new(&script, &auth).wait().await.unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.end == DeviceEnd::Expired),
        "{e:?}"
    );
    assert_eq!(script.times(), [5, 10]);
    assert_eq!(started.elapsed(), Duration::from_secs(12));
}

#[tokio::test(start_paused = true)]
async fn other_errors_end_the_poll() {
    let script = Script::new(&[Some("invalid_client")]);
    let auth = authorization(600, Some(5));
    let e = DevicePoller::new(&script, &auth).wait().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidClient);
}

#[tokio::test(start_paused = true)]
async fn cancelling_stops_the_wait_without_sending() {
    let script = Script::new(&[Some("authorization_pending")]);
    let auth = authorization(600, Some(5));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let poller = DevicePoller::new(&script, &auth).cancel_on(async {
        let _ = rx.await;
    });
    let (result, ()) = tokio::join!(poller.wait(), async {
        tokio::time::sleep(Duration::from_secs(7)).await;
        tx.send(()).unwrap();
    });
    let e = result.unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.end == DeviceEnd::Aborted),
        "{e:?}"
    );
    assert_eq!(script.times(), [5]);
}

#[tokio::test(start_paused = true)]
async fn after_the_end_nothing_more_is_sent() {
    let script = Script::new(&[None]);
    let auth = authorization(600, Some(1));
    let mut poller = DevicePoller::new(&script, &auth);
    assert!(matches!(
        poller.next().await,
        Ok(DeviceProgress::Authorized(_))
    ));
    let e = poller.next().await.unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.end == DeviceEnd::Ended),
        "{e:?}"
    );
    assert_eq!(script.times(), [1]);
}

#[test]
fn debug_hides_the_device_code() {
    let auth = authorization(600, None);
    let shown = format!("{auth:?}");
    assert!(
        !shown.contains("dc-secret") && shown.contains("WDJB-MJHT"),
        "{shown}"
    );
}
