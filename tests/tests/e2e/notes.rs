//! Notes and tags through a SQLite relay, with headless agents and the PBX's
//! exact requests: a note by 101 reaches 100; a tag off the team's list is
//! refused; a note written while 100 was killed with `kill -9` arrives once
//! when it resumes; search finds a note's words; the CSV export is read by
//! Python's `csv` with the BOM and Cyrillic intact. Then the note in 100's
//! next ring of that caller (the pop's body on a recorded D-Bus session), and
//! on two relay nodes sharing PostgreSQL, a note written through one node
//! reaching an agent of the other.

use crate::team::Cli;
use std::time::{Duration, Instant};
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::page::WAIT;
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::read_csv;
use xvb_e2e::pbx::{call_from_known_caller, post_answered_call, post_to_webhook};
use xvb_e2e::postgres::PgCluster;
use xvb_e2e::process::block_on;

/// Waits until `agent`'s history shows call `callid` with `count` notes; its JSON.
fn until_notes(agent: &Agent, callid: &str, count: usize) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let calls = agent.history(&[]);
        let call = calls.iter().find(|c| c["callid"] == callid).cloned();
        let notes = call
            .as_ref()
            .and_then(|c| c["notes"].as_array().map(Vec::len));
        if notes == Some(count) {
            return call.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{callid} never had {count} notes: {calls:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A SQLite relay with the team's tags, serving; its port.
fn relay_with_tags() -> (Agent, u16, Served) {
    let (relay, port) = Agent::relay(Vec::new());
    relay.add_known_caller();
    relay.ok(&[
        "relay",
        "tags",
        "set",
        "Sale=#2e7d32",
        "Complaint",
        "Call back",
    ]);
    let served = relay.serve_relay();
    (relay, port, served)
}

/// Posts a call of the known caller that 101 answered and talked 4:12.
async fn talk(served: &Served, callid: &str) -> SimCall {
    let talked = call_from_known_caller(callid, "101");
    post_answered_call(&served.webhook, &talked, 252, None).await;
    talked
}

#[test]
fn a_note_reaches_the_team_once_even_across_a_kill() {
    let (relay, port, served) = relay_with_tags();
    assert_eq!(
        relay.ok(&["relay", "tags", "list"]),
        "Sale=#2e7d32\nComplaint=#c62828\nCall back=#1565c0\n"
    );
    let url = format!("http://127.0.0.1:{port}");
    let code_100 = relay.relay_join_code("100", &url);
    let colleague = Cli::new("101", &relay.relay_join_code("101", &url));
    let (agent, mut app) = crate::team::connect("100", &code_100);

    // 101 talks to the caller and writes down what was promised.
    block_on(talk(&served, "NOTE-1"));
    let refused = colleague.fails(&["note", "NOTE-1", "--text", "x", "--tag", "Spam"]);
    assert!(
        refused.contains("`Spam` is not one of the team's tags (Sale, Complaint, Call back)"),
        "{refused}"
    );
    let id = colleague.ok(&[
        "note",
        "NOTE-1",
        "--text",
        "Обещал счёт до четверга",
        "--tag",
        "call back",
    ]);
    // 101 corrects it; its own history has the edit as soon as the command returns.
    colleague.ok(&[
        "note",
        "NOTE-1",
        "--edit",
        id.trim(),
        "--text",
        "Обещал счёт до пятницы",
        "--tag",
        "Call back",
    ]);
    let own: Vec<serde_json::Value> =
        serde_json::from_str(&colleague.ok(&["history", "--json"])).unwrap();
    assert_eq!(
        own[0]["notes"][0]["text"], "Обещал счёт до пятницы",
        "{own:#?}"
    );
    assert_eq!(own[0]["notes"][0]["edited_by"], "101");
    let started = Instant::now();
    let call = loop {
        let call = until_notes(&agent, "NOTE-1", 1);
        if call["notes"][0]["text"] == "Обещал счёт до пятницы" {
            break call;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{call:#}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(call["notes"][0]["by"], "101", "{call:#}");
    assert_eq!(
        call["tags"],
        serde_json::json!(["Call back"]),
        "spelled as listed"
    );

    // An app older than notes (it does not ask for them) gets none in its stream.
    let old_app = block_on(stream_without_notes(&code_100));
    assert!(old_app.contains("\"cmd\":\"event\""), "{old_app}");
    assert!(!old_app.contains("\"cmd\":\"note\""), "{old_app}");

    // 100 is killed; 101 writes another note meanwhile; 100 resumes with it, once.
    app.kill();
    colleague.ok(&[
        "note",
        "NOTE-1",
        "--text",
        "promised the invoice by Friday",
        "--at",
        "75",
    ]);
    let mut resumed = agent.spawn(&["serve", "--relay", &code_100], "relay: ");
    resumed.expect_line("relay: connected as extension");
    let call = until_notes(&agent, "NOTE-1", 2);
    assert_eq!(call["notes"][1]["at"], 75.0);
    std::thread::sleep(Duration::from_millis(500));
    let journal = agent.ok(&["journal"]);
    assert_eq!(
        journal.matches("\"cmd\":\"note\"").count(),
        3,
        "each version stored once (a note, its edit, the second note): {journal}"
    );

    // Search finds the note's words; the tag filter narrows.
    let found = agent.history(&["--search", "СЧЁТ"]);
    let ids: Vec<&str> = found.iter().filter_map(|c| c["callid"].as_str()).collect();
    assert_eq!(ids, ["NOTE-1"], "{found:#?}");
    assert_eq!(agent.history(&["--tag", "Call back"]).len(), 1);
    assert!(agent.history(&["--tag", "Sale"]).is_empty());

    // Excel's CSV: BOM, `;`, Cyrillic — as Python's csv module reads it.
    let csv = tempfile::tempdir().unwrap();
    let path = csv.path().join("history.csv");
    let path = path.to_str().unwrap();
    agent.ok(&[
        "history",
        "--csv",
        path,
        "--semicolon",
        "--tag",
        "call back",
    ]);
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM first");
    let rows = read_csv(std::path::Path::new(path), ';');
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let row = &rows[0];
    assert_eq!(row["Contact"], "Вася/Рога и копыта", "{row:#}");
    assert_eq!(row["Tags"], "Call back");
    assert_eq!(row["Duration (s)"], "252");
    assert_eq!(
        row["Notes"],
        "101: Обещал счёт до пятницы\n101 @1:15: promised the invoice by Friday"
    );
}

/// What a relay streams to an agent that does not ask for notes (as apps before
/// them), up to `caught_up`.
async fn stream_without_notes(code: &str) -> String {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let code = xvb_core::reach::relay::JoinCode::parse(code).unwrap();
    let url = code.agent_url(0, 0, false).replace("&notes=true", "");
    let mut request = url.into_client_request().unwrap();
    let bearer = format!("Bearer {}", code.token.expose());
    request
        .headers_mut()
        .insert("authorization", bearer.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut seen = String::new();
    while !seen.contains("\"caught_up\"") {
        let text = socket.next().await.unwrap().unwrap().into_text().unwrap();
        seen.push_str(&text);
        seen.push('\n');
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_ring_of_that_caller_tells_the_last_note() {
    let _turn = take_turn();
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let (relay, port, served) = relay_with_tags();
    let url = format!("http://127.0.0.1:{port}");
    let agent = Agent::with_env("100", session.env());
    let code_100 = relay.relay_join_code("100", &url);
    let mut app = agent.spawn(&["serve", "--relay", &code_100, "--notify"], "relay: ");
    app.expect_line("relay: connected as extension");
    let colleague = Cli::new("101", &relay.relay_join_code("101", &url));
    let talked = talk(&served, "RING-1").await;
    colleague.ok(&[
        "note",
        "RING-1",
        "--text",
        "promised the invoice by Friday",
        "--tag",
        "Call back",
    ]);
    until_notes(&agent, "RING-1", 1);

    // The caller calls again: 100's ring tells the last note, who wrote it and when.
    let again = SimCall {
        callid: "RING-2".into(),
        ..talked
    };
    post_to_webhook(&served.webhook, &again.incoming(), None).await;
    let ring = recorder
        .wait_for(WAIT, "the ring of RING-2", |c| {
            matches!(c, BusCall::Notify { summary, body, .. }
                if summary.starts_with("Incoming") && body.contains("Last:"))
        })
        .await;
    let BusCall::Notify { body, .. } = ring else {
        unreachable!()
    };
    assert!(
        body.contains("Last: 101, 0 min ago — promised the invoice by Friday [Call back]"),
        "{body}"
    );
}

#[test]
fn on_postgresql_a_note_through_one_node_reaches_an_agent_of_the_other() {
    let pg = PgCluster::start();
    let (first, first_port) = Agent::relay_node(&pg.url(), None, Vec::new());
    let (second, second_port) = Agent::relay_node(&pg.url(), Some(&first), Vec::new());
    first.ok(&["relay", "tags", "set", "Sale", "Complaint=#ff9800"]);
    let served = [first.serve_relay(), second.serve_relay()];
    let code_100 = first.relay_join_code("100", &format!("http://127.0.0.1:{first_port}"));
    let code_101 = first.relay_join_code("101", &format!("http://127.0.0.1:{second_port}"));
    let (agent, _app) = crate::team::connect("100", &code_100);
    let colleague = Cli::new("101", &code_101);

    let talked = crate::team::call("PG-NOTE-1", "79161234567", "101");
    for fields in [
        talked.incoming(),
        talked.answered(),
        talked.completed("Success", 30, None),
    ] {
        served[0].post(&fields);
    }
    let refused = colleague.fails(&["note", "PG-NOTE-1", "--tag", "Sale", "--tag", "VIP"]);
    assert!(
        refused.contains("`VIP` is not one of the team's tags (Sale, Complaint)"),
        "{refused}"
    );
    // Run twice with one key (a script retrying after a dropped connection):
    // stored once, the same id both times.
    let write = [
        "note",
        "PG-NOTE-1",
        "--text",
        "Жалоба на счёт",
        "--tag",
        "complaint",
        "--key",
        "retry-7f3a91c2",
    ];
    assert_eq!(colleague.ok(&write).trim(), "retry-7f3a91c2");
    assert_eq!(colleague.ok(&write).trim(), "retry-7f3a91c2");
    let call = until_notes(&agent, "PG-NOTE-1", 1);
    assert_eq!(call["notes"][0]["by"], "101", "{call:#}");
    assert_eq!(call["tags"], serde_json::json!(["Complaint"]));
    assert_eq!(
        second.ok(&["relay", "tags", "list"]),
        "Sale=#2e7d32\nComplaint=#ff9800\n",
        "one list for every node"
    );
    let stored = pg.sql("SELECT count(*) FROM relay_events WHERE cmd = 'note'");
    assert_eq!(stored.trim(), "1", "the note is a row of the stream");
}
