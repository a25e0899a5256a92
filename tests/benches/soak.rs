//! Soak: a million webhook requests through a real `xvb serve` (release), each
//! on a new connection as the PBX sends them; resident memory and open file
//! descriptors of the process sampled as it goes (`make soak`, figures in
//! RELIABILITY.md). `SOAK_REQUESTS` changes the count.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::pbx::ACCESS_CODE;

/// Concurrent senders (each request still its own connection).
const SENDERS: u64 = 16;

/// Size in MiB of a file (0 when absent).
fn mib(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1048576.0)
}

/// Resident memory (MiB) and open descriptors of process `pid`.
fn sample(pid: u32) -> (f64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    (rss_kib / 1024.0, fds)
}

fn main() {
    let total: u64 = std::env::var("SOAK_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let agent = Agent::new("100");
    let served = agent.serve();
    let pid = served.child.id();
    let target = served.target();
    let sent = Arc::new(AtomicU64::new(0));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let (target, sent) = (target.clone(), Arc::clone(&sent));
            runtime.spawn(async move {
                for call in (sender..).step_by(SENDERS as usize) {
                    let call = SimCall {
                        access_code: ACCESS_CODE.into(),
                        callid: format!("SOAK-{call}"),
                        phone: format!("7920{:07}", call % 10_000_000),
                        ext: "100".into(),
                        line: None,
                    };
                    for fields in [call.incoming(), call.completed("Success", 30, None)] {
                        if sent.fetch_add(1, Ordering::Relaxed) >= total {
                            return;
                        }
                        let reply = target.send(&fields, None).await.expect("answered");
                        assert_eq!(reply.status, 200, "{}", reply.body);
                    }
                }
            })
        })
        .collect();
    println!("soak: {total} webhook requests, {SENDERS} senders, a new connection each");
    println!(
        "{:>10}  {:>8}  {:>4}  {:>9}  {:>8}  {:>8}",
        "requests", "RSS MiB", "fds", "req/s", "DB MiB", "WAL MiB"
    );
    let database = agent.dir.path().join("xvb.sqlite3");
    let wal = agent.dir.path().join("xvb.sqlite3-wal");
    let mut next = total / 50;
    let mut last = (Instant::now(), 0u64);
    while senders.iter().any(|s| !s.is_finished()) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let done = sent.load(Ordering::Relaxed).min(total);
        if done >= next || done == total {
            let (rss, fds) = sample(pid);
            let rate = (done - last.1) as f64 / last.0.elapsed().as_secs_f64();
            println!(
                "{done:>10}  {rss:>8.1}  {fds:>4}  {rate:>9.0}  {:>8.1}  {:>8.1}",
                mib(&database),
                mib(&wal)
            );
            last = (Instant::now(), done);
            next = done + total / 10;
            if done == total {
                break;
            }
        }
    }
    for sender in senders {
        runtime.block_on(sender).unwrap();
    }
    let (rss, fds) = sample(pid);
    println!(
        "done in {:.0} s ({:.0} req/s); at the end: RSS {rss:.1} MiB, {fds} fds",
        started.elapsed().as_secs_f64(),
        total as f64 / started.elapsed().as_secs_f64()
    );
}
