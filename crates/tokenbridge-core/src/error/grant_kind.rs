//! The kinds of grant, named here because an unsupported grant is an error.

use std::fmt;

/// The kind of a [`Grant`](crate::Grant), without its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum GrantKind {
    /// [`Grant::authorization_code`](crate::Grant::authorization_code).
    AuthorizationCode,
    /// [`Grant::refresh_token`](crate::Grant::refresh_token).
    RefreshToken,
    /// [`Grant::client_credentials`](crate::Grant::client_credentials).
    ClientCredentials,
    /// [`Grant::extension`](crate::Grant::extension), e.g. GenAuth's QR-code ticket.
    Extension,
}

impl GrantKind {
    /// The OAuth 2.0 `grant_type` value, where there is a standard one.
    pub fn grant_type(self) -> Option<&'static str> {
        match self {
            GrantKind::AuthorizationCode => Some("authorization_code"),
            GrantKind::RefreshToken => Some("refresh_token"),
            GrantKind::ClientCredentials => Some("client_credentials"),
            GrantKind::Extension => None,
        }
    }

    /// Whether the credential is spent by the first request that reaches the server, so the
    /// request must never be replayed: codes and tickets always, refresh tokens because
    /// providers may rotate them. Only client credentials can be sent again safely.
    pub fn is_one_time(self) -> bool {
        !matches!(self, GrantKind::ClientCredentials)
    }
}

impl fmt::Display for GrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GrantKind::AuthorizationCode => "authorization_code",
            GrantKind::RefreshToken => "refresh_token",
            GrantKind::ClientCredentials => "client_credentials",
            GrantKind::Extension => "extension",
        })
    }
}
