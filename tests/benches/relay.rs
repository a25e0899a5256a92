//! Team relay figures (`make bench`, release `xvb relay serve` on loopback):
//! fan-out latency from the PBX's POST to the last of 500 connected agents,
//! 500 agents reconnecting at once (all resumed, nothing lost, time to settle),
//! the relay's memory per connected agent, and what dropping old events (retention)
//! costs the webhook. The agents are WebSocket clients
//! in this process (the same wire protocol the app speaks), sharing the 2 cores
//! with the relay, so the figures include the clients' own work.

use std::sync::Arc;
use std::time::{Duration, Instant};
use xvb_core::config::DataDir;
use xvb_core::pbx::protocol::CallEvent;
use xvb_core::reach::relay::SqliteRelayStore;
use xvb_core::store::{Relayed, Writer};
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::fleet::{
    percentiles, post_calls, register_agents, start_agents, team_call, Pace, Watch,
};
use xvb_e2e::process::rss_kib;

const AGENTS: usize = 500;
const SEQUENTIAL: usize = 100;
const BURST: usize = 50;
const WHILE_AWAY: usize = 100;
/// Events older than the relay keeps, dropped when it starts.
const OLD_EVENTS: usize = 100_000;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (relay, port) = Agent::relay(Vec::new());
    let data = DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap();
    let codes = register_agents(&data, port, AGENTS);
    let served = relay.serve_relay();
    let target = served.target();
    let pid = served.child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kib = rss_kib(pid);

    let watch = Arc::new(Watch::default());
    let started = Instant::now();
    let agents = start_agents(&codes, 0, &watch, true).await;
    let connect_all = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected_kib = rss_kib(pid);
    println!(
        "# team relay, release build, loopback, {} cores; {AGENTS} agents as WebSocket clients in the bench process",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{AGENTS} agents connected in {:.0} ms",
        connect_all.as_secs_f64() * 1e3
    );
    println!(
        "relay memory: {:.1} MB idle, {:.1} MB with {AGENTS} agents = {:.1} KB per agent",
        idle_kib as f64 / 1024.0,
        connected_kib as f64 / 1024.0,
        (connected_kib - idle_kib) as f64 / AGENTS as f64
    );

    let one_by_one = post_calls(&target, &watch, "SEQ", SEQUENTIAL, Pace::Delivered(AGENTS)).await;
    percentiles(
        "fan-out, one call at a time, POST → last of 500 agents",
        &watch.fan_out(&one_by_one),
    );
    let burst = post_calls(&target, &watch, "BURST", BURST, Pace::AtOnce).await;
    watch.wait_for(&burst, AGENTS).await;
    percentiles(
        &format!("fan-out, a burst of {BURST} calls at once, POST → last of 500 agents"),
        &watch.fan_out(&burst),
    );

    // Every agent drops; calls go on; all reconnect at once and resume.
    drop(agents);
    let away = post_calls(&target, &watch, "AWAY", WHILE_AWAY, Pace::AtOnce).await;
    let head = SqliteRelayStore::open(&data)
        .unwrap()
        .status()
        .unwrap()
        .kept
        .head;
    let storm = Instant::now();
    let agents = start_agents(&codes, head - WHILE_AWAY as i64, &watch, false).await;
    watch.wait_for(&away, AGENTS).await;
    let settled = storm.elapsed();
    let exact = watch.each_exactly(&away, AGENTS);
    println!(
        "{AGENTS} agents reconnecting at once after {WHILE_AWAY} calls: all resumed with every call exactly once: {exact}; settled in {:.0} ms",
        settled.as_secs_f64() * 1e3
    );
    assert!(exact, "an agent lost or repeated a call");
    drop(agents);
    drop(served);
    retention().await;
}

/// A relay whose store holds [`OLD_EVENTS`] events from 40 days ago starts (and
/// drops them); webhook POSTs one after another meanwhile, then once it is done.
async fn retention() {
    let (relay, _) = Agent::relay(Vec::new());
    let data = DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap();
    let writer = Writer::start(&data.database_path()).unwrap();
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(40);
    let mut last_old = 0;
    for chunk in (0..OLD_EVENTS).collect::<Vec<_>>().chunks(1000) {
        let stored = futures_util::future::join_all(chunk.iter().map(|&i| {
            let call = team_call(format!("OLD-{i:06}"));
            let relayed = Relayed {
                seq: i as i64 + 1,
                received_at: long_ago,
            };
            let event = CallEvent::parse(call.incoming()).unwrap();
            writer.record_relayed(event, None, Some(relayed))
        }))
        .await;
        last_old = stored.into_iter().map(|s| s.unwrap().seq).max().unwrap();
    }
    drop(writer);
    let store = SqliteRelayStore::open(&data).unwrap();

    let started = Instant::now();
    let served = relay.serve_relay();
    let target = served.target();
    let post = |i: usize| {
        let call = team_call(format!("NEW-{i:06}"));
        let target = target.clone();
        async move {
            let sent = Instant::now();
            let reply = target.send(&call.incoming(), None).await.unwrap();
            assert_eq!(reply.status, 200);
            sent.elapsed().as_secs_f64() * 1e3
        }
    };
    // Done when the relay says so (events and calls); the journal's part alone is shorter.
    let dropped = |served: &Served| {
        served
            .logs()
            .iter()
            .any(|l| l.contains("dropped events older"))
    };
    let mut during = Vec::new();
    while !dropped(&served) {
        during.push(post(during.len()).await);
    }
    assert_eq!(store.kept().unwrap().pruned_event, last_old);
    let pruned_in = started.elapsed();
    let mut idle: Vec<f64> = Vec::new();
    for i in 0..during.len().max(100) {
        idle.push(post(OLD_EVENTS + i).await);
    }
    println!(
        "retention: the relay dropped {OLD_EVENTS} events of 40 days ago in {:.1} s after it started",
        pruned_in.as_secs_f64()
    );
    during.sort_by(f64::total_cmp);
    idle.sort_by(f64::total_cmp);
    percentiles("webhook POST → 200 while dropping them", &during);
    percentiles("webhook POST → 200 once done", &idle);
}
