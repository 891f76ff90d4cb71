//! Where a vendor description's endpoint entries point, given the provider's `base_url`.
//!
//! An entry is either a path below `base_url` (`/oauth2/token`, for a vendor living under one
//! tenant host) or the vendor's absolute URL (`https://api.weixin.qq.com/sns/oauth2/access_token`,
//! for a vendor spread over several fixed hosts). A configured `base_url` replaces the scheme,
//! host and port of an absolute entry and keeps its path, so one setting points every endpoint
//! of such a vendor at an emulator or a proxy.

use url::Url;

use crate::error::{Error, Result};
use crate::transport::url::{ensure_secure_url, join_path};

/// Whether `entry` is an absolute URL rather than a path below the base URL.
fn is_absolute(entry: &str) -> bool {
    entry.starts_with("https://") || entry.starts_with("http://")
}

/// The part of an absolute `entry` after its origin: `https://h:1/a/b?q` is `/a/b?q`, and
/// `https://h` is the empty string.
fn after_origin(entry: &str) -> &str {
    let rest = entry.split_once("://").map_or(entry, |(_, rest)| rest);
    rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
}

/// The URL of one endpoint entry: a path joined below `base`; an absolute URL as it is, or,
/// with a `base`, moved onto the base's origin (the base's path prefix, for a proxy, goes
/// before the entry's path). `None` for a path without a base.
pub(crate) fn vendor_url(base: Option<&Url>, entry: &str) -> Result<Option<Url>> {
    if !is_absolute(entry) {
        return Ok(base.map(|b| join_path(b, entry)));
    }
    let url = match base {
        None => Url::parse(entry).map_err(|e| {
            Error::config(
                "vendor",
                format!("the vendor's endpoint {entry:?} is not a URL ({e})"),
            )
        })?,
        Some(base) => {
            let path = after_origin(entry);
            let path = path.split(['?', '#']).next().unwrap_or_default();
            join_path(base, path)
        }
    };
    ensure_secure_url(&url, "vendor endpoint")?;
    Ok(Some(url))
}

/// The text of an issuer entry ([`VendorDescription::issuer_path`](crate::VendorDescription::issuer_path)),
/// spelled exactly as ID tokens carry it (no slash added): a path appended to `base`; an
/// absolute issuer as it is, or on the base's origin when a base is configured.
pub(crate) fn vendor_issuer(base: Option<&Url>, entry: &str) -> Option<String> {
    let base_text = base.map(|b| b.as_str().trim_end_matches('/'));
    if is_absolute(entry) {
        Some(match base_text {
            Some(base) => format!("{base}{}", after_origin(entry)),
            None => entry.to_owned(),
        })
    } else {
        base_text.map(|base| format!("{base}{entry}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn paths_join_the_base_and_need_one() {
        let base = url("https://tenant.example.com/prefix");
        assert_eq!(
            vendor_url(Some(&base), "/oauth2/token")
                .unwrap()
                .unwrap()
                .as_str(),
            "https://tenant.example.com/prefix/oauth2/token"
        );
        assert_eq!(vendor_url(None, "/oauth2/token").unwrap(), None);
    }

    #[test]
    fn absolute_entries_stand_alone_or_move_onto_the_base_origin() {
        let entry = "https://api.weixin.qq.com/sns/oauth2/access_token";
        assert_eq!(
            vendor_url(None, entry).unwrap().unwrap().as_str(),
            "https://api.weixin.qq.com/sns/oauth2/access_token"
        );
        let emulator = url("http://127.0.0.1:4100");
        assert_eq!(
            vendor_url(Some(&emulator), entry)
                .unwrap()
                .unwrap()
                .as_str(),
            "http://127.0.0.1:4100/sns/oauth2/access_token"
        );
        let proxy = url("https://proxy.example.com/wechat/");
        assert_eq!(
            vendor_url(Some(&proxy), entry).unwrap().unwrap().as_str(),
            "https://proxy.example.com/wechat/sns/oauth2/access_token"
        );
    }

    #[test]
    fn a_plain_http_absolute_entry_off_loopback_is_refused() {
        let err = vendor_url(None, "http://api.example.com/token").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Configuration);
    }

    #[test]
    fn issuers_keep_their_spelling() {
        let emulator = url("http://127.0.0.1:4100");
        assert_eq!(
            vendor_issuer(None, "https://appleid.apple.com").as_deref(),
            Some("https://appleid.apple.com")
        );
        assert_eq!(
            vendor_issuer(Some(&emulator), "https://appleid.apple.com").as_deref(),
            Some("http://127.0.0.1:4100")
        );
        assert_eq!(
            vendor_issuer(Some(&emulator), "https://login.example.com/t/v2.0").as_deref(),
            Some("http://127.0.0.1:4100/t/v2.0")
        );
        assert_eq!(
            vendor_issuer(Some(&url("https://t.example.com/")), "").as_deref(),
            Some("https://t.example.com")
        );
        assert_eq!(vendor_issuer(None, "/oidc"), None);
    }
}
