//! What anyone who can reach the listener or the relay can try: slow and idle
//! connections, a flood of them past the descriptor limit, oversized and
//! too many WebSocket messages and connections, a revoked agent that stays.

use futures_util::{SinkExt, StreamExt};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use xvb_core::reach::relay::JoinCode;
use xvb_e2e::agent::{testing_windows, xvb_bin, Agent, Served};
use xvb_e2e::pbx::call_from_known_caller;
use xvb_e2e::process::block_on;

/// The slow and idle clients, in Python (`tests/attack/slow_clients.py`).
fn slow_clients() -> Command {
    let mut python = Command::new("python3");
    python.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/attack/slow_clients.py"
    ));
    python
}

/// The port in a URL printed by `xvb`.
fn port_of(url: &str) -> u16 {
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next());
    let port = authority.and_then(|a| a.rsplit(':').next());
    port.and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// Seconds until the server at `port` closed a client stalling in `mode`.
fn stall(port: u16, mode: &str, tls: bool) -> std::thread::JoinHandle<(String, String)> {
    let mode = mode.to_owned();
    std::thread::spawn(move || {
        let mut command = slow_clients();
        command.args(["stall", &port.to_string(), &mode]);
        if tls {
            command.arg("--tls");
        }
        let out = command.output().expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (mode, String::from_utf8_lossy(&out.stdout).trim().to_owned())
    })
}

/// Every stalling client was closed within 15 s.
fn assert_all_closed(stalls: Vec<std::thread::JoinHandle<(String, String)>>, server: &str) {
    for stall in stalls {
        let (mode, closed_after) = stall.join().unwrap();
        let seconds: f64 = closed_after.parse().unwrap_or_else(|_| {
            panic!("{server}: a client stalling in its {mode} was never closed ({closed_after})")
        });
        assert!(
            seconds <= 15.0,
            "{server}: a client stalling in its {mode} was closed only after {seconds} s"
        );
    }
}

#[test]
fn slow_clients_are_closed_on_the_listener_and_the_relay() {
    let agent = Agent::new("100");
    let listener = agent.serve();
    let (relay, relay_port) = Agent::relay(Vec::new());
    let _relay = relay.serve_relay();
    let listener_port = port_of(&listener.webhook);
    let mut stalls = Vec::new();
    for mode in ["headers", "body"] {
        stalls.push(stall(listener_port, mode, false));
        stalls.push(stall(relay_port, mode, false));
    }
    assert_all_closed(stalls, "listener or relay");
}

#[test]
fn slow_clients_are_closed_on_a_tls_relay() {
    let (relay, port) = Agent::relay(Vec::new());
    let dir = relay.dir.path();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    xvb_e2e::process::run_tool(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
        ],
    );
    let _served = relay.serve_relay_tls(&cert, &key);
    let stalls = ["handshake", "headers", "body"]
        .into_iter()
        .map(|mode| stall(port, mode, true))
        .collect();
    assert_all_closed(stalls, "TLS relay");
}

/// `xvb serve` with at most 1,024 descriptors, soft and hard (so it cannot
/// raise its own limit past them).
fn serve_with_1024_descriptors(agent: &Agent) -> Served {
    let xvb = agent.command(&["serve"]);
    let mut limited = Command::new("prlimit");
    limited
        .arg("--nofile=1024:1024")
        .arg(xvb_bin())
        .arg("serve");
    for (key, value) in xvb.get_envs() {
        match value {
            Some(value) => limited.env(key, value),
            None => limited.env_remove(key),
        };
    }
    let mut served = Served::start(limited, "listening on http://");
    served.webhook = agent.unmasked(&served.webhook);
    served
}

#[test]
fn idle_connections_past_the_descriptor_limit_do_not_keep_the_pbx_out() {
    if testing_windows() {
        return; // A descriptor limit is a Unix thing.
    }
    let agent = Agent::new("100");
    let served = serve_with_1024_descriptors(&agent);
    let port = port_of(&served.webhook);
    let mut holder = slow_clients()
        .args(["hold", &port.to_string(), "1500", "20"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut held = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut held,
    )
    .unwrap();
    assert_eq!(held.trim(), "held 1500", "the idle connections opened");
    // The PBX posts while 1,500 connections sit idle: each webhook gets in at once.
    let mut slowest = Duration::ZERO;
    for n in 0..20 {
        let started = Instant::now();
        served.post(&call_from_known_caller(&format!("idle-flood-{n}"), "100").incoming());
        slowest = slowest.max(started.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(3),
        "a webhook waited {slowest:?} behind idle connections"
    );
    let calls = agent.history(&[]);
    assert_eq!(calls.len(), 20, "every webhook stored");
    let _ = holder.kill();
    let _ = holder.wait();
}

/// Opens the relay's agent WebSocket with `code`'s token.
async fn connect(
    code: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let code = JoinCode::parse(code).unwrap();
    let mut request = code.agent_url(0, 0, true).into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", code.token.expose()).parse().unwrap(),
    );
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// Reads until the relay closes the socket; its close code and reason, and how long it took.
async fn until_closed(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> (Option<(CloseCode, String)>, Instant) {
    let read = async {
        while let Some(message) = socket.next().await {
            match message {
                Ok(Message::Close(frame)) => {
                    return frame.map(|f| (f.code, f.reason.to_string()));
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    };
    let closed = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the relay closed the socket within 30 s");
    (closed, Instant::now())
}

#[test]
fn the_relay_bounds_each_agents_websocket() {
    let (relay, port) = Agent::relay(Vec::new());
    let _served = relay.serve_relay();
    let code = relay.relay_join_code("100", &format!("http://127.0.0.1:{port}"));
    let other = relay.relay_join_code("101", &format!("http://127.0.0.1:{port}"));
    block_on(async {
        // A message past 64 KiB: closed with 1009, the relay's memory untouched.
        let mut socket = connect(&code).await.unwrap();
        let huge = format!(
            r#"{{"t":"note","id":1,"note":{{"callid":"x","text":"{}"}}}}"#,
            "a".repeat(70_000)
        );
        socket.send(Message::text(huge)).await.unwrap();
        let (closed, _) = until_closed(&mut socket).await;
        let (code_sent, reason) = closed.expect("a close frame");
        assert_eq!(code_sent, CloseCode::Size, "{reason}");

        // Four connections per agent; the fifth is refused with the reason.
        let mut open = Vec::new();
        for _ in 0..4 {
            open.push(connect(&other).await.expect("within the cap"));
        }
        match connect(&other).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 429);
                let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default());
                assert!(body.contains("already has 4 connections"), "{body}");
            }
            other => panic!("a fifth connection: {:?}", other.map(|_| "accepted")),
        }

        // Claims past the rate: refused with how long to wait, each answered.
        let socket = &mut open[0];
        for id in 0..30 {
            let claim = format!(r#"{{"t":"claim","id":{id},"phone":"+7 916 000-00-{id:02}"}}"#);
            socket.send(Message::text(claim)).await.unwrap();
        }
        let mut refused = 0;
        let mut answered = 0;
        let answers = async {
            while answered < 30 {
                let text = socket.next().await.unwrap().unwrap().into_text().unwrap();
                if text.contains(r#""t":"replied""#) {
                    answered += 1;
                    if text.contains("too many requests, wait") {
                        refused += 1;
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), answers)
            .await
            .expect("every claim answered");
        assert!(
            (5..=15).contains(&refused),
            "20 at once, then refused: {refused} of 30"
        );
    });
}

#[test]
fn a_revoked_agent_is_let_go_within_a_second() {
    let (relay, port) = Agent::relay(Vec::new());
    let _served = relay.serve_relay();
    let code = relay.relay_join_code("100", &format!("http://127.0.0.1:{port}"));
    block_on(async {
        let mut socket = connect(&code).await.unwrap();
        let revoked = {
            relay.ok(&["relay", "agent", "revoke", "100"]);
            Instant::now()
        };
        let (closed, at) = until_closed(&mut socket).await;
        let (code_sent, reason) = closed.expect("a close frame");
        assert_eq!(code_sent, CloseCode::Policy);
        assert!(reason.contains("revoked"), "{reason}");
        let waited = at - revoked;
        assert!(waited < Duration::from_secs(1), "let go after {waited:?}");
    });
}

/// Sends `notes` (JSON drafts) on `socket` at once; the relay's answers, in order of ids.
async fn send_notes(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    notes: &[String],
) -> Vec<serde_json::Value> {
    for (id, note) in notes.iter().enumerate() {
        let message = format!(r#"{{"t":"note","id":{id},"note":{note}}}"#);
        socket.send(Message::text(message)).await.unwrap();
    }
    let mut answers = vec![serde_json::Value::Null; notes.len()];
    let mut left = notes.len();
    let read = async {
        while left > 0 {
            let Message::Text(text) = socket.next().await.unwrap().unwrap() else {
                continue;
            };
            let message: serde_json::Value = serde_json::from_str(&text).unwrap();
            if message["t"] == "replied" {
                let id = message["id"].as_u64().unwrap() as usize;
                answers[id] = message;
                left -= 1;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("every note answered within a minute");
    answers
}

#[test]
fn a_note_flood_never_slows_the_pbx_and_stops_at_each_calls_limits() {
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    const AGENTS: usize = 8;
    let codes: Vec<String> = (0..AGENTS)
        .map(|i| relay.relay_join_code(&format!("1{i:02}"), &format!("http://127.0.0.1:{port}")))
        .collect();
    for i in 0..AGENTS {
        served.post(&call_from_known_caller(&format!("FLOOD-{i}"), "100").incoming());
    }
    let text = "ж".repeat(2048); // 4,096 bytes
    let flood = std::thread::spawn(move || {
        block_on(async {
            let mut floods = Vec::new();
            for (i, code) in codes.iter().enumerate() {
                let mut socket = connect(code).await.unwrap();
                // 21 notes of 4 KB on the agent's own call, at once: past the call's
                // 64 KiB and past the agent's rate.
                let notes: Vec<String> = (0..21)
                    .map(|_| format!(r#"{{"callid":"FLOOD-{i}","text":"{text}"}}"#))
                    .collect();
                floods.push(tokio::spawn(async move {
                    send_notes(&mut socket, &notes).await
                }));
            }
            let mut answers = Vec::new();
            for flood in floods {
                answers.push(flood.await.unwrap());
            }
            answers
        })
    });
    // The PBX posts all the while: no webhook waits behind the notes.
    let mut slowest = Duration::ZERO;
    let mut posted = 0;
    while !flood.is_finished() || posted < 10 {
        let started = Instant::now();
        served.post(&call_from_known_caller(&format!("DURING-{posted}"), "100").incoming());
        slowest = slowest.max(started.elapsed());
        posted += 1;
    }
    let answers = flood.join().unwrap();
    assert!(
        slowest < Duration::from_secs(1),
        "a webhook waited {slowest:?} behind the agents' notes ({posted} posted)"
    );
    for answers in answers {
        let stored = answers.iter().filter(|a| a["ok"] == true).count();
        assert_eq!(
            stored, 16,
            "16 notes of 4 KB fill a call's 64 KiB: {answers:?}"
        );
        let reasons: Vec<&str> = answers
            .iter()
            .filter(|a| a["ok"] == false)
            .map(|a| a["message"].as_str().unwrap())
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("64 KiB")),
            "the call's limit said: {reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("too many requests, wait")),
            "the agent's rate said: {reasons:?}"
        );
    }
}

#[test]
fn a_colleagues_note_cannot_be_rewritten_nor_carry_escapes() {
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    served.post(&call_from_known_caller("NOTED", "100").incoming());
    let url = format!("http://127.0.0.1:{port}");
    let (author, colleague) = (
        relay.relay_join_code("100", &url),
        relay.relay_join_code("101", &url),
    );
    block_on(async {
        let mut socket = connect(&author).await.unwrap();
        let written = send_notes(
            &mut socket,
            &[r#"{"callid":"NOTED","text":"promised the invoice"}"#.into()],
        )
        .await;
        assert_eq!(written[0]["ok"], true, "{written:?}");
        let id = written[0]["message"].as_str().unwrap();

        let mut other = connect(&colleague).await.unwrap();
        let edit = format!(r#"{{"id":"{id}","callid":"NOTED","text":"refund approved"}}"#);
        let escape =
            r#"{"callid":"NOTED","text":"\u001b]8;;https://evil\u0007click\u001b]8;;\u0007"}"#;
        let answers = send_notes(&mut other, &[edit, escape.into()]).await;
        assert_eq!(answers[0]["ok"], false);
        assert!(
            answers[0]["message"]
                .as_str()
                .unwrap()
                .contains("only 100 can change this note"),
            "{answers:?}"
        );
        assert_eq!(answers[1]["ok"], false);
        assert!(
            answers[1]["message"]
                .as_str()
                .unwrap()
                .contains("control character"),
            "{answers:?}"
        );
    });
    // What the relay keeps is the author's words.
    let shown = relay.ok(&["history", "--json"]);
    assert!(
        shown.contains("promised the invoice") && !shown.contains("refund approved"),
        "{shown}"
    );
}

#[test]
fn on_postgresql_every_node_lets_a_revoked_agent_go_and_streams_a_removed_note() {
    let pg = xvb_e2e::postgres::PgCluster::start();
    let (first, port_1) = Agent::relay_node(&pg.url(), None, Vec::new());
    let (second, port_2) = Agent::relay_node(&pg.url(), Some(&first), Vec::new());
    let served = [first.serve_relay(), second.serve_relay()];
    let code = first.relay_join_code("100", &format!("http://127.0.0.1:{port_1}"));
    let on_second = code.replace(&port_1.to_string(), &port_2.to_string());
    served[0].post(&call_from_known_caller("NOTED", "100").incoming());
    block_on(async {
        let mut sockets = [
            connect(&code).await.unwrap(),
            connect(&on_second).await.unwrap(),
        ];
        // A note removed on the first node's command line: the second node streams the removal.
        let note = r#"{"callid":"NOTED","text":"call me at home"}"#.to_owned();
        let written = send_notes(&mut sockets[0], &[note]).await;
        let id = written[0]["message"].as_str().unwrap().to_owned();
        first.ok(&["relay", "note", "remove", &id]);
        let removal = async {
            loop {
                if let Some(Ok(Message::Text(text))) = sockets[1].next().await {
                    if text.contains(&id) && text.contains(r#"\"removed\":true"#) {
                        return;
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(5), removal)
            .await
            .expect("the removal streamed by the other node");
        // Revoked on the first node's command line: the second node lets go too.
        first.ok(&["relay", "agent", "revoke", "100"]);
        let revoked = Instant::now();
        for socket in &mut sockets {
            let (closed, at) = until_closed(socket).await;
            let (code_sent, reason) = closed.expect("a close frame");
            assert_eq!(code_sent, CloseCode::Policy, "{reason}");
            let waited = at - revoked;
            assert!(waited < Duration::from_secs(1), "let go after {waited:?}");
        }
    });
}

/// Waits (up to 10 s) until `agent`'s history of call `callid` satisfies `done`.
fn wait_for_notes(agent: &Agent, callid: &str, done: impl Fn(&[serde_json::Value]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let calls = agent.history(&[]);
        let notes = calls
            .iter()
            .find(|c| c["callid"] == callid)
            .and_then(|c| c["notes"].as_array().cloned())
            .unwrap_or_default();
        if done(&notes) {
            return;
        }
        assert!(Instant::now() < deadline, "{callid}'s notes now: {notes:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_relay_admin_removes_a_note_from_every_agent() {
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    served.post(&call_from_known_caller("NOTED", "100").incoming());
    let code = relay.relay_join_code("100", &format!("http://127.0.0.1:{port}"));
    let agent = Agent::new("100");
    let mut app = agent.spawn(&["serve", "--relay", &code], "relay: ");
    app.expect_line("relay: connected as extension");
    let written = block_on(async {
        let mut socket = connect(&code).await.unwrap();
        send_notes(
            &mut socket,
            &[r#"{"callid":"NOTED","text":"call me at home"}"#.into()],
        )
        .await
    });
    let id = written[0]["message"].as_str().unwrap().to_owned();
    wait_for_notes(&agent, "NOTED", |notes| notes.len() == 1);

    let refused = relay.fails(&["relay", "note", "remove", "no-such-note"]);
    assert!(
        refused.contains("there is no note no-such-note"),
        "{refused}"
    );
    let said = relay.ok(&["relay", "note", "remove", &id]);
    assert!(said.contains("removed within a second"), "{said}");
    wait_for_notes(&agent, "NOTED", <[_]>::is_empty);
    wait_for_notes(&relay, "NOTED", <[_]>::is_empty);
}
