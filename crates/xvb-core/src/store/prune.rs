//! Retention: a relay drops journal rows and calls older than it keeps, a chunk
//! at a time through the writer thread, behind the writes waiting.

use super::{meta, rfc3339, unix_ms};
use crate::CoreError;
use rusqlite::{params, Connection, TransactionBehavior};
use time::OffsetDateTime;

/// Journal rows (and calls) deleted per transaction by [`Writer::prune`](super::Writer::prune).
pub(super) const PRUNE_CHUNK: i64 = 1_000;

/// What [`Writer::prune`](super::Writer::prune) deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Journal rows (events and contact look-ups).
    pub journal_rows: usize,
    /// Calls.
    pub calls: usize,
}

/// One chunk of [`Writer::prune`](super::Writer::prune).
pub(super) struct PruneStep {
    pub(super) pruned: Pruned,
    pub(super) finished: bool,
}

/// Prunes up to [`PRUNE_CHUNK`] journal rows and as many calls, in one
/// transaction. The journal is in time order, so the cut is its first row
/// received at or after `before`; each chunk looks for it among its own rows
/// only, so a chunk costs the same however much is left to prune.
pub(super) fn prune_chunk(
    conn: &mut Connection,
    before: OffsetDateTime,
) -> Result<PruneStep, CoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done = meta(&tx, "journal_pruned_through")?;
    let end = done + PRUNE_CHUNK;
    let upto: i64 = tx.query_row(
        "SELECT coalesce(
             (SELECT seq FROM journal WHERE seq > ?1 AND seq <= ?2 AND received_at >= ?3
              ORDER BY seq LIMIT 1) - 1,
             min(?2, coalesce((SELECT max(seq) FROM journal), ?1)))",
        params![done, end, rfc3339(before)],
        |r| r.get(0),
    )?;
    let mut pruned = Pruned::default();
    if done < upto {
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'journal_pruned_through'",
            [upto],
        )?;
        tx.execute(
            "UPDATE meta SET value = max(value, coalesce(
                 (SELECT max(seq) FROM journal WHERE seq > ?1 AND seq <= ?2 AND cmd IN ('event', 'note')), 0))
             WHERE key = 'journal_pruned_event'",
            [done, upto],
        )?;
        tx.execute(
            "UPDATE meta SET value = max(value, ?1) WHERE key = 'journal_pruned_before_ms'",
            [unix_ms(before)],
        )?;
        pruned.journal_rows = tx.execute(
            "DELETE FROM journal WHERE seq > ?1 AND seq <= ?2",
            [done, upto],
        )?;
    }
    pruned.calls = tx.execute(
        "DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls
         WHERE first_seen_ms < ?1 AND last_seen_ms < ?1 LIMIT ?2)",
        params![unix_ms(before), PRUNE_CHUNK],
    )?;
    tx.commit()?;
    Ok(PruneStep {
        // Short of the chunk's end: the cut was found, or the journal ends here.
        finished: upto < end && pruned.calls < PRUNE_CHUNK as usize,
        pruned,
    })
}
