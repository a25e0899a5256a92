//! The relay's bounds on its own agents (SECURITY.md): a few connections per
//! agent, a rate for what each asks (dial, claim, note) with a refusal that
//! says how long to wait, and revoked agents let go within a second on every
//! node (each node reads the revoked list twice a second: one small query).

use super::agents::RelayStore;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Connections one agent may hold to one node at once (an app, the CLI, and
/// a reconnect or two while the old connection's ping has not yet failed).
pub const CONNECTIONS_PER_AGENT: usize = 4;
/// How often a node reads which agents are revoked.
const REVOKED_EVERY: Duration = Duration::from_millis(500);

/// What an agent asks of the relay, each with its own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Ask {
    /// A call through the PBX.
    Dial,
    /// A claim or release of a missed caller.
    Claim,
    /// A note, new or edited.
    Note,
    /// A status change (a break, back, after-call work ended).
    Status,
    /// A report (reads a period's calls; a supervisor flips the Reports tab's pickers).
    Report,
}

impl Ask {
    /// A burst of this many, then one every `every`.
    fn rate(self) -> (f64, Duration) {
        match self {
            Ask::Dial => (5.0, Duration::from_secs(3)),
            Ask::Claim => (20.0, Duration::from_millis(500)),
            Ask::Note => (20.0, Duration::from_secs(1)),
            Ask::Status => (10.0, Duration::from_secs(2)),
            Ask::Report => (12.0, Duration::from_secs(2)),
        }
    }
}

/// Every agent's connections and rates on this node, and who is revoked.
#[derive(Clone)]
pub(super) struct Guard {
    connections: Arc<Mutex<HashMap<i64, usize>>>,
    buckets: Arc<Mutex<HashMap<(i64, Ask), Bucket>>>,
    revoked: watch::Receiver<Arc<HashSet<i64>>>,
}

impl Guard {
    /// Starts following the store's revoked agents.
    pub(super) async fn start(store: RelayStore) -> Result<Guard, crate::CoreError> {
        let (sender, revoked) = watch::channel(Arc::new(store.revoked().await?));
        tokio::spawn(follow_revocations(store, sender));
        Ok(Guard {
            connections: Arc::default(),
            buckets: Arc::default(),
            revoked,
        })
    }

    /// A connection for `agent`, or `None` past [`CONNECTIONS_PER_AGENT`].
    pub(super) fn connect(&self, agent: i64) -> Option<Connected> {
        let mut connections = self.connections.lock().expect("guard lock");
        let count = connections.entry(agent).or_default();
        if *count >= CONNECTIONS_PER_AGENT {
            return None;
        }
        *count += 1;
        Some(Connected {
            agent,
            connections: Arc::clone(&self.connections),
        })
    }

    /// Agents' connections open to this node.
    pub(super) fn connections(&self) -> usize {
        self.connections.lock().expect("guard lock").values().sum()
    }

    /// Whether `agent` may ask `ask` now; else how long to wait.
    pub(super) fn allow(&self, agent: i64, ask: Ask) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("guard lock");
        let (burst, every) = ask.rate();
        buckets
            .entry((agent, ask))
            .or_insert_with(|| Bucket::full(burst))
            .take(burst, every, Instant::now())
    }

    /// Told when the revoked list changes; [`Guard::is_revoked`] reads it.
    pub(super) fn revocations(&self) -> watch::Receiver<Arc<HashSet<i64>>> {
        self.revoked.clone()
    }

    /// Whether `agent` is revoked, as last read.
    pub(super) fn is_revoked(&self, agent: i64) -> bool {
        self.revoked.borrow().contains(&agent)
    }
}

/// The refusal an agent gets past its rate.
pub(super) fn too_many(wait: Duration) -> String {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    TooMany(seconds).to_string()
}

/// An agent asked faster than its rate: the seconds to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooMany(pub(crate) u64);

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "too many requests, wait {} s", self.0)
    }
}

/// One of an agent's connections; counted out when dropped.
pub(super) struct Connected {
    agent: i64,
    connections: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Drop for Connected {
    fn drop(&mut self) {
        let mut connections = self.connections.lock().expect("guard lock");
        if let Some(count) = connections.get_mut(&self.agent) {
            *count -= 1;
            if *count == 0 {
                connections.remove(&self.agent);
            }
        }
    }
}

/// A token bucket: `tokens` left at `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Option<Instant>,
}

impl Bucket {
    fn full(burst: f64) -> Bucket {
        Bucket {
            tokens: burst,
            at: None,
        }
    }

    /// Takes a token (refilled at one per `every`, up to `burst`), or says how
    /// long until one is there.
    fn take(&mut self, burst: f64, every: Duration, now: Instant) -> Result<(), Duration> {
        if let Some(at) = self.at {
            let earned = now.saturating_duration_since(at).as_secs_f64() / every.as_secs_f64();
            self.tokens = (self.tokens + earned).min(burst);
        }
        self.at = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(every.mul_f64(1.0 - self.tokens))
        }
    }
}

/// Keeps `revoked` equal to the store's list of revoked agents.
async fn follow_revocations(store: RelayStore, revoked: watch::Sender<Arc<HashSet<i64>>>) {
    let mut every = tokio::time::interval(REVOKED_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !revoked.is_closed() {
        every.tick().await;
        match store.revoked().await {
            Ok(fresh) => {
                revoked.send_if_modified(|current| {
                    let changed = **current != fresh;
                    if changed {
                        *current = Arc::new(fresh);
                    }
                    changed
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read which agents are revoked; will retry")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{too_many, Bucket};
    use std::time::{Duration, Instant};

    #[test]
    fn a_burst_then_one_per_period() {
        let (burst, every) = (3.0, Duration::from_secs(2));
        let start = Instant::now();
        let mut bucket = Bucket::full(burst);
        for _ in 0..3 {
            bucket.take(burst, every, start).expect("within the burst");
        }
        let wait = bucket
            .take(burst, every, start)
            .expect_err("past the burst");
        assert_eq!(too_many(wait), "too many requests, wait 2 s");
        let later = start + Duration::from_secs(1);
        let wait = bucket.take(burst, every, later).expect_err("half a token");
        assert_eq!(too_many(wait), "too many requests, wait 1 s");
        bucket
            .take(burst, every, start + Duration::from_secs(2))
            .expect("a token earned");
        let much_later = start + Duration::from_secs(3600);
        for _ in 0..3 {
            bucket
                .take(burst, every, much_later)
                .expect("refilled to the burst, no more");
        }
        assert!(bucket.take(burst, every, much_later).is_err());
    }
}
