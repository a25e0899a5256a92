//! Call-centre groups on a team relay (one SQLite node, and two nodes on
//! PostgreSQL): the admin's `xvb relay group …` and roles, refusals that
//! change nothing, each call reaching only its group, the supervisor, and
//! the caller's responsible extension (seen as headless agents' `RING`
//! lines); the board and the missed queue by group; a supervisor releasing
//! an agent's claim, which another agent cannot; agents' breaks (no ring
//! pop) and after-call work.

use crate::team::{call, connect, until, Cli, Relays};
use std::time::{Duration, Instant};
use xvb_e2e::agent::Served;
use xvb_e2e::postgres::PgCluster;

pub(crate) const SALES_LINE: &str = "74950000001";
pub(crate) const SUPPORT_LINE: &str = "74950000002";

/// The call ids of the `RING` lines `agent` prints until one for `last`.
pub(crate) fn rings_until(agent: &mut Served, last: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut rung = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = agent
            .next_line(left)
            .unwrap_or_else(|| panic!("no RING for {last}; rang for {rung:?}"));
        if let Some(callid) = line
            .strip_prefix("RING ")
            .and_then(|rest| rest.split("callid=").nth(1))
        {
            rung.push(callid.trim().to_owned());
            if callid.trim() == last {
                return rung;
            }
        }
    }
}

/// The lines `agent` prints up to the first one starting with `prefix`.
fn lines_until(agent: &mut Served, prefix: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut printed = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = agent
            .next_line(left)
            .unwrap_or_else(|| panic!("no {prefix:?} line; printed {printed:?}"));
        let last = line.starts_with(prefix);
        printed.push(line);
        if last {
            return printed;
        }
    }
}

/// Posts a call on `line` that rings and is then missed.
pub(crate) fn ring(relays: &Relays, callid: &str, phone: &str, line: &str) {
    let mut ringing = call(callid, phone, "");
    ringing.line = Some(line.into());
    relays.post(&ringing.incoming());
}

#[test]
fn calls_reach_their_group_the_supervisor_and_the_responsible() {
    calls_follow_the_groups(Relays::single());
}

#[test]
fn calls_follow_the_groups_across_a_postgresql_cluster() {
    let pg = PgCluster::start();
    calls_follow_the_groups(Relays::cluster(&pg.url()));
}

fn calls_follow_the_groups(relays: Relays) {
    let exts = ["100", "101", "102", "103", "200"];
    let codes = relays.join_codes(&exts);
    relays.relay(&["group", "add", "sales", "--line", "+7 495 000-00-01"]);
    relays.relay(&["group", "add", "support", "--line", SUPPORT_LINE]);
    relays.relay(&["group", "members", "sales", "--add", "100,101"]);
    relays.relay(&["group", "members", "support", "--add", "102"]);
    let said = relays.relay(&["agent", "role", "200", "supervisor"]);
    assert!(said.contains("200 is supervisor now"), "{said}");

    // Refused, and nothing changed.
    let list = relays.relay(&["group", "list"]);
    for (args, why) in [
        (
            &["group", "add", "vip", "--line", "8 495 000-00-01"][..],
            "line 74950000001 belongs to group `sales` already",
        ),
        (
            &["group", "members", "sales", "--add", "999"],
            "extension 999 is not an agent of this relay",
        ),
        (
            &["group", "default", "nobody"],
            "there is no group `nobody`",
        ),
        (
            &["group", "add", "all", "--line", "1234"],
            "is not a group name",
        ),
        (&["agent", "role", "101", "admin"], "is not a role"),
    ] {
        let refused = relays.relay_fails(args);
        assert!(refused.contains(why), "{args:?}: {refused}");
    }
    assert_eq!(relays.relay(&["group", "list"]), list, "nothing changed");
    assert!(
        list.contains("sales\tlines 74950000001\tmembers 100, 101")
            && list.contains("default group: all")
            && list.contains("supervisors: 200"),
        "{list}"
    );
    relays.wait_for_log("groups=2 members=3 supervisors=1 default=all");

    let mut agents: Vec<Served> = codes
        .iter()
        .zip(exts)
        .map(|(code, ext)| connect(ext, code).1)
        .collect();
    let [a100, _a101, a102, a103, a200] = &mut agents[..] else {
        unreachable!()
    };

    // Sales' call, then support's, then one on a line no group answers.
    ring(&relays, "SALES-1", "79160000001", SALES_LINE);
    ring(&relays, "SUPPORT-1", "79160000002", SUPPORT_LINE);
    ring(&relays, "OTHER-1", "79160000003", "74950000009");
    assert_eq!(rings_until(a100, "OTHER-1"), ["SALES-1", "OTHER-1"]);
    assert_eq!(rings_until(a102, "OTHER-1"), ["SUPPORT-1", "OTHER-1"]);
    assert_eq!(
        rings_until(a103, "OTHER-1"),
        ["OTHER-1"],
        "103 is in no group"
    );
    assert_eq!(
        rings_until(a200, "OTHER-1"),
        ["SALES-1", "SUPPORT-1", "OTHER-1"],
        "the supervisor sees every group"
    );

    // Calls on unclaimed lines go to support now; a caller 103 is responsible
    // for reaches 103 on sales' line too.
    relays.relay(&["group", "default", "support"]);
    relays.node(&[
        "contacts",
        "add",
        "--name",
        "Клиент 103",
        "--phone",
        "79160000009",
        "--responsible",
        "103",
    ]);
    relays.wait_for_log("default=support");
    relays.wait_for_log("book loaded numbers=1");
    ring(&relays, "OTHER-2", "79160000004", "74950000009");
    ring(&relays, "OWN-1", "79160000009", SALES_LINE);
    ring(&relays, "LAST-1", "79160000005", SUPPORT_LINE);
    assert_eq!(rings_until(a102, "LAST-1"), ["OTHER-2", "LAST-1"]);
    assert_eq!(rings_until(a100, "OWN-1"), ["OWN-1"]);
    let for_103 = rings_until(a103, "OWN-1");
    assert_eq!(
        for_103,
        ["OWN-1"],
        "its own caller, not the default group's"
    );

    // The board and the missed queue by group: sales' and support's misses.
    for (callid, phone, line) in [
        ("SALES-1", "79160000001", SALES_LINE),
        ("SUPPORT-1", "79160000002", SUPPORT_LINE),
    ] {
        let mut missed = call(callid, phone, "");
        missed.line = Some(line.into());
        relays.post(&missed.completed("Missed", 0, None));
    }
    let cli = |ext: &str| Cli::of(ext, &exts, &codes);
    let (cli_100, cli_101, cli_102, cli_200) = (cli("100"), cli("101"), cli("102"), cli("200"));
    let board = until(|| cli_102.ok(&["board"]), &["102 "]);
    assert!(
        !board.contains("100 ") && !board.contains("200 "),
        "support's board: {board}"
    );
    until(
        || cli_200.ok(&["board"]),
        &["100 ", "101 ", "102 ", "103 ", "200 "],
    );
    let support = until(|| cli_102.ok(&["missed", "list"]), &["79160000002"]);
    assert!(!support.contains("79160000001"), "{support}");
    let sales = until(|| cli_100.ok(&["missed", "list"]), &["79160000001"]);
    assert!(!sales.contains("79160000002"), "{sales}");

    // 100 claims sales' caller; 101 cannot release it, the supervisor can.
    cli_100.ok(&["missed", "claim", "79160000001"]);
    let refused = cli_101.fails(&["missed", "release", "79160000001"]);
    assert!(refused.contains("you have not claimed"), "{refused}");
    let said = cli_200.ok(&["missed", "release", "79160000001"]);
    assert!(said.contains("back in the team's queue"), "{said}");
    let started = Instant::now();
    while cli_101
        .ok(&["missed", "list"])
        .contains("100 is calling back")
    {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the claim stayed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_break_stops_ring_pops_and_after_call_work_follows_a_call() {
    breaks_and_after_call_work(Relays::single());
}

#[test]
fn breaks_and_after_call_work_on_a_postgresql_cluster() {
    let pg = PgCluster::start();
    breaks_and_after_call_work(Relays::cluster(&pg.url()));
}

fn breaks_and_after_call_work(relays: Relays) {
    let codes = relays.join_codes(&["100", "101"]);
    relays.relay(&["group", "add", "sales", "--line", SALES_LINE]);
    relays.relay(&["group", "members", "sales", "--add", "100,101"]);
    relays.relay(&["group", "acw", "sales", "--seconds", "600"]);
    relays.relay(&["breaks", "set", "Lunch", "Training"]);
    assert_eq!(relays.relay(&["breaks", "list"]), "Lunch\nTraining\n");
    relays.wait_for_log("groups=1 members=2");
    let (_, mut a100) = connect("100", &codes[0]);
    let (_, mut a101) = connect("101", &codes[1]);
    let (cli_100, cli_101) = (Cli::new("100", &codes[0]), Cli::new("101", &codes[1]));

    // 101 takes a break for a listed reason (any letter case), not for another.
    let refused = cli_101.fails(&["status", "break", "--reason", "Nap"]);
    assert!(
        refused.contains("`Nap` is not a break reason here (Lunch, Training)"),
        "{refused}"
    );
    let said = cli_101.ok(&["status", "break", "--reason", "lunch"]);
    assert!(said.contains("on a break (Lunch)"), "{said}");
    until(|| cli_100.ok(&["board"]), &["101 free (break Lunch 00:00:"]);
    until(|| cli_101.ok(&["status"]), &["break Lunch"]);

    // A sales call rings 100 only; 101 has it (and its miss) without a ring pop.
    ring(&relays, "BREAK-1", "79160000011", SALES_LINE);
    until(
        || cli_100.ok(&["board"]),
        &["100 ringing", "101 free (break Lunch"],
    );
    let mut missed = call("BREAK-1", "79160000011", "");
    missed.line = Some(SALES_LINE.into());
    relays.post(&missed.completed("Missed", 0, None));
    assert_eq!(rings_until(&mut a100, "BREAK-1"), ["BREAK-1"]);
    let printed = lines_until(&mut a101, "MISSED ");
    assert!(
        printed.last().unwrap().contains("callid=BREAK-1"),
        "{printed:?}"
    );
    assert!(
        printed.iter().all(|l| !l.starts_with("RING ")),
        "no ring pop on a break: {printed:?}"
    );

    // Back; 100 answers a call: after-call work starts by itself, and 100 ends it.
    cli_101.ok(&["status", "available"]);
    let mut answered = call("ACW-1", "79160000012", "100");
    answered.line = Some(SALES_LINE.into());
    relays.post(&answered.incoming());
    relays.post(&answered.answered());
    relays.post(&answered.completed("Success", 42, None));
    until(
        || cli_101.ok(&["board"]),
        &["100 free (acw 00:00:", "101 free"],
    );
    let refused = cli_101.fails(&["status", "acw-end"]);
    assert!(
        refused.contains("you are not in after-call work"),
        "{refused}"
    );
    cli_100.ok(&["status", "acw-end"]);
    let board = until(|| cli_101.ok(&["board"]), &["100 free"]);
    let started = Instant::now();
    let mut board = board;
    while board.contains("(acw") {
        assert!(started.elapsed() < Duration::from_secs(15), "{board}");
        std::thread::sleep(Duration::from_millis(100));
        board = cli_101.ok(&["board"]);
    }
}
