//! Where the sources, their statuses and their copies are kept: a single
//! node's SQLite store (direct mode, the app, a relay on SQLite; each call on
//! a blocking thread), or a relay cluster's PostgreSQL database, shared by
//! every node — one syncs at a time ([`SourceStore::sync_turn`]).

use super::carddav::{Changes, Kept};
use super::{Entry, Found, SourceConfig, SourceError, SourceName, SourceNumber, SourceStatus};
use crate::store::Database;
use crate::CoreError;
use std::path::PathBuf;
use time::OffsetDateTime;

/// The store of the sources.
#[derive(Clone)]
pub enum SourceStore {
    /// The SQLite database at this path.
    Sqlite(PathBuf),
    /// A relay cluster's database.
    #[cfg(feature = "postgres")]
    Postgres(crate::store::pg::PgStore),
}

/// A node's turn to sync (always given on SQLite; on PostgreSQL an advisory
/// lock, released when this is dropped).
pub enum SyncTurn {
    /// A single node: no one else syncs.
    Alone,
    /// The cluster's lock, held.
    #[cfg(feature = "postgres")]
    Cluster(crate::store::pg::sources::SyncTurn),
}

/// Runs `op` on the SQLite database at `path`, on a blocking thread.
async fn on_sqlite<T: Send + 'static>(
    path: &std::path::Path,
    op: impl FnOnce(&mut Database) -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || op(&mut Database::open(&path)?))
        .await
        .expect("the store does not panic")
}

/// One method of both stores: SQLite's on a blocking thread with owned
/// arguments, PostgreSQL's awaited.
macro_rules! each_store {
    ($store:expr, |$db:ident| $sqlite:expr, |$pg:ident| $postgres:expr) => {
        match $store {
            SourceStore::Sqlite(path) => on_sqlite(path, move |$db| $sqlite).await,
            #[cfg(feature = "postgres")]
            SourceStore::Postgres($pg) => $postgres.await,
        }
    };
}

impl SourceStore {
    /// This node's turn to sync, unless another node of the cluster has it.
    pub async fn sync_turn(&self) -> Result<Option<SyncTurn>, CoreError> {
        match self {
            SourceStore::Sqlite(_) => Ok(Some(SyncTurn::Alone)),
            #[cfg(feature = "postgres")]
            SourceStore::Postgres(pg) => Ok(pg.sync_turn().await?.map(SyncTurn::Cluster)),
        }
    }

    /// Every source with its status, in the order they are asked.
    pub async fn sources(&self) -> Result<Vec<SourceStatus>, CoreError> {
        each_store!(self, |db| db.sources(), |pg| pg.sources())
    }

    /// Adds a source, asked last; false if its name is taken.
    pub async fn add_source(&self, config: SourceConfig) -> Result<bool, CoreError> {
        each_store!(self, |db| db.add_source(&config), |pg| pg
            .add_source(&config))
    }

    /// Removes a source and its copy; false if there was none.
    pub async fn remove_source(&self, name: SourceName) -> Result<bool, CoreError> {
        each_store!(self, |db| db.remove_source(&name), |pg| pg
            .remove_source(&name))
    }

    /// Puts `first` first; the unknown names, nothing changed if any.
    pub async fn order_sources(&self, first: Vec<String>) -> Result<Vec<String>, CoreError> {
        each_store!(self, |db| db.order_sources(&first), |pg| pg
            .order_sources(&first))
    }

    /// Tells running listeners that `name`'s password changed; false if no such source.
    pub async fn password_changed(&self, name: SourceName) -> Result<bool, CoreError> {
        each_store!(self, |db| db.password_changed(&name), |pg| pg
            .password_changed(&name))
    }

    /// Replaces the copy of `name` with a sync's `numbers` of `entries` entries.
    pub async fn save_copy(
        &self,
        name: SourceName,
        entries: usize,
        mut numbers: Vec<SourceNumber>,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        each_store!(
            self,
            |db| db.save_copy(&name, entries, &mut numbers, at),
            |pg| pg.save_copy(&name, entries, &mut numbers, at)
        )
    }

    /// Records why a sync of `name` failed; its copy stays.
    pub async fn save_failure(
        &self,
        name: SourceName,
        error: SourceError,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        each_store!(self, |db| db.save_failure(&name, &error, at), |pg| pg
            .save_failure(&name, &error, at))
    }

    /// Records that `name` (a CRM) answered.
    pub async fn save_answered(
        &self,
        name: SourceName,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        each_store!(self, |db| db.save_answered(&name, at), |pg| pg
            .save_answered(&name, at))
    }

    /// What the last sync of the CardDAV source `name` kept.
    pub async fn kept_cards(&self, name: SourceName) -> Result<Kept, CoreError> {
        each_store!(self, |db| db.kept_cards(&name), |pg| pg.kept_cards(&name))
    }

    /// Applies a CardDAV sync's changes, then gives every card's entry.
    pub async fn save_cards(
        &self,
        name: SourceName,
        changes: Changes,
    ) -> Result<Vec<Entry>, CoreError> {
        each_store!(self, |db| db.save_cards(&name, &changes), |pg| pg
            .save_cards(&name, &changes))
    }

    /// Every source that knows `phone_norm`, in the order they are asked.
    pub async fn who_knows(&self, phone_norm: String) -> Result<Vec<Found>, CoreError> {
        each_store!(self, |db| db.who_knows(&phone_norm), |pg| pg
            .who_knows(&phone_norm))
    }
}
