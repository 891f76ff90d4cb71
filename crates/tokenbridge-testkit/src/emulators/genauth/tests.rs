//! The QR-code state machine and the control routes.

use std::time::Duration;

use serde_json::{json, Value};
use tokenbridge_core::Protocol;
use url::Url;

use super::profiles::v3_token_profile;
use super::*;
use crate::conformance::ConformanceTarget;
use crate::oidc::OidcProvider;

#[tokio::test]
async fn qr_codes_follow_the_documented_transitions() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let id = emulator.create_qr_code(DEMO_APP_ID);
    assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Pending));
    assert!(!emulator.confirm(&id), "confirm needs a scan first");
    assert!(emulator.scan(&id, "Alice", "p"));
    assert!(!emulator.scan(&id, "Bob", "p"), "scanned once");
    assert!(emulator.confirm(&id));
    assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Authorized));
    assert!(emulator.ticket(&id).is_some_and(|t| t.starts_with("tk-")));
    for end in [
        GenAuthEmulator::cancel,
        GenAuthEmulator::expire,
        GenAuthEmulator::fail,
    ] {
        assert!(!end(&emulator, &id), "an authorized code is final");
    }
    assert!(!emulator.scan("qr-unknown", "Alice", "p"));
    assert_eq!(emulator.qr_phase("qr-unknown"), None);

    let id = emulator.create_qr_code(DEMO_APP_ID);
    assert!(emulator.cancel(&id));
    assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Cancelled));
    assert!(!emulator.expire(&id));
}

#[tokio::test]
async fn codes_expire_by_themselves() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.set_qr_validity(Duration::ZERO);
    let id = emulator.create_qr_code(DEMO_APP_ID);
    assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Expired));
    assert!(!emulator.scan(&id, "Alice", "p"));
}

#[tokio::test]
async fn token_set_apps_get_no_ticket() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    emulator.register_app(GenAuthApp::public("spa").returning_token_set());
    assert_eq!(emulator.issue_ticket("spa"), None);
    assert_eq!(emulator.issue_ticket("no-such-app"), None);
    assert!(emulator.issue_ticket(DEMO_APP_ID).is_some());
    let target = emulator.target("spa", Protocol::Oidc);
    assert!(target.issue_extension().is_none());
}

/// Sends a control request and returns the status and JSON body.
async fn call(emulator: &GenAuthEmulator, get: bool, path_and_query: &str) -> (u16, Value) {
    let url = emulator.base_url().join(path_and_query).unwrap();
    let request = if get {
        tokenbridge_core::TokenRequest::get(url)
    } else {
        tokenbridge_core::TokenRequest::post(url, tokenbridge_core::BodyEncoding::None)
    };
    let response = tokenbridge_core::HttpClient::default()
        .send(&request)
        .await
        .unwrap();
    assert_eq!(
        response.content_type().as_deref(),
        Some("application/json;charset=UTF-8")
    );
    (
        response.status(),
        serde_json::from_slice(response.body()).unwrap(),
    )
}

#[tokio::test]
async fn control_routes_drive_the_same_codes() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    let first = emulator.create_qr_code(DEMO_APP_ID);
    let second = emulator.create_qr_code(DEMO_APP_ID);
    assert_eq!(
        call(&emulator, true, CONTROL_QRCODES_PATH).await,
        (
            200,
            json!({"qrcodes": [
                {"qrcodeId": first, "appId": DEMO_APP_ID, "status": "PENDING"},
                {"qrcodeId": second, "appId": DEMO_APP_ID, "status": "PENDING"},
            ]})
        )
    );

    let scan = format!("/emulator/qrcode/{first}/scan?displayName=Alice%20Li&photo=https%3A%2F%2Fp.example.com%2Fa.png");
    assert_eq!(
        call(&emulator, false, &scan).await,
        (200, json!({"qrcodeId": first, "status": "SCANNED"}))
    );
    assert_eq!(emulator.qr_phase(&first), Some(QrPhase::Scanned));
    let (status, body) = call(&emulator, false, &scan).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "invalid_transition");
    assert_eq!(body["status"], "SCANNED");
    assert_eq!(body["qrcodeId"], first.as_str());

    let confirm = format!("/emulator/qrcode/{first}/confirm");
    assert_eq!(
        call(&emulator, false, &confirm).await,
        (200, json!({"qrcodeId": first, "status": "AUTHORIZED"}))
    );
    let ticket = emulator.ticket(&first).unwrap();

    // The defaults, and the ends.
    assert_eq!(
        call(&emulator, false, &format!("/emulator/qrcode/{second}/scan")).await,
        (200, json!({"qrcodeId": second, "status": "SCANNED"}))
    );
    assert_eq!(
        call(
            &emulator,
            false,
            &format!("/emulator/qrcode/{second}/cancel")
        )
        .await,
        (200, json!({"qrcodeId": second, "status": "CANCELLED"}))
    );
    let third = emulator.create_qr_code(DEMO_APP_ID);
    assert_eq!(
        call(
            &emulator,
            false,
            &format!("/emulator/qrcode/{third}/expire")
        )
        .await,
        (200, json!({"qrcodeId": third, "status": "EXPIRED"}))
    );
    let fourth = emulator.create_qr_code(DEMO_APP_ID);
    assert_eq!(
        call(&emulator, false, &format!("/emulator/qrcode/{fourth}/fail")).await,
        (200, json!({"qrcodeId": fourth, "status": "ERROR"}))
    );
    let (status, body) = call(
        &emulator,
        false,
        &format!("/emulator/qrcode/{third}/confirm"),
    )
    .await;
    assert_eq!((status, &body["status"]), (409, &json!("EXPIRED")));

    assert_eq!(
        call(&emulator, true, CONTROL_QRCODES_PATH).await,
        (
            200,
            json!({"qrcodes": [
                {"qrcodeId": first, "appId": DEMO_APP_ID, "status": "AUTHORIZED",
                 "user": {"displayName": "Alice Li", "photo": "https://p.example.com/a.png"},
                 "ticket": ticket},
                {"qrcodeId": second, "appId": DEMO_APP_ID, "status": "CANCELLED",
                 "user": {"displayName": DEFAULT_SCANNER_NAME, "photo": DEFAULT_SCANNER_PHOTO}},
                {"qrcodeId": third, "appId": DEMO_APP_ID, "status": "EXPIRED"},
                {"qrcodeId": fourth, "appId": DEMO_APP_ID, "status": "ERROR"},
            ]})
        )
    );
}

#[tokio::test]
async fn control_routes_refuse_unknown_codes_and_actions() {
    let emulator = GenAuthEmulator::start().await.unwrap();
    for action in ["scan", "confirm", "cancel", "expire", "fail"] {
        let (status, body) = call(
            &emulator,
            false,
            &format!("/emulator/qrcode/qr-nope/{action}"),
        )
        .await;
        assert_eq!(status, 404, "{action}");
        assert_eq!(body["error"], "qrcode_not_found");
        assert_eq!(body["qrcodeId"], "qr-nope");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains(CONTROL_QRCODES_PATH));
    }
    let id = emulator.create_qr_code(DEMO_APP_ID);
    let (status, body) = call(&emulator, false, &format!("/emulator/qrcode/{id}/approve")).await;
    assert_eq!((status, &body["error"]), (404, &json!("unknown_action")));
    assert_eq!(emulator.qr_phase(&id), Some(QrPhase::Pending));
    assert_eq!(
        call(&emulator, true, CONTROL_QRCODES_PATH).await.1["qrcodes"][0]["status"],
        "PENDING"
    );
}

#[test]
fn v3_token_sets_use_expire_in_and_lower_case_bearer() {
    let base = Url::parse("http://127.0.0.1:1/").unwrap();
    let v3 = OidcProvider::new(v3_token_profile(), &base);
    let body = v3.token_body("app", "openid profile", true, Some("rt".into()));
    assert_eq!(body["expire_in"], V3_EXPIRE_IN);
    assert_eq!(body["token_type"], "bearer");
    assert!(body.get("expires_in").is_none());
    assert!(body["id_token"].is_string());
}
