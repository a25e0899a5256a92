//! The writer thread: the one connection that writes, committing every request
//! waiting into one transaction and answering each only after `COMMIT` — the
//! PBX's before any agent's note; when no request waits, it moves new calls
//! into the search index (`search_backlog`).

use super::calls::store_event;
use super::journal::{append, JournalEntry};
use super::notes::{note_fields, store_note, NoteWrite, StoredNote, NOTE_CMD};
use super::prune::{prune_chunk, PruneStep, Pruned};
use super::search_backlog::Backlog;
use super::{open, rfc3339};
use crate::pbx::call::Call;
use crate::pbx::protocol::{CallEvent, Fields};
use crate::CoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{mpsc, Arc};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::oneshot;

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
    /// What the team knows of the caller (the first event of a call in).
    pub context: Option<crate::pbx::context::CallerContext>,
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
    Note {
        write: Box<NoteWrite>,
        relayed: Option<Relayed>,
        reply: oneshot::Sender<Result<StoredNote, CoreError>>,
    },
}

/// What one job did, in its transaction.
enum Done {
    Event(Box<EventOutcome>),
    Note(StoredNote),
    /// A note refused before anything was written: the batch goes on.
    Refused(crate::notes::NoteRefused),
    Journalled,
}

/// Every stored event, in the order of its sequence number (what a relay streams).
pub type Feed = tokio::sync::broadcast::Sender<Arc<JournalEntry>>;

/// The handle to the writer thread (or, for relay nodes sharing PostgreSQL,
/// the node's writer task). Cloning shares the one writer.
#[derive(Clone)]
pub struct Writer {
    backend: Backend,
    _alive: Arc<()>,
}

#[derive(Clone)]
enum Backend {
    Sqlite(mpsc::Sender<Queued>),
    #[cfg(feature = "postgres")]
    Postgres(super::pg::writer::PgWriter),
}

/// How often WAL pages are copied back into the database, off the writer's path.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Past this size the WAL is checkpointed whole and truncated, holding writes
/// for a moment: under a steady stream of webhooks a passive checkpoint never
/// catches up with the writer, so the WAL (and the memory of its index) grew
/// without bound — 1.5 GB after 200,000 requests in the soak (RELIABILITY.md).
const WAL_LIMIT: u64 = 16 * 1024 * 1024;

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
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        std::thread::Builder::new()
            .name("xvb-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpointer, wal.into(), watch))
            .map_err(spawn_error)?;
        Ok(Writer {
            backend: Backend::Sqlite(jobs),
            _alive: alive,
        })
    }

    /// A relay node's writer on PostgreSQL.
    #[cfg(feature = "postgres")]
    pub fn postgres(writer: super::pg::writer::PgWriter) -> Writer {
        Writer {
            backend: Backend::Postgres(writer),
            _alive: Arc::new(()),
        }
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
        match &self.backend {
            Backend::Sqlite(jobs) => {
                let (reply, answer) = oneshot::channel();
                jobs.send(Queued::Write(Job::Event {
                    event: Box::new(event),
                    contact_name,
                    relayed,
                    reply,
                }))
                .map_err(|_| CoreError::WriterGone)?;
                answer.await.map_err(|_| CoreError::WriterGone)?
            }
            // A relay node stores what the PBX sends; it is never relayed to.
            #[cfg(feature = "postgres")]
            Backend::Postgres(pg) => pg.record_event(event, contact_name).await,
        }
    }

    /// Journals a request without waiting (used for `cmd=contact`, which must not wait).
    pub fn journal(&self, cmd: &str, fields: Fields) {
        match &self.backend {
            Backend::Sqlite(jobs) => {
                let _ = jobs.send(Queued::Write(Job::Journal {
                    cmd: cmd.to_owned(),
                    fields,
                }));
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pg) => pg.journal(fields),
        }
    }

    /// Stores a note (written here, or as the relay at `relayed` stored it);
    /// returns once committed.
    pub async fn record_note(
        &self,
        write: NoteWrite,
        relayed: Option<Relayed>,
    ) -> Result<StoredNote, CoreError> {
        match &self.backend {
            Backend::Sqlite(jobs) => {
                let (reply, answer) = oneshot::channel();
                jobs.send(Queued::Write(Job::Note {
                    write: Box::new(write),
                    relayed,
                    reply,
                }))
                .map_err(|_| CoreError::WriterGone)?;
                answer.await.map_err(|_| CoreError::WriterGone)?
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pg) => pg.record_note(write).await,
        }
    }

    /// Deletes journal rows received before `before` and calls neither seen nor
    /// changed since. It goes in chunks of a thousand rows queued behind
    /// the writes waiting, so a webhook waits for one chunk at most.
    pub async fn prune(&self, before: OffsetDateTime) -> Result<Pruned, CoreError> {
        match &self.backend {
            Backend::Sqlite(jobs) => prune_in_chunks(jobs, before).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(pg) => pg.prune(before).await,
        }
    }
}

/// Queues pruning a chunk at a time behind the writes waiting.
async fn prune_in_chunks(
    jobs: &mpsc::Sender<Queued>,
    before: OffsetDateTime,
) -> Result<Pruned, CoreError> {
    let mut pruned = Pruned::default();
    loop {
        let (reply, answer) = oneshot::channel();
        jobs.send(Queued::Prune { before, reply })
            .map_err(|_| CoreError::WriterGone)?;
        let step = answer.await.map_err(|_| CoreError::WriterGone)??;
        pruned.journal_rows += step.pruned.journal_rows;
        pruned.calls += step.pruned.calls;
        if step.finished {
            return Ok(pruned);
        }
    }
}

/// Copies the WAL back into the database every second without holding writes,
/// and truncates it once it passes [`WAL_LIMIT`], until the writer is gone.
fn checkpoint_loop(conn: Connection, wal: std::path::PathBuf, alive: std::sync::Weak<()>) {
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

const MAX_BATCH: usize = 1024;
/// Agents' notes committed together at most: a webhook arriving meanwhile
/// waits for this many notes, never for a flood of them.
const NOTE_BATCH: usize = 16;

/// Commits what is queued, the PBX's first: events and look-ups go in batches
/// ahead of every note waiting, then a pruning chunk, then a few notes at a
/// time; when nothing waits, new calls go into the search index.
fn write_loop(mut conn: Connection, queue: mpsc::Receiver<Queued>, feed: Option<Feed>) {
    let mut backlog = Backlog::default();
    let mut notes: VecDeque<Job> = VecDeque::new();
    let mut prunes: VecDeque<Queued> = VecDeque::new();
    loop {
        backlog.index_if_too_many(&mut conn);
        let idle = notes.is_empty() && prunes.is_empty() && !backlog.pending();
        let first = if idle {
            match queue.recv() {
                Ok(next) => Some(next),
                Err(_) => break,
            }
        } else {
            None
        };
        let mut pbx = Vec::new();
        for queued in first
            .into_iter()
            .chain(std::iter::from_fn(|| queue.try_recv().ok()))
        {
            match queued {
                Queued::Write(job @ Job::Note { .. }) => notes.push_back(job),
                Queued::Write(job) => pbx.push(job),
                prune => prunes.push_back(prune),
            }
            if pbx.len() >= MAX_BATCH {
                break;
            }
        }
        if !pbx.is_empty() {
            commit_and_answer(&mut conn, pbx, feed.as_ref(), &mut backlog);
        } else if let Some(Queued::Prune { before, reply }) = prunes.pop_front() {
            let _ = reply.send(prune_chunk(&mut conn, before));
        } else if !notes.is_empty() {
            let batch = notes.drain(..notes.len().min(NOTE_BATCH)).collect();
            commit_and_answer(&mut conn, batch, feed.as_ref(), &mut backlog);
        } else if backlog.pending() {
            backlog.index_chunk(&mut conn);
        }
    }
}

/// Commits `batch` in one transaction and answers each job; what was stored
/// goes to `feed` in sequence order.
fn commit_and_answer(
    conn: &mut Connection,
    batch: Vec<Job>,
    feed: Option<&Feed>,
    backlog: &mut Backlog,
) {
    let now = OffsetDateTime::now_utc();
    let mut outcomes = commit_batch(conn, &batch, now).into_iter();
    backlog.stored(batch.len());
    for job in batch {
        let done = outcomes.next().flatten();
        match job {
            Job::Event {
                reply,
                event,
                relayed,
                ..
            } => {
                let answer = match done {
                    Some(Ok(Done::Event(outcome))) => Ok(*outcome),
                    Some(Err(e)) => Err(e),
                    _ => Err(CoreError::StoreFailed),
                };
                if let (Some(feed), Ok(stored)) = (feed, &answer) {
                    let _ = feed.send(Arc::new(JournalEntry {
                        seq: stored.seq,
                        received_at: rfc3339(relayed.map_or(now, |r| r.received_at)),
                        cmd: "event".into(),
                        fields: event.fields.0,
                    }));
                }
                let _ = reply.send(answer);
            }
            Job::Note { reply, .. } => {
                let answer = match done {
                    Some(Ok(Done::Note(stored))) => Ok(stored),
                    Some(Ok(Done::Refused(refused))) => Err(refused.into()),
                    Some(Err(e)) => Err(e),
                    _ => Err(CoreError::StoreFailed),
                };
                if let (Some(feed), Ok(stored)) = (feed, &answer) {
                    let _ = feed.send(Arc::new(JournalEntry {
                        seq: stored.seq,
                        received_at: rfc3339(now),
                        cmd: NOTE_CMD.into(),
                        fields: note_fields(&stored.note),
                    }));
                }
                let _ = reply.send(answer);
            }
            Job::Journal { .. } => {}
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
) -> Vec<Option<Result<Done, CoreError>>> {
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
        Ok(outcomes) => outcomes.into_iter().map(|o| Some(Ok(o))).collect(),
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

fn run_job(conn: &Connection, job: &Job, now: OffsetDateTime) -> Result<Done, CoreError> {
    match job {
        Job::Event {
            event,
            contact_name,
            relayed,
            ..
        } => {
            let at = relayed.map_or(now, |r| r.received_at);
            let outcome = store_event(conn, event, contact_name.clone(), at)?;
            advance_relay_position(conn, *relayed)?;
            Ok(Done::Event(Box::new(outcome)))
        }
        Job::Note { write, relayed, .. } => match store_note(conn, write, now) {
            Ok(stored) => {
                advance_relay_position(conn, *relayed)?;
                Ok(Done::Note(stored))
            }
            // Refused on what it read, before writing: the others in its batch commit.
            Err(CoreError::Note(refused)) => Ok(Done::Refused(refused)),
            Err(e) => Err(e),
        },
        Job::Journal { cmd, fields } => {
            append(conn, cmd, None, fields, now).map(|_| Done::Journalled)
        }
    }
}

/// An agent stored the relay's entry `relayed`: its position moves past it, in the same transaction.
fn advance_relay_position(conn: &Connection, relayed: Option<Relayed>) -> Result<(), CoreError> {
    if let Some(relayed) = relayed {
        conn.prepare_cached("UPDATE meta SET value = max(value, ?1) WHERE key = 'relay_seq'")?
            .execute([relayed.seq])?;
    }
    Ok(())
}
