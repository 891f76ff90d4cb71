//! Device authorization, introspection, pushed authorization requests and DPoP against
//! loopback stubs: the exact requests sent, the answers read, the DPoP nonce retried exactly
//! once, and nothing sent where the provider has no endpoint.

mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use support::{http_response, stub};
use tokenbridge_core::dpop_access_token_hash as access_token_hash;
use tokenbridge_core::TokenSession;
use tokenbridge_core::{
    AuthMethod, Error, ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger,
    TokenSet, TokenType, TokenTypeHint, Url,
};

/// A request as the stub saw it: request line, lower-cased headers, body.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn parse(raw: &[u8]) -> Self {
        let raw = String::from_utf8_lossy(raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let mut lines = head.lines();
        let line = lines.next().unwrap_or_default().to_owned();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Self {
            line,
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The claims of the DPoP proof this request carried.
    fn proof_claims(&self) -> (Value, Value) {
        let proof = self.header("dpop").expect("a DPoP header");
        let mut parts = proof.split('.');
        let decode = |p: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
        };
        (decode(parts.next().unwrap()), decode(parts.next().unwrap()))
    }
}

/// A stub answering the n-th request (from 0) with `answers[n]`, the last one repeated.
fn scripted(answers: Vec<Vec<u8>>) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    let count = Arc::new(AtomicUsize::new(0));
    stub(move |mut stream| {
        let n = count.fetch_add(1, Ordering::SeqCst).min(answers.len() - 1);
        let _ = stream.write_all(&answers[n]);
        let _ = stream.flush();
    })
}

fn json_answer(status: &str, extra_headers: &[(&str, &str)], body: Value) -> Vec<u8> {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend_from_slice(extra_headers);
    http_response(status, &headers, body.to_string().as_bytes())
}

fn seen(rx: &mpsc::Receiver<Vec<u8>>) -> Vec<Seen> {
    rx.try_iter().map(|r| Seen::parse(&r)).collect()
}

fn dpop_provider(addr: SocketAddr) -> Provider {
    Provider::builder("corp")
        .token_endpoint(format!("http://{addr}/token"))
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .auth_method(AuthMethod::ClientSecretPost)
        .dpop(true)
        .build()
        .unwrap()
}

fn use_dpop_nonce(nonce: Option<&str>) -> Vec<u8> {
    let headers: Vec<(&str, &str)> = nonce.map(|n| ("dpop-nonce", n)).into_iter().collect();
    json_answer(
        "400 Bad Request",
        &headers,
        json!({"error": "use_dpop_nonce", "error_description": "nonce required"}),
    )
}

fn dpop_tokens() -> Vec<u8> {
    json_answer(
        "200 OK",
        &[],
        json!({"access_token": "at-bound", "token_type": "DPoP", "expires_in": 3600,
               "refresh_token": "rt-2"}),
    )
}

#[tokio::test]
async fn a_dpop_token_request_retries_once_with_the_servers_nonce() {
    let (addr, rx) = scripted(vec![use_dpop_nonce(Some("n-1")), dpop_tokens()]);
    let provider = dpop_provider(addr);
    let tokens = provider
        .exchange(Grant::authorization_code("code-1", "http://127.0.0.1/cb"))
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), &TokenType::DPoP);
    let key = tokens.dpop_key().expect("the key stays with the tokens");

    let requests = seen(&rx);
    assert_eq!(requests.len(), 2, "{requests:?}");
    let endpoint = format!("http://{addr}/token");
    let mut jtis = Vec::new();
    for (request, nonce) in requests.iter().zip([None, Some("n-1")]) {
        assert_eq!(request.line, "POST /token HTTP/1.1");
        // The same code both times: the first was refused before it was looked at.
        assert!(request.form().contains(&("code".into(), "code-1".into())));
        let (header, claims) = request.proof_claims();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(&header["jwk"], key.public_jwk());
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], endpoint.as_str());
        assert_eq!(claims.get("nonce").and_then(Value::as_str), nonce);
        assert!(claims.get("ath").is_none(), "no access token yet: {claims}");
        jtis.push(claims["jti"].clone());
    }
    assert_ne!(jtis[0], jtis[1]);

    // The refresh proves possession of the same key, with the nonce remembered.
    let refreshed = provider
        .exchange(Grant::refresh_token("rt-2").with_dpop_key(key.clone()))
        .await
        .unwrap();
    assert_eq!(refreshed.dpop_key().unwrap().thumbprint(), key.thumbprint());
    let third = seen(&rx);
    assert_eq!(third.len(), 1);
    let (header, claims) = third[0].proof_claims();
    assert_eq!(&header["jwk"], key.public_jwk());
    assert_eq!(claims["nonce"], "n-1");
}

#[tokio::test]
async fn the_nonce_retry_happens_exactly_once() {
    let (addr, rx) = scripted(vec![
        use_dpop_nonce(Some("n-1")),
        use_dpop_nonce(Some("n-2")),
    ]);
    let e = dpop_provider(addr)
        .exchange(Grant::authorization_code("code-1", "http://127.0.0.1/cb"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::OAuth(p) if p.code() == "use_dpop_nonce"),
        "{e:?}"
    );
    assert_eq!(seen(&rx).len(), 2);
}

#[tokio::test]
async fn use_dpop_nonce_without_a_nonce_is_not_retried() {
    let (addr, rx) = scripted(vec![use_dpop_nonce(None), dpop_tokens()]);
    let e = dpop_provider(addr)
        .exchange(Grant::authorization_code("code-1", "http://127.0.0.1/cb"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::OAuth(p) if p.code() == "use_dpop_nonce"),
        "{e:?}"
    );
    assert_eq!(seen(&rx).len(), 1);
}

#[tokio::test]
async fn without_dpop_no_proof_is_sent() {
    let (addr, rx) = scripted(vec![dpop_tokens()]);
    let provider = Provider::builder("corp")
        .token_endpoint(format!("http://{addr}/token"))
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .build()
        .unwrap();
    let tokens = provider.exchange(Grant::refresh_token("rt")).await.unwrap();
    assert!(tokens.dpop_key().is_none());
    assert!(seen(&rx)[0].header("dpop").is_none());
}

/// A discovery document for a stub at `addr` with the given extra members.
fn discovery(addr: SocketAddr, extra: Value) -> Value {
    let base = format!("http://{addr}");
    let mut doc = json!({
        "issuer": base,
        "token_endpoint": format!("{base}/token"),
        "authorization_endpoint": format!("{base}/auth"),
        "userinfo_endpoint": format!("{base}/me"),
    });
    if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, extra) {
        for (k, v) in extra {
            let v = match v {
                Value::String(p) if p.starts_with('/') => Value::String(format!("{base}{p}")),
                other => other,
            };
            doc.insert(k, v);
        }
    }
    doc
}

/// A stub serving a discovery document first (with `extra` members), then `answers`.
fn with_discovery(extra: Value, answers: Vec<Vec<u8>>) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
    // The port is needed in the document, so bind first and answer from a thread.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let doc = discovery(addr, extra);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut n = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let request = support::read_request(&mut stream);
            let answer = if request.starts_with(b"GET /.well-known/openid-configuration") {
                json_answer("200 OK", &[], doc.clone())
            } else {
                let _ = tx.send(request);
                let a = answers[n.min(answers.len() - 1)].clone();
                n += 1;
                a
            };
            let _ = stream.write_all(&answer);
        }
    });
    (addr, rx)
}

fn discovered(addr: SocketAddr) -> tokenbridge_core::ProviderBuilder {
    Provider::builder("corp")
        .issuer(format!("http://{addr}"))
        .client_id("app")
        .client_secret(SecretString::from("s3cret"))
        .auth_method(AuthMethod::ClientSecretBasic)
}

#[tokio::test]
async fn introspection_sends_the_token_with_client_authentication() {
    let (addr, rx) = with_discovery(
        json!({"introspection_endpoint": "/introspect"}),
        vec![
            json_answer(
                "200 OK",
                &[],
                json!({"active": true, "scope": "openid email", "client_id": "app",
                       "sub": "alice", "exp": 1_900_000_000u64, "token_type": "Bearer"}),
            ),
            json_answer("200 OK", &[], json!({"active": false})),
        ],
    );
    let provider = discovered(addr).build().unwrap();
    let token = SecretString::from("at-123");
    let answer = provider
        .introspect(&token, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    assert!(answer.active);
    assert_eq!(answer.sub.as_deref(), Some("alice"));
    assert_eq!(answer.exp, Some(1_900_000_000));
    let inactive = provider.introspect(&token, None).await.unwrap();
    assert!(!inactive.active);

    let requests = seen(&rx);
    assert_eq!(requests[0].line, "POST /introspect HTTP/1.1");
    assert_eq!(
        requests[0].form(),
        [
            ("token".to_owned(), "at-123".to_owned()),
            ("token_type_hint".to_owned(), "access_token".to_owned())
        ]
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("app:s3cret")
            )
            .as_str()
        )
    );
    assert_eq!(
        requests[1].form(),
        [("token".to_owned(), "at-123".to_owned())]
    );
}

#[tokio::test]
async fn missing_endpoints_are_unsupported_with_nothing_sent() {
    let (addr, rx) = with_discovery(json!({}), vec![json_answer("500 Oops", &[], json!({}))]);
    let provider = discovered(addr).par(true).build().unwrap();
    let token = SecretString::from("at");
    let e = provider.introspect(&token, None).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unsupported { capability, .. } if capability == "token introspection"),
        "{e:?}"
    );
    let e = provider.start_device_authorization(None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(!e.may_have_been_sent());
    let e = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .build()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(
        e.to_string()
            .contains("pushed_authorization_request_endpoint"),
        "{e}"
    );
    assert!(seen(&rx).is_empty());
}

#[tokio::test]
async fn par_pushes_every_parameter_and_the_url_carries_only_the_reference() {
    let (addr, rx) = with_discovery(
        json!({"pushed_authorization_request_endpoint": "/par"}),
        vec![json_answer(
            "201 Created",
            &[],
            json!({"request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60}),
        )],
    );
    let provider = discovered(addr).par(true).build().unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .param("prompt", "login")
        .build()
        .await
        .unwrap();
    let query: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(request.url.path(), "/auth");
    assert_eq!(
        query,
        [
            ("client_id".to_owned(), "app".to_owned()),
            (
                "request_uri".to_owned(),
                "urn:ietf:params:oauth:request_uri:abc".to_owned()
            )
        ]
    );
    let pushed = seen(&rx);
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].line, "POST /par HTTP/1.1");
    assert!(pushed[0]
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
    let form = pushed[0].form();
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
            "prompt",
            "client_id"
        ]
    );
    let value = |name: &str| form.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert_eq!(value("state"), request.pending.state().expose_secret());
    assert_eq!(value("redirect_uri"), "http://127.0.0.1/cb");
}

#[tokio::test]
async fn with_dpop_the_authorization_request_binds_the_code_to_the_logins_key() {
    let (addr, rx) = with_discovery(
        json!({"pushed_authorization_request_endpoint": "/par"}),
        vec![json_answer(
            "201 Created",
            &[],
            json!({"request_uri": "urn:x", "expires_in": 60}),
        )],
    );
    // Without PAR the thumbprint is in the URL.
    let provider = discovered(addr).dpop(true).build().unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .build()
        .await
        .unwrap();
    let jkt = request.pending.dpop_key().unwrap().thumbprint().to_owned();
    assert_eq!(
        request
            .url
            .query_pairs()
            .find(|(k, _)| k == "dpop_jkt")
            .map(|(_, v)| v.into_owned()),
        Some(jkt.clone())
    );
    // The pending login keeps the key through its serialized form, never in Debug.
    let stored = serde_json::to_value(&request.pending).unwrap();
    let back: tokenbridge_core::PendingLogin = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(back.dpop_key().unwrap().thumbprint(), jkt);
    let pkcs8 = stored["dpop_key"]["pkcs8"].as_str().unwrap().to_owned();
    assert!(!format!("{:?}", request.pending).contains(&pkcs8));
    // With PAR it is pushed with the rest.
    let provider = discovered(addr).dpop(true).par(true).build().unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .build()
        .await
        .unwrap();
    let pushed = seen(&rx);
    assert!(pushed[0].form().contains(&(
        "dpop_jkt".to_owned(),
        request.pending.dpop_key().unwrap().thumbprint().to_owned()
    )));
    // A caller cannot set it.
    let e = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .param("dpop_jkt", "x")
        .build()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn discovery_requiring_par_pushes_without_the_key() {
    let (addr, rx) = with_discovery(
        json!({"pushed_authorization_request_endpoint": "/par",
               "require_pushed_authorization_requests": true}),
        vec![json_answer(
            "201 Created",
            &[],
            json!({"request_uri": "urn:x", "expires_in": 60}),
        )],
    );
    let provider = discovered(addr).build().unwrap();
    let request = provider
        .authorization_request()
        .redirect_uri("http://127.0.0.1/cb")
        .build()
        .await
        .unwrap();
    assert_eq!(
        request.url.query(),
        Some("client_id=app&request_uri=urn%3Ax")
    );
    assert_eq!(seen(&rx).len(), 1);
}

#[tokio::test]
async fn device_authorization_start_reads_every_field() {
    let (addr, rx) = with_discovery(
        json!({"device_authorization_endpoint": "/device/auth"}),
        vec![json_answer(
            "200 OK",
            &[],
            json!({"device_code": "dc-secret", "user_code": "WDJB-MJHT",
                   "verification_uri": "https://id.example.com/device",
                   "verification_uri_complete": "https://id.example.com/device?user_code=WDJB-MJHT",
                   "expires_in": 1800, "interval": 7}),
        )],
    );
    let provider = discovered(addr).build().unwrap();
    let scopes = vec!["openid".to_owned(), "offline_access".to_owned()];
    let auth = provider
        .start_device_authorization(Some(&scopes))
        .await
        .unwrap();
    assert_eq!(auth.user_code, "WDJB-MJHT");
    assert_eq!(auth.verification_uri, "https://id.example.com/device");
    assert_eq!(
        auth.verification_uri_complete.as_deref(),
        Some("https://id.example.com/device?user_code=WDJB-MJHT")
    );
    assert_eq!(auth.expires_in.as_secs(), 1800);
    assert_eq!(auth.interval.as_secs(), 7);
    assert_eq!(auth.device_code().expose_secret(), "dc-secret");
    let sent = seen(&rx);
    assert_eq!(sent[0].line, "POST /device/auth HTTP/1.1");
    assert_eq!(
        sent[0].form(),
        [
            ("scope".to_owned(), "openid offline_access".to_owned()),
            ("client_id".to_owned(), "app".to_owned())
        ]
    );
    assert!(sent[0]
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
}

#[tokio::test]
async fn a_verification_uri_over_plain_http_to_another_host_is_refused() {
    for (uri, complete) in [
        ("http://id.example.com/device", None),
        (
            "https://id.example.com/device",
            Some("http://id.example.com/device?user_code=A"),
        ),
        ("not a url", None),
    ] {
        let (addr, _rx) = with_discovery(
            json!({"device_authorization_endpoint": "/device/auth"}),
            vec![json_answer(
                "200 OK",
                &[],
                json!({"device_code": "dc-secret", "user_code": "WDJB-MJHT",
                       "verification_uri": uri, "verification_uri_complete": complete,
                       "expires_in": 1800}),
            )],
        );
        let e = discovered(addr)
            .build()
            .unwrap()
            .start_device_authorization(None)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnreadableResponse, "{uri}: {e}");
        assert!(e.to_string().contains("verification_uri"), "{e}");
        assert!(!e.to_string().contains("dc-secret"), "{e}");
    }
}

#[tokio::test]
async fn dpop_userinfo_sends_the_proof_with_ath_and_retries_the_nonce_once() {
    let refused = http_response(
        "401 Unauthorized",
        &[
            (
                "www-authenticate",
                "DPoP error=\"use_dpop_nonce\", error_description=\"nonce\"",
            ),
            ("dpop-nonce", "rs-nonce"),
        ],
        b"",
    );
    let user = json_answer(
        "200 OK",
        &[],
        json!({"sub": "alice", "email": "a@example.test"}),
    );
    let (addr, rx) = with_discovery(json!({}), vec![refused, user]);
    let provider = discovered(addr).build().unwrap();
    let key = tokenbridge_core::DpopKey::generate().unwrap();
    let tokens =
        TokenSet::new("corp", "at-bound", TokenType::DPoP).with_dpop_key(Some(key.clone()));
    let identity = provider.userinfo_with_tokens(&tokens).await.unwrap();
    assert_eq!(identity.subject, "alice");
    let sent = seen(&rx);
    assert_eq!(sent.len(), 2);
    for (request, nonce) in sent.iter().zip([None, Some("rs-nonce")]) {
        assert_eq!(request.line, "GET /me HTTP/1.1");
        assert_eq!(request.header("authorization"), Some("DPoP at-bound"));
        let (_, claims) = request.proof_claims();
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], format!("http://{addr}/me"));
        assert_eq!(
            claims["ath"],
            access_token_hash(&SecretString::from("at-bound"))
        );
        assert_eq!(claims.get("nonce").and_then(Value::as_str), nonce);
    }
}

#[tokio::test]
async fn a_session_authorizes_requests_with_its_dpop_key() {
    let provider = Provider::builder("corp")
        .token_endpoint("http://127.0.0.1:9/token")
        .client_id("app")
        .build()
        .unwrap();
    let key = tokenbridge_core::DpopKey::generate().unwrap();
    let tokens = TokenSet::new("corp", "at-bound", TokenType::DPoP).with_dpop_key(Some(key));
    let session = TokenSession::new(Arc::new(provider) as Arc<dyn TokenExchanger>, tokens);
    let url = Url::parse("https://api.example.com/orders?page=2#top").unwrap();
    let auth = session.authorization_for("post", &url).await.unwrap();
    assert_eq!(auth.authorization().expose_secret(), "DPoP at-bound");
    let proof = auth.dpop().unwrap().expose_secret().to_owned();
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(proof.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], "https://api.example.com/orders");
    assert_eq!(
        claims["ath"],
        access_token_hash(&SecretString::from("at-bound"))
    );
    assert!(!format!("{auth:?}").contains("at-bound"));
}
