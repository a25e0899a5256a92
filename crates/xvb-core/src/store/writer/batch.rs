//! The writer thread's loop: what is queued goes into one transaction (the
//! PBX's requests ahead of agents' notes, a few notes at a time), each request
//! answered only after `COMMIT`; a failed group is retried one request per
//! transaction, so one bad request fails alone.

use super::{Feed, Job, Queued, Relayed};
use crate::store::calls::store_event;
use crate::store::calls::EventOutcome;
use crate::store::journal::{append, JournalEntry};
use crate::store::notes::{note_fields, store_note, StoredNote, NOTE_CMD};
use crate::store::prune::prune_chunk;
use crate::store::rfc3339;
use crate::store::search_backlog::Backlog;
use crate::CoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::VecDeque;
use std::sync::{mpsc, Arc};
use time::OffsetDateTime;

/// What one job did, in its transaction.
enum Done {
    Event(Box<EventOutcome>),
    Note(StoredNote),
    /// A note refused before anything was written: the batch goes on.
    Refused(crate::notes::NoteRefused),
    Journalled,
}

const MAX_BATCH: usize = 1024;
/// Agents' notes committed together at most: a webhook arriving meanwhile
/// waits for this many notes, never for a flood of them.
const NOTE_BATCH: usize = 16;

/// Commits what is queued, the PBX's first: events and look-ups go in batches
/// ahead of every note waiting, then a pruning chunk, then a few notes at a
/// time; when nothing waits, new calls go into the search index.
pub(super) fn write_loop(mut conn: Connection, queue: mpsc::Receiver<Queued>, feed: Option<Feed>) {
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
