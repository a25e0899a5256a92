//! The `relay_agents` table of a relay: the agents the admin added (a token
//! hash each), whether they are connected, and the relay's status figures
//! (with [`NodeRow`], the row each node of a PostgreSQL cluster shows there).

use super::{rfc3339, Database};
use crate::CoreError;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// An agent the admin added.
#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    /// Its number on this relay.
    pub id: i64,
    /// Its extension (what it dials from).
    pub ext: String,
    /// When it was added.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// When it last connected or left.
    pub last_seen_at: Option<String>,
    /// Whether it is connected now.
    pub connected: bool,
}

/// One relay node as `xvb relay status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct NodeRow {
    /// Host and process id.
    pub node_id: String,
    /// Whether it beat its heart in the last 30 s.
    pub alive: bool,
    /// Agents connected to it now.
    pub agents: i64,
    /// When it last had a request from the PBX.
    pub last_request_at: Option<String>,
}

/// An agent as stored, token hash included (what moves with a relay).
#[derive(Debug, Clone)]
pub struct AgentRecord {
    /// Its extension.
    pub ext: String,
    /// SHA-256 of its token, hex.
    pub token_hash: String,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

const AGENT_COLUMNS: &str = "id, ext, created_at, revoked_at, last_seen_at, connected > 0";

fn agent_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AgentRow> {
    Ok(AgentRow {
        id: r.get(0)?,
        ext: r.get(1)?,
        created_at: r.get(2)?,
        revoked_at: r.get(3)?,
        last_seen_at: r.get(4)?,
        connected: r.get(5)?,
    })
}

fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

impl Database {
    /// Adds an agent with `ext` whose token hashes to `token_hash`; its id.
    pub fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        self.conn.execute(
            "INSERT INTO relay_agents (ext, token_hash, created_at) VALUES (?1, ?2, ?3)",
            params![ext, token_hash, now_rfc3339()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Revokes the agents with this id or extension; how many.
    pub fn revoke_agents(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        Ok(self.conn.execute(
            "UPDATE relay_agents SET revoked_at = ?2
             WHERE revoked_at IS NULL AND (CAST(id AS TEXT) = ?1 OR ext = ?1)",
            params![id_or_ext, now_rfc3339()],
        )?)
    }

    /// The agent (not revoked) holding the token with this hash.
    pub fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {AGENT_COLUMNS} FROM relay_agents WHERE token_hash = ?1 AND revoked_at IS NULL"),
                [token_hash],
                agent_row,
            )
            .optional()?)
    }

    /// The ids of every revoked agent.
    pub fn revoked_agent_ids(&self) -> Result<Vec<i64>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM relay_agents WHERE revoked_at IS NOT NULL")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Counts a connection of agent `id` in or out.
    pub fn set_agent_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE relay_agents SET connected = max(0, connected + ?2), last_seen_at = ?3 WHERE id = ?1",
            params![id, if connected { 1 } else { -1 }, now_rfc3339()],
        )?;
        Ok(())
    }

    /// Forgets every agent's connections (a relay starting has none).
    pub fn reset_agent_connections(&self) -> Result<(), CoreError> {
        self.conn
            .execute("UPDATE relay_agents SET connected = 0", [])?;
        Ok(())
    }

    /// Every agent, revoked ones too, by id.
    pub fn agents(&self) -> Result<Vec<AgentRow>, CoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {AGENT_COLUMNS} FROM relay_agents ORDER BY id"
        ))?;
        let rows = stmt.query_map([], agent_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the PBX last sent anything (RFC 3339), if ever.
    pub fn last_request_at(&self) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .query_row("SELECT max(received_at) FROM journal", [], |r| r.get(0))?)
    }

    /// Events stored since midnight (UTC).
    pub fn events_today(&self) -> Result<i64, CoreError> {
        let midnight = rfc3339(time::OffsetDateTime::now_utc().replace_time(time::Time::MIDNIGHT));
        Ok(self.conn.query_row(
            "SELECT count(*) FROM journal WHERE cmd = 'event' AND received_at >= ?1",
            [&midnight],
            |r| r.get(0),
        )?)
    }

    /// Every agent with its token's hash, for moving a relay into PostgreSQL.
    pub fn agent_records(&self) -> Result<Vec<AgentRecord>, CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT ext, token_hash, created_at, revoked_at FROM relay_agents ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AgentRecord {
                ext: r.get(0)?,
                token_hash: r.get(1)?,
                created_at: r.get(2)?,
                revoked_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
