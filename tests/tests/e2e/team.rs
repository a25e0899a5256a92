//! The team board and the shared missed-call queue on one SQLite relay, with
//! headless agents and the PBX's exact requests: board states through ring →
//! answer → complete, a queue call moving only the extension that answered, a
//! missed call queued and merged with the next miss, claims seen by everyone,
//! entries cleared by an answered call back (through `xvb sim pbx`) and by an
//! answered call in, and all of it kept across a relay restart — on one
//! SQLite relay, and on two PostgreSQL nodes with the PBX posting to either
//! and agents on both.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::SimCall;
use xvb_e2e::agent::{Agent, Served};
use xvb_e2e::pbx::ACCESS_CODE;
use xvb_e2e::postgres::PgCluster;

const TOKEN: &str = "team t0ken";

/// A call between `phone` and extension `ext`.
pub fn call(callid: &str, phone: &str, ext: &str) -> SimCall {
    SimCall {
        access_code: ACCESS_CODE.into(),
        callid: callid.into(),
        phone: phone.into(),
        ext: ext.into(),
        line: Some("74950000000".into()),
    }
}

/// An agent's `xvb` on its own data dir, in relay mode through `code`.
pub struct Cli {
    agent: Agent,
}

impl Cli {
    /// A command-line agent of extension `ext` using join code `code`.
    pub fn new(ext: &str, code: &str) -> Cli {
        Cli {
            agent: Agent::with_env(ext, vec![("XVB_RELAY".into(), code.into())]),
        }
    }

    /// The command-line agent of `ext`, one of `exts` whose join codes are `codes`.
    pub fn of(ext: &str, exts: &[&str], codes: &[String]) -> Cli {
        let at = exts
            .iter()
            .position(|e| *e == ext)
            .expect("one of the exts");
        Cli::new(ext, &codes[at])
    }

    /// `xvb ARGS`, which must succeed; its output.
    pub fn ok(&self, args: &[&str]) -> String {
        self.agent.ok(args)
    }

    /// `xvb ARGS`, which must fail; what it said.
    pub fn fails(&self, args: &[&str]) -> String {
        self.agent.fails(args)
    }
}

/// Runs `read` until its output contains every one of `wanted` (the relay
/// derives the view a moment after an event); the last output.
pub fn until(read: impl Fn() -> String, wanted: &[&str]) -> String {
    let started = Instant::now();
    loop {
        let out = read();
        if wanted.iter().all(|w| out.contains(w)) {
            return out;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never saw {wanted:?}; last:\n{out}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Starts a headless agent (`xvb serve --relay`) and waits until it is connected.
pub fn connect(ext: &str, code: &str) -> (Agent, Served) {
    let agent = Agent::new(ext);
    let mut served = agent.spawn(&["serve", "--relay", code], "relay: ");
    served.expect_line("relay: connected as extension");
    (agent, served)
}

/// The team's relay: one node, or the nodes of a cluster. The PBX posts to
/// each node in turn and boards are read from the node it did not post to
/// last, so every step crosses nodes on a cluster.
pub(crate) struct Relays {
    nodes: Vec<Agent>,
    ports: Vec<u16>,
    served: RefCell<Vec<Served>>,
    posted: Cell<usize>,
    /// The PBX simulator, which plays answered call-backs to the first node.
    _pbx: Served,
}

impl Relays {
    /// One SQLite relay.
    pub(crate) fn single() -> Relays {
        Relays::single_with(Vec::new())
    }

    /// One SQLite relay whose commands run with `env` added.
    pub(crate) fn single_with(env: Vec<(String, String)>) -> Relays {
        let (relay, port) = Agent::relay(token_env(env));
        let pbx = relay.start_sim_pbx(&webhook(&relay), TOKEN);
        Relays::start(vec![(relay, port)], pbx)
    }

    /// Two nodes sharing the PostgreSQL database at `url`.
    pub(crate) fn cluster(url: &str) -> Relays {
        Relays::cluster_with(url, Vec::new())
    }

    /// Two nodes sharing the PostgreSQL database at `url`, their commands run
    /// with `env` added.
    pub(crate) fn cluster_with(url: &str, env: Vec<(String, String)>) -> Relays {
        Relays::cluster_setup(url, env, |_, _| {})
    }

    /// Two nodes as [`Relays::cluster_with`], each set up by `setup` (its
    /// data dir, its index) before it starts.
    pub(crate) fn cluster_setup(
        url: &str,
        env: Vec<(String, String)>,
        setup: impl Fn(&Agent, usize),
    ) -> Relays {
        let first = Agent::relay_node(url, None, token_env(env.clone()));
        // The PBX's address goes into the first node's config before the second copies it.
        let pbx = first.0.start_sim_pbx(&webhook(&first.0), TOKEN);
        let second = Agent::relay_node(url, Some(&first.0), token_env(env));
        setup(&first.0, 0);
        setup(&second.0, 1);
        Relays::start(vec![first, second], pbx)
    }

    fn start(nodes: Vec<(Agent, u16)>, pbx: Served) -> Relays {
        let (nodes, ports): (Vec<Agent>, Vec<u16>) = nodes.into_iter().unzip();
        let served = RefCell::new(nodes.iter().map(Agent::serve_relay).collect());
        Relays {
            nodes,
            ports,
            served,
            posted: Cell::new(0),
            _pbx: pbx,
        }
    }

    /// A join code for `ext`, made on and pointing at node `n` (modulo the node count).
    pub(crate) fn join_code(&self, ext: &str, n: usize) -> String {
        let n = n % self.nodes.len();
        let url = format!("http://127.0.0.1:{}", self.ports[n]);
        self.nodes[n].relay_join_code(ext, &url)
    }

    /// A join code for each of `exts`, made on the nodes in turn.
    pub(crate) fn join_codes(&self, exts: &[&str]) -> Vec<String> {
        exts.iter()
            .enumerate()
            .map(|(n, ext)| self.join_code(ext, n))
            .collect()
    }

    /// Posts as the PBX does, to the next node.
    pub(crate) fn post(&self, fields: &Fields) {
        let turn = self.posted.get();
        self.posted.set(turn + 1);
        let served = self.served.borrow();
        served[turn % served.len()].post(fields);
    }

    /// `xvb relay ARGS` on a node the PBX did not post to last.
    pub(crate) fn relay(&self, args: &[&str]) -> String {
        self.node_now().ok(&relay_args(args))
    }

    /// `xvb ARGS` on a node the PBX did not post to last.
    pub(crate) fn node(&self, args: &[&str]) -> String {
        self.node_now().ok(args)
    }

    /// `xvb relay ARGS` as [`Relays::relay`], which must fail; what it said.
    pub(crate) fn relay_fails(&self, args: &[&str]) -> String {
        self.node_now().fails(&relay_args(args))
    }

    /// The node the PBX did not post to last.
    fn node_now(&self) -> &Agent {
        &self.nodes[self.posted.get() % self.nodes.len()]
    }

    /// Waits until every node logged a line containing `text`.
    pub(crate) fn wait_for_log(&self, text: &str) {
        let started = Instant::now();
        while !self
            .served
            .borrow()
            .iter()
            .all(|node| node.logs().iter().any(|line| line.contains(text)))
        {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "not every node logged {text:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops every node, checks the stored queue while none runs, starts them again.
    fn restart(&self, open_entries: usize) {
        self.served.borrow_mut().clear();
        let json: serde_json::Value =
            serde_json::from_str(&self.relay(&["missed", "--json"])).unwrap();
        assert_eq!(json.as_array().unwrap().len(), open_entries, "{json}");
        *self.served.borrow_mut() = self.nodes.iter().map(Agent::serve_relay).collect();
    }
}

/// `relay` followed by `args`.
fn relay_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut command = vec!["relay"];
    command.extend_from_slice(args);
    command
}

/// The PBX token for the relay's dials, and `more`.
fn token_env(mut more: Vec<(String, String)>) -> Vec<(String, String)> {
    more.push(("XVB_TOKEN".into(), TOKEN.into()));
    more
}

fn webhook(relay: &Agent) -> String {
    relay.ok(&["webhook-url"]).trim().to_owned()
}

#[test]
fn the_board_and_the_missed_queue_follow_the_pbx_and_survive_a_restart() {
    the_board_and_the_missed_queue_follow_the_pbx(Relays::single());
}

#[test]
fn the_board_and_the_missed_queue_are_one_across_a_postgresql_cluster() {
    let pg = PgCluster::start();
    the_board_and_the_missed_queue_follow_the_pbx(Relays::cluster(&pg.url()));
}

fn the_board_and_the_missed_queue_follow_the_pbx(relays: Relays) {
    let codes = relays.join_codes(&["101", "102", "103", "104"]);
    let _apps: Vec<_> = codes[..3]
        .iter()
        .zip(["101", "102", "103"])
        .map(|(code, ext)| connect(ext, code))
        .collect();
    let (cli_101, cli_102, cli_103) = (
        Cli::new("101", &codes[0]),
        Cli::new("102", &codes[1]),
        Cli::new("103", &codes[2]),
    );
    let board = || relays.relay(&["board"]);
    until(board, &["101 free", "102 free", "103 free", "104 offline"]);
    // The admin names an extension; every node's board carries the name.
    let said = relays.relay(&["agent", "name", "102", "Анна Петрова"]);
    assert!(said.contains("shown as \"Анна Петрова\""), "{said}");
    until(
        || relays.relay(&["board", "--json"]),
        &["\"name\": \"Анна Петрова\""],
    );

    // Ring → 102 answers → complete.
    let ring = call("BOARD-1", "74951234567", "102");
    relays.post(&ring.incoming());
    until(
        board,
        &[
            "101 ringing 74951234567",
            "102 ringing",
            "103 ringing",
            "104 ringing",
        ],
    );
    relays.post(&ring.answered());
    let talking = until(board, &["102 talking 74951234567", "101 free", "103 free"]);
    assert!(talking.contains("104 offline"), "{talking}");
    // An agent's `xvb board`, with the timer.
    until(
        || cli_101.ok(&["board"]),
        &["102 talking 74951234567 \"\" 00:00:0", "101 free"],
    );
    let json: serde_json::Value = serde_json::from_str(&cli_103.ok(&["board", "--json"])).unwrap();
    assert_eq!(json[1]["state"], "talking", "{json}");
    assert_eq!(json[0]["connected"], true, "{json}");
    assert_eq!(json[3]["connected"], false, "{json}");
    relays.post(&ring.completed("Success", 42, None));
    until(board, &["101 free", "102 free", "103 free"]);

    // A queue call answered by 101 moves only 101.
    let queued = call("BOARD-2", "74957654321", "101");
    relays.post(&queued.incoming());
    relays.post(&queued.answered());
    until(board, &["101 talking 74957654321", "102 free", "103 free"]);

    // A missed call enters the queue; the next miss from that number merges into it.
    let missed = || cli_101.ok(&["missed", "list"]);
    let first = call("MISS-1", "79161234567", "");
    relays.post(&first.incoming());
    relays.post(&first.completed("Missed", 0, None));
    until(missed, &["79161234567 \"\" missed 1× waiting 00:00:"]);
    let again = call("MISS-2", "89161234567", "");
    relays.post(&again.incoming());
    relays.post(&again.completed("Missed", 0, None));
    until(missed, &["89161234567 \"\" missed 2× waiting"]);

    // 102 claims it: everyone sees, nobody else can.
    let said = cli_102.ok(&["missed", "claim", "+7 (916) 123-45-67"]);
    assert!(said.contains("you are calling back"), "{said}");
    until(missed, &["missed 2× waiting", "102 is calling back"]);
    let refused = cli_103.fails(&["missed", "claim", "79161234567"]);
    assert!(refused.contains("102 is already calling back"), "{refused}");
    let refused = cli_103.fails(&["missed", "release", "79161234567"]);
    assert!(refused.contains("you have not claimed"), "{refused}");

    // 103 calls back through the relay; the PBX plays the answered call back.
    let said = cli_103.ok(&["call", "79161234567"]);
    assert!(said.contains("accepted"), "{said}");
    until(missed, &["cleared: 103 called back"]);

    // An answered call in clears another caller's entry.
    let lost = call("MISS-3", "79031112233", "");
    relays.post(&lost.incoming());
    relays.post(&lost.completed("Missed", 0, None));
    until(missed, &["79031112233 \"\" missed 1× waiting"]);
    let back_in = call("BACK-IN", "79031112233", "101");
    relays.post(&back_in.incoming());
    relays.post(&back_in.answered());
    until(
        missed,
        &["79031112233 \"\" missed 1× cleared: 101 called in"],
    );

    // A claimed entry and the board survive the relay's restart.
    let open = call("MISS-4", "79261112233", "");
    relays.post(&open.incoming());
    relays.post(&open.completed("Missed", 0, None));
    until(missed, &["79261112233"]);
    cli_101.ok(&["missed", "claim", "79261112233"]);
    cli_101.ok(&["missed", "release", "79261112233"]);
    cli_102.ok(&["missed", "claim", "79261112233"]);
    let before = until(
        missed,
        &["79261112233 \"\" missed 1× waiting", "102 is calling back"],
    );
    relays.restart(3);
    let after = until(missed, &["102 is calling back", "cleared: 103 called back"]);
    let lines = |out: &str| {
        out.lines()
            .map(|l| {
                l.split(" waiting")
                    .next()
                    .unwrap()
                    .split(" cleared")
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lines(&before),
        lines(&after),
        "the queue is the same after a restart"
    );
    // 101 is still on the newest call it answered.
    until(
        board,
        &["101 talking 79031112233", "102 free", "104 offline"],
    );
}
