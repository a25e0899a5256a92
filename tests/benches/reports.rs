//! What a supervisor's report costs a relay (`make bench`): a month of a busy
//! call centre — 30 days × 20,000 calls (600,000), 300 agents in 3 groups —
//! read from the relay's SQLite store and folded by hour and by agent, the
//! read and the fold apart. (Seeded through the writer at once, so every
//! call is "today": the cost is the number of calls, not their spread.)

use std::time::Instant;
use time::{Duration, OffsetDateTime, UtcOffset};
use xvb_core::config::{Config, DataDir};
use xvb_core::groups::{GroupChange, GroupName, Line, Routing};
use xvb_core::reach::relay::RelayStore;
use xvb_core::reports::{report, By, ReportAsk};
use xvb_e2e::history::seed_relay_calls;
use xvb_e2e::process::{ms_since, print_median_max};

const AGENTS: usize = 300;
const CALLERS: usize = 50_000;
const LINES: [&str; 3] = ["74950000001", "74950000002", "74950000003"];
const RUNS: usize = 5;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let calls: usize = std::env::var("XVB_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(600_000);
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
    let store = RelayStore::open(&data, &Config::default()).await.unwrap();
    for (n, line) in LINES.iter().enumerate() {
        let name = GroupName::parse(&format!("group{n}")).unwrap();
        let lines = vec![Line::parse(line).unwrap()];
        store
            .change_groups(GroupChange::Add { name, lines })
            .await
            .unwrap();
    }
    let seeding = Instant::now();
    seed_relay_calls(&data, calls, AGENTS, CALLERS, &LINES).await;
    let seeded = seeding.elapsed();
    let routing: Routing = store.routing().await.unwrap();
    let now = OffsetDateTime::now_utc();
    let ask = |by: By, group: Option<&str>| ReportAsk {
        from: now - Duration::days(30),
        to: now + Duration::hours(1),
        group: group.map(|g| GroupName::parse(g).unwrap()),
        by,
        offset: UtcOffset::UTC,
    };
    let (mut read, mut by_hour, mut by_agent, mut one_group) = (vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let started = Instant::now();
        let (month, statuses) = store
            .report_inputs(now - Duration::days(30), now + Duration::hours(1))
            .await
            .unwrap();
        read.push(ms_since(started));
        assert_eq!(month.len(), calls);
        let started = Instant::now();
        let hourly = report(&month, &statuses, &routing, &ask(By::Hour, None));
        by_hour.push(ms_since(started));
        assert_eq!(hourly.total.offered as usize, calls);
        let started = Instant::now();
        let agents = report(&month, &statuses, &routing, &ask(By::Agent, None));
        by_agent.push(ms_since(started));
        // Every fifth call is missed: the agents it would have gone to answer none.
        assert_eq!(agents.agents.len(), AGENTS * 4 / 5);
        let started = Instant::now();
        report(&month, &statuses, &routing, &ask(By::Day, Some("group1")));
        one_group.push(ms_since(started));
    }
    println!(
        "# reports, release build, {} cores; {calls} calls, {AGENTS} agents, 3 groups (seeded in {:.0} s)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seeded.as_secs_f64()
    );
    print_median_max("read the month's calls (SQLite)", &mut read);
    print_median_max("  fold: the team by hour", &mut by_hour);
    print_median_max("  fold: the team by agent", &mut by_agent);
    print_median_max("  fold: one group by day", &mut one_group);
}
