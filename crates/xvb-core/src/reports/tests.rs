//! Reports from a scripted hour of calls with known waits, misses and statuses.

use super::*;
use crate::groups::{DefaultGroup, Group, Line};
use crate::pbx::call::{Call, CallLog};
use crate::pbx::protocol::Fields;
use crate::team::test_calls::t0;
use crate::team::{AgentState, AgentStatus, LoggedStatus};
use time::Duration;

const SALES: &str = "74950000001";
const SUPPORT: &str = "74950000002";

/// A call from `events`: seconds after `t0` and the body (`callid` added).
fn timed(callid: &str, events: &[(i64, String)]) -> Call {
    let mut log = CallLog::default();
    for (second, body) in events {
        let body = format!("cmd=event&callid={callid}&{body}");
        let fields = Fields::from_form(body.as_bytes()).unwrap();
        log.add(fields, t0() + Duration::seconds(*second));
    }
    Call::merge(callid, None, &log).unwrap()
}

/// An incoming call on `line` from `phone`: answered by `by` after `wait`
/// seconds and talked `talk`, or missed after `wait` seconds (`by` None).
fn incoming(
    callid: &str,
    at: i64,
    line: &str,
    phone: &str,
    by: Option<&str>,
    wait: i64,
    talk: u64,
) -> Call {
    let start = format!("type=in&event=INCOMING&ext=&phone={phone}&line_number={line}");
    let events = match by {
        Some(ext) => vec![
            (at, start),
            (
                at + wait,
                format!("type=in&event=ANSWERED&ext={ext}&phone={phone}"),
            ),
            (
                at + wait + talk as i64,
                format!("event=COMPLETED&status=Success&duration={talk}&phone={phone}&ext={ext}"),
            ),
        ],
        None => vec![
            (at, start),
            (
                at + wait,
                format!("event=COMPLETED&status=Missed&duration=0&phone={phone}&ext="),
            ),
        ],
    };
    timed(callid, &events)
}

fn calls() -> Facts {
    Facts::of_calls(&[
        incoming("A", 0, SALES, "79160000001", Some("100"), 10, 60),
        incoming("B", 100, SALES, "79160000002", Some("101"), 30, 120),
        // The same caller again, hanging up after 3 s (a short abandon).
        incoming("C", 200, SALES, "79160000002", None, 3, 0),
        incoming("D", 300, SALES, "79160000004", None, 40, 0),
        // 100 calls D's caller back: reached 160 s after the miss.
        timed(
            "F",
            &[
                (
                    400,
                    "type=out&event=OUTGOING&phone=79160000004&ext=100".into(),
                ),
                (
                    460,
                    "event=COMPLETED&status=Success&duration=50&phone=79160000004&ext=100".into(),
                ),
            ],
        ),
        // Support's, in the next hour.
        incoming("E", 3700, SUPPORT, "79160000005", Some("102"), 5, 30),
    ])
}

fn routing() -> Routing {
    let group = |name: &str, line: &str, members: &[&str], sl_seconds: u32| Group {
        name: GroupName::parse(name).unwrap(),
        lines: vec![Line::parse(line).unwrap()],
        members: members.iter().map(|m| m.to_string()).collect(),
        acw_seconds: 0,
        sl_seconds,
    };
    let groups = [
        group("sales", SALES, &["100", "101"], 20),
        group("support", SUPPORT, &["102"], 30),
    ];
    Routing {
        groups: groups.into_iter().map(|g| (g.name.clone(), g)).collect(),
        default: DefaultGroup::Everyone,
        supervisors: Default::default(),
    }
}

/// 101 takes a break from 250 s to 320 s.
fn statuses() -> Vec<LoggedStatus> {
    let change = |second: i64, state: AgentState, reason: Option<&str>| LoggedStatus {
        ext: "101".into(),
        status: AgentStatus {
            state,
            reason: reason.map(str::to_owned),
            since: t0() + Duration::seconds(second),
            until: None,
        },
    };
    vec![
        change(250, AgentState::Break, Some("Lunch")),
        change(320, AgentState::Available, None),
    ]
}

fn ask(group: Option<&str>, by: By) -> ReportAsk {
    ReportAsk {
        from: t0(),
        to: t0() + Duration::hours(2),
        group: group.map(|g| GroupName::parse(g).unwrap()),
        by,
        offset: UtcOffset::UTC,
    }
}

#[test]
fn a_groups_figures_follow_the_usual_definitions() {
    let report = report(
        &calls(),
        &statuses(),
        &routing(),
        &ask(Some("sales"), By::Total),
    );
    let sales = report.total;
    assert_eq!(
        (
            sales.offered,
            sales.answered,
            sales.missed,
            sales.short_abandoned
        ),
        (4, 2, 2, 1)
    );
    assert_eq!(sales.answered_in_time, 1, "A in 10 s; B took 30 s (> 20 s)");
    assert_eq!(sales.service_level, Some(100.0 / 3.0), "C's 3 s left out");
    assert_eq!(sales.speed_of_answer, Some(20.0));
    assert_eq!(sales.handle_time, Some(90.0));
    assert_eq!(sales.longest_wait, 40);
    assert_eq!(sales.outgoing, 1, "dialled by a member");
    assert_eq!(sales.not_called_back, 1, "C's caller");
    assert_eq!(sales.callback_median, Some(160.0));
    assert_eq!(sales.repeat_callers, 1);
    assert_eq!(report.sl_seconds, 20);
}

#[test]
fn the_whole_team_by_hour() {
    let report = report(&calls(), &statuses(), &routing(), &ask(None, By::Hour));
    let all = &report.total;
    assert_eq!((all.offered, all.answered, all.answered_in_time), (5, 3, 2));
    assert_eq!(all.service_level, Some(50.0));
    assert_eq!(all.speed_of_answer, Some(15.0));
    assert_eq!(all.handle_time, Some(70.0));
    let hours: Vec<(&str, u32)> = report
        .periods
        .iter()
        .map(|(hour, figures)| (hour.as_str(), figures.offered))
        .collect();
    assert_eq!(hours, [("2026-09-21 14:00", 4), ("2026-09-21 15:00", 1)]);
    let support = super::report(&calls(), &[], &routing(), &ask(Some("support"), By::Day));
    assert_eq!(support.sl_seconds, 30);
    assert_eq!(support.periods.len(), 1);
    assert_eq!(support.periods[0].0, "2026-09-21");
}

#[test]
fn each_agent_answers_talks_misses_and_takes_breaks() {
    let report = report(
        &calls(),
        &statuses(),
        &routing(),
        &ask(Some("sales"), By::Agent),
    );
    let exts: Vec<&str> = report.agents.iter().map(|a| a.ext.as_str()).collect();
    assert_eq!(exts, ["100", "101"], "sales' members only");
    let (a100, a101) = (&report.agents[0], &report.agents[1]);
    assert_eq!((a100.answered, a100.outgoing, a100.talk_time), (1, 1, 110));
    assert_eq!(a100.handle_time, Some(60.0));
    assert_eq!(a100.missed_while_available, 2, "C and D rang for it");
    assert_eq!((a101.answered, a101.talk_time), (1, 120));
    assert_eq!(a101.missed_while_available, 1, "D came during its break");
    assert_eq!(a101.break_seconds, 70);
    assert_eq!(a101.available_seconds, 7200 - 320);
    assert_eq!(
        a100.available_seconds + a100.break_seconds,
        0,
        "never set a status"
    );
}

#[test]
fn the_app_gets_hours_for_a_day_days_for_longer_and_every_agent_at_once() {
    let now = t0() + Duration::hours(2);
    let asked = |days| ReportRequest {
        days,
        group: Some("sales".into()),
        offset_minutes: 180,
    };
    let day = asked(1).ask(now).unwrap();
    assert_eq!(day.by, By::Hour);
    assert_eq!(day.offset, UtcOffset::from_hms(3, 0, 0).unwrap());
    assert_eq!(day.to - day.from, Duration::days(1));
    let week = asked(7).ask(now).unwrap();
    assert_eq!((week.by, week.to - week.from), (By::Day, Duration::days(7)));
    assert_eq!(
        asked(500).ask(now).unwrap().to - asked(500).ask(now).unwrap().from,
        Duration::days(92)
    );
    let full = full_report(
        &calls(),
        &statuses(),
        &routing(),
        &ask(Some("sales"), By::Hour),
    );
    let (hours, exts): (Vec<&str>, Vec<&str>) = (
        full.periods.iter().map(|(h, _)| h.as_str()).collect(),
        full.agents.iter().map(|a| a.ext.as_str()).collect(),
    );
    assert_eq!(
        (hours, exts),
        (vec!["2026-09-21 14:00"], vec!["100", "101"])
    );
}

#[test]
fn a_caller_missed_and_reached_an_hour_later_counts_in_the_hour_of_the_miss() {
    let phone = "79160000009";
    let calls = Facts::of_calls(&[
        incoming("M", 2700, SALES, phone, None, 20, 0),
        incoming("N", 2750, SALES, "79160000010", None, 20, 0),
        // 15:00: M's caller calls in again and is answered 300 s after the miss.
        incoming("R", 2990, SALES, phone, Some("100"), 10, 30),
    ]);
    let report = report(&calls, &[], &routing(), &ask(None, By::Hour));
    let hours: Vec<(&str, u32, u32, Option<f64>)> = report
        .periods
        .iter()
        .map(|(hour, f)| {
            (
                hour.as_str(),
                f.missed,
                f.not_called_back,
                f.callback_median,
            )
        })
        .collect();
    assert_eq!(
        hours,
        [
            ("2026-09-21 14:00", 2, 1, Some(300.0)),
            ("2026-09-21 15:00", 0, 0, None)
        ],
        "N's caller is still waiting; M's was reached in the next hour"
    );
    assert_eq!(
        (report.total.not_called_back, report.total.callback_median),
        (1, Some(300.0))
    );
    assert_eq!(report.total.repeat_callers, 1);
    assert_eq!(
        report.periods[0].1.repeat_callers + report.periods[1].1.repeat_callers,
        0,
        "once an hour each"
    );
}
