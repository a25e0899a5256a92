//! What a supervisor's report costs a relay (`make bench`): a month of a busy
//! call centre — 30 days × 20,000 calls (600,000), 300 agents in 3 groups —
//! read from the relay's store and folded by hour and by agent, the read and
//! the fold apart; on SQLite, then on PostgreSQL.
//!
//! SQLite is seeded through the relay's writer at once, so every call is
//! "today"; PostgreSQL is seeded in SQL with the same calls spread over the
//! 30 days (720 hours to cut by).

use std::time::Instant;
use time::{Duration, OffsetDateTime, UtcOffset};
use xvb_core::config::{Config, DataDir};
use xvb_core::groups::{GroupChange, GroupName, Line, Routing};
use xvb_core::reach::relay::RelayStore;
use xvb_core::reports::{report, By, ReportAsk};
use xvb_e2e::history::seed_relay_calls;
use xvb_e2e::postgres::PgCluster;
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
    println!(
        "# reports, release build, {} cores; {calls} calls, {AGENTS} agents, 3 groups",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
    let store = grouped_store(&data, &Config::default()).await;
    let seeding = Instant::now();
    seed_relay_calls(&data, calls, AGENTS, CALLERS, &LINES).await;
    println!("SQLite seeded in {:.0} s", seeding.elapsed().as_secs_f64());
    measure(&store, calls, "SQLite").await;

    let pg = PgCluster::start();
    let config = Config {
        relay_database: Some(pg.url()),
        ..Config::default()
    };
    let pg_dir = tempfile::tempdir().unwrap();
    let pg_data = DataDir::resolve(Some(pg_dir.path().to_path_buf())).unwrap();
    let store = grouped_store(&pg_data, &config).await;
    let seeding = Instant::now();
    seed_postgres(&pg, calls);
    println!(
        "PostgreSQL seeded in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );
    measure(&store, calls, "PostgreSQL").await;
}

/// The relay's store with a group per line.
async fn grouped_store(data: &DataDir, config: &Config) -> RelayStore {
    let store = RelayStore::open(data, config).await.unwrap();
    for (n, line) in LINES.iter().enumerate() {
        let name = GroupName::parse(&format!("group{n}")).unwrap();
        let lines = vec![Line::parse(line).unwrap()];
        store
            .change_groups(GroupChange::Add { name, lines })
            .await
            .unwrap();
    }
    store
}

/// The calls of [`seed_relay_calls`] (every fifth missed), each row as the
/// relay writes it, over the last 30 days; answered after 5 to 34 s.
fn seed_postgres(pg: &PgCluster, calls: usize) {
    let lines = LINES.map(|l| format!("'{l}'")).join(", ");
    pg.sql(&format!(
        "WITH c AS (
           SELECT 'BENCH-' || lpad(i::text, 7, '0') AS callid,
             '7916' || lpad((i % {CALLERS})::text, 7, '0') AS phone,
             CASE WHEN i % 5 <> 0 THEN (1000 + i % {AGENTS})::text END AS ext,
             (ARRAY[{lines}])[1 + i % 3] AS line,
             now() - interval '30 days' + interval '30 days' * (i::float8 / {calls}) AS t,
             make_interval(secs => 5 + i % 30) AS wait
           FROM generate_series(0, {calls} - 1) i)
         INSERT INTO relay_calls (callid, record, completed, last_seen, first_seen, answered_at,
             direction, phone_norm, line_number, ext, answered_by, status, duration)
         SELECT callid, jsonb_build_object('callid', callid, 'direction', 'in', 'phone', phone,
               'phone_normalized', phone, 'contact_name', NULL, 'line_number', line,
               'ext', ext, 'answered_by', ext,
               'answered_at', CASE WHEN ext IS NOT NULL THEN t + wait END,
               'status', CASE WHEN ext IS NULL THEN 'Missed' ELSE 'Success' END,
               'completed', true, 'duration', CASE WHEN ext IS NULL THEN 0 ELSE 60 END,
               'record_link', NULL,
               'events', CASE WHEN ext IS NULL THEN '[\"INCOMING\", \"COMPLETED\"]'::jsonb
                 ELSE '[\"INCOMING\", \"ANSWERED\", \"COMPLETED\"]'::jsonb END,
               'first_seen', t, 'last_seen', t + wait + interval '60 s'),
           true, t + wait + interval '60 s', t, CASE WHEN ext IS NOT NULL THEN t + wait END,
           'in', phone, line, ext, ext,
           CASE WHEN ext IS NULL THEN 'Missed' ELSE 'Success' END,
           CASE WHEN ext IS NULL THEN 0 ELSE 60 END
         FROM c"
    ));
    // What autovacuum does to month-old rows: a report then reads the index alone.
    pg.sql("VACUUM ANALYZE relay_calls");
}

/// Times reading the month from `store` and folding it by hour, by agent,
/// and one group by day.
async fn measure(store: &RelayStore, calls: usize, name: &str) {
    let routing: Routing = store.routing().await.unwrap();
    let now = OffsetDateTime::now_utc();
    let ask = |by: By, group: Option<&str>| ReportAsk {
        from: now - Duration::days(31),
        to: now + Duration::hours(1),
        group: group.map(|g| GroupName::parse(g).unwrap()),
        by,
        offset: UtcOffset::UTC,
    };
    let (mut read, mut by_hour, mut by_agent, mut one_group) = (vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let started = Instant::now();
        let (month, statuses) = store
            .report_inputs(now - Duration::days(31), now + Duration::hours(1))
            .await
            .unwrap();
        read.push(ms_since(started));
        assert_eq!(month.calls().len(), calls);
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
    print_median_max(&format!("read the month's calls ({name})"), &mut read);
    print_median_max("  fold: the team by hour", &mut by_hour);
    print_median_max("  fold: the team by agent", &mut by_agent);
    print_median_max("  fold: one group by day", &mut one_group);
}
