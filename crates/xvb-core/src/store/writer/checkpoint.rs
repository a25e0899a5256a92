//! Copying the WAL back into the database on a thread of its own, so an
//! event's commit waits only for its WAL append.

use rusqlite::Connection;
use std::time::Duration;

/// How often WAL pages are copied back into the database, off the writer's path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Past this size the WAL is checkpointed whole and truncated, holding writes
/// for a moment: under a steady stream of webhooks a passive checkpoint never
/// catches up with the writer, so the WAL (and the memory of its index) grew
/// without bound — 1.5 GB after 200,000 requests in the soak (RELIABILITY.md).
const WAL_LIMIT: u64 = 16 * 1024 * 1024;

/// Copies the WAL back into the database every second without holding writes,
/// and truncates it once it passes [`WAL_LIMIT`], until the writer is gone.
pub(super) fn checkpoint_loop(
    conn: Connection,
    wal: std::path::PathBuf,
    alive: std::sync::Weak<()>,
) {
    while alive.upgrade().is_some() {
        std::thread::sleep(CHECKPOINT_EVERY);
        let checkpoint = |mode: &str| {
            let pragma = format!("PRAGMA wal_checkpoint({mode})");
            if let Err(e) = conn.execute_batch(&pragma) {
                tracing::warn!(error = %e, mode, "WAL checkpoint failed; will retry");
            }
        };
        checkpoint("PASSIVE");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_LIMIT) {
            checkpoint("TRUNCATE");
        }
    }
}
