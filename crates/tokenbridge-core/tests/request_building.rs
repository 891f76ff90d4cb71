//! The exact bytes of every token request `Provider::build_request` builds: each
//! grant with each client authentication method, awkward client ids and secrets included.

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::Method;
use secrecy::SecretString;
use tokenbridge_core::form_encode;
use tokenbridge_core::ClientAuth;
use tokenbridge_core::{
    AuthMethod, BasicEncoding, BodyEncoding, ClientSecretBasic, ClientSecretPost, Error, Grant,
    GrantKind, NoClientAuth, PkceVerifier, Provider, TokenRequest, Url,
};

const TOKEN_ENDPOINT: &str = "https://id.example.com/oauth2/token";
const WEIRD_ID: &str = "weird:client id+/%";
const WEIRD_SECRET: &str = "a+b/c:d%e f";
/// `WEIRD_ID` form-urlencoded.
const WEIRD_ID_FORM: &str = "weird%3Aclient+id%2B%2F%25";
/// `WEIRD_SECRET` form-urlencoded.
const WEIRD_SECRET_FORM: &str = "a%2Bb%2Fc%3Ad%25e+f";
/// `Basic base64("weird%3Aclient+id%2B%2F%25:a%2Bb%2Fc%3Ad%25e+f")` (RFC 6749 section 2.3.1).
const WEIRD_BASIC: &str = "Basic d2VpcmQlM0FjbGllbnQraWQlMkIlMkYlMjU6YSUyQmIlMkZjJTNBZCUyNWUrZg==";
/// `Basic base64("weird:client id+/%:a+b/c:d%e f")`, for servers that want them raw.
const WEIRD_BASIC_RAW: &str = "Basic d2VpcmQ6Y2xpZW50IGlkKy8lOmErYi9jOmQlZSBm";

fn exchanger(method: AuthMethod, encoding: BasicEncoding) -> Provider {
    let mut builder = Provider::builder("corp")
        .token_endpoint(TOKEN_ENDPOINT)
        .client_id(WEIRD_ID)
        .auth_method(method)
        .basic_encoding(encoding);
    if method.needs_secret() {
        builder = builder.client_secret(SecretString::from(WEIRD_SECRET));
    }
    builder.build().unwrap()
}

fn body(request: &TokenRequest) -> String {
    String::from_utf8(request.body_bytes()).unwrap()
}

/// Every grant the standard exchanger sends, with its exact form body before client auth.
fn grants() -> Vec<(&'static str, Grant, String)> {
    vec![
        (
            "code",
            Grant::authorization_code("c0de/+ ok", "https://app.example.com/cb?x=1&y=2"),
            "grant_type=authorization_code&code=c0de%2F%2B+ok\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1%26y%3D2"
                .to_owned(),
        ),
        (
            "code without redirect_uri",
            Grant::authorization_code_without_redirect_uri("c1"),
            "grant_type=authorization_code&code=c1".to_owned(),
        ),
        (
            "code with PKCE",
            Grant::authorization_code("c2", "http://127.0.0.1:8080/callback").with_pkce_verifier(
                PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap(),
            ),
            "grant_type=authorization_code&code=c2\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback\
             &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
                .to_owned(),
        ),
        (
            "refresh",
            Grant::refresh_token("rt-1"),
            "grant_type=refresh_token&refresh_token=rt-1".to_owned(),
        ),
        (
            "refresh with scopes",
            Grant::refresh_token("rt+2").with_scopes(["openid", "read:all"]),
            "grant_type=refresh_token&refresh_token=rt%2B2&scope=openid+read%3Aall".to_owned(),
        ),
        (
            "client credentials",
            Grant::client_credentials(),
            "grant_type=client_credentials".to_owned(),
        ),
        (
            "client credentials with scopes",
            Grant::client_credentials().with_scopes(["api.read", "api.write"]),
            "grant_type=client_credentials&scope=api.read+api.write".to_owned(),
        ),
        (
            "other",
            Grant::extension("urn:ietf:params:oauth:grant-type:token-exchange")
                .with_secret_param("subject_token", "st 1")
                .with_secret_param(
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange\
             &subject_token=st+1\
             &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
                .to_owned(),
        ),
    ]
}

#[tokio::test]
async fn every_grant_with_every_auth_method() {
    // (method, basic encoding, what client auth appends to the body, Authorization header)
    let methods: Vec<(AuthMethod, BasicEncoding, String, Option<&str>)> = vec![
        (
            AuthMethod::None,
            BasicEncoding::default(),
            format!("&client_id={WEIRD_ID_FORM}"),
            None,
        ),
        (
            AuthMethod::ClientSecretPost,
            BasicEncoding::default(),
            format!("&client_id={WEIRD_ID_FORM}&client_secret={WEIRD_SECRET_FORM}"),
            None,
        ),
        (
            AuthMethod::ClientSecretBasic,
            BasicEncoding::FormUrlEncoded,
            String::new(),
            Some(WEIRD_BASIC),
        ),
        (
            AuthMethod::ClientSecretBasic,
            BasicEncoding::Raw,
            String::new(),
            Some(WEIRD_BASIC_RAW),
        ),
    ];
    for (method, encoding, auth_suffix, authorization) in methods {
        let exchanger = exchanger(method, encoding);
        assert_eq!(exchanger.auth_method_name().await.unwrap(), method.as_str());
        for (name, grant, grant_body) in grants() {
            let what = format!("{method} ({encoding:?}), {name}");
            let request = exchanger.build_request(&grant).await.unwrap();
            assert_eq!(request.method(), Method::POST, "{what}");
            assert_eq!(request.endpoint().as_str(), TOKEN_ENDPOINT, "{what}");
            assert_eq!(request.url().as_str(), TOKEN_ENDPOINT, "{what}");
            assert_eq!(request.encoding(), BodyEncoding::Form, "{what}");
            assert_eq!(
                body(&request),
                format!("{grant_body}{auth_suffix}"),
                "{what}"
            );

            let headers = request.headers_to_send();
            assert_eq!(
                headers[CONTENT_TYPE], "application/x-www-form-urlencoded",
                "{what}"
            );
            match authorization {
                Some(value) => {
                    assert_eq!(headers[AUTHORIZATION], value, "{what}");
                    assert!(headers[AUTHORIZATION].is_sensitive(), "{what}");
                }
                None => assert!(headers.get(AUTHORIZATION).is_none(), "{what}"),
            }
            // Content-Type and, for Basic, Authorization: nothing else.
            assert_eq!(
                headers.len(),
                1 + usize::from(authorization.is_some()),
                "{what}"
            );
        }
    }
}

#[test]
fn basic_header_encodes_before_base64() {
    let secret = SecretString::from(WEIRD_SECRET);
    let rfc = ClientSecretBasic::new(WEIRD_ID, secret.clone());
    assert_eq!(rfc.header_value(), WEIRD_BASIC);
    let raw = ClientSecretBasic::new(WEIRD_ID, secret).with_encoding(BasicEncoding::Raw);
    assert_eq!(raw.header_value(), WEIRD_BASIC_RAW);
    // Plain ids and secrets come out the same either way.
    let plain = ClientSecretBasic::new("app", SecretString::from("s3cret"));
    assert_eq!(plain.header_value(), "Basic YXBwOnMzY3JldA==");
    assert_eq!(
        plain.with_encoding(BasicEncoding::Raw).header_value(),
        "Basic YXBwOnMzY3JldA=="
    );
}

#[test]
fn post_form_body_is_exact() {
    let mut request = TokenRequest::post(Url::parse(TOKEN_ENDPOINT).unwrap(), BodyEncoding::Form);
    request
        .param("grant_type", "client_credentials")
        .param("scope", "a b")
        // A client id or secret already present (e.g. from a grant's open parameters) is
        // replaced, never sent twice.
        .param("client_id", "stale");
    ClientSecretPost::new(WEIRD_ID, SecretString::from(WEIRD_SECRET))
        .apply(&mut request)
        .unwrap();
    assert_eq!(
        body(&request),
        format!(
            "grant_type=client_credentials&scope=a+b&client_id={WEIRD_ID_FORM}&client_secret={WEIRD_SECRET_FORM}"
        )
    );
    assert!(request.headers().is_empty());
    assert_eq!(
        request.param_names().collect::<Vec<_>>(),
        ["grant_type", "scope", "client_id", "client_secret"]
    );
    // The same bytes as the standalone form encoder.
    assert_eq!(
        form_encode([("client_id", WEIRD_ID), ("client_secret", WEIRD_SECRET)]),
        format!("client_id={WEIRD_ID_FORM}&client_secret={WEIRD_SECRET_FORM}")
    );
}

#[test]
fn json_body_with_client_secret_post_is_exact() {
    let mut request = TokenRequest::post(Url::parse(TOKEN_ENDPOINT).unwrap(), BodyEncoding::Json);
    request
        .param("grant_type", "client_credentials")
        .param("scope", "read write")
        .secret_param("ticket", &SecretString::from("t\"1\\é"));
    ClientSecretPost::new(WEIRD_ID, SecretString::from(WEIRD_SECRET))
        .apply(&mut request)
        .unwrap();
    assert_eq!(
        body(&request),
        r#"{"client_id":"weird:client id+/%","client_secret":"a+b/c:d%e f","grant_type":"client_credentials","scope":"read write","ticket":"t\"1\\é"}"#
    );
    assert_eq!(request.content_type(), Some("application/json"));
    assert_eq!(request.headers_to_send()[CONTENT_TYPE], "application/json");
}

#[test]
fn basic_and_none_move_credentials_out_of_the_body() {
    for auth in [
        Box::new(ClientSecretBasic::new(
            WEIRD_ID,
            SecretString::from(WEIRD_SECRET),
        )) as Box<dyn ClientAuth>,
        Box::new(NoClientAuth::new("pub")),
    ] {
        let mut request =
            TokenRequest::post(Url::parse(TOKEN_ENDPOINT).unwrap(), BodyEncoding::Form);
        request
            .param("grant_type", "refresh_token")
            .param("client_id", "stale")
            .secret_param("client_secret", &SecretString::from("stale-secret"));
        auth.apply(&mut request).unwrap();
        let expected = match auth.method_name() {
            "client_secret_basic" => "grant_type=refresh_token",
            _ => "grant_type=refresh_token&client_id=pub",
        };
        assert_eq!(body(&request), expected, "{}", auth.method_name());
    }
}

#[tokio::test]
async fn a_grant_the_exchanger_does_not_accept_is_refused_before_anything_is_built() {
    let exchanger = Provider::builder("corp")
        .token_endpoint(TOKEN_ENDPOINT)
        .client_id("app")
        .grants([GrantKind::ClientCredentials])
        .build()
        .unwrap();
    let err = exchanger
        .build_request(&Grant::refresh_token("rt"))
        .await
        .unwrap_err();
    match err {
        Error::UnsupportedGrant {
            provider,
            grant,
            supported,
        } => {
            assert_eq!(provider, "corp");
            assert_eq!(grant, GrantKind::RefreshToken);
            assert_eq!(supported, [GrantKind::ClientCredentials]);
        }
        other => panic!("expected UnsupportedGrant, got {other:?}"),
    }

    // Extra parameters (RFC 8707 `resource`, `audience`) ride on any grant, after its own.
    let exchanger = Provider::builder("corp")
        .token_endpoint(TOKEN_ENDPOINT)
        .client_id("app")
        .client_secret(SecretString::from("s"))
        .auth_method(AuthMethod::ClientSecretPost)
        .build()
        .unwrap();
    let request = exchanger
        .build_request(
            &Grant::client_credentials()
                .with_scopes(["read"])
                .with_param("resource", "https://api.example.com/")
                .with_param("audience", "api 1"),
        )
        .await
        .unwrap();
    assert_eq!(
        body(&request),
        "grant_type=client_credentials&scope=read\
         &resource=https%3A%2F%2Fapi.example.com%2F&audience=api+1&client_id=app&client_secret=s"
    );
}

#[test]
fn builder_refuses_bad_configuration() {
    let cases: Vec<(tokenbridge_core::ProviderBuilder, &str, &str)> = vec![
        (
            Provider::builder("corp").client_id("app"),
            "token_endpoint",
            "no token endpoint: set token_endpoint, or issuer for discovery",
        ),
        (
            Provider::builder("corp")
                .token_endpoint(TOKEN_ENDPOINT)
                .issuer("https://id.example.com")
                .client_id("app"),
            "token_endpoint",
            "set either token_endpoint or issuer (discovery), not both",
        ),
        (
            Provider::builder("corp").token_endpoint(TOKEN_ENDPOINT),
            "client_id",
            "the client id is missing",
        ),
        (
            Provider::builder("corp")
                .token_endpoint(TOKEN_ENDPOINT)
                .client_id(""),
            "client_id",
            "the client id is missing",
        ),
        (
            Provider::builder("corp")
                .token_endpoint(TOKEN_ENDPOINT)
                .client_id("app")
                .auth_method(AuthMethod::ClientSecretBasic),
            "client_secret",
            "auth method client_secret_basic needs a client secret; set one, or use auth_method \"none\" for a public client (with PKCE)",
        ),
        (
            Provider::builder("")
                .token_endpoint(TOKEN_ENDPOINT)
                .client_id("app"),
            "provider",
            "the provider id is empty",
        ),
        (
            Provider::builder("corp")
                .token_endpoint("http://id.example.com/token")
                .client_id("app"),
            "token_endpoint",
            "http://id.example.com/token uses http to a non-loopback host; credentials would \
             travel unencrypted. Use https (http is allowed only for 127.0.0.0/8, ::1 and localhost)",
        ),
        (
            Provider::builder("corp")
                .issuer("http://10.1.2.3")
                .client_id("app"),
            "issuer",
            "http://10.1.2.3/ uses http to a non-loopback host; credentials would travel \
             unencrypted. Use https (http is allowed only for 127.0.0.0/8, ::1 and localhost)",
        ),
        (
            Provider::builder("corp")
                .token_endpoint("https://app:hunter2@id.example.com/token")
                .client_id("app"),
            "token_endpoint",
            "https://id.example.com/token must not carry a user name or password; configure \
             client_id and client_secret instead",
        ),
    ];
    for (builder, key, message) in cases {
        match builder.build() {
            Err(Error::Config {
                key: Some(k),
                message: m,
            }) => {
                assert_eq!((k.as_str(), m.as_str()), (key, message));
            }
            other => panic!("{key}: expected Error::Config, got {other:?}"),
        }
    }
}
