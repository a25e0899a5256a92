//! Many agents at once for the relay benches: each a WebSocket client in the
//! bench process speaking the app's wire protocol and reconnecting on the
//! app's schedule, the PBX's calls posted to a webhook (retried until
//! answered, as the PBX does), and the figures taken from what arrived when.
//!
//! Agents read lightly (the relay is what is measured, and the clients share
//! its cores): a few fields are cut out of each message, not parsed.

use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use xvb_core::config::{new_secret, DataDir};
use xvb_core::pbx::sim::{SimCall, Target};
use xvb_core::reach::relay::{token_hash, JoinCode, SqliteRelayStore};

use crate::pbx::call_from_known_caller;

/// The app's first wait before reconnecting (it doubles, to 30 s, jittered ±50 %).
const FIRST_WAIT: Duration = Duration::from_millis(500);
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// How long a POST is retried before the bench gives up on the relay.
const RETRY_FOR: Duration = Duration::from_secs(30);

/// What the agents and the PBX saw: per call id when its POST started, when it
/// was answered 200 and when each agent got it; agents' drops and returns.
#[derive(Default)]
pub struct Watch {
    calls: Mutex<HashMap<String, Delivery>>,
    dropped: AtomicUsize,
    resumed: Mutex<Vec<Instant>>,
    refused: AtomicUsize,
    retried: AtomicUsize,
}

#[derive(Default)]
struct Delivery {
    posted: Option<Instant>,
    answered: Option<Instant>,
    received: Vec<Instant>,
}

impl Watch {
    /// Streams that ended under an agent (its relay node went away).
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }

    /// When each agent was back after a drop (its hello), in arrival order.
    pub fn resumed(&self) -> Vec<Instant> {
        self.resumed.lock().unwrap().clone()
    }

    /// Agents' connection attempts that failed (each then waited longer).
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// POSTs that got no 200 and were sent again.
    pub fn retried(&self) -> usize {
        self.retried.load(Ordering::SeqCst)
    }

    /// Whether each of `callids` reached exactly `agents` agents (none lost, none repeated).
    pub fn each_exactly(&self, callids: &[String], agents: usize) -> bool {
        let calls = self.calls.lock().unwrap();
        callids
            .iter()
            .all(|c| calls.get(c).is_some_and(|d| d.received.len() == agents))
    }

    /// Waits until each of `callids` reached `agents` agents; how long that took.
    pub async fn wait_for(&self, callids: &[String], agents: usize) -> Duration {
        let start = Instant::now();
        loop {
            let done = {
                let calls = self.calls.lock().unwrap();
                callids
                    .iter()
                    .all(|c| calls.get(c).is_some_and(|d| d.received.len() >= agents))
            };
            if done {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "events never reached every agent"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Milliseconds from each call's POST to its last agent, sorted.
    pub fn fan_out(&self, callids: &[String]) -> Vec<f64> {
        self.since_posted(callids, |d| d.received.iter().max().copied())
    }

    /// Milliseconds from each call's POST to its 200, sorted.
    pub fn answer_times(&self, callids: &[String]) -> Vec<f64> {
        self.since_posted(callids, |d| d.answered)
    }

    fn since_posted(
        &self,
        callids: &[String],
        moment: impl Fn(&Delivery) -> Option<Instant>,
    ) -> Vec<f64> {
        let calls = self.calls.lock().unwrap();
        let mut ms: Vec<f64> = callids
            .iter()
            .map(|c| {
                let d = &calls[c];
                let then = moment(d).expect("it happened");
                then.duration_since(d.posted.expect("posted")).as_secs_f64() * 1e3
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        ms
    }

    fn note(&self, callid: &str, what: impl FnOnce(&mut Delivery)) {
        what(
            self.calls
                .lock()
                .unwrap()
                .entry(callid.to_owned())
                .or_default(),
        );
    }
}

/// Agent number `index` with its join `code`: streams events after `after`,
/// waits on `connected` after its first hello, records every event's arrival
/// in `watch`, and when its stream ends reconnects as the app does (from its
/// last position, with the epoch it was given). Runs until aborted.
pub async fn agent(
    index: usize,
    code: JoinCode,
    after: i64,
    watch: Arc<Watch>,
    connected: Arc<Barrier>,
) {
    // Each agent its own spread in the app's ±50 %, so they do not all return at once.
    let jitter = 0.5 + (index as f64 * 0.618_033_988_7).fract();
    let mut at = Position {
        last: after,
        epoch: 0,
        back: false,
    };
    let mut wait = FIRST_WAIT;
    loop {
        let mut request = code
            .agent_url(at.last, at.epoch, false)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", code.token.expose()).parse().unwrap(),
        );
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => {
                if read(socket, &mut at, &watch, &connected).await {
                    wait = FIRST_WAIT;
                }
                watch.dropped.fetch_add(1, Ordering::SeqCst);
            }
            Err(_) => {
                watch.refused.fetch_add(1, Ordering::SeqCst);
            }
        }
        tokio::time::sleep(wait.mul_f64(jitter)).await;
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

/// Where an agent is in the stream.
struct Position {
    /// The last event it got.
    last: i64,
    /// The stream's epoch its hello gave.
    epoch: i64,
    /// Whether it was connected before (a hello now is a return).
    back: bool,
}

/// Reads one connection until it ends; whether the relay said hello.
async fn read<S>(
    mut socket: tokio_tungstenite::WebSocketStream<S>,
    at: &mut Position,
    watch: &Watch,
    connected: &Barrier,
) -> bool
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut greeted = false;
    while let Some(Ok(message)) = socket.next().await {
        let Ok(text) = message.into_text() else {
            continue;
        };
        if text.starts_with(r#"{"t":"hello""#) {
            at.epoch = between(&text, r#""epoch":"#, ",").parse().unwrap();
            greeted = true;
            if at.back {
                watch.resumed.lock().unwrap().push(Instant::now());
            } else {
                at.back = true;
                connected.wait().await;
            }
        } else if text.starts_with(r#"{"t":"event""#) {
            let seq: i64 = between(&text, r#""seq":"#, ",").parse().unwrap();
            assert!(seq > at.last, "in order, no repeats");
            at.last = seq;
            let arrived = Instant::now();
            watch.note(between(&text, r#"["callid",""#, "\""), |d| {
                d.received.push(arrived)
            });
        }
    }
    greeted
}

/// Starts one agent per join code (`http://HOST:PORT#TOKEN`, index order), each after `after`; returns
/// once every one has its hello when `wait_connected`, at once otherwise.
pub async fn start_agents(
    codes: &[String],
    after: i64,
    watch: &Arc<Watch>,
    wait_connected: bool,
) -> JoinSet<()> {
    let parties = if wait_connected { codes.len() + 1 } else { 1 };
    let connected = Arc::new(Barrier::new(parties));
    let mut agents = JoinSet::new();
    for (index, code) in codes.iter().enumerate() {
        agents.spawn(agent(
            index,
            JoinCode::parse(code).expect("a join code"),
            after,
            Arc::clone(watch),
            Arc::clone(&connected),
        ));
    }
    if wait_connected {
        connected.wait().await;
    }
    agents
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect("field present") + start.len();
    let len = text[from..].find(end).expect("field ends");
    &text[from..from + len]
}

/// A call to the team (extension 101).
pub fn team_call(callid: String) -> SimCall {
    call_from_known_caller(&callid, "101")
}

/// How a bench posts its calls.
#[derive(Clone, Copy)]
pub enum Pace {
    /// All at once.
    AtOnce,
    /// One after another, each once this many agents have the one before.
    Delivered(usize),
    /// One every so often, whatever happens to the ones before.
    Every(Duration),
}

/// Posts `n` calls' `INCOMING` (call ids `PREFIX-0000`…) to `target` at `pace`.
/// A POST that gets no 200 is sent again, as the PBX does. Returns the call ids
/// once every one was answered.
pub async fn post_calls(
    target: &Target,
    watch: &Arc<Watch>,
    prefix: &str,
    n: usize,
    pace: Pace,
) -> Vec<String> {
    post_calls_on(target, watch, prefix, n, pace, |_| None).await
}

/// [`post_calls`], call `i` on the line `line(i)` (none: no line).
pub async fn post_calls_on(
    target: &Target,
    watch: &Arc<Watch>,
    prefix: &str,
    n: usize,
    pace: Pace,
    line: impl Fn(usize) -> Option<String>,
) -> Vec<String> {
    let callids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:04}")).collect();
    let mut posts = JoinSet::new();
    for (i, callid) in callids.iter().enumerate() {
        let mut call = team_call(callid.clone());
        call.line = line(i);
        let post = post_until_answered(target.clone(), Arc::clone(watch), call);
        match pace {
            Pace::AtOnce => {
                posts.spawn(post);
            }
            Pace::Every(interval) => {
                posts.spawn(post);
                tokio::time::sleep(interval).await;
            }
            Pace::Delivered(agents) => {
                post.await;
                watch.wait_for(std::slice::from_ref(callid), agents).await;
            }
        }
    }
    while posts.join_next().await.is_some() {}
    callids
}

async fn post_until_answered(target: Target, watch: Arc<Watch>, call: SimCall) {
    let callid = call.callid.clone();
    let posted = Instant::now();
    watch.note(&callid, |d| d.posted = Some(posted));
    loop {
        match target.send(&call.incoming(), None).await {
            Ok(reply) if reply.status == 200 => break,
            _ => {
                assert!(posted.elapsed() < RETRY_FOR, "{callid} never stored");
                watch.retried.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let answered = Instant::now();
    watch.note(&callid, |d| d.answered = Some(answered));
}

/// Prints p50, p99 and the maximum of sorted milliseconds.
pub fn percentiles(what: &str, ms: &[f64]) {
    let at = |p: usize| ms[(ms.len() * p / 100).min(ms.len() - 1)];
    println!(
        "{what} ({}): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        at(50),
        at(99),
        ms[ms.len() - 1]
    );
}

/// Adds `count` agents (extensions 1000, 1001, …) to the SQLite relay whose data
/// dir is `data`, listening on `port`; their join codes.
pub fn register_agents(data: &DataDir, port: u16, count: usize) -> Vec<String> {
    let store = SqliteRelayStore::open(data).unwrap();
    (0..count)
        .map(|i| {
            let token = new_secret();
            store
                .add_agent(&format!("{}", 1000 + i), &token_hash(&token))
                .unwrap();
            format!("http://127.0.0.1:{port}#{token}")
        })
        .collect()
}
