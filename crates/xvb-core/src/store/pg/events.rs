//! The relay's event stream read back from PostgreSQL (backlogs, the tailer),
//! what it keeps, and retention in bounded chunks.

use super::PgStore;
use crate::store::{rfc3339, JournalEntry, Kept, Pruned};
use crate::CoreError;
use time::OffsetDateTime;

/// Rows deleted per retention transaction.
const PRUNE_CHUNK: i64 = 1000;

impl PgStore {
    /// Stored events (and notes, with `notes`) after `seq`, oldest first, at most `limit`.
    pub async fn events_after(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        let client = self.client().await?;
        events_after_on(&client, seq, limit, notes).await
    }

    /// Stored events (and notes, with `notes`) before `seq`, newest first.
    pub async fn events_before(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT seq, received_at, fields, cmd FROM relay_events
                 WHERE seq < $1 AND ($3 OR cmd = 'event') ORDER BY seq DESC LIMIT $2",
                &[&seq, &(limit as i64), &notes],
            )
            .await?;
        entries(&rows)
    }

    /// The newest sequence number and what retention dropped.
    pub async fn kept(&self) -> Result<Kept, CoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT last_seq, oldest_seq, pruned_before, epoch FROM relay_head WHERE id = 1",
                &[],
            )
            .await?;
        Ok(Kept {
            head: row.get(0),
            pruned_event: row.get(1),
            pruned_before: row.get::<_, Option<OffsetDateTime>>(2).map(rfc3339),
            epoch: row.get(3),
        })
    }

    /// Drops events and calls received (last seen) before `before`, a chunk per transaction.
    pub async fn prune(&self, before: OffsetDateTime) -> Result<Pruned, CoreError> {
        let mut pruned = Pruned::default();
        let client = self.client().await?;
        loop {
            let gone = client
                .query_one(
                    "WITH gone AS (
                         DELETE FROM relay_events WHERE seq IN (
                             SELECT seq FROM relay_events WHERE received_at < $1
                             ORDER BY seq LIMIT $2)
                         RETURNING seq)
                     SELECT count(*), max(seq) FROM gone",
                    &[&before, &PRUNE_CHUNK],
                )
                .await?;
            let (count, newest): (i64, Option<i64>) = (gone.get(0), gone.get(1));
            let Some(newest) = newest else { break };
            client
                .execute(
                    "UPDATE relay_head SET oldest_seq = greatest(oldest_seq, $1),
                         pruned_before = greatest(pruned_before, $2) WHERE id = 1",
                    &[&newest, &before],
                )
                .await?;
            pruned.journal_rows += count as usize;
        }
        pruned.calls = client
            .execute("DELETE FROM relay_calls WHERE last_seen < $1", &[&before])
            .await? as usize;
        client
            .execute(
                "DELETE FROM relay_notes n
                 WHERE NOT EXISTS (SELECT 1 FROM relay_calls c WHERE c.callid = n.callid)",
                &[],
            )
            .await?;
        client
            .execute(
                "DELETE FROM relay_lookups WHERE received_at < $1",
                &[&before],
            )
            .await?;
        Ok(pruned)
    }
}

/// Stored events (and notes, with `notes`) after `seq`, oldest first, at most
/// `limit`, read on `client`.
pub(crate) async fn events_after_on(
    client: &tokio_postgres::Client,
    seq: i64,
    limit: usize,
    notes: bool,
) -> Result<Vec<JournalEntry>, CoreError> {
    let rows = client
        .query(
            "SELECT seq, received_at, fields, cmd FROM relay_events
             WHERE seq > $1 AND ($3 OR cmd = 'event') ORDER BY seq LIMIT $2",
            &[&seq, &(limit as i64), &notes],
        )
        .await?;
    entries(&rows)
}

/// The journal rows `rows` (seq, received_at, fields, cmd) as entries.
fn entries(rows: &[tokio_postgres::Row]) -> Result<Vec<JournalEntry>, CoreError> {
    rows.iter()
        .map(|row| {
            Ok(JournalEntry {
                seq: row.get(0),
                received_at: rfc3339(row.get(1)),
                cmd: row.get(3),
                fields: serde_json::from_value(row.get(2)).map_err(CoreError::corrupt)?,
            })
        })
        .collect()
}
