//! The relay's wallboards ([`crate::store::WallboardRow`]) on either store.

#[cfg(feature = "postgres")]
use super::RelayStore::Postgres;
use super::{blocking, RelayStore};
use crate::store::{Thresholds, WallboardRow};
use crate::CoreError;

impl RelayStore {
    /// Adds a wallboard whose code hashes to `code_hash` (of `group`, or the team); its id.
    pub async fn add_wallboard(
        &self,
        code_hash: &str,
        group: Option<&str>,
        thresholds: Thresholds,
    ) -> Result<i64, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let (hash, group) = (code_hash.to_owned(), group.map(str::to_owned));
                blocking(db, move |s| {
                    s.db().add_wallboard(&hash, group.as_deref(), thresholds)
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.add_wallboard(code_hash, group, thresholds).await,
        }
    }

    /// Every wallboard, oldest first.
    pub async fn wallboards(&self) -> Result<Vec<WallboardRow>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |s| s.db().wallboards()).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.wallboards().await,
        }
    }

    /// The wallboard whose code hashes to `code_hash`, unless revoked.
    pub async fn wallboard_for(&self, code_hash: &str) -> Result<Option<WallboardRow>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let hash = code_hash.to_owned();
                blocking(db, move |s| s.db().wallboard_for(&hash)).await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.wallboard_for(code_hash).await,
        }
    }

    /// Revokes wallboard `id`; whether there was one to revoke.
    pub async fn revoke_wallboard(&self, id: i64) -> Result<bool, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, move |s| s.db().revoke_wallboard(id)).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.revoke_wallboard(id).await,
        }
    }
}
