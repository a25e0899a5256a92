//! What a report reads on PostgreSQL (as `store/reports.rs` in SQLite): the
//! calls first seen in a period, and the agents' status changes in it with
//! each agent's last one before it.

use super::PgStore;
use crate::pbx::call::Call;
use crate::reports::{unix_ms, CallRow, Facts};
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
                "SELECT record FROM relay_calls WHERE first_seen >= $1 AND first_seen < $2
                 ORDER BY first_seen",
                &[&from, &to],
            )
            .await?;
        super::team::calls_of(&rows)
    }

    /// What a report reads of the calls first seen from `from` up to `to`
    /// (the columns, not the records), as the rows arrive.
    pub async fn call_facts_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Facts, CoreError> {
        use futures_util::TryStreamExt;
        let client = self.client().await?;
        let rows = client
            .query_raw(
                "SELECT direction, phone_norm, line_number, ext, answered_by, status, completed,
                     first_seen, last_seen, answered_at, duration, test
                 FROM relay_calls WHERE first_seen >= $1 AND first_seen < $2
                 ORDER BY first_seen",
                [from, to],
            )
            .await?;
        let mut rows = std::pin::pin!(rows);
        let mut facts = Facts::default();
        while let Some(row) = rows.try_next().await? {
            facts.push(CallRow {
                direction: row.get(0),
                phone: row.get(1),
                line: row.get(2),
                ext: row.get(3),
                answered_by: row.get(4),
                status: row.get::<_, Option<&str>>(5).unwrap_or_default(),
                completed: row.get(6),
                first_seen: unix_ms(row.get(7)),
                last_seen: unix_ms(row.get(8)),
                answered_at: row.get::<_, Option<OffsetDateTime>>(9).map(unix_ms),
                duration: row.get(10),
                test: row.get(11),
            });
        }
        Ok(facts)
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
