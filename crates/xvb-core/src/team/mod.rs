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
//! - [`status`] — an agent's status: available, break, after-call work;
//! - [`by_group`] — the view narrowed to one call-centre group;
//! - [`context`] — a caller's last contact with the team, folded into
//!   [`crate::pbx::context::CallerContext`] for the ring pop.
//!
//! Uses only `pbx` (calls, numbers, the caller's context) and `notes` (a note's summary).

pub mod board;
pub mod by_group;
pub mod context;
pub mod missed;
pub mod status;

pub use board::{members, Member, MemberState};
pub use by_group::GroupLines;
pub use context::{caller_context, last_note};
pub use missed::{check_claim, missed_queue, Claim, ClaimRefused, Cleared, MissedEntry, Reached};
pub use status::{AgentState, AgentStatus, LoggedStatus, StatusChange, StatusRefused};

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
    /// Open entries oldest first, then entries cleared within the window, newest first
    /// (in what agents receive, at most [`SHOWN_WAITING`] and [`SHOWN_REACHED`]).
    pub missed: Vec<MissedEntry>,
    /// How many callers wait in all (open entries), shown or not.
    #[serde(default)]
    pub waiting: usize,
    /// The break reasons an agent may pick (the relay admin's list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<String>,
    /// The call-centre groups the view can be narrowed to (all of them for a
    /// supervisor, an agent's own otherwise; none on a relay without groups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupLines>,
}

/// The most waiting callers an agent's view carries (the oldest): a view goes
/// whole to every agent showing the board, so its size is bounded.
pub const SHOWN_WAITING: usize = 100;
/// The most reached callers an agent's view carries (the latest).
pub const SHOWN_REACHED: usize = 30;

impl TeamView {
    /// The view of `calls` (any order) for `roster` (each agent's extension and
    /// whether its app is connected) with `claims`, at `now`. `responsible`
    /// names the extension the book gives a caller (a ring goes only to it);
    /// `rings_at` says whether any other ringing call rings at an extension.
    pub fn derive(
        calls: &[crate::pbx::call::Call],
        roster: &[(String, bool)],
        claims: &[Claim],
        responsible: &dyn Fn(&str) -> Option<String>,
        rings_at: &dyn Fn(&crate::pbx::call::Call, &str) -> bool,
        now: OffsetDateTime,
    ) -> TeamView {
        let missed = missed_queue(calls, claims);
        TeamView {
            at: now,
            members: members(calls, roster, responsible, rings_at, now),
            waiting: missed.iter().filter(|m| m.cleared.is_none()).count(),
            missed,
            breaks: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Whether `other` shows the same (whenever each was derived).
    pub fn shows_as(&self, other: &TeamView) -> bool {
        self.members == other.members
            && self.missed == other.missed
            && self.waiting == other.waiting
            && self.breaks == other.breaks
            && self.groups == other.groups
    }

    /// What agents receive: the oldest [`SHOWN_WAITING`] waiting callers and
    /// the latest [`SHOWN_REACHED`] reached ones (`waiting` still counts all).
    pub fn for_agents(mut self) -> TeamView {
        let (mut shown_waiting, mut shown_reached) = (0, 0);
        self.missed.retain(|m| {
            let count = if m.cleared.is_none() {
                &mut shown_waiting
            } else {
                &mut shown_reached
            };
            *count += 1;
            *count
                <= if m.cleared.is_none() {
                    SHOWN_WAITING
                } else {
                    SHOWN_REACHED
                }
        });
        self
    }
}

/// `hh:mm:ss` for a span in seconds (what the board's timers show).
pub fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::test_calls::{call, t0};
    use super::*;

    #[test]
    fn agents_get_the_oldest_waiting_and_latest_reached_callers_and_the_whole_count() {
        let mut calls = Vec::new();
        for i in 0..(SHOWN_WAITING + 50) as i64 {
            let phone = format!("7916{i:07}");
            let start = t0() + Duration::minutes(i);
            calls.push(call(
                &format!("M{i}"),
                None,
                start,
                &[
                    &format!("type=in&event=INCOMING&ext=&phone={phone}"),
                    &format!("event=COMPLETED&status=Missed&duration=0&phone={phone}"),
                ],
            ));
            // The first 40 are reached later by 101.
            if i < 40 {
                calls.push(call(
                    &format!("B{i}"),
                    None,
                    start + Duration::hours(2),
                    &[
                        &format!("type=out&event=OUTGOING&ext=101&phone={phone}"),
                        &format!(
                            "event=COMPLETED&status=Success&duration=30&ext=101&phone={phone}"
                        ),
                    ],
                ));
            }
        }
        let view = TeamView::derive(
            &calls,
            &[],
            &[],
            &|_| None,
            &|_, _| true,
            t0() + Duration::hours(3),
        );
        assert_eq!((view.waiting, view.missed.len()), (110, 150));
        let shown = view.for_agents();
        assert_eq!(shown.waiting, 110, "the count is of all waiting callers");
        let reached: Vec<_> = shown
            .missed
            .iter()
            .filter(|m| m.cleared.is_some())
            .collect();
        let waiting = shown.missed.len() - reached.len();
        assert_eq!((waiting, reached.len()), (SHOWN_WAITING, SHOWN_REACHED));
        assert_eq!(
            shown.missed[0].phone, "79160000040",
            "the oldest waiting first"
        );
        assert_eq!(reached[0].phone, "79160000039", "the latest reached first");
    }
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
