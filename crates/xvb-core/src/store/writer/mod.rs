//! The writer thread: the one connection that writes, committing every request
//! waiting into one transaction and answering each only after `COMMIT` — the
//! PBX's before any agent's note; when no request waits, it moves new calls
//! into the search index (`search_backlog`).
//!
//! - this file — [`Writer`], the handle, and what it is asked;
//! - `batch` — the writer thread's loop: batching, committing, retrying;
//! - `checkpoint` — the WAL copied back off the writer's path.

mod batch;
mod checkpoint;

use super::calls::EventOutcome;
use super::journal::JournalEntry;
use super::notes::{NoteWrite, StoredNote};
use super::open;
use super::prune::{PruneStep, Pruned};
use crate::pbx::protocol::{CallEvent, Fields};
use crate::CoreError;
use std::path::Path;
use std::sync::{mpsc, Arc};
use time::OffsetDateTime;
use tokio::sync::oneshot;

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
            .spawn(move || batch::write_loop(conn, queue, feed))
            .map_err(spawn_error)?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        std::thread::Builder::new()
            .name("xvb-checkpoint".into())
            .spawn(move || checkpoint::checkpoint_loop(checkpointer, wal.into(), watch))
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
