//! The tokens a session hands out, with their deadline on tokio's clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::model::token::TokenSet;

#[derive(Clone)]
pub(super) struct Held {
    pub(super) tokens: Arc<TokenSet>,
    /// When the access token expires on tokio's clock; `None` when the provider did not say.
    pub(super) deadline: Option<Instant>,
    /// A caller reported the access token refused.
    pub(super) rejected: bool,
}

impl Held {
    /// Converts the wall-clock expiry into a deadline on tokio's clock, now, once.
    pub(super) fn new(tokens: Arc<TokenSet>) -> Self {
        let now = Instant::now();
        let deadline = match (tokens.expires_in(), tokens.expires_at()) {
            (Some(lifetime), _) if lifetime.is_zero() => Some(now),
            (Some(_), Some(at)) => {
                let left = at
                    .duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO);
                // Beyond what `Instant` can hold is as good as never.
                now.checked_add(left)
            }
            _ => None,
        };
        Self {
            tokens,
            deadline,
            rejected: false,
        }
    }

    /// Whether the access token can be handed out without renewing: not refused, and at
    /// least `margin` (and more than nothing) left.
    pub(super) fn fresh(&self, now: Instant, margin: Duration) -> bool {
        !self.rejected
            && self.deadline.is_none_or(|d| {
                let left = d.saturating_duration_since(now);
                !left.is_zero() && left >= margin
            })
    }

    /// Whether the access token still works at all, margin or not.
    pub(super) fn valid(&self, now: Instant) -> bool {
        !self.rejected && self.deadline.is_none_or(|d| d > now)
    }
}
