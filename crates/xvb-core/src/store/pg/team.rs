//! What the team view reads on PostgreSQL ([`crate::team`]): the recent calls,
//! the missed-call claims and the extensions' names. A change of claims, names
//! or connections is announced on channel `relay_team`, so every node derives
//! the view again at once.

use super::PgStore;
use crate::pbx::call::Call;
use crate::team::{Claim, WINDOW};
use crate::CoreError;
use time::OffsetDateTime;

/// The channel on which nodes hear that claims or connections changed.
pub const TEAM_CHANNEL: &str = "relay_team";

impl PgStore {
    /// Calls first seen at or after `since`, oldest first.
    pub async fn calls_since(&self, since: OffsetDateTime) -> Result<Vec<Call>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT record FROM relay_calls
                 WHERE last_seen >= $1 AND (record->>'first_seen')::timestamptz >= $1
                 ORDER BY (record->>'first_seen')::timestamptz",
                &[&since],
            )
            .await?;
        calls_of(&rows)
    }

    /// Every claim made at or after `since`.
    pub async fn claims_since(&self, since: OffsetDateTime) -> Result<Vec<Claim>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT phone_norm, ext, claimed_at FROM relay_claims WHERE claimed_at >= $1",
                &[&since],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| Claim {
                phone_normalized: row.get(0),
                ext: row.get(1),
                at: row.get(2),
            })
            .collect())
    }

    /// Records `claim` unless another agent claimed the number since `open_since`
    /// (when its queue entry opened), and tells every node: whether it was
    /// recorded. Drops claims too old to matter.
    pub async fn claim(
        &self,
        claim: &Claim,
        open_since: OffsetDateTime,
    ) -> Result<bool, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM relay_claims WHERE claimed_at < $1",
            &[&(claim.at - WINDOW)],
        )
        .await?;
        let recorded = tx
            .execute(
                "INSERT INTO relay_claims (phone_norm, ext, claimed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (phone_norm) DO UPDATE SET ext = excluded.ext, claimed_at = excluded.claimed_at
                 WHERE relay_claims.ext = excluded.ext OR relay_claims.claimed_at < $4",
                &[&claim.phone_normalized, &claim.ext, &claim.at, &open_since],
            )
            .await?;
        tx.batch_execute(&format!("NOTIFY {TEAM_CHANNEL}")).await?;
        tx.commit().await?;
        Ok(recorded == 1)
    }

    /// Names `ext` on the board (`None` removes its name), and tells every node.
    pub async fn set_team_name(&self, ext: &str, name: Option<&str>) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        match name {
            Some(name) => {
                tx.execute(
                    "INSERT INTO relay_names (ext, name) VALUES ($1, $2)
                     ON CONFLICT (ext) DO UPDATE SET name = excluded.name",
                    &[&ext, &name],
                )
                .await?
            }
            None => {
                tx.execute("DELETE FROM relay_names WHERE ext = $1", &[&ext])
                    .await?
            }
        };
        tx.batch_execute(&format!("NOTIFY {TEAM_CHANNEL}")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every extension's name.
    pub async fn team_names(&self) -> Result<Vec<(String, String)>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT ext, name FROM relay_names", &[])
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    /// Drops `ext`'s claim on `phone_normalized`, if it holds one, and tells every node.
    pub async fn release(&self, phone_normalized: &str, ext: &str) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM relay_claims WHERE phone_norm = $1 AND ext = $2",
            &[&phone_normalized, &ext],
        )
        .await?;
        tx.batch_execute(&format!("NOTIFY {TEAM_CHANNEL}")).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The calls in `rows` (each a `record` in the first column).
pub(super) fn calls_of(rows: &[tokio_postgres::Row]) -> Result<Vec<Call>, CoreError> {
    rows.iter()
        .map(|row| {
            serde_json::from_value(row.get::<_, serde_json::Value>(0)).map_err(CoreError::corrupt)
        })
        .collect()
}
