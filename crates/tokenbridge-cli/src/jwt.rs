//! `tokenbridge decode-jwt`.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use clap::Args;
use serde_json::{json, Value};

use crate::{print_json, Failure};

/// Arguments of `tokenbridge decode-jwt`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// The JWT (three base64url parts separated by dots).
    token: String,
}

fn decode_part(part: &str, what: &str) -> Result<Value, Failure> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(part))
        .map_err(|_| Failure::Usage(format!("the JWT {what} is not base64url")))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Failure::Usage(format!("the JWT {what} is not JSON")))
}

/// Decodes a JWT's header and claims without verifying anything.
pub(crate) fn decode(token: &str) -> Result<Value, Failure> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 && parts.len() != 5 {
        return Err(Failure::Usage(format!(
            "a JWT has three dot-separated parts (five when encrypted); this has {}",
            parts.len()
        )));
    }
    let header = decode_part(parts[0], "header")?;
    if parts.len() == 5 {
        return Ok(json!({
            "verified": false,
            "warning": "this is an encrypted JWT (JWE); its claims cannot be shown without the key",
            "header": header,
        }));
    }
    let claims = decode_part(parts[1], "payload")?;
    Ok(json!({
        "verified": false,
        "warning": "NOT VERIFIED: the signature was not checked; do not trust these claims",
        "header": header,
        "claims": claims,
    }))
}

/// Runs `tokenbridge decode-jwt`.
pub(crate) fn run(args: DecodeArgs) -> Result<(), Failure> {
    let decoded = decode(&args.token)?;
    eprintln!("tokenbridge: the signature is NOT verified");
    print_json(&decoded);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_header_and_claims() {
        let v = decode("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln").unwrap();
        assert_eq!(v["header"]["alg"], "HS256");
        assert_eq!(v["claims"]["sub"], "1");
        assert_eq!(v["verified"], false);
    }

    #[test]
    fn rejects_malformed_tokens() {
        for bad in ["", "abc", "a.b", "!!!.e30.x", "e30.bm90IGpzb24.x"] {
            assert!(matches!(decode(bad), Err(Failure::Usage(_))), "{bad}");
        }
    }
}
