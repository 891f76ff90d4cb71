//! The provider's state: registered clients, one-time codes, refresh and access tokens, and
//! the queue of scripted replies.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use url::Url;

use super::{AuthorizeMode, ClientRegistration, CodeRequest, IdTokenSigning, Profile};
use crate::jose::TestKey;
use crate::reply::Reply;
use crate::server::lock;

/// A code minted by an authorize request (or a test), until it is spent or expires.
#[derive(Debug, Clone)]
pub(super) struct CodeRecord {
    pub(super) request: CodeRequest,
    pub(super) used: bool,
    pub(super) expires: SystemTime,
}

/// A refresh token and whom it was issued to.
#[derive(Debug, Clone)]
pub(super) struct RefreshRecord {
    pub(super) client_id: String,
    pub(super) scope: String,
    pub(super) active: bool,
}

/// Everything the provider remembers between requests.
#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) clients: HashMap<String, ClientRegistration>,
    pub(super) codes: HashMap<String, CodeRecord>,
    pub(super) refresh_tokens: HashMap<String, RefreshRecord>,
    pub(super) queued: VecDeque<Reply>,
    pub(super) authorize_mode: AuthorizeMode,
    pub(super) nonces: HashMap<String, String>,
    /// Codes whose authorize request asked for `offline_access` with `prompt=consent`.
    pub(super) consented: HashSet<String>,
    pub(super) revoked: Vec<String>,
    pub(super) signing: IdTokenSigning,
    pub(super) signer: Option<TestKey>,
    pub(super) published: Vec<TestKey>,
    pub(super) access_tokens: HashMap<String, AccessRecord>,
    pub(super) user_claims: Map<String, Value>,
    pub(super) used_jtis: HashSet<String>,
    /// Clients that were already granted offline access ([`Profile::refresh_token_param`]).
    pub(super) offline_granted: HashSet<String>,
    /// Clients the `user` JSON was already posted to ([`super::FormPost::first_user`]).
    pub(super) user_posted: HashSet<String>,
}

/// An access token the emulator issued, for its userinfo endpoint.
#[derive(Debug, Clone)]
pub(super) struct AccessRecord {
    pub(super) subject: String,
    pub(super) active: bool,
}

/// The demo user's claims, in standard spelling.
pub fn demo_user_claims() -> Map<String, Value> {
    let claims = json!({
        "sub": DEMO_SUBJECT,
        "name": "Demo User",
        "preferred_username": "demo",
        "email": "demo@example.com",
        "email_verified": true,
        "phone_number": "+86 138 0000 0000",
        "picture": "https://files.example.com/demo-user.png",
    });
    match claims {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The `sub` of the user every code is issued for.
pub const DEMO_SUBJECT: &str = "user-1";

/// The state and logic of one emulated token endpoint.
pub struct OidcProvider {
    pub(super) profile: Profile,
    pub(super) issuer: String,
    pub(super) state: Mutex<State>,
    pub(super) counter: AtomicU64,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("profile", &self.profile.name)
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// Seconds since the epoch.
pub(super) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Lower-case hex, for ids derived from a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl OidcProvider {
    /// A provider whose issuer is `base_url` + the profile's issuer path.
    pub fn new(profile: Profile, base_url: &Url) -> Arc<Self> {
        let issuer = format!(
            "{}{}",
            base_url.as_str().trim_end_matches('/'),
            profile.issuer_path
        );
        let state = State {
            signing: profile.id_token_signing,
            signer: Some(TestKey::Rsa1),
            published: vec![TestKey::Rsa1],
            user_claims: demo_user_claims(),
            ..State::default()
        };
        Arc::new(Self {
            profile,
            issuer,
            state: Mutex::new(state),
            counter: AtomicU64::new(1),
        })
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        let root = self
            .issuer
            .strip_suffix(&self.profile.issuer_path)
            .unwrap_or(&self.issuer);
        format!("{root}{}", self.profile.token_path)
    }

    /// The server's origin (the issuer without the profile's issuer path).
    pub fn url_for_root(&self) -> String {
        self.url_for("")
    }

    pub(super) fn url_for(&self, path: &str) -> String {
        let root = self
            .issuer
            .strip_suffix(&self.profile.issuer_path)
            .unwrap_or(&self.issuer);
        format!("{root}{path}")
    }

    /// Registers a client.
    pub fn register_client(&self, client: ClientRegistration) {
        lock(&self.state)
            .clients
            .insert(client.client_id.clone(), client);
    }

    pub(super) fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!(
            "{}-{prefix}-{n}-{:?}",
            self.issuer,
            SystemTime::now()
        ));
        format!("{prefix}{}", &hex(&digest)[..24])
    }

    /// Mints a one-time code, valid ten minutes, as an authorize request would.
    pub fn issue_code(&self, request: CodeRequest) -> String {
        let code = self.next_id("code-");
        lock(&self.state).codes.insert(
            code.clone(),
            CodeRecord {
                request,
                used: false,
                expires: SystemTime::now() + Duration::from_secs(600),
            },
        );
        code
    }

    /// Mints a code as an authorize request asking for `offline_access` with `prompt=consent`
    /// would: with [`Profile::refresh_tokens_need_consent`], only such codes get a refresh
    /// token.
    pub fn issue_consented_code(&self, request: CodeRequest) -> String {
        let code = self.issue_code(request);
        lock(&self.state).consented.insert(code.clone());
        code
    }

    /// Mints a refresh token for `client_id`, as a previous code exchange would.
    pub fn issue_refresh_token(&self, client_id: &str, scope: &str) -> String {
        let token = self.next_id("rt-");
        lock(&self.state).refresh_tokens.insert(
            token.clone(),
            RefreshRecord {
                client_id: client_id.into(),
                scope: scope.into(),
                active: true,
            },
        );
        token
    }

    /// Makes the next token request get `reply` instead of the normal answer.
    pub fn push_reply(&self, reply: Reply) {
        lock(&self.state).queued.push_back(reply);
    }

    /// Replaces the demo user's claims (standard spelling, `sub` included) that ID tokens and
    /// userinfo carry; the `sub` of ID tokens stays [`DEMO_SUBJECT`] unless given here.
    pub fn set_user_claims(&self, claims: Map<String, Value>) {
        lock(&self.state).user_claims = claims;
    }

    pub(super) fn subject(&self) -> String {
        lock(&self.state)
            .user_claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or(DEMO_SUBJECT)
            .to_owned()
    }
}
