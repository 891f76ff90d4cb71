//! Sessions against a counting fake provider, on tokio's paused clock: no test sleeps.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Failure, FakeProvider};
use tokenbridge_core::{
    async_trait, ExposeSecret, Grant, GrantKind, SecretString, TokenExchanger, TokenSet, TokenType,
};
use tokenbridge_core::{
    EndReason, FileStore, MemoryStore, SessionError, StoreError, StoreLock, TokenSession,
    TokenStore,
};

const HOUR: Duration = Duration::from_secs(3600);

fn session_with(fake: &Arc<FakeProvider>, store: Arc<dyn TokenStore>) -> TokenSession {
    TokenSession::builder(Arc::clone(fake) as Arc<dyn TokenExchanger>)
        .tokens(fake.signed_in())
        .store(store)
        .build()
}

fn session(fake: &Arc<FakeProvider>) -> TokenSession {
    session_with(fake, Arc::new(MemoryStore::new()))
}

async fn token(session: &TokenSession) -> tokenbridge_core::Result<String> {
    Ok(session.access_token().await?.expose_secret().to_owned())
}

fn session_error(e: &tokenbridge_core::Error) -> &SessionError {
    e.session_error()
        .unwrap_or_else(|| panic!("not a session error: {e}"))
}

#[tokio::test(start_paused = true)]
async fn a_fresh_token_is_handed_out_without_a_request() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    for _ in 0..10 {
        assert_eq!(token(&session).await.unwrap(), "at-0");
    }
    tokio::time::advance(HOUR - Duration::from_secs(61)).await;
    assert_eq!(token(&session).await.unwrap(), "at-0");
    assert_eq!(fake.calls(), 0);
    // One second later less than the 60 s margin is left.
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(fake.calls(), 1);
    assert_eq!(fake.sent(), ["rt-0"]);
}

/// A store without a lock of its own, so that only the session's single flight can keep
/// concurrent callers from renewing twice.
#[derive(Debug, Default)]
struct LocklessStore(MemoryStore);

#[async_trait]
impl TokenStore for LocklessStore {
    async fn load(&self) -> tokenbridge_core::Result<Option<TokenSet>> {
        self.0.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> tokenbridge_core::Result<()> {
        self.0.save(tokens).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_at_expiry_cause_one_refresh() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session_with(&fake, Arc::new(LocklessStore::default()));
    assert_eq!(token(&session).await.unwrap(), "at-0");
    tokio::time::advance(HOUR).await;

    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { token(&session).await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), "at-1");
    }
    assert_eq!(fake.calls(), 1);
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(fake.calls(), 1);
}

/// Records every save, and whether the exchanger was called after it.
#[derive(Debug, Default)]
struct RecordingStore {
    inner: MemoryStore,
    saved: Mutex<Vec<(String, Option<String>)>>,
    fail: AtomicBool,
}

#[async_trait]
impl TokenStore for RecordingStore {
    async fn load(&self) -> tokenbridge_core::Result<Option<TokenSet>> {
        self.inner.load().await
    }

    async fn save(&self, tokens: &TokenSet) -> tokenbridge_core::Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError::new("recording", "save", "disk full").into());
        }
        self.saved.lock().unwrap().push((
            tokens.access_token().expose_secret().to_owned(),
            tokens.refresh_token().map(|t| t.expose_secret().to_owned()),
        ));
        self.inner.save(tokens).await
    }

    async fn lock(&self) -> tokenbridge_core::Result<Box<dyn StoreLock>> {
        self.inner.lock().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_rotated_refresh_token_is_saved_before_the_access_token_is_handed_out() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let store = Arc::new(RecordingStore::default());
    let session = session_with(&fake, Arc::clone(&store) as Arc<dyn TokenStore>);
    // The sign-in's tokens are saved before their first use.
    assert_eq!(token(&session).await.unwrap(), "at-0");
    assert_eq!(
        *store.saved.lock().unwrap(),
        [("at-0".into(), Some("rt-0".into()))]
    );

    tokio::time::advance(HOUR).await;
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(
        store.saved.lock().unwrap().last().unwrap(),
        &("at-1".to_owned(), Some("rt-1".to_owned()))
    );
    tokio::time::advance(HOUR).await;
    assert_eq!(token(&session).await.unwrap(), "at-2");
    // The rotated token is the one sent next; the spent one never again.
    assert_eq!(fake.sent(), ["rt-0", "rt-1"]);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_token_omitted_from_the_answer_is_kept() {
    let fake = FakeProvider::new(Some(HOUR), false);
    let store = Arc::new(MemoryStore::new());
    let session = session_with(&fake, Arc::clone(&store) as Arc<dyn TokenStore>);
    tokio::time::advance(HOUR).await;
    assert_eq!(token(&session).await.unwrap(), "at-1");
    let stored = store.tokens().unwrap();
    assert_eq!(stored.refresh_token().unwrap().expose_secret(), "rt-0");
    tokio::time::advance(HOUR).await;
    assert_eq!(token(&session).await.unwrap(), "at-2");
    assert_eq!(fake.sent(), ["rt-0", "rt-0"]);
}

#[tokio::test(start_paused = true)]
async fn a_failure_reaches_every_waiter_then_the_session_recovers_after_the_back_off() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    tokio::time::advance(HOUR).await;
    fake.fail_next(Failure::ServerError);

    let callers: Vec<_> = (0..100)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { token(&session).await })
        })
        .collect();
    for caller in callers {
        let e = caller.await.unwrap().unwrap_err();
        match session_error(&e) {
            SessionError::RefreshFailed {
                source, retry_in, ..
            } => {
                assert!(source.is_retryable(), "{source}");
                assert!(*retry_in <= Duration::from_secs(1), "{retry_in:?}");
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(fake.calls(), 1);

    // During the back-off nobody reaches the provider.
    let e = token(&session).await.unwrap_err();
    assert!(
        matches!(session_error(&e), SessionError::BackingOff { .. }),
        "{e}"
    );
    assert_eq!(fake.calls(), 1);

    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(token(&session).await.unwrap(), "at-2");
    assert_eq!(fake.calls(), 2);
    // The refused request spent nothing, so the same refresh token was sent again.
    assert_eq!(fake.sent(), ["rt-0", "rt-0"]);
}

#[tokio::test(start_paused = true)]
async fn the_back_off_doubles_and_is_capped() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .tokens(fake.signed_in().with_expires_in(Some(Duration::ZERO)))
        .backoff(Duration::from_secs(1), Duration::from_secs(4))
        .build();
    let mut waits = Vec::new();
    for _ in 0..5 {
        fake.fail_next(Failure::NotSent);
        let e = token(&session).await.unwrap_err();
        let SessionError::RefreshFailed { retry_in, .. } = session_error(&e) else {
            panic!("{e}")
        };
        waits.push(*retry_in);
        tokio::time::advance(*retry_in).await;
    }
    let caps = [1, 2, 4, 4, 4].map(Duration::from_secs);
    for (wait, cap) in waits.iter().zip(caps) {
        assert!(*wait <= cap && *wait >= cap / 2, "{waits:?}");
    }
    assert_eq!(token(&session).await.unwrap(), "at-6");
}

#[tokio::test(start_paused = true)]
async fn a_still_valid_token_is_handed_out_while_a_refresh_fails() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    // 30 s left: due (margin 60 s) but still working.
    tokio::time::advance(HOUR - Duration::from_secs(30)).await;
    fake.fail_next(Failure::ServerError);
    assert_eq!(token(&session).await.unwrap(), "at-0");
    assert_eq!(token(&session).await.unwrap(), "at-0");
    assert_eq!(fake.calls(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(token(&session).await.unwrap(), "at-2");
}

#[tokio::test(start_paused = true)]
async fn without_stale_tokens_a_failed_refresh_is_an_error_at_once() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .tokens(fake.signed_in())
        .stale_while_failing(false)
        .build();
    tokio::time::advance(HOUR - Duration::from_secs(30)).await;
    fake.fail_next(Failure::ServerError);
    // The token still works for 30 s, but the caller asked for one valid for the margin.
    let err = token(&session).await.unwrap_err();
    assert!(
        matches!(session_error(&err), SessionError::RefreshFailed { .. }),
        "{err}"
    );
    let err = token(&session).await.unwrap_err();
    assert!(
        matches!(session_error(&err), SessionError::BackingOff { .. }),
        "{err}"
    );
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_first_caller_does_not_cancel_the_refresh() {
    let fake = FakeProvider::new(Some(HOUR), true);
    *fake.delay.lock().unwrap() = Duration::from_secs(5);
    let session = session(&fake);
    assert_eq!(token(&session).await.unwrap(), "at-0");
    tokio::time::advance(HOUR).await;

    let first = {
        let session = session.clone();
        tokio::spawn(async move { token(&session).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(fake.calls(), 1);
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    // A caller with a short deadline gives up too.
    let impatient = tokio::time::timeout(Duration::from_secs(1), token(&session)).await;
    assert!(impatient.is_err());

    let second = token(&session).await.unwrap();
    assert_eq!(second, "at-1");
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_nobody_waits_for_any_more_still_completes_and_is_saved() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let store = Arc::new(MemoryStore::new());
    let session = session_with(&fake, Arc::clone(&store) as Arc<dyn TokenStore>);
    assert_eq!(token(&session).await.unwrap(), "at-0");
    tokio::time::advance(HOUR).await;
    let gave_up = tokio::time::timeout(Duration::from_millis(50), token(&session)).await;
    assert!(gave_up.is_err());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        store
            .tokens()
            .unwrap()
            .refresh_token()
            .unwrap()
            .expose_secret(),
        "rt-1"
    );
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_store_is_an_error_and_loses_no_refresh_token() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let store = Arc::new(RecordingStore::default());
    let session = session_with(&fake, Arc::clone(&store) as Arc<dyn TokenStore>);
    assert_eq!(token(&session).await.unwrap(), "at-0");
    tokio::time::advance(HOUR).await;

    store.fail.store(true, Ordering::SeqCst);
    for _ in 0..3 {
        let e = token(&session).await.unwrap_err();
        assert!(
            matches!(session_error(&e), SessionError::Store(s) if s.message == "disk full"),
            "{e}"
        );
        assert!(!e.to_string().contains("at-1") && !e.to_string().contains("rt-1"));
    }
    // The tokens it got are kept, unsaved, and not handed out; nothing is sent again.
    assert_eq!(fake.calls(), 1);

    store.fail.store(false, Ordering::SeqCst);
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(fake.calls(), 1);
    assert_eq!(
        store.saved.lock().unwrap().last().unwrap(),
        &("at-1".to_owned(), Some("rt-1".to_owned()))
    );
}

#[tokio::test(start_paused = true)]
async fn invalid_grant_ends_the_session() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    tokio::time::advance(HOUR).await;
    fake.fail_next(Failure::InvalidGrant);
    for _ in 0..3 {
        let e = token(&session).await.unwrap_err();
        assert!(e.is_session_ended(), "{e}");
        assert!(
            matches!(
                session_error(&e),
                SessionError::Ended {
                    reason: EndReason::Refused(_),
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("sign in again"), "{e}");
        tokio::time::advance(Duration::from_secs(60)).await;
    }
    assert!(session.is_ended());
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_that_may_have_reached_the_provider_is_never_replayed() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    tokio::time::advance(HOUR).await;
    fake.fail_next(Failure::OutcomeUnknown);
    for _ in 0..3 {
        let e = token(&session).await.unwrap_err();
        assert!(
            matches!(
                session_error(&e),
                SessionError::Ended {
                    reason: EndReason::OutcomeUnknown(_),
                    ..
                }
            ),
            "{e}"
        );
        tokio::time::advance(Duration::from_secs(60)).await;
    }
    assert_eq!(fake.sent(), ["rt-0"]);
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_success_answer_to_a_refresh_ends_the_session_and_is_never_replayed() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let store = Arc::new(MemoryStore::new());
    let session = session_with(&fake, Arc::clone(&store) as Arc<dyn TokenStore>);
    tokio::time::advance(HOUR).await;
    // A 2xx answer came from the provider, which may have issued tokens and spent `rt-0`.
    fake.fail_next(Failure::UnreadableSuccess);
    for _ in 0..3 {
        let e = token(&session).await.unwrap_err();
        match session_error(&e) {
            SessionError::Ended {
                reason: EndReason::OutcomeUnknown(source),
                ..
            } => assert!(source.to_string().contains("HTTP 200"), "{source}"),
            other => panic!("{other:?}"),
        }
        tokio::time::advance(Duration::from_secs(600)).await;
    }
    assert!(session.is_ended());
    assert_eq!(fake.sent(), ["rt-0"]);
    // Nor will a later session on the same store send it again.
    assert!(store.tokens().unwrap().refresh_token().is_none());
    let later = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .store(store)
        .build();
    // (The stored access token reads as valid: its expiry is counted on the system clock,
    // which the paused clock does not move; a rejection makes it due.)
    assert_eq!(token(&later).await.unwrap(), "at-0");
    let e = later
        .access_token_after_rejection(&SecretString::from("at-0"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            session_error(&e),
            SessionError::Ended {
                reason: EndReason::NoRefreshToken,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(fake.sent(), ["rt-0"]);
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_refusal_of_a_refresh_backs_off_and_tries_again() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    tokio::time::advance(HOUR).await;
    // A 4xx answer: the provider refused, issued nothing, and `rt-0` is still good.
    fake.fail_next(Failure::UnreadableRefusal);
    let e = token(&session).await.unwrap_err();
    assert!(
        matches!(session_error(&e), SessionError::RefreshFailed { .. }),
        "{e}"
    );
    tokio::time::advance(Duration::from_secs(600)).await;
    assert_eq!(token(&session).await.unwrap(), "at-2");
    assert_eq!(fake.sent(), ["rt-0", "rt-0"]);
}

#[tokio::test(start_paused = true)]
async fn a_token_without_expiry_is_refreshed_once_after_it_is_refused() {
    let fake = FakeProvider::new(None, true);
    let session = session(&fake);
    assert_eq!(token(&session).await.unwrap(), "at-0");
    tokio::time::advance(HOUR * 24 * 365).await;
    assert_eq!(token(&session).await.unwrap(), "at-0");
    assert_eq!(fake.calls(), 0);

    let refused = SecretString::from("at-0");
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let session = session.clone();
            let refused = refused.clone();
            tokio::spawn(async move {
                let t = session.access_token_after_rejection(&refused).await?;
                Ok::<_, tokenbridge_core::Error>(t.expose_secret().to_owned())
            })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), "at-1");
    }
    // A late report of the old token changes nothing.
    session.invalidate(&refused);
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_expired_session_without_refresh_token_has_ended() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = TokenSession::new(
        Arc::clone(&fake) as Arc<dyn TokenExchanger>,
        TokenSet::new("fake", "at-0", TokenType::Bearer).with_expires_in(Some(HOUR)),
    );
    tokio::time::advance(HOUR).await;
    let e = token(&session).await.unwrap_err();
    assert!(e.is_session_ended(), "{e}");
    assert_eq!(fake.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_client_credentials_session_fetches_new_tokens() {
    let fake = FakeProvider::new(Some(HOUR), false);
    let session = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .client_credentials(|| Grant::client_credentials().with_scopes(["orders.read"]))
        .build();
    assert_eq!(token(&session).await.unwrap(), "at-1");
    assert_eq!(token(&session).await.unwrap(), "at-1");
    tokio::time::advance(HOUR).await;
    // Failures back off; they never end the session.
    fake.fail_next(Failure::OutcomeUnknown);
    assert!(token(&session).await.is_err());
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(token(&session).await.unwrap(), "at-3");
    assert_eq!(
        *fake.grants.lock().unwrap(),
        [GrantKind::ClientCredentials; 3]
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_store_without_tokens_says_so() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>).build();
    let e = token(&session).await.unwrap_err();
    assert!(
        matches!(session_error(&e), SessionError::NoTokens { .. }),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_authorization_header_respects_the_token_type() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = session(&fake);
    let header = session.authorization_header().await.unwrap();
    assert_eq!(header.expose_secret(), "Bearer at-0");
    let session = TokenSession::new(
        Arc::clone(&fake) as Arc<dyn TokenExchanger>,
        TokenSet::new("fake", "at-d", TokenType::DPoP),
    );
    let header = session.authorization_header().await.unwrap();
    assert_eq!(header.expose_secret(), "DPoP at-d");
    let debug = format!("{session:?} {header:?}");
    assert!(!debug.contains("at-d"), "{debug}");
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tokenbridge-session-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(start_paused = true)]
async fn the_file_store_round_trips_privately_and_atomically() {
    let dir = temp_dir("file");
    let path = dir.join("session.json");
    let store = FileStore::new(&path);
    assert!(store.load().await.unwrap().is_none());
    let tokens = FakeProvider::new(Some(HOUR), true)
        .signed_in()
        .with_id_token(Some("idt-0".into()));
    store.save(&tokens).await.unwrap();
    store.save(&tokens).await.unwrap();
    let back = store.load().await.unwrap().unwrap();
    assert_eq!(back.access_token().expose_secret(), "at-0");
    assert_eq!(back.refresh_token().unwrap().expose_secret(), "rt-0");
    assert_eq!(back.id_token().unwrap().expose_secret(), "idt-0");
    assert_eq!(back.received_at(), tokens.received_at());
    assert_eq!(back.expires_at(), tokens.expires_at());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A lock, which holds no token, is all that is left beside the file.
    let lock = store.lock().await.unwrap();
    lock.release().await.unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["session.json", "session.json.lock"]);
    assert!(std::fs::read(store.lock_path()).unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_corrupted_session_file_is_an_error_naming_the_file() {
    let dir = temp_dir("corrupt");
    let path = dir.join("session.json");
    let store = FileStore::new(&path);
    let cases: [&[u8]; 4] = [
        b"",
        b"{\"format\":1,\"provider\":\"p\",\"token_type\":\"Bearer\"",
        b"{\"format\":1,\"provider\":\"p\",\"token_type\":\"Bearer\",\"received_at\":\"at-s3cret\"}",
        &[0xff, 0xfe, 0x00],
    ];
    for bytes in cases {
        std::fs::write(&path, bytes).unwrap();
        let e = store.load().await.unwrap_err();
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(
            matches!(session_error(&e), SessionError::Store(s) if s.operation == "load"),
            "{e}"
        );
    }
    // A session on it reports the same, with no request sent.
    let fake = FakeProvider::new(Some(HOUR), true);
    let session = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .store(Arc::new(store))
        .build();
    assert!(token(&session).await.is_err());
    assert_eq!(fake.calls(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(start_paused = true)]
async fn sessions_on_one_file_refresh_once() {
    let dir = temp_dir("shared");
    let path = dir.join("session.json");
    let fake = FakeProvider::new(Some(HOUR), true);
    FileStore::new(&path).save(&fake.signed_in()).await.unwrap();
    tokio::time::advance(HOUR).await;
    // What several `tokenbridge token` processes do: each its own store and session, on one
    // file; the advisory lock is per open file, so this contends like separate processes.
    let sessions: Vec<_> = (0..8)
        .map(|_| {
            TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
                .store(Arc::new(FileStore::new(&path)))
                .build()
        })
        .collect();
    // Fresh from the file: no refresh (the file's wall-clock expiry is an hour away).
    assert_eq!(token(&sessions[0]).await.unwrap(), "at-0");
    assert_eq!(fake.calls(), 0);

    // Now stored tokens that are due.
    FileStore::new(&path)
        .save(
            &fake
                .signed_in()
                .with_expires_in(Some(Duration::from_secs(30))),
        )
        .await
        .unwrap();
    let callers: Vec<_> = sessions
        .iter()
        .skip(1)
        .map(|session| {
            let session = session.clone();
            tokio::spawn(async move { token(&session).await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), "at-1");
    }
    assert_eq!(fake.calls(), 1);
    let stored = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().expose_secret(), "rt-1");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(start_paused = true)]
async fn tokens_of_another_provider_are_refused_and_nothing_is_sent() {
    let fake = FakeProvider::new(Some(HOUR), true);
    let other = TokenSet::new("other", "at-x", TokenType::Bearer)
        .with_expires_in(Some(Duration::ZERO))
        .with_refresh_token(Some("rt-x".into()));
    let store = Arc::new(MemoryStore::with_tokens(other.clone()));
    let from_store = TokenSession::builder(Arc::clone(&fake) as Arc<dyn TokenExchanger>)
        .store(store)
        .build();
    let given = TokenSession::new(Arc::clone(&fake) as Arc<dyn TokenExchanger>, other);
    for session in [from_store, given] {
        let e = token(&session).await.unwrap_err();
        assert!(
            matches!(session_error(&e), SessionError::ProviderMismatch { found, .. } if found == "other"),
            "{e}"
        );
    }
    assert_eq!(fake.calls(), 0);
}
