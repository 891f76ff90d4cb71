//! The URLs tokenbridge sends to: HTTPS only (loopback aside), no credentials in them, paths
//! joined below a base URL.

use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`) or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks that `url` is `https`, or `http` to a loopback host, and carries no user name or
/// password; `key` names the setting in the error.
pub(crate) fn ensure_secure_url(url: &Url, key: &str) -> Result<()> {
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages; show it without them.
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        // The query and fragment may carry a credential too.
        let shown = shown_url(shown.as_str());
        return Err(Error::config(
            key,
            format!(
                "{shown} must not carry a user name or password; configure client_id and \
                 client_secret instead"
            ),
        ));
    }
    // Spelled out only for an error: this check runs before every request.
    let shown = || shown_url(url.as_str());
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::config(
            key,
            format!(
                "{} uses http to a non-loopback host; credentials would travel unencrypted. Use https (http is allowed only for 127.0.0.0/8, ::1 and localhost)",
                shown()
            ),
        )),
        other => Err(Error::config(
            key,
            format!("{} has scheme {other:?}; use an https URL", shown()),
        )),
    }
}

/// Parses a URL from configuration, naming `key` in the error, and applies
/// [`ensure_secure_url`].
// Public for the workspace's tests and benches only; not part of the API.
#[doc(hidden)]
pub fn parse_secure_url(value: &str, key: &str) -> Result<Url> {
    let url = Url::parse(value).map_err(|e| {
        Error::config(
            key,
            format!(
                "{:?} is not a valid URL ({e}); expected e.g. https://id.example.com",
                shown_url(value)
            ),
        )
    })?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::config(
            key,
            format!(
                "{:?} has no host; expected e.g. https://id.example.com",
                shown_url(value)
            ),
        ));
    }
    ensure_secure_url(&url, key)?;
    Ok(url)
}

/// Parses a vendor's base URL (the host every endpoint path is joined to) from
/// configuration: [`parse_secure_url`], and no query or fragment, which a joined path would
/// drop. `example` shows the expected form in the error.
pub fn parse_base_url(value: &str, key: &str, example: &str) -> Result<Url> {
    let url = parse_secure_url(value.trim(), key)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            key,
            format!(
                "{:?} has a query or fragment; give the host only, e.g. {example}",
                shown_url(value)
            ),
        ));
    }
    Ok(url)
}

/// `value` with any `user:password@` before the host removed, for messages about a URL that
/// may not parse.
pub fn without_userinfo(value: &str) -> String {
    let (scheme, rest) = match value.find("://") {
        Some(i) => value.split_at(i + 3),
        None => ("", value),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}{}", &rest[at + 1..]),
        None => value.to_owned(),
    }
}

/// `value` as it may be shown in a message: without `user:password@`, and with its query
/// and fragment replaced by `[redacted]`, since either may carry a credential.
pub(crate) fn shown_url(value: &str) -> String {
    let stripped = without_userinfo(value);
    match stripped.find(['?', '#']) {
        Some(i) => format!("{}{}[redacted]", &stripped[..i], &stripped[i..=i]),
        None => stripped,
    }
}

/// Joins a path onto a base URL, keeping any path prefix the base has (for proxies):
/// `https://h/prefix` + `/oauth2/token` is `https://h/prefix/oauth2/token`.
pub fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
    url.set_query(None);
    url.set_fragment(None);
    url
}
