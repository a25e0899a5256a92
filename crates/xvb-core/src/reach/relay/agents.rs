//! What the relay keeps beyond the common store: its agents (by token hash)
//! and the event stream's reads, behind the one interface a shared store
//! would implement. The SQL lives in the store (`store/relay_agents.rs`).

use crate::config::DataDir;
use crate::store::{AgentRow, Database, JournalEntry, Kept};
use crate::CoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// The stored form of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `xvb relay status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct RelayStatus {
    /// Every agent, revoked ones too.
    pub agents: Vec<AgentRow>,
    /// When the PBX last sent anything.
    pub last_pbx_request: Option<String>,
    /// Events stored since midnight (UTC).
    pub events_today: i64,
    /// The newest sequence number, and what was pruned.
    pub kept: Kept,
}

/// What the relay keeps beyond the common store (agents and the event stream's
/// reads): the one interface a shared store (PostgreSQL, for several relays)
/// would implement.
pub trait RelayStore: Send + Sync {
    /// Adds an agent with `ext` whose token hashes to `token_hash`; its id.
    fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError>;
    /// Revokes the agents with this id or extension; how many.
    fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError>;
    /// The agent (not revoked) holding the token with this hash.
    fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError>;
    /// Whether agent `id` exists and is not revoked.
    fn is_active(&self, id: i64) -> Result<bool, CoreError>;
    /// Counts a connection of agent `id` in or out.
    fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError>;
    /// Forgets connections (a relay starting has none).
    fn reset_connections(&self) -> Result<(), CoreError>;
    /// Stored events after `seq`, oldest first.
    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError>;
    /// The newest sequence number (0 before any request) and what was pruned.
    fn kept(&self) -> Result<Kept, CoreError>;
    /// Agents, last request, events today.
    fn status(&self) -> Result<RelayStatus, CoreError>;
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

    fn db(&self) -> std::sync::MutexGuard<'_, Database> {
        self.0.lock().expect("relay store lock")
    }
}

impl RelayStore for SqliteRelayStore {
    fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        self.db().add_agent(ext, token_hash)
    }

    fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        self.db().revoke_agents(id_or_ext)
    }

    fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        self.db().agent_for_token(token_hash)
    }

    fn is_active(&self, id: i64) -> Result<bool, CoreError> {
        self.db().is_agent_active(id)
    }

    fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        self.db().set_agent_connected(id, connected)
    }

    fn reset_connections(&self) -> Result<(), CoreError> {
        self.db().reset_agent_connections()
    }

    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError> {
        self.db().events_after(seq, limit)
    }

    fn kept(&self) -> Result<Kept, CoreError> {
        self.db().kept()
    }

    fn status(&self) -> Result<RelayStatus, CoreError> {
        let db = self.db();
        Ok(RelayStatus {
            agents: db.agents()?,
            last_pbx_request: db.last_request_at()?,
            events_today: db.events_today()?,
            kept: db.kept()?,
        })
    }
}
