//! Team relay figures (`make bench`, release `xvb relay serve` on loopback):
//! fan-out latency from the PBX's POST to the last of 500 connected agents,
//! 500 agents reconnecting at once (all resumed, nothing lost, time to settle),
//! the relay's memory per connected agent, and what dropping old events (retention)
//! costs the webhook. The agents are WebSocket clients
//! in this process (the same wire protocol the app speaks), sharing the 2 cores
//! with the relay, so the figures include the clients' own work.

use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xvb_core::config::{new_secret, DataDir};
use xvb_core::pbx::protocol::CallEvent;
use xvb_core::pbx::sim::SimCall;
use xvb_core::reach::relay::{token_hash, JoinCode, SqliteRelayStore};
use xvb_core::store::{Relayed, Writer};
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::pbx::call_from_known_caller;

const AGENTS: usize = 500;
const SEQUENTIAL: usize = 100;
const BURST: usize = 50;
const WHILE_AWAY: usize = 100;
/// Events older than the relay keeps, dropped when it starts.
const OLD_EVENTS: usize = 100_000;

/// For each call id: when the PBX's POST started, and when each agent got it.
#[derive(Default)]
struct Deliveries {
    posted: HashMap<String, Instant>,
    received: HashMap<String, Vec<Instant>>,
}

type Shared = Arc<Mutex<Deliveries>>;

/// One agent: streams events after `after`, records each arrival; returns its last sequence number.
async fn agent(
    code: JoinCode,
    after: i64,
    deliveries: Shared,
    connected: Arc<tokio::sync::Barrier>,
) -> i64 {
    let mut request = code.agent_url(after, 0).into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", code.token.expose()).parse().unwrap(),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let (_out, mut incoming) = socket.split();
    let mut last = after;
    let mut waited = false;
    while let Some(Ok(message)) = incoming.next().await {
        let Ok(text) = message.into_text() else {
            continue;
        };
        // Light reading (the relay is what is measured, and the clients share its cores).
        if text.starts_with(r#"{"t":"hello""#) && !waited {
            waited = true;
            connected.wait().await;
        } else if text.starts_with(r#"{"t":"event""#) {
            let seq: i64 = between(&text, r#""seq":"#, ",").parse().unwrap();
            assert!(seq > last, "in order, no repeats");
            last = seq;
            let callid = between(&text, r#"["callid",""#, "\"").to_owned();
            deliveries
                .lock()
                .unwrap()
                .received
                .entry(callid)
                .or_default()
                .push(Instant::now());
        }
    }
    last
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect("field present") + start.len();
    let len = text[from..].find(end).expect("field ends");
    &text[from..from + len]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

async fn wait_for(deliveries: &Shared, callids: &[String], per_call: usize) -> Duration {
    let start = Instant::now();
    loop {
        let done = {
            let d = deliveries.lock().unwrap();
            callids
                .iter()
                .all(|c| d.received.get(c).is_some_and(|r| r.len() >= per_call))
        };
        if done {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "events never reached every agent"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Milliseconds from each call's POST to its last agent, sorted.
fn fan_out(deliveries: &Shared, callids: &[String]) -> Vec<f64> {
    let d = deliveries.lock().unwrap();
    let mut ms: Vec<f64> = callids
        .iter()
        .map(|c| {
            let last = d.received[c].iter().max().unwrap();
            last.duration_since(d.posted[c]).as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms
}

fn percentiles(what: &str, ms: &[f64]) {
    let at = |p: usize| ms[(ms.len() * p / 100).min(ms.len() - 1)];
    println!(
        "{what} ({} calls): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        at(50),
        at(99),
        ms[ms.len() - 1]
    );
}

/// A call to the team (extension 101).
fn team_call(callid: String) -> SimCall {
    call_from_known_caller(&callid, "101")
}

async fn post_calls(
    target: &xvb_core::pbx::sim::Target,
    deliveries: &Shared,
    prefix: &str,
    n: usize,
    at_once: bool,
) -> Vec<String> {
    let callids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:04}")).collect();
    let mut posts = JoinSet::new();
    for callid in &callids {
        let call = team_call(callid.clone());
        deliveries
            .lock()
            .unwrap()
            .posted
            .insert(callid.clone(), Instant::now());
        let target = target.clone();
        let post = async move {
            let reply = target.send(&call.incoming(), None).await.unwrap();
            assert_eq!(reply.status, 200);
        };
        if at_once {
            posts.spawn(post);
        } else {
            post.await;
            // One call at a time: the next starts once every agent has this one.
        }
        if !at_once {
            let one = vec![callid.clone()];
            wait_for(deliveries, &one, AGENTS).await;
        }
    }
    while posts.join_next().await.is_some() {}
    callids
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (relay, port) = Agent::relay(Vec::new());
    let store =
        SqliteRelayStore::open(&DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap())
            .unwrap();
    let codes: Vec<String> = (0..AGENTS)
        .map(|i| {
            let token = new_secret();
            store
                .add_agent(&format!("{}", 1000 + i), &token_hash(&token))
                .unwrap();
            format!("http://127.0.0.1:{port}#{token}")
        })
        .collect();
    let served = relay.serve_relay();
    let target = served.target();
    let pid = served.child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kib = rss_kib(pid);

    let deliveries: Shared = Arc::default();
    let connected = Arc::new(tokio::sync::Barrier::new(AGENTS + 1));
    let started = Instant::now();
    let mut agents = JoinSet::new();
    for code in &codes {
        let code = JoinCode::parse(code).unwrap();
        agents.spawn(agent(
            code,
            0,
            Arc::clone(&deliveries),
            Arc::clone(&connected),
        ));
    }
    connected.wait().await;
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

    let one_by_one = post_calls(&target, &deliveries, "SEQ", SEQUENTIAL, false).await;
    percentiles(
        "fan-out, one call at a time, POST → last of 500 agents",
        &fan_out(&deliveries, &one_by_one),
    );
    let burst = post_calls(&target, &deliveries, "BURST", BURST, true).await;
    wait_for(&deliveries, &burst, AGENTS).await;
    percentiles(
        &format!("fan-out, a burst of {BURST} calls at once, POST → last of 500 agents"),
        &fan_out(&deliveries, &burst),
    );

    // Every agent drops; calls go on; all reconnect at once and resume.
    agents.abort_all();
    while agents.join_next().await.is_some() {}
    let away = post_calls(&target, &deliveries, "AWAY", WHILE_AWAY, true).await;
    let head =
        SqliteRelayStore::open(&DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap())
            .unwrap()
            .status()
            .unwrap()
            .kept
            .head;
    let resume_from = head - WHILE_AWAY as i64;
    // No waiting for one another this time: each agent reads as soon as it is in.
    let no_wait = Arc::new(tokio::sync::Barrier::new(1));
    let storm = Instant::now();
    for code in &codes {
        let code = JoinCode::parse(code).unwrap();
        agents.spawn(agent(
            code,
            resume_from,
            Arc::clone(&deliveries),
            Arc::clone(&no_wait),
        ));
    }
    wait_for(&deliveries, &away, AGENTS).await;
    let settled = storm.elapsed();
    let exact = {
        let d = deliveries.lock().unwrap();
        away.iter().all(|c| d.received[c].len() == AGENTS)
    };
    println!(
        "{AGENTS} agents reconnecting at once after {WHILE_AWAY} calls: all resumed with every call exactly once: {exact}; settled in {:.0} ms",
        settled.as_secs_f64() * 1e3
    );
    assert!(exact, "an agent lost or repeated a call");
    agents.abort_all();
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
