//! Click-to-first-sound of the recordings player (`make bench-desktop`): the
//! release app under WebDriver and Xvfb, 10-minute recordings (4.8 MB of G.722)
//! served by a stand-in PBX web server on loopback. Measured in the page, from
//! the click on ▶ to the `<audio>` element's `playing` event (there is no sound
//! card under Xvfb, so a device's own output latency is not included).

use xvb_core::pbx::sim::SimCall;
use xvb_core::store::Writer;
use xvb_e2e::agent::Agent;
use xvb_e2e::audio::synth_g722;
use xvb_e2e::desktop::app::{desktop_agent, Desktop};
use xvb_e2e::desktop::page::{click, page_number, replace_text, wait_number, WAIT};
use xvb_e2e::desktop::session::DbusSession;
use xvb_e2e::desktop::take_turn;
use xvb_e2e::history::store_answered_call;
use xvb_e2e::pbx::{serve_recording, ACCESS_CODE};

/// Calls of each kind measured.
const ROUNDS: usize = 8;
/// The last played, played again (decoded in memory): 20 plays in all.
const AGAIN: usize = 4;
const MINUTES: u64 = 10;

/// Records the last click and the first `playing` after it, in page time.
const PROBE: &str = "window.__click = null; window.__playing = null;
document.addEventListener('click', () => { window.__click = performance.now(); window.__playing = null; }, true);
document.addEventListener('playing', () => { if (window.__playing === null) window.__playing = performance.now(); }, true);
return 0;";
const CLICK_TO_PLAYING: &str =
    "return window.__playing === null ? -1 : window.__playing - window.__click;";

async fn store_calls(agent: &Agent, link: &str, ids: &[String]) {
    let writer = Writer::start(&agent.dir.path().join("xvb.sqlite3")).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let call = SimCall {
            access_code: ACCESS_CODE.into(),
            callid: id.clone(),
            phone: format!("7920000{i:04}"),
            ext: "100".into(),
            line: None,
        };
        let link = format!("{link}/{id}.g722");
        store_answered_call(&writer, &call, MINUTES * 60, Some(&link), None).await;
    }
}

/// Clicks ▶ on the row of `id` (found by its number) and returns ms to `playing`.
async fn click_to_playing(desktop: &Desktop, phone: &str, id: &str) -> f64 {
    let client = &desktop.client;
    replace_text(client, "[data-testid=search]", phone).await;
    let row = format!("[data-callid=\"{id}\"] [data-testid=row-play]");
    let deadline = std::time::Instant::now() + WAIT;
    while client.find(fantoccini::Locator::Css(&row)).await.is_err() {
        assert!(std::time::Instant::now() < deadline, "no row for {id}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    click(client, &row).await;
    let ms = wait_number(client, CLICK_TO_PLAYING, "playback starts", |ms| ms >= 0.0).await;
    click(client, "[data-testid=dock] .close").await;
    ms
}

fn summary(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "click → playing, {what} ({} calls of {MINUTES} min): median {:.0} ms, max {:.0} ms",
        ms.len(),
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let _turn = take_turn();
    let work = tempfile::tempdir().unwrap();
    let recording = synth_g722(work.path(), MINUTES as u32 * 60, &["sine", "300-3000"]);
    let (pbx_port, seen) = serve_recording(std::fs::read(recording).unwrap(), Default::default());

    let session = DbusSession::bare();
    let env = session.env();
    let (agent, port) = desktop_agent(&env);
    agent.ok(&[
        "config",
        "set",
        "pbx_url",
        &format!("http://127.0.0.1:{pbx_port}/crm-api"),
    ]);
    let ids: Vec<String> = (0..2 * ROUNDS).map(|i| format!("LONG{i:04}")).collect();
    store_calls(&agent, &format!("http://127.0.0.1:{pbx_port}"), &ids).await;
    // The first half is downloaded beforehand: in the disk cache, not yet decoded.
    for id in &ids[..ROUNDS] {
        agent.ok(&["recording", "fetch", id]);
    }

    let desktop = Desktop::launch(&agent, &env, port).await;
    page_number(&desktop.client, PROBE).await;
    let phone = |i: usize| format!("7920000{i:04}");
    let mut cached = Vec::new();
    let mut uncached = Vec::new();
    let mut again = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let ms = click_to_playing(&desktop, &phone(i), id).await;
        if i < ROUNDS {
            cached.push(ms);
        } else {
            uncached.push(ms);
        }
    }
    // The last three played are still decoded in memory (the fourth is decoded again).
    for (i, id) in ids.iter().enumerate().skip(2 * ROUNDS - AGAIN) {
        again.push(click_to_playing(&desktop, &phone(i), id).await);
    }
    println!(
        "# recordings player, release build, Xvfb, {} cores; {} downloads from the loopback PBX",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seen.lock().unwrap().len() - ROUNDS
    );
    let first = cached[0];
    let worst = [&cached, &uncached, &again]
        .into_iter()
        .flatten()
        .copied()
        .fold(0.0, f64::max);
    println!(
        "click → playing, the first play after start-up: {first:.0} ms; worst of all {} plays: {worst:.0} ms",
        cached.len() + uncached.len() + again.len()
    );
    summary("cached on disk (decoded on the click)", cached);
    summary(
        "not cached (downloaded from the loopback PBX on the click)",
        uncached,
    );
    summary("played again (still decoded in memory)", again);
    desktop.close().await;
}
