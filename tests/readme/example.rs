use tokenbridge::{ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger};

/// Built once at start-up and shared (it is cheap to clone): discovery runs once, on first use.
fn corp(issuer: &str, client_secret: SecretString) -> tokenbridge::Result<Provider> {
    Provider::builder("corp")
        .issuer(issuer) // the endpoints and the auth method come from discovery
        .client_id("my-app")
        .client_secret(client_secret)
        .build()
}

/// Exchanges the code the browser brought back to the callback for an access token.
/// `Ok(None)`: the code was already used or has expired, so the user signs in again.
async fn sign_in(provider: &Provider, code: String) -> tokenbridge::Result<Option<String>> {
    let grant = Grant::authorization_code(code, "https://app.example.com/callback");
    let tokens = match provider.exchange(grant).await {
        Ok(tokens) => tokens,
        Err(e) if e.kind() == ErrorKind::InvalidGrant => return Ok(None),
        Err(e) => return Err(e),
    };
    println!("{tokens}"); // Bearer token from corp, expires in 3600s, with refresh token, ...
    println!("{tokens:?}"); // every token shows as [redacted]
    Ok(Some(tokens.access_token().expose_secret().to_owned()))
}
