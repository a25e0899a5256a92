//! Loopback benchmarks of the listener, printed as figures (`make bench`).
//!
//! Every request opens a new TCP connection and sends LWP's exact bytes, as the PBX does.
//! 1. webhook events/s stored durably by the real listener vs a bare axum handler;
//! 2. `cmd=contact` latency with 1M contacts while events are being stored;
//! 3. start-up of `xvb serve` to listening;
//! 4. history pages (as the app's list scrolls) and typed searches in 1,000,000 calls.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xvb_core::config::{Config, DataDir};
use xvb_core::contacts::ContactIndex;
use xvb_core::listener::Engine;
use xvb_core::pbx::notifier::Silent;
use xvb_core::pbx::sim::{SimCall, Target};
use xvb_core::store::{Database, HistoryQuery};
use xvb_e2e::agent::xvb_bin;
use xvb_e2e::book::fill_book;
use xvb_e2e::history::{seed_history, seed_notes, typed_note_searches, typed_searches, NOTE_TAGS};
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::process::rss_kib;

const RUN: Duration = Duration::from_secs(3);
const ROUNDS: usize = 5;
/// Concurrent connections of the throughput runs: moderate, and enough to saturate 2 cores.
const CLIENT_COUNTS: [usize; 2] = [64, 256];
/// Concurrent connections of the background event load in the contact-latency run.
const BACKGROUND_CLIENTS: usize = 16;

/// A server on its own 2-thread runtime, as in the app.
fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn start_xvb(
    runtime: &tokio::runtime::Runtime,
    data: &DataDir,
) -> (SocketAddr, String, Arc<ContactIndex>) {
    let mut config = data.load_config().unwrap();
    config.set("access_code", ACCESS_CODE).unwrap();
    config.set("extension", "100").unwrap();
    data.save_config(&config).unwrap();
    let secret = config.webhook_secret.clone();
    let engine = Engine::open(data, config, Arc::new(Silent)).unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let contacts = Arc::clone(&engine.state.contacts);
    runtime.spawn(engine.serve(listener, std::future::pending()));
    (addr, format!("/hook/{secret}"), contacts)
}

fn start_bare_axum(runtime: &tokio::runtime::Runtime) -> (SocketAddr, String) {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/hook/bare",
        post(
            |axum::Form(fields): axum::Form<Vec<(String, String)>>| async move {
                std::hint::black_box(fields);
                r#"{"ok":true}"#
            },
        ),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, "/hook/bare".into())
}

fn target(addr: SocketAddr, path: &str) -> Target {
    Target::parse(&format!("http://{addr}{path}")).unwrap()
}

/// Sends distinct INCOMING events from `clients` tasks until `stop`; returns the count of 200s.
async fn event_load(
    target: Target,
    clients: usize,
    stop: Arc<AtomicBool>,
    tag: &'static str,
) -> u64 {
    let sent = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (target, stop, sent) = (target.clone(), Arc::clone(&stop), Arc::clone(&sent));
            tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let call = SimCall {
                        access_code: ACCESS_CODE.into(),
                        callid: format!("{tag}-{client}-{i}"),
                        phone: format!("79{:09}", i),
                        ext: String::new(),
                        line: Some("74950000000".into()),
                    };
                    let reply = target.send(&call.incoming(), None).await.unwrap();
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    sent.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    sent.load(Ordering::Relaxed)
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn throughput(target: Target, clients: usize, tag: &'static str) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = Arc::clone(&stop);
    std::thread::spawn(move || {
        std::thread::sleep(RUN);
        stopper.store(true, Ordering::Relaxed);
    });
    let started = Instant::now();
    let count = client_runtime().block_on(event_load(target, clients, stop, tag));
    count as f64 / started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn startup(data_dir: &std::path::Path) -> Vec<Duration> {
    use std::io::BufRead;
    let mut times: Vec<Duration> = (0..10)
        .map(|_| {
            let started = Instant::now();
            let mut child = std::process::Command::new(xvb_bin())
                .args(["serve", "--listen", "127.0.0.1:0"])
                .env("XVB_DATA_DIR", data_dir)
                .env("XVB_LOG", "warn")
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            std::io::BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let took = started.elapsed();
            assert!(line.starts_with("listening on"), "{line}");
            child.kill().unwrap();
            child.wait().unwrap();
            took
        })
        .collect();
    times.sort();
    times
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let wanted = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    println!(
        "# loopback benchmarks ({} cores, {RUN:?} per run, new TCP connection per request)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    if wanted("throughput") {
        throughput_vs_bare();
    }
    let contacts_dir = tempfile::tempdir().unwrap();
    if wanted("contacts") || wanted("startup") {
        contact_latency(contacts_dir.path());
    }
    if wanted("startup") {
        startup_figures(contacts_dir.path());
    }
    if wanted("history") {
        history_figures();
    }
}

/// Calls in history for the paging and search figures (an agent's history after a few years).
const HISTORY_CALLS: usize = 1_000_000;
/// Calls the app's list fetches at a time.
const PAGE: usize = 100;
/// Different typed searches measured.
const SEARCHES: usize = 100;

/// History of [`HISTORY_CALLS`] calls stored through the store's writer, then
/// pages of 100 as the app's list asks for them while scrolling (top, middle,
/// end), and what a typed search costs: its first page and its count.
/// `XVB_BENCH_HISTORY=DIR` keeps the seeded history in DIR and reuses it on the
/// next run (seeding a million calls takes minutes).
fn history_figures() {
    let temporary = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("XVB_BENCH_HISTORY").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temporary.path());
    let data = DataDir::resolve(Some(dir.to_path_buf())).unwrap();
    if data.database_path().exists() {
        println!(
            "history of {HISTORY_CALLS} calls reused from {}",
            dir.display()
        );
    } else {
        let started = Instant::now();
        let indexing = server_runtime().block_on(seed_history(dir, HISTORY_CALLS));
        let seeded = (started.elapsed() - indexing).as_secs_f64();
        println!(
            "history of {HISTORY_CALLS} calls stored through the writer in {seeded:.0} s ({:.0} events/s), all in the search index {:.1} s later; file {:.0} MB",
            2.0 * HISTORY_CALLS as f64 / seeded,
            indexing.as_secs_f64(),
            std::fs::metadata(data.database_path()).unwrap().len() as f64 / 1e6
        );
    }
    let db = Database::open(&data.database_path()).unwrap();
    let mut query = HistoryQuery {
        limit: PAGE,
        ..HistoryQuery::default()
    };
    let mut line = "  a page of 100 (median of 21):".to_owned();
    for offset in [0, HISTORY_CALLS / 2, HISTORY_CALLS - PAGE] {
        query.offset = offset;
        let mut times: Vec<Duration> = (0..21)
            .map(|_| {
                let started = Instant::now();
                assert_eq!(db.history(&query).unwrap().len(), PAGE);
                started.elapsed()
            })
            .collect();
        times.sort();
        line += &format!(" at {offset}: {:.2} ms;", times[10].as_secs_f64() * 1e3);
    }
    println!("{line}");

    search_figures(
        &db,
        typed_searches(HISTORY_CALLS, SEARCHES),
        "4–7 digits of a number, 3–6 letters of a name",
    );
    let complaints = HistoryQuery {
        tag: Some(NOTE_TAGS[1].into()),
        ..HistoryQuery::default()
    };
    if db.history_count(&complaints).unwrap() == 0 {
        let started = Instant::now();
        let indexing = server_runtime().block_on(seed_notes(dir, HISTORY_CALLS, NOTES));
        println!(
            "{NOTES} notes stored through the writer in {:.1} s, all in the search index {:.1} s later",
            (started.elapsed() - indexing).as_secs_f64(),
            indexing.as_secs_f64()
        );
    }
    search_figures(
        &db,
        typed_note_searches(SEARCHES),
        "3–6 letters of a note's word",
    );
    let tagged_page = HistoryQuery {
        limit: PAGE,
        ..complaints.clone()
    };
    let (mut pages, mut counts, mut tagged) = (Vec::new(), Vec::new(), 0);
    for _ in 0..5 {
        let started = Instant::now();
        tagged = db.history_count(&complaints).unwrap();
        counts.push(started.elapsed());
        let started = Instant::now();
        let page = db.history(&tagged_page).unwrap();
        pages.push(started.elapsed());
        assert_eq!(page.len(), PAGE.min(tagged as usize));
    }
    pages.sort();
    counts.sort();
    println!(
        "  the tag filter ({}: {tagged} calls; slowest of 5 runs, median): first page {:.1}, {:.1} ms; count {:.1}, {:.1} ms",
        NOTE_TAGS[1],
        pages[4].as_secs_f64() * 1e3,
        pages[2].as_secs_f64() * 1e3,
        counts[4].as_secs_f64() * 1e3,
        counts[2].as_secs_f64() * 1e3
    );
}

/// Notes written on the history's calls for the note-search figures (one call in 50).
const NOTES: usize = 20_000;

/// Times each typed search of `searched` (`what` they are): its first page and its count.
fn search_figures(db: &Database, searched: Vec<String>, what: &str) {
    let (mut pages, mut counts, mut matches) = (Vec::new(), Vec::new(), Vec::new());
    let mut slowest = Vec::new();
    for typed in searched {
        let query = HistoryQuery {
            search: Some(typed.clone()),
            limit: PAGE,
            ..HistoryQuery::default()
        };
        let started = Instant::now();
        let page = db.history(&query).unwrap();
        pages.push(started.elapsed());
        let started = Instant::now();
        let count = db.history_count(&query).unwrap() as usize;
        counts.push(started.elapsed());
        assert!(
            count >= 1 && page.len() == count.min(PAGE),
            "{typed}: {count}"
        );
        matches.push(count);
        slowest.push((pages[pages.len() - 1], typed, count));
    }
    slowest.sort_by_key(|(took, _, _)| std::cmp::Reverse(*took));
    pages.sort();
    counts.sort();
    matches.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  typed search, {SEARCHES} different ones ({what}; median {} matches, most {}):",
        matches[SEARCHES / 2],
        matches[SEARCHES - 1]
    );
    println!(
        "    first page: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; count: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&pages, 0.5)),
        ms(percentile(&pages, 0.99)),
        ms(pages[SEARCHES - 1]),
        ms(percentile(&counts, 0.5)),
        ms(percentile(&counts, 0.99)),
        ms(counts[SEARCHES - 1])
    );
    let slowest: Vec<String> = slowest[..3]
        .iter()
        .map(|(took, typed, count)| format!("\"{typed}\" {:.1} ms ({count} matches)", ms(*took)))
        .collect();
    println!("    slowest first pages: {}", slowest.join(", "));
}

/// Bare axum and the real listener, in alternating rounds (loopback figures are noisy); medians.
fn throughput_vs_bare() {
    let bare_runtime = server_runtime();
    let (addr, path) = start_bare_axum(&bare_runtime);
    let bare_target = target(addr, &path);
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
    let runtime = server_runtime();
    let (addr, path, _) = start_xvb(&runtime, &data);
    let stored_target = target(addr, &path);
    for clients in CLIENT_COUNTS {
        let (mut bare, mut stored) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            bare.push(throughput(bare_target.clone(), clients, "bare"));
            stored.push(throughput(stored_target.clone(), clients, "stored"));
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (bare, stored) = (median(&mut bare), median(&mut stored));
        println!("{clients:>3} clients: bare axum handler      {bare:>8.0} requests/s (median of {ROUNDS})");
        println!(
            "{clients:>3} clients: xvb, stored durably   {stored:>8.0} events/s   (median of {ROUNDS}; {:.2}x bare)",
            stored / bare
        );
    }
}

fn contact_latency(contacts_dir: &std::path::Path) {
    let contacts_data = DataDir::resolve(Some(contacts_dir.to_path_buf())).unwrap();
    let started = Instant::now();
    fill_book(&contacts_data.database_path(), 1_000_000);
    println!(
        "import of 1M contacts:             {:>8.2} s",
        started.elapsed().as_secs_f64()
    );
    let runtime = server_runtime();
    let before_kib = rss_kib(std::process::id());
    let started = Instant::now();
    let (addr, path, contacts) = start_xvb(&runtime, &contacts_data);
    runtime.block_on(contacts.ready());
    println!(
        "contact index load, 1M contacts:   {:>8.0} ms (in the background; requests wait for it); memory +{:.0} MB",
        started.elapsed().as_secs_f64() * 1e3,
        (rss_kib(std::process::id()) - before_kib) as f64 / 1024.0
    );
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (t, stop) = (target(addr, &path), Arc::clone(&stop));
        std::thread::spawn(move || {
            client_runtime().block_on(event_load(t, BACKGROUND_CLIENTS, stop, "bg"))
        })
    };
    let lookup_target = target(addr, &path);
    let mut latencies = Vec::new();
    client_runtime().block_on(async {
        let begin = Instant::now();
        let mut i = 0u32;
        while begin.elapsed() < RUN {
            let call = SimCall {
                access_code: ACCESS_CODE.into(),
                callid: String::new(),
                phone: format!("8910{:07}", (i * 7919) % 1_000_000),
                ext: String::new(),
                line: None,
            };
            let request = lookup_target.request_bytes(&call.contact(), None);
            let sent = Instant::now();
            let reply = lookup_target.send_raw(&request).await.unwrap();
            latencies.push(sent.elapsed());
            assert!(reply.body.contains("Клиент"), "{}", reply.body);
            i += 1;
        }
    });
    stop.store(true, Ordering::Relaxed);
    let background = load.join().unwrap();
    let mut in_process: Vec<Duration> = (0..100_000u32)
        .map(|i| {
            let phone = format!("+7 (910) {:07}", (i * 7919) % 1_000_000);
            let started = Instant::now();
            std::hint::black_box(contacts.lookup(&phone));
            started.elapsed()
        })
        .collect();
    in_process.sort();
    println!(
        "index look-up alone, in process:    p50 {:>6.2} µs  p99 {:>6.2} µs",
        percentile(&in_process, 0.5).as_secs_f64() * 1e6,
        percentile(&in_process, 0.99).as_secs_f64() * 1e6
    );
    latencies.sort();
    println!(
        "cmd=contact, 1M contacts, under load: p50 {:>6.0} µs  p99 {:>6.0} µs  max {:>6.0} µs  ({} look-ups; {} events stored meanwhile)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6,
        latencies.last().unwrap().as_secs_f64() * 1e6,
        latencies.len(),
        background
    );
}

fn startup_figures(contacts_dir: &std::path::Path) {
    let fresh = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(fresh.path().to_path_buf())).unwrap();
    data.save_config(&Config {
        access_code: Some(ACCESS_CODE.into()),
        webhook_secret: xvb_core::config::new_secret(),
        ..Config::default()
    })
    .unwrap();
    let empty = startup(fresh.path());
    let full = startup(contacts_dir);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "start-up to listening (xvb serve): median {:.1} ms, max {:.1} ms (empty store); median {:.0} ms, max {:.0} ms (1M contacts)",
        ms(empty[5]),
        ms(empty[9]),
        ms(full[5]),
        ms(full[9])
    );
}
