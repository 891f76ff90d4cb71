//! The QR-code login end to end: generate, poll (status changes in order), exchange, and each
//! way a login can end without tokens.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokenbridge_core::secrecy::ExposeSecret;
use tokenbridge_core::{
    AuthMethod, Error, ErrorKind, Grant, Protocol, TokenExchanger, TokenSet, TokenType,
};
use tokenbridge_genauth::{
    qr_ticket_grant, QrCodeType, QrLoginClient, QrLoginEnd, QrLoginError, QrLoginEvent, QrStatus,
};
use tokenbridge_testkit::genauth::{
    envelope_ok, GenAuthApp, GenAuthEmulator, EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH,
    QRCODE_STATUS_PATH,
};
use tokenbridge_testkit::Reply;

const FAST: Duration = Duration::from_millis(50);
const ALICE_PHOTO: &str = "https://files.example.com/alice.png";

/// (status, display name) as the callback saw them.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

fn recorder() -> (Seen, impl FnMut(&QrStatus) + Send) {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    (seen, move |status: &QrStatus| {
        sink.lock().unwrap().push((
            status.as_str().to_owned(),
            status.user().and_then(|u| u.display_name.clone()),
        ))
    })
}

fn seen(seen: &Seen) -> Vec<(String, Option<String>)> {
    seen.lock().unwrap().clone()
}

fn entry(status: &str, name: Option<&str>) -> (String, Option<String>) {
    (status.to_owned(), name.map(str::to_owned))
}

/// Waits until the emulator has answered more than `count` status requests.
async fn status_requests_beyond(emulator: &GenAuthEmulator, count: usize) {
    let start = Instant::now();
    while emulator.requests_to(QRCODE_STATUS_PATH).len() <= count {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no status request came"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Plays the phone: waits for a poll, scans as Alice, waits for a poll that sees it, then
/// runs `finish` (confirm, cancel, ...).
fn phone(
    emulator: &Arc<GenAuthEmulator>,
    qrcode_id: &str,
    finish: fn(&GenAuthEmulator, &str) -> bool,
) -> tokio::task::JoinHandle<()> {
    let emulator = Arc::clone(emulator);
    let id = qrcode_id.to_owned();
    tokio::spawn(async move {
        status_requests_beyond(&emulator, 0).await;
        assert!(emulator.scan(&id, "Alice", ALICE_PHOTO));
        let after_scan = emulator.requests_to(QRCODE_STATUS_PATH).len();
        status_requests_beyond(&emulator, after_scan).await;
        // One more poll, so the unchanged SCANNED status is seen twice but reported once.
        status_requests_beyond(&emulator, after_scan + 1).await;
        assert!(finish(&emulator, &id));
    })
}

async fn start(method: AuthMethod, app: GenAuthApp) -> (Arc<GenAuthEmulator>, QrLoginClient) {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(app);
    let genauth = common::client(&emulator, method, Protocol::Oidc);
    (Arc::new(emulator), genauth)
}

fn assert_v3_tokens(tokens: &TokenSet) {
    assert_eq!(tokens.provider_id(), "genauth");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(7200)));
    assert!(tokens.refresh_token().is_some());
    assert!(tokens.id_token().is_some());
    assert_eq!(
        tokens.scopes(),
        Some(&["openid".to_owned(), "profile".to_owned()][..])
    );
    assert!(!tokens.extra().contains_key("expire_in"));
}

fn login_end(err: &Error) -> QrLoginEnd {
    match err.adapter_error::<QrLoginError>() {
        Some(l) => l.reason,
        None => panic!("expected a QrLoginError, got {err:?}"),
    }
}

#[tokio::test]
async fn whole_flow_with_a_ticket_for_each_auth_method() {
    for method in AuthMethod::ALL {
        let (emulator, genauth) = start(method, common::app(method)).await;
        let qr = genauth
            .generate_qr_code(QrCodeType::MobileApp)
            .await
            .unwrap();
        let driver = phone(&emulator, &qr.id, GenAuthEmulator::confirm);
        let (statuses, on_status) = recorder();
        let tokens = genauth
            .poll_qr_login(&qr.id)
            .interval(FAST)
            .run(on_status)
            .await
            .unwrap();
        driver.await.unwrap();
        assert_eq!(
            seen(&statuses),
            [
                entry("PENDING", None),
                entry("SCANNED", Some("Alice")),
                entry("AUTHORIZED", Some("Alice")),
            ],
            "{method}"
        );
        assert_v3_tokens(&tokens);

        // generate, then polls, then exactly one exchange, last.
        let paths: Vec<String> = emulator.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths.first().map(String::as_str), Some(GENE_QRCODE_PATH));
        assert_eq!(paths.last().map(String::as_str), Some(EXCHANGE_TICKET_PATH));
        assert_eq!(
            paths.iter().filter(|p| *p == EXCHANGE_TICKET_PATH).count(),
            1
        );
        assert!(paths.iter().filter(|p| *p == QRCODE_STATUS_PATH).count() >= 4);

        // The QR login's refresh token works at the OIDC token endpoint.
        let refreshed = genauth
            .provider()
            .exchange(Grant::refresh_token(
                tokens.refresh_token().unwrap().expose_secret(),
            ))
            .await
            .unwrap();
        assert_eq!(refreshed.expires_in(), Some(Duration::from_secs(3600)));
    }
}

#[tokio::test]
async fn whole_flow_as_a_stream() {
    let (emulator, genauth) = start(
        AuthMethod::ClientSecretPost,
        common::app(AuthMethod::ClientSecretPost),
    )
    .await;
    let qr = genauth
        .generate_qr_code(QrCodeType::WechatMiniprogram)
        .await
        .unwrap();
    let driver = phone(&emulator, &qr.id, GenAuthEmulator::confirm);
    let mut events = genauth
        .poll_qr_login(qr.id.clone())
        .interval(FAST)
        .into_stream();
    let mut names = Vec::new();
    let mut tokens = None;
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        let shown = format!("{event:?}");
        match event {
            QrLoginEvent::Status(s) => names.push(s.to_string()),
            QrLoginEvent::LoggedIn(t) => {
                assert!(!shown.contains(t.access_token().expose_secret()), "{shown}");
                tokens = Some(t)
            }
            other => panic!("{other:?}"),
        }
    }
    driver.await.unwrap();
    assert_eq!(
        names,
        [
            "waiting for the QR code to be scanned",
            "scanned by Alice, waiting for confirmation",
            "authorized by Alice",
        ]
    );
    assert_v3_tokens(&tokens.expect("the stream ends with the tokens"));
}

#[tokio::test]
async fn token_set_in_the_status_needs_no_exchange() {
    let app = common::app(AuthMethod::ClientSecretBasic).returning_token_set();
    let (emulator, genauth) = start(AuthMethod::ClientSecretBasic, app).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let driver = phone(&emulator, &qr.id, GenAuthEmulator::confirm);
    let (statuses, on_status) = recorder();
    let tokens = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap();
    driver.await.unwrap();
    assert_eq!(
        seen(&statuses).last(),
        Some(&entry("AUTHORIZED", Some("Alice")))
    );
    assert_v3_tokens(&tokens);
    assert!(emulator.requests_to(EXCHANGE_TICKET_PATH).is_empty());
    assert_eq!(emulator.ticket(&qr.id), None);
}

#[tokio::test]
async fn cancelled_on_the_phone() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let driver = phone(&emulator, &qr.id, GenAuthEmulator::cancel);
    let (statuses, on_status) = recorder();
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap_err();
    driver.await.unwrap();
    assert_eq!(login_end(&err), QrLoginEnd::Cancelled, "{err}");
    assert!(err.to_string().contains("Alice declined"), "{err}");
    assert!(!err.is_retryable() && !err.is_invalid_grant());
    assert_eq!(
        seen(&statuses),
        [
            entry("PENDING", None),
            entry("SCANNED", Some("Alice")),
            entry("CANCELLED", Some("Alice")),
        ]
    );
    assert!(emulator.requests_to(EXCHANGE_TICKET_PATH).is_empty());
}

#[tokio::test]
async fn expired_by_genauth() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let driver = phone(&emulator, &qr.id, GenAuthEmulator::expire);
    let (statuses, on_status) = recorder();
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap_err();
    driver.await.unwrap();
    assert_eq!(login_end(&err), QrLoginEnd::Expired, "{err}");
    assert!(err.is_invalid_grant());
    assert_eq!(seen(&statuses).last(), Some(&entry("EXPIRED", None)));
}

#[tokio::test]
async fn expires_on_its_own_after_the_validity() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    // Long enough that the first poll sees the code still pending on a loaded machine.
    emulator.set_qr_validity(Duration::from_secs(3));
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let (statuses, on_status) = recorder();
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap_err();
    assert_eq!(login_end(&err), QrLoginEnd::Expired, "{err}");
    assert_eq!(
        seen(&statuses),
        [entry("PENDING", None), entry("EXPIRED", None)]
    );
}

#[tokio::test]
async fn deadline_gives_timed_out() {
    let (_emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let started = Instant::now();
    let (statuses, on_status) = recorder();
    let deadline = Duration::from_secs(2);
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .deadline(deadline)
        .run(on_status)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(login_end(&err), QrLoginEnd::TimedOut, "{err}");
    // Not before the deadline; well before anything else could end it (the code stays valid
    // for minutes), with room for a loaded machine.
    assert!(
        elapsed >= deadline && elapsed < deadline + Duration::from_secs(20),
        "{elapsed:?}"
    );
    assert_eq!(seen(&statuses), [entry("PENDING", None)]);
}

#[tokio::test]
async fn deadline_also_cuts_a_slow_status_request() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    emulator.push_reply(
        Reply::json(200, envelope_ok(json!({"status": "PENDING"})))
            .delayed(Duration::from_secs(120)),
    );
    let started = Instant::now();
    let err = genauth
        .poll_qr_login(&qr.id)
        .deadline(Duration::from_secs(1))
        .run(|_| {})
        .await
        .unwrap_err();
    assert_eq!(login_end(&err), QrLoginEnd::TimedOut, "{err}");
    // The deadline cut the two-minute answer.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn the_deadline_never_interrupts_the_ticket_exchange() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    assert!(emulator.scan(&qr.id, "Alice", ALICE_PHOTO));
    assert!(emulator.confirm(&qr.id));
    // The exchange takes three times the deadline: it still completes. (The deadline leaves
    // the status request that sees the confirmation room on a loaded machine.)
    emulator.set_exchange_delay(Duration::from_secs(3));
    let started = Instant::now();
    let tokens = genauth
        .poll_qr_login(&qr.id)
        .deadline(Duration::from_secs(1))
        .run(|_| {})
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_v3_tokens(&tokens);
}

#[tokio::test]
async fn cancel_signal_gives_aborted() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = {
        let emulator = Arc::clone(&emulator);
        tokio::spawn(async move {
            status_requests_beyond(&emulator, 1).await;
            stop.send(()).unwrap();
        })
    };
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .cancel_on(stopped)
        .run(|_| {})
        .await
        .unwrap_err();
    watcher.await.unwrap();
    assert_eq!(login_end(&err), QrLoginEnd::Aborted, "{err}");
    let polls = emulator.requests_to(QRCODE_STATUS_PATH).len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        emulator.requests_to(QRCODE_STATUS_PATH).len(),
        polls,
        "no polling after the abort"
    );
}

#[tokio::test]
async fn a_deadline_too_far_to_represent_means_none() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;

    // Ends by a terminal status.
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    assert!(emulator.scan(&qr.id, "Alice", ALICE_PHOTO));
    assert!(emulator.confirm(&qr.id));
    let tokens = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .deadline(Duration::MAX)
        .run(|_| {})
        .await
        .unwrap();
    assert_v3_tokens(&tokens);

    // Ends by the cancel signal, for the largest deadlines, representable or not.
    for deadline in [Duration::MAX, Duration::from_secs(u64::MAX / 4)] {
        let qr = genauth
            .generate_qr_code(QrCodeType::MobileApp)
            .await
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let before = emulator.requests_to(QRCODE_STATUS_PATH).len();
        let watcher = {
            let emulator = Arc::clone(&emulator);
            tokio::spawn(async move {
                status_requests_beyond(&emulator, before + 1).await;
                stop.send(()).unwrap();
            })
        };
        let (statuses, on_status) = recorder();
        let err = genauth
            .poll_qr_login(&qr.id)
            .interval(FAST)
            .deadline(deadline)
            .cancel_on(stopped)
            .run(on_status)
            .await
            .unwrap_err();
        watcher.await.unwrap();
        assert_eq!(login_end(&err), QrLoginEnd::Aborted, "{deadline:?}: {err}");
        assert_eq!(seen(&statuses), [entry("PENDING", None)]);
    }
}

#[tokio::test]
async fn error_status_gives_failed() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    assert!(emulator.fail(&qr.id));
    let (statuses, on_status) = recorder();
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap_err();
    assert_eq!(login_end(&err), QrLoginEnd::Failed, "{err}");
    assert_eq!(seen(&statuses), [entry("ERROR", None)]);
}

#[tokio::test]
async fn unknown_status_ends_the_poll() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    emulator.push_reply(Reply::json(200, envelope_ok(json!({"status": "PENDING"}))));
    emulator.push_reply(Reply::json(200, envelope_ok(json!({"status": "BROWSING"}))));
    let (statuses, on_status) = recorder();
    let err = genauth
        .poll_qr_login("qr-any")
        .interval(FAST)
        .run(on_status)
        .await
        .unwrap_err();
    assert_eq!(login_end(&err), QrLoginEnd::Failed, "{err}");
    assert!(err.to_string().contains("\"BROWSING\""), "{err}");
    assert_eq!(seen(&statuses), [entry("PENDING", None)]);
    assert_eq!(emulator.requests_to(QRCODE_STATUS_PATH).len(), 2);
}

#[tokio::test]
async fn transient_failures_are_ridden_out() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    assert!(emulator.scan(&qr.id, "Alice", ALICE_PHOTO));
    assert!(emulator.confirm(&qr.id));
    emulator.push_reply(Reply::empty(503));
    emulator.push_reply(Reply::raw(502, "text/html", "<html>Bad Gateway</html>"));
    let tokens = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(|_| {})
        .await
        .unwrap();
    assert_v3_tokens(&tokens);
    assert_eq!(emulator.requests_to(QRCODE_STATUS_PATH).len(), 3);
}

#[tokio::test]
async fn too_many_failures_in_a_row_end_the_poll() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    emulator.push_reply(Reply::empty(503));
    emulator.push_reply(Reply::empty(503));
    let err = genauth
        .poll_qr_login("qr-any")
        .interval(FAST)
        .max_consecutive_errors(1)
        .run(|_| {})
        .await
        .unwrap_err();
    // An empty 503 says nothing about the request: an unreadable, retryable answer.
    match &err {
        Error::UnreadableResponse(u) => assert_eq!(u.status, Some(503)),
        other => panic!("expected UnreadableResponse, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(emulator.requests_to(QRCODE_STATUS_PATH).len(), 2);
}

#[tokio::test]
async fn business_errors_end_the_poll_at_once() {
    let (emulator, genauth) = start(AuthMethod::None, common::app(AuthMethod::None)).await;
    let err = genauth
        .poll_qr_login("qr-that-does-not-exist")
        .interval(FAST)
        .run(|_| {})
        .await
        .unwrap_err();
    let v = err.vendor_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!((v.http_status(), v.status_code()), (200, 404));
    assert_eq!(emulator.requests_to(QRCODE_STATUS_PATH).len(), 1);
}

#[tokio::test]
async fn a_refused_ticket_in_the_flow_is_not_retried() {
    let (emulator, genauth) = start(
        AuthMethod::ClientSecretPost,
        common::app(AuthMethod::ClientSecretPost),
    )
    .await;
    let qr = genauth
        .generate_qr_code(QrCodeType::MobileApp)
        .await
        .unwrap();
    assert!(emulator.scan(&qr.id, "Alice", ALICE_PHOTO));
    assert!(emulator.confirm(&qr.id));
    // Someone else spends the ticket first.
    let ticket = emulator.ticket(&qr.id).unwrap();
    genauth
        .provider()
        .exchange(qr_ticket_grant(ticket))
        .await
        .unwrap();
    let err = genauth
        .poll_qr_login(&qr.id)
        .interval(FAST)
        .run(|_| {})
        .await
        .unwrap_err();
    let v = err.vendor_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(v.status_code(), 400);
    assert_eq!(err.kind(), ErrorKind::InvalidGrant, "{err}");
    assert!(!err.is_retryable());
    assert_eq!(emulator.requests_to(EXCHANGE_TICKET_PATH).len(), 2);
}

#[test]
fn poll_settings_show_in_debug_with_the_documented_defaults() {
    let provider = tokenbridge_genauth::builder("genauth", Protocol::Oidc)
        .base_url("https://a.genauth.ai")
        .client_id("app")
        .client_secret(tokenbridge_core::SecretString::from("hidden-secret"))
        .build()
        .unwrap();
    let genauth = QrLoginClient::new(provider).unwrap();
    let login = genauth.poll_qr_login("qr-1");
    let shown = format!("{login:?}");
    assert!(shown.contains("deadline: 120s"), "{shown}");
    assert!(shown.contains("interval: 1s"), "{shown}");
    assert!(!shown.contains("hidden-secret"));
    let shown = format!("{:?}", login.interval(Duration::ZERO));
    assert!(shown.contains("interval: 50ms"), "{shown}");
}
