//! An emulator of Microsoft Entra ID's v2.0 endpoints for one `{tenant}` path segment
//! (`common` by default), every host on one loopback origin, answering as Microsoft's
//! documentation says (the pages are listed in [`crate::facts::entra`]):
//! `/{tenant}/v2.0/.well-known/openid-configuration` (for `common` and `organizations` its
//! issuer is the template `<origin>/{tenantid}/v2.0`), `/{tenant}/oauth2/v2.0/authorize`,
//! `/{tenant}/oauth2/v2.0/token` (`client_secret_post`, `client_secret_basic`,
//! `private_key_jwt` whose assertions name the client's registered certificate by its
//! SHA-1 thumbprint in `x5t`, refused with AADSTS700027 when they name another, PKCE; errors carry
//! `error_codes`), `/{tenant}/discovery/v2.0/keys`,
//! `/{tenant}/oauth2/v2.0/logout` and Microsoft Graph's `/oidc/userinfo`, which answers only
//! `sub`, `name`, `family_name`, `given_name`, `picture` and `email`. ID tokens carry `tid`
//! and `oid`, and their `iss` is `<origin>/<tid>/v2.0`.
//!
//! Where Microsoft's documentation is silent the emulator assumes, and says so here and in
//! `docs/providers/entra.md` (each marked `inferred` below; no test asserts one as Entra's):
//! - the HTTP status of each token error (400; 401 for `invalid_client`): Microsoft shows
//!   bodies only;
//! - the `error` (`invalid_client`) of an assertion naming another certificate: Microsoft
//!   gives its AADSTS code only;
//! - the AADSTS code of an unknown code (54005, the documented one for a redeemed code), of
//!   a redirect URI mismatch (50011) and of a missing parameter (900144);
//! - the authorize endpoint issues a code at once, without a sign-in page.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use tokenbridge_testkit::entra::EntraEmulator;
//!
//! let entra = EntraEmulator::start().await.unwrap();
//! assert!(entra.token_endpoint().ends_with("/common/oauth2/v2.0/token"));
//! # }
//! ```

use std::net::SocketAddr;
use std::ops::Deref;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use tokenbridge_core::AuthMethod;

use crate::facts::entra as facts;
use crate::jose::TestKey;
use crate::oidc::{ClientRegistration, ErrorReplies, OidcEmulator, Profile, RefreshStyle};
use crate::reply::Reply;
use crate::server::any_loopback_port;

/// The demo user's tenant id (`tid`).
pub const DEMO_TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The demo web app's client id.
pub const DEMO_CLIENT_ID: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
/// The demo web app's secret.
pub const DEMO_CLIENT_SECRET: &str = "demo~secret.value";
/// The demo app using a certificate (`private_key_jwt`, RS256 with [`TestKey::Rsa2`]).
pub const DEMO_CERT_CLIENT_ID: &str = "0b1e5e47-1a4e-4a52-9c5f-2f8f6e6c0d11";
/// The demo public app (PKCE, no secret).
pub const DEMO_PUBLIC_CLIENT_ID: &str = "3c9a2b7e-0f4d-4c4e-8b1a-5d6e7f8a9b0c";
/// The demo user's `sub` (pairwise per application).
pub const DEMO_SUBJECT: &str = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ";
/// The demo user's object id (`oid`).
pub const DEMO_OBJECT_ID: &str = "00000000-0000-0000-66f3-3332eca7ea81";

/// One Entra error body: `error`, `error_description` starting with the AADSTS code,
/// `error_codes`, `timestamp`, `trace_id`, `correlation_id` \[CODE\].
pub fn entra_error(status: u16, error: &str, code: u32, description: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
            "timestamp": "2016-01-09 02:02:12Z",
            "trace_id": "8d45ce9e-0f6a-4b8e-9c3b-0f6a4b8e9c3b",
            "correlation_id": "2f3d1a0b-6e4c-4f1d-9a2b-3c4d5e6f7a8b",
        }),
    )
}

/// Entra's error answers: the AADSTS codes and their meanings are documented \[ERR\], the
/// statuses are inferred.
pub fn error_replies() -> ErrorReplies {
    ErrorReplies {
        unknown_client: entra_error(
            400,
            "unauthorized_client",
            facts::APPLICATION_NOT_FOUND,
            "Application was not found in the directory.",
        ),
        unknown_client_pkce: None,
        bad_client_credentials: entra_error(
            401,
            "invalid_client",
            facts::INVALID_CLIENT_SECRET,
            "Invalid client secret provided.",
        ),
        // inferred: an unknown code gets the documented code of a redeemed one.
        bad_code: entra_error(
            400,
            "invalid_grant",
            facts::CODE_ALREADY_REDEEMED,
            "OAuth2 Authorization code was already redeemed.",
        ),
        client_mismatch: None,
        // inferred: AADSTS50011 is the authorize endpoint's redirect mismatch.
        redirect_mismatch: entra_error(
            400,
            "invalid_grant",
            50011,
            "The redirect URI does not match.",
        ),
        bad_verifier: entra_error(
            400,
            "invalid_grant",
            facts::PKCE_MISMATCH,
            "The code_verifier does not match the code_challenge.",
        ),
        bad_refresh_token: entra_error(
            400,
            "invalid_grant",
            facts::EXPIRED_OR_REVOKED_GRANT,
            "The provided authorization code or refresh token has expired due to inactivity.",
        ),
        unsupported_grant: entra_error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        ),
        // inferred: AADSTS900144 is the live service's code for a missing parameter.
        missing_parameter: entra_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter.",
        ),
    }
}

/// The demo user's ID-token claims.
pub fn demo_user_claims() -> Map<String, Value> {
    let claims = json!({
        "sub": DEMO_SUBJECT,
        "oid": DEMO_OBJECT_ID,
        "tid": DEMO_TENANT_ID,
        "name": "Demo User",
        "given_name": "Demo",
        "family_name": "User",
        "preferred_username": "demo@contoso.onmicrosoft.com",
        "email": "demo@contoso.com",
        "login_hint": "O.CiQ3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDc",
    });
    claims.as_object().cloned().unwrap_or_default()
}

/// The tenant id tokens of `tenant` carry: the GUID itself, `consumers`'s documented tenant,
/// else the demo user's.
pub fn tenant_id_for(tenant: &str) -> &str {
    match tenant {
        "consumers" => facts::CONSUMERS_TENANT_ID,
        t if t.len() == 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => t,
        _ => DEMO_TENANT_ID,
    }
}

/// Entra's behaviour for `tenant`'s paths.
pub fn profile(tenant: &str) -> Profile {
    let at = |path: &str| format!("/{tenant}{path}");
    Profile {
        name: "entra".into(),
        issuer_path: format!("/{}/v2.0", tenant_id_for(tenant)),
        token_path: at(facts::TOKEN_PATH),
        // Served below in Entra's own shape (the issuer template).
        discovery_path: None,
        jwks_path: Some(at(facts::KEYS_PATH)),
        expires_in: 3599,
        token_type: "Bearer".into(),
        jwt_access_tokens: true,
        // "Replace the old refresh token" [CODE].
        refresh_style: RefreshStyle::Rotate,
        default_scope: "openid profile offline_access".into(),
        redirect_uri_required: true,
        auth_methods: vec![
            AuthMethod::ClientSecretPost,
            AuthMethod::ClientSecretBasic,
            AuthMethod::PrivateKeyJwt,
            AuthMethod::None,
        ],
        grant_types: vec![
            "authorization_code".into(),
            "refresh_token".into(),
            "client_credentials".into(),
        ],
        errors: error_replies(),
        authorize_path: Some(at(facts::AUTHORIZE_PATH)),
        // Entra documents no revocation endpoint.
        revocation_path: None,
        end_session_path: Some(at(facts::LOGOUT_PATH)),
        send_iss: false,
        userinfo_path: Some(facts::USERINFO_PATH.into()),
        userinfo_claims: Some(facts::USERINFO_CLAIMS.iter().map(|c| (*c).into()).collect()),
        // CERT: an assertion signed with a certificate names it by its thumbprint.
        assertion_header: Some(facts::CERT_THUMBPRINT_HEADER.into()),
        // CERTERR; the status and `error` are inferred, as for the other client errors.
        unknown_certificate: Some(entra_error(
            401,
            "invalid_client",
            facts::INVALID_CERTIFICATE_ASSERTION,
            "Client assertion contains an invalid signature.",
        )),
        ..Profile::standard()
    }
}

/// The demo web app (`client_secret_post`).
pub fn demo_client() -> ClientRegistration {
    ClientRegistration::confidential(
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        AuthMethod::ClientSecretPost,
    )
}

/// The demo certificate app (`private_key_jwt` with [`TestKey::Rsa2`]'s public key and its
/// certificate, [`TestKey::certificate_pem`], whose thumbprint assertions must carry).
pub fn demo_cert_client() -> ClientRegistration {
    let client =
        ClientRegistration::private_key_jwt(DEMO_CERT_CLIENT_ID, TestKey::Rsa2.public_pem());
    match TestKey::Rsa2.certificate_pem() {
        Some(certificate) => client.with_certificate(certificate),
        None => client,
    }
}

/// Microsoft Entra ID on loopback for one tenant segment. Stops when dropped; everything an
/// [`OidcEmulator`] offers is reached through `Deref`.
#[derive(Debug)]
pub struct EntraEmulator {
    inner: OidcEmulator,
    tenant: String,
}

impl Deref for EntraEmulator {
    type Target = OidcEmulator;

    fn deref(&self) -> &OidcEmulator {
        &self.inner
    }
}

impl EntraEmulator {
    /// Starts `common` on a free loopback port with the demo clients registered.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(any_loopback_port()).await
    }

    /// Starts `common` on `addr` with the demo clients registered.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_for_tenant("common", addr).await
    }

    /// Starts `tenant` (`common`, `organizations`, `consumers` or a tenant id) on `addr`.
    pub async fn start_for_tenant(tenant: &str, addr: SocketAddr) -> std::io::Result<Self> {
        let discovery = format!("/{tenant}{}", facts::DISCOVERY_PATH);
        let template = matches!(tenant, "common" | "organizations");
        let inner = OidcEmulator::start_with_routes(profile(tenant), addr, |provider| {
            let provider = std::sync::Arc::clone(provider);
            Router::new().route(
                &discovery,
                get(move || {
                    let mut doc = provider.discovery_document();
                    if template {
                        let origin = provider.url_for_root();
                        doc["issuer"] = json!(format!("{origin}/{{tenantid}}/v2.0"));
                    }
                    async move { Reply::json(200, doc) }
                }),
            )
        })
        .await?;
        inner.register_client(demo_client());
        inner.register_client(demo_cert_client());
        inner.register_client(ClientRegistration::public(DEMO_PUBLIC_CLIENT_ID));
        let mut claims = demo_user_claims();
        claims.insert("tid".into(), json!(tenant_id_for(tenant)));
        inner.provider().set_user_claims(claims);
        Ok(Self {
            inner,
            tenant: tenant.to_owned(),
        })
    }

    /// The tenant segment this emulator serves.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// Runs until the server stops (for `tokenbridge emulate`).
    pub async fn wait(self) {
        self.inner.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::certificate_x5t;

    #[test]
    fn the_registered_certificates_thumbprint_is_openssls() {
        let client = demo_cert_client();
        let registered = client.certificate_pem.as_deref().unwrap();
        assert_eq!(
            certificate_x5t(registered).as_deref(),
            TestKey::Rsa2.certificate_x5t()
        );
        assert_eq!(
            certificate_x5t(TestKey::Rsa1.certificate_pem().unwrap()).as_deref(),
            TestKey::Rsa1.certificate_x5t()
        );
        assert_eq!(certificate_x5t("not a certificate"), None);
    }
}
