//! A browser's first step in a sign-in test: opening the authorization URL on an emulator
//! that approves at once, and reading the redirect back to the application without
//! following it.

use std::io;

use tokenbridge_core::reqwest;

/// The redirect an authorize endpoint answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The HTTP status (302, 303, ...), for tests that assert it.
    pub status: u16,
    /// The `Location`: the application's callback URL with the code (or the error) and the
    /// `state`.
    pub location: String,
}

/// Opens `url` as a browser would and returns its redirect unfollowed. An answer that is
/// not a redirect with a `Location` is an error carrying its status and body.
///
/// ```no_run
/// # async fn run(authorize_url: &str) -> std::io::Result<()> {
/// let redirect = tokenbridge_testkit::browser::open(authorize_url).await?;
/// assert_eq!(redirect.status, 302);
/// assert!(redirect.location.contains("code="));
/// # Ok(()) }
/// ```
pub async fn open(url: &str) -> io::Result<Redirect> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(io::Error::other)?;
    let answer = client.get(url).send().await.map_err(io::Error::other)?;
    let status = answer.status();
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    match location {
        Some(location) if status.is_redirection() => Ok(Redirect {
            status: status.as_u16(),
            location,
        }),
        _ => {
            let body = answer.text().await.unwrap_or_default();
            Err(io::Error::other(format!(
                "the authorize endpoint answered {status} without a redirect: {body}"
            )))
        }
    }
}
