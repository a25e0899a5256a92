//! Helpers for end-to-end tests: a fresh data dir, the real `xvb` binary,
//! a running `xvb serve` whose output lines can be awaited, and raw replays.

pub mod notifications;
pub mod tray;
pub mod webdriver;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use xvb_core::pbx::sim::{Reply, Target};

/// The account number of the seed's captures.
pub const ACCESS_CODE: &str = "10019";
/// The contact name of the seed's example.
pub const KNOWN_CALLER: &str = "Вася/Рога и копыта";

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
            .env_remove("XVB_TOKEN")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `xvb ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("xvb runs")
    }

    /// Runs `xvb ARGS` with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
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

    /// Starts `xvb ARGS` and waits for a stdout line starting with `ready`.
    pub fn spawn(&self, args: &[&str], ready: &str) -> Served {
        let mut child = self
            .command(args)
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
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&logs);
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
        if ready.starts_with("listening on") || ready.starts_with("relay listening on") {
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
    logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
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

/// Runs a future on a fresh single-thread runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// A private D-Bus session bus (no service activation), optionally with an
/// unlocked gnome-keyring Secret Service on it. Both are stopped on drop.
pub struct DbusSession {
    dir: tempfile::TempDir,
    bus: Child,
    keyring: Option<Child>,
    /// `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl DbusSession {
    /// A bus with nothing on it.
    pub fn bare() -> DbusSession {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop/test-session-bus.conf");
        let (bus, address) = spawn_for_first_line(
            Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config.display()))
                .args(["--nofork", "--print-address=1"]),
            "dbus-daemon (Debian package dbus; `make test` installs it)",
        );
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        DbusSession {
            dir,
            bus,
            keyring: None,
            address,
        }
    }

    /// A bus with an unlocked gnome-keyring (password `pw`) serving org.freedesktop.secrets.
    pub fn with_keyring() -> DbusSession {
        let mut session = DbusSession::bare();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(session.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts (Debian package gnome-keyring; `make test` installs it)");
        use std::io::Write;
        let mut stdin = keyring.stdin.take().expect("piped");
        stdin.write_all(b"pw").unwrap();
        drop(stdin);
        session.keyring = Some(keyring);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !session.name_has_owner("org.freedesktop.secrets") {
            assert!(
                std::time::Instant::now() < deadline,
                "gnome-keyring did not appear on the bus"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        session
    }

    fn name_has_owner(&self, name: &str) -> bool {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .envs(self.env())
            .output()
            .expect("dbus-send runs");
        String::from_utf8_lossy(&out.stdout).contains("boolean true")
    }

    /// The environment a program needs to use this session (and a private HOME).
    pub fn env(&self) -> Vec<(String, String)> {
        let home = self.dir.path().join("home");
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), home.display().to_string()),
            (
                "XDG_DATA_HOME".into(),
                home.join(".local/share").display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".into(),
                self.dir.path().join("run").display().to_string(),
            ),
        ]
    }
}

impl Drop for DbusSession {
    fn drop(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// A stand-in PBX on a raw loopback socket: records each request's bytes and
/// answers every one with `reply` (or never answers, when `None`).
pub struct FakePbx {
    /// `http://127.0.0.1:PORT/crm`.
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakePbx {
    /// Starts it.
    pub fn start(reply: Option<&'static str>) -> FakePbx {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/crm", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let seen = std::sync::Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut raw = Vec::new();
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        raw.extend_from_slice(&buf[..n]);
                        if request_complete(&raw) {
                            break;
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&raw).into_owned());
                    match reply {
                        Some(reply) => {
                            let _ = stream.write_all(reply.as_bytes());
                        }
                        None => std::thread::sleep(Duration::from_secs(30)),
                    }
                });
            }
        });
        FakePbx { url, requests }
    }

    /// Every request received so far, as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn request_complete(raw: &[u8]) -> bool {
    if raw.first().is_some_and(|b| !b.is_ascii_uppercase()) {
        return true; // not HTTP (a TLS hello, say): answer at once
    }
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    raw.len() >= end + 4 + length
}

/// Runs a tool from Debian's packages (ffmpeg, sox, espeak-ng) and panics with
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

/// ffmpeg's G.722 encoder: `wav` to raw 64 kbit/s G.722 at `g722`.
pub fn ffmpeg_encode_g722(wav: &Path, g722: &Path) {
    let (wav, g722) = (wav.to_str().unwrap(), g722.to_str().unwrap());
    run_tool(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-i",
            wav,
            "-ar",
            "16000",
            "-ac",
            "1",
            "-c:a",
            "g722",
            "-f",
            "g722",
            g722,
        ],
    );
}

/// `seconds` of the signal sox synthesises from `synth` (e.g. `["sine", "300-3000"]`),
/// encoded by ffmpeg as the PBX stores recordings (raw 64 kbit/s G.722): the file's path in `dir`.
pub fn synth_g722(dir: &Path, seconds: u32, synth: &[&str]) -> PathBuf {
    let wav = dir.join("synth.wav");
    let g722 = dir.join("synth.g722");
    let length = seconds.to_string();
    let mut args = vec![
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        wav.to_str().unwrap(),
        "synth",
        &length,
    ];
    args.extend_from_slice(synth);
    run_tool("sox", &args);
    ffmpeg_encode_g722(&wav, &g722);
    g722
}

/// ffmpeg's G.722 decoder (the test oracle): raw `g722` to raw s16le at `out`,
/// the stream taken as `bits_per_codeword` 8, 7 or 6 (64, 56, 48 kbit/s).
pub fn ffmpeg_decode_g722(g722: &Path, out: &Path, bits_per_codeword: u8) {
    let (g722, out) = (g722.to_str().unwrap(), out.to_str().unwrap());
    run_tool(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-bits_per_codeword",
            &bits_per_codeword.to_string(),
            "-f",
            "g722",
            "-i",
            g722,
            "-f",
            "s16le",
            out,
        ],
    );
}

/// A virtual X display (Xvfb), stopped on drop.
pub struct Xvfb {
    child: Child,
    /// `:N`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display, 1280×800.
    pub fn start() -> Xvfb {
        let (child, number) = spawn_for_first_line(
            Command::new("Xvfb").args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ]),
            "Xvfb (Debian package xvfb; `make test` installs it)",
        );
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Stops a child politely (SIGTERM) and waits, so it can stop its own children.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Starts `command` and returns it with the first line it prints (an address, a display).
fn spawn_for_first_line(command: &mut Command, what: &str) -> (Child, String) {
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

/// What the server saw: request paths with their Range and Authorization headers.
pub type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A stand-in PBX web server on loopback serving `body` at every path (Range `bytes=N-`
/// honoured); with `stall_after`, sends that many bytes and then nothing.
pub fn serve_recording(
    body: Vec<u8>,
    stall_after: std::sync::Arc<std::sync::Mutex<Option<usize>>>,
) -> (u16, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = std::sync::Arc::default();
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let (body, log, stall) = (
                body.clone(),
                std::sync::Arc::clone(&log),
                *stall_after.lock().unwrap(),
            );
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n")
                    && std::io::Read::read(&mut stream, &mut byte).unwrap_or(0) == 1
                {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let range = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("range: bytes=")
                            .map(str::to_owned)
                    })
                    .map(|r| r.trim_end_matches('-').to_owned());
                let authorization = head.lines().find_map(|l| {
                    l.strip_prefix("authorization: ")
                        .or_else(|| l.strip_prefix("Authorization: "))
                        .map(str::to_owned)
                });
                log.lock()
                    .unwrap()
                    .push((path, range.clone(), authorization));
                let start: usize = range.and_then(|r| r.parse().ok()).unwrap_or(0);
                let part = &body[start.min(body.len())..];
                let status = if start > 0 {
                    "206 Partial Content"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    part.len()
                );
                match stall {
                    Some(n) => {
                        let _ = stream.write_all(&part[..n.min(part.len())]);
                        let _ = stream.flush();
                        std::thread::sleep(Duration::from_secs(30));
                    }
                    None => {
                        let _ = stream.write_all(part);
                    }
                }
            });
        }
    });
    (port, seen)
}

/// Stores `calls` answered incoming calls (60 s, with a record link) in the
/// database of the data dir `data`, as the listener would.
pub async fn seed_history(data: &Path, calls: usize) {
    let path = xvb_core::config::DataDir::resolve(Some(data.to_path_buf()))
        .unwrap()
        .database_path();
    let writer = xvb_core::store::Writer::start(&path).unwrap();
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                let call = xvb_core::pbx::sim::SimCall {
                    access_code: ACCESS_CODE.into(),
                    callid: format!("H{i:06}"),
                    phone: format!("7910{i:07}"),
                    ext: "101".into(),
                    line: Some("74950000000".into()),
                };
                for fields in [
                    call.incoming(),
                    call.completed("Success", 60, Some("https://pbx.invalid/r.g722")),
                ] {
                    writer
                        .record_event(
                            xvb_core::pbx::protocol::CallEvent::parse(fields).unwrap(),
                            None,
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// Joins the bus at `address` as `name`, serving `object` at `path` (a stand-in
/// desktop service for the app under test).
pub async fn serve_on_bus(
    address: &str,
    name: &'static str,
    path: &'static str,
    object: impl zbus::object_server::Interface,
) -> zbus::Connection {
    zbus::connection::Builder::address(address)
        .expect("bus address")
        .name(name)
        .expect("name")
        .serve_at(path, object)
        .expect("object")
        .build()
        .await
        .unwrap_or_else(|e| panic!("{name} joins the bus: {e}"))
}
