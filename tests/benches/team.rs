//! What the team view costs a relay (`make bench`): deriving the board and the
//! missed queue from a day's stored calls (300 agents, 20,000 calls, one in
//! five missed; a fifth of the callers never reached), the read and the fold
//! apart, and the size of the frame every agent showing the board receives
//! at most twice a second; and the relay's `/metrics` answer over those
//! 300 agents (a release `xvb relay serve` on the same data).

use std::time::Instant;
use xvb_core::config::{Config, DataDir};
use xvb_core::contacts::ContactIndex;
use xvb_core::reach::relay::wire::ToAgent;
use xvb_core::reach::relay::{derive_view, token_hash, RelayStore, SqliteRelayStore};
use xvb_core::team::{TeamView, WINDOW};
use xvb_e2e::history::seed_relay_calls;
use xvb_e2e::process::{free_port, ms_since, print_median_max};

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
    seed_relay_calls(&data, CALLS, AGENTS, CALLERS, &["74950000000"]).await;
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
        whole.push(ms_since(started));
        let started = Instant::now();
        let now = time::OffsetDateTime::now_utc();
        let inputs = store.team_inputs(now - WINDOW).await.unwrap();
        read.push(ms_since(started));
        let started = Instant::now();
        let folded = TeamView::derive(
            &inputs.calls,
            &inputs.roster,
            &inputs.claims,
            &|_| None,
            &|_, _| true,
            now,
        );
        fold.push(ms_since(started));
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
    print_median_max("derive the view (read + fold)", &mut whole);
    print_median_max("  read the day's calls, claims, agents", &mut read);
    print_median_max("  fold them into board and queue", &mut fold);
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
    drop(store);
    metrics_answer(dir.path());
}

/// Starts a release `xvb relay serve` on `dir` with its metrics on loopback,
/// and prints how long `/metrics` takes to answer (200 requests, one at a time).
fn metrics_answer(dir: &std::path::Path) {
    use std::io::{Read, Write};
    let xvb = xvb_e2e::agent::xvb_bin();
    let (port, metrics) = (free_port(), free_port());
    for (key, value) in [
        ("access_code", "10019".to_owned()),
        ("listen", format!("127.0.0.1:{port}")),
        ("relay_metrics_listen", format!("127.0.0.1:{metrics}")),
    ] {
        let set = std::process::Command::new(&xvb)
            .args(["config", "set", key, &value])
            .env("XVB_DATA_DIR", dir)
            .output()
            .unwrap();
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
    }
    let mut relay = std::process::Command::new(&xvb)
        .args(["relay", "serve"])
        .env("XVB_DATA_DIR", dir)
        .env("XVB_TOKEN", "bench")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let get = || -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", metrics)).ok()?;
        stream.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").ok()?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply).ok()?;
        Some(reply)
    };
    let started = Instant::now();
    // Ready once the team view is derived (the agents' gauge is there).
    while !get().is_some_and(|reply| reply.contains("xvb_agents{")) {
        assert!(
            started.elapsed().as_secs() < 60,
            "the relay's metrics never came up"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut runs: Vec<f64> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let reply = get().expect("an answer");
            assert!(
                reply.starts_with("HTTP/1.0 200") && reply.contains("# EOF"),
                "{reply}"
            );
            ms_since(started)
        })
        .collect();
    let size = get().map_or(0, |reply| reply.len());
    print_median_max(
        &format!("GET /metrics ({AGENTS} agents, {size} bytes)"),
        &mut runs,
    );
    let _ = relay.kill();
    let _ = relay.wait();
}
