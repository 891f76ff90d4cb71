//! Feishu's error codes and what they mean for a caller.
//!
//! The token codes (20001–20074; not every number in between exists) and their meanings are
//! documented on the code-exchange page
//! (<https://open.feishu.cn/document/authentication-management/access-token/get-user-access-token>)
//! and the refresh page
//! (<https://open.feishu.cn/document/authentication-management/access-token/refresh-user-access-token>),
//! with HTTP 400 except 20050 (500) and 20072 (503), the two the pages say to retry. The kind
//! of each follows from the documented meaning; the user info codes are not on the user info
//! page and are inferred.

use tokenbridge_core::{ErrorKind, ErrorMapping};

/// Every code the adapter classifies.
pub static ERRORS: &[ErrorMapping] = &[
    // A required parameter is missing.
    ErrorMapping::documented("20001", ErrorKind::InvalidRequest),
    // client_secret is wrong.
    ErrorMapping::documented("20002", ErrorKind::InvalidClient),
    // The code does not exist (or was used).
    ErrorMapping::documented("20003", ErrorKind::InvalidGrant),
    // The code has expired (5 minutes).
    ErrorMapping::documented("20004", ErrorKind::InvalidGrant),
    // The user does not exist any more: the grant cannot be honoured.
    ErrorMapping::documented("20008", ErrorKind::InvalidGrant),
    // The tenant has not installed the application.
    ErrorMapping::documented("20009", ErrorKind::AccessDenied),
    // The user may not use the application.
    ErrorMapping::documented("20010", ErrorKind::AccessDenied),
    // The code or refresh token was issued to another client_id.
    ErrorMapping::documented("20024", ErrorKind::InvalidGrant),
    // The refresh token is invalid (only v2 refresh tokens are accepted).
    ErrorMapping::documented("20026", ErrorKind::InvalidGrant),
    // grant_type is not supported.
    ErrorMapping::documented("20036", ErrorKind::Unsupported),
    // The refresh token has expired (or the 365-day authorization has ended).
    ErrorMapping::documented("20037", ErrorKind::InvalidGrant),
    // The application does not exist.
    ErrorMapping::documented("20048", ErrorKind::InvalidClient),
    // The PKCE check failed.
    ErrorMapping::documented("20049", ErrorKind::InvalidGrant),
    // Server error (HTTP 500); the page says to retry.
    ErrorMapping::documented("20050", ErrorKind::ProviderUnavailable),
    // The request is malformed.
    ErrorMapping::documented("20063", ErrorKind::InvalidRequest),
    // The refresh token was revoked.
    ErrorMapping::documented("20064", ErrorKind::InvalidGrant),
    // The code was already used.
    ErrorMapping::documented("20065", ErrorKind::InvalidGrant),
    // The user's status is invalid (e.g. resigned, frozen).
    ErrorMapping::documented("20066", ErrorKind::AccessDenied),
    // The scope lists one scope twice.
    ErrorMapping::documented("20067", ErrorKind::InvalidScope),
    // The scope asks for more than the user granted.
    ErrorMapping::documented("20068", ErrorKind::InvalidScope),
    // The application is disabled.
    ErrorMapping::documented("20069", ErrorKind::InvalidClient),
    // Both Basic authentication and client_secret were sent.
    ErrorMapping::documented("20070", ErrorKind::InvalidClient),
    // redirect_uri differs from the authorize request's.
    ErrorMapping::documented("20071", ErrorKind::InvalidGrant),
    // Temporarily unavailable (HTTP 503); the page says to retry.
    ErrorMapping::documented("20072", ErrorKind::ProviderUnavailable),
    // The refresh token was already used (rotation).
    ErrorMapping::documented("20073", ErrorKind::InvalidGrant),
    // The application may not refresh tokens (the console switch is off).
    ErrorMapping::documented("20074", ErrorKind::InvalidClient),
    // User info with an invalid or expired access token. inferred: the user info page lists
    // no codes; these are the Open Platform's general codes for a bad user_access_token.
    ErrorMapping::inferred("99991668", ErrorKind::InvalidToken),
    ErrorMapping::inferred("99991677", ErrorKind::InvalidToken),
];
