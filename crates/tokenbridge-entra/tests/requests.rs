//! The exact requests sent to Microsoft Entra ID (through `base_url` on the emulator), the
//! multi-tenant issuer, userinfo without `oid`/`tid`, the logout URL, and the exact errors
//! returned, mapped by their first `error_codes` entry.

use serde_json::json;
use tokenbridge_core::{
    Error, ErrorKind, Grant, LogoutRequest, Provider, SecretString, TokenExchanger,
};
use tokenbridge_testkit::entra::{
    entra_error, EntraEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_OBJECT_ID, DEMO_SUBJECT,
    DEMO_TENANT_ID,
};
use tokenbridge_testkit::{any_loopback_port, browser};

const REDIRECT: &str = "http://127.0.0.1/callback";
/// A code as Entra writes them, for refusals that echo it.
const CODE: &str = "0.AXoAv4j5cvGGr0GRqy180BHbR-refused-code";

fn provider(entra: &EntraEmulator, allowed: Vec<String>) -> Provider {
    tokenbridge_entra::builder("entra", entra.tenant(), allowed)
        .unwrap()
        .base_url(entra.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri(REDIRECT)
        .build()
        .unwrap()
}

async fn authorize(url: &str) -> String {
    let redirect = browser::open(url).await.unwrap();
    assert_eq!(redirect.status, 302);
    redirect.location
}

#[tokio::test]
async fn the_code_exchange_is_one_form_post_below_the_tenant() {
    let entra = EntraEmulator::start().await.unwrap();
    let code = entra.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    provider(&entra, Vec::new())
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap();
    let requests = entra.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/common/oauth2/v2.0/token")
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        r.form(),
        [
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code),
            ("redirect_uri".to_owned(), REDIRECT.to_owned()),
            ("client_id".to_owned(), DEMO_CLIENT_ID.to_owned()),
            ("client_secret".to_owned(), DEMO_CLIENT_SECRET.to_owned()),
        ]
    );
}

#[tokio::test]
async fn common_checks_the_issuer_template_with_the_tokens_own_tenant() {
    let entra = EntraEmulator::start().await.unwrap();
    let provider = provider(&entra, Vec::new());
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(request.url.path(), "/common/oauth2/v2.0/authorize");
    let callback = authorize(request.url.as_str()).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    let verified = login.id_token.as_ref().unwrap();
    assert_eq!(
        verified.issuer,
        format!("{}/{DEMO_TENANT_ID}/v2.0", entra.base())
    );
    let identity = login.identity().unwrap();
    assert_eq!(identity.subject, DEMO_SUBJECT);
    assert_eq!(identity.claims["oid"], DEMO_OBJECT_ID);
    assert_eq!(identity.claims["tid"], DEMO_TENANT_ID);
}

#[tokio::test]
async fn allowed_tenants_refuse_another_tenants_user() {
    let entra = EntraEmulator::start().await.unwrap();
    let other = "11111111-2222-3333-4444-555555555555".to_owned();
    let provider = provider(&entra, vec![other]);
    let request = provider.authorization_request().build().await.unwrap();
    let callback = authorize(request.url.as_str()).await;
    let err = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidToken);
    let Error::IdToken(id) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(id.check(), "issuer");
}

#[tokio::test]
async fn a_token_whose_iss_and_tid_disagree_is_refused() {
    let entra = EntraEmulator::start().await.unwrap();
    let provider = provider(&entra, Vec::new());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |tid: &str| {
        json!({
            "iss": format!("{}/{DEMO_TENANT_ID}/v2.0", entra.base()),
            "sub": DEMO_SUBJECT, "aud": DEMO_CLIENT_ID, "tid": tid, "iat": now, "exp": now + 600,
        })
    };
    let good = entra
        .provider()
        .sign_id_token(DEMO_CLIENT_ID, &claims(DEMO_TENANT_ID));
    provider
        .verify_id_token(&good, Default::default())
        .await
        .unwrap();
    let other = "9188040d-6c67-4c5b-b112-36a304b66dad";
    let bad = entra
        .provider()
        .sign_id_token(DEMO_CLIENT_ID, &claims(other));
    let err = provider
        .verify_id_token(&bad, Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidToken);
}

#[tokio::test]
async fn a_tenant_id_is_its_own_exact_issuer() {
    let entra = EntraEmulator::start_for_tenant(DEMO_TENANT_ID, any_loopback_port())
        .await
        .unwrap();
    let provider = provider(&entra, Vec::new());
    let request = provider.authorization_request().build().await.unwrap();
    assert_eq!(
        request.url.path(),
        format!("/{DEMO_TENANT_ID}/oauth2/v2.0/authorize")
    );
    let callback = authorize(request.url.as_str()).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    assert_eq!(login.identity().unwrap().subject, DEMO_SUBJECT);
}

#[tokio::test]
async fn userinfo_lacks_oid_and_tid() {
    let entra = EntraEmulator::start().await.unwrap();
    let token = entra.provider().issue_access_token(DEMO_CLIENT_ID);
    let identity = provider(&entra, Vec::new())
        .userinfo(&SecretString::from(token))
        .await
        .unwrap();
    assert_eq!(identity.subject, DEMO_SUBJECT);
    assert_eq!(identity.name.as_deref(), Some("Demo User"));
    assert!(identity.claims.get("oid").is_none() && identity.claims.get("tid").is_none());
    let r = &entra.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/oidc/userinfo")
    );
}

#[tokio::test]
async fn the_logout_url_has_the_documented_parameters_only() {
    let entra = EntraEmulator::start().await.unwrap();
    let url = provider(&entra, Vec::new())
        .logout_url(
            LogoutRequest::new()
                .post_logout_redirect_uri("https://app.example.com/bye")
                .logout_hint("O.CiQ3MmY5")
                .id_token_hint(SecretString::from("an.id.token"))
                .state("s1"),
        )
        .await
        .unwrap();
    assert_eq!(
        url.as_str(),
        format!(
            "{}/common/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye&logout_hint=O.CiQ3MmY5",
            entra.base()
        )
    );
    assert!(entra.requests().is_empty());
}

#[tokio::test]
async fn revocation_is_not_offered() {
    let entra = EntraEmulator::start().await.unwrap();
    let err = provider(&entra, Vec::new())
        .revoke(&SecretString::from("rt"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(entra.requests().is_empty());
}

#[tokio::test]
async fn the_emulators_refusals_carry_their_documented_codes() {
    let entra = EntraEmulator::start().await.unwrap();
    let provider = provider(&entra, Vec::new());
    let err = provider
        .exchange(Grant::refresh_token("rt-expired-long-ago"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
    let Error::OAuth(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.code().as_str(), "invalid_grant");
    assert_eq!(e.hint(), Some("Microsoft Entra ID error AADSTS70008"));
    let code = entra.issue_code(DEMO_CLIENT_ID, REDIRECT, None);
    provider
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap();
    let err = provider
        .exchange(Grant::authorization_code(&code, REDIRECT))
        .await
        .unwrap_err();
    let Error::OAuth(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.hint(), Some("Microsoft Entra ID error AADSTS54005"));
    assert_eq!(err.kind(), ErrorKind::InvalidGrant);
}

#[tokio::test]
async fn the_first_error_code_decides_the_kind_and_no_secret_shows() {
    let entra = EntraEmulator::start().await.unwrap();
    let provider = provider(&entra, Vec::new());
    let cases = [
        (400, "invalid_grant", 70008, ErrorKind::InvalidGrant),
        (400, "invalid_grant", 54005, ErrorKind::InvalidGrant),
        (401, "invalid_client", 7000215, ErrorKind::InvalidClient),
        (400, "unauthorized_client", 700016, ErrorKind::InvalidClient),
        // The table wins over `error`.
        (400, "invalid_grant", 65001, ErrorKind::AccessDenied),
        (400, "invalid_request", 9002313, ErrorKind::InvalidRequest),
        // A code the table does not know: the kind `error` gives.
        (400, "invalid_scope", 70011, ErrorKind::InvalidScope),
    ];
    for (status, error, code, kind) in cases {
        entra.push_reply(entra_error(
            status,
            error,
            code,
            &format!("{DEMO_CLIENT_SECRET} and {CODE} were refused"),
        ));
        let err = provider
            .exchange(Grant::authorization_code(CODE, REDIRECT))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{code}");
        let Error::OAuth(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((e.status(), e.code().as_str()), (Some(status), error));
        assert_eq!(
            e.hint(),
            Some(format!("Microsoft Entra ID error AADSTS{code}").as_str())
        );
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains(DEMO_CLIENT_SECRET) && !shown.contains(CODE),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn subject_claim_oid_names_the_user_across_applications() {
    let entra = EntraEmulator::start().await.unwrap();
    let provider = tokenbridge_entra::builder("entra", "common", Vec::new())
        .unwrap()
        .base_url(entra.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri(REDIRECT)
        .subject_claim("oid")
        .build()
        .unwrap();
    let request = provider.authorization_request().build().await.unwrap();
    let callback = authorize(request.url.as_str()).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    let identity = login.identity().unwrap();
    assert_eq!(identity.subject, DEMO_OBJECT_ID);
    assert_eq!(identity.claims["sub"], DEMO_SUBJECT);
}
