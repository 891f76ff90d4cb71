use tokenbridge::{Config, Grant, Registry, TokenSet};

/// The whole sign-in, for whichever vendor the configuration names as `provider`.
async fn sign_in_with(
    config_file: &str,
    provider: &str,
    code: String,
) -> tokenbridge::Result<TokenSet> {
    let config = Config::from_file(config_file)?;
    let exchanger = Registry::new().build(&config, provider)?; // Arc<dyn TokenExchanger>
    exchanger
        .exchange(Grant::authorization_code(
            code,
            "https://app.example.com/callback",
        ))
        .await
}
