//! Faults an agent's computer really has, survived by a real `xvb serve`: the
//! disk filling up while events arrive (a small tmpfs, mounted by the test —
//! the suite runs as root), another process holding the database's lock, and
//! a damaged database file.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::Agent;
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::process::{block_on, run_checked};

fn call(callid: &str) -> SimCall {
    SimCall {
        access_code: ACCESS_CODE.into(),
        callid: callid.into(),
        phone: "79201110000".into(),
        ext: "100".into(),
        line: None,
    }
}

/// A small tmpfs mounted on a directory, unmounted when dropped.
struct SmallDisk<'a>(&'a Path);

impl<'a> SmallDisk<'a> {
    fn mount(dir: &'a Path, size: &str) -> SmallDisk<'a> {
        run_checked(Command::new("mount").args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size}"),
            "tmpfs",
            &dir.display().to_string(),
        ]));
        SmallDisk(dir)
    }
}

impl SmallDisk<'_> {
    /// Makes the filesystem read-only, files and all.
    fn read_only(&self) {
        run_checked(Command::new("mount").args(["-o", "remount,ro"]).arg(self.0));
    }
}

impl Drop for SmallDisk<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0).status();
    }
}

/// The call ids the agent's journal holds.
fn journalled(agent: &Agent) -> Vec<String> {
    agent
        .ok(&["journal", "--limit", "100000"])
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter_map(|entry| {
            let fields = entry["fields"].as_array()?.clone();
            fields
                .iter()
                .find(|pair| pair[0] == "callid")
                .and_then(|pair| pair[1].as_str().map(str::to_owned))
        })
        .collect()
}

#[test]
fn a_full_disk_refuses_with_503_loses_nothing_acknowledged_and_recovers() {
    let agent = Agent::new("100");
    let data = agent.dir.path();
    let _disk = SmallDisk::mount(data, "1m");
    agent.configure("100");
    let served = agent.serve();
    let target = served.target();

    // Fill the disk but for a little room, then send until it refuses.
    let filler = data.join("filler");
    let free = fs_free(data);
    std::fs::write(&filler, vec![0u8; free.saturating_sub(96 * 1024) as usize]).unwrap();
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for i in 0..5_000 {
        let callid = format!("D{i}");
        let reply = block_on(target.send(&call(&callid).incoming(), None)).unwrap();
        match reply.status {
            200 => acknowledged.push(callid),
            503 => {
                refused = Some(reply.body);
                break;
            }
            other => panic!("{other} {}", reply.body),
        }
    }
    let refused = refused.expect("the full disk was noticed");
    assert!(
        refused.contains("nothing was recorded, send it again"),
        "{refused}"
    );
    assert!(!acknowledged.is_empty());

    // Room again: the listener takes events by itself, and kept every one it acknowledged.
    std::fs::remove_file(&filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = block_on(target.send(&call("AFTER").incoming(), None)).unwrap();
        if reply.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {}", reply.body);
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(served);
    let kept = journalled(&agent);
    for callid in &acknowledged {
        assert!(kept.contains(callid), "{callid} was acknowledged but lost");
    }
    assert!(kept.contains(&"AFTER".to_owned()));
}

/// Free bytes on the filesystem of `dir`.
fn fs_free(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_damaged_database_is_reported_and_left_alone() {
    let agent = Agent::new("100");
    let database = agent.dir.path().join("xvb.sqlite3");
    let garbage = b"this is not an SQLite database, and it must not be overwritten\n".repeat(100);
    std::fs::write(&database, &garbage).unwrap();
    for args in [&["serve"][..], &["history"][..]] {
        let error = agent.fails(args);
        assert!(
            error.contains(&database.display().to_string()),
            "names the file: {error}"
        );
        assert!(error.contains("move it aside"), "says what to do: {error}");
        assert!(!error.contains("panicked"), "no panic: {error}");
    }
    assert_eq!(std::fs::read(&database).unwrap(), garbage, "left as it was");
}

#[test]
fn a_database_another_process_locks_is_waited_for() {
    let agent = Agent::new("100");
    let served = agent.serve();
    let target = served.target();
    // Another program holds the write lock for a while, then lets go.
    let database = agent.dir.path().join("xvb.sqlite3");
    let holder = xvb_core::store::open(&database).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        holder.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    let reply = block_on(target.send(&call("LOCKED").incoming(), None)).unwrap();
    release.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "it waited for the lock"
    );
    drop(served);
    assert!(journalled(&agent).contains(&"LOCKED".to_owned()));
}

#[test]
fn a_read_only_data_dir_is_reported() {
    let agent = Agent::new("100");
    let data = agent.dir.path();
    let disk = SmallDisk::mount(data, "4m");
    agent.configure("100");
    agent.ok(&["history"]);
    disk.read_only();
    let error = agent.fails(&["serve"]);
    assert!(!error.contains("panicked"), "no panic: {error}");
    assert!(
        error.contains(&data.display().to_string()) && error.contains("writable"),
        "names the place and what to check: {error}"
    );
}
