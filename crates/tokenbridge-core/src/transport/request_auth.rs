//! The headers that authorize one request with an access token: `Authorization`, and for a
//! DPoP-bound token the `DPoP` proof that goes with it (RFC 9449 section 7.1).

use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, Result};
use crate::model::token::{TokenSet, TokenType};
use crate::transport::request::TokenRequest;

/// The headers authorizing one request: `Authorization: <type> <access token>` and, for a
/// DPoP-bound token, `DPoP: <proof>` (a proof is for one method and URL, and is not reused).
/// Both values are secrets: `Debug` shows neither, and [`headers`](Self::headers) marks them
/// sensitive.
///
/// Made by [`TokenSession::authorization_for`](crate::TokenSession::authorization_for) (with
/// a token renewed first when due) or [`RequestAuthorization::for_tokens`].
#[derive(Clone)]
pub struct RequestAuthorization {
    authorization: SecretString,
    dpop: Option<SecretString>,
}

impl fmt::Debug for RequestAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestAuthorization")
            .field("authorization", &"[redacted]")
            .field("dpop", &self.dpop.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl RequestAuthorization {
    /// The headers for a `method` request to `url` with the access token of `tokens`. A
    /// `DPoP` token gets a fresh proof from the tokens' key, with `ath` and, when the resource
    /// server asked for one (its `DPoP-Nonce` header), `nonce`. A `DPoP` token whose key is
    /// missing is an [`Error::Config`]: without its proof it would be refused.
    pub fn for_tokens(
        tokens: &TokenSet,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
    ) -> Result<Self> {
        let access_token = tokens.access_token();
        let dpop = match tokens.token_type() {
            TokenType::DPoP => {
                let key = tokens.dpop_key().ok_or_else(|| {
                    Error::invalid_input(
                        "tokens",
                        "the access token is DPoP-bound (token_type DPoP), but the token set \
                         holds no DPoP key to prove possession with; keep the tokens with their \
                         key (TokenSet::serialize_secrets keeps it)",
                    )
                })?;
                Some(key.proof(method, url, nonce, Some(access_token))?)
            }
            _ => None,
        };
        Ok(Self {
            authorization: SecretString::from(format!(
                "{} {}",
                tokens.token_type(),
                access_token.expose_secret()
            )),
            dpop,
        })
    }

    /// The value of the `Authorization` header (`Bearer <token>`, `DPoP <token>`).
    pub fn authorization(&self) -> &SecretString {
        &self.authorization
    }

    /// The value of the `DPoP` header, for a DPoP-bound token.
    pub fn dpop(&self) -> Option<&SecretString> {
        self.dpop.as_ref()
    }

    /// Both headers, their values marked sensitive (kept out of `Debug` and HTTP/2
    /// compression tables).
    pub fn headers(&self) -> Result<HeaderMap> {
        let value = |text: &SecretString, name: &str| {
            HeaderValue::from_str(text.expose_secret())
                .map(|mut v| {
                    v.set_sensitive(true);
                    v
                })
                .map_err(|_| {
                    Error::internal(format!(
                        "the {name} header would hold characters not allowed in HTTP headers"
                    ))
                })
        };
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value(&self.authorization, "Authorization")?);
        if let Some(proof) = &self.dpop {
            headers.insert(HeaderName::from_static("dpop"), value(proof, "DPoP")?);
        }
        Ok(headers)
    }

    /// Sets both headers on a request tokenbridge sends.
    pub fn apply(&self, request: &mut TokenRequest) -> Result<()> {
        for (name, value) in &self.headers()? {
            request.insert_header(name.clone(), value.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dpop::DpopKey;

    #[test]
    fn bearer_and_dpop_headers_are_redacted_in_debug() {
        let url = Url::parse("https://api.example.com/orders?page=2").unwrap();
        let bearer = TokenSet::new("p", "at-bearer", TokenType::Bearer);
        let auth = RequestAuthorization::for_tokens(&bearer, "GET", &url, None).unwrap();
        assert_eq!(auth.authorization().expose_secret(), "Bearer at-bearer");
        assert!(auth.dpop().is_none());

        let key = DpopKey::generate().unwrap();
        let bound = TokenSet::new("p", "at-bound", TokenType::DPoP).with_dpop_key(Some(key));
        let auth = RequestAuthorization::for_tokens(&bound, "GET", &url, Some("n")).unwrap();
        assert_eq!(auth.authorization().expose_secret(), "DPoP at-bound");
        let headers = auth.headers().unwrap();
        assert!(headers["authorization"].is_sensitive() && headers["dpop"].is_sensitive());
        let shown = format!("{auth:?} {headers:?}");
        assert!(
            !shown.contains("at-bound") && !shown.contains("eyJ"),
            "{shown}"
        );

        let keyless = TokenSet::new("p", "at", TokenType::DPoP);
        let e = RequestAuthorization::for_tokens(&keyless, "GET", &url, None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "invalid argument `tokens`: the access token is DPoP-bound (token_type DPoP), but the \
             token set holds no DPoP key to prove possession with; keep the tokens with their key \
             (TokenSet::serialize_secrets keeps it)"
        );
    }
}
