//! The `xvb` processes under test, as an agent (or a team relay) runs them:
//! a fresh data dir with its config ([`Agent`]), the commands run on it, and
//! a running `xvb serve` / `xvb relay serve` / `xvb sim pbx` whose output lines
//! can be awaited and to which raw requests can be replayed ([`Served`]).

use crate::pbx::{post_to_webhook, readdressed, ACCESS_CODE, KNOWN_CALLER};
use crate::process::{block_on, free_port};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::{Reply, Target};

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

/// Set by `make test-windows`: the Windows `xvb.exe` the suite runs instead, under Wine.
pub const WINDOWS_EXE_ENV: &str = "XVB_WINDOWS_EXE";

/// Whether this run tests the Windows build (under Wine) rather than the Linux one.
pub fn testing_windows() -> bool {
    std::env::var_os(WINDOWS_EXE_ENV).is_some()
}

/// How long a running `xvb` may take to print an expected line.
const LINE_WAIT: Duration = Duration::from_secs(10);

/// How many times longer to wait for `xvb` in the Windows leg: every start and
/// stop goes through Wine, and a stopped process is ended, not shut down.
pub fn wine_patience() -> u32 {
    if testing_windows() {
        3
    } else {
        1
    }
}

/// `xvb` as this run tests it: the Linux binary, or (the Windows leg) `wine64 xvb.exe`
/// in the `WINEPREFIX` the make target prepared. One suite, two targets.
pub fn xvb_command() -> Command {
    match std::env::var_os(WINDOWS_EXE_ENV) {
        Some(exe) => {
            let mut wine = Command::new(
                std::env::var_os("WINE").unwrap_or_else(|| "/usr/lib/wine/wine64".into()),
            );
            wine.arg(exe);
            wine
        }
        None => Command::new(xvb_bin()),
    }
}

/// An agent's data dir with its config, and the `xvb` commands run on it.
pub struct Agent {
    /// The temporary data dir (removed on drop).
    pub dir: tempfile::TempDir,
    /// Extra environment for every command (a private D-Bus session, say).
    pub env: Vec<(String, String)>,
}

impl Agent {
    /// A fresh data dir configured for account 10019, extension `ext`, on a free loopback port.
    pub fn new(ext: &str) -> Agent {
        Agent::with_env(ext, Vec::new())
    }

    /// Like [`Agent::new`], every command run with `env` added.
    pub fn with_env(ext: &str, env: Vec<(String, String)>) -> Agent {
        let agent = Agent {
            dir: tempfile::tempdir().expect("temp dir"),
            env,
        };
        agent.configure(ext);
        agent
    }

    /// Writes the config: account 10019, extension `ext`, a free loopback port
    /// (again, say, after a filesystem was mounted on the data dir).
    pub fn configure(&self, ext: &str) {
        self.ok(&["config", "set", "access_code", ACCESS_CODE]);
        self.ok(&["config", "set", "extension", ext]);
        self.ok(&["config", "set", "listen", "127.0.0.1:0"]);
    }

    /// Like [`Agent::with_env`], listening on a loopback port chosen now (returned):
    /// known before anything starts, and the same after a restart.
    pub fn with_known_port(ext: &str, env: Vec<(String, String)>) -> (Agent, u16) {
        let agent = Agent::with_env(ext, env);
        let port = free_port();
        agent.ok(&["config", "set", "listen", &format!("127.0.0.1:{port}")]);
        (agent, port)
    }

    /// A team relay's data dir (its own extension 900) on a loopback port chosen
    /// now (returned), so join codes can name it and a restart keeps its address.
    pub fn relay(env: Vec<(String, String)>) -> (Agent, u16) {
        Agent::with_known_port("900", env)
    }

    /// A relay node on the PostgreSQL database at `url`, on a loopback port chosen
    /// now (returned). The first node is configured; the others copy its config
    /// (same account and webhook secret, as an admin copies it to each node) and
    /// change only the port. Its commands run with `env` added.
    pub fn relay_node(
        url: &str,
        first: Option<&Agent>,
        env: Vec<(String, String)>,
    ) -> (Agent, u16) {
        let (node, port) = Agent::relay(env);
        match first {
            None => {
                node.ok(&["config", "set", "relay_database", url]);
            }
            Some(first) => {
                let config = std::fs::read_to_string(first.dir.path().join("config.toml")).unwrap();
                let listen = config
                    .lines()
                    .find(|l| l.starts_with("listen = "))
                    .unwrap()
                    .to_owned();
                let config = config.replace(&listen, &format!("listen = \"127.0.0.1:{port}\""));
                std::fs::write(node.dir.path().join("config.toml"), config).unwrap();
            }
        }
        (node, port)
    }

    /// A `Command` for `xvb ARGS` on this data dir (under Wine in the Windows leg).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = xvb_command();
        command
            .args(args)
            .env("XVB_DATA_DIR", self.dir.path())
            .env_remove("XVB_TOKEN")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Puts `key = "value"` into config.toml as it is, past `xvb config set`'s
    /// checks: a setting an older version accepted.
    pub fn write_setting(&self, key: &str, value: &str) {
        let path = self.dir.path().join("config.toml");
        let config = std::fs::read_to_string(&path).expect("config.toml");
        let kept: Vec<&str> = config
            .lines()
            .filter(|l| !l.starts_with(&format!("{key} = ")))
            .collect();
        let line = format!("{key} = {}", serde_json::Value::from(value));
        std::fs::write(&path, format!("{line}\n{}\n", kept.join("\n"))).expect("config.toml");
    }

    /// Runs `xvb ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("xvb runs");
        // Under load Wine now and then fails to start a process at all: status 1
        // and no output, where xvb itself always says why it failed. Once more.
        if testing_windows()
            && !out.status.success()
            && out.stdout.is_empty()
            && out.stderr.is_empty()
        {
            eprintln!("Wine did not start xvb.exe {args:?}; starting it once more");
            return self.command(args).output().expect("xvb runs");
        }
        out
    }

    /// `xvb ARGS`: whether it succeeded, and all it said (stdout, then stderr).
    pub fn attempt(&self, args: &[&str]) -> (bool, String) {
        let out = self.run(args);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    }

    /// Runs `xvb ARGS` with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xvb runs");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input.as_bytes())
            .expect("xvb reads its input");
        child.wait_with_output().expect("xvb ends")
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

    /// Runs `xvb ARGS`, panics if it succeeds, returns what it said on stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "xvb {args:?} should have failed: {stderr}"
        );
        stderr
    }

    /// `xvb history --json ARGS` parsed.
    pub fn history(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["history", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("history is JSON")
    }

    /// Adds the seed's caller: `Вася/Рога и копыта`, 79201119613, responsible 100.
    pub fn add_known_caller(&self) {
        self.ok(&[
            "contacts",
            "add",
            "--name",
            KNOWN_CALLER,
            "--phone",
            "+7 (920) 111-96-13",
            "--responsible",
            "100",
        ]);
    }

    /// Starts `xvb sim pbx` accepting `token` and playing calls back to `webhook`,
    /// and points this agent's `pbx_url` at it.
    pub fn start_sim_pbx(&self, webhook: &str, token: &str) -> Served {
        let pbx = self.spawn(
            &[
                "sim",
                "pbx",
                "--listen",
                "127.0.0.1:0",
                "--webhook",
                webhook,
                "--token",
                token,
            ],
            "PBX simulator listening on http://",
        );
        let url = pbx.ready.trim_start_matches("PBX simulator listening on ");
        self.ok(&["config", "set", "pbx_url", url]);
        pbx
    }

    /// On a relay's data dir: `xvb relay agent add --ext EXT --url URL`, the join code it prints.
    pub fn relay_join_code(&self, ext: &str, url: &str) -> String {
        let out = self.ok(&["relay", "agent", "add", "--ext", ext, "--url", url]);
        assert!(out.contains(&format!("(extension {ext}) added")), "{out}");
        out.lines().last().expect("a join code").to_owned()
    }

    /// Starts `xvb serve` and waits until it listens.
    pub fn serve(&self) -> Served {
        self.spawn(&["serve"], "listening on http://")
    }

    /// On a relay's data dir: starts `xvb relay serve` and waits until it listens.
    pub fn serve_relay(&self) -> Served {
        self.spawn(&["relay", "serve"], "relay listening on ")
    }

    /// On a relay's data dir: starts `xvb relay serve` over TLS with the PEM
    /// certificate chain `cert` and key `key`, and waits until it listens.
    pub fn serve_relay_tls(&self, cert: &std::path::Path, key: &std::path::Path) -> Served {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        self.spawn(
            &["relay", "serve", "--tls-cert", cert, "--tls-key", key],
            "relay listening on https://",
        )
    }

    /// Starts `xvb ARGS` and waits for a stdout line starting with `ready`; the
    /// webhook URL it printed (its secret hidden) made whole with this data dir's secret.
    pub fn spawn(&self, args: &[&str], ready: &str) -> Served {
        let mut served = Served::start(self.command(args), ready);
        if !served.webhook.is_empty() {
            served.webhook = self.unmasked(&served.webhook);
        }
        served
    }

    /// A webhook URL `serve` printed with its secret hidden (`…/hook/ab•••`), whole.
    pub fn unmasked(&self, printed: &str) -> String {
        let config = std::fs::read_to_string(self.dir.path().join("config.toml")).unwrap();
        let secret = config
            .lines()
            .find_map(|l| l.strip_prefix("webhook_secret = "))
            .expect("a webhook secret")
            .trim_matches('"');
        let base = &printed[..printed.find("/hook/").expect("a webhook path")];
        format!("{base}/hook/{secret}")
    }
}

impl Served {
    /// Starts `command` (an `xvb` or the app) and waits for a stdout line starting
    /// with `ready`; `xvb serve`'s `listening on http://…` line is followed by the
    /// webhook URL to post to.
    pub fn start(mut command: Command, ready: &str) -> Served {
        let mut child = command
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
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[xvb] {line}");
                kept.lock().unwrap().push(line);
            }
        });
        let mut served = Served {
            child,
            lines,
            webhook: String::new(),
            ready: String::new(),
            logs,
        };
        served.ready = served.expect_line(ready);
        if ready.starts_with("listening on http") || ready.starts_with("relay listening on") {
            let webhook = served.expect_line("webhook URL: ");
            served.webhook = webhook["webhook URL: ".len()..].to_owned();
        }
        served
    }
}

/// A running `xvb serve`, killed when dropped.
pub struct Served {
    /// The process.
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// The URL the PBX would post to (for `xvb serve`).
    pub webhook: String,
    /// The line that said the process was ready.
    pub ready: String,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Waits (up to 10 s) for a stdout line starting with `prefix`; earlier lines are skipped.
    pub fn expect_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + LINE_WAIT * wine_patience();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
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
        let request = readdressed(capture, &self.path());
        block_on(self.target().send_raw(request.as_bytes())).expect("reply")
    }

    /// Posts `fields` to the webhook as the PBX does, and asserts the answer is 200.
    pub fn post(&self, fields: &Fields) {
        block_on(post_to_webhook(&self.webhook, fields, None));
    }

    /// Sends raw bytes as they are.
    pub fn send_raw(&self, request: &[u8]) -> Reply {
        block_on(self.target().send_raw(request)).expect("reply")
    }

    /// Everything the process wrote to stderr (its logs) so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
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
