//! Unit tests of the provider: client authentication chosen from discovery, issuers.

use secrecy::SecretString;

use super::*;
use crate::protocol::auth::BasicEncoding;

/// Configured method, whether there is a secret, the advertised list, and the expected
/// method name or a part of the error message.
type Case<'a> = (
    Option<AuthMethod>,
    bool,
    Option<&'a [&'a str]>,
    std::result::Result<&'a str, &'a str>,
);

fn spec(method: Option<AuthMethod>, secret: bool) -> AuthSpec {
    AuthSpec::Secret {
        client_id: "app".into(),
        client_secret: secret.then(|| SecretString::from("s")),
        method,
        basic_encoding: BasicEncoding::default(),
    }
}

#[test]
fn auth_method_choice() {
    use AuthMethod::{ClientSecretBasic as Basic, ClientSecretPost as Post, None as Public};
    let all: &[&str] = &["none", "client_secret_post", "client_secret_basic"];
    let post_only: &[&str] = &["client_secret_post"];
    let jwt_only: &[&str] = &["private_key_jwt"];
    let empty: &[&str] = &[];
    let cases: Vec<Case<'_>> = vec![
        (None, true, None, Ok("client_secret_basic")),
        (None, true, Some(all), Ok("client_secret_basic")),
        (None, true, Some(post_only), Ok("client_secret_post")),
        (None, true, Some(empty), Ok("client_secret_basic")),
        (None, false, Some(post_only), Ok("none")),
        (None, false, None, Ok("none")),
        (
            None,
            true,
            Some(jwt_only),
            Err("advertises only [\"private_key_jwt\"]"),
        ),
        (Some(Post), true, None, Ok("client_secret_post")),
        (Some(Post), true, Some(all), Ok("client_secret_post")),
        (
            Some(Basic),
            true,
            Some(post_only),
            Err("client_secret_basic is configured"),
        ),
        (
            Some(Post),
            true,
            Some(jwt_only),
            Err("client_secret_post is configured"),
        ),
        // Public clients are not held to the list: providers often leave `none` out.
        (Some(Public), false, Some(post_only), Ok("none")),
    ];
    for (method, secret, advertised, expected) in cases {
        let advertised: Option<Vec<String>> =
            advertised.map(|l| l.iter().map(|s| (*s).to_owned()).collect());
        let got = build_auth(&spec(method, secret), advertised.as_deref());
        let what = format!("{method:?} secret={secret} {advertised:?}");
        match (got, expected) {
            (Ok(auth), Ok(name)) => assert_eq!(auth.method_name(), name, "{what}"),
            (Err(Error::Config { key, message }), Err(part)) => {
                assert_eq!(key.as_deref(), Some("auth_method"), "{what}");
                assert!(message.contains(part), "{what}: {message}");
            }
            (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
        }
    }
}

#[test]
fn protocol_names() {
    for (text, protocol) in [
        ("oidc", Protocol::Oidc),
        ("oauth", Protocol::OAuth2),
        ("oauth2", Protocol::OAuth2),
    ] {
        assert_eq!(text.parse::<Protocol>().unwrap(), protocol);
    }
    assert_eq!(Protocol::OAuth2.to_string(), "oauth");
    assert!(matches!(
        "saml".parse::<Protocol>(),
        Err(Error::Config { key: Some(k), .. }) if k == "protocol"
    ));
}
