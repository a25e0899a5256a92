//! History by call-centre group, on a real SQLite file.

use super::{GroupCalls, HistoryQuery};
use crate::pbx::protocol::CallEvent;
use crate::pbx::sim::SimCall;
use crate::store::{Database, Writer};

#[tokio::test]
async fn a_groups_history_is_its_lines_calls_and_its_members_dialling() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let writer = Writer::start(&path).unwrap();
    let on = |callid: &str, line: Option<&str>, ext: &str| SimCall {
        ext: ext.into(),
        line: line.map(str::to_owned),
        ..SimCall::to_100(callid)
    };
    for fields in [
        on("SALES-IN", Some("74950000001"), "100").incoming(),
        on("SUPPORT-IN", Some("74950000002"), "102").incoming(),
        on("OTHER-IN", Some("74950000009"), "").incoming(),
        on("NO-LINE-IN", None, "").incoming(),
        on("SALES-OUT", None, "101").outgoing(),
        on("SUPPORT-OUT", None, "102").outgoing(),
    ] {
        let event = CallEvent::parse(fields).unwrap();
        writer.record_event(event, None).await.unwrap();
    }
    let db = Database::open(&path).unwrap();
    let of = |group: GroupCalls| {
        let query = HistoryQuery {
            group: Some(group),
            limit: 10,
            ..Default::default()
        };
        let mut callids: Vec<String> = db
            .history(&query)
            .unwrap()
            .into_iter()
            .map(|c| c.callid)
            .collect();
        assert_eq!(db.history_count(&query).unwrap() as usize, callids.len());
        callids.sort();
        callids
    };
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let sales = GroupCalls {
        lines: strings(&["74950000001"]),
        members: strings(&["100", "101"]),
        other_groups_lines: None,
    };
    assert_eq!(of(sales), ["SALES-IN", "SALES-OUT"]);
    // Support is the default group: lines no group answers are its too.
    let support = GroupCalls {
        lines: strings(&["74950000002"]),
        members: strings(&["102"]),
        other_groups_lines: Some(strings(&["74950000001", "74950000002"])),
    };
    assert_eq!(
        of(support),
        ["NO-LINE-IN", "OTHER-IN", "SUPPORT-IN", "SUPPORT-OUT"]
    );
}
