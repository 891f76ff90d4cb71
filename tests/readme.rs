//! The README's code example, compiled and run against the loopback emulator, so the README
//! cannot drift from the real API.

use tokenbridge::AuthMethod;
use tokenbridge_testkit::{ClientRegistration, OidcEmulator, Profile};

include!("readme/example.rs");

#[test]
fn the_readme_shows_the_example_verbatim() {
    let readme = include_str!("../README.md");
    let example = include_str!("readme/example.rs");
    assert!(
        readme.contains(&format!("```rust\n{example}```")),
        "README.md must contain tests/readme/example.rs as its ```rust example"
    );
}

#[tokio::test]
async fn the_readme_example_signs_in() {
    let emulator = OidcEmulator::start(Profile::standard()).await.unwrap();
    emulator
        .provider()
        .register_client(ClientRegistration::confidential(
            "my-app",
            "s3cret",
            AuthMethod::ClientSecretBasic,
        ));
    let code = emulator.issue_code("my-app", "https://app.example.com/callback", None);

    let access_token = sign_in(
        emulator.issuer(),
        SecretString::from("s3cret"),
        code.clone(),
    )
    .await
    .unwrap();
    assert_eq!(access_token.map(|t| t.split('.').count()), Some(3));

    // The same code again: refused as an invalid grant, which the example turns into None.
    let again = sign_in(emulator.issuer(), SecretString::from("s3cret"), code)
        .await
        .unwrap();
    assert_eq!(again, None);
}
