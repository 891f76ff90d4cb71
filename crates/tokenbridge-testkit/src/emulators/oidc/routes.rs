//! The provider's endpoints as an axum router.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;

use super::OidcProvider;
use crate::reply::Reply;

impl OidcProvider {
    /// Routes for every endpoint the profile has, relative to the server root.
    pub fn routes(self: &Arc<Self>) -> Router {
        let me = Arc::clone(self);
        let mut router = Router::new().route(
            &self.profile.token_path,
            post(move |headers: HeaderMap, body: Bytes| {
                let me = Arc::clone(&me);
                async move {
                    let reply = me.handle_token(&headers, &body);
                    if !reply.delay.is_zero() {
                        tokio::time::sleep(reply.delay).await;
                    }
                    reply
                }
            }),
        );
        let me = Arc::clone(self);
        router = router.route(
            &self.authorize_path(),
            get(
                move |Query(query): Query<HashMap<String, String>>| async move {
                    me.handle_authorize(&query)
                },
            ),
        );
        if let Some(path) = &self.profile.discovery_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                get(move || async move { Reply::json(200, me.discovery_document()) }),
            );
        }
        if let Some(path) = &self.profile.revocation_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                post(move |headers: HeaderMap, body: Bytes| async move {
                    me.handle_revoke(&headers, &body)
                }),
            );
        }
        if let Some(path) = &self.profile.end_session_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                get(
                    move |Query(query): Query<HashMap<String, String>>| async move {
                        me.handle_end_session(&query)
                    },
                ),
            );
        }
        if let Some(path) = &self.profile.jwks_path {
            let me = Arc::clone(self);
            router = router.route(
                path,
                get(move || async move { Reply::json(200, me.jwks_document()) }),
            );
        }
        if let Some(path) = &self.profile.userinfo_path {
            let me = Arc::clone(self);
            let me_post = Arc::clone(self);
            router = router.route(
                path,
                get(move |headers: HeaderMap| async move { me.handle_userinfo(&headers) }).post(
                    move |headers: HeaderMap| async move { me_post.handle_userinfo(&headers) },
                ),
            );
        }
        router
    }
}
