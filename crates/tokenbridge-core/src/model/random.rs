//! Random tokens: `state`, `nonce`, DPoP `jti`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, Result};

/// Random bytes in `state` and `nonce`: 256 bits, above the 128 RFC 6749 10.10 asks for.
pub(crate) const RANDOM_BYTES: usize = 32;

/// `n` bytes from the operating system's random generator, base64url without padding.
pub fn random_token(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::internal(format!(
            "the operating system's random number generator failed: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(RANDOM_BYTES).unwrap();
        let b = random_token(RANDOM_BYTES).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
