//! Helpers for end-to-end tests: a fresh data dir, the real `xvb` binary,
//! a running `xvb serve` whose output lines can be awaited, and raw replays.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use xvb_core::sim::{Reply, Target};

/// The account number of the seed's captures.
pub const ACCESS_CODE: &str = "10019";

/// The built `xvb` binary next to the test executable (`target/<profile>/xvb`).
pub fn xvb_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .ancestors()
        .find(|dir| dir.join("xvb").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no xvb binary above {}; run `cargo build --workspace --bins` first",
                exe.display()
            )
        });
    profile_dir.join("xvb")
}

/// A fixture of `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An agent's data dir with its config, and the `xvb` commands run on it.
pub struct Agent {
    /// The temporary data dir (removed on drop).
    pub dir: tempfile::TempDir,
}

impl Agent {
    /// A fresh data dir configured for account 10019, extension `ext`, on a free loopback port.
    pub fn new(ext: &str) -> Agent {
        let agent = Agent {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        agent.ok(&["config", "set", "access_code", ACCESS_CODE]);
        agent.ok(&["config", "set", "extension", ext]);
        agent.ok(&["config", "set", "listen", "127.0.0.1:0"]);
        agent
    }

    /// A `Command` for `xvb ARGS` on this data dir.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(xvb_bin());
        command
            .args(args)
            .env("XVB_DATA_DIR", self.dir.path())
            .env_remove("XVB_TOKEN");
        command
    }

    /// Runs `xvb ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("xvb runs")
    }

    /// Runs `xvb ARGS`, panics unless it succeeds, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "xvb {args:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// `xvb history --json ARGS` parsed.
    pub fn history(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["history", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("history is JSON")
    }

    /// Starts `xvb serve` and waits until it listens.
    pub fn serve(&self) -> Served {
        let mut child = self
            .command(&["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xvb serve starts");
        let (lines_tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[xvb serve] {line}");
            }
        });
        let mut served = Served {
            child,
            lines,
            webhook: String::new(),
        };
        let listening = served.expect_line("listening on http://");
        let webhook = served.expect_line("webhook URL: ");
        assert!(listening.len() > "listening on http://".len());
        served.webhook = webhook["webhook URL: ".len()..].to_owned();
        served
    }
}

/// A running `xvb serve`, killed when dropped.
pub struct Served {
    /// The process.
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// The URL the PBX would post to.
    pub webhook: String,
}

impl Served {
    /// Waits (up to 10 s) for a stdout line starting with `prefix`; earlier lines are skipped.
    pub fn expect_line(&mut self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => continue,
                Err(_) => panic!("xvb serve printed no line starting with {prefix:?}"),
            }
        }
    }

    /// The next stdout line within `wait`, if any.
    pub fn next_line(&mut self, wait: Duration) -> Option<String> {
        self.lines.recv_timeout(wait).ok()
    }

    /// The webhook as a simulator target.
    pub fn target(&self) -> Target {
        Target::parse(&self.webhook).expect("webhook URL parses")
    }

    /// The webhook path (`/hook/<secret>`).
    pub fn path(&self) -> String {
        let after_scheme = &self.webhook["http://".len()..];
        after_scheme[after_scheme.find('/').expect("a path")..].to_owned()
    }

    /// Replays a capture byte for byte, with its path replaced by ours.
    pub fn replay(&self, capture: &[u8]) -> Reply {
        let text = String::from_utf8(capture.to_vec()).expect("captures are text");
        let request = text.replacen("POST /crm-api ", &format!("POST {} ", self.path()), 1);
        block_on(self.target().send_raw(request.as_bytes())).expect("reply")
    }

    /// Sends raw bytes as they are.
    pub fn send_raw(&self, request: &[u8]) -> Reply {
        block_on(self.target().send_raw(request)).expect("reply")
    }

    /// Kills the process at once (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs a future on a fresh single-thread runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}
