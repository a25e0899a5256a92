//! The `notes` table — agents' notes, written in the writer's transaction
//! (journalled like events, so a relay streams them) and attached to calls
//! when history is read — and a relay's list of tags, `team_tags`.

use super::journal::{append, JournalEntry};
use super::{from_unix_ms, unix_ms, Database};
use crate::notes::{Keyed, Note, NoteDraft, NoteRefused, OnCall, Tag};
use crate::pbx::call::Call;
use crate::pbx::protocol::Fields;
use crate::CoreError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;
use time::OffsetDateTime;

/// The journal's `cmd` for a note; its one field, `note`, holds it as JSON.
pub const NOTE_CMD: &str = "note";

/// A note to store: written here (a new one, or an edit), or as a relay stored it.
#[derive(Debug, Clone)]
pub enum NoteWrite {
    /// Written on this store by extension `by` (checked against the tags already).
    Author {
        /// What was written.
        draft: NoteDraft,
        /// Who wrote it.
        by: Option<String>,
    },
    /// Stored by the relay: kept as it is (a removed note is deleted).
    Apply(Note),
    /// Removed by `by` (a relay's admin): its text goes, the removal is journalled.
    Remove {
        /// The note.
        id: String,
        /// Who removed it.
        by: String,
    },
}

/// A stored note and its journal sequence number.
#[derive(Debug, Clone)]
pub struct StoredNote {
    /// The note as stored.
    pub note: Note,
    /// Its journal row.
    pub seq: i64,
}

/// A note as its journal row's fields: one, `note`, holding it as JSON.
pub fn note_fields(note: &Note) -> Vec<(String, String)> {
    let json = serde_json::to_string(note).expect("notes serialise");
    vec![("note".to_owned(), json)]
}

/// The note of a journal row of [`NOTE_CMD`].
pub fn note_of_fields(fields: &[(String, String)]) -> Option<Note> {
    let (_, json) = fields.iter().find(|(name, _)| name == "note")?;
    serde_json::from_str(json).ok()
}

/// Whether `entry` holds a note: its `cmd` says so, or (from a relay node older
/// than notes, which labels every row an event) its one field is `note`.
pub fn is_note(entry: &JournalEntry) -> bool {
    entry.cmd == NOTE_CMD || matches!(entry.fields.as_slice(), [(name, _)] if name == "note")
}

/// Stores a note in the writer's transaction: the row, its journal entry and
/// the call's folded notes (what search compares). A refusal (no such call or
/// note) comes before anything is written, but for an admin's removal of a
/// note already gone, whose request is ended.
pub(super) fn store_note(
    conn: &Connection,
    write: &NoteWrite,
    now: OffsetDateTime,
) -> Result<StoredNote, CoreError> {
    let note = match write {
        NoteWrite::Apply(note) => note.clone(),
        NoteWrite::Remove { id, by } => {
            // The admin's request is done either way (a note already gone stays gone).
            conn.prepare_cached("DELETE FROM note_removals WHERE id = ?1")?
                .execute([id])?;
            notes_where(conn, "id = ?1", [id])?
                .into_iter()
                .next()
                .ok_or_else(|| NoteRefused::NoNote(id.clone()))?
                .removed_by(by.clone(), now)
        }
        NoteWrite::Author { draft, by } => {
            let known: bool = conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM calls WHERE callid = ?1)")?
                .query_row([&draft.callid], |r| r.get(0))?;
            if !known {
                return Err(NoteRefused::NoCall(draft.callid.clone()).into());
            }
            let keyed = match draft.key_to_check() {
                Some(key) => notes_where(conn, "id = ?1", [key])?.into_iter().next(),
                None => None,
            };
            let draft = match draft.clone().keyed(keyed, by) {
                Keyed::AlreadyStored(note) => {
                    // A retried write: answered with the stream's head, which
                    // is at or after the note's version.
                    let seq = conn
                        .prepare_cached("SELECT coalesce(max(seq), 0) FROM journal")?
                        .query_row([], |r| r.get(0))?;
                    return Ok(StoredNote { note, seq });
                }
                Keyed::Write(draft) => draft,
            };
            let existing = match &draft.id {
                None => None,
                Some(id) => {
                    notes_where(conn, "id = ?1 AND callid = ?2", params![id, draft.callid])?
                        .into_iter()
                        .next()
                }
            };
            let on_call = conn
                .prepare_cached(
                    "SELECT count(*), coalesce(sum(length(CAST(text AS BLOB))), 0)
                     FROM notes WHERE callid = ?1",
                )?
                .query_row([&draft.callid], |r| {
                    Ok(OnCall {
                        notes: r.get::<_, i64>(0)? as usize,
                        text_bytes: r.get::<_, i64>(1)? as usize,
                    })
                })?;
            draft.into_note(existing, on_call, by.clone(), now)?
        }
    };
    let new_note = !conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM notes WHERE id = ?1)")?
        .query_row([&note.id], |r| r.get::<_, bool>(0))?;
    if note.removed {
        conn.prepare_cached("DELETE FROM notes WHERE id = ?1")?
            .execute([&note.id])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO notes (id, callid, text, tags, at_s, by_ext, written_ms, edited_by, edited_ms,
                 tags_fold)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(id) DO UPDATE SET text = excluded.text, tags = excluded.tags,
                 tags_fold = excluded.tags_fold,
                 at_s = excluded.at_s, edited_by = excluded.edited_by, edited_ms = excluded.edited_ms",
        )?
        .execute(params![
            note.id,
            note.callid,
            note.text,
            serde_json::to_string(&note.tags).expect("tags serialise"),
            note.at,
            note.by,
            unix_ms(note.when),
            note.edited_by,
            note.edited_when.map(unix_ms),
            serde_json::to_string(
                &note
                    .tags
                    .iter()
                    .map(|t| t.to_lowercase())
                    .collect::<Vec<_>>()
            )
            .expect("tags serialise"),
        ])?;
    }
    let fields = Fields(note_fields(&note));
    let seq = append(conn, NOTE_CMD, Some(&note.callid), &fields, now)?;
    if new_note && !note.removed {
        // A new note adds its words to the call's; nothing earlier is read again.
        conn.prepare_cached(
            "UPDATE calls SET notes_fold = CASE WHEN notes_fold IS NULL OR notes_fold = ''
                 THEN ?1 ELSE notes_fold || char(10) || ?1 END WHERE callid = ?2",
        )?
        .execute(params![note.folded(), note.callid])?;
    } else {
        fold_again(conn, &note.callid)?;
    }
    Ok(StoredNote { note, seq })
}

/// The call's search words from all its notes (after an edit or a removal;
/// bounded by [`crate::notes::MAX_TEXT_PER_CALL`]).
fn fold_again(conn: &Connection, callid: &str) -> Result<(), CoreError> {
    let folded = notes_where(conn, "callid = ?1", params![callid])?
        .iter()
        .map(Note::folded)
        .collect::<Vec<_>>()
        .join("\n");
    conn.prepare_cached("UPDATE calls SET notes_fold = ?1 WHERE callid = ?2")?
        .execute(params![folded, callid])?;
    Ok(())
}

const COLUMNS: &str = "id, callid, text, tags, at_s, by_ext, written_ms, edited_by, edited_ms";

fn notes_where(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Note>, CoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notes WHERE {filter} ORDER BY written_ms, rowid"
    ))?;
    let rows = stmt.query_map(params, |row| Ok(note_of_row(row)))?;
    rows.map(|row| row?).collect()
}

fn note_of_row(row: &Row) -> Result<Note, CoreError> {
    let tags: String = row.get(3)?;
    Ok(Note {
        id: row.get(0)?,
        callid: row.get(1)?,
        text: row.get(2)?,
        tags: serde_json::from_str(&tags).map_err(CoreError::corrupt)?,
        at: row.get(4)?,
        by: row.get(5)?,
        when: from_unix_ms(row.get(6)?)?,
        edited_by: row.get(7)?,
        edited_when: row
            .get::<_, Option<i64>>(8)?
            .map(from_unix_ms)
            .transpose()?,
        removed: false,
    })
}

/// Attaches their notes (and the union of their tags) to `calls`, in one query.
pub(super) fn attach_notes(conn: &Connection, calls: &mut [Call]) -> Result<(), CoreError> {
    if calls.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(&calls.iter().map(|c| &c.callid).collect::<Vec<_>>())
        .expect("ids serialise");
    let mut by_call: HashMap<String, Vec<Note>> = HashMap::new();
    for note in notes_where(conn, "callid IN (SELECT value FROM json_each(?1))", [ids])? {
        by_call.entry(note.callid.clone()).or_default().push(note);
    }
    for call in calls {
        let notes = by_call.remove(&call.callid).unwrap_or_default();
        let mut tags: Vec<String> = Vec::new();
        for tag in notes.iter().flat_map(|n| &n.tags) {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        call.notes = notes;
        call.tags = tags;
    }
    Ok(())
}

/// The newest note on an earlier call of `phone` (not `callid`), for the ring pop.
pub(super) fn last_note(
    conn: &Connection,
    phone: &str,
    callid: &str,
) -> Result<Option<Note>, CoreError> {
    let prefixed = COLUMNS
        .split(", ")
        .map(|c| format!("n.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.prepare_cached(&format!(
        "SELECT {prefixed} FROM calls c JOIN notes n ON n.callid = c.callid
         WHERE c.phone_norm = ?1 AND c.callid <> ?2 ORDER BY n.written_ms DESC LIMIT 1"
    ))?
    .query_row([phone, callid], |row| Ok(note_of_row(row)))
    .optional()?
    .transpose()
}

impl Database {
    /// The note `id`, if stored.
    pub fn note(&self, id: &str) -> Result<Option<Note>, CoreError> {
        Ok(notes_where(&self.conn, "id = ?1", [id])?.into_iter().next())
    }

    /// Asks the running relay to remove note `id` (it takes the request
    /// within a second); false when there is no such note.
    pub fn ask_note_removal(&self, id: &str) -> Result<bool, CoreError> {
        if self.note(id)?.is_none() {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO note_removals (id, asked_ms) VALUES (?1, ?2)",
            params![id, unix_ms(OffsetDateTime::now_utc())],
        )?;
        Ok(true)
    }

    /// The removals asked for and not yet done (the writer's removal of a
    /// note ends its request, in the same transaction).
    pub fn note_removals(&self) -> Result<Vec<String>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM note_removals ORDER BY asked_ms")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// A relay's tags, in the order shown.
    pub fn team_tags(&self) -> Result<Vec<Tag>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, color FROM team_tags ORDER BY position")?;
        let rows = stmt.query_map([], |r| {
            Ok(Tag {
                name: r.get(0)?,
                color: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces a relay's tags (notes keep the tags they were given).
    pub fn set_team_tags(&self, tags: &[Tag]) -> Result<(), CoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM team_tags", [])?;
        for (position, tag) in tags.iter().enumerate() {
            tx.execute(
                "INSERT INTO team_tags (position, name, color) VALUES (?1, ?2, ?3)",
                params![position as i64, tag.name, tag.color],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
