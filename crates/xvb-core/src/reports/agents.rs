//! An agent's figures for a period: calls answered and dialled, talk time,
//! calls that rang for it and were missed while it was available, and the
//! time it spent in each status (from its first known status on: time before
//! the relay saw it set one is not counted).

use super::ReportAsk;
use crate::groups::Routing;
use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use crate::team::{AgentState, AgentStatus, LoggedStatus};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// One agent's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgentFigures {
    /// Its extension.
    pub ext: String,
    /// Incoming calls it answered.
    pub answered: u32,
    /// Calls it dialled.
    pub outgoing: u32,
    /// Talk time of the calls it answered or dialled, in seconds.
    pub talk_time: u64,
    /// The average talk time of the calls it answered, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle_time: Option<f64>,
    /// Missed calls that rang for it while it was available.
    pub missed_while_available: u32,
    /// Seconds available, on a break, in after-call work (from its first known status).
    pub available_seconds: u64,
    /// Seconds on a break.
    pub break_seconds: u64,
    /// Seconds in after-call work.
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
    let end = ask.to.min(OffsetDateTime::now_utc());
    exts.into_iter()
        .filter(|ext| member(ext))
        .map(|ext| {
            let mine = changes.get(ext.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let mut figures = calls_of(calls, &ext, mine, routing);
            status_time(&mut figures, mine, ask.from, end);
            figures.ext = ext;
            figures
        })
        .collect()
}

/// An agent's call figures; `changes` are its status changes, oldest first.
fn calls_of(
    calls: &[&Call],
    ext: &str,
    changes: &[&AgentStatus],
    routing: &Routing,
) -> AgentFigures {
    let mut figures = AgentFigures::default();
    let mut talks = Vec::new();
    for call in calls {
        let talk = call.duration.unwrap_or(0);
        if call.direction == Some(Direction::Out) {
            if call.ext.as_deref() == Some(ext) {
                figures.outgoing += 1;
                figures.talk_time += talk;
            }
        } else if call.answered_by.as_deref() == Some(ext) {
            figures.answered += 1;
            figures.talk_time += talk;
            talks.push(talk as f64);
        } else if call.is_missed()
            && routing.rings_at(call, ext)
            && status_at(changes, call.first_seen) == AgentState::Available
        {
            figures.missed_while_available += 1;
        }
    }
    figures.handle_time =
        (!talks.is_empty()).then(|| talks.iter().sum::<f64>() / talks.len() as f64);
    figures
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
