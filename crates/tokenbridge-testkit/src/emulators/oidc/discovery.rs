//! The discovery document (OpenID Connect Discovery 1.0) and the JWKS.

use serde_json::{json, Value};

use super::{IdTokenSigning, OidcProvider};
use crate::server::lock;

impl OidcProvider {
    /// The discovery document.
    pub fn discovery_document(&self) -> Value {
        let mut doc = json!({
            "issuer": self.issuer,
            "authorization_endpoint": self.url_for(&self.authorize_path()),
            "token_endpoint": self.token_endpoint(),
            "token_endpoint_auth_methods_supported":
                self.profile.auth_methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "response_types_supported": ["code"],
            "grant_types_supported": self.profile.grant_types,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": self.advertised_algorithms(),
            "scopes_supported": ["openid"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": self.profile.send_iss,
        });
        if let Some(obj) = doc.as_object_mut() {
            for (key, path) in [
                ("revocation_endpoint", &self.profile.revocation_path),
                ("end_session_endpoint", &self.profile.end_session_path),
            ] {
                if let Some(path) = path {
                    obj.insert(key.into(), Value::String(self.url_for(path)));
                }
            }
        }
        if let (Some(path), Some(obj)) = (&self.profile.jwks_path, doc.as_object_mut()) {
            obj.insert("jwks_uri".into(), Value::String(self.url_for(path)));
        }
        if let (Some(path), Some(obj)) = (&self.profile.userinfo_path, doc.as_object_mut()) {
            obj.insert(
                "userinfo_endpoint".into(),
                Value::String(self.url_for(path)),
            );
        }
        doc
    }

    /// `id_token_signing_alg_values_supported`: RS256, with HS256 first when ID tokens are
    /// signed with the client secret.
    fn advertised_algorithms(&self) -> Vec<&'static str> {
        match lock(&self.state).signing {
            IdTokenSigning::Hs256 => vec!["HS256", "RS256"],
            IdTokenSigning::Rs256 => vec!["RS256"],
        }
    }

    /// The JWKS document: the public keys published now (the profile's member name, `keys` or
    /// Tencent's `Keys`).
    pub fn jwks_document(&self) -> Value {
        let published = lock(&self.state).published.clone();
        let keys: Vec<Value> = published.iter().map(|k| k.public_jwk()).collect();
        json!({ self.profile.jwks_member.clone(): keys })
    }
}
