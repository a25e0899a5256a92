//! Notes against the PBX (`make bench`, release `xvb relay serve` on loopback):
//! agents flood the relay with notes while the PBX posts a webhook every
//! 50 ms; the webhook's latency meanwhile, and how many notes were stored how
//! fast. `XVB_BEFORE=/path/to/an/older/xvb` runs the same floods against that
//! binary first, in the same run (the baseline).
//!
//! - **spread**: 50 agents send 20 notes of 2 KB each at once, each on its own call;
//! - **one call**: one agent sends 250 notes of 4 KB at once on one call (the
//!   flood that stalled the team before notes had limits).

use futures_util::{SinkExt, StreamExt};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use xvb_core::config::DataDir;
use xvb_core::reach::relay::JoinCode;
use xvb_e2e::agent::{xvb_bin, Agent, Served};
use xvb_e2e::fleet::{percentiles, register_agents};
use xvb_e2e::pbx::call_from_known_caller;

/// The PBX's pace during a flood: a busy call centre's 20 webhooks a second.
const WEBHOOK_EVERY: Duration = Duration::from_millis(50);

/// One flood: how many agents, notes each, bytes of text each, all on one call.
struct Flood {
    name: &'static str,
    agents: usize,
    notes: usize,
    text_bytes: usize,
    one_call: bool,
}

const FLOODS: &[Flood] = &[
    Flood {
        name: "spread: 50 agents x 20 notes of 2 KB, each agent on its own call",
        agents: 50,
        notes: 20,
        text_bytes: 2048,
        one_call: false,
    },
    Flood {
        name: "one call: 1 agent x 250 notes of 4 KB",
        agents: 1,
        notes: 250,
        text_bytes: 4096,
        one_call: true,
    },
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "# notes against the PBX, release build, loopback, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut binaries = Vec::new();
    if let Some(before) = std::env::var_os("XVB_BEFORE") {
        binaries.push(("before", before.into()));
    }
    binaries.push(("this build", xvb_bin()));
    for flood in FLOODS {
        for (label, binary) in &binaries {
            run(flood, label, binary);
        }
    }
}

/// `command` with `program` in place of the `xvb` it runs.
fn with_program(command: Command, program: &std::path::Path) -> Command {
    let mut other = Command::new(program);
    other.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => other.env(key, value),
            None => other.env_remove(key),
        };
    }
    other
}

fn run(flood: &Flood, label: &str, binary: &std::path::Path) {
    let (relay, port) = Agent::relay(Vec::new());
    let data = DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap();
    let codes = register_agents(&data, port, flood.agents);
    let mut served = Served::start(
        with_program(relay.command(&["relay", "serve"]), binary),
        "relay listening on ",
    );
    served.webhook = relay.unmasked(&served.webhook);
    let calls = if flood.one_call { 1 } else { flood.agents };
    for call in 0..calls {
        served.post(&call_from_known_caller(&format!("NOTED-{call}"), "100").incoming());
    }
    let text = "ж".repeat(flood.text_bytes / 2);
    let (notes, one_call) = (flood.notes, flood.one_call);
    let flooding = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let started = Instant::now();
            let mut agents = Vec::new();
            for (i, code) in codes.into_iter().enumerate() {
                let callid = if one_call {
                    "NOTED-0".to_owned()
                } else {
                    format!("NOTED-{i}")
                };
                let text = text.clone();
                agents.push(tokio::spawn(async move {
                    send_notes(&code, &callid, &text, notes).await
                }));
            }
            let mut stored = 0;
            for agent in agents {
                stored += agent.await.unwrap();
            }
            (stored, started.elapsed())
        })
    });
    let mut latencies = Vec::new();
    while !flooding.is_finished() {
        let started = Instant::now();
        let n = latencies.len();
        served.post(&call_from_known_caller(&format!("DURING-{n}"), "100").incoming());
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(WEBHOOK_EVERY.saturating_sub(started.elapsed()));
    }
    let (stored, took) = flooding.join().unwrap();
    latencies.sort_by(f64::total_cmp);
    println!("{label}, {}:", flood.name);
    println!(
        "  {stored} of {} notes stored in {:.1} s ({:.0} notes/s); the rest refused",
        flood.agents * flood.notes,
        took.as_secs_f64(),
        stored as f64 / took.as_secs_f64()
    );
    percentiles("  webhook latency during the flood", &latencies);
}

/// Sends `count` notes on `callid` at once over one connection; how many were stored.
async fn send_notes(code: &str, callid: &str, text: &str, count: usize) -> usize {
    let code = JoinCode::parse(code).unwrap();
    let mut request = code.agent_url(0, 0, false).into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", code.token.expose()).parse().unwrap(),
    );
    let mut socket = tokio_tungstenite::connect_async(request).await.unwrap().0;
    for id in 0..count {
        let note =
            format!(r#"{{"t":"note","id":{id},"note":{{"callid":"{callid}","text":"{text}"}}}}"#);
        socket.send(Message::text(note)).await.unwrap();
    }
    let (mut answered, mut stored) = (0, 0);
    let deadline = Duration::from_secs(600);
    let read = async {
        while answered < count {
            let Some(Ok(Message::Text(reply))) = socket.next().await else {
                continue;
            };
            let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
            if reply["t"] == "replied" {
                answered += 1;
                stored += usize::from(reply["ok"] == true);
            }
        }
    };
    tokio::time::timeout(deadline, read)
        .await
        .expect("every note answered in 10 minutes");
    stored
}
