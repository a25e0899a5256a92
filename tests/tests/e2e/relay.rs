//! The team relay (`xvb relay serve`) with headless agents (`xvb serve --relay`),
//! all real processes on loopback: PBX captures in, every agent's decisions out,
//! a revoked join code refused, nothing lost across a killed relay and a killed
//! agent (sequence numbers checked end to end), dialing through the relay.

use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xvb_core::config::DataDir;
use xvb_core::reach::relay::{JoinCode, SqliteRelayStore};
use xvb_core::store::{Database, Writer};
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::pbx::{call_from_known_caller, fixture, hook_path, KNOWN_CALLER};
use xvb_e2e::process::block_on;

const TOKEN: &str = "relay t0ken";

/// A join code for `ext` on the relay at `port`.
fn join_code(relay: &Agent, port: u16, ext: &str) -> String {
    relay.relay_join_code(ext, &format!("http://127.0.0.1:{port}"))
}

pub(crate) fn start_agent(agent: &Agent, code: &str) -> Served {
    let mut served = agent.spawn(&["serve", "--relay", code], "relay: ");
    served.expect_line("relay: connected as extension");
    served
}

#[test]
fn both_agents_get_the_team_events_and_a_revoked_code_is_refused() {
    let (relay, port) = Agent::relay(Vec::new());
    relay.add_known_caller();
    let served = relay.serve_relay();
    let code_100 = join_code(&relay, port, "100");
    let code_101 = join_code(&relay, port, "101");
    let agent_100 = Agent::new("100");
    let agent_101 = Agent::new("101");
    let mut app_100 = start_agent(&agent_100, &code_100);
    let mut app_101 = start_agent(&agent_101, &code_101);

    // The PBX's captures, byte for byte, at the relay's one webhook URL.
    let contact = served.replay(&fixture("pbx/02-contact.http"));
    assert!(
        contact.body.contains(KNOWN_CALLER),
        "cmd=contact answered from the shared book: {}",
        contact.body
    );
    assert_eq!(served.replay(&fixture("pbx/01-incoming.http")).status, 200);
    let ring_100 = app_100.expect_line("RING ");
    let ring_101 = app_101.expect_line("RING ");
    for ring in [&ring_100, &ring_101] {
        assert!(
            ring.contains(KNOWN_CALLER) && ring.contains("responsible=100"),
            "the caller from the relay's shared book: {ring}"
        );
    }
    // 101 answers: 100's ring is withdrawn, 101 is in the call.
    served.post(&call_from_known_caller("DVzqd2I5zmRev0_vLvXV6vw", "101").answered());
    let answered = app_100.expect_line("ANSWERED_BY_");
    assert!(
        answered.starts_with("ANSWERED_BY_COLLEAGUE") && answered.contains("by=101"),
        "{answered}"
    );
    assert!(app_101
        .expect_line("ANSWERED_BY_")
        .starts_with("ANSWERED_BY_ME"));
    let status = relay.ok(&["relay", "status"]);
    assert!(status.contains("agents connected: 2 of 2"), "{status}");
    assert!(status.contains("events today: 2"), "{status}");

    // Revoked: the code is refused, and the relay lets the old connection go.
    relay.ok(&["relay", "agent", "revoke", "101"]);
    let other = Agent::new("101");
    let refused = other.run(&["serve", "--relay", &code_101]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert_eq!(
        said.matches("does not accept this join code").count(),
        1,
        "said once, in words: {said}"
    );
    assert!(said.contains("ask your admin for a new one"), "{said}");
    assert!(relay.ok(&["relay", "agent", "list"]).contains("revoked"));
}

#[test]
fn a_revoked_join_code_is_tried_once_and_said_once() {
    let (relay, port) = Agent::relay(vec![(
        "XVB_LOG".into(),
        "info,xvb_core::reach::relay::server=debug".into(),
    )]);
    let served = relay.serve_relay();
    let code = join_code(&relay, port, "101");
    let agent = Agent::new("101");
    let mut app = start_agent(&agent, &code);
    relay.ok(&["relay", "agent", "revoke", "101"]);
    // The relay closes the live connection; the agent tries once more, is
    // refused, says so and stops. Nothing more reaches the relay.
    let exited = Instant::now() + Duration::from_secs(10);
    while app.child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < exited,
            "xvb serve --relay ends on a refused code"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Backoff would have tried again within 0.5 + 1 + 2 s.
    std::thread::sleep(Duration::from_secs(3));
    let said = app.logs().join("\n");
    assert_eq!(
        said.matches("does not accept this join code").count(),
        1,
        "{said}"
    );
    let refusals = served
        .logs()
        .iter()
        .filter(|l| l.contains("token is unknown or revoked"))
        .count();
    assert_eq!(refusals, 1, "one attempt with the revoked code");
}

#[test]
fn an_agent_is_the_extension_its_join_code_names() {
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    let code_101 = join_code(&relay, port, "101");
    // One agent has no extension set on its computer, one has another.
    let unset = Agent::new("101");
    unset.ok(&["config", "set", "extension", ""]);
    let other = Agent::new("102");
    let mut app_unset = start_agent(&unset, &code_101);
    let mut app_other = other.spawn(&["serve", "--relay", &code_101], "relay: ");
    let connected = app_other.expect_line("relay: connected as extension 101");
    assert!(
        connected.contains("extension setting 102 is not used in relay mode"),
        "a conflicting local setting is reported: {connected}"
    );

    let call = call_from_known_caller("SELF-1", "101");
    served.post(&call.incoming());
    served.post(&call.answered());
    for app in [&mut app_unset, &mut app_other] {
        let answered = app.expect_line("ANSWERED_BY_");
        assert!(
            answered.starts_with("ANSWERED_BY_ME"),
            "101 answered, and this agent is 101: {answered}"
        );
    }
}

/// A relay, and agent 100 that joined it, saw one call ring (so it is not new
/// to the relay) and then went away (its process killed).
struct Away {
    relay: Agent,
    port: u16,
    served: Served,
    code: String,
    agent: Agent,
}

fn agent_gone_after_one_call() -> Away {
    let (relay, port) = Agent::relay(Vec::new());
    let served = relay.serve_relay();
    let code = join_code(&relay, port, "100");
    let agent = Agent::new("100");
    let mut app = start_agent(&agent, &code);
    served.post(&call_from_known_caller("BEFORE", "100").incoming());
    app.expect_line("RING ");
    app.kill();
    Away {
        relay,
        port,
        served,
        code,
        agent,
    }
}

#[test]
fn an_agent_back_from_away_is_told_once_and_rings_only_for_a_call_still_ringing() {
    let Away {
        served,
        code,
        agent,
        ..
    } = agent_gone_after_one_call();

    // Away: three calls nobody answered, two that 101 answered, one still ringing.
    for i in 0..3 {
        let call = call_from_known_caller(&format!("MISSED-{i}"), "100");
        served.post(&call.incoming());
        served.post(&call.completed("Missed", 0, None));
    }
    for i in 0..2 {
        let call = call_from_known_caller(&format!("ANSWERED-{i}"), "101");
        served.post(&call.incoming());
        served.post(&call.answered());
        served.post(&call.completed("Success", 30, None));
    }
    served.post(&call_from_known_caller("STILL-RINGING", "100").incoming());

    let mut app = start_agent(&agent, &code);
    let mut shown = Vec::new();
    while let Some(line) = app.next_line(Duration::from_secs(3)) {
        shown.push(line);
    }
    assert_eq!(
        shown.len(),
        2,
        "one summary and one ring, not a pop per event: {shown:#?}"
    );
    assert_eq!(shown[0], "AWAY calls=6 missed=3");
    assert!(
        shown[1].starts_with("RING ") && shown[1].contains("callid=STILL-RINGING"),
        "the call still ringing rings: {}",
        shown[1]
    );
    let calls = agent.history(&["--limit", "20"]);
    assert_eq!(calls.len(), 7, "history has every call, quietly");

    // Live calls pop as ever.
    served.post(&call_from_known_caller("AFTER", "100").incoming());
    assert!(app.expect_line("RING ").contains("callid=AFTER"));
}

/// How far an agent has stored the relay's stream, and its calls.
fn agent_progress(agent: &Agent) -> (i64, usize) {
    let db = Database::open(&agent.dir.path().join("xvb.sqlite3")).unwrap();
    (
        db.relay_position().unwrap(),
        agent.history(&["--limit", "1000"]).len(),
    )
}

fn wait_until_caught_up(agent: &Agent, head: i64, calls: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let progress = agent_progress(agent);
        if progress == (head, calls) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "agent stuck at {progress:?}, relay at {head} with {calls} calls"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn nothing_is_lost_across_a_killed_relay_and_a_killed_agent() {
    let (relay, port) = Agent::relay(Vec::new());
    let mut served = relay.serve_relay();
    let code_100 = join_code(&relay, port, "100");
    let code_101 = join_code(&relay, port, "101");
    let agent_100 = Agent::new("100");
    let agent_101 = Agent::new("101");
    let mut app_100 = start_agent(&agent_100, &code_100);
    let _app_101 = start_agent(&agent_101, &code_101);
    let burst = |served: &Served, from: usize| {
        for i in from..from + 10 {
            let c = call_from_known_caller(&format!("LOSS-{i:02}"), "101");
            served.post(&c.incoming());
            served.post(&c.completed("Success", 5, None));
        }
    };

    burst(&served, 0);
    // Agent 100 is killed; calls go on; then the relay is killed right after acknowledging.
    app_100.kill();
    burst(&served, 10);
    served.kill();
    served = relay.serve_relay();
    burst(&served, 20);
    let app_100 = start_agent(&agent_100, &code_100);

    // Every event the relay acknowledged reached both agents, in order: each
    // agent's stored position is the relay's newest sequence number, and each
    // has the 30 calls with both their events.
    let head = Database::open(&relay.dir.path().join("xvb.sqlite3"))
        .unwrap()
        .events_after(0, 10_000, true)
        .unwrap();
    assert_eq!(head.len(), 60, "the relay stored every event");
    let head = head.last().unwrap().seq;
    for agent in [&agent_100, &agent_101] {
        wait_until_caught_up(agent, head, 30);
        let calls = agent.history(&["--limit", "1000"]);
        assert!(
            calls.iter().all(|c| c["status"] == "Success"),
            "every call has its COMPLETED too"
        );
        let events = Database::open(&agent.dir.path().join("xvb.sqlite3"))
            .unwrap()
            .events_after(0, 10_000, true)
            .unwrap()
            .len();
        assert!(events >= 60, "{events} events stored");
    }
    drop(app_100);
}

#[test]
fn dialing_goes_through_the_relay_from_the_agents_own_extension() {
    let (relay, port) = Agent::relay(vec![("XVB_TOKEN".into(), TOKEN.into())]);
    let webhook = relay.ok(&["webhook-url"]).trim().to_owned();
    let mut pbx = relay.start_sim_pbx(&webhook, TOKEN);
    let _served = relay.serve_relay();
    let code_100 = join_code(&relay, port, "100");
    let agent_100 = Agent::new("100");

    let said = agent_100.ok(&["call", "+7 (920) 111-96-13", "--relay", &code_100]);
    assert!(said.contains("accepted"), "{said}");
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201119613"),
        "{make_call}"
    );

    // The protocol has no `from`: a crafted one is ignored, the agent's own is used.
    let code = JoinCode::parse(&code_100).unwrap();
    let reply = block_on(async {
        // An agent that did not ask for the team view (`team=false`) gets none.
        let mut request = code.agent_url(0, 0, false).into_client_request().unwrap();
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", code.token.expose()).parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let crafted = r#"{"t":"dial","id":7,"to":"89201112233","from":"101"}"#;
        socket.send(crafted.into()).await.unwrap();
        loop {
            let text = socket.next().await.unwrap().unwrap().into_text().unwrap();
            assert!(!text.contains(r#""t":"team""#), "unasked: {text}");
            if text.contains("\"dialed\"") {
                return text.to_string();
            }
        }
    });
    assert!(reply.contains("\"ok\":true"), "{reply}");
    let make_call = pbx.expect_line("makeCall ");
    assert!(
        make_call.starts_with("makeCall from=100 to=79201112233"),
        "{make_call}"
    );
    // And the CLI does not let an agent pick another extension through a relay.
    agent_100.fails(&["call", "101", "--relay", &code_100, "--from", "101"]);
}

#[test]
fn the_relay_serves_tls_itself_and_plain_http_only_on_loopback() {
    let (relay, port) = Agent::relay(Vec::new());
    let dir = relay.dir.path();
    // A company CA and the relay's certificate signed by it.
    let path = |name: &str| dir.join(name).display().to_string();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let openssl = |args: &[&str]| xvb_e2e::process::run_tool("openssl", args);
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-days",
                "2",
                "-subj",
                "/CN=Test CA",
                "-keyout",
                &path("ca.key"),
                "-out",
                &path("ca.pem"),
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"][..],
            &ec,
            &[
                "-subj",
                "/CN=localhost",
                "-keyout",
                &path("key.pem"),
                "-out",
                &path("relay.csr"),
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &path("relay.csr"),
        "-CA",
        &path("ca.pem"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &path("san.ext"),
        "-out",
        &path("cert.pem"),
    ]);
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let refused = relay.fails(&["relay", "serve", "--listen", &format!("0.0.0.0:{port}")]);
    assert!(refused.contains("refusing plain HTTP"), "{refused}");

    let served = relay.serve_relay_tls(&cert, &key);
    let listening = format!("relay listening on https://127.0.0.1:{port}");
    assert!(served.ready.starts_with(&listening), "{}", served.ready);
    let code = relay.relay_join_code("100", &format!("https://localhost:{port}"));
    assert!(code.starts_with("https://localhost:"), "{code}");

    // An agent that does not trust the certificate says why and keeps trying…
    let untrusting = Agent::new("100");
    let mut app = untrusting.spawn(&["serve", "--relay", &code], "relay: ");
    let line = app.expect_line("relay: reconnecting");
    assert!(line.to_lowercase().contains("certificate"), "{line}");
    // …one that does (the system's trust store, here SSL_CERT_FILE with the CA) connects over wss.
    let trusting = Agent::with_env("100", vec![("SSL_CERT_FILE".into(), path("ca.pem"))]);
    let mut app = trusting.spawn(&["serve", "--relay", &code], "relay: ");
    app.expect_line("relay: connected as extension 100");

    // The PBX's requests over https reach the relay (the simulator speaks TLS,
    // as *Send a test call* does for an https webhook URL), checked the same way.
    let webhook = relay.ok(&["webhook-url"]);
    let https_webhook = format!("https://localhost:{port}{}", hook_path(&webhook).trim());
    let refused = untrusting.fails(&["sim", "incoming", "--to", &https_webhook]);
    assert!(refused.contains("certificate"), "{refused}");
    trusting.ok(&["sim", "incoming", "--to", &https_webhook, "--ext", "100"]);
    app.expect_line("RING ");
}

#[test]
fn an_agent_away_longer_than_the_relay_keeps_events_is_told_what_it_missed() {
    let Away {
        relay,
        port,
        served,
        code,
        agent,
    } = agent_gone_after_one_call();

    // While the app is away, calls come in; then every event the relay holds is
    // dropped (by the pruning the relay runs hourly for those older than
    // relay_keep_days, here from this process on the relay's database).
    served.post(&call_from_known_caller("AWAY-1", "100").incoming());
    served.post(&call_from_known_caller("AWAY-2", "100").incoming());
    let data = DataDir::resolve(Some(relay.dir.path().to_path_buf())).unwrap();
    let pruned = block_on(async {
        Writer::start(&data.database_path())
            .unwrap()
            .prune(time::OffsetDateTime::now_utc() + time::Duration::seconds(1))
            .await
    })
    .unwrap();
    assert_eq!((pruned.journal_rows, pruned.calls), (3, 3));
    served.post(&call_from_known_caller("AFTER", "100").incoming());

    // Back: the app says what it missed, and goes on with what the relay keeps.
    let mut app = agent.spawn(&["serve", "--relay", &code], "relay: ");
    let connected = app.expect_line("relay: connected as extension 100");
    assert!(
        connected.contains("calls before") && connected.contains("missing from its history"),
        "{connected}"
    );
    app.expect_line("RING ");
    // It keeps saying so after a reconnect (until the app restarts).
    drop(served);
    app.expect_line("relay: reconnecting");
    let _restarted = relay.serve_relay();
    let reconnected = app.expect_line("relay: connected as extension 100");
    assert!(
        reconnected.contains("missing from its history"),
        "{reconnected}"
    );
    let calls: Vec<String> = agent
        .history(&[])
        .iter()
        .map(|c| c["callid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(calls, ["AFTER", "BEFORE"]);
    let head = SqliteRelayStore::open(&data).unwrap().kept().unwrap().head;
    wait_until_caught_up(&agent, head, 2);

    // A new agent has missed nothing: it starts with what the relay keeps.
    let newcomer = Agent::new("101");
    let mut new_app = newcomer.spawn(
        &["serve", "--relay", &join_code(&relay, port, "101")],
        "relay: ",
    );
    let connected = new_app.expect_line("relay: connected as extension 101");
    assert!(!connected.contains("missing"), "{connected}");
    wait_until_caught_up(&newcomer, head, 1);
    let status = relay.ok(&["relay", "status"]);
    assert!(
        status.contains("keeps 30 days of events") && status.contains("were dropped"),
        "{status}"
    );
}

#[test]
fn a_thousand_calls_reach_every_agent_once_through_relay_restarts_and_drops() {
    let (relay, port) = Agent::relay(Vec::new());
    let mut served = relay.serve_relay();
    let target = served.target();
    let agents: Vec<(Agent, String)> = ["100", "101", "102"]
        .into_iter()
        .map(|ext| (Agent::new(ext), join_code(&relay, port, ext)))
        .collect();
    let mut apps: Vec<Served> = agents
        .iter()
        .map(|(agent, code)| start_agent(agent, code))
        .collect();

    // The PBX: 1,000 calls of two events each, every request sent again
    // until the relay answers 200 (as the PBX retries while it is down).
    const CALLS: usize = 1_000;
    let sender = std::thread::spawn(move || {
        for i in 0..CALLS {
            let call = call_from_known_caller(&format!("BURST-{i:04}"), "101");
            for fields in [call.incoming(), call.completed("Success", 5, None)] {
                while !matches!(block_on(target.send(&fields, None)), Ok(r) if r.status == 200) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    });
    // Meanwhile: agents' connections dropped at random (the process killed
    // and started again), and the relay itself restarted once, mid-burst.
    let mut seed = Instant::now().elapsed().subsec_nanos() as u64 | 1;
    let mut random = move |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    for round in 0..8 {
        std::thread::sleep(Duration::from_millis(150 + random(400)));
        if round == 3 {
            served.kill();
            served = relay.serve_relay();
        }
        let which = random(agents.len() as u64) as usize;
        apps[which].kill();
        apps[which] = start_agent(&agents[which].0, &agents[which].1);
    }
    sender.join().unwrap();

    // Every agent has every event the relay stored, each exactly once, in order.
    let relay_events = Database::open(&relay.dir.path().join("xvb.sqlite3"))
        .unwrap()
        .events_after(0, 100_000, true)
        .unwrap();
    let head = relay_events.last().unwrap().seq;
    for (agent, _) in &agents {
        let deadline = Instant::now() + Duration::from_secs(60);
        while agent_progress(agent).0 != head {
            assert!(
                Instant::now() < deadline,
                "agent stuck at {:?}",
                agent_progress(agent)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let stored = Database::open(&agent.dir.path().join("xvb.sqlite3"))
            .unwrap()
            .events_after(0, 100_000, true)
            .unwrap();
        assert_eq!(
            stored.len(),
            relay_events.len(),
            "each relayed event stored once, none twice, none missing"
        );
        let calls = agent.history(&["--limit", "5000"]);
        assert_eq!(calls.len(), CALLS);
        assert!(calls.iter().all(|c| c["status"] == "Success"));
    }
    drop(apps);
}

#[test]
fn an_agent_starts_over_when_the_relay_database_is_restored_from_a_backup() {
    let (relay, port) = Agent::relay(Vec::new());
    let mut served = relay.serve_relay();
    let code = join_code(&relay, port, "100");
    let agent = Agent::new("100");
    let mut app = start_agent(&agent, &code);
    served.post(&call_from_known_caller("BEFORE-BACKUP", "101").incoming());
    app.expect_line("RING ");
    // The admin's backup (the database and its WAL, while idle), then calls it will not have.
    let backup = tempfile::tempdir().unwrap();
    for file in ["xvb.sqlite3", "xvb.sqlite3-wal"] {
        std::fs::copy(relay.dir.path().join(file), backup.path().join(file)).unwrap();
    }
    for i in 0..3 {
        served.post(&call_from_known_caller(&format!("LOST-{i}"), "101").incoming());
    }
    wait_until_caught_up(&agent, 4, 4);

    // The relay's disk dies; the backup comes back. Its numbering restarts
    // below the agent's position: resuming "after 4" would skip the next calls.
    served.kill();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(relay.dir.path().join(format!("xvb.sqlite3{suffix}")));
    }
    for file in ["xvb.sqlite3", "xvb.sqlite3-wal"] {
        std::fs::copy(backup.path().join(file), relay.dir.path().join(file)).unwrap();
    }
    served = relay.serve_relay();
    app.expect_line("relay: connected as extension 100");
    served.post(&call_from_known_caller("AFTER-RESTORE", "101").incoming());
    let ring = app.expect_line("RING ");
    assert!(ring.contains("AFTER-RESTORE"), "{ring}");
    let calls: Vec<String> = agent
        .history(&[])
        .iter()
        .map(|c| c["callid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        calls.len(),
        5,
        "the agent keeps what it had and gets the new call: {calls:?}"
    );
}
