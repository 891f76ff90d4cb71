//! `kind = "entra"` built from configuration: the tenant in every URL and the issuer, the
//! mistakes refused (naming the key, sending nothing) and `base_url`.

use serde_json::{json, Value};
use tokenbridge_core::{Error, Provider, ProviderContext, ProviderFactory, ProviderTable};
use tokenbridge_entra::{description_for, Entra, DESCRIPTION};

fn build(settings: Value) -> tokenbridge_core::Result<Provider> {
    let env = |name: &str| (name == "ENTRA_SECRET").then(|| "from-env".to_owned());
    let table = ProviderTable {
        name: "corp".into(),
        kind: "entra".into(),
        settings: settings.as_object().unwrap().clone(),
    };
    Entra.build(&ProviderContext::new(&table, &env, None))
}

fn config_key(result: tokenbridge_core::Result<Provider>) -> (String, String) {
    match result {
        Err(Error::Config {
            key: Some(key),
            message,
        }) => (key, message),
        other => panic!("expected a configuration error, got {other:?}"),
    }
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
        let (got, message) = config_key(build(settings.clone()));
        assert_eq!(
            got,
            format!("providers.corp.{key}"),
            "{settings}: {message}"
        );
    }
}
