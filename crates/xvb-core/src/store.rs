//! The SQLite store: journal of every accepted request, merged calls, contacts.
//!
//! One writer thread owns the write connection and commits in groups: all
//! requests waiting when a transaction starts go into it, each in its own
//! savepoint, and each is acknowledged only after `COMMIT` returns
//! (`synchronous=FULL`, WAL). Readers use their own connections.

use crate::call::{Call, CallLog};
use crate::contacts::{Contact, Parsed, RowError};
use crate::protocol::{CallEvent, Fields};
use crate::{phone, CoreError};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::path::Path;
use std::sync::{mpsc, Arc};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::oneshot;

/// Schema migrations, applied in order; `PRAGMA user_version` counts those done.
/// Hand-written (a dozen lines) rather than a migration crate, which would pin rusqlite's version.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    cmd TEXT NOT NULL,
    callid TEXT,
    fields TEXT NOT NULL
);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TABLE calls (
    callid TEXT PRIMARY KEY,
    direction TEXT,
    phone_norm TEXT,
    contact_name TEXT,
    status TEXT NOT NULL,
    missed INTEGER NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    log TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX calls_by_time ON calls(first_seen_ms DESC);
CREATE INDEX calls_by_phone ON calls(phone_norm);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    responsible TEXT,
    crm_url TEXT,
    note TEXT
);
CREATE TABLE contact_phones (
    phone_norm TEXT PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    raw TEXT NOT NULL
);
CREATE INDEX contact_phones_by_contact ON contact_phones(contact_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('contacts_rev', 0);
"#,
    // History filters of the desktop app: live calls, names in any letter case.
    r#"
ALTER TABLE calls ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN name_fold TEXT;
UPDATE calls SET completed = json_extract(record, '$.completed'), name_fold = lower(contact_name);
CREATE INDEX calls_live ON calls(completed, first_seen_ms DESC);
"#,
    // Team relay: its agents (on a relay), and how far an agent's app has read a relay's stream.
    r#"
CREATE TABLE relay_agents (
    id INTEGER PRIMARY KEY,
    ext TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seen_at TEXT,
    connected INTEGER NOT NULL DEFAULT 0
);
INSERT INTO meta VALUES ('relay_seq', 0);
"#,
    // Retention (a relay's journal): rows up to `journal_pruned_through` may be deleted, no others.
    r#"
INSERT INTO meta VALUES ('journal_pruned_through', 0);
INSERT INTO meta VALUES ('journal_pruned_event', 0);
INSERT INTO meta VALUES ('journal_pruned_before_ms', 0);
DROP TRIGGER journal_no_delete;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
WHEN old.seq > (SELECT value FROM meta WHERE key = 'journal_pruned_through')
BEGIN SELECT RAISE(ABORT, 'the journal is append-only (only rows past the retention cut go)'); END;
"#,
    // History is listed newest first with storage order breaking ties
    // (`first_seen_ms DESC, rowid DESC`): ascending indexes read backwards give
    // exactly that, where DESC ones made SQLite sort every page's ties (a page
    // deep in 100,000 calls took 20× longer).
    r#"
DROP INDEX calls_by_time;
CREATE INDEX calls_by_time ON calls(first_seen_ms);
DROP INDEX calls_live;
CREATE INDEX calls_live ON calls(completed, first_seen_ms);
"#,
];

/// Opens (creating and migrating) the database at `path`.
pub fn open(path: &Path) -> Result<Connection, CoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    }
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

fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// `t` as the store writes times: RFC 3339, UTC.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("UTC times format")
}

/// Journal rows (and calls) deleted per transaction by [`Writer::prune`].
const PRUNE_CHUNK: i64 = 1_000;

/// What [`Writer::prune`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Journal rows (events and contact look-ups).
    pub journal_rows: usize,
    /// Calls.
    pub calls: usize,
}

/// The span of the journal a store still keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The newest sequence number (0 before any request).
    pub head: i64,
    /// The newest event pruned (0: none); an agent that stored less than this missed events.
    pub pruned_event: i64,
    /// The retention cut: rows received before it are gone (RFC 3339), if any were pruned.
    pub pruned_before: Option<String>,
}

/// What storing one event did.
#[derive(Debug, Clone)]
pub struct EventOutcome {
    /// The call merged with this event.
    pub call: Call,
    /// False for a duplicate of an event already stored.
    pub new_event: bool,
    /// Whether the call had already completed before this event.
    pub was_completed: bool,
    /// The journal sequence number of this request.
    pub seq: i64,
}

/// An event that came from a team relay: its place in the relay's stream and
/// when the relay received it (kept as the call's time).
#[derive(Debug, Clone, Copy)]
pub struct Relayed {
    /// The relay's sequence number; stored with the event in one transaction.
    pub seq: i64,
    /// When the relay received it.
    pub received_at: OffsetDateTime,
}

/// What the writer thread is asked: writes (batched into one transaction) or
/// one chunk of pruning (a transaction of its own, between batches).
enum Queued {
    Write(Job),
    Prune {
        before: OffsetDateTime,
        reply: oneshot::Sender<Result<PruneStep, CoreError>>,
    },
}

enum Job {
    Event {
        event: Box<CallEvent>,
        contact_name: Option<String>,
        relayed: Option<Relayed>,
        reply: oneshot::Sender<Result<EventOutcome, CoreError>>,
    },
    Journal {
        cmd: String,
        fields: Fields,
    },
}

/// Every stored event, in the order of its sequence number (what a relay streams).
pub type Feed = tokio::sync::broadcast::Sender<Arc<JournalEntry>>;

/// The handle to the writer thread. Cloning shares the one writer.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Queued>,
    _alive: Arc<()>,
}

/// How often WAL pages are copied back into the database, off the writer's path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

impl Writer {
    /// Opens the database and starts the writer thread.
    pub fn start(path: &Path) -> Result<Writer, CoreError> {
        Writer::start_with_feed(path, None)
    }

    /// [`Writer::start`], also sending each committed event to `feed`, in sequence order.
    pub fn start_with_feed(path: &Path, feed: Option<Feed>) -> Result<Writer, CoreError> {
        let conn = open(path)?;
        // Checkpoints (which fsync the main file) run on their own thread, so
        // an event's commit waits only for its WAL append.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = open(path)?;
        let alive = Arc::new(());
        let watch = Arc::downgrade(&alive);
        let (jobs, queue) = mpsc::channel();
        let spawn_error = |e| CoreError::io(path, e);
        std::thread::Builder::new()
            .name("xvb-store-writer".into())
            .spawn(move || write_loop(conn, queue, feed))
            .map_err(spawn_error)?;
        std::thread::Builder::new()
            .name("xvb-checkpoint".into())
            .spawn(move || {
                while watch.upgrade().is_some() {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    if let Err(e) = checkpointer.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                        tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                    }
                }
            })
            .map_err(spawn_error)?;
        Ok(Writer {
            jobs,
            _alive: alive,
        })
    }

    /// Stores an event and merges its call; returns once committed to disk.
    pub async fn record_event(
        &self,
        event: CallEvent,
        contact_name: Option<String>,
    ) -> Result<EventOutcome, CoreError> {
        self.record_relayed(event, contact_name, None).await
    }

    /// [`Writer::record_event`] for an event from a relay (`relayed`): its time is
    /// the relay's, and the relay position is advanced in the same transaction.
    pub async fn record_relayed(
        &self,
        event: CallEvent,
        contact_name: Option<String>,
        relayed: Option<Relayed>,
    ) -> Result<EventOutcome, CoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Queued::Write(Job::Event {
                event: Box::new(event),
                contact_name,
                relayed,
                reply,
            }))
            .map_err(|_| CoreError::WriterGone)?;
        answer.await.map_err(|_| CoreError::WriterGone)?
    }

    /// Journals a request without waiting (used for `cmd=contact`, which must not wait).
    pub fn journal(&self, cmd: &str, fields: Fields) {
        let _ = self.jobs.send(Queued::Write(Job::Journal {
            cmd: cmd.to_owned(),
            fields,
        }));
    }

    /// Deletes journal rows received before `before` and calls neither seen nor
    /// changed since. It goes in chunks of [`PRUNE_CHUNK`] rows queued behind
    /// the writes waiting, so a webhook waits for one chunk at most.
    pub async fn prune(&self, before: OffsetDateTime) -> Result<Pruned, CoreError> {
        let mut pruned = Pruned::default();
        loop {
            let (reply, answer) = oneshot::channel();
            self.jobs
                .send(Queued::Prune { before, reply })
                .map_err(|_| CoreError::WriterGone)?;
            let step = answer.await.map_err(|_| CoreError::WriterGone)??;
            pruned.journal_rows += step.pruned.journal_rows;
            pruned.calls += step.pruned.calls;
            if step.finished {
                return Ok(pruned);
            }
        }
    }
}

/// One chunk of [`Writer::prune`].
struct PruneStep {
    pruned: Pruned,
    finished: bool,
}

/// Prunes up to [`PRUNE_CHUNK`] journal rows and as many calls, in one
/// transaction. The journal is in time order, so the cut is its first row
/// received at or after `before`; each chunk looks for it among its own rows
/// only, so a chunk costs the same however much is left to prune.
fn prune_chunk(conn: &mut Connection, before: OffsetDateTime) -> Result<PruneStep, CoreError> {
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
                 (SELECT max(seq) FROM journal WHERE seq > ?1 AND seq <= ?2 AND cmd = 'event'), 0))
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

/// A counter of the `meta` table.
fn meta(conn: &Connection, key: &str) -> Result<i64, CoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))?)
}

const MAX_BATCH: usize = 1024;

fn write_loop(mut conn: Connection, queue: mpsc::Receiver<Queued>, feed: Option<Feed>) {
    let mut waiting = None;
    while let Some(first) = waiting.take().or_else(|| queue.recv().ok()) {
        let first = match first {
            Queued::Write(job) => job,
            Queued::Prune { before, reply } => {
                let _ = reply.send(prune_chunk(&mut conn, before));
                continue;
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Queued::Write(job)) => batch.push(job),
                Ok(prune) => {
                    waiting = Some(prune);
                    break;
                }
                Err(_) => break,
            }
        }
        let now = OffsetDateTime::now_utc();
        let mut outcomes = commit_batch(&mut conn, &batch, now).into_iter();
        for job in batch {
            let outcome = outcomes.next();
            if let Job::Event {
                reply,
                event,
                relayed,
                ..
            } = job
            {
                let answer = outcome
                    .flatten()
                    .unwrap_or_else(|| Err(CoreError::StoreFailed));
                if let (Some(feed), Ok(stored)) = (&feed, &answer) {
                    let _ = feed.send(Arc::new(JournalEntry {
                        seq: stored.seq,
                        received_at: rfc3339(relayed.map_or(now, |r| r.received_at)),
                        cmd: "event".into(),
                        fields: event.fields.0,
                    }));
                }
                let _ = reply.send(answer);
            }
        }
    }
}

/// Runs every job of a batch in one transaction. If the batch fails, it is
/// rolled back whole and each job is retried in a transaction of its own, so
/// one bad job fails alone (savepoints per job would cost every job a parse).
fn commit_batch(
    conn: &mut Connection,
    batch: &[Job],
    now: OffsetDateTime,
) -> Vec<Option<Result<EventOutcome, CoreError>>> {
    let together = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcomes = batch
            .iter()
            .map(|job| run_job(&tx, job, now))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok::<_, CoreError>(outcomes)
    })();
    match together {
        Ok(outcomes) => outcomes.into_iter().map(|o| o.map(Ok)).collect(),
        Err(e) if batch.len() == 1 => {
            tracing::error!(error = %e, "could not store a request");
            vec![Some(Err(e))]
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = batch.len(), "a batch failed; storing its requests one by one");
            batch
                .iter()
                .flat_map(|job| commit_batch(conn, std::slice::from_ref(job), now))
                .collect()
        }
    }
}

fn run_job(
    conn: &Connection,
    job: &Job,
    now: OffsetDateTime,
) -> Result<Option<EventOutcome>, CoreError> {
    match job {
        Job::Event {
            event,
            contact_name,
            relayed,
            ..
        } => {
            let at = relayed.map_or(now, |r| r.received_at);
            let outcome = store_event(conn, event, contact_name.clone(), at)?;
            if let Some(relayed) = relayed {
                conn.prepare_cached(
                    "UPDATE meta SET value = max(value, ?1) WHERE key = 'relay_seq'",
                )?
                .execute([relayed.seq])?;
            }
            Ok(Some(outcome))
        }
        Job::Journal { cmd, fields } => journal(conn, cmd, None, fields, now).map(|_| None),
    }
}

fn journal(
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

fn store_event(
    conn: &Connection,
    event: &CallEvent,
    contact_name: Option<String>,
    now: OffsetDateTime,
) -> Result<EventOutcome, CoreError> {
    let seq = journal(conn, "event", Some(&event.callid), &event.fields, now)?;
    let existing: Option<(String, Option<String>, String)> = conn
        .prepare_cached("SELECT log, contact_name, record FROM calls WHERE callid = ?1")?
        .query_row([&event.callid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (mut log, known_name, previous) = match existing {
        Some((log, name, record)) => (
            serde_json::from_str::<CallLog>(&log).map_err(CoreError::corrupt)?,
            name,
            Some(serde_json::from_str::<Call>(&record).map_err(CoreError::corrupt)?),
        ),
        None => (CallLog::default(), contact_name, None),
    };
    let was_completed = previous.as_ref().is_some_and(|c| c.completed);
    let new_event = log.add(event.fields.clone(), now);
    let call = match (new_event, previous) {
        (false, Some(previous)) => previous,
        _ => {
            let call = Call::merge(&event.callid, known_name, &log).expect("log has an event");
            conn.prepare_cached(
                "INSERT INTO calls (callid, direction, phone_norm, contact_name, status, missed,
                     first_seen_ms, last_seen_ms, log, record, completed, name_fold)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT(callid) DO UPDATE SET direction = excluded.direction,
                     phone_norm = excluded.phone_norm, status = excluded.status,
                     missed = excluded.missed, first_seen_ms = excluded.first_seen_ms,
                     last_seen_ms = excluded.last_seen_ms, log = excluded.log,
                     record = excluded.record, completed = excluded.completed",
            )?
            .execute(params![
                call.callid,
                call.direction.map(|d| d.as_str()),
                call.phone_normalized,
                call.contact_name,
                call.status,
                call.is_missed(),
                unix_ms(call.first_seen),
                unix_ms(call.last_seen),
                serde_json::to_string(&log).expect("log serialises"),
                serde_json::to_string(&call).expect("call serialises"),
                call.completed,
                call.contact_name.as_deref().map(str::to_lowercase),
            ])?;
            call
        }
    };
    Ok(EventOutcome {
        call,
        new_event,
        was_completed,
        seq,
    })
}

/// Filters of a history query; all optional, newest calls first.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HistoryQuery {
    /// Digits the client's number contains (a whole number matches in any spelling).
    pub phone: Option<String>,
    /// A number fragment or part of the contact's name, as typed.
    pub search: Option<String>,
    /// Status, case-insensitive; `missed` also matches any unanswered incoming call.
    pub status: Option<String>,
    /// Only this direction.
    pub direction: Option<crate::protocol::Direction>,
    /// Only calls still ringing or in progress.
    pub live: bool,
    /// Only calls first seen at or after this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub since_ms: Option<i64>,
    /// Only calls first seen before this time (Unix milliseconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub until_ms: Option<i64>,
    /// At most this many calls.
    pub limit: usize,
    /// Skip this many (paging).
    pub offset: usize,
}

impl HistoryQuery {
    /// The WHERE clause and its parameters.
    fn filter(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut params: Vec<Value> = Vec::new();
        let mut push = |clause: &str, values: Vec<Value>| {
            let mut clause = clause.to_owned();
            for value in values {
                params.push(value);
                clause = clause.replacen('$', &format!("?{}", params.len()), 1);
            }
            clauses.push(clause);
        };
        if let Some(typed) = &self.phone {
            push(
                "phone_norm LIKE $",
                vec![Value::Text(digits_pattern(typed))],
            );
        }
        if let Some(typed) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let is_number = typed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if is_number {
                push(
                    "phone_norm LIKE $",
                    vec![Value::Text(digits_pattern(typed))],
                );
            } else {
                let name = format!("%{}%", typed.to_lowercase().replace(['%', '_'], ""));
                push("name_fold LIKE $", vec![Value::Text(name)]);
            }
        }
        if let Some(status) = &self.status {
            push(
                "(status = $ COLLATE NOCASE OR (lower($) = 'missed' AND missed = 1))",
                vec![Value::Text(status.clone()), Value::Text(status.clone())],
            );
        }
        if let Some(direction) = self.direction {
            push(
                "direction = $",
                vec![Value::Text(direction.as_str().into())],
            );
        }
        if self.live {
            push("completed = 0", vec![]);
        }
        if let Some(since) = self.since_ms {
            push("first_seen_ms >= $", vec![Value::Integer(since)]);
        }
        if let Some(until) = self.until_ms {
            push("first_seen_ms < $", vec![Value::Integer(until)]);
        }
        (clauses.join(" AND "), params)
    }
}

/// `%digits%`: a whole number in any spelling, or a fragment as typed.
fn digits_pattern(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.len() >= 10 {
        phone::normalize(&digits)
    } else {
        digits
    };
    format!("%{digits}%")
}

/// One journal row (also what a relay streams to its agents).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct JournalEntry {
    /// Sequence number.
    pub seq: i64,
    /// When it arrived (RFC 3339).
    pub received_at: String,
    /// `event` or `contact`.
    pub cmd: String,
    /// Every field, in arrival order.
    pub fields: Vec<(String, String)>,
}

/// Read and contact-book access on a connection of its own.
pub struct Database {
    conn: Connection,
}

/// How a contact import went.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// New contacts.
    pub added: usize,
    /// Contacts that matched an existing one by number and were updated.
    pub updated: usize,
    /// Rows skipped, with their line and reason.
    pub errors: Vec<RowError>,
}

impl Database {
    /// Opens the database file (created and migrated if needed).
    pub fn open(path: &Path) -> Result<Database, CoreError> {
        Ok(Database { conn: open(path)? })
    }

    /// Calls matching `query`, newest first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<Call>, CoreError> {
        let (filter, mut params) = query.filter();
        params.push(rusqlite::types::Value::Integer(query.limit as i64));
        params.push(rusqlite::types::Value::Integer(query.offset as i64));
        let sql = format!(
            "SELECT record FROM calls WHERE {filter} ORDER BY first_seen_ms DESC, rowid DESC LIMIT ?{} OFFSET ?{}",
            params.len() - 1,
            params.len()
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|row| serde_json::from_str(&row?).map_err(CoreError::corrupt))
            .collect()
    }

    /// One call by its id.
    pub fn call(&self, callid: &str) -> Result<Option<Call>, CoreError> {
        let record: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM calls WHERE callid = ?1")?
            .query_row([callid], |r| r.get(0))
            .optional()?;
        record
            .map(|r| serde_json::from_str(&r).map_err(CoreError::corrupt))
            .transpose()
    }

    /// How many calls match `query` (its limit and offset aside).
    pub fn history_count(&self, query: &HistoryQuery) -> Result<i64, CoreError> {
        let (filter, params) = query.filter();
        let sql = format!("SELECT count(*) FROM calls WHERE {filter}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?)
    }

    /// The journal, oldest first, from sequence number `after` on.
    pub fn journal(&self, after: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError> {
        self.read_journal("", after, limit)
    }

    /// Stored events (not contact look-ups), oldest first, after sequence number `after`.
    pub fn events_after(&self, after: i64, limit: usize) -> Result<Vec<JournalEntry>, CoreError> {
        self.read_journal("AND cmd = 'event'", after, limit)
    }

    fn read_journal(
        &self,
        filter: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, received_at, cmd, fields FROM journal WHERE seq > ?1 {filter} ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
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
        let (head, pruned_event, before_ms): (i64, i64, i64) = self.conn.query_row(
            "SELECT max(coalesce((SELECT max(seq) FROM journal), 0),
                        (SELECT value FROM meta WHERE key = 'journal_pruned_through')),
                    (SELECT value FROM meta WHERE key = 'journal_pruned_event'),
                    (SELECT value FROM meta WHERE key = 'journal_pruned_before_ms')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let pruned_before = (before_ms > 0)
            .then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(before_ms) * 1_000_000))
            .and_then(Result::ok)
            .map(rfc3339);
        Ok(Kept {
            head,
            pruned_event,
            pruned_before,
        })
    }

    /// How far this agent has stored a relay's stream (0: nothing yet).
    pub fn relay_position(&self) -> Result<i64, CoreError> {
        meta(&self.conn, "relay_seq")
    }

    /// The connection, for the relay's own tables.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// A counter that changes whenever the contact book does.
    pub fn contacts_revision(&self) -> Result<i64, CoreError> {
        meta(&self.conn, "contacts_rev")
    }

    /// Every `(normalised number, name, responsible)` for the in-memory index.
    pub fn index_rows(&self) -> Result<Vec<(String, String, Option<String>)>, CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.phone_norm, c.name, c.responsible FROM contact_phones p JOIN contacts c ON c.id = p.contact_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or updates parsed contacts in one transaction.
    ///
    /// A contact whose number is already in the book updates that contact,
    /// so importing the same file twice changes nothing.
    pub fn import(&mut self, parsed: Parsed) -> Result<ImportReport, CoreError> {
        let mut report = ImportReport {
            errors: parsed.errors,
            ..ImportReport::default()
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (_, contact) in parsed.contacts {
            if upsert_contact(&tx, &contact)?.1 {
                report.added += 1;
            } else {
                report.updated += 1;
            }
        }
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Adds one contact (or updates the one that has its number); returns its id.
    pub fn add_contact(&mut self, contact: Contact) -> Result<i64, CoreError> {
        let contact = contact
            .validated()
            .map_err(|e| CoreError::Import(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, _) = upsert_contact(&tx, &contact)?;
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Removes the contact with this id, or the one owning this number; true when found.
    pub fn remove_contact(&mut self, id_or_phone: &str) -> Result<bool, CoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = match id_or_phone.trim().strip_prefix('#') {
            Some(id) => id.parse().ok(),
            None => tx
                .query_row(
                    "SELECT contact_id FROM contact_phones WHERE phone_norm = ?1",
                    [phone::normalize(id_or_phone)],
                    |r| r.get(0),
                )
                .optional()?,
        };
        let removed = match id {
            Some(id) => tx.execute("DELETE FROM contacts WHERE id = ?1", [id])? > 0,
            None => false,
        };
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Every contact, by name.
    pub fn contacts(&self) -> Result<Vec<Contact>, CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.name, c.responsible, c.crm_url, c.note, p.raw
             FROM contacts c LEFT JOIN contact_phones p ON p.contact_id = c.id
             ORDER BY c.name, c.id, p.rowid",
        )?;
        let mut rows = stmt.query([])?;
        let mut contacts: Vec<Contact> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if contacts.last().map(|c| c.id) != Some(id) {
                contacts.push(Contact {
                    id,
                    name: r.get(1)?,
                    responsible: r.get(2)?,
                    crm_url: r.get(3)?,
                    note: r.get(4)?,
                    phones: Vec::new(),
                });
            }
            if let Some(raw) = r.get::<_, Option<String>>(5)? {
                contacts.last_mut().expect("pushed above").phones.push(raw);
            }
        }
        Ok(contacts)
    }
}

fn bump_contacts_revision(conn: &Connection) -> Result<(), CoreError> {
    conn.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'contacts_rev'",
        [],
    )?;
    Ok(())
}

/// Inserts or updates a contact by its numbers; returns `(id, was_new)`.
fn upsert_contact(conn: &Connection, contact: &Contact) -> Result<(i64, bool), CoreError> {
    let numbers: Vec<(String, &str)> = contact
        .phones
        .iter()
        .map(|raw| (phone::normalize(raw), raw.as_str()))
        .collect();
    let mut existing = None;
    for (number, _) in &numbers {
        existing = conn
            .prepare_cached("SELECT contact_id FROM contact_phones WHERE phone_norm = ?1")?
            .query_row([number], |r| r.get::<_, i64>(0))
            .optional()?;
        if existing.is_some() {
            break;
        }
    }
    let id = match existing {
        Some(id) => {
            conn.prepare_cached(
                "UPDATE contacts SET name = ?2, responsible = ?3, crm_url = ?4, note = ?5 WHERE id = ?1",
            )?
            .execute(params![id, contact.name, contact.responsible, contact.crm_url, contact.note])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO contacts (name, responsible, crm_url, note) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                contact.name,
                contact.responsible,
                contact.crm_url,
                contact.note
            ])?;
            conn.last_insert_rowid()
        }
    };
    for (number, raw) in numbers {
        conn.prepare_cached(
            "INSERT INTO contact_phones (phone_norm, contact_id, raw) VALUES (?1, ?2, ?3)
             ON CONFLICT(phone_norm) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw",
        )?
        .execute(params![number, id, raw])?;
    }
    Ok((id, existing.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Direction;
    use crate::sim::SimCall;

    fn event(fields: Fields) -> CallEvent {
        CallEvent::parse(fields).unwrap()
    }

    /// A call from one number to extension 100.
    fn call(callid: &str) -> SimCall {
        SimCall {
            access_code: "10019".into(),
            callid: callid.into(),
            phone: "79201110000".into(),
            ext: "100".into(),
            line: None,
        }
    }

    #[tokio::test]
    async fn calls_stored_in_the_same_millisecond_list_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Writer::start(&path).unwrap();
        // Sent together, they share one commit (and its time): the later one is newer.
        let (first, second) = tokio::join!(
            writer.record_event(event(call("A-first").incoming()), None),
            writer.record_event(event(call("Z-second").incoming()), None)
        );
        assert!(first.unwrap().seq < second.unwrap().seq);
        let calls = Database::open(&path)
            .unwrap()
            .history(&HistoryQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let order: Vec<&str> = calls.iter().map(|c| c.callid.as_str()).collect();
        assert_eq!(order, ["Z-second", "A-first"]);
    }

    #[tokio::test]
    async fn pruning_drops_old_events_and_calls_and_nothing_newer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Writer::start(&path).unwrap();
        let now = OffsetDateTime::now_utc();
        let mut relay_seq = 0;
        let mut store = |fields: Fields, days_ago: i64| {
            relay_seq += 1;
            let relayed = Relayed {
                seq: relay_seq,
                received_at: now - time::Duration::days(days_ago),
            };
            writer.record_relayed(event(fields), None, Some(relayed))
        };
        // Over 40 days ago; started 40 days ago but still going yesterday; yesterday.
        store(call("OLD").incoming(), 41).await.unwrap();
        store(call("OLD").completed("ANSWER", 60, None), 40)
            .await
            .unwrap();
        let last_pruned = store(call("LONG").incoming(), 40).await.unwrap().seq;
        store(call("LONG").answered(), 1).await.unwrap();
        store(call("NEW").incoming(), 1).await.unwrap();
        let db = Database::open(&path).unwrap();
        let head = db.kept().unwrap().head;

        let pruned = writer.prune(now - time::Duration::days(30)).await.unwrap();
        assert_eq!(
            pruned,
            Pruned {
                journal_rows: 3,
                calls: 1
            }
        );
        let calls: Vec<String> = db
            .history(&HistoryQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|c| c.callid)
            .collect();
        assert_eq!(calls, ["NEW", "LONG"], "a call still going is kept");
        let kept = db.kept().unwrap();
        assert_eq!((kept.head, kept.pruned_event), (head, last_pruned));
        assert!(kept.pruned_before.is_some());
        assert_eq!(db.events_after(0, 10).unwrap().len(), 2);
        assert_eq!(
            writer.prune(now - time::Duration::days(30)).await.unwrap(),
            Pruned::default()
        );
        // Only rows past the cut can go: the journal refuses any other delete.
        let refused = db
            .connection()
            .execute("DELETE FROM journal WHERE seq = ?1", [head])
            .unwrap_err();
        assert!(refused.to_string().contains("append-only"), "{refused}");

        // Everything pruned: sequence numbers still only grow.
        writer
            .prune(now + time::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(db.kept().unwrap().head, head);
        let next = store(call("LATER").incoming(), 0).await.unwrap().seq;
        assert!(next > head, "{next} after {head}");
    }

    #[tokio::test]
    async fn history_filters_search_pages_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Writer::start(&path).unwrap();
        for i in 0..30 {
            let call = SimCall {
                access_code: "10019".into(),
                callid: format!("C{i:02}"),
                phone: format!("7920111{i:04}"),
                ext: "100".into(),
                line: None,
            };
            let name = (i % 3 == 0).then(|| "Вася/Рога и копыта".to_owned());
            let start = if i % 2 == 0 {
                call.incoming()
            } else {
                call.outgoing()
            };
            writer
                .record_event(event(start), name.clone())
                .await
                .unwrap();
            if i >= 5 {
                let status = if i % 5 == 0 { "Missed" } else { "Success" };
                writer
                    .record_event(event(call.completed(status, 3, None)), name)
                    .await
                    .unwrap();
            }
        }
        let db = Database::open(&path).unwrap();
        let query = |q: HistoryQuery| {
            let calls = db
                .history(&HistoryQuery {
                    limit: 100,
                    ..q.clone()
                })
                .unwrap();
            assert_eq!(calls.len() as i64, db.history_count(&q).unwrap());
            calls.into_iter().map(|c| c.callid).collect::<Vec<_>>()
        };
        let by_name = query(HistoryQuery {
            search: Some("ВАСЯ".into()),
            ..Default::default()
        });
        assert_eq!(
            by_name.len(),
            10,
            "name search ignores letter case, Cyrillic too"
        );
        assert_eq!(
            query(HistoryQuery {
                search: Some("111 0007".into()),
                ..Default::default()
            }),
            ["C07"]
        );
        assert_eq!(
            query(HistoryQuery {
                live: true,
                ..Default::default()
            })
            .len(),
            5
        );
        let missed = query(HistoryQuery {
            status: Some("missed".into()),
            direction: Some(Direction::In),
            ..Default::default()
        });
        assert_eq!(missed, ["C20", "C10"]);
        let page = db
            .history(&HistoryQuery {
                limit: 10,
                offset: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.len(), 10);
        assert_eq!(page[0].callid, "C19", "newest first, second page");
        let future = OffsetDateTime::now_utc().unix_timestamp() * 1000 + 60_000;
        assert!(query(HistoryQuery {
            since_ms: Some(future),
            ..Default::default()
        })
        .is_empty());
        assert_eq!(
            query(HistoryQuery {
                until_ms: Some(future),
                ..Default::default()
            })
            .len(),
            30
        );
    }
}
