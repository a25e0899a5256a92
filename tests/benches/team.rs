//! What the team view costs a relay (`make bench`): deriving the board and the
//! missed queue from a day's stored calls (300 agents, 20,000 calls, one in
//! five missed; a fifth of the callers never reached), the read and the fold
//! apart, and the size of the frame every agent showing the board receives
//! at most twice a second.

use std::time::Instant;
use xvb_core::config::{Config, DataDir};
use xvb_core::contacts::ContactIndex;
use xvb_core::pbx::protocol::CallEvent;
use xvb_core::pbx::sim::SimCall;
use xvb_core::reach::relay::wire::ToAgent;
use xvb_core::reach::relay::{derive_view, token_hash, RelayStore, SqliteRelayStore};
use xvb_core::store::Writer;
use xvb_core::team::{TeamView, WINDOW};

const AGENTS: usize = 300;
const CALLS: usize = 20_000;
const CALLERS: usize = 5_000;
const RUNS: usize = 20;

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
    let agents = SqliteRelayStore::open(&data).unwrap();
    for i in 0..AGENTS {
        let token = format!("bench-token-{i}");
        agents
            .add_agent(&(1000 + i).to_string(), &token_hash(&token))
            .unwrap();
    }
    let seeding = Instant::now();
    seed_calls(&data).await;
    let seeded = seeding.elapsed();
    let store = RelayStore::open(&data, &Config::default()).await.unwrap();
    let contacts = ContactIndex::default();

    let mut whole = Vec::new();
    let mut read = Vec::new();
    let mut fold = Vec::new();
    let mut view = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        view = Some(derive_view(&store, &contacts).await.unwrap());
        whole.push(ms(started));
        let started = Instant::now();
        let now = time::OffsetDateTime::now_utc();
        let inputs = store.team_inputs(now - WINDOW).await.unwrap();
        read.push(ms(started));
        let started = Instant::now();
        let folded = TeamView::derive(
            &inputs.calls,
            &inputs.roster,
            &inputs.claims,
            &|_| None,
            &|_, _| true,
            now,
        );
        fold.push(ms(started));
        assert_eq!(folded.members.len(), AGENTS);
    }
    let view = view.unwrap();
    let whole_view = serde_json::to_string(&view).unwrap();
    let frame = serde_json::to_string(&ToAgent::Team(Box::new(view.clone().for_agents()))).unwrap();
    println!(
        "# team view, release build, {} cores; {AGENTS} agents, {CALLS} calls in the last 24 h ({CALLERS} callers; seeded in {:.1} s)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seeded.as_secs_f64()
    );
    median_max("derive the view (read + fold)", &mut whole);
    median_max("  read the day's calls, claims, agents", &mut read);
    median_max("  fold them into board and queue", &mut fold);
    println!(
        "the whole view: {:.1} KB ({} members, {} queue entries, {} waiting)",
        whole_view.len() as f64 / 1024.0,
        view.members.len(),
        view.missed.len(),
        view.waiting
    );
    println!(
        "the frame agents get (the oldest waiting callers shown): {:.1} KB; to {AGENTS} agents at most twice a second: {:.1} MB/s",
        frame.len() as f64 / 1024.0,
        (frame.len() * AGENTS * 2) as f64 / 1e6
    );
}

/// Stores the day's calls through the relay's writer: 4 in 5 answered by an
/// agent, 1 in 5 missed; concurrently, so the writer batches them as under load.
async fn seed_calls(data: &DataDir) {
    let writer = Writer::start(&data.database_path()).unwrap();
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..CALLS {
        let call = SimCall {
            access_code: "10019".into(),
            callid: format!("BENCH-{i:06}"),
            phone: format!("7916{:07}", i % CALLERS),
            ext: (1000 + i % AGENTS).to_string(),
            line: Some("74950000000".into()),
        };
        let events = if i % 5 == 0 {
            vec![call.incoming(), call.completed("Missed", 0, None)]
        } else {
            vec![
                call.incoming(),
                call.answered(),
                call.completed("Success", 60, None),
            ]
        };
        let writer = writer.clone();
        pending.spawn(async move {
            for fields in events {
                let event = CallEvent::parse(fields).unwrap();
                writer.record_event(event, None).await.unwrap();
            }
        });
        if pending.len() >= 256 {
            pending.join_next().await;
        }
    }
    while pending.join_next().await.is_some() {}
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

fn median_max(what: &str, runs: &mut [f64]) {
    runs.sort_by(f64::total_cmp);
    println!(
        "{what}: median {:.1} ms, max {:.1} ms ({} runs)",
        runs[runs.len() / 2],
        runs[runs.len() - 1],
        runs.len()
    );
}
