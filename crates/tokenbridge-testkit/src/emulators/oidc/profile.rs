//! How one vendor's endpoints behave: the [`Profile`] and the answers it gives to failures.

use tokenbridge_core::AuthMethod;

use crate::reply::Reply;

/// How the lifetime is written in a token answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryStyle {
    /// `"expires_in": 7200`.
    Number,
    /// `"expires_in": "7200"` (Huawei OneAccess's OAuth 2.0 page).
    String,
    /// No lifetime at all.
    Absent,
}

/// What a refresh does to the refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshStyle {
    /// A new refresh token each time; the old one stops working (Huawei OneAccess).
    Rotate,
    /// The same refresh token comes back (Tencent CIAM's sample).
    Echo,
    /// The answer carries no refresh token; the one sent stays valid (Sign in with Apple,
    /// Google).
    Keep,
}

/// A client secret that is a JWT the client signs with its registered key (Sign in with
/// Apple's ES256 client secret), checked instead of comparing a shared secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretJwt {
    /// The `aud` the secret must carry.
    pub audience: String,
    /// The `iss` the secret must carry (Apple: the team id).
    pub issuer: String,
    /// The `kid` its header must carry.
    pub key_id: String,
    /// The longest `exp - iat` accepted, in seconds.
    pub max_lifetime: u64,
}

/// How an authorize request may ask for its answer as a form POST (`response_mode=form_post`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormPost {
    /// Whether any requested scope makes `form_post` required (Sign in with Apple).
    pub required_with_scope: bool,
    /// Whether the first authorization of a client (per user) also posts a `user` JSON with
    /// the name and email the scope asked for (Sign in with Apple).
    pub first_user: bool,
}

/// The answers a profile gives to each kind of failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReplies {
    /// `client_id` missing or unknown.
    pub unknown_client: Reply,
    /// `client_id` missing or unknown in a request that carries a `code_verifier`, for vendors
    /// that answer PKCE requests differently (Tencent CIAM: 400 `invalid_request` instead of a
    /// bare 401); `None` gives [`ErrorReplies::unknown_client`].
    pub unknown_client_pkce: Option<Reply>,
    /// The secret is wrong, or the client used another auth method than registered.
    pub bad_client_credentials: Reply,
    /// Unknown, used or expired code; or a code issued to another client when
    /// [`ErrorReplies::client_mismatch`] is `None`.
    pub bad_code: Reply,
    /// A code issued to another client than the one exchanging it, for vendors that answer
    /// this case as a client error (Tencent CIAM: 401 `invalid_client`); `None` gives
    /// [`ErrorReplies::bad_code`].
    pub client_mismatch: Option<Reply>,
    /// `redirect_uri` differs from the authorize request.
    pub redirect_mismatch: Reply,
    /// The PKCE verifier does not match the challenge, or is missing.
    pub bad_verifier: Reply,
    /// Unknown or revoked refresh token.
    pub bad_refresh_token: Reply,
    /// A `grant_type` the provider does not support.
    pub unsupported_grant: Reply,
    /// A required parameter is missing.
    pub missing_parameter: Reply,
}

impl ErrorReplies {
    /// RFC 6749 answers with descriptions.
    pub fn standard() -> Self {
        Self {
            unknown_client: Reply::oauth_error(
                401,
                "invalid_client",
                "client authentication failed",
            ),
            unknown_client_pkce: None,
            bad_client_credentials: Reply::oauth_error(
                401,
                "invalid_client",
                "client authentication failed",
            ),
            bad_code: Reply::oauth_error(400, "invalid_grant", "grant request is invalid"),
            client_mismatch: None,
            redirect_mismatch: Reply::oauth_error(400, "invalid_grant", "redirect_uri mismatch"),
            bad_verifier: Reply::oauth_error(400, "invalid_grant", "PKCE verification failed"),
            bad_refresh_token: Reply::oauth_error(400, "invalid_grant", "refresh token is invalid"),
            unsupported_grant: Reply::oauth_error(
                400,
                "unsupported_grant_type",
                "unsupported grant_type",
            ),
            missing_parameter: Reply::oauth_error(
                400,
                "invalid_request",
                "missing required parameter",
            ),
        }
    }
}

/// How one vendor's token endpoint behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// A name for messages, e.g. `oidc`.
    pub name: String,
    /// Path prefix of the issuer (e.g. `/oidc` for GenAuth); the issuer is base URL + prefix.
    pub issuer_path: String,
    /// Token endpoint path, e.g. `/token`.
    pub token_path: String,
    /// Discovery document path, if served.
    pub discovery_path: Option<String>,
    /// JWKS path, if served.
    pub jwks_path: Option<String>,
    /// The JWKS top-level member: `keys`, or `Keys` as Tencent's doc writes it.
    pub jwks_member: String,
    /// The lifetime given to access tokens, in seconds.
    pub expires_in: u64,
    /// How the lifetime is written.
    pub expiry_style: ExpiryStyle,
    /// The lifetime's key: `expires_in`, or `expire_in`.
    pub expiry_field: String,
    /// The `token_type` value as sent, e.g. `Bearer` or `bearer`.
    pub token_type: String,
    /// Whether access tokens look like JWTs (otherwise opaque hex).
    pub jwt_access_tokens: bool,
    /// Whether an `id_token` is issued when the scope has `openid`.
    pub issue_id_tokens: bool,
    /// Whether code exchanges issue a refresh token.
    pub issue_refresh_tokens: bool,
    /// Whether a code exchange issues a refresh token only when the authorize request asked
    /// for `offline_access` with `prompt=consent` (GenAuth's OpenID Connect guide); codes
    /// minted with [`OidcProvider::issue_code`] then get none, those from
    /// [`OidcProvider::issue_consented_code`] do.
    ///
    /// [`OidcProvider::issue_code`]: super::OidcProvider::issue_code
    /// [`OidcProvider::issue_consented_code`]: super::OidcProvider::issue_consented_code
    pub refresh_tokens_need_consent: bool,
    /// What a refresh does to the refresh token.
    pub refresh_style: RefreshStyle,
    /// The scope written when none was requested.
    pub default_scope: String,
    /// Whether `redirect_uri` must be sent with a code (OIDC: yes; some OAuth 2.0: optional).
    pub redirect_uri_required: bool,
    /// Whether a public client (auth method `none`) must use PKCE: its code is refused with
    /// [`ErrorReplies::bad_client_credentials`] when it was issued without a
    /// `code_challenge`, since such a request proves nothing about the client.
    pub public_clients_require_pkce: bool,
    /// The auth methods advertised and accepted.
    pub auth_methods: Vec<AuthMethod>,
    /// The grant types accepted.
    pub grant_types: Vec<String>,
    /// Failure answers.
    pub errors: ErrorReplies,
    /// The authorize endpoint's path; `None` derives it from the token path
    /// (`/oauth2/token` gives `/oauth2/authorize`).
    pub authorize_path: Option<String>,
    /// The revocation endpoint's path (RFC 7009), where the vendor has one.
    pub revocation_path: Option<String>,
    /// The end-session (logout) endpoint's path, where the vendor has one.
    pub end_session_path: Option<String>,
    /// The parameter of the logout request naming where to go afterwards.
    pub logout_redirect_param: String,
    /// Whether the logout endpoint follows that parameter only next to an `id_token_hint`
    /// (GenAuth); otherwise it answers a page saying the user is signed out.
    pub logout_redirect_needs_id_token_hint: bool,
    /// Whether the authorize endpoint adds `iss` to its redirect (RFC 9207), and discovery
    /// says so.
    pub send_iss: bool,
    /// How ID tokens are signed at first; [`OidcProvider::set_id_token_signing`] changes it.
    ///
    /// [`OidcProvider::set_id_token_signing`]: super::OidcProvider::set_id_token_signing
    pub id_token_signing: IdTokenSigning,
    /// The userinfo endpoint's path, where the vendor has one.
    pub userinfo_path: Option<String>,
    /// How the userinfo endpoint answers.
    pub userinfo_style: UserinfoStyle,
    /// How the authorize request spells its redirect URI parameter.
    pub authorize_redirect_param: String,
    /// A parameter (name, value) the authorize request must carry for the code's exchange to
    /// issue a refresh token, and then only at a client's first authorization or with
    /// `prompt=consent` (Google's `access_type=offline`); `None`: no such condition.
    pub refresh_token_param: Option<(String, String)>,
    /// A client secret that is a signed JWT (Sign in with Apple); `None`: secrets compare.
    pub secret_jwt: Option<SecretJwt>,
    /// Whether `response_mode=form_post` is answered with an auto-submitting form, and when.
    pub form_post: Option<FormPost>,
    /// Whether revocation requests must authenticate the client (RFC 7009); Google's take
    /// the token alone.
    pub revocation_authenticates: bool,
    /// The answer to revoking a token the provider never issued (Google: 400
    /// `invalid_token`); `None`: 200, as RFC 7009 says.
    pub revocation_unknown_token: Option<Reply>,
    /// The claims userinfo answers, when fewer than the user's (Microsoft Entra ID's has no
    /// `oid` or `tid`); `None`: all of them.
    pub userinfo_claims: Option<Vec<String>>,
    /// Whether a code exchange issues an ID token whatever the scope (Sign in with Apple,
    /// whose scopes are `name` and `email`); otherwise only with `openid`.
    pub id_tokens_always: bool,
    /// A header member every `private_key_jwt` assertion must carry (Microsoft Entra ID's
    /// `x5t`, the certificate's thumbprint); `None`: no such rule.
    pub assertion_header: Option<String>,
    /// The answer to a `private_key_jwt` assertion whose
    /// [`assertion_header`](Self::assertion_header) names another certificate than the
    /// client's registered one (Microsoft Entra ID's AADSTS700027); `None`:
    /// [`ErrorReplies::bad_client_credentials`].
    pub unknown_certificate: Option<Reply>,
}

/// How the emulator signs ID tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdTokenSigning {
    /// RS256 with the current signing key ([`TestKey::Rsa1`], [`TestKey::Rsa2`] after
    /// [`OidcProvider::rotate_keys`]), published in the JWKS.
    ///
    /// [`TestKey::Rsa1`]: crate::jose::TestKey::Rsa1
    /// [`TestKey::Rsa2`]: crate::jose::TestKey::Rsa2
    /// [`OidcProvider::rotate_keys`]: super::OidcProvider::rotate_keys
    #[default]
    Rs256,
    /// HS256 keyed with the client's secret (GenAuth's default for an application); RS256 for
    /// a client without a secret.
    Hs256,
}

/// How the emulated userinfo endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UserinfoStyle {
    /// OpenID Connect Core 5.3: the standard claims; refusals as RFC 6750 describes them, a
    /// `WWW-Authenticate` challenge plus a JSON `error` body.
    #[default]
    Standard,
    /// GenAuth `/oidc/me`: the standard claims, unset ones as `null`.
    GenAuth,
    /// Tencent CIAM `/userinfo`: standard claims; refusals only in `WWW-Authenticate`, no
    /// body (400 without a token, 401 for a bad one).
    Tencent,
    /// Huawei OneAccess `/api/v1/oauth2/userinfo`: camelCase `id`, `userName`, `mobile` and no
    /// `sub`; `Accept: application/json` required; 401 `{"error":"unauthorized"}`.
    OneAccess,
}

/// How the emulated authorize endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthorizeMode {
    /// Approve at once, redirecting with a code.
    #[default]
    Approve,
    /// Redirect with `error` set to this code (e.g. `access_denied`).
    Deny(String),
    /// Approve, but name another issuer in `iss` (a mix-up).
    WrongIssuer,
}

impl Profile {
    /// A strict, standard OpenID Connect provider at the server root.
    pub fn standard() -> Self {
        Self {
            name: "oidc".into(),
            issuer_path: String::new(),
            token_path: "/token".into(),
            discovery_path: Some("/.well-known/openid-configuration".into()),
            jwks_path: Some("/jwks".into()),
            jwks_member: "keys".into(),
            expires_in: 3600,
            expiry_style: ExpiryStyle::Number,
            expiry_field: "expires_in".into(),
            token_type: "Bearer".into(),
            jwt_access_tokens: true,
            issue_id_tokens: true,
            issue_refresh_tokens: true,
            refresh_tokens_need_consent: false,
            refresh_style: RefreshStyle::Rotate,
            default_scope: "openid profile".into(),
            redirect_uri_required: true,
            public_clients_require_pkce: false,
            auth_methods: AuthMethod::ALL.into_iter().chain(AuthMethod::JWT).collect(),
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
            errors: ErrorReplies::standard(),
            authorize_path: None,
            revocation_path: Some("/revoke".into()),
            end_session_path: Some("/logout".into()),
            logout_redirect_param: "post_logout_redirect_uri".into(),
            logout_redirect_needs_id_token_hint: false,
            send_iss: true,
            authorize_redirect_param: "redirect_uri".into(),
            id_token_signing: IdTokenSigning::Rs256,
            userinfo_path: Some("/userinfo".into()),
            userinfo_style: UserinfoStyle::Standard,
            refresh_token_param: None,
            secret_jwt: None,
            form_post: None,
            revocation_authenticates: true,
            revocation_unknown_token: None,
            userinfo_claims: None,
            id_tokens_always: false,
            assertion_header: None,
            unknown_certificate: None,
        }
    }
}
