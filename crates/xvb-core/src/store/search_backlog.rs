//! New calls into the trigram search index, in chunks, by the writer thread
//! between (or, under a long burst, amid) webhook commits. See
//! `migrations/0008_search_backlog.sql` for why.

use super::Database;
use crate::CoreError;
use rusqlite::{Connection, TransactionBehavior};

/// Calls indexed per transaction: a chunk takes a few milliseconds, which is
/// the most a webhook arriving meanwhile waits.
const CHUNK: usize = 512;

/// Past this many calls waiting, the writer indexes a chunk even while
/// webhooks keep coming, so a search never reads more than about this many directly.
const MOST_WAITING: usize = 4096;

/// The writer's view of the calls waiting for the index: an upper estimate
/// (each stored event may have added a call), made exact when it matters.
#[derive(Debug)]
pub(super) struct Backlog {
    estimate: usize,
}

impl Default for Backlog {
    /// Calls may be waiting from before a restart: look once.
    fn default() -> Backlog {
        Backlog { estimate: 1 }
    }
}

impl Backlog {
    /// `events` were stored, each perhaps a new call.
    pub(super) fn stored(&mut self, events: usize) {
        self.estimate += events;
    }

    /// Whether anything may be waiting (the writer indexes when it is idle).
    pub(super) fn pending(&self) -> bool {
        self.estimate > 0
    }

    /// Indexes a chunk now if too many calls wait, however busy the writer is.
    pub(super) fn index_if_too_many(&mut self, conn: &mut Connection) {
        if self.estimate < MOST_WAITING {
            return;
        }
        match waiting(conn) {
            Ok(exact) => self.estimate = exact,
            Err(e) => {
                tracing::warn!(error = %e, "could not count the calls waiting for the search index")
            }
        }
        if self.estimate >= MOST_WAITING {
            self.index_chunk(conn);
        }
    }

    /// Moves up to [`CHUNK`] waiting calls, oldest first, into the index in
    /// one transaction. A failure is logged and retried after the next write.
    pub(super) fn index_chunk(&mut self, conn: &mut Connection) {
        match index_chunk(conn) {
            Ok(moved) if moved == CHUNK => {
                self.estimate = self.estimate.saturating_sub(moved).max(1)
            }
            Ok(_) => self.estimate = 0,
            Err(e) => {
                tracing::warn!(error = %e, "could not add new calls to the search index; they stay searchable and will be retried");
                self.estimate = 0;
            }
        }
    }
}

impl Database {
    /// How many calls wait to be added to the search index (searches read them directly meanwhile).
    pub fn calls_waiting_for_search_index(&self) -> Result<usize, CoreError> {
        waiting(&self.conn)
    }
}

fn waiting(conn: &Connection) -> Result<usize, CoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM calls_unindexed")?
        .query_row([], |r| r.get(0))?;
    Ok(count as usize)
}

fn index_chunk(conn: &mut Connection) -> Result<usize, CoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let chunk = CHUNK as i64;
    let moved = tx
        .prepare_cached(
            "INSERT INTO calls_search (rowid, phone_norm, name_fold, notes_fold, first_seen_ms)
             SELECT c.rowid, c.phone_norm, c.name_fold, c.notes_fold, c.first_seen_ms FROM calls c
             WHERE c.rowid IN (SELECT rowid FROM calls_unindexed ORDER BY rowid LIMIT ?1)",
        )?
        .execute([chunk])?;
    tx.prepare_cached(
        "DELETE FROM calls_unindexed
         WHERE rowid IN (SELECT rowid FROM calls_unindexed ORDER BY rowid LIMIT ?1)",
    )?
    .execute([chunk])?;
    tx.commit()?;
    Ok(moved)
}
