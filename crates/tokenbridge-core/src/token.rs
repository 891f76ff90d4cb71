//! The normalized token model every exchanger returns.

use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

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
/// Secrets (`access_token`, `refresh_token`, `id_token`) are [`SecretString`]s: `Debug` and
/// `Display` never show them. Read them with [`ExposeSecret::expose_secret`].
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
    scopes: Option<Vec<String>>,
    extra: Map<String, Value>,
}

impl TokenSet {
    /// A token set received now, with no expiry, refresh token, id token, scopes or extras.
    pub fn new(
        provider: impl Into<String>,
        access_token: impl Into<String>,
        token_type: TokenType,
    ) -> Self {
        Self {
            provider: provider.into(),
            access_token: SecretString::from(access_token.into()),
            token_type,
            expires_in: None,
            received_at: SystemTime::now(),
            refresh_token: None,
            id_token: None,
            scopes: None,
            extra: Map::new(),
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
        self.scopes = scopes;
        self
    }

    /// Sets the fields the model has no slot for.
    pub fn with_extra(mut self, extra: Map<String, Value>) -> Self {
        self.extra = extra;
        self
    }

    /// The id of the configured provider that issued these tokens.
    pub fn provider(&self) -> &str {
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
        self.scopes.as_deref()
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
            .field("scopes", &self.scopes)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
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
        if let Some(scopes) = &self.scopes {
            write!(f, ", scope \"{}\"", scopes.join(" "))?;
        }
        Ok(())
    }
}

/// Compares secrets by value; used by tests and by callers that store token sets.
impl PartialEq for TokenSet {
    fn eq(&self, other: &Self) -> bool {
        fn same(a: &Option<SecretString>, b: &Option<SecretString>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
                (None, None) => true,
                _ => false,
            }
        }
        self.provider == other.provider
            && self.access_token.expose_secret() == other.access_token.expose_secret()
            && self.token_type == other.token_type
            && self.expires_in == other.expires_in
            && self.received_at == other.received_at
            && same(&self.refresh_token, &other.refresh_token)
            && same(&self.id_token, &other.id_token)
            && self.scopes == other.scopes
            && self.extra == other.extra
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
}
