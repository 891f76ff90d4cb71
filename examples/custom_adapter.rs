//! A vendor tokenbridge does not ship, written exactly like a built-in one: the fictional
//! "Acme ID".
//!
//! ```text
//! cargo run --example custom_adapter
//! ```
//!
//! Acme ID bends the standard in its own ways:
//!
//! - the token endpoint, `POST <base_url>/api/v1/token`, takes a JSON body, not a form;
//! - every answer is an envelope `{"code": 0, "msg": "ok", "requestId": "req-3", "data": {...}}`,
//!   and a refusal is `{"code": 40001, "msg": "code expired", "requestId": "req-3", "data": null}`
//!   sent with HTTP 200;
//! - the tokens are in camelCase: `accessToken`, `tokenType` (`"bearer"`), `expiresIn` (a
//!   string), `refreshToken`;
//! - its five-digit codes start with an HTTP status: `50300` is a 503.
//!
//! [`acme`] is the adapter, laid out like a vendor crate: its description as data
//! ([`acme::DESCRIPTION`]: the JSON body, the envelope, the names and the error codes are all
//! data), its one hook, for the one rule that is not data ([`acme::AcmeHooks`]), and its
//! settings and registration ([`acme::AcmeSettings`], [`acme::Acme`]). [`emulator`] serves Acme
//! ID on loopback. `main` registers the kind, loads a TOML configuration, exchanges a code and a
//! refresh token, shows how refusals and missing capabilities come out, and runs the testkit's
//! conformance checks. Nothing leaves the machine. `docs/writing-an-adapter.md` walks through
//! it.

use std::sync::Arc;

use tokenbridge::{Config, Error, ErrorKind, ExposeSecret, Grant, Registry, SecretString};
use tokenbridge::{TokenExchanger, TokenTypeHint};
use tokenbridge_testkit::conformance::{run_all, Report};

use emulator::{acme_error, AcmeEmulator, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URI};

/// The adapter: in a real project, the crate `tokenbridge-acme`.
pub(crate) mod acme {
    use serde::Deserialize;
    use tokenbridge::adapter::{ErrorMapping, ErrorTable, FieldNames, HookContext, ParamsIn};
    use tokenbridge::adapter::{ProviderContext, ProviderFactory, VendorDescription, VendorHooks};
    use tokenbridge::VendorError;
    use tokenbridge::{AuthMethod, Error, ErrorKind, Grant, GrantKind, Provider, Result};

    /// Acme ID, as data: its paths below the tenant URL, the auth methods and grants it
    /// documents, its error codes, and the shapes of its requests and answers. Acme has no
    /// public clients, no revocation, no userinfo and no discovery document.
    pub(crate) static DESCRIPTION: VendorDescription = {
        let mut d = VendorDescription::standard("acme", "Acme ID");
        d.paths.token = Some("/api/v1/token");
        d.paths.authorization = Some("/login/authorize");
        d.auth_methods = &[AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic];
        d.grants = &[GrantKind::AuthorizationCode, GrantKind::RefreshToken];
        d.public_grants = &[];
        d.redirect_uri_required = true;
        d.errors = ErrorTable(ERRORS);
        // The request: the standard parameters and credentials, in a JSON body.
        d.token_request.params_in = ParamsIn::Json;
        // The answer: an envelope with a business code, read whatever the HTTP status, and
        // the tokens inside `data` under Acme's names.
        d.token_response.envelope = Some("data");
        d.token_response.envelope_required = true;
        d.token_response.error_code_field = Some("code");
        d.token_response.success_codes = &["0"];
        d.token_response.error_message_field = Some("msg");
        d.token_response.request_id_fields = &["requestId"];
        d.token_response.fields = FieldNames(&[
            ("access_token", "accessToken"),
            ("token_type", "tokenType"),
            ("expires_in", "expiresIn"),
            ("refresh_token", "refreshToken"),
        ]);
        d.hooks = &AcmeHooks;
        d
    };

    /// Acme's envelope codes and what the caller should do about them. Codes are five digits
    /// whose first three are an HTTP-like class; a code missing here gets its kind from that
    /// class (`50300` is a 503: provider unavailable), in [`AcmeHooks`].
    const ERRORS: &[ErrorMapping] = &[
        ErrorMapping::documented("40000", ErrorKind::InvalidRequest), // missing parameter
        ErrorMapping::documented("40001", ErrorKind::InvalidGrant),   // code expired or used
        ErrorMapping::documented("40002", ErrorKind::InvalidGrant),   // refresh token revoked
        ErrorMapping::documented("40003", ErrorKind::InvalidGrant),   // redirect_uri mismatch
        ErrorMapping::documented("40004", ErrorKind::InvalidGrant),   // code_verifier mismatch
        ErrorMapping::documented("40005", ErrorKind::Unsupported),    // grant_type not offered
        ErrorMapping::documented("40101", ErrorKind::InvalidClient),  // unknown client
        ErrorMapping::documented("40102", ErrorKind::InvalidClient),  // client auth failed
        // "application disabled": listed without a meaning. An administrator must enable the
        // application again, which is the client's problem, not the grant's: inferred.
        ErrorMapping::inferred("40301", ErrorKind::InvalidClient),
    ];

    /// The one rule of Acme's that is not data: a code's first three digits are its status.
    #[derive(Debug)]
    pub(crate) struct AcmeHooks;

    impl VendorHooks for AcmeHooks {
        /// Gives a refusal the status its code starts with (`40001`: 400), and so a code
        /// outside the table the kind of that status; the table's kind stays where it has one.
        fn map_error(&self, error: Error, _grant: &Grant, _context: &HookContext<'_>) -> Error {
            let Error::Vendor(vendor) = error else {
                return error;
            };
            let code = vendor.api_code().and_then(|c| c.parse::<i64>().ok());
            let Some(code) = code.filter(|c| (10_000..100_000).contains(c)) else {
                return Error::Vendor(vendor); // not one of Acme's five-digit codes
            };
            let mut classed = VendorError::new(
                vendor.vendor(),
                vendor.http_status(),
                code / 100,
                vendor.message(),
            )
            .with_api_code(Some(code.to_string()))
            .with_request_id(vendor.request_id().map(str::to_owned))
            .with_retry_after(vendor.retry_after());
            if let Some(known) = DESCRIPTION.errors.lookup(&code.to_string()) {
                classed.set_kind(known.kind, known.inferred);
            }
            classed.into()
        }
    }

    /// The own settings of `kind = "acme"`; core reads the shared keys (`client_id`,
    /// `client_secret`, `client_secret_env`, `auth_method`, `http`, `redirect_uri`, `scopes`).
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(crate) struct AcmeSettings {
        /// The tenant URL, e.g. `https://corp.acme-id.example`.
        pub(crate) base_url: String,
    }

    /// The registration of `kind = "acme"`.
    #[derive(Debug, Clone, Copy, Default)]
    pub(crate) struct Acme;

    impl ProviderFactory for Acme {
        fn kind(&self) -> &'static str {
            DESCRIPTION.kind
        }

        fn build(&self, context: &ProviderContext<'_>) -> Result<Provider> {
            let settings: AcmeSettings = context.settings()?;
            context.build(context.builder(&DESCRIPTION)?.base_url(settings.base_url))
        }
    }
}

/// Acme ID on loopback. Acme's rules for codes and refresh tokens are the standard ones, so
/// the emulator keeps its books with the testkit's `OidcProvider` and only translates the
/// wire: JSON body in, envelope out. Its paths come from Acme's description.
pub(crate) mod emulator {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::Router;
    use serde_json::{json, Value};
    use tokenbridge::adapter::redact::redact_text;
    use tokenbridge::AuthMethod;
    use tokenbridge_testkit::oidc::{ClientRegistration, CodeRequest, ErrorReplies};
    use tokenbridge_testkit::oidc::{OidcProvider, Profile, Reply};
    use tokenbridge_testkit::server::{any_loopback_port, EmulatorServer, RecordedRequest};
    use tokenbridge_testkit::ProviderTarget;

    use super::acme::DESCRIPTION;

    /// The demo application registered at start.
    pub(crate) const DEMO_CLIENT_ID: &str = "demo-app";
    /// The demo application's secret (`client_secret_post`).
    pub(crate) const DEMO_CLIENT_SECRET: &str = "demo-secret";
    /// The redirect URI demo codes are issued for.
    pub(crate) const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";

    /// Acme's token endpoint path, from its description.
    pub(crate) fn token_path() -> &'static str {
        DESCRIPTION.paths.token.unwrap_or("/")
    }

    /// An Acme refusal: HTTP 200 and a non-zero code (the emulator adds the request id).
    pub(crate) fn acme_error(code: i64, msg: &str) -> Reply {
        Reply::json(200, json!({"code": code, "msg": msg, "data": null}))
    }

    /// Acme's behaviour: opaque tokens with `"bearer"` in lower case, an hour's lifetime,
    /// rotating refresh tokens, no id tokens, and Acme-shaped refusals.
    fn profile() -> Profile {
        let mut profile = Profile::standard();
        profile.name = DESCRIPTION.kind.into();
        profile.token_path = token_path().into();
        profile.discovery_path = None;
        profile.jwks_path = None;
        profile.expires_in = 3600;
        profile.token_type = "bearer".into();
        profile.jwt_access_tokens = false;
        profile.issue_id_tokens = false;
        profile.default_scope = "profile email".into();
        profile.grant_types = vec!["authorization_code".into(), "refresh_token".into()];
        profile.errors = ErrorReplies {
            unknown_client: acme_error(40101, "unknown client"),
            unknown_client_pkce: None,
            bad_client_credentials: acme_error(40102, "client authentication failed"),
            bad_code: acme_error(40001, "code expired"),
            client_mismatch: None,
            redirect_mismatch: acme_error(40003, "redirect_uri mismatch"),
            bad_verifier: acme_error(40004, "code_verifier mismatch"),
            bad_refresh_token: acme_error(40002, "refresh token revoked"),
            unsupported_grant: acme_error(40005, "unsupported grant_type"),
            missing_parameter: acme_error(40000, "missing parameter"),
        };
        profile
    }

    /// The JSON body as the form `OidcProvider` reads; `None` unless a flat object of strings.
    fn form_from_json(body: &[u8]) -> Option<String> {
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let mut form = tokenbridge::url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in object {
            form.append_pair(&name, value.as_str()?);
        }
        Some(form.finish())
    }

    /// A standard token answer rewritten into Acme's envelope (refusals are already Acme's),
    /// with the request id `id` at the top.
    fn into_envelope(reply: Reply, id: u64) -> Reply {
        let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&reply.body) else {
            return reply;
        };
        if reply.status == 200 && object.contains_key("access_token") {
            let seconds = object.get("expires_in").map(|n| n.to_string());
            object = json!({"code": 0, "msg": "ok", "data": {
                "accessToken": object.get("access_token"),
                "tokenType": object.get("token_type"),
                "expiresIn": seconds,
                "refreshToken": object.get("refresh_token"),
                "scope": object.get("scope"),
            }})
            .as_object()
            .cloned()
            .unwrap_or_default();
        }
        if object.contains_key("code") {
            object.insert("requestId".into(), format!("req-{id}").into());
        }
        Reply::json(reply.status, Value::Object(object))
    }

    /// `POST /api/v1/token`, with a request id in every envelope.
    async fn token_endpoint(
        provider: Arc<OidcProvider>,
        request_ids: Arc<AtomicU64>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let reply = match form_from_json(&body) {
            Some(form) => provider.handle_token(&headers, form.as_bytes()),
            None => acme_error(40000, "the body must be a JSON object of strings"),
        };
        let id = request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        into_envelope(reply, id).into_response()
    }

    /// A running Acme ID emulator with the demo application registered. Stops when dropped.
    #[derive(Debug)]
    pub(crate) struct AcmeEmulator {
        server: EmulatorServer,
        provider: Arc<OidcProvider>,
    }

    impl AcmeEmulator {
        /// Starts on a free loopback port.
        pub(crate) async fn start() -> std::io::Result<Self> {
            let mut provider = None;
            let server = EmulatorServer::start(any_loopback_port(), |base| {
                let p = OidcProvider::new(profile(), base);
                provider = Some(Arc::clone(&p));
                let ids = Arc::new(AtomicU64::new(0));
                Router::new().route(
                    token_path(),
                    post(move |headers: HeaderMap, body: Bytes| {
                        token_endpoint(Arc::clone(&p), Arc::clone(&ids), headers, body)
                    }),
                )
            })
            .await?;
            let provider = provider.ok_or_else(|| std::io::Error::other("no router built"))?;
            provider.register_client(ClientRegistration::confidential(
                DEMO_CLIENT_ID,
                DEMO_CLIENT_SECRET,
                AuthMethod::ClientSecretPost,
            ));
            Ok(Self { server, provider })
        }

        /// `http://127.0.0.1:<port>`, as configuration writes it.
        pub(crate) fn base(&self) -> String {
            self.server.base()
        }

        /// A one-time code for the demo application, as Acme's login page would issue it.
        pub(crate) fn mint_code(&self) -> String {
            self.provider.issue_code(CodeRequest {
                client_id: DEMO_CLIENT_ID.into(),
                redirect_uri: DEMO_REDIRECT_URI.into(),
                code_challenge: None,
                scope: None,
            })
        }

        /// The requests received at the token endpoint, oldest first.
        pub(crate) fn token_requests(&self) -> Vec<RecordedRequest> {
            self.server.requests_to(token_path())
        }

        /// The last token request, as `METHOD path (content type): body`, secrets blanked.
        pub(crate) fn last_request(&self) -> Option<String> {
            let r = self.token_requests().pop()?;
            let content_type = r.header("content-type").unwrap_or("none").to_owned();
            let body = redact_text(&r.body_text());
            Some(format!("{} {} ({content_type}): {body}", r.method, r.path))
        }

        /// Makes the next token request get `reply`, as it is.
        pub(crate) fn push_reply(&self, reply: Reply) {
            self.provider.push_reply(reply);
        }

        /// What the conformance checks need: fresh credentials for the demo application, and
        /// a count of token requests.
        pub(crate) fn target(&self) -> ProviderTarget {
            ProviderTarget::from_parts(
                Arc::clone(&self.provider),
                self.server.recorder(),
                vec![token_path().into()],
                DEMO_CLIENT_ID,
            )
        }
    }
}

/// The application's registry: the built-in kinds plus `acme`, reading secrets through `env`.
pub(crate) fn acme_registry(
    env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> Registry {
    let mut registry = Registry::new().with_env(env);
    registry.register(acme::Acme);
    registry
}

/// A configuration naming one Acme ID provider, written like the built-in kinds.
pub(crate) fn config_toml(base_url: &str) -> String {
    format!(
        r#"
[providers.acme]
kind = "acme"
base_url = "{base_url}"
client_id = "demo-app"
client_secret_env = "ACME_SECRET"

[providers.acme.http]
timeout_secs = 5
"#
    )
}

#[tokio::main]
pub(crate) async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = AcmeEmulator::start().await?;
    println!("Acme ID emulator at {}", emulator.base());

    // ACME_SECRET is supplied here instead of the process environment: nothing to export.
    let registry = acme_registry(|var| (var == "ACME_SECRET").then(|| DEMO_CLIENT_SECRET.into()));
    let config = Config::from_toml_str(&config_toml(&emulator.base()))?;
    let provider = registry.build(&config, "acme")?; // build once, keep, clone
    println!("kinds: {}", registry.kinds().join(", "));

    // The code the browser would bring back from Acme's login page.
    let code = emulator.mint_code();
    let tokens = provider
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await?;
    println!("\ncode exchange: {tokens}"); // a summary, no secret
    println!("sent: {}", emulator.last_request().ok_or("no request")?);

    let refresh_token = tokens.refresh_token().ok_or("no refresh token")?;
    let refreshed = provider
        .exchange(Grant::refresh_token(refresh_token.expose_secret()))
        .await?;
    println!("refresh: {refreshed}");

    // Refusals come out with the kinds Acme's table gives them, like any other vendor's.
    let spent = provider
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
        .err()
        .ok_or("a spent code was accepted")?;
    assert_eq!(spent.kind(), ErrorKind::InvalidGrant, "{spent}");
    println!("\nthe code again: {spent}");

    emulator.push_reply(acme_error(50300, "down for maintenance"));
    let busy = provider
        .exchange(Grant::refresh_token("rt-any"))
        .await
        .err()
        .ok_or("the scripted refusal was not reported")?;
    assert_eq!(busy.kind(), ErrorKind::ProviderUnavailable, "{busy}");
    println!(
        "maintenance: {busy} (kind {}, retryable: {})",
        busy.kind(),
        busy.is_retryable()
    );

    // What Acme lacks is a flag to read, and calling it is a typed error that sends nothing.
    let capabilities = provider.capabilities().await?;
    println!("\n{capabilities:?}");
    let before = emulator.token_requests().len();
    let token = SecretString::from("at-any");
    let revoke = provider
        .revoke(&token, Some(TokenTypeHint::AccessToken))
        .await;
    assert!(
        matches!(revoke, Err(Error::Unsupported { .. })),
        "{revoke:?}"
    );
    assert_eq!(emulator.token_requests().len(), before);
    println!("revoke: {}", revoke.err().ok_or("revocation was sent")?);

    // The same checks every built-in vendor passes.
    let report = run_all(Arc::new(provider.clone()), &emulator.target()).await?;
    // Every check of `conformance::CHECKS` passed but the ones the vendor lacks.
    assert_eq!(report, Report::all_passed_but(&["one_time_extension"]));
    println!(
        "\nconformance ({}): passed {}; skipped {}",
        provider.provider_id(),
        report.passed.join(", "),
        report.skipped.join(", ")
    );
    Ok(())
}
