//! The store's tests, on real SQLite files in a temporary directory.

use super::*;
use crate::pbx::protocol::{CallEvent, Direction, Fields};
use crate::pbx::sim::SimCall;
use time::OffsetDateTime;

fn event(fields: Fields) -> CallEvent {
    CallEvent::parse(fields).unwrap()
}

/// A call from one number to extension 100.
fn call(callid: &str) -> SimCall {
    SimCall::to_100(callid)
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
    assert_eq!(db.events_after(0, 10, true).unwrap().len(), 2);
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
    // Every spelling of a Russian number: the trunk prefix 8, +7, 7, separators.
    for typed in ["8920", "8 (920) 111", "+7 920", "7920", "8 920 111 00 07"] {
        let found = query(HistoryQuery {
            search: Some(typed.into()),
            ..Default::default()
        });
        let wanted = if typed.ends_with("07") { 1 } else { 30 };
        assert_eq!(found.len(), wanted, "{typed}: {found:?}");
    }
    assert!(
        query(HistoryQuery {
            phone: Some("8921".into()),
            ..Default::default()
        })
        .is_empty(),
        "8921 is not 7920"
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

#[tokio::test]
async fn a_colleagues_calls_are_those_it_was_rung_answered_or_dialled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let writer = Writer::start(&path).unwrap();
    let between = |callid: &str, ext: &str| SimCall {
        ext: ext.into(),
        ..SimCall::to_100(callid)
    };
    // A queue call (no extension rung) answered by 101, a call out from 102,
    // a call ringing extension 103 (INCOMING naming it).
    let queued = between("QUEUED", "101");
    let mut ring = between("RING", "103").incoming();
    for (name, value) in &mut ring.0 {
        if name == "ext" {
            *value = "103".into();
        }
    }
    for fields in [
        queued.incoming(),
        queued.answered(),
        between("OUT", "102").outgoing(),
        ring,
    ] {
        writer.record_event(event(fields), None).await.unwrap();
    }
    let db = Database::open(&path).unwrap();
    let of = |ext: &str| {
        let query = HistoryQuery {
            ext: Some(ext.into()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            db.history_count(&query).unwrap() as usize,
            db.history(&query).unwrap().len()
        );
        db.history(&query)
            .unwrap()
            .into_iter()
            .map(|c| c.callid)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("101"), ["QUEUED"]);
    assert_eq!(of("102"), ["OUT"]);
    assert_eq!(of("103"), ["RING"]);
    assert!(of("104").is_empty());
}

/// However a search is answered — from the trigram index when its matches
/// are few for the page asked, by reading history newest first when they are
/// many, by reading alone for one or two characters — it finds exactly the
/// calls a plain reading finds, in the same order, on every page, and counts them.
#[tokio::test]
async fn a_search_finds_what_reading_every_call_finds_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let writer = Writer::start(&path).unwrap();
    let names = [
        "Вася/Рога и копыта",
        "ольга Иванова",
        "Ivan O'Neil \"Best\"",
        "100% Sale_1",
    ];
    for i in 0..240u64 {
        let call = SimCall {
            access_code: "10019".into(),
            callid: format!("S{i:03}"),
            phone: format!("7920{:07}", (i * 7919) % 10_000_000),
            ext: "100".into(),
            line: None,
        };
        // A rare name: its few matches are sorted from the index.
        let name = if i % 30 == 7 {
            Some("Редкий Клиент".to_owned())
        } else {
            (i % 5 != 0).then(|| names[i as usize % names.len()].to_owned())
        };
        writer
            .record_event(event(call.incoming()), name)
            .await
            .unwrap();
    }
    let db = Database::open(&path).unwrap();
    let waiting = || -> i64 {
        db.conn
            .query_row("SELECT count(*) FROM calls_unindexed", [], |r| r.get(0))
            .unwrap()
    };
    let since = std::time::Instant::now();
    while waiting() > 0 {
        assert!(
            since.elapsed() < std::time::Duration::from_secs(10),
            "the idle writer indexes every new call"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let everything = db
        .history(&HistoryQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(everything.len(), 240);
    let found_by_reading = |typed: &str| -> Vec<String> {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let is_number = typed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        // `8531` is also looked for as `7531` (the trunk prefix as stored).
        let trunk = digits
            .strip_prefix('8')
            .filter(|_| (4..10).contains(&digits.len()))
            .map(|rest| format!("7{rest}"));
        everything
            .iter()
            .filter(|c| {
                if is_number {
                    c.phone_normalized.as_deref().is_some_and(|p| {
                        p.contains(&digits) || trunk.as_ref().is_some_and(|t| p.contains(t))
                    })
                } else {
                    c.contact_name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&typed.to_lowercase()))
                }
            })
            .map(|c| c.callid.clone())
            .collect()
    };
    // Every call indexed; then a third of them still waiting for the index,
    // as during a burst of webhooks.
    for state in ["all indexed", "a third waiting"] {
        if state != "all indexed" {
            db.conn
            .execute_batch(
                "INSERT INTO calls_unindexed (rowid) SELECT rowid FROM calls WHERE rowid % 3 = 0;
                 DELETE FROM calls_search WHERE rowid % 3 = 0;",
            )
            .unwrap();
            assert_eq!(waiting(), 80);
        }
        for typed in [
            "7920",
            "79",
            "0 1",
            "8531",
            "99999",
            "ВАСЯ",
            "вас",
            "ИВАН",
            "o'n",
            "\"best\"",
            "100%",
            "sale_",
            "ия",
            "РЕДК",
            "нет такого",
        ] {
            let expected = found_by_reading(typed);
            for (limit, offset) in [
                (5, 0),
                (5, 100),
                (7, 33),
                (100, 0),
                (300, 0),
                (2, 2),
                (4, 4),
                (6, 6),
            ] {
                let query = HistoryQuery {
                    search: Some(typed.into()),
                    limit,
                    offset,
                    ..Default::default()
                };
                let page: Vec<String> = db
                    .history(&query)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.callid)
                    .collect();
                let wanted: Vec<String> =
                    expected.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(page, wanted, "{state}: {typed:?}, {limit} from {offset}");
                assert_eq!(
                    db.history_count(&query).unwrap() as usize,
                    expected.len(),
                    "{state}: {typed:?}"
                );
            }
        }
        // With other filters too: incoming calls of the last hour only.
        let hour_ago = OffsetDateTime::now_utc().unix_timestamp() * 1000 - 3_600_000;
        let query = HistoryQuery {
            search: Some("вас".into()),
            direction: Some(Direction::In),
            since_ms: Some(hour_ago),
            limit: 1000,
            ..Default::default()
        };
        assert_eq!(
            db.history(&query).unwrap().len(),
            found_by_reading("вас").len()
        );
        assert_eq!(
            db.history_count(&query).unwrap() as usize,
            found_by_reading("вас").len()
        );
    }
}

/// A database written by `xvb` before the store was split into files (the
/// commit before this layout): two calls, a contact, a relay agent.
#[tokio::test]
async fn a_database_written_before_the_layout_change_opens_and_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xvb.sqlite3");
    std::fs::write(
        &path,
        include_bytes!("../../../../tests/fixtures/db/written-before-the-layout-change.sqlite3"),
    )
    .unwrap();
    let db = Database::open(&path).unwrap();
    let everything = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    let calls = db.history(&everything).unwrap();
    let ids: Vec<&str> = calls.iter().map(|c| c.callid.as_str()).collect();
    assert_eq!(ids, ["LEGACY-2", "LEGACY-1"]);
    assert_eq!(calls[1].contact_name.as_deref(), Some("Вася/Рога и копыта"));
    assert!(calls[0].is_missed());
    let contacts = db.contacts().unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].phones, ["79201119613"]);
    let agents = db.agents().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].ext, "101");
    let head = db.kept().unwrap().head;
    assert_eq!(db.journal(0, 100).unwrap().len() as i64, head);

    // It takes new events as before, after the old ones.
    let writer = Writer::start(&path).unwrap();
    let stored = writer
        .record_event(event(call("AFTER").incoming()), None)
        .await
        .unwrap();
    assert_eq!(stored.seq, head + 1);
    assert_eq!(db.history_count(&everything).unwrap(), 3);
    let found = db
        .history(&HistoryQuery {
            search: Some("вася".into()),
            ..everything
        })
        .unwrap();
    assert_eq!(found.len(), 1, "name search works on old rows");
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_its_wal_are_this_users_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let mode = |suffix: &str| {
        let file = dir.path().join(format!("db.sqlite3{suffix}"));
        std::fs::metadata(file).unwrap().permissions().mode() & 0o777
    };
    let writer = Writer::start(&path).unwrap();
    writer
        .record_event(event(call("MODE-1").incoming()), None)
        .await
        .unwrap();
    assert_eq!(
        (mode(""), mode("-wal"), mode("-shm")),
        (0o600, 0o600, 0o600)
    );

    // A file an earlier version left readable by others is tightened when opened.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Database::open(&path).unwrap();
    assert_eq!(mode(""), 0o600);
}

#[test]
fn a_contact_is_replaced_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(&dir.path().join("db.sqlite3")).unwrap();
    let contact = |name: &str, phone: &str| crate::contacts::Contact {
        name: name.into(),
        phones: vec![phone.into()],
        ..Default::default()
    };
    let id = db.add_contact(contact("Вася", "79201119613")).unwrap();
    let refused = db.replace_contact(id, contact("Вася", "abc"));
    assert!(refused.is_err());
    let book = db.contacts().unwrap();
    assert_eq!(
        book.len(),
        1,
        "a refused change leaves the contact as it was"
    );
    assert_eq!(book[0].phones, ["79201119613"]);
    db.replace_contact(id, contact("Вася (VIP)", "79001112233"))
        .unwrap();
    let book = db.contacts().unwrap();
    assert_eq!(book.len(), 1, "{book:?}");
    assert_eq!(book[0].name, "Вася (VIP)");
    assert_eq!(
        book[0].phones,
        ["79001112233"],
        "the old number went with it"
    );
}
