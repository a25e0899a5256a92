//! Notes and tags on PostgreSQL: a note takes the stream's next sequence
//! number under the head row's lock (as events do), so every node streams it
//! in order; the team's tags are one small table.

use super::stream_writes::lock_head;
use super::PgStore;
use crate::notes::{Keyed, Note, NoteRefused, OnCall, Tag};
use crate::store::notes::note_fields;
use crate::store::{NoteWrite, StoredNote, NOTE_CMD};
use crate::CoreError;
use time::OffsetDateTime;
use tokio_postgres::Transaction;

impl PgStore {
    /// Stores a note written by an agent (or an edit) and streams it; once committed.
    pub async fn record_note(&self, write: NoteWrite) -> Result<StoredNote, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        lock_head(&tx).await?;
        let now = OffsetDateTime::now_utc();
        let note = match write {
            NoteWrite::Apply(note) => note,
            NoteWrite::Remove { id, by } => {
                // The admin's request is done either way (a note already gone stays gone).
                tx.execute("DELETE FROM relay_note_removals WHERE id = $1", &[&id])
                    .await?;
                let existing = tx
                    .query_opt("SELECT note FROM relay_notes WHERE id = $1", &[&id])
                    .await?
                    .map(|row| serde_json::from_value::<Note>(row.get(0)))
                    .transpose()
                    .map_err(CoreError::corrupt)?;
                let Some(existing) = existing else {
                    tx.commit().await?;
                    return Err(NoteRefused::NoNote(id).into());
                };
                existing.removed_by(by, now)
            }
            NoteWrite::Author { draft, by } => {
                let known = tx
                    .query_opt(
                        "SELECT 1 FROM relay_calls WHERE callid = $1",
                        &[&draft.callid],
                    )
                    .await?
                    .is_some();
                if !known {
                    return Err(NoteRefused::NoCall(draft.callid).into());
                }
                let keyed = match draft.key_to_check() {
                    Some(key) => tx
                        .query_opt("SELECT note FROM relay_notes WHERE id = $1", &[&key])
                        .await?
                        .map(|row| serde_json::from_value(row.get(0)))
                        .transpose()
                        .map_err(CoreError::corrupt)?,
                    None => None,
                };
                let draft = match draft.keyed(keyed, &by) {
                    Keyed::AlreadyStored(note) => {
                        // A retried write: answered with the stream's head.
                        let seq: i64 = tx
                            .query_one("SELECT last_seq FROM relay_head WHERE id = 1", &[])
                            .await?
                            .get(0);
                        tx.commit().await?;
                        return Ok(StoredNote { note, seq });
                    }
                    Keyed::Write(draft) => draft,
                };
                let existing = match &draft.id {
                    None => None,
                    Some(id) => tx
                        .query_opt(
                            "SELECT note FROM relay_notes WHERE id = $1 AND callid = $2",
                            &[id, &draft.callid],
                        )
                        .await?
                        .map(|row| serde_json::from_value(row.get(0)))
                        .transpose()
                        .map_err(CoreError::corrupt)?,
                };
                let on_call = tx
                    .query_one(
                        "SELECT count(*), coalesce(sum(octet_length(note->>'text')), 0)::bigint
                         FROM relay_notes WHERE callid = $1",
                        &[&draft.callid],
                    )
                    .await?;
                let on_call = OnCall {
                    notes: on_call.get::<_, i64>(0) as usize,
                    text_bytes: on_call.get::<_, i64>(1) as usize,
                };
                draft.into_note(existing, on_call, by, now)?
            }
        };
        let seq: i64 = tx
            .query_one(
                "UPDATE relay_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
                &[],
            )
            .await?
            .get(0);
        let fields = serde_json::to_value(note_fields(&note)).expect("fields serialise");
        insert_note(&tx, seq, now, &fields, &note).await?;
        tx.commit().await?;
        // Outside the transaction, as the writer does: only a hint, tailers also poll.
        if let Err(e) = client
            .execute("SELECT pg_notify('relay', $1)", &[&seq.to_string()])
            .await
        {
            tracing::debug!(error = %e, "could not notify the tailers; they poll");
        }
        Ok(StoredNote { note, seq })
    }

    /// Asks the nodes to remove note `id` (one takes the request within a
    /// second); false when there is no such note.
    pub async fn ask_note_removal(&self, id: &str) -> Result<bool, CoreError> {
        let client = self.client().await?;
        let asked = client
            .execute(
                "INSERT INTO relay_note_removals (id)
                 SELECT id FROM relay_notes WHERE id = $1 ON CONFLICT DO NOTHING",
                &[&id],
            )
            .await?;
        let known = asked > 0
            || client
                .query_opt("SELECT 1 FROM relay_notes WHERE id = $1", &[&id])
                .await?
                .is_some();
        Ok(known)
    }

    /// The removals asked for and not yet done (a node's removal of the note
    /// ends its request, in the same transaction; another node taking the same
    /// request finds the note gone and only ends it).
    pub async fn note_removals(&self) -> Result<Vec<String>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT id FROM relay_note_removals ORDER BY asked_at", &[])
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The team's tags, in the order shown.
    pub async fn team_tags(&self) -> Result<Vec<Tag>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT name, color FROM relay_tags ORDER BY position", &[])
            .await?;
        Ok(rows
            .iter()
            .map(|row| Tag {
                name: row.get(0),
                color: row.get(1),
            })
            .collect())
    }

    /// Replaces the team's tags.
    pub async fn set_team_tags(&self, tags: &[Tag]) -> Result<(), CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        replace_tags(&tx, tags).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A note's row of the stream (`seq`, with its journal `fields`) and, if that
/// row is new, the note's latest version in `relay_notes`; whether it was new
/// (importing a file again changes nothing).
pub(super) async fn insert_note(
    tx: &Transaction<'_>,
    seq: i64,
    received_at: OffsetDateTime,
    fields: &serde_json::Value,
    note: &Note,
) -> Result<bool, CoreError> {
    let added = tx
        .execute(
            "INSERT INTO relay_events (seq, received_at, callid, fields, dedupe, cmd)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &[
                &seq,
                &received_at,
                &note.callid,
                fields,
                &format!("{NOTE_CMD}:{seq}"),
                &NOTE_CMD,
            ],
        )
        .await?;
    if added == 0 {
        return Ok(false);
    }
    if note.removed {
        tx.execute("DELETE FROM relay_notes WHERE id = $1", &[&note.id])
            .await?;
        return Ok(true);
    }
    tx.execute(
        "INSERT INTO relay_notes (id, callid, note) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET note = excluded.note",
        &[
            &note.id,
            &note.callid,
            &serde_json::to_value(note).expect("notes serialise"),
        ],
    )
    .await?;
    Ok(true)
}

/// Replaces the team's tags in `tx`.
pub(super) async fn replace_tags(tx: &Transaction<'_>, tags: &[Tag]) -> Result<(), CoreError> {
    tx.execute("DELETE FROM relay_tags", &[]).await?;
    for (position, tag) in tags.iter().enumerate() {
        tx.execute(
            "INSERT INTO relay_tags (position, name, color) VALUES ($1, $2, $3)",
            &[&(position as i32), &tag.name, &tag.color],
        )
        .await?;
    }
    Ok(())
}
