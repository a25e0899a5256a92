//! The PBX's own captures, replayed byte for byte over raw TCP to a real `xvb serve`.
//! Every refusal the listener gives is tested in-process, in
//! `crates/xvb-core/src/listener/tests.rs`.

use serde_json::Value;
use std::time::Duration;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::pbx::fixture;

fn agent_with_vasya() -> Agent {
    let agent = Agent::new("100");
    agent.add_known_caller();
    agent
}

fn journal_len(agent: &Agent) -> usize {
    agent.ok(&["journal"]).lines().count()
}

#[test]
fn seed_captures_are_received_merged_and_answered() {
    let agent = agent_with_vasya();
    let mut served = agent.serve();

    let incoming = served.replay(&fixture("pbx/01-incoming.http"));
    assert_eq!(
        (incoming.status, incoming.body.as_str()),
        (200, r#"{"ok":true}"#)
    );
    let ring = served.expect_line("RING ");
    assert!(
        ring.contains("79201119613") && ring.contains("Вася/Рога и копыта"),
        "{ring}"
    );

    let contact = served.replay(&fixture("pbx/02-contact.http"));
    assert_eq!(contact.status, 200);
    let answer: Value = serde_json::from_str(&contact.body).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"contact_name": "Вася/Рога и копыта", "responsible": "100"})
    );

    let answered = served.replay(&fixture("pbx/03-answered.http"));
    assert_eq!(answered.status, 200);
    assert!(served
        .expect_line("ANSWERED_BY_ME ")
        .contains("gZAozpVZQZI_A6HDWYnKxPg"));

    let completed = served.replay(&fixture("pbx/04-completed.http"));
    assert_eq!(completed.status, 200);

    let calls = agent.history(&[]);
    assert_eq!(calls.len(), 2, "two callids in the captures");
    let call = calls
        .iter()
        .find(|c| c["callid"] == "DVzqd2I5zmRev0_vLvXV6vw")
        .expect("the incoming call");
    assert_eq!(call["direction"], "in");
    assert_eq!(call["phone"], "79201119613");
    assert_eq!(call["contact_name"], "Вася/Рога и копыта");
    assert_eq!(call["status"], "Success");
    assert_eq!(call["duration"], 16);
    assert_eq!(call["answered_by"], "100");
    assert_eq!(call["ext"], "100");
    assert_eq!(
        call["record_link"],
        "https://vvpbx18-dev/ui/msg_download/120/10019/f92Hl6GAuDE7R10EM0LYYw.g722"
    );
    assert_eq!(call["events"], serde_json::json!(["INCOMING", "COMPLETED"]));
    for key in ["first_seen", "last_seen"] {
        let text = call[key].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .is_ok(),
            "{key} is RFC 3339: {text}"
        );
    }
    assert_eq!(
        journal_len(&agent),
        4,
        "every request journalled, the look-up too"
    );
}

#[test]
fn history_read_by_a_pager_that_quits_early_ends_quietly() {
    let agent = agent_with_vasya();
    let served = agent.serve();
    assert_eq!(served.replay(&fixture("pbx/01-incoming.http")).status, 200);
    // `xvb history | head -0`: the reader is gone before the first line.
    let mut history = agent
        .command(&["history"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xvb runs");
    drop(history.stdout.take());
    let out = history.wait_with_output().expect("xvb ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn completed_before_answered_and_replays_give_the_same_call() {
    let in_order = Agent::new("100");
    let shuffled = Agent::new("100");
    let captures = ["pbx/01-incoming.http", "pbx/04-completed.http"];
    {
        let served = in_order.serve();
        for name in captures {
            served.replay(&fixture(name));
        }
    }
    {
        let served = shuffled.serve();
        for name in captures.iter().rev().chain(captures.iter()) {
            assert_eq!(
                served.replay(&fixture(name)).status,
                200,
                "replays are accepted"
            );
        }
    }
    let strip = |mut calls: Vec<Value>| {
        for call in &mut calls {
            let obj = call.as_object_mut().unwrap();
            for key in ["events", "first_seen", "last_seen"] {
                obj.remove(key);
            }
        }
        calls
    };
    assert_eq!(strip(shuffled.history(&[])), strip(in_order.history(&[])));
    assert_eq!(
        shuffled.history(&[])[0]["events"],
        serde_json::json!(["COMPLETED", "INCOMING"]),
        "events in arrival order, duplicates once"
    );
}

fn request(served: &Served, path: &str, method: &str, headers: &str, body: &str) -> (u16, String) {
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let reply = served.send_raw(raw.as_bytes());
    (reply.status, reply.body)
}

const FORM: &str = "Content-Type: application/x-www-form-urlencoded\r\n";

#[test]
fn unknown_fields_and_events_are_kept() {
    let agent = Agent::new("100");
    let served = agent.serve();
    let body =
        "access_code=10019&cmd=event&callid=U1&event=Parked&slot=7&type=in&phone=79201119613";
    let (status, _) = request(&served, &served.path(), "POST", FORM, body);
    assert_eq!(status, 200);
    let call = &agent.history(&[])[0];
    assert_eq!(call["events"], serde_json::json!(["Parked"]));
    let journal = agent.ok(&["journal"]);
    assert!(journal.contains(r#"["slot","7"]"#), "{journal}");
}

#[test]
fn contact_book_changes_reach_a_running_listener() {
    let agent = Agent::new("100");
    let served = agent.serve();
    let contact = fixture("pbx/02-contact.http");
    assert_eq!(served.replay(&contact).body, "{}", "unknown caller");
    agent.ok(&[
        "contacts",
        "add",
        "--name",
        "Офис",
        "--phone",
        "89201119613",
    ]);
    // The listener reloads the book when the file changes: wait for each change.
    let answers = |wanted: &str, what: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let body = served.replay(&contact).body;
            if body == wanted {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{what}: still {body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    answers(r#"{"contact_name":"Офис"}"#, "added contact is known");
    agent.ok(&["contacts", "remove", "+7 920 111 96 13"]);
    answers("{}", "removed contact is forgotten");
}
