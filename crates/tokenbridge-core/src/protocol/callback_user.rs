//! The `user` object a sign-in callback may carry beside the code (Sign in with Apple's
//! form POST: `{"name":{"firstName":..,"lastName":..},"email":..}`, sent at the first sign-in
//! only, <https://developer.apple.com/documentation/signinwithapplerestapi/request-an-authorization-to-the-sign-in-with-apple-server>).
//! It is unverified (it came through the browser), so it only fills what the verified ID
//! token left empty.

use serde_json::{Map, Value};

use crate::protocol::identity::Identity;

/// Keeps `user` in the identity's claims as `user`, and takes its name and email where the
/// ID token gave none.
pub(crate) fn merge_callback_user(identity: &mut Identity, user: &Map<String, Value>) {
    identity
        .claims
        .insert("user".into(), Value::Object(user.clone()));
    if identity.name.is_none() {
        let part = |key: &str| {
            user.get("name")
                .and_then(|n| n.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let name = [part("firstName"), part("lastName")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            identity.name = Some(name);
        }
    }
    if identity.email.is_none() {
        identity.email = user
            .get("email")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned);
    }
}
