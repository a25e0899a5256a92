//! An agent's figures for a period: calls answered and dialled, talk time,
//! calls that rang for it and were missed while it was available, and the
//! time it spent in each status (from its first known status on: time before
//! the relay saw it set one is not counted).

use super::ReportAsk;
use crate::groups::{Audience, CallRoute, Routing};
use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use crate::team::{AgentState, AgentStatus, LoggedStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// One agent's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentFigures {
    /// Its extension.
    pub ext: String,
    /// Incoming calls it answered.
    pub answered: u32,
    /// Calls it dialled.
    pub outgoing: u32,
    /// Talk time of the calls it answered or dialled, in seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub talk_time: u64,
    /// The average talk time of the calls it answered, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_time: Option<f64>,
    /// Missed calls that rang for it while it was available.
    pub missed_while_available: u32,
    /// Seconds available, on a break, in after-call work (from its first known status).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub available_seconds: u64,
    /// Seconds on a break.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub break_seconds: u64,
    /// Seconds in after-call work.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub acw_seconds: u64,
}

/// Each agent's figures: agents with calls or status changes, `member`s only.
pub(super) fn by_agent(
    calls: &[&Call],
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
    member: &dyn Fn(&str) -> bool,
) -> Vec<AgentFigures> {
    let mut exts: BTreeSet<String> = statuses.iter().map(|s| s.ext.clone()).collect();
    for call in calls {
        exts.extend(call.answered_by.iter().cloned());
        if call.direction == Some(Direction::Out) {
            exts.extend(call.ext.iter().cloned());
        }
    }
    for group in routing.groups.values() {
        exts.extend(group.members.iter().cloned());
    }
    let mut changes: BTreeMap<&str, Vec<&AgentStatus>> = BTreeMap::new();
    for row in statuses {
        changes
            .entry(row.ext.as_str())
            .or_default()
            .push(&row.status);
    }
    let mut figures: BTreeMap<String, AgentFigures> = exts
        .into_iter()
        .filter(|ext| member(ext))
        .map(|ext| {
            let row = AgentFigures {
                ext: ext.clone(),
                ..AgentFigures::default()
            };
            (ext, row)
        })
        .collect();
    add_calls(&mut figures, calls, &changes, routing);
    let end = ask.to.min(OffsetDateTime::now_utc());
    for (ext, row) in &mut figures {
        let mine = changes.get(ext.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        status_time(row, mine, ask.from, end);
    }
    figures.into_values().collect()
}

/// Adds each call to its agents' figures, in one pass: to who dialled or
/// answered it, or, missed, to each agent it rang for who was available
/// (`changes`: each agent's status changes, oldest first).
fn add_calls(
    figures: &mut BTreeMap<String, AgentFigures>,
    calls: &[&Call],
    changes: &BTreeMap<&str, Vec<&AgentStatus>>,
    routing: &Routing,
) {
    let mut talks: BTreeMap<String, (u64, u32)> = BTreeMap::new();
    let everyone: Vec<String> = figures.keys().cloned().collect();
    for call in calls {
        let talk = call.duration.unwrap_or(0);
        let outgoing = call.direction == Some(Direction::Out);
        let answered = call.answered_by.as_ref();
        if outgoing || answered.is_some() {
            let ext = if outgoing {
                call.ext.as_ref()
            } else {
                answered
            };
            let Some(row) = ext.and_then(|ext| figures.get_mut(ext)) else {
                continue;
            };
            row.talk_time += talk;
            if outgoing {
                row.outgoing += 1;
            } else {
                row.answered += 1;
                let sum = talks.entry(row.ext.clone()).or_default();
                *sum = (sum.0 + talk, sum.1 + 1);
            }
        } else if call.is_missed() {
            // Each agent once, though it be in two of the call's groups.
            let rang: BTreeSet<&String> = match routing.audience(&CallRoute::of_call(call)) {
                Audience::Everyone => everyone.iter().collect(),
                Audience::Some { groups, .. } => groups
                    .iter()
                    .filter_map(|g| routing.groups.get(g))
                    .flat_map(|g| g.members.iter())
                    .collect(),
            };
            for ext in rang {
                let mine = changes.get(ext.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                if status_at(mine, call.first_seen) != AgentState::Available {
                    continue;
                }
                if let Some(row) = figures.get_mut(ext) {
                    row.missed_while_available += 1;
                }
            }
        }
    }
    for (ext, (sum, count)) in talks {
        if let Some(row) = figures.get_mut(&ext) {
            row.handle_time = Some(sum as f64 / f64::from(count));
        }
    }
}

/// The state an agent was in at `at` (available before any change).
fn status_at(changes: &[&AgentStatus], at: OffsetDateTime) -> AgentState {
    changes
        .iter()
        .rev()
        .find(|s| s.since <= at)
        .map_or(AgentState::Available, |s| s.at(at).state)
}

/// Adds the time in each status between `from` and `to` (from the first change on).
fn status_time(
    figures: &mut AgentFigures,
    changes: &[&AgentStatus],
    from: OffsetDateTime,
    to: OffsetDateTime,
) {
    let mut add = |state: AgentState, start: OffsetDateTime, end: OffsetDateTime| {
        let (start, end) = (start.max(from), end.min(to));
        if end <= start {
            return;
        }
        let seconds = (end - start).whole_seconds() as u64;
        match state {
            AgentState::Available => figures.available_seconds += seconds,
            AgentState::Break => figures.break_seconds += seconds,
            AgentState::Acw => figures.acw_seconds += seconds,
        }
    };
    for (i, status) in changes.iter().enumerate() {
        let next = changes.get(i + 1).map_or(to, |n| n.since);
        match status.until {
            // After-call work ends by itself: available from then on.
            Some(until) if status.state == AgentState::Acw && until < next => {
                add(AgentState::Acw, status.since, until);
                add(AgentState::Available, until, next);
            }
            _ => add(status.state, status.since, next),
        }
    }
}
