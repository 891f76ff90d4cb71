//! The session store behind [`WebAuth::layer`](crate::WebAuth::layer), whichever the
//! application chose.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Result;
use tower_sessions::SessionStore;

/// Any tower-sessions [`SessionStore`] behind one type, so [`AuthLayer`](crate::AuthLayer)
/// does not depend on the store chosen.
#[derive(Clone)]
pub struct SharedStore(Arc<dyn SessionStore>);

impl SharedStore {
    /// Wraps `store`.
    pub fn new(store: impl SessionStore) -> Self {
        Self(Arc::new(store))
    }
}

impl fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[async_trait]
impl SessionStore for SharedStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        self.0.create(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0.save(record).await
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        self.0.load(id).await
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.delete(id).await
    }
}
