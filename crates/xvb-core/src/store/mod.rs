//! The SQLite store: the journal of every accepted request, merged calls, the
//! contact book, and a relay's agents — one file per table or concern.
//!
//! One writer thread ([`Writer`]) owns the write connection and commits in
//! groups: all requests waiting when a transaction starts go into it, and each
//! is acknowledged only after `COMMIT` returns (`synchronous=FULL`, WAL). If a
//! group fails it is rolled back and its requests are retried one transaction
//! each, so one bad request fails alone. Readers ([`Database`]) use their own
//! connections. Uses `pbx` (events, calls, numbers), `notes`, `contacts` and
//! `team` (claims, a caller's context); nothing above it.
//!
//! - `migrations/` — the schema, one `.sql` file per step, applied by [`open`];
//! - [`writer`] — the writer thread, batching, the relay position;
//! - `calls` — merging an event into its call row;
//! - [`notes`] — agents' notes on calls, a relay's tags;
//! - `prune` — retention (a relay drops what it no longer keeps);
//! - [`history`] — history queries, and history as CSV;
//! - `search_backlog` — new calls into the search index, in chunks;
//! - [`journal`] — the journal as read back (what a relay streams);
//! - `contacts` — the contact book's tables;
//! - `relay_agents` — a relay's agents;
//! - `team` — what a relay's team view reads: recent calls, missed-call claims;
//! - `reports` — what a report reads: a period's calls and status changes;
//! - `wallboards` — a relay's wallboards: read-only codes and their thresholds;
//! - [`pg`] — a relay's store on PostgreSQL, shared by relay nodes (feature `postgres`).

mod calls;
mod contacts;
mod groups;
pub mod history;
pub mod journal;
pub mod notes;
#[cfg(feature = "postgres")]
pub mod pg;
mod prune;
mod relay_agents;
mod reports;
mod search_backlog;
mod source_cards;
mod sources;
mod status;
mod team;
mod wallboards;
pub mod writer;

#[cfg(test)]
mod tests;

pub use calls::EventOutcome;
pub use contacts::ImportReport;
pub use history::{GroupCalls, HistoryQuery};
pub use journal::{JournalEntry, Kept};
pub use notes::{is_note, note_of_fields, NoteWrite, StoredNote, NOTE_CMD};
pub use prune::Pruned;
pub use relay_agents::{AgentRecord, AgentRow, NodeRow};
pub use wallboards::{Thresholds, WallboardRow};
pub use writer::{Feed, Relayed, Writer};

use crate::CoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use time::OffsetDateTime;

/// Schema migrations, applied in order; `PRAGMA user_version` counts those done.
/// Hand-written (a dozen lines) rather than a migration crate, which would pin rusqlite's version.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_journal_calls_contacts.sql"),
    include_str!("migrations/0002_history_filters.sql"),
    include_str!("migrations/0003_relay.sql"),
    include_str!("migrations/0004_retention.sql"),
    include_str!("migrations/0005_ascending_time_indexes.sql"),
    include_str!("migrations/0006_relay_epoch.sql"),
    include_str!("migrations/0007_history_search.sql"),
    include_str!("migrations/0008_search_backlog.sql"),
    include_str!("migrations/0009_team_claims.sql"),
    include_str!("migrations/0010_team_names.sql"),
    include_str!("migrations/0011_notes.sql"),
    include_str!("migrations/0012_note_removals.sql"),
    include_str!("migrations/0013_groups.sql"),
    include_str!("migrations/0014_status.sql"),
    include_str!("migrations/0015_member_seq.sql"),
    include_str!("migrations/0016_group_service_level.sql"),
    include_str!("migrations/0017_wallboards.sql"),
    include_str!("migrations/0018_report_columns.sql"),
    include_str!("migrations/0019_contact_sources.sql"),
    include_str!("migrations/0020_source_cards.sql"),
];

/// Opens (creating and migrating) the database at `path`. A file that is not
/// a database is reported with its path, never overwritten.
pub fn open(path: &Path) -> Result<Connection, CoreError> {
    if let Some(dir) = path.parent() {
        crate::private::create_dir(dir).map_err(|e| CoreError::io(dir, e))?;
    }
    make_private(path).map_err(|e| CoreError::io(path, e))?;
    open_migrated(path).map_err(|source| CoreError::Database {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates the database file readable by this user only before SQLite does:
/// SQLite gives its `-wal` and `-shm` files the main file's mode, umask or
/// not. Files an earlier version left readable by others are tightened.
fn make_private(path: &Path) -> std::io::Result<()> {
    match crate::private::options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = std::path::PathBuf::from(file);
        match crate::private::tighten(&file) {
            Ok(true) => {
                tracing::info!(file = %file.display(), "made the database file this user's only (0600)")
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "cannot make the database file this user's only")
            }
        }
    }
    Ok(())
}

fn open_migrated(path: &Path) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if (done as usize) < MIGRATIONS.len() {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let done: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for sql in &MIGRATIONS[(done as usize).min(MIGRATIONS.len())..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// Read and contact-book access on a connection of its own; its queries live
/// in the file of the table they read.
pub struct Database {
    conn: Connection,
}

impl Database {
    /// Opens the database file (created and migrated if needed).
    pub fn open(path: &Path) -> Result<Database, CoreError> {
        Ok(Database { conn: open(path)? })
    }

    /// How far this agent has stored a relay's stream (0: nothing yet).
    pub fn relay_position(&self) -> Result<i64, CoreError> {
        meta(&self.conn, "relay_seq")
    }

    /// On an agent: the relay stream's epoch its position belongs to (0: none yet).
    pub fn relay_epoch_seen(&self) -> Result<i64, CoreError> {
        meta(&self.conn, "relay_epoch_seen")
    }

    /// On an agent: the relay's stream is `epoch`; `reset` starts its position
    /// over (the relay's database was replaced: its numbers mean other events).
    pub fn follow_relay_epoch(&self, epoch: i64, reset: bool) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'relay_epoch_seen'",
            [epoch],
        )?;
        if reset {
            self.conn
                .execute("UPDATE meta SET value = 0 WHERE key = 'relay_seq'", [])?;
        }
        Ok(())
    }
}

use crate::reports::unix_ms;

/// A time stored as Unix milliseconds.
fn from_unix_ms(ms: i64) -> Result<OffsetDateTime, CoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| CoreError::Corrupt(e.to_string()))
}

/// `t` as the store writes times: RFC 3339, UTC.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("UTC times format")
}

/// A counter of the `meta` table.
fn meta(conn: &Connection, key: &str) -> Result<i64, CoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))?)
}

#[cfg(test)]
impl Database {
    /// The connection, for tests that try what the schema refuses.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}
