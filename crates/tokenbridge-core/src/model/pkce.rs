//! PKCE (RFC 7636): a random verifier and its S256 challenge.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A PKCE code verifier: 43 to 128 characters from the RFC 7636 unreserved set.
/// Deliberately not `Clone`: a verifier belongs to one authorize request and is sent once.
pub struct PkceVerifier(SecretString);

impl PkceVerifier {
    /// A fresh verifier from 32 random bytes (43 characters, 256 bits of entropy).
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::internal(format!(
                "the operating system's random number generator failed: {e}"
            ))
        })?;
        Ok(Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// Wraps an existing verifier, checking its length and alphabet (RFC 7636 section 4.1).
    pub fn new(verifier: impl Into<String>) -> Result<Self> {
        let verifier = verifier.into();
        let ok_len = (43..=128).contains(&verifier.len());
        let ok_chars = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !ok_len || !ok_chars {
            return Err(Error::invalid_input(
                "code_verifier",
                "a PKCE verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)",
            ));
        }
        Ok(Self(SecretString::from(verifier)))
    }

    /// The S256 challenge for this verifier: `BASE64URL(SHA256(verifier))`.
    pub fn s256_challenge(&self) -> String {
        s256_challenge(self.0.expose_secret())
    }

    /// The verifier text, to send at the token endpoint.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

/// `BASE64URL(SHA256(verifier))`, the `S256` code challenge of RFC 7636 section 4.2.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifier_is_valid_and_random() {
        let a = PkceVerifier::generate().unwrap();
        let b = PkceVerifier::generate().unwrap();
        assert_eq!(a.secret().expose_secret().len(), 43);
        assert!(PkceVerifier::new(a.secret().expose_secret()).is_ok());
        assert_ne!(a.secret().expose_secret(), b.secret().expose_secret());
        assert!(!format!("{a:?}").contains(a.secret().expose_secret()));
    }

    #[test]
    fn rejects_bad_verifiers() {
        for bad in [
            "short".to_owned(),
            "a".repeat(129),
            format!("{}!", "a".repeat(43)),
        ] {
            let e = PkceVerifier::new(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert_eq!(
                e.to_string(),
                "invalid argument `code_verifier`: a PKCE verifier must be 43 to 128 characters of \
                 A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)"
            );
        }
    }
}
