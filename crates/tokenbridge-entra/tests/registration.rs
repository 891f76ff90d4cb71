//! `kind = "entra"` built from configuration: the tenant in every URL and the issuer, the
//! mistakes refused (naming the key, sending nothing) and `base_url`.

use serde_json::{json, Value};
use tokenbridge_core::Provider;
use tokenbridge_entra::{description_for, Entra, DESCRIPTION};
use tokenbridge_testkit::kind::{build_kind, config_error};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    build_kind(&Entra, "corp", settings, &[("ENTRA_SECRET", "from-env")])
}

#[test]
fn the_description_is_microsofts_documentation() {
    let d = &DESCRIPTION;
    assert_eq!((d.kind, d.name), ("entra", "Microsoft Entra ID"));
    assert_eq!(
        d.paths.token,
        Some("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
    );
    assert_eq!(
        d.paths.userinfo,
        Some("https://graph.microsoft.com/oidc/userinfo")
    );
    assert_eq!(d.paths.revocation, None);
    let common = description_for("common").unwrap();
    assert_eq!(
        common.paths.authorization,
        Some("https://login.microsoftonline.com/common/oauth2/v2.0/authorize")
    );
    assert_eq!(
        common.issuer_path,
        Some("https://login.microsoftonline.com/{tenantid}/v2.0")
    );
    assert_eq!(
        description_for("consumers").unwrap().issuer_path,
        Some("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")
    );
    let guid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    assert_eq!(
        description_for(guid).unwrap().issuer_path,
        Some("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0")
    );
    // Made once per tenant.
    assert!(std::ptr::eq(common, description_for("common").unwrap()));
}

#[tokio::test]
async fn the_tenant_is_in_every_login_url_and_base_url_moves_them() {
    let provider = build(json!({"tenant": "contoso.onmicrosoft.com", "client_id": "app", "client_secret_env": "ENTRA_SECRET"})).unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    let provider = build(json!({
        "tenant": "organizations",
        "client_id": "app",
        "client_secret": "s",
        "base_url": "http://127.0.0.1:9",
        "allowed_tenants": ["72f988bf-86f1-41af-91ab-2d7cd011db47"],
    }))
    .unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "http://127.0.0.1:9/organizations/oauth2/v2.0/token"
    );
    assert_eq!(
        endpoints.userinfo.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/oidc/userinfo"
    );
    assert_eq!(
        endpoints.end_session.as_ref().unwrap().as_str(),
        "http://127.0.0.1:9/organizations/oauth2/v2.0/logout"
    );
}

#[test]
fn each_missing_or_wrong_key_is_named() {
    let cases = [
        (json!({"client_id": "a"}), "tenant"),
        (json!({"tenant": "common"}), "client_id"),
        (json!({"tenant": "a/b", "client_id": "a"}), "tenant"),
        (
            json!({"tenant": "common", "client_id": "a", "allowed_tenants": ["contoso"]}),
            "allowed_tenants",
        ),
        (
            json!({"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47", "client_id": "a",
                   "allowed_tenants": ["72f988bf-86f1-41af-91ab-2d7cd011db47"]}),
            "allowed_tenants",
        ),
        (
            json!({"tenant": "common", "client_id": "a", "tennant": "x"}),
            "tennant",
        ),
        (
            json!({"tenant": "common", "client_id": "a", "base_url": "http://login.example"}),
            "base_url",
        ),
    ];
    for (settings, key) in cases {
        let (got, message) = config_error(build(settings.clone()));
        assert_eq!(
            got,
            format!("providers.corp.{key}"),
            "{settings}: {message}"
        );
    }
}

#[tokio::test]
async fn a_certificate_names_the_key_by_its_thumbprints() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use tokenbridge_core::{Grant, TokenExchanger};
    use tokenbridge_testkit::entra::{EntraEmulator, DEMO_CERT_CLIENT_ID};
    use tokenbridge_testkit::jose::TestKey;

    let entra = EntraEmulator::start().await.unwrap();
    let certificate =
        std::env::temp_dir().join(format!("tokenbridge-entra-test-{}.pem", std::process::id()));
    // The certificate the emulator registers for the demo certificate app.
    std::fs::write(&certificate, TestKey::Rsa2.certificate_pem().unwrap()).unwrap();
    let settings = json!({
        "tenant": "common",
        "base_url": entra.base(),
        "client_id": DEMO_CERT_CLIENT_ID,
        "auth_method": "private_key_jwt",
        "private_key_env": "CERT_KEY",
        "key_id": "cert-1",
        "certificate_file": certificate,
    });
    let env = [("CERT_KEY", TestKey::Rsa2.private_pem())];
    let provider = build_kind(&Entra, "corp", settings, &env).unwrap();
    let code = entra.issue_code(DEMO_CERT_CLIENT_ID, "http://127.0.0.1/cb", None);
    provider
        .exchange(Grant::authorization_code(&code, "http://127.0.0.1/cb"))
        .await
        .unwrap();
    let _ = std::fs::remove_file(&certificate);
    let assertion = entra.requests()[0].form_param("client_assertion").unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(assertion.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "cert-1");
    // The thumbprints as openssl computes them from the certificate's DER encoding.
    assert_eq!(header["x5t"], "46_3PHpBTANNOcvivbby__DHlPw");
    assert_eq!(
        header["x5t#S256"],
        "ZuutEI4eiIph0NQn-_Ydg55tYEdZG4mVbT6aFSg5x9g"
    );

    // Without private_key_jwt, a certificate is a mistake named by its key.
    let (key, _) = config_error(build(json!({
        "tenant": "common", "client_id": "a", "client_secret": "s",
        "certificate_file": "/nonexistent.pem",
    })));
    assert_eq!(key, "providers.corp.certificate_file");
}
