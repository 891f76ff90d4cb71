//! The credentials an application exchanges for tokens.

use std::fmt;

use secrecy::SecretString;

/// A credential to exchange for a [`TokenSet`](crate::TokenSet).
///
/// Codes, tickets, refresh tokens and verifiers are [`SecretString`]s: they never appear in
/// `Debug` output.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Grant {
    /// `grant_type=authorization_code` (RFC 6749 section 4.1.3), optionally with PKCE.
    AuthorizationCode {
        /// The code from the redirect.
        code: SecretString,
        /// The `redirect_uri` sent in the authorize request; `None` only where the provider
        /// makes it optional.
        redirect_uri: Option<String>,
        /// The PKCE verifier (RFC 7636), when the authorize request carried a challenge.
        pkce_verifier: Option<SecretString>,
    },
    /// `grant_type=refresh_token` (RFC 6749 section 6).
    RefreshToken {
        /// The refresh token.
        refresh_token: SecretString,
        /// Narrower scopes to request; empty keeps the original ones.
        scopes: Vec<String>,
    },
    /// `grant_type=client_credentials` (RFC 6749 section 4.4).
    ClientCredentials {
        /// Scopes to request; empty asks for the client's defaults.
        scopes: Vec<String>,
    },
    /// A GenAuth QR-code login ticket.
    QrTicket {
        /// The ticket from an `AUTHORIZED` QR status.
        ticket: SecretString,
    },
    /// Any other grant type, with its parameters sent as given.
    Other {
        /// The `grant_type` value, e.g. `urn:ietf:params:oauth:grant-type:token-exchange`.
        grant_type: String,
        /// Parameters sent as given; their values are treated as secrets.
        params: Vec<(String, SecretString)>,
    },
}

impl Grant {
    /// An authorization code grant without PKCE.
    pub fn authorization_code(code: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        Grant::AuthorizationCode {
            code: SecretString::from(code.into()),
            redirect_uri: Some(redirect_uri.into()),
            pkce_verifier: None,
        }
    }

    /// An authorization code grant with its PKCE verifier.
    pub fn authorization_code_pkce(
        code: impl Into<String>,
        redirect_uri: impl Into<String>,
        verifier: impl Into<String>,
    ) -> Self {
        Grant::AuthorizationCode {
            code: SecretString::from(code.into()),
            redirect_uri: Some(redirect_uri.into()),
            pkce_verifier: Some(SecretString::from(verifier.into())),
        }
    }

    /// A refresh token grant keeping the original scopes.
    pub fn refresh_token(refresh_token: impl Into<String>) -> Self {
        Grant::RefreshToken {
            refresh_token: SecretString::from(refresh_token.into()),
            scopes: Vec::new(),
        }
    }

    /// A client credentials grant.
    pub fn client_credentials<I, S>(scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Grant::ClientCredentials {
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// A GenAuth QR-code login ticket.
    pub fn qr_ticket(ticket: impl Into<String>) -> Self {
        Grant::QrTicket {
            ticket: SecretString::from(ticket.into()),
        }
    }

    /// Which kind of grant this is.
    pub fn kind(&self) -> GrantKind {
        match self {
            Grant::AuthorizationCode { .. } => GrantKind::AuthorizationCode,
            Grant::RefreshToken { .. } => GrantKind::RefreshToken,
            Grant::ClientCredentials { .. } => GrantKind::ClientCredentials,
            Grant::QrTicket { .. } => GrantKind::QrTicket,
            Grant::Other { .. } => GrantKind::Other,
        }
    }

    /// Whether this grant carries a PKCE verifier.
    pub fn uses_pkce(&self) -> bool {
        matches!(
            self,
            Grant::AuthorizationCode {
                pkce_verifier: Some(_),
                ..
            }
        )
    }
}

/// The kind of a [`Grant`], without its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum GrantKind {
    /// [`Grant::AuthorizationCode`].
    AuthorizationCode,
    /// [`Grant::RefreshToken`].
    RefreshToken,
    /// [`Grant::ClientCredentials`].
    ClientCredentials,
    /// [`Grant::QrTicket`].
    QrTicket,
    /// [`Grant::Other`].
    Other,
}

impl GrantKind {
    /// The OAuth 2.0 `grant_type` value, where there is a standard one.
    pub fn grant_type(self) -> Option<&'static str> {
        match self {
            GrantKind::AuthorizationCode => Some("authorization_code"),
            GrantKind::RefreshToken => Some("refresh_token"),
            GrantKind::ClientCredentials => Some("client_credentials"),
            GrantKind::QrTicket | GrantKind::Other => None,
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
            GrantKind::QrTicket => "qr_ticket",
            GrantKind::Other => "other",
        })
    }
}
