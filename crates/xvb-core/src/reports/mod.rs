//! Supervisors' figures, derived from the calls and status changes a relay
//! stores (nothing more is asked of the PBX): per group, per agent, per hour
//! or day, for any period.
//!
//! "Wait" is `INCOMING` → `ANSWERED` (or, for a missed call, → `COMPLETED`):
//! the PBX sends no queue-entry event.
//!
//! - this file — [`ReportAsk`], [`Report`] and [`report`];
//! - `figures` — the figures of a set of calls ([`Figures`]);
//! - `agents` — an agent's figures: calls, talk, misses while available, status time.

mod agents;
mod figures;

pub use agents::AgentFigures;
pub use figures::{Figures, SHORT_ABANDON};

use crate::groups::{Audience, CallRoute, GroupName, Routing};
use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use crate::team::LoggedStatus;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{OffsetDateTime, UtcOffset};

/// The service level's threshold when a group sets none, in seconds.
pub const DEFAULT_SL_SECONDS: u32 = 20;

/// How a report's rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// One row: the whole period.
    #[default]
    Total,
    /// A row per hour (local time).
    Hour,
    /// A row per day (local time).
    Day,
    /// A row per agent.
    Agent,
}

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct ReportAsk {
    /// From this time on.
    pub from: OffsetDateTime,
    /// Up to (not including) this time.
    pub to: OffsetDateTime,
    /// Only this group's calls (and members, by agent).
    pub group: Option<GroupName>,
    /// The rows.
    pub by: By,
    /// The offset hours and days are cut in.
    pub offset: UtcOffset,
}

/// A report: the whole period's figures and its rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The period's start (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// The period's end, not included.
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    /// The group, if one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The service level's threshold used, in seconds.
    pub sl_seconds: u32,
    /// The whole period.
    pub total: Figures,
    /// By hour or day: each with calls, in order (`2026-12-01 09:00`, `2026-12-01`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<(String, Figures)>,
    /// By agent: each agent with calls or status changes, by extension.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<AgentFigures>,
}

/// The report `ask` asks for, from `calls` (any order; those first seen in
/// the period count) and the status changes `statuses` (oldest first, with
/// the last one before the period for each agent), under `routing`.
pub fn report(
    calls: &[Call],
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
) -> Report {
    let sl_seconds = sl_seconds(routing, ask.group.as_ref());
    let in_group = |call: &Call| match &ask.group {
        None => true,
        Some(group) => match routing.audience(&CallRoute::of_call(call)) {
            Audience::Everyone => false,
            Audience::Some { groups, exts } => {
                groups.contains(group)
                    || (call.direction == Some(Direction::Out)
                        && exts.iter().any(|ext| is_member(routing, group, ext)))
            }
        },
    };
    let calls: Vec<&Call> = calls
        .iter()
        .filter(|c| !c.test && c.first_seen >= ask.from && c.first_seen < ask.to && in_group(c))
        .collect();
    let total = Figures::of(&calls, sl_seconds);
    let periods = match ask.by {
        By::Hour | By::Day => {
            let mut cut: BTreeMap<String, Vec<&Call>> = BTreeMap::new();
            for call in &calls {
                cut.entry(bucket(call.first_seen, ask))
                    .or_default()
                    .push(call);
            }
            cut.into_iter()
                .map(|(key, calls)| (key, Figures::of(&calls, sl_seconds)))
                .collect()
        }
        By::Total | By::Agent => Vec::new(),
    };
    let agents = if ask.by == By::Agent {
        let member = |ext: &str| {
            ask.group
                .as_ref()
                .is_none_or(|g| is_member(routing, g, ext))
        };
        agents::by_agent(&calls, statuses, routing, ask, &member)
    } else {
        Vec::new()
    };
    Report {
        from: ask.from,
        to: ask.to,
        group: ask.group.as_ref().map(|g| g.as_str().to_owned()),
        sl_seconds,
        total,
        periods,
        agents,
    }
}

/// Whether `ext` is a member of `group`.
fn is_member(routing: &Routing, group: &GroupName, ext: &str) -> bool {
    routing
        .groups
        .get(group)
        .is_some_and(|g| g.members.contains(ext))
}

/// The service level's threshold: the group's, or the default.
fn sl_seconds(routing: &Routing, group: Option<&GroupName>) -> u32 {
    group
        .and_then(|g| routing.groups.get(g))
        .map_or(DEFAULT_SL_SECONDS, |g| g.sl_seconds)
}

/// The hour or day `at` falls in, in the report's offset.
fn bucket(at: OffsetDateTime, ask: &ReportAsk) -> String {
    let local = at.to_offset(ask.offset);
    let (date, hour) = (local.date(), local.hour());
    match ask.by {
        By::Hour => format!("{date} {hour:02}:00"),
        _ => date.to_string(),
    }
}

#[cfg(test)]
mod tests;
