//! Requests out and answers in: the request type, the HTTP client with its safe defaults and
//! the transport seam under it, the vendor request and response shapes, and the lenient
//! response pipeline (`wire`) that turns an answer into tokens or a typed error.

pub(crate) mod config;
pub(crate) mod endpoint_url;
pub(crate) mod http;
pub(crate) mod request;
pub(crate) mod request_auth;
#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_transport;
pub(crate) mod seam;
pub(crate) mod shape;
pub(crate) mod url;
pub(crate) mod wire;
