//! The relay node's writer on PostgreSQL: every request waiting goes into one
//! transaction (group commit), which first locks the stream's head row, then
//! skips events already stored (a PBX retry after a node died before
//! answering), numbers the new ones densely from the head, stores them and
//! re-merges their calls. Each request is answered after `COMMIT` (with a
//! synchronous standby, after the standby has it); a `NOTIFY` then wakes the
//! nodes' tailers, outside the transaction — only a hint, the tailers also poll.

use super::stream_writes::{dedupe_key, lock_head, merge_call};
use super::{Held, PgStore};
use crate::pbx::call::Call;
use crate::pbx::protocol::{CallEvent, Fields};
use crate::store::{EventOutcome, Pruned};
use crate::CoreError;
use std::collections::HashMap;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

/// Requests taken into one transaction at most.
const MAX_BATCH: usize = 512;

enum Job {
    Event {
        event: Box<CallEvent>,
        contact_name: Option<String>,
        reply: oneshot::Sender<Result<EventOutcome, CoreError>>,
    },
    Lookup(Fields),
}

/// The handle to a node's writer task. Cloning shares it.
#[derive(Clone)]
pub struct PgWriter {
    jobs: mpsc::UnboundedSender<Job>,
    store: PgStore,
}

impl PgWriter {
    /// Starts the writer task on `store`.
    pub fn start(store: PgStore) -> PgWriter {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(store.clone(), queue));
        PgWriter { jobs, store }
    }

    /// Stores an event and merges its call; returns once committed.
    pub async fn record_event(
        &self,
        event: CallEvent,
        contact_name: Option<String>,
    ) -> Result<EventOutcome, CoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Event {
                event: Box::new(event),
                contact_name,
                reply,
            })
            .map_err(|_| CoreError::WriterGone)?;
        answer.await.map_err(|_| CoreError::WriterGone)?
    }

    /// Journals a `cmd=contact` look-up without waiting.
    pub fn journal(&self, fields: Fields) {
        let _ = self.jobs.send(Job::Lookup(fields));
    }

    /// Stores an agent's note in the stream (its own transaction, under the head row's lock).
    pub async fn record_note(
        &self,
        write: crate::store::NoteWrite,
    ) -> Result<crate::store::StoredNote, CoreError> {
        self.store.record_note(write).await
    }

    /// Drops events and calls received before `before`, a thousand rows per
    /// transaction so webhooks never wait long.
    pub async fn prune(&self, before: OffsetDateTime) -> Result<Pruned, CoreError> {
        self.store.prune(before).await
    }
}

async fn write_loop(store: PgStore, mut queue: mpsc::UnboundedReceiver<Job>) {
    // Its own connection: webhooks never queue for one behind agents' reads.
    let mut held = Held::new(store);
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (events, lookups): (Vec<Job>, Vec<Job>) = batch
            .into_iter()
            .partition(|j| matches!(j, Job::Event { .. }));
        let lookups: Vec<Fields> = lookups
            .into_iter()
            .filter_map(|j| match j {
                Job::Lookup(fields) => Some(fields),
                Job::Event { .. } => None,
            })
            .collect();
        let mut replies = Vec::new();
        let mut stored = Vec::new();
        for job in events {
            if let Job::Event {
                event,
                contact_name,
                reply,
            } = job
            {
                stored.push((*event, contact_name));
                replies.push(reply);
            }
        }
        let outcomes = commit_or_one_by_one(&mut held, &stored, &lookups).await;
        for (reply, outcome) in replies.into_iter().zip(outcomes) {
            let _ = reply.send(outcome);
        }
    }
}

/// Commits the batch in one transaction; if that fails, each event in one of its own.
async fn commit_or_one_by_one(
    held: &mut Held,
    events: &[(CallEvent, Option<String>)],
    lookups: &[Fields],
) -> Vec<Result<EventOutcome, CoreError>> {
    let now = OffsetDateTime::now_utc();
    match commit_held(held, events, lookups, now).await {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(e) if events.len() <= 1 => {
            tracing::error!(error = %e, "could not store a request");
            events.iter().map(|_| Err(CoreError::StoreFailed)).collect()
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = events.len(), "a batch failed; storing its requests one by one");
            let mut outcomes = Vec::with_capacity(events.len());
            for event in events {
                let one = commit_held(held, std::slice::from_ref(event), &[], now).await;
                outcomes.push(one.map(|mut o| o.remove(0)).map_err(|e| {
                    tracing::error!(error = %e, "could not store a request");
                    CoreError::StoreFailed
                }));
            }
            outcomes
        }
    }
}

/// Test hook: `XVB_RELAY_HOLD_COMMIT_MS` delays every commit of this node (the
/// head row stays locked meanwhile), so tests can show no other node's events
/// overtake it. Unset in production.
fn held_commit() -> Option<std::time::Duration> {
    static HOLD: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    *HOLD.get_or_init(|| {
        std::env::var("XVB_RELAY_HOLD_COMMIT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(std::time::Duration::from_millis)
    })
}

/// [`commit`] on the held connection; a connection that failed is given back.
async fn commit_held(
    held: &mut Held,
    events: &[(CallEvent, Option<String>)],
    lookups: &[Fields],
    now: OffsetDateTime,
) -> Result<Vec<EventOutcome>, CoreError> {
    let node_id = held.store().node_id.clone();
    let committed = commit(&node_id, held.client().await?, events, lookups, now).await;
    if committed.is_err() {
        held.release();
    }
    committed
}

async fn commit(
    node_id: &str,
    client: &mut deadpool_postgres::Object,
    events: &[(CallEvent, Option<String>)],
    lookups: &[Fields],
    now: OffsetDateTime,
) -> Result<Vec<EventOutcome>, CoreError> {
    let tx = client.transaction().await?;
    lock_head(&tx).await?;
    let keys: Vec<String> = events.iter().map(|(e, _)| dedupe_key(e)).collect();
    let mut seq_of: HashMap<String, i64> = tx
        .query(
            "SELECT dedupe, seq FROM relay_events WHERE dedupe = ANY($1)",
            &[&keys],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut fresh: Vec<usize> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        if !seq_of.contains_key(key) && !fresh.iter().any(|&j| keys[j] == *key) {
            fresh.push(i);
        }
    }
    let mut last_seq = 0;
    if !fresh.is_empty() {
        last_seq = tx
            .query_one(
                "UPDATE relay_head SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
                &[&(fresh.len() as i64)],
            )
            .await?
            .get(0);
        let first = last_seq - fresh.len() as i64 + 1;
        let insert = tx
            .prepare_cached(
                "INSERT INTO relay_events (seq, received_at, callid, fields, dedupe)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        for (n, &i) in fresh.iter().enumerate() {
            let seq = first + n as i64;
            let event = &events[i].0;
            let fields = serde_json::to_value(&event.fields.0).expect("strings serialise");
            tx.execute(&insert, &[&seq, &now, &event.callid, &fields, &keys[i]])
                .await?;
            seq_of.insert(keys[i].clone(), seq);
        }
    }
    let mut merged: HashMap<String, (Call, bool)> = HashMap::new();
    for &i in &fresh {
        let (event, contact_name) = &events[i];
        if !merged.contains_key(&event.callid) {
            let call = merge_call(&tx, &event.callid, contact_name.clone()).await?;
            merged.insert(event.callid.clone(), call);
        }
    }
    for fields in lookups {
        let fields = serde_json::to_value(&fields.0).expect("strings serialise");
        tx.execute(
            "INSERT INTO relay_lookups (received_at, fields) VALUES ($1, $2)",
            &[&now, &fields],
        )
        .await?;
    }
    tx.execute(
        "UPDATE relay_nodes SET last_request_at = $2 WHERE node_id = $1",
        &[&node_id, &now],
    )
    .await?;
    if let Some(hold) = held_commit() {
        tokio::time::sleep(hold).await;
    }
    tx.commit().await?;
    if last_seq > 0 {
        // Outside the transaction: a NOTIFY in it would hold a cluster-wide lock until commit.
        let woken = client
            .execute("SELECT pg_notify('relay', $1)", &[&last_seq.to_string()])
            .await;
        if let Err(e) = woken {
            tracing::debug!(error = %e, "could not notify the tailers; they poll");
        }
    }
    let mut outcomes = Vec::with_capacity(events.len());
    for (i, (event, _)) in events.iter().enumerate() {
        let (call, was_completed) = match merged.get(&event.callid) {
            Some(merged) => merged.clone(),
            None => stored_call(client, &event.callid).await?,
        };
        outcomes.push(EventOutcome {
            call,
            // Only the first of identical events in a batch, if none was stored before.
            new_event: fresh.contains(&i),
            was_completed,
            seq: seq_of[&keys[i]],
            // Relay nodes show no pops: nobody reads a caller's context there.
            context: None,
        });
    }
    Ok(outcomes)
}

/// A call's stored record (for a retried event that stored nothing new).
async fn stored_call(
    client: &tokio_postgres::Client,
    callid: &str,
) -> Result<(Call, bool), CoreError> {
    let row = client
        .query_one(
            "SELECT record, completed FROM relay_calls WHERE callid = $1",
            &[&callid],
        )
        .await?;
    let call: Call = serde_json::from_value(row.get(0)).map_err(CoreError::corrupt)?;
    Ok((call, row.get(1)))
}
