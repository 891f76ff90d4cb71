//! The emulator's router: the V3 calls, the control routes, and the two token providers
//! behind GenAuth's raw Basic credentials.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::qrcode::Shared;
use super::{
    CONTROL_QRCODES_PATH, CONTROL_QRCODE_PREFIX, EXCHANGE_TICKET_PATH, GENE_QRCODE_PATH,
    OAUTH_REVOCATION_PATH, OAUTH_TOKEN_PATH, OIDC_REVOCATION_PATH, OIDC_TOKEN_PATH,
    QRCODE_STATUS_PATH,
};
use crate::oidc::Reply;

/// The endpoints where GenAuth reads `Authorization: Basic base64(<id>:<secret>)` (GenAuth's
/// SDKs attach Basic only to the token, revocation and ticket-exchange paths). GenAuth
/// documents the value raw, without RFC 6749's form-encoding of id and secret, so the emulator
/// decodes it raw too: a form-encoded `+`, `%` or space does not match.
const RAW_BASIC_PATHS: [&str; 4] = [
    OIDC_TOKEN_PATH,
    OAUTH_TOKEN_PATH,
    OIDC_REVOCATION_PATH,
    OAUTH_REVOCATION_PATH,
];

/// Every route of one emulator.
pub(super) fn routes(shared: &Arc<Shared>) -> Router {
    let gene = Arc::clone(shared);
    let status = Arc::clone(shared);
    let exchange = Arc::clone(shared);
    let list = Arc::clone(shared);
    let control = Arc::clone(shared);
    let v3 = Router::new()
        .route(
            GENE_QRCODE_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&gene);
                async move { send(shared.gene_qrcode(&headers, &body)).await }
            }),
        )
        .route(
            QRCODE_STATUS_PATH,
            get(move |headers: HeaderMap, RawQuery(query): RawQuery| {
                let shared = Arc::clone(&status);
                async move { send(shared.qrcode_status(&headers, query.as_deref())).await }
            }),
        )
        .route(
            EXCHANGE_TICKET_PATH,
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&exchange);
                async move { send(shared.exchange_ticket(&headers, &body)).await }
            }),
        )
        .route(
            "/qrcode/{id}",
            get(|Path(id): Path<String>| async move {
                Reply::raw(
                    200,
                    "text/plain; charset=utf-8",
                    format!(
                        "GenAuth emulator QR code {id}: scan it with POST {CONTROL_QRCODE_PREFIX}/{id}/scan, \
                         then confirm it with POST {CONTROL_QRCODE_PREFIX}/{id}/confirm\n"
                    ),
                )
            }),
        )
        .route(
            CONTROL_QRCODES_PATH,
            get(move || {
                let shared = Arc::clone(&list);
                async move { shared.list_qr_codes() }
            }),
        )
        .route(
            &format!("{CONTROL_QRCODE_PREFIX}/{{id}}/{{action}}"),
            post(
                move |Path((id, action)): Path<(String, String)>, RawQuery(query): RawQuery| {
                    let shared = Arc::clone(&control);
                    async move { shared.control(&id, &action, query.as_deref()) }
                },
            ),
        );
    v3.merge(shared.oidc.routes())
        .merge(shared.oauth.routes())
        .layer(middleware::from_fn(raw_basic))
}

/// The token and revocation endpoints come from [`OidcProvider`], which undoes RFC 6749's
/// form-encoding of Basic credentials. GenAuth does not (see [`RAW_BASIC_PATHS`]): the raw
/// id and secret are form-encoded here, so the provider's decoding gives them back unchanged.
async fn raw_basic(mut request: Request, next: Next) -> Response {
    if RAW_BASIC_PATHS.contains(&request.uri().path()) {
        let reencoded = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| {
                let (id, secret) = pair.split_once(':')?;
                let form = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let value = format!(
                    "Basic {}",
                    STANDARD.encode(format!("{}:{}", form(id), form(secret)))
                );
                HeaderValue::from_str(&value).ok()
            });
        if let Some(value) = reencoded {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
    }
    next.run(request).await
}

async fn send(reply: Reply) -> Reply {
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    reply
}
