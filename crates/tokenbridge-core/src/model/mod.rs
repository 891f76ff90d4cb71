//! The values tokenbridge hands around: tokens, grants, PKCE verifiers, DPoP keys. Data with
//! its own rules (redaction, validation), and no I/O.

pub(crate) mod dpop;
pub(crate) mod grant;
pub(crate) mod pkce;
pub(crate) mod random;
pub(crate) mod token;
