//! What a report reads on a relay's SQLite store ([`crate::reports`]): the
//! calls first seen in a period, and the agents' status changes in it with
//! each agent's last one before it.

use super::status::{status_of, status_row};
use super::{unix_ms, Database};
use crate::pbx::call::Call;
use crate::team::LoggedStatus;
use crate::CoreError;
use rusqlite::params;
use time::OffsetDateTime;

impl Database {
    /// Calls first seen from `from` up to (not including) `to`, oldest first.
    pub fn calls_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Call>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record FROM calls WHERE first_seen_ms >= ?1 AND first_seen_ms < ?2
             ORDER BY first_seen_ms",
        )?;
        let rows = stmt.query_map(params![unix_ms(from), unix_ms(to)], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|record| serde_json::from_str(&record?).map_err(CoreError::corrupt))
            .collect()
    }

    /// Status changes from `from` up to `to`, and each agent's last one
    /// before `from` (its status when the period starts), oldest first.
    pub fn status_changes(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<LoggedStatus>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ext, state, reason, at_ms, until_ms FROM relay_status_log
             WHERE (at_ms >= ?1 AND at_ms < ?2)
                OR id IN (SELECT max(id) FROM relay_status_log WHERE at_ms < ?1 GROUP BY ext)
             ORDER BY at_ms, id",
        )?;
        let rows = stmt.query_map(params![unix_ms(from), unix_ms(to)], status_row)?;
        rows.map(|row| {
            let (ext, status) = status_of(row?)?;
            Ok(LoggedStatus { ext, status })
        })
        .collect()
    }
}
