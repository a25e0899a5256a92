//! The team relay as a cluster: several `xvb relay serve` nodes sharing one
//! PostgreSQL database (a private cluster each test starts), agents connected
//! to different nodes, the PBX posting to any of them.

use std::time::{Duration, Instant};
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::Target;
use xvb_core::store::Database;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::haproxy::Balancer;
use xvb_e2e::pbx::{call_from_known_caller, fixture, KNOWN_CALLER};
use xvb_e2e::postgres::PgCluster;
use xvb_e2e::process::block_on;

/// A relay node on `pg`: the first one's config (same account and webhook
/// secret, as an admin copies it to each node) on its own port.
fn node(pg: &PgCluster, first: Option<&Agent>) -> (Agent, u16) {
    Agent::relay_node(&pg.url(), first, Vec::new())
}

/// Two running nodes on the database at `url` and agent 100 connected to node `on`.
struct TwoNodes {
    nodes: [Agent; 2],
    served: [Served; 2],
    agent: Agent,
    app: Served,
}

fn two_nodes_and_an_agent(url: &str, on: usize) -> TwoNodes {
    let (first, port_1) = Agent::relay_node(url, None, Vec::new());
    let (second, port_2) = Agent::relay_node(url, Some(&first), Vec::new());
    let served = [first.serve_relay(), second.serve_relay()];
    let nodes = [first, second];
    let port = [port_1, port_2][on];
    let code = nodes[on].relay_join_code("100", &format!("http://127.0.0.1:{port}"));
    let agent = Agent::new("100");
    let app = start_agent(&agent, &code);
    TwoNodes {
        nodes,
        served,
        agent,
        app,
    }
}

fn start_agent(agent: &Agent, code: &str) -> Served {
    let mut served = agent.spawn(&["serve", "--relay", code], "relay: ");
    served.expect_line("relay: connected as extension");
    served
}

/// Waits until the agent stored everything up to `head`, with `calls` calls all completed.
fn wait_until_caught_up(agent: &Agent, head: i64, calls: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let position = Database::open(&agent.dir.path().join("xvb.sqlite3"))
            .unwrap()
            .relay_position()
            .unwrap();
        let history = agent.history(&["--limit", "1000"]);
        let completed = history.iter().filter(|c| c["status"] == "Success").count();
        if position == head && history.len() == calls && completed == calls {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "agent at {position} with {} calls ({completed} completed); the stream at {head} with {calls}",
            history.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn agents_on_two_nodes_get_every_event_once_whichever_node_the_pbx_posts_to() {
    let pg = PgCluster::start();
    let (node_1, port_1) = node(&pg, None);
    let (node_2, port_2) = node(&pg, Some(&node_1));
    let served_1 = node_1.serve_relay();
    let served_2 = node_2.serve_relay();
    assert_eq!(
        served_1
            .webhook
            .replace(&port_1.to_string(), &port_2.to_string()),
        served_2.webhook,
        "one webhook URL behind a balancer"
    );
    // Agents are added on either node: the cluster knows them all.
    let code_100 = node_1.relay_join_code("100", &format!("http://127.0.0.1:{port_1}"));
    let code_101 = node_2.relay_join_code("101", &format!("http://127.0.0.1:{port_2}"));
    let (agent_100, agent_101) = (Agent::new("100"), Agent::new("101"));
    let mut app_100 = start_agent(&agent_100, &code_100);
    let mut app_101 = start_agent(&agent_101, &code_101);

    for i in 0..20usize {
        let served = if i.is_multiple_of(2) {
            &served_1
        } else {
            &served_2
        };
        let call = call_from_known_caller(&format!("CLUSTER-{i:02}"), "101");
        served.post(&call.incoming());
        served.post(&call.completed("Success", 5, None));
    }
    // A PBX retry of a stored event (the node died before answering) is not stored again.
    served_2.post(&call_from_known_caller("CLUSTER-00", "101").incoming());

    // Dense and in commit order: 40 events numbered 1..=40.
    assert_eq!(
        pg.sql("SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) FROM relay_events"),
        "40 1 40"
    );
    assert_eq!(pg.sql("SELECT last_seq FROM relay_head"), "40");
    for agent in [&agent_100, &agent_101] {
        wait_until_caught_up(agent, 40, 20);
    }
    // Both agents rang for the first call, whichever node they are on.
    assert!(app_100.expect_line("RING ").contains("CLUSTER-00"));
    assert!(app_101.expect_line("RING ").contains("CLUSTER-00"));
    let status = node_2.ok(&["relay", "status"]);
    assert!(status.contains("agents connected: 2 of 2"), "{status}");
    let nodes: Vec<&str> = status.lines().filter(|l| l.starts_with("node ")).collect();
    assert_eq!(nodes.len(), 2, "{status}");
    assert!(
        nodes
            .iter()
            .all(|n| n.contains(": alive, 1 agent(s), last PBX request 20")),
        "{status}"
    );
}

/// Posts as the PBX does: a request that got no 200 (the node died, the
/// balancer had no node) is sent again until one is stored. How many retries it took.
fn post_until_stored(webhook: &str, fields: &Fields) -> usize {
    let target = Target::parse(webhook).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut retries = 0;
    loop {
        match block_on(target.send(fields, None)) {
            Ok(reply) if reply.status == 200 => return retries,
            _ => {
                assert!(Instant::now() < deadline, "never stored");
                retries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

#[test]
fn a_node_killed_under_load_loses_nothing_and_its_agents_resume_elsewhere() {
    let pg = PgCluster::start();
    let (first, port_1) = node(&pg, None);
    let (second, port_2) = node(&pg, Some(&first));
    let (third, port_3) = node(&pg, Some(&first));
    let _served_1 = first.serve_relay();
    let mut served_2 = second.serve_relay();
    let _served_3 = third.serve_relay();
    let balancer = Balancer::start(&[port_1, port_2, port_3]);
    let webhook = _served_1.webhook.replace(
        &format!("127.0.0.1:{port_1}"),
        &format!("127.0.0.1:{}", balancer.port),
    );

    // Agents reach the relay through the balancer only: one URL for all.
    let agents: Vec<Agent> = ["100", "101", "102"]
        .iter()
        .map(|e| Agent::new(e))
        .collect();
    let _apps: Vec<Served> = agents
        .iter()
        .zip(["100", "101", "102"])
        .map(|(agent, ext)| {
            let code = first.relay_join_code(ext, &balancer.url());
            start_agent(agent, &code)
        })
        .collect();

    let mut retries = 0;
    for i in 0..60 {
        if i == 20 {
            served_2.kill();
        }
        let call = call_from_known_caller(&format!("KILL-{i:02}"), "101");
        retries += post_until_stored(&webhook, &call.incoming());
        retries += post_until_stored(&webhook, &call.completed("Success", 5, None));
    }
    eprintln!("{retries} requests were retried after the node died");

    // Every acknowledged event stored once, numbered densely, and every agent
    // (those of the dead node reconnected to another) has them all, in order.
    assert_eq!(
        pg.sql("SELECT count(*) || ' ' || max(seq) FROM relay_events"),
        "120 120"
    );
    for agent in &agents {
        wait_until_caught_up(agent, 120, 60);
    }
}

#[test]
fn an_event_committed_late_is_never_overtaken() {
    let pg = PgCluster::start();
    let (quick, _) = node(&pg, None);
    let hold = vec![("XVB_RELAY_HOLD_COMMIT_MS".to_owned(), "1500".to_owned())];
    let (slow, _) = Agent::relay_node(&pg.url(), Some(&quick), hold);
    let quick_served = quick.serve_relay();
    let slow_served = slow.serve_relay();
    let code = quick.relay_join_code(
        "100",
        &quick_served.webhook[..quick_served.webhook.find("/hook").unwrap()],
    );
    let agent = Agent::new("100");
    let _app = start_agent(&agent, &code);

    // The slow node takes the head row and holds its commit; the quick node's
    // events, posted meanwhile, wait for it and come after it in the stream.
    let held = std::thread::spawn(move || {
        slow_served.post(&call_from_known_caller("HELD", "101").incoming());
        slow_served
    });
    std::thread::sleep(Duration::from_millis(300));
    let posted = Instant::now();
    quick_served.post(&call_from_known_caller("QUICK-0", "101").incoming());
    assert!(
        posted.elapsed() > Duration::from_millis(600),
        "the quick node waited for the held commit (the hook works)"
    );
    for i in 1..5 {
        quick_served.post(&call_from_known_caller(&format!("QUICK-{i}"), "101").incoming());
    }
    let _slow_served = held.join().unwrap();
    assert_eq!(
        pg.sql("SELECT string_agg(callid, ' ' ORDER BY seq) FROM relay_events"),
        "HELD QUICK-0 QUICK-1 QUICK-2 QUICK-3 QUICK-4"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while agent.history(&[]).len() < 6 {
        assert!(
            Instant::now() < deadline,
            "the agent never got all six calls"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let position = Database::open(&agent.dir.path().join("xvb.sqlite3"))
        .unwrap()
        .relay_position()
        .unwrap();
    assert_eq!(position, 6, "in order, none skipped");
}

#[test]
fn a_dropped_listening_connection_delays_nothing_for_long() {
    let pg = PgCluster::start();
    let TwoNodes {
        served, mut app, ..
    } = two_nodes_and_an_agent(&pg.url(), 0);

    // Every node's LISTEN connection is cut; a call stored by the other node
    // still reaches the agent (the tailer polls), and the listeners come back.
    let cut = pg.sql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN relay'",
    );
    assert_eq!(cut, "2");
    served[1].post(&call_from_known_caller("AFTER-CUT", "101").incoming());
    assert!(app.expect_line("RING ").contains("AFTER-CUT"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while pg.sql("SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN relay'") != "2" {
        assert!(Instant::now() < deadline, "the nodes did not listen again");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_failed_primary_loses_no_acknowledged_event() {
    let primary = PgCluster::start();
    let standby = PgCluster::standby_of(&primary);
    // Both servers in one string: nodes find whichever takes writes.
    let url = format!(
        "postgresql://postgres@127.0.0.1:{},127.0.0.1:{}/postgres?target_session_attrs=read-write&connect_timeout=2",
        primary.port, standby.port
    );
    let TwoNodes {
        nodes,
        served,
        agent,
        app: _app,
    } = two_nodes_and_an_agent(&url, 0);
    let post = |i: usize| {
        let served = &served[i % 2];
        let call = call_from_known_caller(&format!("FAILOVER-{i:02}"), "101");
        post_until_stored(&served.webhook, &call.incoming());
        post_until_stored(&served.webhook, &call.completed("Success", 5, None));
    };
    for i in 0..10 {
        post(i);
    }
    let status = nodes[0].ok(&["relay", "status"]);
    assert!(
        status.contains("database standby: standby (sync, replay lag"),
        "{status}"
    );
    let (status, said) = health(&served[1]);
    assert!(status == 200 && said == "ready\n", "{said}");
    // The primary dies; every commit acknowledged so far is on the synchronous standby.
    primary.kill();
    // The balancer is told at once that the nodes have lost their database…
    let deadline = Instant::now() + Duration::from_secs(5);
    while health(&served[1]).0 != 503 {
        assert!(
            Instant::now() < deadline,
            "a node without its database still says it is ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(health(&served[0])
        .1
        .contains("not reading the relay's database"));
    standby.promote();
    for i in 10..20 {
        post(i);
    }
    assert_eq!(
        standby.sql("SELECT count(*) || ' ' || max(seq) FROM relay_events"),
        "40 40"
    );
    wait_until_caught_up(&agent, 40, 20);
    // …and that they are back, once the standby took over.
    let (status, said) = health(&served[1]);
    assert!(status == 200 && said == "ready\n", "{said}");
}

/// A node's `GET /relay/health`: its status and body.
fn health(node: &Served) -> (u16, String) {
    let reply =
        node.send_raw(b"GET /relay/health HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n");
    (reply.status, reply.body)
}

#[test]
fn the_contact_book_is_shared_by_every_node() {
    let pg = PgCluster::start();
    let TwoNodes {
        nodes: [first, second],
        served: [served_1, served_2],
        mut app,
        ..
    } = two_nodes_and_an_agent(&pg.url(), 1);

    // Added on one node while both run: the other answers the PBX's look-up
    // with it (within a second) and its agents' pops name the caller.
    first.add_known_caller();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = served_2.replay(&fixture("pbx/02-contact.http"));
        if answer.body.contains(KNOWN_CALLER) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node 2 never knew the caller: {}",
            answer.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        served_1.replay(&fixture("pbx/01-incoming.http")).status,
        200
    );
    assert!(app.expect_line("RING ").contains(KNOWN_CALLER));
    assert!(second.ok(&["contacts", "list"]).contains(KNOWN_CALLER));
    second.ok(&["contacts", "remove", "+7 920 111-96-13"]);
    assert!(!first.ok(&["contacts", "list"]).contains(KNOWN_CALLER));
}

#[test]
fn a_single_relay_moves_into_postgresql_once() {
    let pg = PgCluster::start();
    let (node, _) = node(&pg, None);
    // A relay's file written by an earlier xvb: five events, a contact, agent 101.
    let old = tempfile::tempdir().unwrap();
    let file = old.path().join("xvb.sqlite3");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/db/written-before-the-layout-change.sqlite3"
        ),
        &file,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let moved = node.ok(&["relay", "import-sqlite", file]);
    assert!(
        moved.contains("moved 5 new event(s), 1 new agent(s) and 1 contact(s)"),
        "{moved}"
    );
    let again = node.ok(&["relay", "import-sqlite", file]);
    assert!(
        again.contains("moved 0 new event(s), 0 new agent(s)"),
        "{again}"
    );
    assert_eq!(pg.sql("SELECT count(*) FROM relay_events"), "5");
    assert_eq!(
        pg.sql("SELECT last_seq >= (SELECT max(seq) FROM relay_events) FROM relay_head"),
        "t",
        "new events are numbered after the imported ones"
    );
    assert!(node.ok(&["relay", "agent", "list"]).contains("101"));
    assert_eq!(node.ok(&["contacts", "list"]).lines().count(), 1);
    let calls = pg.sql("SELECT count(*) FROM relay_calls");
    assert_ne!(calls, "0", "the imported events' calls are merged");
}

#[test]
fn nodes_reach_postgresql_over_tls_checked_against_the_trust_store() {
    let pg = PgCluster::start_with_tls();
    let trust = vec![(
        "SSL_CERT_FILE".to_owned(),
        pg.certificate().to_str().unwrap().to_owned(),
    )];
    let url = format!("{}?sslmode=require", pg.url());
    let (node, port) = Agent::relay_node(&url, None, trust);
    let served = node.serve_relay();
    let code = node.relay_join_code("100", &format!("http://127.0.0.1:{port}"));
    let agent = Agent::new("100");
    let mut app = start_agent(&agent, &code);
    served.post(&call_from_known_caller("OVER-TLS", "101").incoming());
    assert!(app.expect_line("RING ").contains("OVER-TLS"));
    assert_ne!(
        pg.sql("SELECT count(*) FROM pg_stat_ssl WHERE ssl"),
        "0",
        "the node's connections use TLS"
    );
    // Without the certificate in its trust store a node refuses the server.
    let (untrusting, _) = Agent::relay_node(&url, None, Vec::new());
    let refused = untrusting.fails(&["relay", "status"]);
    assert!(refused.contains("PostgreSQL"), "{refused}");
}
