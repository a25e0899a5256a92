//! What the app's *Reports* tab costs in memory (`make bench-desktop`): the
//! release app under WebDriver and Xvfb (1280×800), a supervisor joined to a
//! relay with a busy day (20,000 calls, 300 agents in 3 groups). The app and
//! its WebKit processes' PSS on the Team tab, then after opening *Reports*,
//! and after each of 10 rounds through its periods, groups and *My calls*
//! (the goal: at most 5 MB more than before the tab was opened); as the
//! baseline, 3 rounds through the other tabs first.

use std::time::Duration;
use xvb_core::config::DataDir;
use xvb_e2e::agent::Agent;
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{click, join_relay, page_number, screenshot, wait_number, wait_text};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::seed_relay_calls;
use xvb_e2e::process::{pid_of, tree_pss_kib};

const CALLS: usize = 20_000;
const AGENTS: usize = 300;
const LINES: [&str; 3] = ["74950000001", "74950000002", "74950000003"];
const ROUNDS: usize = 10;
/// Long enough for WebKit to collect garbage after a round.
const SETTLE: Duration = Duration::from_secs(10);

/// The app's memory (PSS of its process tree) once it settled, in MB.
async fn settled_mb(app: u32) -> f64 {
    tokio::time::sleep(SETTLE).await;
    tree_pss_kib(app) as f64 / 1024.0
}

/// Waits until the talk-time chart has a bar per agent who talked.
async fn drawn(client: &fantoccini::Client) {
    let script = "return document.querySelectorAll('[data-testid=chart-talk] rect').length;";
    wait_number(client, script, "every agent's talk", |n| {
        n == (AGENTS * 4 / 5) as f64
    })
    .await;
}

/// Picks `group` (empty: every group) in the Reports tab.
async fn pick_group(client: &fantoccini::Client, group: &str) {
    let pick = format!(
        "const field = document.querySelector('[data-testid=reports-group]');
         field.value = '{group}';
         field.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return 0;"
    );
    page_number(client, &pick).await;
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let _turn = take_turn();
    let (relay, relay_port) = Agent::relay(Vec::new());
    for (n, line) in LINES.iter().enumerate() {
        relay.ok(&[
            "relay",
            "group",
            "add",
            &format!("group{n}"),
            "--line",
            line,
        ]);
    }
    let data = DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap();
    seed_relay_calls(&data, CALLS, AGENTS, 5_000, &LINES).await;
    let _served = relay.serve_relay();
    let url = format!("http://127.0.0.1:{relay_port}");
    let code = relay.relay_join_code("100", &url);
    relay.ok(&["relay", "agent", "role", "100", "supervisor"]);

    let session = DbusSession::with_keyring();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    let desktop = Desktop::launch(&agent, &env, port).await;
    let app = pid_of(&Desktop::app()).expect("the app runs");
    let client = &desktop.client;
    // The window as big as the screen: what "readable at 1280×800" is checked at.
    client.set_window_size(1280, 800).await.unwrap();
    join_relay(client, &code).await;
    wait_text(client, "[data-testid=reach]", "connected as extension 100").await;
    click(client, "[data-tab=team]").await;
    let before = settled_mb(app).await;
    // The baseline in the same run: as many rounds between the tabs it had.
    let mut control = Vec::new();
    for _ in 0..3 {
        for tab in ["calls", "contacts", "team"] {
            click(client, &format!("[data-tab={tab}]")).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        control.push(settled_mb(app).await);
    }

    click(client, "[data-tab=reports]").await;
    drawn(client).await;
    let opened = settled_mb(app).await;
    screenshot(client, "reports-1280x800").await;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        for days in ["7", "30", "1"] {
            click(client, &format!("[data-days=\"{days}\"]")).await;
            drawn(client).await;
        }
        pick_group(client, "group1").await;
        wait_text(client, "[data-testid=tile-offered]", "answered").await;
        pick_group(client, "").await;
        click(client, "[data-testid=reports-mine]").await;
        click(client, "[data-testid=reports-team]").await;
        drawn(client).await;
        rounds.push(settled_mb(app).await);
    }
    println!(
        "# the Reports tab, release app, Xvfb 1280x800, {} cores; a relay with {CALLS} calls today, {AGENTS} agents",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("app + WebKit PSS on the Team tab: {before:.1} MB");
    for (i, mb) in control.iter().enumerate() {
        println!(
            "baseline: after round {} through Calls, Contacts and Team: {mb:.1} MB ({:+.1} MB)",
            i + 1,
            mb - before
        );
    }
    println!(
        "after opening Reports (charts drawn): {opened:.1} MB ({:+.1} MB)",
        opened - before
    );
    for (i, mb) in rounds.iter().enumerate() {
        println!(
            "after round {} (3 periods, a group, My calls): {mb:.1} MB ({:+.1} MB)",
            i + 1,
            mb - before
        );
    }
    desktop.close().await;
}
