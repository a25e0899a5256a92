//! Agents' status on a relay in SQLite: `relay_breaks` (the reasons the admin
//! allows), `relay_status` (each agent's current one) and `relay_status_log`
//! (every change, for reports). See [`crate::team::status`].

use super::{from_unix_ms, unix_ms, Database};
use crate::team::{AgentState, AgentStatus};
use crate::CoreError;
use rusqlite::params;
use std::collections::HashMap;

impl Database {
    /// The break reasons, in the order shown.
    pub fn break_reasons(&self) -> Result<Vec<String>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reason FROM relay_breaks ORDER BY position")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the break reasons with `reasons` (checked already).
    pub fn set_break_reasons(&self, reasons: &[String]) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM relay_breaks", [])?;
        for (position, reason) in reasons.iter().enumerate() {
            tx.execute(
                "INSERT INTO relay_breaks (position, reason) VALUES (?1, ?2)",
                params![position as i64, reason],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every agent's current status, by extension.
    pub fn statuses(&self) -> Result<HashMap<String, AgentStatus>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ext, state, reason, since_ms, until_ms FROM relay_status")?;
        let rows = stmt.query_map([], status_row)?;
        let mut statuses = HashMap::new();
        for row in rows {
            let (ext, status) = status_of(row?)?;
            statuses.insert(ext, status);
        }
        Ok(statuses)
    }

    /// Sets agent `ext`'s status, and logs the change.
    pub fn set_status(&self, ext: &str, status: &AgentStatus) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let (since, until) = (unix_ms(status.since), status.until.map(unix_ms));
        tx.execute(
            "INSERT INTO relay_status (ext, state, reason, since_ms, until_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(ext) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                 since_ms = excluded.since_ms, until_ms = excluded.until_ms",
            params![ext, status.state.as_str(), status.reason, since, until],
        )?;
        tx.execute(
            "INSERT INTO relay_status_log (ext, state, reason, at_ms, until_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![ext, status.state.as_str(), status.reason, since, until],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// A status row as read: extension, state, reason, since and until (ms).
pub(super) type StatusRow = (String, String, Option<String>, i64, Option<i64>);

/// Reads the columns `ext, state, reason, since, until` (in that order).
pub(super) fn status_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatusRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

/// An agent's extension and status from a row.
pub(super) fn status_of(
    (ext, state, reason, since, until): StatusRow,
) -> Result<(String, AgentStatus), CoreError> {
    let state =
        AgentState::parse(&state).ok_or_else(|| CoreError::Corrupt(format!("status `{state}`")))?;
    let status = AgentStatus {
        state,
        reason,
        since: from_unix_ms(since)?,
        until: until.map(from_unix_ms).transpose()?,
    };
    Ok((ext, status))
}
