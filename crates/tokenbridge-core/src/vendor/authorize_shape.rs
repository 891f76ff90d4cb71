//! How a vendor's authorization request (the sign-in URL) departs from RFC 6749 4.1.1 with
//! PKCE and OpenID Connect's `nonce`, as data: the name of its client-id parameter, fixed
//! parameters it requires, a fragment it wants, how it joins scopes, and whether it takes
//! PKCE and `nonce` at all.

/// The shape of a vendor's authorization request; [`AuthorizeShape::STANDARD`] by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizeShape {
    /// The parameter carrying the client id: `client_id` (RFC 6749), WeChat's `appid`.
    pub client_id_param: &'static str,
    /// Parameters every authorization request carries, e.g. DingTalk's required
    /// `prompt=consent`. A caller's parameter of the same name replaces the fixed one.
    pub params: &'static [(&'static str, &'static str)],
    /// A fragment the URL ends with, without `#` (WeChat's `wechat_redirect`); `None` by
    /// default.
    pub fragment: Option<&'static str>,
    /// What joins the scopes in `scope`: `" "` (RFC 6749 3.3) by default.
    pub scope_separator: &'static str,
    /// Whether the request carries a PKCE S256 challenge (and the code exchange its
    /// verifier); `false` for a vendor that documents no PKCE (WeChat, DingTalk).
    pub pkce: bool,
    /// When the request carries a `nonce`, which the callback then requires in the ID token
    /// (OpenID Connect Core 3.1.3.7): with `openid` by default; never for a vendor that
    /// issues no ID token; always for one that documents `nonce` without `openid` (Sign in
    /// with Apple).
    pub nonce: NonceMode,
}

/// When an authorization request carries a `nonce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NonceMode {
    /// Never: the vendor issues no ID token, or documents no `nonce`.
    Never,
    /// When `openid` is among the scopes (OpenID Connect Core 3.1.2.1).
    #[default]
    WithOpenid,
    /// Always, whatever the scopes: the vendor documents `nonce` for sign-ins without
    /// `openid` and echoes it in its ID token.
    Always,
}

impl NonceMode {
    /// Whether a request for `scopes` carries a nonce.
    pub fn wanted<S: AsRef<str>>(self, scopes: &[S]) -> bool {
        match self {
            NonceMode::Never => false,
            NonceMode::WithOpenid => scopes.iter().any(|s| s.as_ref() == "openid"),
            NonceMode::Always => true,
        }
    }
}

impl AuthorizeShape {
    /// RFC 6749 4.1.1 with PKCE (RFC 7636) and, for `openid`, a `nonce` (OpenID Connect Core
    /// 3.1.2.1).
    pub const STANDARD: Self = Self {
        client_id_param: "client_id",
        params: &[],
        fragment: None,
        scope_separator: " ",
        pkce: true,
        nonce: NonceMode::WithOpenid,
    };
}

impl Default for AuthorizeShape {
    fn default() -> Self {
        Self::STANDARD
    }
}
