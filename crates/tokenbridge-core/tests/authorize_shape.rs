//! The authorization request as a vendor's `AuthorizeShape` says (the client-id parameter's
//! name, fixed parameters, a fragment, the scope separator, no PKCE or nonce), and token
//! parameters a vendor does not take (`TokenRequestShape::omit_params`).

use tokenbridge_core::{
    AuthMethod, ErrorKind, ExposeSecret, Grant, HttpMethod, ParamsIn, Provider, SecretString,
    VendorDescription,
};

/// Shaped like WeChat's QR login and DingTalk's sign-in at once.
static SHAPED: VendorDescription = {
    let mut d = VendorDescription::standard("shaped", "Shaped");
    d.paths.authorization = Some("https://login.example.com/connect/qr");
    d.paths.token = Some("https://api.example.com/oauth/token");
    d.auth_methods = &[AuthMethod::ClientSecretPost];
    d.default_scopes = &["openid", "login"];
    d.authorize.client_id_param = "appid";
    d.authorize.params = &[("prompt", "consent")];
    d.authorize.fragment = Some("vendor_redirect");
    d.authorize.scope_separator = ",";
    d.authorize.pkce = false;
    d.authorize.nonce = tokenbridge_core::NonceMode::Never;
    d.token_request.method = HttpMethod::Get;
    d.token_request.params_in = ParamsIn::Query;
    d.token_request.omit_params = &["redirect_uri", "code_verifier"];
    d
};

fn provider() -> Provider {
    Provider::builder("corp")
        .vendor(&SHAPED)
        .client_id("app 1")
        .client_secret(SecretString::from("s3cr+t"))
        .redirect_uri("https://app.example.com/cb")
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_sign_in_url_follows_the_shape() {
    let request = provider().authorization_request().build().await.unwrap();
    let state = request.pending.state().expose_secret().to_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "https://login.example.com/connect/qr?response_type=code&appid=app+1\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid%2Clogin\
             &state={state}&prompt=consent#vendor_redirect"
        )
    );
    assert!(request.pending.nonce().is_none());
}

#[tokio::test]
async fn a_callers_parameter_replaces_a_fixed_one_and_the_client_id_name_is_reserved() {
    let p = provider();
    let request = p
        .authorization_request()
        .param("prompt", "login")
        .build()
        .await
        .unwrap();
    let prompts: Vec<String> = request
        .url
        .query_pairs()
        .filter(|(k, _)| k == "prompt")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(prompts, ["login"]);
    let error = p
        .authorization_request()
        .param("appid", "other")
        .build()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn omitted_parameters_are_not_sent() {
    let request = provider()
        .build_request(&Grant::authorization_code(
            "c0de",
            "https://app.example.com/cb",
        ))
        .await
        .unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/oauth/token\
         ?grant_type=authorization_code&code=c0de&client_id=app+1&client_secret=s3cr%2Bt"
    );
}

#[tokio::test]
async fn the_standard_shape_keeps_pkce_and_nonce() {
    let mut d = VendorDescription::standard("std", "Standard");
    d.paths.authorization = Some("https://id.example.com/authorize");
    d.paths.token = Some("https://id.example.com/token");
    let p = Provider::builder("std")
        .vendor(Box::leak(Box::new(d)))
        .client_id("a")
        .redirect_uri("https://app.example.com/cb")
        .build()
        .unwrap();
    let request = p.authorization_request().build().await.unwrap();
    let names: Vec<String> = request
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    assert_eq!(request.url.fragment(), None);
}

#[tokio::test]
async fn the_nonce_follows_the_shapes_mode_whatever_the_scopes() {
    use tokenbridge_core::NonceMode;
    for (mode, scopes, sent) in [
        (NonceMode::WithOpenid, ["name", "email"], false),
        (NonceMode::WithOpenid, ["openid", "email"], true),
        (NonceMode::Always, ["name", "email"], true),
        (NonceMode::Never, ["openid", "email"], false),
    ] {
        let mut d = VendorDescription::standard("std", "Standard");
        d.paths.authorization = Some("https://id.example.com/authorize");
        d.paths.token = Some("https://id.example.com/token");
        d.authorize.nonce = mode;
        let p = Provider::builder("std")
            .vendor(Box::leak(Box::new(d)))
            .client_id("a")
            .redirect_uri("https://app.example.com/cb")
            .build()
            .unwrap();
        let request = p
            .authorization_request()
            .scopes(scopes)
            .build()
            .await
            .unwrap();
        let in_url = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "nonce")
            .map(|(_, v)| v.into_owned());
        let pending = request
            .pending
            .nonce()
            .map(|n| n.expose_secret().to_owned());
        assert_eq!(in_url, pending, "{mode:?} {scopes:?}");
        assert_eq!(in_url.is_some(), sent, "{mode:?} {scopes:?}");
    }
}
