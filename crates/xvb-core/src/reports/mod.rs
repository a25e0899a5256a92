//! Supervisors' figures, derived from the calls and status changes a relay
//! stores (nothing more is asked of the PBX): per group, per agent, per hour
//! or day, for any period.
//!
//! "Wait" is `INCOMING` → `ANSWERED` (or, for a missed call, → `COMPLETED`):
//! the PBX sends no queue-entry event.
//!
//! - this file — [`ReportAsk`], [`ReportRequest`], [`Report`], [`report`] and [`full_report`];
//! - `facts` — what a report reads of each call ([`Facts`]);
//! - `figures` — the figures of a set of calls ([`Figures`]);
//! - `periods` — the fold into the period's figures and each hour's or day's;
//! - `agents` — an agent's figures: calls, talk, misses while available, status time.

mod agents;
mod facts;
mod figures;
mod periods;

pub use agents::AgentFigures;
pub use facts::{unix_ms, CallFacts, CallRow, Facts, Name};
pub use figures::{Figures, SHORT_ABANDON};

use crate::groups::{Audience, CallRoute, GroupName, Routing};
use crate::team::LoggedStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{OffsetDateTime, UtcOffset};

/// The service level's threshold when a group sets none, in seconds.
pub const DEFAULT_SL_SECONDS: u32 = 20;

/// How a report's rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// The period's start (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub from: OffsetDateTime,
    /// The period's end, not included.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub to: OffsetDateTime,
    /// The group, if one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The service level's threshold used, in seconds.
    pub sl_seconds: u32,
    /// The whole period.
    pub total: Figures,
    /// By hour or day: each with calls, in order (`2026-12-01 09:00`, `2026-12-01`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<(String, Figures)>,
    /// By agent: each agent with calls or status changes, by extension.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<AgentFigures>,
}

/// What the app asks for: the last `days` days up to now (1: today), the
/// whole team's (a supervisor, through the relay) or this computer's calls,
/// of one group or all — by hour for a day, by day for longer, and by agent:
/// everything the Reports tab draws, from one read of the period's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportRequest {
    /// Days back, today included (1 to [`MOST_DAYS`]; others are brought into that).
    pub days: u32,
    /// Only this group.
    #[serde(default)]
    pub group: Option<String>,
    /// The asker's offset from UTC in minutes (where its days begin).
    pub offset_minutes: i32,
}

/// The most days a report asked from the app covers.
pub const MOST_DAYS: u32 = 92;

impl ReportRequest {
    /// The report asked for, at `now`; a message when it cannot be.
    pub fn ask(&self, now: OffsetDateTime) -> Result<ReportAsk, String> {
        let days = self.days.clamp(1, MOST_DAYS);
        let offset =
            UtcOffset::from_whole_seconds(self.offset_minutes.clamp(-18 * 60, 18 * 60) * 60)
                .unwrap_or(UtcOffset::UTC);
        let today = now.to_offset(offset).replace_time(time::Time::MIDNIGHT);
        let group = self
            .group
            .as_deref()
            .filter(|g| !g.is_empty())
            .map(GroupName::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        Ok(ReportAsk {
            from: today - time::Duration::days(i64::from(days) - 1),
            to: today + time::Duration::days(1),
            group,
            by: if days == 1 { By::Hour } else { By::Day },
            offset,
        })
    }
}

/// The report `ask` asks for, from `calls` (those first seen in the period
/// count) and the status changes `statuses` (oldest first, with the last one
/// before the period for each agent), under `routing`.
pub fn report(
    calls: &Facts,
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
) -> Report {
    build(calls, statuses, routing, ask, ask.by == By::Agent)
}

/// The report `ask` asks for (by hour or day) and each agent's row besides,
/// from one pass over the period's calls: what the app's Reports tab draws.
pub fn full_report(
    calls: &Facts,
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
) -> Report {
    build(calls, statuses, routing, ask, true)
}

/// An agent's own report from the calls its computer has (`calls`, the
/// period's): their figures, by hour or day as `ask` says, and `me`'s row.
pub fn own_report(calls: &Facts, me: Option<&str>, ask: &ReportAsk) -> Report {
    let mut shown = full_report(calls, &[], &Routing::default(), ask);
    shown.agents.retain(|agent| Some(agent.ext.as_str()) == me);
    shown
}

/// The period's figures, its hours or days when `ask` cuts by them, and each
/// agent's row `with_agents`.
fn build(
    facts: &Facts,
    statuses: &[LoggedStatus],
    routing: &Routing,
    ask: &ReportAsk,
    with_agents: bool,
) -> Report {
    let sl_seconds = sl_seconds(routing, ask.group.as_ref());
    let (from, to) = (unix_ms(ask.from), unix_ms(ask.to));
    let mut in_group = GroupFilter {
        routing,
        group: ask.group.as_ref(),
        facts,
        seen: HashMap::new(),
    };
    let calls: Vec<&CallFacts> = facts
        .calls()
        .iter()
        .filter(|c| !c.test && c.first_seen >= from && c.first_seen < to)
        .filter(|c| in_group.keeps(c))
        .collect();
    let (total, periods) = periods::fold(&calls, facts.names(), ask, i64::from(sl_seconds) * 1000);
    let agents = if with_agents {
        let member = |ext: &str| {
            ask.group
                .as_ref()
                .is_none_or(|g| is_member(routing, g, ext))
        };
        agents::by_agent(&calls, facts, statuses, routing, ask, &member)
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

/// A call's line, who dialled it and who answered it.
type RouteKey = (Option<Name>, Option<Name>, Option<Name>);

/// Whether a call is one of the asked group's: its line's, or dialled by a
/// member. Calls on one route have one answer, worked out once.
struct GroupFilter<'a> {
    routing: &'a Routing,
    group: Option<&'a GroupName>,
    facts: &'a Facts,
    /// By route.
    seen: HashMap<RouteKey, bool>,
}

impl GroupFilter<'_> {
    fn keeps(&mut self, call: &CallFacts) -> bool {
        let Some(group) = self.group else {
            return true;
        };
        let dialled_by = call.ext.filter(|_| call.outgoing);
        let answered_by = call.answered_by.filter(|_| !call.outgoing);
        let (routing, facts) = (self.routing, self.facts);
        *self
            .seen
            .entry((call.line, dialled_by, answered_by))
            .or_insert_with(|| {
                let name = |n: Option<Name>| n.map(|n| facts.name(n).to_owned());
                let route = CallRoute {
                    line: name(call.line),
                    dialled_by: name(dialled_by),
                    answered_by: name(answered_by),
                    responsible: None,
                };
                match routing.audience(&route) {
                    Audience::Everyone => false,
                    Audience::Some { groups, exts } => {
                        groups.contains(group)
                            || (call.outgoing
                                && exts.iter().any(|ext| is_member(routing, group, ext)))
                    }
                }
            })
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

#[cfg(test)]
mod tests;
