//! The Redis store against a real `redis-server` on a loopback port, started here.
//!
//! Redis's clock cannot be paused, so these tests run on real time, with margins that hold on
//! a loaded two-core machine (lock TTLs of seconds where a lock must outlive a refresh, bounds
//! of tens of seconds), and each under a real-time limit ([`common::within`]) so that a leaked
//! lock fails the test instead of hanging the suite. Without `redis-server` they are reported as ignored with the
//! reason (the `tokenbridge_no_redis` cfg, set by the crate's build script), except under CI
//! (`CI` set), where they run and fail.
#![cfg(feature = "redis")]

mod common;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{within, FakeProvider};

/// The most any test here may take.
const LIMIT: Duration = Duration::from_secs(60);
use tokenbridge_core::{ExposeSecret, TokenExchanger};
use tokenbridge_core::{RedisStore, TokenSession, TokenStore};

/// The lock TTL of a holder that dies: how long the others wait for it.
const HOLDER_TTL: Duration = Duration::from_secs(2);

/// A `redis-server` child process, killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts one on a free loopback port. The tests that call this are ignored where the
    /// build found no `redis-server`, so a missing binary here is a failure.
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): install it (apt-get install redis-server; .ci/run does)")
            });
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn store(&self, key: &str) -> RedisStore {
        RedisStore::connect(&self.url(), key)
            .await
            .unwrap()
            // Far longer than a refresh holds it, however slow the machine.
            .lock_ttl(Duration::from_secs(10))
            .lock_wait(Duration::from_secs(30))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn session(fake: &Arc<FakeProvider>, store: RedisStore) -> TokenSession {
    TokenSession::builder(Arc::clone(fake) as Arc<dyn TokenExchanger>)
        .store(Arc::new(store))
        .build()
}

/// Tokens that are due (30 s left, margin 60 s), as a fleet finds them at expiry.
async fn store_due_tokens(server: &RedisServer, key: &str, fake: &FakeProvider) {
    let due = fake
        .signed_in()
        .with_expires_in(Some(Duration::from_secs(30)));
    server.store(key).await.save(&due).await.unwrap();
}

#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_clients_at_expiry_cause_one_refresh() {
    within(
        LIMIT,
        "ten clients refreshing at once",
        fleet_refreshes_once(),
    )
    .await;
}

async fn fleet_refreshes_once() {
    let server = RedisServer::start();
    let fake = FakeProvider::new(Some(Duration::from_secs(3600)), true);
    *fake.delay.lock().unwrap() = Duration::from_millis(100);
    store_due_tokens(&server, "fleet", &fake).await;

    // Each its own connection, as separate processes would have.
    let mut sessions = Vec::new();
    for _ in 0..10 {
        sessions.push(session(&fake, server.store("fleet").await));
    }
    let started = Instant::now();
    let callers: Vec<_> = sessions
        .into_iter()
        .map(|s| tokio::spawn(async move { s.access_token().await }))
        .collect();
    for caller in callers {
        let token = caller.await.unwrap().unwrap();
        assert_eq!(token.expose_secret(), "at-1");
    }
    assert_eq!(fake.calls(), 1);
    assert_eq!(fake.sent(), ["rt-0"]);
    let stored = server.store("fleet").await.load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().expose_secret(), "rt-1");
    // No lock left behind.
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let lock: Option<String> = redis::cmd("GET")
        .arg("fleet:lock")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(lock.is_none());
    eprintln!("10 clients, one refresh, in {:?}", started.elapsed());
}

#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_others_recover_when_the_lock_holder_dies_mid_refresh() {
    within(LIMIT, "recovery from a dead lock holder", recovery()).await;
}

async fn recovery() {
    let server = RedisServer::start();
    let survivors_fake = FakeProvider::new(Some(Duration::from_secs(3600)), true);
    *survivors_fake.delay.lock().unwrap() = Duration::from_millis(50);
    store_due_tokens(&server, "fleet", &survivors_fake).await;

    // The holder: a "process" of its own (its own runtime), whose provider never answers.
    let dying_fake = FakeProvider::new(Some(Duration::from_secs(3600)), true);
    *dying_fake.delay.lock().unwrap() = Duration::from_secs(3600);
    let dying = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let url = server.url();
    {
        let dying_fake = Arc::clone(&dying_fake);
        dying.spawn(async move {
            let store = RedisStore::connect(&url, "fleet")
                .await
                .unwrap()
                .lock_ttl(HOLDER_TTL);
            let _ = session(&dying_fake, store).access_token().await;
        });
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while dying_fake.calls() == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never sent its refresh"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // It holds the lock and has sent its request: it dies, releasing nothing.
    dying.shutdown_background();
    let died = Instant::now();

    let mut sessions = Vec::new();
    for _ in 0..5 {
        sessions.push(session(&survivors_fake, server.store("fleet").await));
    }
    let callers: Vec<_> = sessions
        .into_iter()
        .map(|s| tokio::spawn(async move { s.access_token().await }))
        .collect();
    for caller in callers {
        let token = caller.await.unwrap().unwrap();
        assert_eq!(token.expose_secret(), "at-1");
    }
    let recovered = died.elapsed();
    assert_eq!(survivors_fake.calls(), 1);
    // Through the lock's expiry, not the holder's answer (it would take an hour).
    assert!(
        recovered < HOLDER_TTL + Duration::from_secs(20),
        "recovered after {recovered:?}"
    );
    eprintln!("recovered {recovered:?} after the holder died");
}

#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_its_owner_releases_the_lock() {
    within(LIMIT, "the lock's ownership checks", ownership()).await;
}

async fn ownership() {
    let server = RedisServer::start();
    let a = server.store("owned").await.lock_ttl(Duration::from_secs(3));
    // B's lock outlives the test, so only a wrong release could free it for C.
    let b = server
        .store("owned")
        .await
        .lock_ttl(Duration::from_secs(300))
        .lock_wait(Duration::from_secs(30));
    let lock_a = a.lock().await.unwrap();
    // While A holds it, nobody else gets it.
    let probe = server
        .store("owned")
        .await
        .lock_wait(Duration::from_millis(100));
    let e = probe.lock().await.unwrap_err();
    assert!(e.to_string().contains("held the lock"), "{e}");
    // B gets it once A's expired.
    let lock_b = b.lock().await.unwrap();
    // A's late release must not free B's lock.
    lock_a.release().await.unwrap();
    let c = server
        .store("owned")
        .await
        .lock_wait(Duration::from_millis(500));
    let e = c.lock().await.unwrap_err();
    assert!(e.to_string().contains("held the lock"), "{e}");
    lock_b.release().await.unwrap();
    c.lock().await.unwrap().release().await.unwrap();
}

#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_value_is_an_error_naming_the_key() {
    let server = RedisServer::start();
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let () = redis::cmd("SET")
        .arg("broken")
        .arg("{\"access_token\":\"s3cret\"")
        .query_async(&mut conn)
        .await
        .unwrap();
    let e = server.store("broken").await.load().await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("\"broken\""), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(server.store("empty").await.load().await.unwrap().is_none());
}
