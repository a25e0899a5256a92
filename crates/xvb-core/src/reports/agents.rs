//! An agent's figures for a period: calls answered and dialled, talk time,
//! calls that rang for it and were missed while it was available, and the
//! time it spent in each status (from its first known status on: time before
//! the relay saw it set one is not counted).

use super::facts::{time_of, CallFacts, Facts, Name};
use super::ReportAsk;
use crate::groups::{Audience, CallRoute, Routing};
use crate::team::{AgentState, AgentStatus, LoggedStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
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
    calls: &[&CallFacts],
    facts: &Facts,
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
    member: &dyn Fn(&str) -> bool,
) -> Vec<AgentFigures> {
    let mut exts: BTreeSet<&str> = statuses.iter().map(|s| s.ext.as_str()).collect();
    for call in calls {
        let ext = if call.outgoing {
            call.ext
        } else {
            call.answered_by
        };
        exts.extend(ext.map(|ext| facts.name(ext)));
    }
    for group in routing.groups.values() {
        exts.extend(group.members.iter().map(String::as_str));
    }
    let exts: Vec<&str> = exts.into_iter().filter(|ext| member(ext)).collect();
    let row_of: HashMap<&str, usize> = exts.iter().enumerate().map(|(i, e)| (*e, i)).collect();
    let mut rows: Vec<AgentFigures> = exts
        .iter()
        .map(|ext| AgentFigures {
            ext: (*ext).to_owned(),
            ..AgentFigures::default()
        })
        .collect();
    // Each agent's status changes, oldest first.
    let mut changes: Vec<Vec<&AgentStatus>> = vec![Vec::new(); rows.len()];
    for row in statuses {
        if let Some(i) = row_of.get(row.ext.as_str()) {
            changes[*i].push(&row.status);
        }
    }
    Calls {
        facts,
        routing,
        row_of: &row_of,
        rang: HashMap::new(),
    }
    .add(&mut rows, calls, &changes);
    let end = ask.to.min(OffsetDateTime::now_utc());
    for (row, mine) in rows.iter_mut().zip(&changes) {
        status_time(row, mine, ask.from, end);
    }
    rows
}

/// Adds calls to the agents' rows.
struct Calls<'a> {
    facts: &'a Facts,
    routing: &'a Routing,
    /// Each agent's row.
    row_of: &'a HashMap<&'a str, usize>,
    /// The rows of the agents a missed call rang for, by its line.
    rang: HashMap<Option<Name>, Vec<usize>>,
}

impl Calls<'_> {
    /// Adds each call (oldest first) to its agents' rows, in one pass: to who
    /// dialled or answered it, or, missed, to each agent it rang for who was
    /// available then (`changes`: each row's status changes, oldest first).
    fn add(
        &mut self,
        rows: &mut [AgentFigures],
        calls: &[&CallFacts],
        changes: &[Vec<&AgentStatus>],
    ) {
        let row_of_name: Vec<Option<usize>> = (0..self.facts.names())
            .map(|n| self.row_of.get(self.facts.name(n as Name)).copied())
            .collect();
        let mut talks = vec![(0u64, 0u32); rows.len()];
        // Each row's status at the latest missed call, and how far each list is read.
        let mut read = vec![0usize; rows.len()];
        for call in calls {
            let talk = call.duration.unwrap_or(0);
            let ext = if call.outgoing {
                call.ext
            } else {
                call.answered_by
            };
            if call.outgoing || call.answered_by.is_some() {
                let Some(i) = ext.and_then(|ext| row_of_name[ext as usize]) else {
                    continue;
                };
                rows[i].talk_time += talk;
                if call.outgoing {
                    rows[i].outgoing += 1;
                } else {
                    rows[i].answered += 1;
                    talks[i] = (talks[i].0 + talk, talks[i].1 + 1);
                }
            } else if call.missed {
                let at = time_of(call.first_seen);
                for &i in self.rang_for(call.line, rows.len()) {
                    let mine = &changes[i];
                    while read[i] < mine.len() && mine[read[i]].since <= at {
                        read[i] += 1;
                    }
                    let state = match read[i] {
                        0 => AgentState::Available,
                        n => mine[n - 1].at(at).state,
                    };
                    if state == AgentState::Available {
                        rows[i].missed_while_available += 1;
                    }
                }
            }
        }
        for (row, (sum, count)) in rows.iter_mut().zip(talks) {
            row.handle_time = (count > 0).then(|| sum as f64 / f64::from(count));
        }
    }

    /// The rows of the agents a missed call on `line` rang for (each once,
    /// though it be in two of the call's groups): its groups' members, or
    /// everyone's when it goes to every agent.
    fn rang_for(&mut self, line: Option<Name>, everyone: usize) -> &[usize] {
        let (facts, routing, row_of) = (self.facts, self.routing, self.row_of);
        self.rang.entry(line).or_insert_with(|| {
            let route = CallRoute {
                line: line.map(|n| facts.name(n).to_owned()),
                dialled_by: None,
                answered_by: None,
                responsible: None,
            };
            match routing.audience(&route) {
                Audience::Everyone => (0..everyone).collect(),
                Audience::Some { groups, .. } => groups
                    .iter()
                    .filter_map(|g| routing.groups.get(g))
                    .flat_map(|g| g.members.iter())
                    .filter_map(|ext| row_of.get(ext.as_str()).copied())
                    .collect::<BTreeSet<usize>>()
                    .into_iter()
                    .collect(),
            }
        })
    }
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
