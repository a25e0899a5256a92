//! Notes: the tag list's rules, and notes stored, searched, shown and
//! exported on a real SQLite file.

use super::*;
use crate::pbx::pop::Language;
use crate::pbx::protocol::{CallEvent, Fields};
use crate::pbx::sim::SimCall;
use crate::store::history::csv::{export_csv, CsvOptions};
use crate::store::{Database, HistoryQuery, NoteWrite, Writer};

fn team_tags() -> Vec<Tag> {
    parse_tags(&["Sale=#2E7D32", "Complaint", "Call back"]).unwrap()
}

fn draft(callid: &str, text: &str, tags: &[&str]) -> NoteDraft {
    NoteDraft {
        id: None,
        callid: callid.into(),
        text: text.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        at: None,
        key: None,
    }
}

#[test]
fn tags_come_only_from_the_list_spelled_as_listed() {
    let tags = team_tags();
    assert_eq!(tags[0].color, "#2e7d32");
    assert_eq!(tags[2].color, PALETTE[2], "no colour given: the palette's");
    let checked = draft("c", "  promised  ", &["call BACK", "Call back"])
        .checked(&tags)
        .unwrap();
    assert_eq!(
        (checked.text.as_str(), checked.tags),
        ("promised", vec!["Call back".to_owned()])
    );
    let refused = draft("c", "x", &["Spam"]).checked(&tags).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`Spam` is not one of the team's tags (Sale, Complaint, Call back); pick one of those, or ask your admin to add it"
    );
    assert_eq!(draft("c", " ", &[]).checked(&tags), Err(NoteRefused::Empty));
    let mut at = draft("c", "x", &[]);
    at.at = Some(-1.0);
    assert_eq!(at.checked(&tags), Err(NoteRefused::BadPosition));
    assert!(parse_tags(&["Sale", "sale"]).is_err(), "twice");
    assert!(parse_tags(&["Sale=green"]).is_err(), "not #rrggbb");
    assert_eq!(
        parse_tags(&tags_text(&tags)).unwrap(),
        tags,
        "text form round-trips"
    );
}

fn fields(fields: Fields) -> CallEvent {
    CallEvent::parse(fields).unwrap()
}

/// A store with two answered calls from one number (`OLD`, then `NEW`) and one from another.
async fn store_with_calls() -> (tempfile::TempDir, Writer, Database) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let writer = Writer::start(&path).unwrap();
    let mut other = SimCall::to_100("OTHER");
    other.phone = "79990000000".into();
    for call in [SimCall::to_100("OLD"), other] {
        writer
            .record_event(fields(call.incoming()), Some("Вася Пупкин".into()))
            .await
            .unwrap();
        writer
            .record_event(
                fields(call.completed("ANSWER", 60, Some("https://pbx.example/r/1.mp3"))),
                None,
            )
            .await
            .unwrap();
    }
    let db = Database::open(&path).unwrap();
    (dir, writer, db)
}

fn author(draft: NoteDraft, by: &str) -> NoteWrite {
    NoteWrite::Author {
        draft,
        by: Some(by.into()),
    }
}

#[tokio::test]
async fn notes_attach_to_their_call_and_edits_keep_the_author() {
    let (_dir, writer, db) = store_with_calls().await;
    let first = writer
        .record_note(
            author(
                draft("OLD", "Обещал счёт до пятницы", &["Call back"]),
                "101",
            ),
            None,
        )
        .await
        .unwrap();
    let mut edit = draft("OLD", "Обещал счёт до понедельника", &["Call back", "Sale"]);
    edit.id = Some(first.note.id.clone());
    let colleague = writer.record_note(author(edit.clone(), "102"), None).await;
    assert!(
        matches!(&colleague, Err(crate::CoreError::Note(NoteRefused::NotYours { author })) if author == "101"),
        "only the author edits: {colleague:?}"
    );
    let edited = writer
        .record_note(author(edit, "101"), None)
        .await
        .unwrap()
        .note;
    assert_eq!(edited.by.as_deref(), Some("101"), "the author stays");
    assert_eq!(edited.edited_by.as_deref(), Some("101"));
    assert_eq!(edited.when, first.note.when, "so does when it was written");
    let call = db.call("OLD").unwrap().unwrap();
    assert_eq!(call.notes.len(), 1, "an edit replaces, not adds");
    assert_eq!(call.notes[0].text, "Обещал счёт до понедельника");
    assert_eq!(call.tags, ["Call back", "Sale"]);
    let json = serde_json::to_value(&call).unwrap();
    assert_eq!(json["notes"][0]["by"], "101");
    assert_eq!(json["tags"][1], "Sale");

    let missing = writer
        .record_note(author(draft("NOPE", "x", &[]), "101"), None)
        .await;
    assert!(matches!(
        missing,
        Err(crate::CoreError::Note(NoteRefused::NoCall(_)))
    ));
    let mut stray = draft("OTHER", "x", &[]);
    stray.id = Some(first.note.id);
    let stray = writer.record_note(author(stray, "101"), None).await;
    assert!(
        matches!(stray, Err(crate::CoreError::Note(NoteRefused::NoNote(_)))),
        "a note is edited only on its own call"
    );
    let journal = db.journal(0, 100).unwrap();
    let notes: Vec<_> = journal.iter().filter(|e| e.cmd == "note").collect();
    assert_eq!(
        notes.len(),
        2,
        "each version journalled (what a relay streams)"
    );
}

#[tokio::test]
async fn search_finds_notes_text_and_tags_and_the_tag_filter_narrows() {
    let (_dir, writer, db) = store_with_calls().await;
    writer
        .record_note(
            author(
                draft("OTHER", "Жалоба на доставку", &["Complaint", "Жалоба"]),
                "101",
            ),
            None,
        )
        .await
        .unwrap();
    let found = |search: &str, tag: Option<&str>| {
        let query = HistoryQuery {
            search: (!search.is_empty()).then(|| search.to_owned()),
            tag: tag.map(Into::into),
            limit: 10,
            ..Default::default()
        };
        let calls: Vec<String> = db
            .history(&query)
            .unwrap()
            .into_iter()
            .map(|c| c.callid)
            .collect();
        assert_eq!(db.history_count(&query).unwrap(), calls.len() as i64);
        calls
    };
    // Calls wait for the index until the writer is idle; search must find
    // them either way — before and after indexing.
    for _ in 0..2 {
        assert_eq!(found("доставк", None), ["OTHER"], "note text, any case");
        assert_eq!(found("ЖАЛОБА", None), ["OTHER"]);
        assert_eq!(found("complaint", None), ["OTHER"], "a tag");
        assert_eq!(found("вася", None).len(), 2, "names still found");
        assert_eq!(found("", Some("complaint")), ["OTHER"]);
        assert_eq!(found("", Some("ЖАЛОБА")), ["OTHER"], "Cyrillic in any case");
        assert!(found("", Some("Sale")).is_empty());
        assert_eq!(found("вас", Some("Complaint")), ["OTHER"]);
        while db.calls_waiting_for_search_index().unwrap() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn the_next_call_of_that_caller_carries_the_last_note() {
    let (_dir, writer, _db) = store_with_calls().await;
    writer
        .record_note(
            author(draft("OLD", "promised the invoice by Friday", &[]), "101"),
            None,
        )
        .await
        .unwrap();
    let next = writer
        .record_event(fields(SimCall::to_100("NEXT").incoming()), None)
        .await
        .unwrap();
    let note = next.context.unwrap().last_note.unwrap();
    assert_eq!(note.by.as_deref(), Some("101"));
    assert_eq!(note.text, "promised the invoice by Friday");
}

#[tokio::test]
async fn csv_export_has_a_bom_the_separator_and_every_note() {
    let (_dir, writer, db) = store_with_calls().await;
    let mut stamped = draft("OLD", "Сказал: \"перезвоню\"; завтра", &["Sale"]);
    stamped.at = Some(75.0);
    writer
        .record_note(author(stamped, "101"), None)
        .await
        .unwrap();
    let mut out = Vec::new();
    let options = CsvOptions {
        separator: b';',
        offset: time::UtcOffset::UTC,
        language: Language::Ru,
    };
    let written = export_csv(&db, &HistoryQuery::default(), options, &mut out).unwrap();
    assert_eq!(written, 2);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("\u{feff}Начало;Направление;"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let old = rows.iter().find(|r| &r[12] == "OLD").unwrap();
    assert_eq!(&old[3], "Вася Пупкин");
    assert_eq!(&old[8], "60");
    assert_eq!(&old[9], "Sale");
    assert_eq!(&old[10], "101 @1:15: Сказал: \"перезвоню\"; завтра");
    assert_eq!(&old[11], "https://pbx.example/r/1.mp3");
}

#[tokio::test]
async fn a_call_holds_at_most_a_hundred_notes_and_64_kib_of_text() {
    let (_dir, writer, db) = store_with_calls().await;
    let long = "щ".repeat(MAX_TEXT); // 8,000 bytes in UTF-8
    for _ in 0..8 {
        writer
            .record_note(author(draft("OLD", &long, &[]), "101"), None)
            .await
            .unwrap();
    }
    let full = writer
        .record_note(author(draft("OLD", &"x".repeat(2000), &[]), "101"), None)
        .await;
    assert!(
        matches!(full, Err(crate::CoreError::Note(NoteRefused::CallFull))),
        "64,000 bytes stored, 2,000 more refused: {full:?}"
    );
    for n in 8..MAX_NOTES_PER_CALL {
        writer
            .record_note(author(draft("OTHER", &format!("n{n}"), &[]), "101"), None)
            .await
            .unwrap();
    }
    for n in 0..8 {
        writer
            .record_note(author(draft("OTHER", &format!("m{n}"), &[]), "101"), None)
            .await
            .unwrap();
    }
    let past = writer
        .record_note(author(draft("OTHER", "one more", &[]), "101"), None)
        .await;
    assert!(
        matches!(past, Err(crate::CoreError::Note(NoteRefused::TooManyNotes))),
        "{past:?}"
    );
    assert_eq!(
        db.call("OTHER").unwrap().unwrap().notes.len(),
        MAX_NOTES_PER_CALL
    );
    // Editing stays open on a full call, within the text limit.
    let mut edit = draft("OLD", "короче", &[]);
    edit.id = Some(db.call("OLD").unwrap().unwrap().notes[0].id.clone());
    writer.record_note(author(edit, "101"), None).await.unwrap();
}

#[test]
fn control_characters_other_than_line_breaks_and_tabs_are_refused() {
    let escape = draft("OLD", "\u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7}", &[]);
    assert_eq!(escape.checked(&[]), Err(NoteRefused::ControlCharacter));
    let kept = draft("OLD", "line one\r\nline two\twith a tab", &[])
        .checked(&[])
        .unwrap();
    assert_eq!(kept.text, "line one\nline two\twith a tab");
}

#[tokio::test]
async fn search_finds_words_of_new_and_edited_notes_and_forgets_replaced_ones() {
    let (_dir, writer, db) = store_with_calls().await;
    let first = writer
        .record_note(author(draft("OLD", "первая заметка", &[]), "101"), None)
        .await
        .unwrap();
    writer
        .record_note(author(draft("OLD", "вторая", &[]), "101"), None)
        .await
        .unwrap();
    let found = |words: &str| {
        let query = HistoryQuery {
            search: Some(words.into()),
            limit: 10,
            ..Default::default()
        };
        db.history(&query).unwrap().len()
    };
    assert_eq!(found("первая"), 1);
    assert_eq!(found("вторая"), 1);
    let mut edit = draft("OLD", "исправлено", &[]);
    edit.id = Some(first.note.id);
    writer.record_note(author(edit, "101"), None).await.unwrap();
    assert_eq!(found("первая"), 0, "the edited words are gone from search");
    assert_eq!(found("исправлено"), 1);
    assert_eq!(found("вторая"), 1);
}

#[tokio::test]
async fn a_new_note_written_again_with_its_key_is_stored_once() {
    let (_dir, writer, db) = store_with_calls().await;
    let mut keyed = draft("OLD", "Перезвонить после обеда", &[]);
    keyed.key = Some("draft-5f1c2a9e".into());
    let first = writer
        .record_note(author(keyed.clone(), "101"), None)
        .await
        .unwrap();
    assert_eq!(first.note.id, "draft-5f1c2a9e", "the key is the id");
    // The connection dropped before the answer: the app sends the draft again.
    let again = writer
        .record_note(author(keyed.clone(), "101"), None)
        .await
        .unwrap();
    assert_eq!(again.note, first.note);
    assert!(
        again.seq >= first.seq,
        "answered with a stream position at or after it"
    );
    assert_eq!(db.call("OLD").unwrap().unwrap().notes.len(), 1);
    let journal = db.journal(0, 100).unwrap();
    assert_eq!(journal.iter().filter(|e| e.cmd == "note").count(), 1);

    // Another agent's draft with the same key is a note of its own, under a fresh id.
    let theirs = writer
        .record_note(author(keyed.clone(), "102"), None)
        .await
        .unwrap();
    assert_ne!(theirs.note.id, first.note.id);
    let notes = db.call("OLD").unwrap().unwrap().notes;
    assert_eq!(notes.len(), 2);
    assert_eq!(
        notes[0].by.as_deref(),
        Some("101"),
        "the first note is untouched"
    );

    for bad in ["short", "has space!", &"x".repeat(65)] {
        let mut odd = keyed.clone();
        odd.key = Some(bad.into());
        assert_eq!(odd.checked(&team_tags()), Err(NoteRefused::BadKey), "{bad}");
    }
}
