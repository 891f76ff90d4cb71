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
    "qr_ticket",
    "unsupported_grant",
    "object_safe",
];

#[tokio::test]
async fn conformance_for_each_auth_method_and_protocol() {
    for protocol in [Protocol::Oidc, Protocol::OAuth2] {
        for method in AuthMethod::ALL {
            let (emulator, exchanger) = common::start(method, protocol).await;
            let target = emulator.target(common::APP_ID, protocol);
            let exchanger: Arc<dyn TokenExchanger> = Arc::new(exchanger);
            let report = tokenbridge_testkit::run_all(Arc::clone(&exchanger), &target).await;
            assert_eq!(report.passed, ALL_CHECKS, "{method} {protocol}: {report:?}");
            assert!(report.skipped.is_empty(), "{method} {protocol}: {report:?}");
            // qr_ticket spent two exchanges (one success, one refused reuse).
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
async fn supported_grants_are_the_four_documented_ones() {
    let (_emulator, exchanger) = common::start(AuthMethod::None, Protocol::Oidc).await;
    assert_eq!(
        exchanger.supported_grants(),
        [
            GrantKind::AuthorizationCode,
            GrantKind::RefreshToken,
            GrantKind::ClientCredentials,
            GrantKind::QrTicket
        ]
    );
    assert!(!exchanger.supports(GrantKind::Other));
}
