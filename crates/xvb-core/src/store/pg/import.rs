//! `xvb relay import-sqlite FILE`: a single relay's SQLite file moved into the
//! cluster's PostgreSQL — its events with their sequence numbers (so its agents
//! resume where they were), their calls, its notes and tags, its agents and its
//! contact book.
//! Idempotent: what is already there is left as it is.

use super::notes::{insert_note, replace_tags};
use super::stream_writes::{dedupe_key, lock_head, merge_call};
use super::PgStore;
use crate::contacts::Parsed;
use crate::pbx::protocol::{CallEvent, Fields, PbxRequest};
use crate::store::{note_of_fields, Database, JournalEntry, NOTE_CMD};
use crate::CoreError;
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// Events read from the file per query.
const PAGE: usize = 1000;

/// What an import moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Events new to PostgreSQL.
    pub events: usize,
    /// Note versions moved (each edit is one).
    pub notes: usize,
    /// Agents new to PostgreSQL.
    pub agents: usize,
    /// Contacts added or updated.
    pub contacts: usize,
}

impl PgStore {
    /// Moves the relay database `db` into this one (see the module's doc).
    pub async fn import_sqlite(&self, db: &Database) -> Result<Imported, CoreError> {
        let mut imported = Imported::default();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        lock_head(&tx).await?;
        let mut after = 0;
        let mut callids = BTreeSet::new();
        loop {
            let page = db.events_after(after, PAGE, true)?;
            let full = page.len() == PAGE;
            for entry in page {
                after = entry.seq;
                let received_at = OffsetDateTime::parse(
                    &entry.received_at,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|e| CoreError::Corrupt(format!("event {}: {e}", entry.seq)))?;
                let fields = serde_json::to_value(&entry.fields).expect("strings serialise");
                if let Some(note) = (entry.cmd == NOTE_CMD)
                    .then(|| note_of_fields(&entry.fields))
                    .flatten()
                {
                    if insert_note(&tx, entry.seq, received_at, &fields, &note).await? {
                        imported.notes += 1;
                    }
                    continue;
                }
                let Some(event) = call_event(&entry) else {
                    continue;
                };
                let added = tx
                    .execute(
                        "INSERT INTO relay_events (seq, received_at, callid, fields, dedupe)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[
                            &entry.seq,
                            &received_at,
                            &event.callid,
                            &fields,
                            &dedupe_key(&event),
                        ],
                    )
                    .await?;
                if added > 0 {
                    imported.events += 1;
                    callids.insert(event.callid);
                }
            }
            if !full {
                break;
            }
        }
        let kept = db.kept()?;
        tx.execute(
            "UPDATE relay_head SET last_seq = greatest(last_seq, $1),
                 oldest_seq = greatest(oldest_seq, $2) WHERE id = 1",
            &[&kept.head, &kept.pruned_event],
        )
        .await?;
        for callid in &callids {
            merge_call(&tx, callid, None).await?;
        }
        for agent in db.agent_records()? {
            imported.agents += tx
                .execute(
                    "INSERT INTO relay_agents (ext, token_hash, created_at, revoked_at)
                     VALUES ($1, $2, $3::text::timestamptz, $4::text::timestamptz)
                     ON CONFLICT (token_hash) DO NOTHING",
                    &[
                        &agent.ext,
                        &agent.token_hash,
                        &agent.created_at,
                        &agent.revoked_at,
                    ],
                )
                .await? as usize;
        }
        for (ext, name) in db.team_names()? {
            tx.execute(
                "INSERT INTO relay_names (ext, name) VALUES ($1, $2) ON CONFLICT (ext) DO NOTHING",
                &[&ext, &name],
            )
            .await?;
        }
        // The file's tags, unless the cluster has its own list already.
        let listed: i64 = tx
            .query_one("SELECT count(*) FROM relay_tags", &[])
            .await?
            .get(0);
        if listed == 0 {
            replace_tags(&tx, &db.team_tags()?).await?;
        }
        tx.commit().await?;
        let contacts: Vec<_> = db.contacts()?.into_iter().map(|c| (0, c)).collect();
        imported.contacts = contacts.len();
        self.import(Parsed {
            contacts,
            errors: Vec::new(),
            cleaned: Vec::new(),
        })
        .await?;
        Ok(imported)
    }
}

/// The call event a journal row holds, if it is one.
fn call_event(entry: &JournalEntry) -> Option<CallEvent> {
    match PbxRequest::parse(Fields(entry.fields.clone())) {
        Ok(PbxRequest::Event(event)) => Some(event),
        _ => None,
    }
}
