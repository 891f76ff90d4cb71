//! `Debug` for the provider and its builder: every URL is shown without `user:password@` and
//! with its query and fragment replaced by `[redacted]`, since a configured endpoint may carry
//! a credential there (`token_endpoint = "https://h/token?client_secret=..."`).

use std::fmt;

use url::Url;

use super::{Endpoints, FixedEndpoints, Inner, Provider, ProviderBuilder};
use crate::transport::url::shown_url;

/// A URL as [`shown_url`] shows it.
struct Shown<'a>(&'a str);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&shown_url(self.0), f)
    }
}

fn url(u: &Option<Url>) -> Option<Shown<'_>> {
    u.as_ref().map(|u| Shown(u.as_str()))
}

fn text(u: &Option<String>) -> Option<Shown<'_>> {
    u.as_deref().map(Shown)
}

impl fmt::Debug for Endpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoints")
            .field("issuer", &text(&self.issuer))
            .field("token", &Shown(self.token.as_str()))
            .field("authorization", &url(&self.authorization))
            .field("revocation", &url(&self.revocation))
            .field("userinfo", &url(&self.userinfo))
            .field("jwks", &url(&self.jwks))
            .field("end_session", &url(&self.end_session))
            .finish()
    }
}

impl fmt::Debug for FixedEndpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedEndpoints")
            .field("token", &url(&self.token))
            .field("authorization", &url(&self.authorization))
            .field("revocation", &url(&self.revocation))
            .field("userinfo", &url(&self.userinfo))
            .field("jwks", &url(&self.jwks))
            .field("end_session", &url(&self.end_session))
            .finish()
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("id", &self.id)
            .field("vendor", &self.vendor.name)
            .field("base_url", &url(&self.base_url))
            .field("issuer", &url(&self.issuer))
            .field("discovery", &url(&self.discovery))
            .field("fixed", &self.fixed)
            .field("auth", &self.auth)
            .field("http", &self.http)
            .field("grants", &self.grants)
            .field("redirect_uri", &text(&self.redirect_uri))
            .field("scopes", &self.scopes)
            // Discovered metadata is the provider's public document; only whether it is known.
            .field("discovered", &self.metadata.initialized())
            .field("resolved", &self.resolved.get())
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderBuilder")
            .field("id", &self.id)
            .field("vendor", &self.vendor.name)
            .field("base_url", &text(&self.base_url))
            .field("issuer", &text(&self.issuer))
            .field("discovery_url", &text(&self.discovery_url))
            .field("token_endpoint", &text(&self.token_endpoint))
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("auth_method", &self.auth_method)
            .field("basic_encoding", &self.basic_encoding)
            .field("client_auth", &self.client_auth)
            .field("http", &self.http)
            .field("grants", &self.grants)
            .field("redirect_uri", &text(&self.redirect_uri))
            .field("scopes", &self.scopes)
            .field("id_token_alg", &self.id_token_alg)
            .field("id_token_leeway", &self.id_token_leeway)
            .field("clock", &self.clock.is_some())
            .finish()
    }
}
