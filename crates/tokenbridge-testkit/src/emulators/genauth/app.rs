//! One emulated GenAuth application.

use tokenbridge_core::AuthMethod;

use super::{DEMO_APP_ID, DEMO_APP_SECRET};

/// One emulated application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAuthApp {
    /// The application id (`x-authing-app-id`, `client_id`).
    pub app_id: String,
    /// The application secret; `None` for `none`.
    pub app_secret: Option<String>,
    /// The "token exchange auth method", enforced on the ticket exchange and the token
    /// endpoints.
    pub auth_method: AuthMethod,
    /// The console switch "Web polling interface returns complete user information": an
    /// AUTHORIZED status then carries `tokenSet` instead of `ticket`.
    pub return_token_set: bool,
}

impl GenAuthApp {
    /// A confidential application using `auth_method`.
    pub fn new(app_id: &str, app_secret: &str, auth_method: AuthMethod) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: Some(app_secret.into()),
            auth_method,
            return_token_set: false,
        }
    }

    /// An application whose auth method is `none` (single-page and native apps).
    pub fn public(app_id: &str) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: None,
            auth_method: AuthMethod::None,
            return_token_set: false,
        }
    }

    /// [`DEMO_APP_ID`] with [`DEMO_APP_SECRET`], `client_secret_post`.
    pub fn demo() -> Self {
        Self::new(DEMO_APP_ID, DEMO_APP_SECRET, AuthMethod::ClientSecretPost)
    }

    /// The same application with the token set returned by the status poll.
    pub fn returning_token_set(mut self) -> Self {
        self.return_token_set = true;
        self
    }
}
