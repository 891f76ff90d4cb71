//! A complete adapter for a vendor tokenbridge does not ship: the fictional "Acme ID".
//!
//! ```text
//! cargo run --example custom_adapter
//! ```
//!
//! Acme ID bends the standard in its own ways:
//!
//! - the token endpoint, `POST <base_url>/api/v1/token`, takes a JSON body, not a form;
//! - every answer is an envelope `{"code": 0, "msg": "ok", "data": {...}}`, and a refusal is
//!   `{"code": 40001, "msg": "code expired", "data": null}` sent with HTTP 200;
//! - the tokens are nested: `data.token.value`, `data.token.kind` (`"bearer"`),
//!   `data.refresh`, and the lifetime as a string in `data.lifetime.seconds`.
//!
//! The file is laid out like an adapter crate: [`acme::config`], [`acme::wire`],
//! [`acme::error`] and [`acme::exchanger`] are the adapter (they need only `tokenbridge-core`),
//! [`registration`] makes `kind = "acme"` configurable from TOML like the built-in kinds, and
//! [`emulator`] serves Acme ID on loopback for the conformance checks. `main` starts the
//! emulator, loads a configuration, exchanges a code and a refresh token through an
//! `Arc<dyn TokenExchanger>` built by name, shows how refusals come out, and runs the testkit's
//! conformance suite. Nothing leaves the machine. `docs/writing-an-adapter.md` walks through
//! it step by step.

use std::error::Error;
use std::sync::Arc;

use tokenbridge::output::{token_set_json, Secrets};
use tokenbridge::{Config, ExposeSecret, Grant, Registry};
use tokenbridge_testkit::run_all;

use emulator::{AcmeEmulator, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URI};

/// The adapter: in a real project, the crate `tokenbridge-acme` with `src/config.rs`,
/// `src/wire.rs`, `src/error.rs` and `src/exchanger.rs`.
pub(crate) mod acme {
    /// What an application configures for one Acme ID application.
    pub(crate) mod config {
        use std::fmt;

        use tokenbridge_core::http::parse_secure_url;
        use tokenbridge_core::{AuthMethod, Error, Result, SecretString, Url};

        /// One Acme ID application, as registered in the Acme console.
        #[derive(Clone)]
        pub(crate) struct AcmeConfig {
            /// The tenant URL, e.g. `https://corp.acme-id.example`; `https` unless loopback.
            pub(crate) base_url: String,
            /// The application's client id.
            pub(crate) client_id: String,
            /// The application's secret; required by the secret-based auth methods.
            pub(crate) client_secret: Option<SecretString>,
            /// How the client authenticates; Acme documents `client_secret_post`.
            pub(crate) auth_method: AuthMethod,
        }

        impl AcmeConfig {
            /// An application at `base_url` using `client_secret_post`.
            pub(crate) fn new(base_url: impl Into<String>, client_id: impl Into<String>) -> Self {
                Self {
                    base_url: base_url.into(),
                    client_id: client_id.into(),
                    client_secret: None,
                    auth_method: AuthMethod::ClientSecretPost,
                }
            }

            /// Sets the client secret.
            pub(crate) fn with_client_secret(mut self, secret: SecretString) -> Self {
                self.client_secret = Some(secret);
                self
            }

            /// Sets the auth method.
            pub(crate) fn with_auth_method(mut self, method: AuthMethod) -> Self {
                self.auth_method = method;
                self
            }

            /// Checks what can be checked without sending anything; returns the base URL.
            /// Whether the auth method has the secret it needs is checked by core's
            /// `client_auth` when the exchanger is built.
            pub(crate) fn validate(&self) -> Result<Url> {
                let base = parse_secure_url(&self.base_url, "base_url")?;
                if base.query().is_some() || base.fragment().is_some() {
                    return Err(Error::config(
                        "base_url",
                        format!(
                            "{:?} has a query or fragment; use the tenant URL only, e.g. https://corp.acme-id.example",
                            self.base_url
                        ),
                    ));
                }
                if self.client_id.trim().is_empty() {
                    return Err(Error::config(
                        "client_id",
                        "the client id is empty; copy it from the Acme console",
                    ));
                }
                Ok(base)
            }
        }

        impl fmt::Debug for AcmeConfig {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct("AcmeConfig")
                    .field("base_url", &self.base_url)
                    .field("client_id", &self.client_id)
                    .field(
                        "client_secret",
                        &self.client_secret.as_ref().map(|_| "[redacted]"),
                    )
                    .field("auth_method", &self.auth_method)
                    .finish()
            }
        }
    }

    /// Acme's answer shapes, read with core's pipeline steps and lenient helpers.
    pub(crate) mod wire {
        use serde_json::{Map, Value};
        use tokenbridge_core::wire::{
            decode_json_object, json_type, parse_expires_in, parse_scope,
        };
        use tokenbridge_core::{Error, HttpResponse, Result, TokenSet, TokenType};

        use super::error::envelope_error;

        /// Acme's credential-bearing keys. Core blanks the standard ones (`access_token`,
        /// `token`, `code`, ...) in the body snippet of an `UnreadableResponse`; `refresh` and
        /// `value` are Acme's own, so they are blanked here first.
        const SECRET_KEYS: [&str; 2] = ["refresh", "value"];

        /// Core's `wire::unreadable`, with Acme's credentials kept out of the snippet.
        fn unreadable(response: &HttpResponse, reason: impl Into<String>) -> Error {
            let mut shown = response.clone();
            if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                blank_secrets(&mut body);
                shown.body = body.to_string().into();
            }
            tokenbridge_core::wire::unreadable(&shown, reason)
        }

        fn blank_secrets(value: &mut Value) {
            match value {
                Value::Object(object) => {
                    for (key, v) in object.iter_mut() {
                        if SECRET_KEYS.contains(&key.as_str()) && !v.is_null() {
                            *v = Value::String("[redacted]".into());
                        } else {
                            blank_secrets(v);
                        }
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(blank_secrets),
                _ => {}
            }
        }

        /// The whole pipeline for one token answer.
        pub(crate) fn parse_token_response(
            response: &HttpResponse,
            provider: &str,
        ) -> Result<TokenSet> {
            // Step 1, core's: empty bodies with an error status, HTML pages, invalid JSON and
            // non-objects become typed errors with a redacted snippet.
            let object = decode_json_object(response)?;
            // Step 2, Acme's: the envelope. A non-zero code is a refusal whatever the status.
            let data = open_envelope(response, object)?;
            // Step 3: the nested token fields, through core's lenient helpers.
            token_set_from_data(response, data, provider)
        }

        /// The `data` object of a success envelope, or the refusal the envelope reports.
        fn open_envelope(
            response: &HttpResponse,
            mut object: Map<String, Value>,
        ) -> Result<Map<String, Value>> {
            let code = match object.get("code") {
                Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                    unreadable(response, format!("`code` is {n}, expected an integer"))
                })?,
                Some(other) => {
                    return Err(unreadable(
                        response,
                        format!("`code` is {}, expected an integer", json_type(other)),
                    ))
                }
                None => {
                    return Err(unreadable(
                        response,
                        "no `code`: this is not an Acme ID envelope",
                    ))
                }
            };
            if code != 0 {
                let message = match object.get("msg") {
                    Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                    _ => "(no message)".to_owned(),
                };
                return Err(envelope_error(response, code, message));
            }
            if !response.is_success() {
                return Err(unreadable(
                    response,
                    "an error status with a success envelope (code 0)",
                ));
            }
            match object.remove("data") {
                Some(Value::Object(data)) => Ok(data),
                None | Some(Value::Null) => {
                    Err(unreadable(response, "code 0 but no `data` with tokens"))
                }
                Some(other) => Err(unreadable(
                    response,
                    format!("`data` is {}, expected an object", json_type(&other)),
                )),
            }
        }

        /// The [`TokenSet`] in `data`; fields the model has no slot for stay in `extra`.
        fn token_set_from_data(
            response: &HttpResponse,
            mut data: Map<String, Value>,
            provider: &str,
        ) -> Result<TokenSet> {
            let bad =
                |path: &str, why: String| unreadable(response, format!("`data.{path}`: {why}"));
            let expected =
                |what: &str, got: &Value| format!("expected {what}, got {}", json_type(got));

            let mut token = match data.remove("token") {
                Some(Value::Object(token)) => token,
                Some(other) => return Err(bad("token", expected("an object", &other))),
                None => return Err(unreadable(response, "no `data.token` in the answer")),
            };
            let access_token = match token.remove("value") {
                Some(Value::String(s)) if !s.is_empty() => s,
                Some(Value::String(_)) => return Err(bad("token.value", "is empty".into())),
                Some(other) => return Err(bad("token.value", expected("a string", &other))),
                None => return Err(unreadable(response, "no `data.token.value` in the answer")),
            };
            let token_type = match token.remove("kind") {
                Some(Value::String(s)) if !s.trim().is_empty() => TokenType::parse(&s),
                None | Some(Value::Null) | Some(Value::String(_)) => TokenType::Bearer,
                Some(other) => return Err(bad("token.kind", expected("a string", &other))),
            };
            let expires_in = match data.remove("lifetime") {
                None | Some(Value::Null) => None,
                Some(Value::Object(lifetime)) => {
                    parse_expires_in(lifetime.get("seconds").unwrap_or(&Value::Null))
                        .map_err(|why| bad("lifetime.seconds", why))?
                }
                Some(other) => return Err(bad("lifetime", expected("an object", &other))),
            };
            let refresh_token = match data.remove("refresh") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => (!s.is_empty()).then_some(s),
                Some(other) => return Err(bad("refresh", expected("a string", &other))),
            };
            let scopes = match data.remove("scope") {
                None => None,
                Some(v) => parse_scope(&v).map_err(|why| bad("scope", why))?,
            };
            if !token.is_empty() {
                // Whatever else Acme put next to the token value is kept, not dropped.
                data.insert("token".into(), Value::Object(token));
            }
            Ok(TokenSet::new(provider, access_token, token_type)
                .with_received_at(response.received_at)
                .with_expires_in(expires_in)
                .with_refresh_token(refresh_token)
                .with_scopes(scopes)
                .with_extra(data))
        }
    }

    /// Acme's refusals, mapped into the one `tokenbridge_core::Error`.
    pub(crate) mod error {
        use tokenbridge_core::{Error, HttpResponse, ProviderError, VendorError};

        /// The `vendor` of every `VendorError` this adapter returns.
        pub(crate) const VENDOR: &str = "acme";

        /// The response header carrying Acme's request id, to quote to Acme's support.
        pub(crate) const REQUEST_ID_HEADER: &str = "x-acme-request-id";

        /// Acme codes that mean exactly an RFC 6749 error, so `Error::is_invalid_grant` and
        /// `Error::is_invalid_client` answer for them as for any other provider.
        const RFC6749_EQUIVALENTS: [(i64, &str); 6] = [
            (40001, "invalid_grant"),  // the code expired or was already used
            (40002, "invalid_grant"),  // the refresh token is unknown or revoked
            (40003, "invalid_grant"),  // redirect_uri differs from the authorize request
            (40004, "invalid_grant"),  // code_verifier does not match the code_challenge
            (40101, "invalid_client"), // unknown client_id
            (40102, "invalid_client"), // wrong secret or auth method
        ];

        /// The error for an envelope whose `code` is not 0.
        ///
        /// Codes with an RFC 6749 meaning become `Error::Provider`; every other code is a
        /// business error, `Error::Vendor`. Acme's codes are five digits whose first three are
        /// the HTTP-like class (`40301` is a 403, `50300` a 503), so that class is the
        /// `status_code`, which `Error::is_retryable` reads, and the full code is `api_code`.
        pub(crate) fn envelope_error(response: &HttpResponse, code: i64, message: String) -> Error {
            let request_id = response
                .headers
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Some((_, rfc_code)) = RFC6749_EQUIVALENTS.iter().find(|(c, _)| *c == code) {
                let description = match &request_id {
                    Some(id) => format!("{message} (Acme code {code}, request id {id})"),
                    None => format!("{message} (Acme code {code})"),
                };
                return ProviderError::new(Some(response.status), *rfc_code)
                    .with_description(Some(description))
                    .into();
            }
            let mut error = VendorError::new(VENDOR, response.status, code / 100, message);
            error.api_code = Some(code.to_string());
            error.request_id = request_id;
            error.into()
        }
    }

    /// The exchanger: core's request building, client authentication and HTTP, with Acme's
    /// JSON body and answer parsing.
    pub(crate) mod exchanger {
        use std::sync::Arc;

        use tokenbridge_core::http::join_path;
        use tokenbridge_core::standard::grant_params;
        use tokenbridge_core::{
            async_trait, client_auth, ensure_supported, BodyEncoding, ClientAuth, Error, Grant,
            GrantKind, HttpClient, Result, TokenExchanger, TokenRequest, TokenSet, Url,
        };

        use super::config::AcmeConfig;
        use super::wire::parse_token_response;

        /// The token endpoint below the tenant URL.
        pub(crate) const TOKEN_PATH: &str = "/api/v1/token";

        /// Acme issues tokens for codes (with or without PKCE) and refresh tokens only.
        const GRANTS: [GrantKind; 2] = [GrantKind::AuthorizationCode, GrantKind::RefreshToken];

        /// Exchanges codes and refresh tokens with Acme ID.
        ///
        /// It implements `TokenExchanger` itself rather than wrapping `Provider`:
        /// the standard exchanger always sends a form body, and Acme wants JSON.
        #[derive(Debug)]
        pub(crate) struct AcmeExchanger {
            provider: String,
            token_endpoint: Url,
            auth: Arc<dyn ClientAuth>,
            http: HttpClient,
        }

        impl AcmeExchanger {
            /// Checks `config` and builds the exchanger; nothing is sent yet.
            pub(crate) fn new(
                provider_id: impl Into<String>,
                config: AcmeConfig,
                http: HttpClient,
            ) -> Result<Self> {
                let provider = provider_id.into();
                if provider.is_empty() {
                    return Err(Error::config("provider", "the provider id is empty"));
                }
                let base_url = config.validate()?;
                let auth = client_auth(config.auth_method, config.client_id, config.client_secret)?;
                Ok(Self {
                    provider,
                    token_endpoint: join_path(&base_url, TOKEN_PATH),
                    auth,
                    http,
                })
            }

            /// The request `grant` would send, without sending it.
            pub(crate) fn build_request(&self, grant: &Grant) -> Result<TokenRequest> {
                ensure_supported(self, grant.kind())?;
                let mut request =
                    TokenRequest::post(self.token_endpoint.clone(), BodyEncoding::Json);
                grant_params(&mut request, grant)?;
                self.auth.apply(&mut request)?;
                Ok(request)
            }
        }

        #[async_trait]
        impl TokenExchanger for AcmeExchanger {
            fn provider_id(&self) -> &str {
                &self.provider
            }

            fn supported_grants(&self) -> &[GrantKind] {
                &GRANTS
            }

            async fn exchange(&self, grant: Grant) -> Result<TokenSet> {
                let request = self.build_request(&grant)?;
                let response = self.http.send(&request).await?;
                parse_token_response(&response, &self.provider)
            }
        }
    }
}

/// `kind = "acme"` for the registry: the settings it reads from `[providers.NAME]` and the
/// factory that turns them into an exchanger. An adapter crate would export both.
pub(crate) mod registration {
    use std::sync::Arc;

    use serde::Deserialize;
    use tokenbridge::{
        AuthMethod, HttpSettings, ProviderContext, Result, SecretSetting, SecretString,
        TokenExchanger,
    };

    use super::acme::config::AcmeConfig;
    use super::acme::exchanger::AcmeExchanger;

    /// Every key `kind = "acme"` accepts; any other key is an error naming it.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(crate) struct AcmeSettings {
        base_url: String,
        client_id: String,
        #[serde(default)]
        client_secret: Option<SecretString>,
        #[serde(default)]
        client_secret_env: Option<String>,
        #[serde(default)]
        auth_method: Option<AuthMethod>,
        #[serde(default)]
        http: HttpSettings,
    }

    /// The factory registered for `kind = "acme"`. Errors without a `providers.` key path
    /// (`base_url`, `client_secret`) are qualified with the provider's name by the registry.
    pub(crate) fn build_acme(ctx: &ProviderContext<'_>) -> Result<Arc<dyn TokenExchanger>> {
        let settings: AcmeSettings = ctx.settings()?;
        let secret = ctx.resolve_secret(&SecretSetting {
            client_secret: settings.client_secret,
            client_secret_env: settings.client_secret_env,
        })?;
        let http = ctx.http_client(&settings.http)?;
        let mut config = AcmeConfig::new(settings.base_url, settings.client_id);
        if let Some(secret) = secret {
            config = config.with_client_secret(secret);
        }
        if let Some(method) = settings.auth_method {
            config = config.with_auth_method(method);
        }
        Ok(Arc::new(AcmeExchanger::new(ctx.name(), config, http)?))
    }
}

/// Acme ID on loopback. Acme's rules for codes and refresh tokens are the standard ones, so
/// the emulator keeps its books with the testkit's `OidcProvider` and only translates the
/// wire: JSON body in, envelope out.
pub(crate) mod emulator {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::Router;
    use serde_json::{json, Value};
    use tokenbridge_core::request::form_encode;
    use tokenbridge_core::AuthMethod;
    use tokenbridge_testkit::oidc::{
        ClientRegistration, CodeRequest, ErrorReplies, OidcProvider, Profile, Reply,
    };
    use tokenbridge_testkit::server::{any_loopback_port, EmulatorServer, RecordedRequest};
    use tokenbridge_testkit::{ConformanceTarget, IssuedCode};

    /// Acme's token endpoint path.
    pub(crate) const TOKEN_PATH: &str = "/api/v1/token";
    /// The demo application registered at start.
    pub(crate) const DEMO_CLIENT_ID: &str = "demo-app";
    /// The demo application's secret (`client_secret_post`).
    pub(crate) const DEMO_CLIENT_SECRET: &str = "demo-secret";
    /// The redirect URI demo codes are issued for.
    pub(crate) const DEMO_REDIRECT_URI: &str = "http://127.0.0.1/callback";
    /// The scope demo codes and refresh tokens grant.
    const DEMO_SCOPE: &str = "profile email";

    /// An Acme refusal: HTTP 200 and a non-zero code.
    pub(crate) fn acme_error(code: i64, msg: &str) -> Reply {
        Reply::json(200, json!({"code": code, "msg": msg, "data": null}))
    }

    /// Acme's token endpoint behaviour: opaque tokens with `"bearer"` in lower case, an hour's
    /// lifetime, rotating refresh tokens, no id tokens, and Acme-shaped refusals.
    fn profile() -> Profile {
        let mut profile = Profile::standard();
        profile.name = "acme".into();
        profile.token_path = TOKEN_PATH.into();
        profile.discovery_path = None;
        profile.jwks_path = None;
        profile.expires_in = 3600;
        profile.token_type = "bearer".into();
        profile.jwt_access_tokens = false;
        profile.issue_id_tokens = false;
        profile.default_scope = DEMO_SCOPE.into();
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

    /// The JSON body as the form the provider's bookkeeping reads; `None` unless it is a flat
    /// object of strings.
    fn form_from_json(body: &[u8]) -> Option<String> {
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let pairs = object
            .into_iter()
            .map(|(name, value)| match value {
                Value::String(s) => Some((name, s)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(form_encode(
            pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        ))
    }

    /// A standard token answer rewritten into Acme's envelope; anything else (the profile's
    /// refusals, scripted replies) is sent as it is.
    fn into_envelope(reply: Reply) -> Reply {
        let standard = match serde_json::from_slice::<Value>(&reply.body) {
            Ok(Value::Object(o)) if reply.status == 200 && o.contains_key("access_token") => o,
            _ => return reply,
        };
        let seconds = match standard.get("expires_in") {
            Some(Value::Number(n)) => Value::String(n.to_string()),
            other => other.cloned().unwrap_or(Value::Null),
        };
        Reply::json(
            200,
            json!({
                "code": 0,
                "msg": "ok",
                "data": {
                    "token": {"value": standard.get("access_token"), "kind": standard.get("token_type")},
                    "refresh": standard.get("refresh_token"),
                    "lifetime": {"seconds": seconds},
                    "scope": standard.get("scope"),
                },
            }),
        )
    }

    /// `POST /api/v1/token`: the provider's bookkeeping behind Acme's wire format, with a
    /// request id on every answer.
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
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        let request_id = request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        (
            [("x-acme-request-id", format!("req-{request_id}"))],
            into_envelope(reply),
        )
            .into_response()
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
                let request_ids = Arc::new(AtomicU64::new(0));
                Router::new().route(
                    TOKEN_PATH,
                    post(move |headers: HeaderMap, body: Bytes| {
                        token_endpoint(Arc::clone(&p), Arc::clone(&request_ids), headers, body)
                    }),
                )
            })
            .await?;
            let provider =
                provider.ok_or_else(|| std::io::Error::other("the router was not built"))?;
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

        /// A one-time code for the demo application, as Acme's login page would issue;
        /// pass an S256 `code_challenge` for PKCE.
        pub(crate) fn mint_code(&self, code_challenge: Option<String>) -> String {
            self.provider.issue_code(CodeRequest {
                client_id: DEMO_CLIENT_ID.into(),
                redirect_uri: DEMO_REDIRECT_URI.into(),
                code_challenge,
                scope: None,
            })
        }

        /// The requests received at the token endpoint, oldest first.
        pub(crate) fn token_requests(&self) -> Vec<RecordedRequest> {
            self.server.requests_to(TOKEN_PATH)
        }

        /// Makes the next token request get `reply`, as it is.
        pub(crate) fn push_reply(&self, reply: Reply) {
            self.provider.push_reply(reply);
        }
    }

    /// What the conformance checks need: fresh credentials for the demo application, and a
    /// count of token requests (to prove nothing is retried or sent when it must not be).
    impl ConformanceTarget for AcmeEmulator {
        fn issue_code(&self, code_challenge: Option<String>) -> Option<IssuedCode> {
            Some(IssuedCode {
                code: self.mint_code(code_challenge),
                redirect_uri: DEMO_REDIRECT_URI.into(),
            })
        }

        fn issue_refresh_token(&self) -> Option<String> {
            Some(
                self.provider
                    .issue_refresh_token(DEMO_CLIENT_ID, DEMO_SCOPE),
            )
        }

        fn token_request_count(&self) -> usize {
            self.token_requests().len()
        }
    }
}

/// The application's registry: the built-in kinds plus `acme`, reading secrets through `env`.
pub(crate) fn acme_registry(
    env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> Registry {
    let mut registry = Registry::new().with_env(env);
    registry.register("acme", registration::build_acme);
    registry
}

/// A configuration file naming one Acme ID provider, written like the built-in kinds.
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

/// The conformance checks Acme passes; `qr_ticket` does not apply (GenAuth only).
pub(crate) const EXPECTED_CHECKS: [&str; 7] = [
    "code_exchange",
    "code_is_one_time",
    "pkce",
    "refresh",
    "bad_refresh_token",
    "unsupported_grant",
    "object_safe",
];

#[tokio::main]
pub(crate) async fn main() -> Result<(), Box<dyn Error>> {
    let acme = AcmeEmulator::start().await?;
    println!("Acme ID emulator at {}", acme.base());

    // The secret comes from ACME_SECRET; the demo supplies it here instead of the process
    // environment, so nothing needs exporting.
    let registry = acme_registry(|var| (var == "ACME_SECRET").then(|| DEMO_CLIENT_SECRET.into()));
    let config = Config::from_toml_str(&config_toml(&acme.base()))?;
    let exchanger = registry.build(&config, "acme")?;
    println!("kinds: {}", registry.kinds().join(", "));

    // The code the browser would bring back from Acme's login page.
    let code = acme.mint_code(None);
    let tokens = exchanger
        .exchange(Grant::authorization_code(code.as_str(), DEMO_REDIRECT_URI))
        .await?;
    println!(
        "\ncode exchange:\n{}",
        serde_json::to_string_pretty(&token_set_json(&tokens, Secrets::Redact))?
    );
    let sent = acme.token_requests();
    let last = sent.last().ok_or("the emulator saw no request")?;
    let keys: Vec<String> = last
        .json()
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    println!(
        "sent: {} {} ({}) with {}",
        last.method,
        last.path,
        last.header("content-type").unwrap_or("no content type"),
        keys.join(", ")
    );

    let refresh_token = tokens
        .refresh_token()
        .ok_or("Acme issued no refresh token")?;
    let refreshed = exchanger
        .exchange(Grant::refresh_token(refresh_token.expose_secret()))
        .await?;
    println!("refresh: {refreshed}");

    // Refusals come out as the same Error kinds as any other vendor's.
    let Err(spent) = exchanger
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
    else {
        return Err("a spent code was accepted".into());
    };
    assert!(spent.is_invalid_grant(), "{spent}");
    println!("\nthe code again: {spent}");

    acme.push_reply(emulator::acme_error(50300, "down for maintenance"));
    let Err(busy) = exchanger.exchange(Grant::refresh_token("rt-any")).await else {
        return Err("the scripted refusal was not reported".into());
    };
    let vendor = busy.vendor_error().ok_or("expected a vendor error")?;
    assert_eq!(vendor.api_code.as_deref(), Some("50300"));
    assert!(busy.is_retryable(), "{busy}");
    println!("maintenance: {busy} (retryable: {})", busy.is_retryable());

    // The same checks every built-in adapter passes.
    let report = run_all(Arc::clone(&exchanger), &acme).await;
    assert_eq!(report.passed, EXPECTED_CHECKS, "{report:?}");
    assert_eq!(report.skipped, ["qr_ticket"], "{report:?}");
    println!(
        "\nconformance: passed {}; skipped {}",
        report.passed.join(", "),
        report.skipped.join(", ")
    );
    Ok(())
}
