//! Call notes and dispositions: what an agent wrote about a call ("promised the
//! invoice by Friday"), the tags picked from the team's list (`Sale`,
//! `Complaint`, …), and an optional moment of the recording it refers to.
//!
//! In direct mode notes stay in the agent's store and the tags come from
//! `config.toml`; on a team relay the relay keeps the list, refuses other tags,
//! and streams every note to every agent like an event (same resume rule).
//!
//! This file holds [`Note`], [`NoteDraft`], [`Tag`] and the list's rules. It
//! imports nothing else of the crate, so every layer can use it: a `pbx` call
//! carries its notes, the store keeps them, and `store::history::csv` exports
//! them with history.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The longest note accepted, in characters (a page of text).
pub const MAX_TEXT: usize = 4000;
/// The most tags a team's list holds.
pub const MAX_TAGS: usize = 40;
/// The most notes one call holds.
pub const MAX_NOTES_PER_CALL: usize = 100;
/// The most note text one call holds, in bytes (UTF-8), all its notes together.
pub const MAX_TEXT_PER_CALL: usize = 64 * 1024;

/// A note on a call, as stored and streamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    /// Stays the same when the note is edited.
    pub id: String,
    /// The call it is about.
    pub callid: String,
    /// What was written (may be empty when only tags were picked).
    pub text: String,
    /// Tags from the team's list.
    pub tags: Vec<String>,
    /// The moment of the recording it refers to, in seconds.
    pub at: Option<f64>,
    /// The extension that wrote it (none: an agent without an extension set).
    pub by: Option<String>,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub when: OffsetDateTime,
    /// Who edited it last, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_by: Option<String>,
    /// When it was edited last.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub edited_when: Option<OffsetDateTime>,
    /// Removed by a relay's admin (`edited_by` says who): its text and tags
    /// are gone, and a store that applies it deletes the note.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// A note as an agent writes it: new (no `id`) or an edit of note `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoteDraft {
    /// The note edited, or none for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The call it is about.
    pub callid: String,
    /// What was written.
    #[serde(default)]
    pub text: String,
    /// Tags from the team's list.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The moment of the recording, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<f64>,
    /// For a new note: the id it takes, chosen by the writing app when the
    /// draft is started, so a write retried after a dropped connection is
    /// recognised and stored once ([`NoteDraft::keyed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The longest [`NoteDraft::key`] taken, in characters.
pub const MAX_KEY: usize = 64;

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteRefused {
    /// Neither text nor a tag.
    #[error("the note is empty; write something or pick a tag")]
    Empty,
    /// Longer than [`MAX_TEXT`].
    #[error("the note is longer than {MAX_TEXT} characters; shorten it")]
    TooLong,
    /// A tag not on the list.
    #[error("`{tag}` is not one of the team's tags ({known}); pick one of those, or ask your admin to add it")]
    UnknownTag {
        /// The tag given.
        tag: String,
        /// The list, comma-separated (or "none set").
        known: String,
    },
    /// A recording position that is not a time.
    #[error("the recording position must be 0 seconds or more")]
    BadPosition,
    /// No such call stored.
    #[error("there is no call {0} in the history")]
    NoCall(String),
    /// An edit of a note that does not exist (on this call).
    #[error("there is no note {0} on this call to edit")]
    NoNote(String),
    /// An edit of someone else's note.
    #[error("only {author} can change this note; write a note of your own instead")]
    NotYours {
        /// Who wrote it ("its author" when unknown).
        author: String,
    },
    /// The call holds [`MAX_NOTES_PER_CALL`] notes already.
    #[error("this call has {MAX_NOTES_PER_CALL} notes already, the most it can hold; edit one of yours instead")]
    TooManyNotes,
    /// The call's notes would pass [`MAX_TEXT_PER_CALL`].
    #[error("this call's notes would pass 64 KiB of text, the most it can hold; shorten this note or edit one of yours")]
    CallFull,
    /// A new note's key that is not 8 to 64 letters, digits, `-` or `_`.
    #[error("the note's key must be 8 to {MAX_KEY} letters, digits, - or _; leave it out to get a fresh id")]
    BadKey,
    /// A control character other than a line break or a tab (an escape
    /// sequence would reach every agent's terminal).
    #[error("the note holds a control character (such as an escape sequence); only line breaks and tabs are kept — remove it")]
    ControlCharacter,
}

/// What a call holds already: its notes and their text, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnCall {
    /// How many notes.
    pub notes: usize,
    /// Their text together, in bytes.
    pub text_bytes: usize,
}

impl NoteDraft {
    /// The draft made valid against the team's `tags`: text trimmed, tags
    /// spelled as on the list (any letter case given), each once.
    pub fn checked(mut self, tags: &[Tag]) -> Result<NoteDraft, NoteRefused> {
        self.text = self.text.trim().replace("\r\n", "\n");
        if self.text.chars().count() > MAX_TEXT {
            return Err(NoteRefused::TooLong);
        }
        if self
            .text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(NoteRefused::ControlCharacter);
        }
        if self.at.is_some_and(|at| !at.is_finite() || at < 0.0) {
            return Err(NoteRefused::BadPosition);
        }
        let key_ok = |key: &str| {
            (8..=MAX_KEY).contains(&key.len())
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if self.key.as_deref().is_some_and(|key| !key_ok(key)) {
            return Err(NoteRefused::BadKey);
        }
        let mut picked: Vec<String> = Vec::new();
        for given in &self.tags {
            let tag = find_tag(tags, given).ok_or_else(|| NoteRefused::UnknownTag {
                tag: given.trim().to_owned(),
                known: list_names(tags),
            })?;
            if !picked.contains(&tag.name) {
                picked.push(tag.name.clone());
            }
        }
        self.tags = picked;
        if self.text.is_empty() && self.tags.is_empty() {
            return Err(NoteRefused::Empty);
        }
        Ok(self)
    }
}

/// The tag of `tags` named `given` (letter case and spaces around aside).
fn find_tag<'a>(tags: &'a [Tag], given: &str) -> Option<&'a Tag> {
    let given = given.trim().to_lowercase();
    tags.iter().find(|t| t.name.to_lowercase() == given)
}

fn list_names(tags: &[Tag]) -> String {
    if tags.is_empty() {
        return "none set".into();
    }
    tags.iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A new draft's key against the note stored under that id, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyed {
    /// The same author's note on the same call: this draft's earlier write,
    /// retried. Nothing more is stored.
    AlreadyStored(Note),
    /// To be written: the key is free (or taken by another note, when the
    /// draft goes without it and gets a fresh id).
    Write(NoteDraft),
}

impl NoteDraft {
    /// What to do with this draft, given `keyed`, the note stored under its
    /// key (none for an edit, or a draft without a key), written by `by`.
    pub fn keyed(self, keyed: Option<Note>, by: &Option<String>) -> Keyed {
        match keyed {
            Some(note)
                if self.id.is_none()
                    && note.callid == self.callid
                    && note.by == *by
                    && !note.removed =>
            {
                Keyed::AlreadyStored(note)
            }
            Some(_) => Keyed::Write(NoteDraft { key: None, ..self }),
            None => Keyed::Write(self),
        }
    }

    /// The id a new note of this draft is looked up by before writing: its key.
    pub fn key_to_check(&self) -> Option<&str> {
        self.id.is_none().then_some(self.key.as_deref()).flatten()
    }

    /// The note this draft makes, written by `by` at `now` on a call that holds
    /// `on_call`: a new one, or `existing` edited (the note of the draft's `id`
    /// on its call, if stored) — by its author only.
    pub fn into_note(
        self,
        existing: Option<Note>,
        on_call: OnCall,
        by: Option<String>,
        now: OffsetDateTime,
    ) -> Result<Note, NoteRefused> {
        let replaced = existing.as_ref().map_or(0, |n| n.text.len());
        let text_bytes = on_call.text_bytes.saturating_sub(replaced) + self.text.len();
        match &self.id {
            None if on_call.notes >= MAX_NOTES_PER_CALL => Err(NoteRefused::TooManyNotes),
            _ if text_bytes > MAX_TEXT_PER_CALL => Err(NoteRefused::CallFull),
            None => Ok(Note::new(self, by, now)),
            Some(id) => {
                let existing = existing.ok_or_else(|| NoteRefused::NoNote(id.clone()))?;
                if existing.by != by {
                    return Err(NoteRefused::NotYours {
                        author: existing.by.unwrap_or_else(|| "its author".into()),
                    });
                }
                Ok(existing.edited(self, by, now))
            }
        }
    }
}

impl Note {
    /// A new note from a checked `draft`, written by `by` at `now`; its id is
    /// the draft's key, else a fresh one.
    pub fn new(draft: NoteDraft, by: Option<String>, now: OffsetDateTime) -> Note {
        Note {
            id: draft.id.or(draft.key).unwrap_or_else(new_id),
            callid: draft.callid,
            text: draft.text,
            tags: draft.tags,
            at: draft.at,
            by,
            when: to_millis(now),
            edited_by: None,
            edited_when: None,
            removed: false,
        }
    }

    /// This note with `draft`'s text, tags and position, edited by `by` at `now`
    /// (who wrote it first, and when, are kept).
    pub fn edited(self, draft: NoteDraft, by: Option<String>, now: OffsetDateTime) -> Note {
        Note {
            text: draft.text,
            tags: draft.tags,
            at: draft.at,
            edited_by: by,
            edited_when: Some(to_millis(now)),
            ..self
        }
    }

    /// This note removed by `by` at `now`: its text and tags gone.
    pub fn removed_by(self, by: String, now: OffsetDateTime) -> Note {
        Note {
            text: String::new(),
            tags: Vec::new(),
            at: None,
            edited_by: Some(by),
            edited_when: Some(to_millis(now)),
            removed: true,
            ..self
        }
    }

    /// What search compares: text and tags, in lower case.
    pub fn folded(&self) -> String {
        let mut folded = self.text.to_lowercase();
        for tag in &self.tags {
            folded.push(' ');
            folded.push_str(&tag.to_lowercase());
        }
        folded
    }
}

/// `t` to the millisecond (what the store keeps).
fn to_millis(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .expect("a smaller nanosecond is valid")
}

/// A fresh note id: 16 random hex digits.
fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A tag of the team's list, with the colour it is shown in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tag {
    /// As shown and stored (`Call back`).
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

/// Colours given to tags listed without one, in order (dark enough for white text).
const PALETTE: &[&str] = &[
    "#2e7d32", "#c62828", "#1565c0", "#6d4c41", "#6a1b9a", "#00838f", "#ef6c00", "#455a64",
];

/// The list from its text form: `Sale=#2e7d32`, `Complaint`, `Call back`, …
/// (a colour is optional; tags without one take the palette's in turn).
pub fn parse_tags<S: AsRef<str>>(given: &[S]) -> Result<Vec<Tag>, String> {
    let mut tags: Vec<Tag> = Vec::new();
    for (i, item) in given.iter().map(AsRef::as_ref).enumerate() {
        let (name, color) = match item.rsplit_once('=') {
            Some((name, color)) => (name.trim(), color.trim().to_ascii_lowercase()),
            None => (item.trim(), PALETTE[i % PALETTE.len()].to_owned()),
        };
        if name.is_empty() || name.chars().count() > 40 || name.contains([',', '\n']) {
            return Err(format!(
                "a tag is 1 to 40 characters without commas, such as Sale or \"Call back\", got `{item}`"
            ));
        }
        let is_colour = color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !is_colour {
            return Err(format!(
                "a tag's colour is #rrggbb, such as Sale=#2e7d32, got `{item}`"
            ));
        }
        if find_tag(&tags, name).is_some() {
            return Err(format!("the tag `{name}` is listed twice"));
        }
        tags.push(Tag {
            name: name.to_owned(),
            color,
        });
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags, got {}", tags.len()));
    }
    Ok(tags)
}

/// The list in its text form (what [`parse_tags`] reads back).
pub fn tags_text(tags: &[Tag]) -> Vec<String> {
    tags.iter()
        .map(|t| format!("{}={}", t.name, t.color))
        .collect()
}

#[cfg(test)]
mod tests;
