//! Which request bodies [`TokenService`](crate::TokenService) may send twice.

use bytes::Bytes;
use http_body_util::combinators::{BoxBody, UnsyncBoxBody};
use http_body_util::{Empty, Full, StreamBody};

/// A request body that can say whether it can be sent a second time.
///
/// [`TokenService`](crate::TokenService) resends a request whose token was refused only when
/// its body clones. A buffered body returns `Some(copy)`; a streaming body, whose bytes are
/// gone once sent, returns `None`, and then the 401 is returned as it is.
///
/// For a body type of your own, implement it; for a body type of another crate, wrap it in a
/// newtype of yours that implements both this trait and `http_body::Body`.
///
/// ```
/// use tokenbridge_middleware::TryCloneBody;
///
/// /// A body read from a channel: it streams, so it is never resent.
/// struct Upload(tokio::sync::mpsc::Receiver<bytes::Bytes>);
///
/// impl TryCloneBody for Upload {
///     fn try_clone_body(&self) -> Option<Self> {
///         None
///     }
/// }
/// # let (_tx, rx) = tokio::sync::mpsc::channel(1);
/// # assert!(Upload(rx).try_clone_body().is_none());
/// ```
pub trait TryCloneBody: Sized {
    /// A copy of the body to send again, or `None` when it cannot be sent twice.
    fn try_clone_body(&self) -> Option<Self>;
}

/// Implements the trait for bodies that are plain `Clone` values.
macro_rules! cloneable {
    ($($ty:ty),* $(,)?) => {
        $(
            impl TryCloneBody for $ty {
                fn try_clone_body(&self) -> Option<Self> {
                    Some(self.clone())
                }
            }
        )*
    };
}

cloneable!((), String, Vec<u8>, Bytes, &'static str, &'static [u8]);

impl<D: Clone> TryCloneBody for Full<D> {
    fn try_clone_body(&self) -> Option<Self> {
        Some(self.clone())
    }
}

impl<D> TryCloneBody for Empty<D> {
    fn try_clone_body(&self) -> Option<Self> {
        Some(Empty::new())
    }
}

impl<D, E> TryCloneBody for BoxBody<D, E> {
    fn try_clone_body(&self) -> Option<Self> {
        None
    }
}

impl<D, E> TryCloneBody for UnsyncBoxBody<D, E> {
    fn try_clone_body(&self) -> Option<Self> {
        None
    }
}

impl<S> TryCloneBody for StreamBody<S> {
    fn try_clone_body(&self) -> Option<Self> {
        None
    }
}
