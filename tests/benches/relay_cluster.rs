//! Relay cluster figures (`make bench`): three release `xvb relay serve` nodes
//! sharing one PostgreSQL (a private cluster on loopback, fsync on) behind
//! HAProxy, 5,000 agents as WebSocket clients in this process (the app's wire
//! protocol and reconnect schedule) and a book of 1M contacts — then the same
//! run against one node on SQLite, as a team runs it today. Measured: POST →
//! 200, POST → last agent, `cmd=contact` under that load, memory per agent,
//! and (cluster) a node killed: how long until its agents are back with
//! nothing lost or repeated; then (cluster) the same agents in 50 groups of
//! 100 plus 10 supervisors, each call reaching its group only, and how long a
//! membership change takes to reach every node. Everything shares the
//! machine's 2 cores.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xvb_core::config::{new_secret, DataDir};
use xvb_core::pbx::sim::{SimCall, Target};
use xvb_core::reach::relay::token_hash;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::book::fill_book;
use xvb_e2e::fleet::{
    percentiles, post_calls, post_calls_on, register_agents, start_agents, Pace, Watch,
};
use xvb_e2e::haproxy::Balancer;
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::postgres::PgCluster;
use xvb_e2e::process::rss_kib;

const AGENTS: usize = 5_000;
const CONTACTS: u32 = 1_000_000;
const SEQUENTIAL: usize = 100;
const BURST: usize = 50;
/// Calls posted around a node's death, one every [`KILL_PACE`].
const AROUND_KILL: usize = 100;
const KILL_PACE: Duration = Duration::from_millis(20);

/// A relay under test, however many nodes it has.
struct Relay {
    /// How it is printed.
    name: &'static str,
    /// The running nodes.
    nodes: Vec<Served>,
    /// Their data dirs (config, logs), kept while they run.
    _homes: Vec<Agent>,
    /// Where the PBX posts (the balancer, or the one node).
    webhook: Target,
    /// Where `cmd=contact` is measured: straight to a node, and through the balancer.
    lookups: Vec<(&'static str, Target)>,
    /// Each node's own webhook (to see it has the book).
    each_node: Vec<Target>,
    /// One join code per agent, naming the address agents use.
    codes: Vec<String>,
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "# relay cluster, release build, loopback, {} cores; {AGENTS} agents as WebSocket clients in the bench process, {CONTACTS} contacts",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    {
        let pg = PgCluster::start();
        let (mut relay, balancer) = cluster(&pg);
        memory(&relay).await;
        let started = Instant::now();
        fill_shared_book(&pg);
        wait_for_book(&relay).await;
        println!(
            "{CONTACTS} contacts written to PostgreSQL and loaded by every node in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        measure(&relay).await;
        by_groups(&relay, &pg).await;
        kill_a_node(&mut relay).await;
        drop(balancer);
    }
    let (relay, data) = single_sqlite_node();
    memory(&relay).await;
    // The book in the node's SQLite file (the running node reloads it).
    fill_book(&data.database_path(), CONTACTS);
    wait_for_book(&relay).await;
    measure(&relay).await;
}

/// Three nodes on `pg` behind HAProxy, the agents and contacts in the database.
fn cluster(pg: &PgCluster) -> (Relay, Balancer) {
    let (first, port) = Agent::relay_node(&pg.url(), None, Vec::new());
    // Agents come through HAProxy on loopback: one address for them all,
    // which the nodes must not cap as one client (the others copy this config).
    first.ok(&["config", "set", "relay_trusted_proxies", "127.0.0.1"]);
    let mut ports = vec![port];
    // The first node creates the schema; the agents go in before the others start.
    let mut nodes = vec![first.serve_relay()];
    let tokens: Vec<String> = (0..AGENTS).map(|_| new_secret()).collect();
    for (chunk, tokens) in tokens.chunks(500).enumerate() {
        let rows: Vec<String> = tokens
            .iter()
            .enumerate()
            .map(|(i, token)| format!("('{}', '{}')", 1000 + chunk * 500 + i, token_hash(token)))
            .collect();
        pg.sql(&format!(
            "INSERT INTO relay_agents (ext, token_hash) VALUES {}",
            rows.join(",")
        ));
    }
    let mut homes = vec![first];
    for _ in 1..3 {
        let (node, port) = Agent::relay_node(&pg.url(), Some(&homes[0]), Vec::new());
        nodes.push(node.serve_relay());
        ports.push(port);
        homes.push(node);
    }
    let balancer = Balancer::start(&ports);
    let path = nodes[0].path();
    let at = |port: u16| Target::parse(&format!("http://127.0.0.1:{port}{path}")).unwrap();
    let lookups = vec![
        ("straight to a node", at(ports[1])),
        ("through HAProxy", at(balancer.port)),
    ];
    let relay = Relay {
        name: "3 nodes on PostgreSQL behind HAProxy",
        nodes,
        _homes: homes,
        webhook: at(balancer.port),
        lookups,
        each_node: ports.iter().map(|p| at(*p)).collect(),
        codes: tokens
            .iter()
            .map(|t| format!("{}#{t}", balancer.url()))
            .collect(),
    };
    (relay, balancer)
}

/// One `xvb relay serve` on its SQLite file, as a team runs it today.
fn single_sqlite_node() -> (Relay, DataDir) {
    let (home, port) = Agent::relay(Vec::new());
    let data = DataDir::resolve(Some(home.dir.path().to_path_buf())).unwrap();
    let codes = register_agents(&data, port, AGENTS);
    let node = home.serve_relay();
    let webhook = node.target();
    let relay = Relay {
        name: "1 node on SQLite",
        nodes: vec![node],
        _homes: vec![home],
        webhook: webhook.clone(),
        lookups: vec![("straight to the node", webhook.clone())],
        each_node: vec![webhook],
        codes,
    };
    (relay, data)
}

/// The book of [`xvb_e2e::book`] in the cluster's database (every node reloads it).
fn fill_shared_book(pg: &PgCluster) {
    pg.sql(&format!(
        "INSERT INTO relay_contacts (id, name, responsible)
           SELECT i, 'Клиент ' || i, CASE WHEN i % 3 = 0 THEN (100 + i % 40)::text END
           FROM generate_series(0, {last}) i;
         INSERT INTO relay_contact_phones (phone_norm, contact_id, raw)
           SELECT '7910' || lpad(i::text, 7, '0'), i, '7910' || lpad(i::text, 7, '0')
           FROM generate_series(0, {last}) i;
         SELECT setval('relay_contacts_id_seq', {last});
         UPDATE relay_head SET contacts_rev = contacts_rev + 1",
        last = CONTACTS - 1
    ));
}

/// The PBX's `cmd=contact` for the `i`-th number of the book (as the PBX spells it: 8…).
fn lookup(i: u32) -> SimCall {
    SimCall {
        access_code: ACCESS_CODE.into(),
        callid: String::new(),
        phone: format!("8910{:07}", i % CONTACTS),
        ext: String::new(),
        line: None,
    }
}

/// Waits until every node of `relay` answers look-ups from the whole book.
async fn wait_for_book(relay: &Relay) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let fields = lookup(CONTACTS - 1).contact();
    for node in &relay.each_node {
        while !node
            .send(&fields, None)
            .await
            .is_ok_and(|r| r.body.contains("Клиент"))
        {
            assert!(Instant::now() < deadline, "the book never loaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// `12.3 + 45.6`: KiB as MB, one per node.
fn megabytes(kib: &[u64]) -> String {
    kib.iter()
        .map(|k| format!("{:.1}", *k as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn nodes_kib(relay: &Relay) -> Vec<u64> {
    relay.nodes.iter().map(|n| rss_kib(n.child.id())).collect()
}

/// Memory with no agents and with every agent connected (the book still
/// empty, so what loading it freed does not hide what the agents take).
async fn memory(relay: &Relay) {
    println!("\n## {}", relay.name);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = nodes_kib(relay);
    let watch = Arc::new(Watch::default());
    let started = Instant::now();
    let agents = start_agents(&relay.codes, 0, &watch, true).await;
    println!(
        "{AGENTS} agents connected in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = nodes_kib(relay);
    let added: u64 = connected.iter().sum::<u64>() - idle.iter().sum::<u64>();
    println!(
        "memory (RSS, MB per node): {} idle, {} with the agents = {:.1} KB per agent",
        megabytes(&idle),
        megabytes(&connected),
        added as f64 / AGENTS as f64
    );
    drop(agents);
}

/// Agents connect; calls one at a time, then a burst, with `cmd=contact`
/// look-ups going on meanwhile.
async fn measure(relay: &Relay) {
    let watch = Arc::new(Watch::default());
    let agents = start_agents(&relay.codes, 0, &watch, true).await;
    let with_book = nodes_kib(relay);
    println!(
        "memory with the book (RSS, MB per node): {}",
        megabytes(&with_book)
    );
    let stop = Arc::new(AtomicBool::new(false));
    let lookups = tokio::spawn(look_up_until(relay.lookups.clone(), Arc::clone(&stop)));
    let one_by_one = post_calls(
        &relay.webhook,
        &watch,
        "SEQ",
        SEQUENTIAL,
        Pace::Delivered(AGENTS),
    )
    .await;
    percentiles(
        "POST → 200, one call at a time",
        &watch.answer_times(&one_by_one),
    );
    percentiles(
        &format!("POST → last of {AGENTS} agents, one call at a time"),
        &watch.fan_out(&one_by_one),
    );
    let burst = post_calls(&relay.webhook, &watch, "BURST", BURST, Pace::AtOnce).await;
    watch.wait_for(&burst, AGENTS).await;
    percentiles(
        &format!("POST → 200, a burst of {BURST} at once"),
        &watch.answer_times(&burst),
    );
    percentiles(
        &format!("POST → last of {AGENTS} agents, a burst of {BURST} at once"),
        &watch.fan_out(&burst),
    );
    stop.store(true, Ordering::SeqCst);
    for (label, ms) in lookups.await.unwrap() {
        percentiles(&format!("cmd=contact under that load, {label}"), &ms);
    }
    assert!(
        watch.each_exactly(&one_by_one, AGENTS) && watch.each_exactly(&burst, AGENTS),
        "an agent lost or repeated a call"
    );
    drop(agents);
}

/// Groups of this many agents (extensions 1000…): the call centre the groups issue names.
const GROUP_SIZE: usize = 100;
/// Supervisors: the first of the last group, whose line gets no calls, so
/// each call reaches exactly its group and them.
const SUPERVISORS: usize = 10;

/// The line of group `g`.
fn group_line(g: usize) -> String {
    format!("7495100{g:04}")
}

/// Waits until every node logged `the groups changed` `times` times; how long.
async fn groups_applied(relay: &Relay, times: usize) -> Duration {
    let started = Instant::now();
    while !relay.nodes.iter().all(|node| {
        node.logs()
            .iter()
            .filter(|l| l.contains("the groups changed"))
            .count()
            >= times
    }) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "groups never applied"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

/// The same agents in 50 groups of 100 (10 of them supervisors): each call
/// goes to its group and the supervisors only. POST → last of them, beside the
/// company-wide run above; and how long a membership change takes to reach
/// every node.
async fn by_groups(relay: &Relay, pg: &PgCluster) {
    let groups = AGENTS / GROUP_SIZE;
    let mut sql = String::new();
    for g in 0..groups {
        let members: Vec<String> = (0..GROUP_SIZE)
            .map(|i| format!("('g{g}', '{}', now())", 1000 + g * GROUP_SIZE + i))
            .collect();
        sql += &format!(
            "INSERT INTO relay_groups (name) VALUES ('g{g}');
             INSERT INTO relay_group_lines (line, group_name) VALUES ('{}', 'g{g}');
             INSERT INTO relay_group_members (group_name, ext, added_at) VALUES {};",
            group_line(g),
            members.join(",")
        );
    }
    let last = 1000 + (groups - 1) * GROUP_SIZE;
    for s in 0..SUPERVISORS {
        sql += &format!(
            "INSERT INTO relay_roles (ext, role) VALUES ('{}', 'supervisor');",
            last + s
        );
    }
    // One transaction: a node reads the groups whole or not at all.
    pg.sql(&format!("BEGIN; {sql} COMMIT;"));
    groups_applied(relay, 1).await;
    let audience = GROUP_SIZE + SUPERVISORS;
    let watch = Arc::new(Watch::default());
    // The agents resume where the stream is: the run above's calls are not sent again.
    let head: i64 = pg
        .sql("SELECT last_seq FROM relay_head WHERE id = 1")
        .trim()
        .parse()
        .unwrap();
    let agents = start_agents(&relay.codes, head, &watch, true).await;
    // Calls go round the groups but the supervisors' own.
    let line = |i: usize| Some(group_line(i % (groups - 1)));
    let one_by_one = post_calls_on(
        &relay.webhook,
        &watch,
        "GROUP",
        SEQUENTIAL,
        Pace::Delivered(audience),
        line,
    )
    .await;
    percentiles(
        &format!("groups: POST → last of its group's {GROUP_SIZE} and {SUPERVISORS} supervisors, one call at a time"),
        &watch.fan_out(&one_by_one),
    );
    let burst = post_calls_on(&relay.webhook, &watch, "GBURST", BURST, Pace::AtOnce, line).await;
    watch.wait_for(&burst, audience).await;
    percentiles(
        &format!("groups: POST → last of {audience}, a burst of {BURST} at once"),
        &watch.fan_out(&burst),
    );
    // Nothing past the audience arrives a moment later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        watch.each_exactly(&one_by_one, audience) && watch.each_exactly(&burst, audience),
        "a call reached someone outside its group, or was lost or repeated"
    );
    pg.sql("INSERT INTO relay_group_members (group_name, ext) VALUES ('g0', '1100')");
    let applied = groups_applied(relay, 2).await;
    println!(
        "groups: a membership change reached all {} nodes in {:.0} ms (each reads the groups every second)",
        relay.nodes.len(),
        applied.as_secs_f64() * 1e3
    );
    drop(agents);
}

/// Look-ups one after another, taking turns among `targets`, until `stop`;
/// each target's latencies (ms, sorted).
async fn look_up_until(
    targets: Vec<(&'static str, Target)>,
    stop: Arc<AtomicBool>,
) -> Vec<(&'static str, Vec<f64>)> {
    let mut times: HashMap<&'static str, Vec<f64>> = HashMap::new();
    let mut i = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let (label, target) = &targets[i as usize % targets.len()];
        let request = target.request_bytes(&lookup(i.wrapping_mul(7919)).contact(), None);
        let sent = Instant::now();
        let reply = target.send_raw(&request).await.unwrap();
        times
            .entry(label)
            .or_default()
            .push(sent.elapsed().as_secs_f64() * 1e3);
        assert!(reply.body.contains("Клиент"), "{}", reply.body);
        i += 1;
        // About 200 look-ups a second, as a busy PBX sends them.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    targets
        .iter()
        .map(|(label, _)| {
            let mut ms = times.remove(label).unwrap_or_default();
            ms.sort_by(f64::total_cmp);
            (*label, ms)
        })
        .collect()
}

/// Calls go on (one every [`KILL_PACE`]) while one node is killed with -9:
/// its agents come back through the balancer on the others, and every agent
/// has every call exactly once.
async fn kill_a_node(relay: &mut Relay) {
    let watch = Arc::new(Watch::default());
    let agents = start_agents(&relay.codes, 0, &watch, true).await;
    let posting = {
        let (webhook, watch) = (relay.webhook.clone(), Arc::clone(&watch));
        tokio::spawn(async move {
            post_calls(
                &webhook,
                &watch,
                "KILL",
                AROUND_KILL,
                Pace::Every(KILL_PACE),
            )
            .await
        })
    };
    tokio::time::sleep(KILL_PACE * (AROUND_KILL as u32) / 4).await;
    let killed = Instant::now();
    relay.nodes[0].kill();
    let calls = posting.await.unwrap();
    watch.wait_for(&calls, AGENTS).await;
    let everything = killed.elapsed();
    let dropped = watch.dropped();
    let resumed = watch.resumed();
    assert_eq!(resumed.len(), dropped, "every dropped agent came back");
    let last_back = resumed.iter().max().map(|t| t.duration_since(killed));
    println!(
        "a node killed (-9) with {dropped} agents on it: all back on the other nodes {:.2} s after (the app's reconnect wait: 0.25–0.75 s), every agent had all {AROUND_KILL} calls posted around it {:.2} s after; {} connection attempts refused on the way; {} POSTs retried; every call exactly once: {}",
        last_back.unwrap_or_default().as_secs_f64(),
        everything.as_secs_f64(),
        watch.refused(),
        watch.retried(),
        watch.each_exactly(&calls, AGENTS)
    );
    percentiles(
        "POST → 200 around the kill (retries included)",
        &watch.answer_times(&calls),
    );
    assert!(
        watch.each_exactly(&calls, AGENTS),
        "an agent lost or repeated a call"
    );
    drop(agents);
}
