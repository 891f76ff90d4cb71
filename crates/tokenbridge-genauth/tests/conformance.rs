//! The testkit conformance suite against the GenAuth emulator, for each auth method and both
//! protocols.

mod common;

use std::sync::Arc;

use tokenbridge_core::{AuthMethod, GrantKind, Protocol, TokenExchanger};
use tokenbridge_testkit::genauth::EXCHANGE_TICKET_PATH;

const ALL_CHECKS: [&str; 8] = [
    "code_exchange",
    "code_is_one_time",
    "pkce",
    "refresh",
    "bad_refresh_token",
    "one_time_extension",
    "unsupported_grant",
    "object_safe",
];

/// The checks expected to pass for `method` and `protocol`. A confidential client takes every
/// kind of grant (client credentials too), so there is no unsupported kind left to try; the
/// `pkce` check does not run on `/oauth/token`, where GenAuth documents no PKCE.
fn expected(method: AuthMethod, protocol: Protocol) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut skipped = Vec::new();
    if protocol == Protocol::OAuth2 {
        skipped.push("pkce");
    }
    if method != AuthMethod::None {
        skipped.push("unsupported_grant");
    }
    let passed = ALL_CHECKS
        .into_iter()
        .filter(|c| !skipped.contains(c))
        .collect();
    (passed, skipped)
}

#[tokio::test]
async fn conformance_for_each_auth_method_and_protocol() {
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        for method in AuthMethod::ALL {
            if protocol == Protocol::OAuth2 && method == AuthMethod::None {
                // `/oauth/token` documents client_secret_post and client_secret_basic only.
                continue;
            }
            let (emulator, client) = common::start(method, protocol).await;
            let target = emulator.target(common::APP_ID, protocol);
            let exchanger: Arc<dyn TokenExchanger> = Arc::new(client.provider().clone());
            let report = tokenbridge_testkit::run_all(Arc::clone(&exchanger), &target)
                .await
                .unwrap_or_else(|failure| panic!("{method} {protocol}: {failure}"));
            let (passed, skipped) = expected(method, protocol);
            assert_eq!(report.passed, passed, "{method} {protocol}: {report:?}");
            assert_eq!(report.skipped, skipped, "{method} {protocol}: {report:?}");
            assert!(report.passed.contains(&"one_time_extension"));
            // one_time_extension spent two exchanges (one success, one refused reuse).
            assert_eq!(target.ticket_exchanges(), 2, "{method} {protocol}");
            let token_path = match protocol {
                Protocol::Oidc => "/oidc/token",
                _ => "/oauth/token",
            };
            let other_path = match protocol {
                Protocol::Oidc => "/oauth/token",
                _ => "/oidc/token",
            };
            assert!(!emulator.requests_to(token_path).is_empty());
            assert!(emulator.requests_to(other_path).is_empty());
            assert_eq!(emulator.requests_to(EXCHANGE_TICKET_PATH).len(), 2);
        }
    }
}

#[tokio::test]
async fn supported_grants_follow_the_auth_method() {
    let (_emulator, client) = common::start(AuthMethod::None, Protocol::Oidc).await;
    assert_eq!(
        client.provider().supported_grants(),
        [
            GrantKind::AuthorizationCode,
            GrantKind::RefreshToken,
            GrantKind::Extension
        ]
    );
    assert!(!client.provider().supports(GrantKind::ClientCredentials));
    for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
        let (_emulator, client) = common::start(method, Protocol::OAuth2).await;
        assert_eq!(
            client.provider().supported_grants(),
            [
                GrantKind::AuthorizationCode,
                GrantKind::RefreshToken,
                GrantKind::ClientCredentials,
                GrantKind::Extension
            ],
            "{method}"
        );
    }
}

#[test]
fn the_testkit_routes_the_same_qr_ticket_grant_type() {
    assert_eq!(
        tokenbridge_testkit::genauth::QR_TICKET_GRANT_TYPE,
        tokenbridge_genauth::QR_TICKET_GRANT_TYPE
    );
    assert_eq!(
        tokenbridge_testkit::genauth::EXCHANGE_TICKET_PATH,
        tokenbridge_genauth::EXCHANGE_TICKET_PATH
    );
    assert_eq!(
        tokenbridge_testkit::genauth::GENE_QRCODE_PATH,
        tokenbridge_genauth::GENE_QRCODE_PATH
    );
    assert_eq!(
        tokenbridge_testkit::genauth::QRCODE_STATUS_PATH,
        tokenbridge_genauth::QRCODE_STATUS_PATH
    );
    assert_eq!(
        Some(tokenbridge_testkit::genauth::OIDC_TOKEN_PATH),
        tokenbridge_genauth::OIDC.paths.token
    );
    assert_eq!(
        Some(tokenbridge_testkit::genauth::OAUTH_TOKEN_PATH),
        tokenbridge_genauth::OAUTH.paths.token
    );
}
