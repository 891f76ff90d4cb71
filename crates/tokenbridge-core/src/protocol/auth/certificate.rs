//! The thumbprints of an X.509 certificate, by which a provider finds the key of a
//! `private_key_jwt` assertion: `x5t` (SHA-1) and `x5t#S256` (SHA-256) of the certificate's
//! DER encoding, base64url (RFC 7515 sections 4.1.7 and 4.1.8). Microsoft Entra ID names the
//! certificate this way
//! (<https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials>).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The `x5t` and `x5t#S256` of the first `CERTIFICATE` block of `pem`. The certificate is not
/// parsed beyond its PEM armour: the provider, which holds it, is the one that checks it.
pub(crate) fn thumbprints(pem: &str, key: &str) -> Result<(String, String)> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let body = pem
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(body, _)| body)
        .ok_or_else(|| {
            Error::config(
                key,
                "not a PEM certificate: expected a \"-----BEGIN CERTIFICATE-----\" block",
            )
        })?;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(text)
        .ok()
        .filter(|der| !der.is_empty())
        .ok_or_else(|| Error::config(key, "the PEM certificate's base64 body is malformed"))?;
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    Ok((
        URL_SAFE_NO_PAD.encode(sha1.as_ref()),
        URL_SAFE_NO_PAD.encode(Sha256::digest(&der)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprints_of_the_der_bytes() {
        // DER "abc": SHA-1 a9993e36..., SHA-256 ba7816bf...
        let pem = "-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n";
        let (x5t, s256) = thumbprints(pem, "certificate_file").unwrap();
        assert_eq!(x5t, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
        assert_eq!(s256, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        for bad in [
            "",
            "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----",
        ] {
            let err = thumbprints(bad, "certificate_file").unwrap_err();
            assert!(matches!(err, Error::Config { key: Some(k), .. } if k == "certificate_file"));
        }
    }
}
