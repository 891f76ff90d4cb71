//! How a client proves who it is at a token endpoint.
//!
//! A [`ClientAuth`] acts on an outgoing [`TokenRequest`], whatever its body encoding, so the
//! same `client_secret_post` puts the credentials in a form body for RFC 6749 endpoints and in
//! a JSON body for GenAuth's V3 API.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::{HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::transport::request::TokenRequest;

/// Client authentication at the token endpoint.
///
/// Implement it for methods tokenbridge does not ship (for example `private_key_jwt`); the
/// built-in ones come from [`client_auth`](crate::client_auth).
pub trait ClientAuth: Send + Sync + fmt::Debug {
    /// The `token_endpoint_auth_method` name, e.g. `client_secret_basic`.
    fn method_name(&self) -> &str;

    /// The client id.
    fn client_id(&self) -> &str;

    /// Adds the client's credentials to `request` (parameters or headers).
    fn apply(&self, request: &mut TokenRequest) -> Result<()>;
}

/// The standard `token_endpoint_auth_method` values tokenbridge implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `none`: a public client; only `client_id` is sent.
    None,
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    #[default]
    ClientSecretPost,
    /// `client_secret_basic`: an `Authorization: Basic` header (RFC 6749 section 2.3.1).
    ClientSecretBasic,
    /// `client_secret_jwt`: an HS256 assertion keyed with the client secret (RFC 7523).
    ClientSecretJwt,
    /// `private_key_jwt`: an assertion signed with the client's private key (RFC 7523).
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The methods that send the client secret itself, or nothing, in the order they are
    /// listed in error messages: the ones every built-in vendor documents some of. The JWT
    /// assertion methods are in [`AuthMethod::JWT`]: only the standard `oidc` kind offers them
    /// (no built-in vendor documents them), and the testkit's standard emulator checks them.
    pub const ALL: [AuthMethod; 3] = [
        AuthMethod::None,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretBasic,
    ];

    /// The JWT assertion methods (RFC 7523): `client_secret_jwt` and `private_key_jwt`.
    pub const JWT: [AuthMethod; 2] = [AuthMethod::ClientSecretJwt, AuthMethod::PrivateKeyJwt];

    /// The standard name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// Whether the method needs a client secret.
    pub fn needs_secret(self) -> bool {
        !matches!(self, AuthMethod::None | AuthMethod::PrivateKeyJwt)
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        AuthMethod::ALL
            .into_iter()
            .chain(AuthMethod::JWT)
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                Error::config(
                    "auth_method",
                    format!("unknown auth method {s:?}; expected one of: {METHOD_NAMES}"),
                )
            })
    }
}

impl serde::Serialize for AuthMethod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AuthMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown auth method {s:?}; expected one of: {METHOD_NAMES}"
            ))
        })
    }
}

/// The method names as listed in error messages.
const METHOD_NAMES: &str =
    "none, client_secret_post, client_secret_basic, client_secret_jwt, private_key_jwt";

/// How `client_secret_basic` encodes the id and secret before base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BasicEncoding {
    /// Form-urlencode id and secret first, as RFC 6749 section 2.3.1 requires.
    #[default]
    FormUrlEncoded,
    /// Use them raw: for servers that decode the header without url-decoding.
    Raw,
}

/// Removes the client credentials already among `request`'s parameters, so that a method adds
/// its own and nothing else's (RFC 6749 section 2.3: one authentication method per request).
pub(super) fn clear_credentials(request: &mut TokenRequest) -> &mut TokenRequest {
    request
        .remove_param("client_id")
        .remove_param("client_secret")
}

/// The `Debug` of a method holding a client secret: its client id, and the secret redacted.
pub(super) fn debug_with_secret<'a, 'b>(
    f: &'a mut fmt::Formatter<'b>,
    name: &str,
    client_id: &str,
) -> fmt::DebugStruct<'a, 'b> {
    let mut debug = f.debug_struct(name);
    debug
        .field("client_id", &client_id)
        .field("client_secret", &"[redacted]");
    debug
}

/// `none`: sends `client_id` and no secret (a `client_secret` already in the request is
/// removed).
#[derive(Debug, Clone)]
pub struct NoClientAuth {
    client_id: String,
}

impl NoClientAuth {
    /// A public client.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
        }
    }
}

impl ClientAuth for NoClientAuth {
    fn method_name(&self) -> &str {
        AuthMethod::None.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        // A stray `client_secret` would turn this into client_secret_post behind the
        // configuration's back.
        clear_credentials(request).param("client_id", &self.client_id);
        Ok(())
    }
}

/// `client_secret_post`: `client_id` and `client_secret` as body parameters.
#[derive(Clone)]
pub struct ClientSecretPost {
    client_id: String,
    client_secret: SecretString,
}

impl ClientSecretPost {
    /// A confidential client sending its secret in the body.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
        }
    }
}

impl fmt::Debug for ClientSecretPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_with_secret(f, "ClientSecretPost", &self.client_id).finish()
    }
}

impl ClientAuth for ClientSecretPost {
    fn method_name(&self) -> &str {
        AuthMethod::ClientSecretPost.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        clear_credentials(request)
            .param("client_id", &self.client_id)
            .secret_param("client_secret", &self.client_secret);
        Ok(())
    }
}

/// `client_secret_basic`: an `Authorization: Basic` header and no credentials in the body.
#[derive(Clone)]
pub struct ClientSecretBasic {
    client_id: String,
    client_secret: SecretString,
    encoding: BasicEncoding,
    /// The header, built once: id and secret never change, and building it costs five
    /// allocations that every request would otherwise repeat. Marked sensitive. Base64 is
    /// always a valid header value, so it is never `None` in practice; the `Option` only spares
    /// a panic path: `apply` then builds and checks the value per request, as it used to.
    header: Option<HeaderValue>,
}

impl ClientSecretBasic {
    /// A confidential client using HTTP Basic, encoded as RFC 6749 section 2.3.1 requires.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            encoding: BasicEncoding::FormUrlEncoded,
            header: None,
        }
        .with_header()
    }

    /// Chooses how id and secret are encoded before base64.
    pub fn with_encoding(mut self, encoding: BasicEncoding) -> Self {
        self.encoding = encoding;
        self.with_header()
    }

    fn with_header(mut self) -> Self {
        self.header = HeaderValue::from_str(&self.build_header_value())
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        self
    }

    /// The `Authorization` header value. Contains the secret: never log it.
    pub fn header_value(&self) -> String {
        match &self.header {
            // Built from a `String`, so it is valid UTF-8.
            Some(value) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            None => self.build_header_value(),
        }
    }

    fn build_header_value(&self) -> String {
        let (id, secret) = match self.encoding {
            BasicEncoding::FormUrlEncoded => (
                form_component(&self.client_id),
                form_component(self.client_secret.expose_secret()),
            ),
            BasicEncoding::Raw => (
                self.client_id.clone(),
                self.client_secret.expose_secret().to_owned(),
            ),
        };
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }
}

/// One `application/x-www-form-urlencoded` component (space as `+`).
fn form_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl fmt::Debug for ClientSecretBasic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_with_secret(f, "ClientSecretBasic", &self.client_id)
            .field("encoding", &self.encoding)
            .finish()
    }
}

impl ClientAuth for ClientSecretBasic {
    fn method_name(&self) -> &str {
        AuthMethod::ClientSecretBasic.as_str()
    }

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        // Credentials go in the header only: RFC 6749 section 2.3.1 forbids using more
        // than one authentication method in a request.
        clear_credentials(request);
        match &self.header {
            Some(value) => {
                request.insert_header(AUTHORIZATION, value.clone());
            }
            None => {
                // Fails with the message naming the header.
                request.header(AUTHORIZATION, &self.build_header_value(), true)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::auth::client_auth;
    use crate::transport::request::BodyEncoding;
    use url::Url;

    fn req(encoding: BodyEncoding) -> TokenRequest {
        TokenRequest::post(
            Url::parse("https://id.example.com/token").unwrap(),
            encoding,
        )
    }

    #[test]
    fn basic_header_form_urlencodes_before_base64() {
        let auth = ClientSecretBasic::new("weird:client id+/%", SecretString::from("a+b/c:d%e f"));
        // base64("weird%3Aclient+id%2B%2F%25:a%2Bb%2Fc%3Ad%25e+f")
        assert_eq!(
            auth.header_value(),
            "Basic d2VpcmQlM0FjbGllbnQraWQlMkIlMkYlMjU6YSUyQmIlMkZjJTNBZCUyNWUrZg=="
        );
        let raw = auth.with_encoding(BasicEncoding::Raw);
        // base64("weird:client id+/%:a+b/c:d%e f")
        assert_eq!(
            raw.header_value(),
            "Basic d2VpcmQ6Y2xpZW50IGlkKy8lOmErYi9jOmQlZSBm"
        );
    }

    #[test]
    fn basic_removes_body_credentials() {
        let mut r = req(BodyEncoding::Form);
        r.param("grant_type", "refresh_token")
            .param("client_id", "x");
        ClientSecretBasic::new("id", SecretString::from("s"))
            .apply(&mut r)
            .unwrap();
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "grant_type=refresh_token"
        );
        assert_eq!(r.headers()[AUTHORIZATION], "Basic aWQ6cw==");
    }

    #[test]
    fn post_works_for_form_and_json() {
        let auth = ClientSecretPost::new("app 1", SecretString::from("s&1"));
        let mut form = req(BodyEncoding::Form);
        form.param("grant_type", "client_credentials");
        auth.apply(&mut form).unwrap();
        assert_eq!(
            String::from_utf8(form.body_bytes()).unwrap(),
            "grant_type=client_credentials&client_id=app+1&client_secret=s%261"
        );
        let mut json = req(BodyEncoding::Json);
        json.param("ticket", "t");
        auth.apply(&mut json).unwrap();
        assert_eq!(
            String::from_utf8(json.body_bytes()).unwrap(),
            r#"{"client_id":"app 1","client_secret":"s&1","ticket":"t"}"#
        );
    }

    #[test]
    fn none_sends_only_client_id() {
        let mut r = req(BodyEncoding::Form);
        NoClientAuth::new("pub").apply(&mut r).unwrap();
        assert_eq!(String::from_utf8(r.body_bytes()).unwrap(), "client_id=pub");
        assert!(r.headers().is_empty());
    }

    #[test]
    fn method_names_parse() {
        for m in AuthMethod::ALL.into_iter().chain(AuthMethod::JWT) {
            assert_eq!(m.as_str().parse::<AuthMethod>().unwrap(), m);
        }
        let err = "tls_client_auth".parse::<AuthMethod>().unwrap_err();
        assert!(err.to_string().contains("private_key_jwt"), "{err}");
    }

    #[test]
    fn secret_required() {
        let err = client_auth(AuthMethod::ClientSecretBasic, "id", None).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(client_auth(AuthMethod::None, "id", None).is_ok());
        assert!(client_auth(AuthMethod::ClientSecretJwt, "id", None).is_err());
        let err = client_auth(AuthMethod::PrivateKeyJwt, "id", None).unwrap_err();
        assert!(err.to_string().contains("private key"), "{err}");
        assert!(
            !AuthMethod::PrivateKeyJwt.needs_secret() && AuthMethod::ClientSecretJwt.needs_secret()
        );
    }

    #[test]
    fn debug_hides_secret() {
        let s = SecretString::from("topsecret");
        let a = client_auth(AuthMethod::ClientSecretBasic, "id", Some(s.clone())).unwrap();
        let b = client_auth(AuthMethod::ClientSecretPost, "id", Some(s)).unwrap();
        assert!(!format!("{a:?}{b:?}").contains("topsecret"));
    }
}
