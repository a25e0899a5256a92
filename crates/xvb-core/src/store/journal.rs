//! The `journal` table: every accepted request, appended in the writer's
//! transaction, read back in sequence order (what a relay streams).

use super::{rfc3339, Database};
use crate::pbx::protocol::Fields;
use crate::CoreError;
use rusqlite::{params, Connection};
use serde::Serialize;
use time::OffsetDateTime;

/// The span of the journal a store still keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The newest sequence number (0 before any request).
    pub head: i64,
    /// The newest event pruned (0: none); an agent that stored less than this missed events.
    pub pruned_event: i64,
    /// The retention cut: rows received before it are gone (RFC 3339), if any were pruned.
    pub pruned_before: Option<String>,
    /// The stream's epoch, made with its database.
    pub epoch: i64,
}

/// One journal row (also what a relay streams to its agents).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct JournalEntry {
    /// Sequence number.
    pub seq: i64,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// `event`, `note` or `contact`.
    pub cmd: String,
    /// Every field, in arrival order.
    pub fields: Vec<(String, String)>,
}

impl JournalEntry {
    /// The value of field `name`, trimmed, if present and not blank.
    pub fn field(&self, name: &str) -> Option<&str> {
        crate::pbx::fields::non_blank(&self.fields, name)
    }

    /// When it arrived (now, if its time cannot be read).
    pub fn received_time(&self) -> OffsetDateTime {
        OffsetDateTime::parse(
            &self.received_at,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
    }
}

pub(super) fn append(
    conn: &Connection,
    cmd: &str,
    callid: Option<&str>,
    fields: &Fields,
    now: OffsetDateTime,
) -> Result<i64, CoreError> {
    let fields_json = serde_json::to_string(&fields.0).expect("strings serialise");
    conn.prepare_cached(
        "INSERT INTO journal (received_at, cmd, callid, fields) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![rfc3339(now), cmd, callid, fields_json])?;
    Ok(conn.last_insert_rowid())
}

/// Which way the journal is read from a sequence number.
enum Reading {
    /// Oldest first, after it.
    After(i64),
    /// Newest first, before it.
    Before(i64),
}
use Reading::{After, Before};

/// What an agent's stream carries: events, and notes if it takes them.
fn streamed_kinds(notes: bool) -> &'static str {
    if notes {
        "AND cmd IN ('event', 'note')"
    } else {
        "AND cmd = 'event'"
    }
}

impl Database {
    /// The journal, oldest first, from sequence number `after` on.
    pub fn journal(&self, after: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError> {
        self.read_journal("", After(after), limit)
    }

    /// Stored events (not contact look-ups) and, with `notes`, notes, oldest
    /// first, after sequence number `after`.
    pub fn events_after(
        &self,
        after: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        self.read_journal(streamed_kinds(notes), After(after), limit)
    }

    /// Stored events and, with `notes`, notes, newest first, before sequence
    /// number `before` (a history back-fill reads back from an agent's position).
    pub fn events_before(
        &self,
        before: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        self.read_journal(streamed_kinds(notes), Before(before), limit)
    }

    fn read_journal(
        &self,
        filter: &str,
        from: Reading,
        limit: usize,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        let (seq, order, from) = match from {
            After(seq) => ("seq > ?1", "seq", seq),
            Before(seq) => ("seq < ?1", "seq DESC", seq),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, received_at, cmd, fields FROM journal WHERE {seq} {filter} ORDER BY {order} LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![from, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        rows.map(|row| {
            let (seq, received_at, cmd, fields) = row?;
            Ok(JournalEntry {
                seq,
                received_at,
                cmd,
                fields: serde_json::from_str(&fields).map_err(CoreError::corrupt)?,
            })
        })
        .collect()
    }

    /// The span of the journal still kept: its newest sequence number and what was pruned.
    pub fn kept(&self) -> Result<Kept, CoreError> {
        let (head, pruned_event, before_ms, epoch): (i64, i64, i64, i64) = self.conn.query_row(
            "SELECT max(coalesce((SELECT max(seq) FROM journal), 0),
                        (SELECT value FROM meta WHERE key = 'journal_pruned_through')),
                    (SELECT value FROM meta WHERE key = 'journal_pruned_event'),
                    (SELECT value FROM meta WHERE key = 'journal_pruned_before_ms'),
                    (SELECT value FROM meta WHERE key = 'relay_epoch')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let pruned_before = (before_ms > 0)
            .then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(before_ms) * 1_000_000))
            .and_then(Result::ok)
            .map(rfc3339);
        Ok(Kept {
            head,
            pruned_event,
            pruned_before,
            epoch,
        })
    }
}
