use tokenbridge::{ExposeSecret, Grant, SecretString, Provider, TokenExchanger};

/// Exchanges the code the browser brought back to the callback for an access token.
/// `Ok(None)`: the code was already used or has expired, so the user signs in again.
async fn sign_in(
    issuer: &str,
    client_secret: SecretString,
    code: String,
) -> tokenbridge::Result<Option<String>> {
    let exchanger = Provider::builder("corp")
        .issuer(issuer) // the token endpoint and auth method come from discovery
        .client_id("my-app")
        .client_secret(client_secret)
        .build()?;
    let grant = Grant::authorization_code(code, "https://app.example.com/callback");
    let tokens = match exchanger.exchange(grant).await {
        Ok(tokens) => tokens,
        Err(e) if e.is_invalid_grant() => return Ok(None),
        Err(e) => return Err(e),
    };
    println!("{tokens}"); // Bearer token from corp, expires in 3600s, with refresh token, ...
    println!("{tokens:?}"); // every token shows as [redacted]
    Ok(Some(tokens.access_token().expose_secret().to_owned()))
}
