//! The Redis session store, and two replicas sharing one Redis, against a real `redis-server`
//! on a loopback port started here. Without `redis-server` these are reported as ignored with
//! the reason (the `tokenbridge_no_redis` cfg, set by the crate's build script), except under
//! CI (`CI` set), where they run and fail.
#![cfg(feature = "redis")]

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use redis::aio::MultiplexedConnection;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use tokenbridge_axum::{AccessToken, RedisSessionStore, SignedIn, WebAuth, COOKIE_NAME};
use tokenbridge_core::{AuthMethod, Provider};
use tokenbridge_testkit::oidc::{ClientRegistration, OidcEmulator, Profile};
use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

/// A `redis-server` child process, killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
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

    async fn conn(&self) -> MultiplexedConnection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn record(seconds: i64) -> Record {
    let mut data = HashMap::new();
    data.insert("tokenbridge.test".to_owned(), json!({ "n": 1 }));
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + TimeDuration::seconds(seconds),
    }
}

async fn keys(conn: &mut MultiplexedConnection, pattern: &str) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(pattern)
        .query_async(conn)
        .await
        .unwrap();
    keys.sort();
    keys
}

#[tokio::test]
#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn records_are_kept_as_json_and_expire_with_the_session() {
    let redis = RedisServer::start();
    let mut conn = redis.conn().await;
    let store = RedisSessionStore::new(conn.clone(), "app:session");

    let mut created = record(600);
    store.create(&mut created).await.unwrap();
    let key = format!("app:session:{}", created.id);
    assert_eq!(keys(&mut conn, "app:session:*").await, vec![key.clone()]);
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((590..=600).contains(&ttl), "{ttl}");
    let loaded = store.load(&created.id).await.unwrap().unwrap();
    assert_eq!(loaded.data, created.data);
    assert_eq!(
        loaded.expiry_date.unix_timestamp(),
        created.expiry_date.unix_timestamp()
    );

    // A new record never replaces an existing one: on a collision the id is drawn again.
    let mut colliding = record(600);
    colliding.id = created.id;
    colliding.data.insert("other".into(), json!(true));
    store.create(&mut colliding).await.unwrap();
    assert_ne!(colliding.id, created.id);
    assert_eq!(
        store.load(&created.id).await.unwrap().unwrap().data,
        created.data
    );

    // Saving an expired record removes it.
    let mut expired = created.clone();
    expired.expiry_date = OffsetDateTime::now_utc() - TimeDuration::seconds(1);
    store.save(&expired).await.unwrap();
    assert!(store.load(&created.id).await.unwrap().is_none());

    store.delete(&colliding.id).await.unwrap();
    assert!(keys(&mut conn, "app:session:*").await.is_empty());

    // Garbage under a session key is a decode error that does not echo the value.
    let garbage = Id::default();
    let _: () = redis::cmd("SET")
        .arg(format!("app:session:{garbage}"))
        .arg("{\"access_token\": \"at-secret-value\"")
        .query_async(&mut conn)
        .await
        .unwrap();
    let err = store.load(&garbage).await.unwrap_err().to_string();
    assert!(err.contains("not readable"), "{err}");
    assert!(!err.contains("at-secret-value"), "{err}");
}

/// One replica of an application: its own process memory, the shared Redis.
async fn replica(provider: Provider, conn: MultiplexedConnection) -> String {
    async fn me(user: SignedIn) -> Json<Value> {
        Json(json!({ "subject": user.identity.subject }))
    }
    async fn token(AccessToken(token): AccessToken) -> String {
        token.expose_secret().len().to_string()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Both replicas are reached under one public URL in production; here each has its own
    // port, and the redirect URI is the first one's.
    let auth = WebAuth::builder("http://127.0.0.1:1")
        .provider(provider)
        .redis(conn, "app")
        .build()
        .unwrap();
    let app = Router::new()
        .route("/me", get(me))
        .route("/token", get(token))
        .merge(auth.routes())
        .layer(auth.layer());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn cookie_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|pair| pair.starts_with(&format!("{COOKIE_NAME}=")))
}

#[tokio::test]
#[cfg_attr(
    tokenbridge_no_redis,
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn a_user_signed_in_on_one_replica_is_served_by_another() {
    let redis = RedisServer::start();
    let mut conn = redis.conn().await;
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator.register_client(ClientRegistration::confidential(
        "web-app",
        "web-app-secret",
        AuthMethod::ClientSecretBasic,
    ));
    let provider = Provider::builder("corp")
        .issuer(emulator.issuer())
        .client_id("web-app")
        .client_secret(SecretString::from("web-app-secret"))
        .build()
        .unwrap();
    let a = replica(provider.clone(), conn.clone()).await;
    let b = replica(provider, conn.clone()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // Sign in on A.
    let login = http.get(format!("{a}/login")).send().await.unwrap();
    let cookie = cookie_of(&login).unwrap();
    let authorize = login.headers()[LOCATION].to_str().unwrap().to_owned();
    let approved = http.get(authorize).send().await.unwrap();
    let callback = approved.headers()[LOCATION]
        .to_str()
        .unwrap()
        .replace("http://127.0.0.1:1", &a);
    let done = http
        .get(callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let cookie = cookie_of(&done).unwrap();

    // B knows the user, and their tokens.
    let me = http
        .get(format!("{b}/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<Value>().await.unwrap(),
        json!({ "subject": "user-1" })
    );
    let token = http
        .get(format!("{b}/token"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    assert_eq!(keys(&mut conn, "app:tokens:*").await.len(), 1);
    let stored: String = redis::cmd("GET")
        .arg(&keys(&mut conn, "app:tokens:*").await[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(stored.contains("access_token"));

    // Sign out on B: A no longer knows the user, and the tokens are gone from Redis.
    let out = http
        .post(format!("{b}/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let me = http
        .get(format!("{a}/me"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert!(keys(&mut conn, "app:tokens:*").await.is_empty());
    assert!(keys(&mut conn, "app:session:*").await.is_empty());
}
