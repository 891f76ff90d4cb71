//! The second userinfo request of a vendor whose user answer may have no email (GitHub's
//! `/user` with a private address): its list of addresses, read as the description's
//! [`EmailLookup`] says.

use serde_json::Value;
use url::Url;

use super::Provider;
use crate::error::Result;
use crate::model::token::TokenSet;
use crate::protocol::identity::{userinfo_error, Identity};
use crate::transport::shape::EmailLookup;
use crate::transport::wire::unreadable;

/// `identity` with the primary verified address of the list below `userinfo_url` as its email
/// (and `email_verified` true); unchanged when the list has none, or when the token may not
/// read the list (403, 404).
pub(crate) async fn add_primary_email(
    provider: &Provider,
    userinfo_url: &Url,
    tokens: &TokenSet,
    mut identity: Identity,
    lookup: &EmailLookup,
) -> Result<Identity> {
    let vendor = provider.vendor();
    let mut url = userinfo_url.clone();
    let path = format!("{}{}", url.path().trim_end_matches('/'), lookup.path_suffix);
    url.set_path(&path);
    let mut request =
        crate::protocol::userinfo::userinfo_request(&url, tokens, &vendor.userinfo, None)?;
    vendor.hooks.prepare_userinfo_request(&mut request)?;
    let response = provider.http().send(&request).await?;
    if matches!(response.status(), 403 | 404) {
        return Ok(identity);
    }
    if !response.is_success() {
        return Err(vendor.errors.classify(userinfo_error(&response)));
    }
    let entries: Vec<Value> = serde_json::from_slice(response.body())
        .map_err(|_| unreadable(&response, "the email list is not a JSON array"))?;
    let flag = |entry: &Value, name: &str| entry.get(name).and_then(Value::as_bool) == Some(true);
    let primary = entries.iter().find_map(|entry| {
        let address = entry.get(lookup.address_field)?.as_str()?;
        (flag(entry, lookup.primary_field)
            && flag(entry, lookup.verified_field)
            && !address.is_empty())
        .then(|| address.to_owned())
    });
    if let Some(address) = primary {
        identity.email = Some(address);
        identity.email_verified = Some(true);
    }
    Ok(identity)
}
