//! Agents' status on PostgreSQL (as `store/status.rs` in SQLite): the break
//! reasons, each agent's current status and the log of changes.

use super::PgStore;
use crate::team::{AgentState, AgentStatus};
use crate::CoreError;
use std::collections::HashMap;
use time::OffsetDateTime;

impl PgStore {
    /// The break reasons, in the order shown.
    pub async fn break_reasons(&self) -> Result<Vec<String>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT reason FROM relay_breaks ORDER BY position", &[])
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Replaces the break reasons with `reasons` (checked already).
    pub async fn set_break_reasons(&self, reasons: &[String]) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("DELETE FROM relay_breaks", &[]).await?;
        for (position, reason) in reasons.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO relay_breaks (position, reason) VALUES ($1, $2)",
                &[&position, reason],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every agent's current status, by extension.
    pub async fn statuses(&self) -> Result<HashMap<String, AgentStatus>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT ext, state, reason, since, until FROM relay_status",
                &[],
            )
            .await?;
        let mut statuses = HashMap::new();
        for row in rows {
            let state: &str = row.get(1);
            let state = AgentState::parse(state)
                .ok_or_else(|| CoreError::Corrupt(format!("status `{state}`")))?;
            let status = AgentStatus {
                state,
                reason: row.get(2),
                since: row.get::<_, OffsetDateTime>(3),
                until: row.get::<_, Option<OffsetDateTime>>(4),
            };
            statuses.insert(row.get(0), status);
        }
        Ok(statuses)
    }

    /// Sets agent `ext`'s status, and logs the change.
    pub async fn set_status(&self, ext: &str, status: &AgentStatus) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let state = status.state.as_str();
        tx.execute(
            "INSERT INTO relay_status (ext, state, reason, since, until) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (ext) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                 since = excluded.since, until = excluded.until",
            &[&ext, &state, &status.reason, &status.since, &status.until],
        )
        .await?;
        tx.execute(
            "INSERT INTO relay_status_log (ext, state, reason, at, until) VALUES ($1, $2, $3, $4, $5)",
            &[&ext, &state, &status.reason, &status.since, &status.until],
        )
        .await?;
        // Every node derives its team view again (the board shows the status).
        tx.batch_execute(&format!("NOTIFY {}", super::team::TEAM_CHANNEL))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
