//! Tencent CIAM's documentation samples, served verbatim and parsed through the adapter:
//! <https://cloud.tencent.com/document/product/1441/64398> (English:
//! <https://www.tencentcloud.com/document/product/1148/51482>), the JWKS page
//! <https://cloud.tencent.com/document/product/1441/64397> and the discovery sample.

use std::time::Duration;

use tokenbridge_core::{
    Error, ExposeSecret, Grant, Jwks, Provider, ProviderMetadata, SecretString, TokenExchanger,
    TokenType,
};
use tokenbridge_testkit::oidc::Reply;
use tokenbridge_testkit::tencent_ciam::{
    TencentCiamEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URI,
};

const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// "Sample Success Responses", as printed.
const SUCCESS_SAMPLE: &str = r#"{
"access_token" : "eyJraWQiOiJkNDliYzUwNS01NTcyLTRlZDYtOWU0OC0zODhjM2Q0NGJiNDYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJNT0NLX1VTRVJOQU1FIiwiYXVkIjoiVEVOQU5UX0NMSUVOVF9JRCIsIm5iZiI6MTYzNjQ0OTIzMiwic2NvcGUiOlsib3BlbmlkIl0sImlzcyI6Imh0dHBzOlwvXC9URU5BTlQuUE9SVEFMLkRPTUFJTiIsImV4cCI6MTYzNjQ0OTUzMiwiaWF0IjoxNjM2NDQ5MjMyLCJqdGkiOiJmYmM0NWQ3NS1lYmRjLTQzNjUtOWU0MS01YWM1OTg5ZDdhZTIifQ.SnBaXHhZ0jz3sbo-FPcO91YJn2LqOAuBxWTFRdIzl-PChdh4oXdaxmlWlcaLPU-niBo9TqAAmeocnomkTgt6TS2hp5IOjX8FihshlgVdagQNYM6__Zr5NHw9DH2zEps0AGA_7pyGg9trbcRBkjb2xRLyJpQ5lPkpGiNKA18SfCcsBBoy9E69wrZCZaKo3Y6iHO9v5qxlOTchajR5FI5VDZlxDLX9H3njf3C-KG5NlB7VQZBa0O4TZJm6od_sh8eCmCa5TKF7s5Zhw7JU83JfEh76WKT3rD5uEb4SbFhBGP3hL7Xsj3SJMP7nA4LlQAlINWyFzntAIuJ1VryH3JmQCg",
"refresh_token" : "Ugvo1lO7Se8vvIPrIOwn_eBe0hoi5-5ynR3H-aFYl0e1Gej-SfUAaBDBXkWmojm_Q7utcpwz_swzLZwGGz_I5wHAkB6iaepCX3LvqZGvt5hmMXDCt3wZY3SnhridZC85",
"scope" : "openid",
"id_token" : "eyJraWQiOiJkNDliYzUwNS01NTcyLTRlZDYtOWU0OC0zODhjM2Q0NGJiNDYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJNT0NLX1VTRVJOQU1FIiwiYXVkIjoiVEVOQU5UX0NMSUVOVF9JRCIsImF6cCI6IlRFTkFOVF9DTElFTlRfSUQiLCJpc3MiOiJodHRwczpcL1wvVEVOQU5ULlBPUlRBTC5ET01BSU4iLCJleHAiOjE2MzY0NTEwMzIsImlhdCI6MTYzNjQ0OTIzMiwianRpIjoiMDBlOWQxMjYtYmJkYi00ZjgzLWI4NTYtNTAyYjI0OWJmNjVmIn0.enLzJ-pJlnKpFCBR0gQc7bJH2GA1q_PpqWNjxJuTE1rWuQzvH9Y0oNNi-Wc1vUQ1u0hPSAC7in4E8vUpWDuDFyXrKWvwNxxj5uyLfFrAc2hnrju0ZUOT58lOqYd0Y48hA6THuxm9aA_EuOHvR3SxIS0cj_O5xJCwvhSqGUldRXGVgB4yMXXvZWkxWm5Q3B_hJc8aZtLpmo76-AKTz2OQouZ5bDE3WD89THuKN4mVxygyyIGTgpuIeyP1x14aTgvNKp2N-HGRoUwCzks_fLMcxmH5vqkI5alMi-XDfG8LWWhObM9j54oShSTpkok51B9VGTTOwbK4ZXeVRI48sCxWmg",
"token_type" : "Bearer",
"expires_in" : 299
}"#;

/// "The client_id is not the same as the one used for getting the authorization code and Token."
const INVALID_CLIENT_SAMPLE: &str = r#"{
"error" : "invalid_client"
}"#;

/// "The grant_type parameter is incorrect."
const UNSUPPORTED_GRANT_SAMPLE: &str = r#"{
"error" : "unsupported_grant_type",
"error_description" : "OAuth 2.0 Parameter: grant_type",
"error_uri" : "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"
}"#;

/// "The code parameter is incorrect."
const INVALID_GRANT_SAMPLE: &str = r#"{
"error" : "invalid_grant"
}"#;

/// The JWKS sample (1441/64397), with the key list spelled `Keys`.
const JWKS_SAMPLE: &str = r#"{"Keys":[{"kty":"RSA","e":"AQAB","kid":"f9694d93-...","n":"..."}]}"#;

/// The discovery sample, with the elided origin written out.
const DISCOVERY_SAMPLE: &str = r#"{ "issuer": "https://sample.portal.tencentciam.com",
  "authorization_endpoint": "https://sample.portal.tencentciam.com/oauth2/authorize", "token_endpoint": "https://sample.portal.tencentciam.com/oauth2/token",
  "token_endpoint_auth_methods_supported": ["client_secret_basic","client_secret_post"],
  "jwks_uri": "https://sample.portal.tencentciam.com/oauth2/jwks", "response_types_supported": ["code"],
  "grant_types_supported": ["authorization_code","client_credentials","refresh_token"],
  "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid"] }"#;

async fn web_app() -> (TencentCiamEmulator, Provider) {
    let ciam = TencentCiamEmulator::start().await.unwrap();
    let provider = tokenbridge_tencent_ciam::builder("tencent")
        .base_url(ciam.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .build()
        .unwrap();
    (ciam, provider)
}

fn code() -> Grant {
    Grant::authorization_code("MOCK_CODE", DEMO_REDIRECT_URI)
}

fn sample_field(name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(SUCCESS_SAMPLE).unwrap();
    v[name].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn success_sample_parses_verbatim() {
    let (ciam, exchanger) = web_app().await;
    ciam.push_reply(Reply::raw(200, JSON_UTF8, SUCCESS_SAMPLE));
    let tokens = exchanger.exchange(code()).await.unwrap();
    assert_eq!(
        tokens.access_token().expose_secret(),
        sample_field("access_token")
    );
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        sample_field("refresh_token")
    );
    assert_eq!(
        tokens.id_token().unwrap().expose_secret(),
        sample_field("id_token")
    );
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
    assert_eq!(tokens.scopes(), Some(&["openid".to_owned()][..]));
    assert!(tokens.extra().is_empty(), "{:?}", tokens.extra());
    assert_eq!(tokens.provider_id(), "tencent");
}

#[tokio::test]
async fn invalid_client_sample_is_an_invalid_client_error() {
    let (ciam, exchanger) = web_app().await;
    ciam.push_reply(Reply::raw(401, JSON_UTF8, INVALID_CLIENT_SAMPLE));
    let err = exchanger.exchange(code()).await.unwrap_err();
    let Error::OAuth(p) = &err else {
        panic!("expected a provider error, got {err}")
    };
    assert_eq!(p.status(), Some(401));
    assert_eq!(p.code(), "invalid_client");
    assert_eq!(p.description(), None);
    assert_eq!(p.uri(), None);
    assert!(!p.is_from_status_only());
    assert!(err.is_invalid_client() && !err.is_invalid_grant() && !err.is_retryable());
}

#[tokio::test]
async fn unsupported_grant_sample_keeps_description_and_uri() {
    let (ciam, exchanger) = web_app().await;
    ciam.push_reply(Reply::raw(400, JSON_UTF8, UNSUPPORTED_GRANT_SAMPLE));
    let err = exchanger.exchange(code()).await.unwrap_err();
    let Error::OAuth(p) = &err else {
        panic!("expected a provider error, got {err}")
    };
    assert_eq!(p.status(), Some(400));
    assert_eq!(p.code(), "unsupported_grant_type");
    assert_eq!(p.description(), Some("OAuth 2.0 Parameter: grant_type"));
    assert_eq!(
        p.uri(),
        Some("https://datatracker.ietf.org/doc/html/rfc6749#section-5.2")
    );
    let shown = err.to_string();
    assert!(
        shown.contains("OAuth 2.0 Parameter: grant_type") && shown.contains("rfc6749#section-5.2"),
        "{shown}"
    );
}

#[tokio::test]
async fn invalid_grant_sample_without_description() {
    let (ciam, exchanger) = web_app().await;
    ciam.push_reply(Reply::raw(400, JSON_UTF8, INVALID_GRANT_SAMPLE));
    let err = exchanger.exchange(code()).await.unwrap_err();
    let Error::OAuth(p) = &err else {
        panic!("expected a provider error, got {err}")
    };
    assert_eq!(
        (p.status(), p.code().as_str()),
        (Some(400), "invalid_grant")
    );
    assert_eq!(p.description(), None);
    assert_eq!(p.hint(), None);
    assert!(err.is_invalid_grant() && !err.is_invalid_client());
}

#[tokio::test]
async fn bare_401_sample_is_an_invalid_client_error() {
    // "The client_id parameter is missing or incorrect.": HTTP/1.1 401 Unauthorized, nothing else.
    let (ciam, exchanger) = web_app().await;
    ciam.push_reply(Reply::empty(401));
    let err = exchanger.exchange(code()).await.unwrap_err();
    let Error::OAuth(p) = &err else {
        panic!("expected a provider error, not an unreadable answer: {err}")
    };
    assert_eq!(p.status(), Some(401));
    assert_eq!(p.code(), "invalid_client");
    assert!(p.is_from_status_only());
    assert!(err.is_invalid_client());
}

#[tokio::test]
async fn refresh_sample_echoing_the_refresh_token_keeps_it() {
    let (ciam, exchanger) = web_app().await;
    let echoed = SUCCESS_SAMPLE.replace(&sample_field("refresh_token"), "MOCK_REFRESH_TOKEN");
    ciam.push_reply(Reply::raw(200, JSON_UTF8, echoed));
    let tokens = exchanger
        .exchange(Grant::refresh_token("MOCK_REFRESH_TOKEN"))
        .await
        .unwrap();
    assert_eq!(
        tokens.refresh_token().unwrap().expose_secret(),
        "MOCK_REFRESH_TOKEN"
    );
    assert_eq!(tokens.expires_in(), Some(Duration::from_secs(299)));
}

#[tokio::test]
async fn pkce_sample_scope_with_two_values() {
    let (ciam, exchanger) = web_app().await;
    let sample = SUCCESS_SAMPLE.replace(
        r#""scope" : "openid""#,
        r#""scope" : "identity_proofing openid""#,
    );
    ciam.push_reply(Reply::raw(200, JSON_UTF8, sample));
    let tokens = exchanger.exchange(code()).await.unwrap();
    assert_eq!(
        tokens.scopes(),
        Some(&["identity_proofing".to_owned(), "openid".to_owned()][..])
    );
}

#[test]
fn jwks_sample_with_capital_keys_parses() {
    let jwks = Jwks::from_json(&serde_json::from_str(JWKS_SAMPLE).unwrap()).unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let key = jwks.find("f9694d93-...").unwrap();
    assert_eq!(key.kty, "RSA");
    assert_eq!(key.alg, None);
    assert_eq!(key.use_, None);
    assert_eq!(key.params["e"], "AQAB");
    let lower = JWKS_SAMPLE.replace("\"Keys\"", "\"keys\"");
    let jwks = Jwks::from_json(&serde_json::from_str(&lower).unwrap()).unwrap();
    assert_eq!(jwks.keys.len(), 1);
}

#[tokio::test]
async fn jwks_is_fetched_from_the_portal() {
    let (ciam, exchanger) = web_app().await;
    let jwks = exchanger.jwks().await.unwrap();
    // The emulator publishes the real public key it signs ID tokens with.
    let key = jwks.find("rsa-1").unwrap();
    assert_eq!(key.kty, "RSA");
    let requests = ciam.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/oauth2/jwks");
    assert!(requests[0].body.is_empty());
}

#[test]
fn discovery_sample_without_userinfo_or_revocation_parses() {
    let metadata: ProviderMetadata = serde_json::from_str(DISCOVERY_SAMPLE).unwrap();
    assert_eq!(
        metadata.issuer.as_deref(),
        Some("https://sample.portal.tencentciam.com")
    );
    assert_eq!(
        metadata.token_endpoint_url().unwrap().as_str(),
        "https://sample.portal.tencentciam.com/oauth2/token"
    );
    assert_eq!(
        metadata.token_endpoint_auth_methods_supported,
        Some(vec![
            "client_secret_basic".to_owned(),
            "client_secret_post".to_owned()
        ])
    );
    assert_eq!(
        metadata.jwks_uri.as_deref(),
        Some("https://sample.portal.tencentciam.com/oauth2/jwks")
    );
    assert_eq!(metadata.userinfo_endpoint, None);
    assert_eq!(metadata.revocation_endpoint, None);
    assert!(metadata.extra.get("end_session_endpoint").is_none());
}

#[tokio::test]
async fn discovery_is_fetched_from_the_portal() {
    let (ciam, exchanger) = web_app().await;
    let metadata = exchanger.metadata().await.unwrap().unwrap();
    assert_eq!(metadata.issuer.as_deref(), Some(ciam.base().as_str()));
    assert_eq!(
        metadata.token_endpoint,
        exchanger.token_endpoint().await.unwrap().as_str()
    );
    assert_eq!(metadata.userinfo_endpoint, None);
    assert_eq!(ciam.requests()[0].path, "/.well-known/openid-configuration");
}
