//! Desktop app figures (`make bench-desktop`, release build, under Xvfb, private D-Bus):
//! cold start to listening and to the first painted window; idle memory of all
//! the app's processes with 10,000 calls in history; webhook → `Notify` latency;
//! the memory levers of the window, each alone (issue 15).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xvb_core::pbx::sim::{SimCall, Target};
use xvb_e2e::agent::{xvb_bin, Agent};
use xvb_e2e::desktop::notifications::{BusCall, NotificationRecorder};
use xvb_e2e::desktop::session::{DbusSession, Xvfb};
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::seed_history;
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::process::{kib, process_tree, terminate};

const HISTORY: usize = 10_000;
const POPS: usize = 200;

/// Whether the page itself is on screen: the header's teal at (60, 24). The root
/// window is black, and an unpainted GTK window white, until the web view's first frame.
fn painted(display: &str) -> bool {
    let out = Command::new("import")
        .args([
            "-display",
            display,
            "-window",
            "root",
            "-crop",
            "1x1+60+24",
            "txt:-",
        ])
        .output();
    let text = out
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // "0,0: (r,g,b)  #…" with 16-bit channels.
    let rgb: Vec<u32> = text
        .lines()
        .nth(1)
        .and_then(|l| l.split('(').nth(1))
        .and_then(|l| l.split(')').next())
        .map(|l| l.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_default();
    matches!(rgb[..], [r, g, b] if g > 2 * r && b > r)
}

struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let tree = process_tree(self.0.id());
        terminate(&mut self.0);
        for pid in tree.into_iter().skip(1) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn spawn_app(
    app: &Path,
    env: &[(String, String)],
    display: &str,
    data: &Path,
    args: &[&str],
) -> Child {
    Command::new(app)
        .args(args)
        .envs(env.iter().cloned())
        .env("DISPLAY", display)
        .env("XVB_DATA_DIR", data)
        .env("NO_AT_BRIDGE", "1")
        .env("XVB_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the release app starts")
}

fn start_app(
    app: &Path,
    env: &[(String, String)],
    display: &str,
    data: &Path,
) -> (App, Duration, Duration) {
    let started = Instant::now();
    let mut child = spawn_app(app, env, display, data, &[]);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on"), "{line}");
    let listening = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !painted(display) {
        assert!(Instant::now() < deadline, "no window painted");
        std::thread::sleep(Duration::from_millis(20));
    }
    (App(child), listening, started.elapsed())
}

fn print_memory(what: &str, root: u32) {
    let tree = process_tree(root);
    let (mut rss, mut pss) = (0, 0);
    for pid in &tree {
        rss += kib(&format!("/proc/{pid}/status"), "VmRSS:");
        pss += kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:");
    }
    let gl = tree
        .iter()
        .flat_map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/maps"))
                .unwrap_or_default()
                .lines()
                .filter(|l| {
                    ["libEGL", "_dri.so", "libLLVM"]
                        .iter()
                        .any(|lib| l.contains(lib))
                })
                .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "idle memory with {HISTORY} calls, {what}, {} processes: {:.0} MB RSS, {:.0} MB PSS \
         ({gl} GL libraries mapped)",
        tree.len(),
        rss as f64 / 1024.0,
        pss as f64 / 1024.0
    );
}

/// Webhook POST → `Notify` on the recorded bus for [`POPS`] ringing calls, one at a time.
async fn pop_latency(target: &Target, recorder: &NotificationRecorder, state: &str) {
    let mut latencies = Vec::new();
    for i in 0..POPS {
        let call = SimCall {
            access_code: ACCESS_CODE.into(),
            callid: format!("POP-{}-{i}", state.replace(' ', "-")),
            phone: format!("7920{i:07}"),
            ext: String::new(),
            line: None,
        };
        let before = recorder.timed_calls().len();
        let sent = Instant::now();
        assert_eq!(
            target.send(&call.incoming(), None).await.unwrap().status,
            200
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let at = loop {
            let notify = recorder
                .timed_calls()
                .into_iter()
                .skip(before)
                .find(|(_, c)| matches!(c, BusCall::Notify { .. }));
            if let Some((at, _)) = notify {
                break at;
            }
            assert!(Instant::now() < deadline, "no Notify for call {i}");
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        latencies.push(at.saturating_duration_since(sent));
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "webhook POST → Notify on the bus ({POPS} calls, {state}): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(latencies[POPS / 2]),
        ms(latencies[POPS * 99 / 100]),
        ms(latencies[POPS - 1])
    );
}

/// Each memory lever of `src-tauri/src/webview.rs` alone, against all of them off,
/// the window open and idle: the app sets a lever only when its variable is unset,
/// so the bench turns one off by setting it. `XVB_BENCH_LONG_IDLE=1` also keeps
/// the first and the shipped variant open for 10 minutes.
async fn memory_levers(app: &Path, env: &[(String, String)], display: &str, data: &Path) {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // glibc's own default: 8 arenas per core.
    let default_arenas = (8 * cores).to_string();
    let compositing = [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "0"),
        ("WEBKIT_DMABUF_RENDERER_FORCE_SHM", "0"),
    ];
    let arenas = [("MALLOC_ARENA_MAX", default_arenas.as_str())];
    let long = std::env::var_os("XVB_BENCH_LONG_IDLE").is_some();
    let variants = [
        (
            "every lever off",
            [&compositing[..], &arenas].concat(),
            long,
        ),
        ("compositing off + SHM buffers only", arenas.to_vec(), false),
        ("malloc arenas 2 only", compositing.to_vec(), false),
        ("as shipped", Vec::new(), long),
        (
            "as shipped + JSC_useJIT=0",
            vec![("JSC_useJIT", "0")],
            false,
        ),
    ];
    for (what, levers, keep_long) in variants {
        let mut env = env.to_vec();
        env.extend(levers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let (running, _, _) = start_app(app, &env, display, data);
        tokio::time::sleep(Duration::from_secs(60)).await;
        print_memory(&format!("window open 60 s, {what}"), running.0.id());
        if keep_long {
            tokio::time::sleep(Duration::from_secs(540)).await;
            print_memory(&format!("window open 10 min, {what}"), running.0.id());
        }
        drop(running);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let _turn = take_turn();
    let app = xvb_bin().with_file_name("xvb-companion");
    assert!(
        app.is_file(),
        "build it first: cargo build --release -p xvb-companion"
    );
    let session = DbusSession::bare();
    let recorder = NotificationRecorder::start(&session.address).await;
    let xvfb = Xvfb::start();
    let env = session.env();
    let (agent, _) = Agent::with_known_port("100", env.clone());
    let seeding = Instant::now();
    seed_history(agent.dir.path(), HISTORY).await;
    println!(
        "# desktop app, release build, Xvfb 1280x800 (llvmpipe), {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "seeded {HISTORY} calls in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let mut starts = Vec::new();
    for _ in 0..3 {
        let (running, listening, painted_at) =
            start_app(&app, &env, &xvfb.display, agent.dir.path());
        starts.push((listening, painted_at));
        drop(running);
        std::thread::sleep(Duration::from_millis(500));
    }
    for (i, (listening, painted_at)) in starts.iter().enumerate() {
        println!(
            "cold start {}: listening after {:.0} ms, first painted window after {:.0} ms",
            i + 1,
            listening.as_secs_f64() * 1e3,
            painted_at.as_secs_f64() * 1e3
        );
    }

    let in_tray = App(spawn_app(
        &app,
        &env,
        &xvfb.display,
        agent.dir.path(),
        &["--minimized"],
    ));
    tokio::time::sleep(Duration::from_secs(5)).await;
    print_memory("in the tray (window closed)", in_tray.0.id());
    let target = Target::parse(agent.ok(&["webhook-url"]).trim()).unwrap();
    pop_latency(&target, &recorder, "in the tray").await;
    drop(in_tray);
    std::thread::sleep(Duration::from_millis(500));

    let (running, _, _) = start_app(&app, &env, &xvfb.display, agent.dir.path());
    tokio::time::sleep(Duration::from_secs(5)).await;
    print_memory("window open", running.0.id());

    let target = Target::parse(agent.ok(&["webhook-url"]).trim()).unwrap();
    pop_latency(&target, &recorder, "window open").await;
    drop(running);
    memory_levers(&app, &env, &xvfb.display, agent.dir.path()).await;
    drop(xvfb);
}
