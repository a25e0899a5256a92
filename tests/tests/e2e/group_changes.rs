//! Changes to a relay's groups while agents work (one SQLite node, and two
//! nodes on PostgreSQL): an agent put in a group gets its last 24 hours of
//! calls as history without a pop — at once when connected, and when it next
//! connects if it was away — while a group it left stops reaching it; the
//! board, queue and history by group; and a supervisor gives a missed
//! caller's callback to another agent.

use crate::groups::{ring, rings_until, SALES_LINE, SUPPORT_LINE};
use crate::team::{call, connect, until, Cli, Relays};
use std::time::{Duration, Instant};
use xvb_e2e::agent::Agent;
use xvb_e2e::postgres::PgCluster;

#[test]
fn an_agent_new_to_a_group_gets_its_recent_calls_and_callbacks_are_reassigned() {
    membership_changes(Relays::single());
}

#[test]
fn group_changes_follow_across_a_postgresql_cluster() {
    let pg = PgCluster::start();
    membership_changes(Relays::cluster(&pg.url()));
}

/// The call ids in `agent`'s history, once it holds all of `wanted`.
fn history_with(agent: &Agent, wanted: &[&str]) -> Vec<String> {
    let started = Instant::now();
    loop {
        let callids: Vec<String> = agent
            .history(&[])
            .iter()
            .map(|call| call["callid"].as_str().unwrap_or_default().to_owned())
            .collect();
        if wanted.iter().all(|w| callids.iter().any(|c| c == w)) {
            return callids;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "history never held {wanted:?}: {callids:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn membership_changes(relays: Relays) {
    let exts = ["100", "101", "102", "103", "200"];
    let codes = relays.join_codes(&exts);
    relays.relay(&["group", "add", "sales", "--line", SALES_LINE]);
    relays.relay(&["group", "add", "support", "--line", SUPPORT_LINE]);
    relays.relay(&["group", "members", "sales", "--add", "100"]);
    relays.relay(&["group", "members", "support", "--add", "101,102,103"]);
    relays.relay(&["agent", "role", "200", "supervisor"]);
    relays.wait_for_log("groups=2 members=4 supervisors=1");
    let (a101, s101) = connect("101", &codes[1]);
    let (a102, mut s102) = connect("102", &codes[2]);
    ring(&relays, "SALES-1", "79160000021", SALES_LINE);
    ring(&relays, "SUPPORT-1", "79160000022", SUPPORT_LINE);
    assert_eq!(rings_until(&mut s102, "SUPPORT-1"), ["SUPPORT-1"]);

    // 101 leaves (app closed, support's call stored) and is moved to sales;
    // 102, connected, joins sales too.
    history_with(&a101, &["SUPPORT-1"]);
    drop(s101);
    relays.relay(&["group", "members", "support", "--remove", "101"]);
    relays.relay(&["group", "members", "sales", "--add", "101,102"]);
    relays.wait_for_log("groups=2 members=5 supervisors=1");
    let had = history_with(&a102, &["SALES-1", "SUPPORT-1"]);
    assert_eq!(had.len(), 2, "{had:?}");
    ring(&relays, "SALES-2", "79160000023", SALES_LINE);
    ring(&relays, "SUPPORT-2", "79160000024", SUPPORT_LINE);
    assert_eq!(
        rings_until(&mut s102, "SUPPORT-2"),
        ["SALES-2", "SUPPORT-2"],
        "no ring pop for sales' earlier call, only for the new ones"
    );

    // 101 comes back: sales' calls (before and since the move), not support's new one.
    let mut s101 = a101.spawn(&["serve", "--relay", &codes[1]], "relay: ");
    s101.expect_line("relay: connected as extension");
    let had = history_with(&a101, &["SALES-1", "SALES-2", "SUPPORT-1"]);
    std::thread::sleep(Duration::from_millis(500));
    let had_after = history_with(&a101, &[]);
    assert!(
        !had_after.contains(&"SUPPORT-2".to_owned()),
        "a group it left: {had:?} then {had_after:?}"
    );
    assert_eq!(had_after.len(), 3, "nothing twice: {had_after:?}");

    // 102's history by group (it is in both).
    let output = a102
        .command(&["history", "--json", "--group", "SALES"])
        .env("XVB_RELAY", &codes[2])
        .output()
        .unwrap();
    let sales: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    let mut callids: Vec<&str> = sales
        .iter()
        .map(|c| c["callid"].as_str().unwrap())
        .collect();
    callids.sort();
    assert_eq!(callids, ["SALES-1", "SALES-2"]);

    // A supervisor gives sales' missed caller to another sales agent.
    let mut missed = call("SALES-1", "79160000021", "");
    missed.line = Some(SALES_LINE.into());
    relays.post(&missed.completed("Missed", 0, None));
    let cli = |ext: &str| Cli::of(ext, &exts, &codes);
    let (cli_100, cli_101, cli_200) = (cli("100"), cli("101"), cli("200"));
    until(|| cli_100.ok(&["missed", "list"]), &["79160000021"]);
    cli_100.ok(&["missed", "claim", "79160000021"]);

    // The supervisor's filter by group: the board and the queue.
    let board = until(
        || cli_200.ok(&["board", "--group", "support"]),
        &["102 ", "103 "],
    );
    assert!(
        !board.contains("100 ") && !board.contains("101 "),
        "{board}"
    );
    let support = cli_200.ok(&["missed", "list", "--group", "support"]);
    assert!(!support.contains("79160000021"), "{support}");
    let sales = cli_200.ok(&["missed", "list", "--group", "sales"]);
    assert!(sales.contains("79160000021"), "{sales}");
    let refused = cli_200.fails(&["board", "--group", "vip"]);
    assert!(
        refused.contains("there is no group `vip` on your board; yours: sales, support"),
        "{refused}"
    );
    let refused = cli_100.fails(&["missed", "list", "--group", "support"]);
    assert!(
        refused.contains("yours: sales"),
        "an agent's own groups: {refused}"
    );
    for (asker, to, why) in [
        (&cli_101, "101", "only a supervisor can give a callback"),
        (&cli_200, "103", "103 is in no group that sees 79160000021"),
        (
            &cli_200,
            "999",
            "extension 999 is not an agent of this relay",
        ),
    ] {
        let refused = asker.fails(&["missed", "reassign", "79160000021", "--to", to]);
        assert!(refused.contains(why), "{to}: {refused}");
    }
    let said = cli_200.ok(&["missed", "reassign", "+7 916 000-00-21", "--to", "101"]);
    assert!(said.contains("101 is calling back"), "{said}");
    until(
        || cli_100.ok(&["missed", "list"]),
        &["79160000021", "101 is calling back"],
    );
    // 101 holds it now: 100 cannot release it, 101 can.
    let refused = cli_100.fails(&["missed", "release", "79160000021"]);
    assert!(refused.contains("you have not claimed"), "{refused}");
    cli_101.ok(&["missed", "release", "79160000021"]);
}
