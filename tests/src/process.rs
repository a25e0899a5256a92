//! Plumbing the stand-ins share: running a program that must succeed,
//! starting one and reading the first line it prints, stopping one politely,
//! a free loopback port to hand to one, and a runtime to wait on a future.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs a tool from Debian's packages (ffmpeg, sox, espeak-ng, openssl) and panics with
/// its error output unless it succeeds.
pub fn run_tool(program: &str, args: &[&str]) {
    run_checked(Command::new(program).args(args));
}

/// Runs `command` to its end and asserts it succeeded, showing its stderr if not.
pub fn run_checked(command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| {
        panic!(
            "{:?} runs (`make test` installs it): {e}",
            command.get_program()
        )
    });
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `command` and returns it with the first line it prints (an address, a display);
/// `what` names the program in the panic if it cannot start.
pub(crate) fn spawn_for_first_line(command: &mut Command, what: &str) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{what} printed nothing: {e}"));
    (child, line.trim().to_owned())
}

/// Stops a child politely (SIGTERM) and waits, so it can stop its own children;
/// kills it if it is still there after 5 s.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A port that was free a moment ago on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs a future on a fresh single-thread runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// A process's resident memory, KiB (0 once it is gone).
pub fn rss_kib(pid: u32) -> u64 {
    kib(&format!("/proc/{pid}/status"), "VmRSS:")
}

/// Milliseconds since `started` (a bench's run).
pub fn ms_since(started: std::time::Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// Prints `what`'s runs (milliseconds) as their median and maximum.
pub fn print_median_max(what: &str, runs: &mut [f64]) {
    runs.sort_by(f64::total_cmp);
    println!(
        "{what}: median {:.1} ms, max {:.1} ms ({} runs)",
        runs[runs.len() / 2],
        runs[runs.len() - 1],
        runs.len()
    );
}

/// A process and every process it started (an app's WebKit web and network processes).
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after_name.split(' ').nth(1).unwrap().parse().unwrap();
        parent_of.push((pid, ppid));
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parent_of
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree
}

/// A `/proc` file's field in KiB (`VmRSS:` of `status`, `Pss:` of `smaps_rollup`); 0 if gone.
pub fn kib(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The proportional set size of `root` and every process it started, in KiB.
pub fn tree_pss_kib(root: u32) -> u64 {
    process_tree(root)
        .iter()
        .map(|pid| kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:"))
        .sum()
}

/// The process running the program at `path` (the first found), if any.
pub fn pid_of(path: &std::path::Path) -> Option<u32> {
    let path = path.canonicalize().ok()?;
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
            (exe == path).then_some(pid)
        })
}
