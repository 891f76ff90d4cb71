//! The userinfo request and answer as a vendor's [`UserinfoShape`] says: where the token goes,
//! the parameters taken from the token answer, the envelope and the vendor's claim names.

use http::header::ACCEPT;
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::model::token::TokenSet;
use crate::transport::request::TokenRequest;
use crate::transport::request_auth::RequestAuthorization;
use crate::transport::shape::{header_name, TokenPlacement, UserinfoShape};

/// The userinfo request for `tokens`, shaped by `shape`; `nonce` is a DPoP nonce the endpoint
/// asked for.
pub(crate) fn userinfo_request(
    url: &Url,
    tokens: &TokenSet,
    shape: &UserinfoShape,
    nonce: Option<&str>,
) -> Result<TokenRequest> {
    let mut request = TokenRequest::get(url.clone());
    match shape.token {
        TokenPlacement::Authorization => {
            RequestAuthorization::for_tokens(tokens, "GET", url, nonce)?.apply(&mut request)?;
        }
        TokenPlacement::Header(name) => {
            request.header(
                header_name(name)?,
                tokens.access_token().expose_secret(),
                true,
            )?;
        }
        TokenPlacement::Query(name) => {
            request.secret_param(name, tokens.access_token());
        }
    }
    for (param, member) in shape.params_from_tokens {
        let value = match tokens.extra().get(*member) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(Error::config(
                    *member,
                    format!(
                        "the userinfo request needs `{member}` from the token answer, and the \
                         tokens given have none: pass the whole token set the exchange returned"
                    ),
                ))
            }
        };
        request.param(*param, value);
    }
    request.header(ACCEPT, "application/json", false)?;
    for (name, value) in shape.headers {
        request.header(header_name(name)?, value, false)?;
    }
    Ok(request)
}
