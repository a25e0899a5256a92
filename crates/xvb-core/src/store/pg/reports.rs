//! What a report reads on PostgreSQL (as `store/reports.rs` in SQLite): the
//! calls first seen in a period, and the agents' status changes in it with
//! each agent's last one before it.

use super::PgStore;
use crate::pbx::call::Call;
use crate::team::{AgentState, AgentStatus, LoggedStatus};
use crate::CoreError;
use time::OffsetDateTime;

impl PgStore {
    /// Calls first seen from `from` up to (not including) `to`, oldest first.
    pub async fn calls_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Call>, CoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM relay_calls
                 WHERE last_seen >= $1 AND (record->>'first_seen')::timestamptz >= $1
                   AND (record->>'first_seen')::timestamptz < $2
                 ORDER BY (record->>'first_seen')::timestamptz",
                &[&from, &to],
            )
            .await?;
        super::team::calls_of(&rows)
    }

    /// Status changes from `from` up to `to`, and each agent's last one
    /// before `from`, oldest first.
    pub async fn status_changes(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<LoggedStatus>, CoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT ext, state, reason, at, until FROM relay_status_log
                 WHERE (at >= $1 AND at < $2)
                    OR id IN (SELECT max(id) FROM relay_status_log WHERE at < $1 GROUP BY ext)
                 ORDER BY at, id",
                &[&from, &to],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let state: &str = row.get(1);
                let status = AgentStatus {
                    state: AgentState::parse(state)
                        .ok_or_else(|| CoreError::Corrupt(format!("status `{state}`")))?,
                    reason: row.get(2),
                    since: row.get(3),
                    until: row.get(4),
                };
                Ok(LoggedStatus {
                    ext: row.get(0),
                    status,
                })
            })
            .collect()
    }
}
