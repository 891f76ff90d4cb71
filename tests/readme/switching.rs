use tokenbridge::{Config, Grant, Provider, Registry, TokenExchanger, TokenSet};

/// At start-up: the provider the configuration names, whichever vendor it is.
fn provider_from(config_file: &str, name: &str) -> tokenbridge::Result<Provider> {
    let config = Config::from_file(config_file)?;
    Registry::new().build(&config, name)
}

/// Per sign-in: the same code for every vendor.
async fn sign_in_with(provider: &Provider, code: String) -> tokenbridge::Result<TokenSet> {
    let grant = Grant::authorization_code(code, "https://app.example.com/callback");
    provider.exchange(grant).await
}
