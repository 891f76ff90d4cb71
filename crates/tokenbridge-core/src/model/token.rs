//! The normalized token model every exchanger returns.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::model::dpop::DpopKey;

/// The `token_type` of a [`TokenSet`], compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenType {
    /// `Bearer` (RFC 6750), however the provider spelled it.
    Bearer,
    /// `DPoP` (RFC 9449), however the provider spelled it.
    DPoP,
    /// Any other type, kept as the provider sent it.
    Other(String),
}

impl TokenType {
    /// Parses a `token_type` value: `bearer`, `Bearer` and `BEARER` all give [`TokenType::Bearer`].
    pub fn parse(value: &str) -> Self {
        let trimmed = value.trim();
        if trimmed.eq_ignore_ascii_case("bearer") {
            TokenType::Bearer
        } else if trimmed.eq_ignore_ascii_case("dpop") {
            TokenType::DPoP
        } else {
            TokenType::Other(trimmed.to_owned())
        }
    }

    /// The canonical spelling: `Bearer`, `DPoP`, or the value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            TokenType::Bearer => "Bearer",
            TokenType::DPoP => "DPoP",
            TokenType::Other(s) => s,
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tokens a provider issued, normalized across vendors.
///
/// Secrets (`access_token`, `refresh_token`, `id_token`) are [`SecretString`]s: `Debug`,
/// `Display` and plain `Serialize` never show them, and `TokenSet` has no `==` that would
/// compare them. Read them with [`ExposeSecret::expose_secret`]; persist a token set through
/// [`TokenSet::serialize_secrets`] and read it back with `Deserialize`.
///
/// ```
/// use std::time::Duration;
/// use secrecy::ExposeSecret;
/// use tokenbridge_core::{TokenSet, TokenType};
///
/// let tokens = TokenSet::new("corp", "at-123", TokenType::Bearer)
///     .with_expires_in(Some(Duration::from_secs(3600)));
/// assert_eq!(tokens.access_token().expose_secret(), "at-123");
/// assert!(!tokens.is_expired(Duration::from_secs(60)));
/// assert!(!format!("{tokens:?}").contains("at-123"));
/// ```
#[derive(Clone)]
pub struct TokenSet {
    provider: String,
    access_token: SecretString,
    token_type: TokenType,
    expires_in: Option<Duration>,
    received_at: SystemTime,
    refresh_token: Option<SecretString>,
    id_token: Option<SecretString>,
    scopes: Scopes,
    extra: Map<String, Value>,
    dpop_key: Option<DpopKey>,
}

/// The granted scopes: a list, or the `scope` string as the provider sent it, split on first
/// read. Most callers never read the scopes, and splitting cost an allocation per scope on
/// every exchange.
#[derive(Clone)]
enum Scopes {
    /// Given as a list, or not at all.
    List(Option<Vec<String>>),
    /// A space-separated string holding at least one scope, and its split once read.
    Text(String, std::sync::OnceLock<Vec<String>>),
}

impl Scopes {
    fn get(&self) -> Option<&[String]> {
        match self {
            Scopes::List(list) => list.as_deref(),
            Scopes::Text(text, split) => {
                Some(split.get_or_init(|| text.split_whitespace().map(str::to_owned).collect()))
            }
        }
    }
}

impl TokenSet {
    /// A token set received now, with no expiry, refresh token, id token, scopes or extras.
    pub fn new(
        provider: impl Into<String>,
        access_token: impl Into<String>,
        token_type: TokenType,
    ) -> Self {
        Self::received(provider, access_token, token_type, SystemTime::now())
    }

    /// [`TokenSet::new`] received at `received_at`: the response pipeline knows when, and
    /// reading the clock again for a value it overwrites cost a few percent of a parse.
    pub(crate) fn received(
        provider: impl Into<String>,
        access_token: impl Into<String>,
        token_type: TokenType,
        received_at: SystemTime,
    ) -> Self {
        Self {
            provider: provider.into(),
            access_token: SecretString::from(access_token.into()),
            token_type,
            expires_in: None,
            received_at,
            refresh_token: None,
            id_token: None,
            scopes: Scopes::List(None),
            extra: Map::new(),
            dpop_key: None,
        }
    }

    /// Sets the lifetime the provider announced.
    pub fn with_expires_in(mut self, expires_in: Option<Duration>) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets the instant the response was received (the start of the lifetime).
    pub fn with_received_at(mut self, received_at: SystemTime) -> Self {
        self.received_at = received_at;
        self
    }

    /// Sets the refresh token.
    pub fn with_refresh_token(mut self, refresh_token: Option<String>) -> Self {
        self.refresh_token = refresh_token.map(SecretString::from);
        self
    }

    /// Sets the OpenID Connect id token.
    pub fn with_id_token(mut self, id_token: Option<String>) -> Self {
        self.id_token = id_token.map(SecretString::from);
        self
    }

    /// Sets the granted scopes.
    pub fn with_scopes(mut self, scopes: Option<Vec<String>>) -> Self {
        self.scopes = Scopes::List(scopes);
        self
    }

    /// Sets the granted scopes from a space-separated `scope` string, split only when
    /// [`TokenSet::scopes`] is first read; a blank string means none were said, as with
    /// [`with_scopes`](Self::with_scopes)`(None)`.
    pub(crate) fn with_scope_text(mut self, text: String) -> Self {
        // `trim` and `split_whitespace` agree on what whitespace is; `trim` stops at once.
        self.scopes = if !text.trim().is_empty() {
            Scopes::Text(text, std::sync::OnceLock::new())
        } else {
            Scopes::List(None)
        };
        self
    }

    /// Sets the fields the model has no slot for.
    pub fn with_extra(mut self, extra: Map<String, Value>) -> Self {
        self.extra = extra;
        self
    }

    /// Sets the DPoP key these tokens are bound to (RFC 9449).
    pub fn with_dpop_key(mut self, key: Option<DpopKey>) -> Self {
        self.dpop_key = key;
        self
    }

    /// The DPoP key pair (private key included) the tokens were requested with, when the
    /// provider uses DPoP: every later request with these tokens (a refresh, userinfo, an API
    /// call) carries a proof signed by it. A secret, kept like the refresh token.
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop_key.as_ref()
    }

    /// The id of the configured provider that issued these tokens.
    pub fn provider_id(&self) -> &str {
        &self.provider
    }

    /// The access token.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The token type (`Bearer` however it was spelled).
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }

    /// The lifetime the provider announced; `None` when it did not say.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }

    /// When the response was received.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// When the access token expires: `received_at + expires_in`; `None` when unknown.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_in
            .and_then(|d| self.received_at.checked_add(d))
    }

    /// Whether the access token has expired, or will within `leeway`. An unknown expiry is
    /// never considered expired; a zero `expires_in` always is.
    pub fn is_expired(&self, leeway: Duration) -> bool {
        self.is_expired_at(SystemTime::now(), leeway)
    }

    /// [`TokenSet::is_expired`] as seen at `now`.
    pub fn is_expired_at(&self, now: SystemTime, leeway: Duration) -> bool {
        match self.expires_in {
            None => false,
            Some(d) if d.is_zero() => true,
            Some(_) => match self.expires_at() {
                Some(at) => now.checked_add(leeway).is_none_or(|n| n >= at),
                None => false,
            },
        }
    }

    /// The refresh token, when one was issued.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// The OpenID Connect id token (a JWT), when one was issued. It carries personal data and
    /// is kept secret like the other tokens.
    pub fn id_token(&self) -> Option<&SecretString> {
        self.id_token.as_ref()
    }

    /// The granted scopes, when the provider said; parsed from a space-separated string or a
    /// JSON array.
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.get()
    }

    /// Every response field the model has no slot for, as sent.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `extra` may hold vendor-specific credentials, so only its keys are shown.
        f.debug_struct("TokenSet")
            .field("provider", &self.provider)
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("received_at", &self.received_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("scopes", &self.scopes())
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .field("dpop_key", &self.dpop_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl fmt::Display for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} token from {}", self.token_type, self.provider)?;
        match self.expires_in {
            Some(d) => write!(f, ", expires in {}s", d.as_secs())?,
            None => write!(f, ", expiry unknown")?,
        }
        if self.refresh_token.is_some() {
            write!(f, ", with refresh token")?;
        }
        if self.id_token.is_some() {
            write!(f, ", with id token")?;
        }
        if let Some(scopes) = self.scopes() {
            write!(f, ", scope \"{}\"", scopes.join(" "))?;
        }
        Ok(())
    }
}

impl TokenSet {
    /// A view of these tokens that serializes the secrets too, for persisting a session.
    ///
    /// Plain [`Serialize`] of a [`TokenSet`] leaves `access_token`, `refresh_token` and
    /// `id_token` out, so a token set written to a log or an API answer never carries them;
    /// this explicit opt-in is the only way they are written. The output deserializes back
    /// into an equal [`TokenSet`] (times exact to the nanosecond).
    ///
    /// ```
    /// use tokenbridge_core::{ExposeSecret, TokenSet, TokenType};
    ///
    /// let tokens = TokenSet::new("corp", "at-123", TokenType::Bearer)
    ///     .with_refresh_token(Some("rt-456".into()));
    /// let plain = serde_json::to_string(&tokens).unwrap();
    /// assert!(!plain.contains("at-123") && !plain.contains("rt-456"));
    ///
    /// let stored = serde_json::to_string(&tokens.serialize_secrets()).unwrap();
    /// let back: TokenSet = serde_json::from_str(&stored).unwrap();
    /// assert_eq!(back.refresh_token().unwrap().expose_secret(), "rt-456");
    /// ```
    pub fn serialize_secrets(&self) -> SerializeSecrets<'_> {
        SerializeSecrets(self)
    }

    fn to_wire(&self, secrets: bool) -> Result<WireTokenSet<'_>, String> {
        let received_at = self.received_at.duration_since(UNIX_EPOCH).map_err(|_| {
            "received_at is before 1970-01-01, which the stored format cannot hold".to_owned()
        })?;
        let expose = |s: &'_ SecretString| s.expose_secret().to_owned();
        Ok(WireTokenSet {
            format: FORMAT_VERSION,
            provider: self.provider.as_str().into(),
            token_type: self.token_type.as_str().into(),
            received_at: received_at.into(),
            expires_in: self.expires_in.map(Into::into),
            access_token: secrets.then(|| expose(&self.access_token)),
            refresh_token: if secrets {
                self.refresh_token.as_ref().map(expose)
            } else {
                None
            },
            id_token: if secrets {
                self.id_token.as_ref().map(expose)
            } else {
                None
            },
            scopes: self.scopes().map(Into::into),
            extra: std::borrow::Cow::Borrowed(&self.extra),
            dpop_key: if secrets {
                self.dpop_key.as_ref().map(DpopKey::to_stored)
            } else {
                None
            },
        })
    }

    /// Whether `self` and `other` hold the same access token, without exposing either. Used
    /// by sessions to tell a token another process stored from the one they already hold.
    pub(crate) fn same_access_token(&self, other: &TokenSet) -> bool {
        self.access_token.expose_secret() == other.access_token.expose_secret()
    }

    /// Whether `self` holds `access_token`.
    pub(crate) fn has_access_token(&self, access_token: &SecretString) -> bool {
        self.access_token.expose_secret() == access_token.expose_secret()
    }

    /// Keeps `previous`'s refresh token when this answer to a refresh carried none: most
    /// providers that do not rotate simply omit it (RFC 6749 section 6). Its DPoP key too,
    /// when the exchanger did not attach one: the tokens stay bound to the session's key.
    pub(crate) fn keep_refresh_token_from(mut self, previous: &TokenSet) -> Self {
        if self.refresh_token.is_none() {
            self.refresh_token.clone_from(&previous.refresh_token);
        }
        if self.dpop_key.is_none() {
            self.dpop_key.clone_from(&previous.dpop_key);
        }
        self
    }
}

/// The version of the stored format, written as `format`; a reader refuses versions it does
/// not know instead of misreading them.
const FORMAT_VERSION: u32 = 1;

/// A [`TokenSet`] that serializes its secrets; see [`TokenSet::serialize_secrets`].
///
/// Its `Debug` shows no secret either.
pub struct SerializeSecrets<'a>(&'a TokenSet);

impl fmt::Debug for SerializeSecrets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SerializeSecrets").field(self.0).finish()
    }
}

impl Serialize for SerializeSecrets<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0
            .to_wire(true)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Writes everything but the secrets: `access_token`, `refresh_token` and `id_token` are left
/// out. Use [`TokenSet::serialize_secrets`] to persist a token set.
impl Serialize for TokenSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_wire(false)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Reads what [`TokenSet::serialize_secrets`] wrote. A token set serialized without its
/// secrets is refused (it has no access token), with a message saying so.
impl<'de> Deserialize<'de> for TokenSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let wire = WireTokenSet::deserialize(deserializer)?;
        if wire.format != FORMAT_VERSION {
            return Err(D::Error::custom(format_args!(
                "unknown token set format {} (this version reads format {FORMAT_VERSION})",
                wire.format
            )));
        }
        let access_token = wire.access_token.ok_or_else(|| {
            D::Error::custom(
                "access_token is missing: the token set was serialized without its secrets \
                 (persist it through TokenSet::serialize_secrets)",
            )
        })?;
        let received_at = UNIX_EPOCH
            .checked_add(wire.received_at.to_duration()?)
            .ok_or_else(|| D::Error::custom("received_at is out of range"))?;
        Ok(TokenSet {
            provider: wire.provider.into_owned(),
            access_token: SecretString::from(access_token),
            token_type: TokenType::parse(&wire.token_type),
            expires_in: wire.expires_in.map(|d| d.to_duration()).transpose()?,
            received_at,
            refresh_token: wire.refresh_token.map(SecretString::from),
            id_token: wire.id_token.map(SecretString::from),
            scopes: Scopes::List(wire.scopes.map(std::borrow::Cow::into_owned)),
            extra: wire.extra.into_owned(),
            dpop_key: wire
                .dpop_key
                .as_ref()
                .map(DpopKey::from_stored)
                .transpose()
                .map_err(D::Error::custom)?,
        })
    }
}

/// The stored shape of a [`TokenSet`]. Times are whole seconds plus nanoseconds so they come
/// back exactly; `received_at` counts from the Unix epoch.
#[derive(Serialize, Deserialize)]
struct WireTokenSet<'a> {
    format: u32,
    #[serde(borrow)]
    provider: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    token_type: std::borrow::Cow<'a, str>,
    received_at: WireDuration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in: Option<WireDuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<std::borrow::Cow<'a, [String]>>,
    #[serde(default)]
    extra: std::borrow::Cow<'a, Map<String, Value>>,
    /// The DPoP key, private key included; written only with the secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_key: Option<Value>,
}

#[derive(Serialize, Deserialize)]
struct WireDuration {
    secs: u64,
    nanos: u32,
}

impl From<Duration> for WireDuration {
    fn from(d: Duration) -> Self {
        Self {
            secs: d.as_secs(),
            nanos: d.subsec_nanos(),
        }
    }
}

impl WireDuration {
    fn to_duration<E: serde::de::Error>(&self) -> Result<Duration, E> {
        if self.nanos >= 1_000_000_000 {
            return Err(E::custom("nanos must be below 1000000000"));
        }
        Ok(Duration::new(self.secs, self.nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_type_is_case_insensitive() {
        for s in ["bearer", "Bearer", "BEARER", " bearer "] {
            assert_eq!(TokenType::parse(s), TokenType::Bearer, "{s}");
        }
        assert_eq!(TokenType::parse("dpop"), TokenType::DPoP);
        assert_eq!(TokenType::parse("MAC"), TokenType::Other("MAC".into()));
        assert_eq!(TokenType::parse("bearer").to_string(), "Bearer");
    }

    #[test]
    fn expiry_is_exact() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let t = TokenSet::new("p", "a", TokenType::Bearer)
            .with_received_at(t0)
            .with_expires_in(Some(Duration::from_secs(100)));
        assert_eq!(t.expires_at(), Some(t0 + Duration::from_secs(100)));
        assert!(!t.is_expired_at(t0 + Duration::from_secs(89), Duration::from_secs(10)));
        assert!(t.is_expired_at(t0 + Duration::from_secs(90), Duration::from_secs(10)));
        assert!(t.is_expired_at(t0 + Duration::from_secs(100), Duration::ZERO));
    }

    #[test]
    fn zero_is_expired_and_unknown_is_not() {
        let t = TokenSet::new("p", "a", TokenType::Bearer).with_expires_in(Some(Duration::ZERO));
        assert!(t.is_expired(Duration::ZERO));
        let t = TokenSet::new("p", "a", TokenType::Bearer);
        assert!(!t.is_expired(Duration::from_secs(3600)));
        assert_eq!(t.expires_at(), None);
    }

    fn full() -> TokenSet {
        let mut extra = Map::new();
        extra.insert("session_state".into(), Value::String("s-1".into()));
        TokenSet::new("corp", "at-secret", TokenType::DPoP)
            .with_received_at(UNIX_EPOCH + Duration::new(1_764_480_000, 123_456_789))
            .with_expires_in(Some(Duration::new(3600, 5)))
            .with_refresh_token(Some("rt-secret".into()))
            .with_id_token(Some("idt-secret".into()))
            .with_scopes(Some(vec!["openid".into(), "email".into()]))
            .with_extra(extra)
            .with_dpop_key(Some(DpopKey::generate().unwrap()))
    }

    fn assert_same(a: &TokenSet, b: &TokenSet) {
        let secret = |s: Option<&SecretString>| s.map(|s| s.expose_secret().to_owned());
        assert_eq!(a.provider_id(), b.provider_id());
        assert!(a.same_access_token(b));
        assert_eq!(a.token_type(), b.token_type());
        assert_eq!(a.expires_in(), b.expires_in());
        assert_eq!(a.received_at(), b.received_at());
        assert_eq!(a.expires_at(), b.expires_at());
        assert_eq!(secret(a.refresh_token()), secret(b.refresh_token()));
        assert_eq!(secret(a.id_token()), secret(b.id_token()));
        assert_eq!(a.scopes(), b.scopes());
        assert_eq!(a.extra(), b.extra());
        assert_eq!(
            a.dpop_key().map(|k| k.thumbprint().to_owned()),
            b.dpop_key().map(|k| k.thumbprint().to_owned())
        );
    }

    #[test]
    fn round_trips_exactly_through_the_opt_in() {
        for tokens in [
            full(),
            TokenSet::new("p", "a", TokenType::Other("MAC".into())),
        ] {
            let text = serde_json::to_string(&tokens.serialize_secrets()).unwrap();
            let back: TokenSet = serde_json::from_str(&text).unwrap();
            assert_same(&tokens, &back);
            // From a reader too (no borrowing possible).
            let back: TokenSet = serde_json::from_reader(text.as_bytes()).unwrap();
            assert_same(&tokens, &back);
        }
    }

    #[test]
    fn plain_serialize_and_debug_hold_no_secret() {
        let tokens = full();
        let plain = serde_json::to_string(&tokens).unwrap();
        let debug = format!("{tokens:?} {:?} {tokens}", tokens.serialize_secrets());
        let pkcs8 = tokens.dpop_key().unwrap().to_stored()["pkcs8"]
            .as_str()
            .unwrap()
            .to_owned();
        for out in [&plain, &debug] {
            assert!(!out.contains("secret"), "{out}");
            assert!(!out.contains(&pkcs8) && !out.contains("pkcs8"), "{out}");
        }
        assert!(plain.contains("\"provider\":\"corp\""), "{plain}");
        let err = serde_json::from_str::<TokenSet>(&plain).unwrap_err();
        assert!(err.to_string().contains("serialize_secrets"), "{err}");
    }

    #[test]
    fn bad_stored_sets_are_errors() {
        let good = serde_json::to_value(full().serialize_secrets()).unwrap();
        let mut v = good.clone();
        v["format"] = 2.into();
        assert!(serde_json::from_value::<TokenSet>(v).is_err());
        let mut v = good.clone();
        v["received_at"]["nanos"] = 1_000_000_000u64.into();
        assert!(serde_json::from_value::<TokenSet>(v).is_err());
        let mut v = good;
        v["received_at"]["secs"] = u64::MAX.into();
        assert!(serde_json::from_value::<TokenSet>(v).is_err());
        assert!(serde_json::from_str::<TokenSet>("[]").is_err());
    }
}
