//! tokenbridge: exchange credentials for tokens with any of several identity vendors through
//! one interface.
//!
//! This facade re-exports [`tokenbridge_core`]; vendor adapters are added by feature.

pub use tokenbridge_core::*;
