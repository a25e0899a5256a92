//! What the team sees of itself, derived from the calls a relay stores: the
//! board (each extension ringing, talking or free, and whether its app is
//! connected) and the shared missed-call queue with its claims.
//!
//! Both are pure folds over recent calls ([`WINDOW`]) plus the relay's agents
//! and claims, so a restarted relay — or any node of a cluster — derives the
//! same view from what is stored; nothing lives only in memory.
//!
//! - [`board`] — one row per extension;
//! - [`missed`] — the queue: misses merged by number, claims, clearing;
//! - [`context`] — a caller's last contact with the team, for the ring pop.
//!
//! Uses only `pbx` (calls, numbers).

pub mod board;
pub mod context;
pub mod missed;

pub use board::{members, Member, MemberState};
pub use context::{CallerContext, LastContact};
pub use missed::{check_claim, missed_queue, Claim, ClaimRefused, Cleared, MissedEntry, Reached};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How far back the view reads calls: a missed call nobody returned leaves the
/// queue after this (it stays in history as missed).
pub const WINDOW: Duration = Duration::hours(24);

/// A call "talking" for longer than this without `COMPLETED` is shown as unknown.
pub const TALKING_HORIZON: Duration = Duration::hours(4);

/// The team's board and missed-call queue at one moment, as the relay sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamView {
    /// When the relay derived it (timers count from the states' `since`).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    /// One row per extension, in extension order.
    pub members: Vec<Member>,
    /// Open entries oldest first, then entries cleared within the window, newest first.
    pub missed: Vec<MissedEntry>,
}

impl TeamView {
    /// The view of `calls` (any order) for `roster` (each agent's extension and
    /// whether its app is connected) with `claims`, at `now`. `responsible`
    /// names the extension the book gives a caller (a ring goes only to it).
    pub fn derive(
        calls: &[crate::pbx::call::Call],
        roster: &[(String, bool)],
        claims: &[Claim],
        responsible: &dyn Fn(&str) -> Option<String>,
        now: OffsetDateTime,
    ) -> TeamView {
        TeamView {
            at: now,
            members: members(calls, roster, responsible, now),
            missed: missed_queue(calls, claims),
        }
    }

    /// Open entries in the queue (what the tray badge counts), optionally only those claimed by `ext`.
    pub fn open_missed(&self, claimed_by: Option<&str>) -> usize {
        self.missed
            .iter()
            .filter(|m| m.cleared.is_none())
            .filter(|m| claimed_by.is_none() || m.claimed_by.as_deref() == claimed_by)
            .count()
    }
}

/// `hh:mm:ss` for a span in seconds (what the board's timers show).
pub fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Calls made from the PBX's request bodies, for the tests of the folds.
#[cfg(test)]
pub(crate) mod test_calls {
    use crate::pbx::call::{Call, CallLog};
    use crate::pbx::protocol::Fields;
    use time::{Duration, OffsetDateTime};

    /// The tests' fixed "now".
    pub fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
    }

    /// A call from `bodies` (`callid` and `cmd` added), each arriving a second
    /// after the one before, from `start`.
    pub fn call(callid: &str, name: Option<&str>, start: OffsetDateTime, bodies: &[&str]) -> Call {
        let mut log = CallLog::default();
        for (i, body) in bodies.iter().enumerate() {
            let body = format!("cmd=event&callid={callid}&{body}");
            log.add(
                Fields::from_form(body.as_bytes()).unwrap(),
                start + Duration::seconds(i as i64),
            );
        }
        Call::merge(callid, name.map(str::to_owned), &log).unwrap()
    }
}
