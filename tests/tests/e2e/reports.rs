//! Supervisors' reports from a scripted day (one SQLite relay, and two nodes
//! on PostgreSQL): 240 calls on two lines with known waits, answers, misses
//! and talk times, call-backs and a break, each event posted when the script
//! says (the relay's clock set by libfaketime). `xvb relay report` must give
//! exactly the figures the script implies, for a group, the team, by hour and
//! by agent.

use crate::team::{Cli, Relays};
use serde_json::Value;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::clock::FakeClock;
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::postgres::PgCluster;

const SALES: &str = "74950000001";
const SUPPORT: &str = "74950000002";
const DAY: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);
const BREAK: (OffsetDateTime, OffsetDateTime) = (
    datetime!(2026-12-01 12:00 UTC),
    datetime!(2026-12-01 12:30 UTC),
);

/// One scripted incoming call.
struct Scripted {
    callid: String,
    start: OffsetDateTime,
    line: &'static str,
    phone: String,
    /// Who answered, or `None`: missed.
    by: Option<&'static str>,
    /// Seconds to the answer (or, missed, to the caller hanging up).
    wait: i64,
    talk: u64,
}

/// A call-back by 100 to a missed caller: when it starts, and whom.
struct CallBack {
    callid: String,
    at: OffsetDateTime,
    phone: String,
}

/// A call-back's talk time; it ends (reaching the caller) this long after it starts.
const CALLBACK_TALK: u64 = 60;
const CALLBACK_ENDS: i64 = 70;

fn script() -> (Vec<Scripted>, Vec<CallBack>) {
    let mut calls = Vec::new();
    let mut callbacks = Vec::new();
    for i in 0..240i64 {
        let start = DAY + Duration::minutes(2 * i);
        let line = if i % 3 == 2 { SUPPORT } else { SALES };
        let missed = i % 10 == 0 || i % 10 == 5;
        let phone = if missed {
            format!("7917{i:07}")
        } else {
            format!("7916{:07}", i % 200)
        };
        let on_break = start >= BREAK.0 && start < BREAK.1;
        let by = match (missed, line) {
            (true, _) => None,
            (false, SUPPORT) => Some("102"),
            (false, _) if i % 2 == 0 || on_break => Some("100"),
            (false, _) => Some("101"),
        };
        let wait = match (missed, i % 10) {
            (true, 0) => 3,
            (true, _) => 45,
            _ => (i * 7) % 40,
        };
        if i % 20 == 5 {
            callbacks.push(CallBack {
                callid: format!("BACK-{i}"),
                at: start + Duration::minutes(10),
                phone: phone.clone(),
            });
        }
        calls.push(Scripted {
            callid: format!("DAY-{i}"),
            start,
            line,
            phone,
            by,
            wait,
            talk: if missed {
                0
            } else {
                30 + ((i * 13) % 300) as u64
            },
        });
    }
    (calls, callbacks)
}

/// What happens at one moment of the day.
enum Step {
    Post(Fields),
    Status(&'static [&'static str]),
}

fn sim(callid: &str, phone: &str, ext: &str, line: Option<&str>) -> SimCall {
    SimCall {
        access_code: ACCESS_CODE.into(),
        callid: callid.into(),
        phone: phone.into(),
        ext: ext.into(),
        line: line.map(str::to_owned),
    }
}

/// Every event and status change of the day, in time order.
fn steps(calls: &[Scripted], callbacks: &[CallBack]) -> Vec<(OffsetDateTime, Step)> {
    let mut steps = Vec::new();
    for call in calls {
        let ringing = sim(&call.callid, &call.phone, "", Some(call.line));
        steps.push((call.start, Step::Post(ringing.incoming())));
        let end = call.start + Duration::seconds(call.wait);
        match call.by {
            Some(ext) => {
                let answered = sim(&call.callid, &call.phone, ext, Some(call.line));
                steps.push((end, Step::Post(answered.answered())));
                let done = end + Duration::seconds(call.talk as i64);
                steps.push((
                    done,
                    Step::Post(answered.completed("Success", call.talk, None)),
                ));
            }
            None => steps.push((end, Step::Post(ringing.completed("Missed", 0, None)))),
        }
    }
    for back in callbacks {
        let out = sim(&back.callid, &back.phone, "100", None);
        steps.push((back.at, Step::Post(out.outgoing())));
        let done = back.at + Duration::seconds(CALLBACK_ENDS);
        steps.push((
            done,
            Step::Post(out.completed("Success", CALLBACK_TALK, None)),
        ));
    }
    steps.push((
        BREAK.0,
        Step::Status(&["status", "break", "--reason", "Lunch"]),
    ));
    steps.push((BREAK.1, Step::Status(&["status", "available"])));
    steps.sort_by_key(|(at, _)| *at);
    steps
}

/// The figures the script implies for the calls of a group (`None`: the
/// team): incoming on its line, call-backs by its members.
fn expected(calls: &[Scripted], callbacks: &[CallBack], line: Option<&str>, sl: i64) -> Value {
    let calls: Vec<&Scripted> = calls
        .iter()
        .filter(|c| line.is_none_or(|l| c.line == l))
        .collect();
    let backs: Vec<&CallBack> = callbacks.iter().filter(|_| line != Some(SUPPORT)).collect();
    let answered: Vec<&&Scripted> = calls.iter().filter(|c| c.by.is_some()).collect();
    let missed: Vec<&&Scripted> = calls.iter().filter(|c| c.by.is_none()).collect();
    let short = missed.iter().filter(|c| c.wait < 5).count();
    let in_time = answered.iter().filter(|c| c.wait <= sl).count();
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let mut callback_times: Vec<f64> = missed
        .iter()
        .filter_map(|m| {
            let back = backs.iter().find(|b| b.phone == m.phone)?;
            Some((back.at + Duration::seconds(CALLBACK_ENDS) - m.start).whole_seconds() as f64)
        })
        .collect();
    callback_times.sort_by(f64::total_cmp);
    let n = callback_times.len();
    let median = match n {
        0 => None,
        n if n % 2 == 1 => Some(callback_times[n / 2]),
        n => Some((callback_times[n / 2 - 1] + callback_times[n / 2]) / 2.0),
    };
    let mut phones = std::collections::HashMap::<&str, u32>::new();
    for call in &calls {
        *phones.entry(call.phone.as_str()).or_default() += 1;
    }
    serde_json::json!({
        "offered": calls.len(),
        "answered": answered.len(),
        "missed": missed.len(),
        "short_abandoned": short,
        "answered_in_time": in_time,
        "service_level": in_time as f64 * 100.0 / (calls.len() - short) as f64,
        "speed_of_answer": mean(answered.iter().map(|c| c.wait as f64).collect()),
        "handle_time": mean(answered.iter().map(|c| c.talk as f64).collect()),
        "longest_wait": calls.iter().map(|c| c.wait).max().unwrap(),
        "outgoing": backs.len(),
        "not_called_back": missed.len() - n,
        "callback_median": median,
        "repeat_callers": phones.values().filter(|n| **n > 1).count(),
    })
}

/// Whether two JSON figures agree (floats to a millionth).
fn same(got: &Value, want: &Value) -> bool {
    match (got.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-6,
        _ => got == want,
    }
}

fn assert_figures(got: &Value, want: &Value, what: &str) {
    for (name, value) in want.as_object().unwrap() {
        assert!(
            same(&got[name], value),
            "{what} {name}: got {}, want {value}",
            got[name]
        );
    }
}

#[test]
fn a_scripted_day_gives_exactly_its_figures() {
    scripted_day(Relays::single_with);
}

#[test]
fn a_scripted_day_on_a_postgresql_cluster() {
    let pg = PgCluster::start();
    scripted_day(|env| Relays::cluster_with(&pg.url(), env));
}

fn scripted_day(start: impl FnOnce(Vec<(String, String)>) -> Relays) {
    let clock = FakeClock::at(DAY - Duration::hours(1));
    let relays = start(clock.env());
    let codes = relays.join_codes(&["100", "101", "102"]);
    relays.relay(&["group", "add", "sales", "--line", SALES]);
    relays.relay(&["group", "add", "support", "--line", SUPPORT]);
    relays.relay(&["group", "members", "sales", "--add", "100,101"]);
    relays.relay(&["group", "members", "support", "--add", "102"]);
    relays.relay(&["group", "service-level", "sales", "--seconds", "15"]);
    relays.relay(&["breaks", "set", "Lunch"]);
    relays.wait_for_log("groups=2 members=3");
    let agent_101 = Cli::new("101", &codes[1]);

    let (calls, callbacks) = script();
    for (at, step) in steps(&calls, &callbacks) {
        clock.set(at);
        match step {
            Step::Post(fields) => relays.post(&fields),
            Step::Status(args) => {
                agent_101.ok(args);
            }
        }
    }
    clock.set(DAY + Duration::hours(16));

    let report = |args: &[&str]| -> Value {
        let mut all = vec!["report", "--from", "2026-12-01", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&relays.relay(&all)).unwrap()
    };
    let sales = report(&["--group", "sales", "--by", "agent"]);
    assert_eq!(sales["sl_seconds"], 15);
    assert_figures(
        &sales["total"],
        &expected(&calls, &callbacks, Some(SALES), 15),
        "sales",
    );
    let support = report(&["--group", "support"]);
    assert_eq!(support["sl_seconds"], 20);
    assert_figures(
        &support["total"],
        &expected(&calls, &callbacks, Some(SUPPORT), 20),
        "support",
    );
    let team = report(&["--by", "hour"]);
    assert_figures(
        &team["total"],
        &expected(&calls, &callbacks, None, 20),
        "team",
    );
    let hours: Vec<(String, u64)> = team["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().to_owned(),
                row[1]["offered"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = (9..17)
        .map(|h| (format!("2026-12-01 {h:02}:00"), 30))
        .collect();
    assert_eq!(hours, want);

    // By agent: 100 and 101 (sales' members); 101's break.
    let agents = sales["agents"].as_array().unwrap();
    let of = |ext: &str| agents.iter().find(|a| a["ext"] == ext).unwrap();
    let sales_calls: Vec<&Scripted> = calls.iter().filter(|c| c.line == SALES).collect();
    for ext in ["100", "101"] {
        let answered: Vec<&&Scripted> = sales_calls.iter().filter(|c| c.by == Some(ext)).collect();
        let outgoing = if ext == "100" {
            callbacks.len() as u64
        } else {
            0
        };
        let talk: u64 = answered.iter().map(|c| c.talk).sum::<u64>() + outgoing * CALLBACK_TALK;
        let missed_available = sales_calls
            .iter()
            .filter(|c| c.by.is_none() && (ext == "100" || c.start < BREAK.0 || c.start >= BREAK.1))
            .count();
        let want = serde_json::json!({
            "answered": answered.len(),
            "outgoing": outgoing,
            "talk_time": talk,
            "missed_while_available": missed_available,
        });
        assert_figures(of(ext), &want, ext);
    }
    assert_eq!(of("101")["break_seconds"], 1800);
    assert_eq!(
        of("101")["available_seconds"],
        11 * 3600 + 1800,
        "12:30 to midnight"
    );
    assert_eq!(of("100")["break_seconds"], 0);

    // The table and the CSV say the same.
    let table = relays.relay(&["report", "--from", "2026-12-01", "--group", "sales"]);
    let offered = sales["total"]["offered"].as_u64().unwrap();
    assert!(
        table.contains(&format!("total: offered {offered}, ")),
        "{table}"
    );
    assert!(table.contains("answered within 15 s"), "{table}");
    let file = tempfile::tempdir().unwrap();
    let path = file.path().join("sales.csv");
    let path_text = path.to_str().unwrap();
    relays.relay(&[
        "report",
        "--from",
        "2026-12-01",
        "--group",
        "sales",
        "--csv",
        path_text,
    ]);
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(
        csv.starts_with("\u{feff}period,offered,answered,missed,"),
        "{csv}"
    );
    assert!(csv.contains(&format!("\ntotal,{offered},")), "{csv}");
}
