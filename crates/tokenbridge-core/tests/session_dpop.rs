//! Sessions with DPoP-bound tokens, on tokio's paused clock: every renewal proves possession of
//! the session's one key, and the key survives the store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenbridge_core::{
    async_trait, DpopKey, ExposeSecret, Grant, GrantKind, Result, TokenExchanger, TokenSet,
    TokenType,
};
use tokenbridge_core::{FileStore, TokenSession, TokenStore};

/// Issues DPoP tokens that expire in a minute, bound to the grant's key, and records the
/// thumbprint of the key each grant carried.
#[derive(Debug, Default)]
struct Recorder {
    keys: Mutex<Vec<Option<String>>>,
}

#[async_trait]
impl TokenExchanger for Recorder {
    fn provider_id(&self) -> &str {
        "api"
    }

    fn supported_grants(&self) -> &[GrantKind] {
        &[GrantKind::RefreshToken, GrantKind::ClientCredentials]
    }

    async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
        let mut keys = self.keys.lock().unwrap();
        keys.push(grant.dpop_key().map(|k| k.thumbprint().to_owned()));
        Ok(
            TokenSet::new("api", format!("at-{}", keys.len()), TokenType::DPoP)
                .with_expires_in(Some(Duration::from_secs(60)))
                .with_refresh_token(Some(format!("rt-{}", keys.len())))
                .with_dpop_key(grant.dpop_key().cloned()),
        )
    }
}

fn bound(key: &DpopKey) -> TokenSet {
    TokenSet::new("api", "at-0", TokenType::DPoP)
        .with_expires_in(Some(Duration::ZERO))
        .with_refresh_token(Some("rt-0".into()))
        .with_dpop_key(Some(key.clone()))
}

#[tokio::test(start_paused = true)]
async fn refreshes_and_client_credentials_renewals_use_the_sessions_key() {
    let key = DpopKey::generate().unwrap();
    let jkt = Some(key.thumbprint().to_owned());

    let recorder = Arc::new(Recorder::default());
    let session = TokenSession::new(
        Arc::clone(&recorder) as Arc<dyn TokenExchanger>,
        bound(&key),
    );
    for _ in 0..2 {
        let tokens = session.token_set().await.unwrap();
        assert_eq!(tokens.dpop_key().unwrap().thumbprint(), key.thumbprint());
        tokio::time::advance(Duration::from_secs(61)).await;
    }
    assert_eq!(*recorder.keys.lock().unwrap(), [jkt.clone(), jkt.clone()]);

    let recorder = Arc::new(Recorder::default());
    let session = TokenSession::builder(Arc::clone(&recorder) as Arc<dyn TokenExchanger>)
        .tokens(bound(&key))
        .client_credentials(Grant::client_credentials)
        .build();
    for _ in 0..2 {
        session.token_set().await.unwrap();
        tokio::time::advance(Duration::from_secs(61)).await;
    }
    assert_eq!(*recorder.keys.lock().unwrap(), [jkt.clone(), jkt]);
}

#[tokio::test]
async fn the_file_store_keeps_the_key_with_the_tokens() {
    let key = DpopKey::generate().unwrap();
    let path = std::env::temp_dir().join(format!("tokenbridge-dpop-{}.json", std::process::id()));
    let store = FileStore::new(&path);
    store.save(&bound(&key)).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let stored = key.to_stored();
    assert!(text.contains(stored["pkcs8"].as_str().unwrap()));
    let back = store.load().await.unwrap().unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(back.dpop_key().unwrap().thumbprint(), key.thumbprint());
    assert_eq!(back.access_token().expose_secret(), "at-0");
}
