//! A single relay node's store: the same SQLite file as its journal and
//! calls, behind a lock, its calls run off the async workers.

use super::rows::RelayStatus;
use crate::config::DataDir;
use crate::store::{AgentRow, Database, JournalEntry, Kept};
use crate::CoreError;
use std::sync::{Arc, Mutex};

/// Runs a SQLite call off the async workers.
pub(in crate::reach::relay) async fn blocking<T: Send + 'static>(
    store: &Arc<SqliteRelayStore>,
    call: impl FnOnce(&SqliteRelayStore) -> Result<T, CoreError> + Send + 'static,
) -> Result<T, CoreError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|_| CoreError::WriterGone)?
}

/// The relay's store in the same SQLite file as its journal and calls.
pub struct SqliteRelayStore(Mutex<Database>);

impl SqliteRelayStore {
    /// Opens the relay's database.
    pub fn open(data: &DataDir) -> Result<SqliteRelayStore, CoreError> {
        Ok(SqliteRelayStore(Mutex::new(Database::open(
            &data.database_path(),
        )?)))
    }

    pub(in crate::reach::relay) fn db(&self) -> std::sync::MutexGuard<'_, Database> {
        self.0.lock().expect("relay store lock")
    }

    /// Adds an agent; its id.
    pub fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        self.db().add_agent(ext, token_hash)
    }

    /// Revokes the agents with this id or extension; how many.
    pub fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        self.db().revoke_agents(id_or_ext)
    }

    /// The agent (not revoked) holding the token with this hash.
    pub fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        self.db().agent_for_token(token_hash)
    }

    /// The ids of every revoked agent.
    pub fn revoked(&self) -> Result<Vec<i64>, CoreError> {
        self.db().revoked_agent_ids()
    }

    /// Counts a connection of agent `id` in or out.
    pub fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        self.db().set_agent_connected(id, connected)
    }

    /// Forgets connections (a relay starting has none).
    pub fn reset_connections(&self) -> Result<(), CoreError> {
        self.db().reset_agent_connections()
    }

    /// Stored events (and notes, with `notes`) after `seq`, oldest first.
    pub fn events_after(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        self.db().events_after(seq, limit, notes)
    }

    /// Stored events (and notes, with `notes`) before `seq`, newest first.
    pub fn events_before(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        self.db().events_before(seq, limit, notes)
    }

    /// The newest sequence number (0 before any request) and what was pruned.
    pub fn kept(&self) -> Result<Kept, CoreError> {
        self.db().kept()
    }

    /// Agents, last request, events today.
    pub fn status(&self) -> Result<RelayStatus, CoreError> {
        let db = self.db();
        Ok(RelayStatus {
            agents: db.agents()?,
            last_pbx_request: db.last_request_at()?,
            events_today: db.events_today()?,
            kept: db.kept()?,
            nodes: Vec::new(),
            standbys: Vec::new(),
        })
    }
}
