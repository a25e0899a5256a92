//! What a wallboard shows, derived at most twice a second (when the team view
//! changes) and encoded once for each group, shared by every open wallboard:
//! the callers ringing now and since when, today's figures (the team's and
//! each group's), the callers not called back yet, and each agent's state and
//! status with since when.

use crate::groups::{Audience, CallRoute, GroupName, Routing};
use crate::pbx::call::Call;
use crate::reports::{report, By, Facts, Figures, ReportAsk};
use crate::team::{AgentStatus, Member, MemberState, TeamView};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::{OffsetDateTime, UtcOffset};

/// A call ringing longer than this is taken for lost (its end never came).
const RINGING_HORIZON: time::Duration = time::Duration::hours(1);

/// One caller ringing now.
#[derive(Debug, Clone, Serialize)]
struct Ringing {
    phone: Option<String>,
    contact: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    since: OffsetDateTime,
    #[serde(skip)]
    groups: Vec<String>,
}

/// One agent as the wallboard shows it.
#[derive(Debug, Clone, Serialize)]
struct Agent {
    ext: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    state: MemberState,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<AgentStatus>,
    #[serde(with = "time::serde::rfc3339::option")]
    since: Option<OffsetDateTime>,
    #[serde(skip)]
    groups: Vec<String>,
}

/// A group's figures today.
#[derive(Debug, Clone, Serialize)]
struct GroupToday {
    name: String,
    sl_seconds: u32,
    today: Figures,
}

/// What one wallboard (the team's, or a group's) shows.
#[derive(Debug, Clone, Serialize)]
struct Board<'a> {
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    group: Option<&'a str>,
    sl_seconds: u32,
    today: &'a Figures,
    groups: Vec<&'a GroupToday>,
    ringing: Vec<&'a Ringing>,
    not_called_back: u32,
    agents: Vec<&'a Agent>,
}

/// Every wallboard's frame, by group (`None`: the team's).
#[derive(Default)]
pub(super) struct Frames(HashMap<Option<String>, Arc<str>>);

impl Frames {
    /// The frame of the wallboard of `group`, if the relay has that group.
    pub(super) fn of(&self, group: Option<&str>) -> Option<Arc<str>> {
        self.0.get(&group.map(str::to_owned)).cloned()
    }
}

/// Derives every wallboard's frame from `today` (the calls since midnight in
/// `offset`), the team `view` and the groups, at `now`.
pub(super) fn derive(
    today: &[Call],
    view: &TeamView,
    routing: &Routing,
    offset: UtcOffset,
    now: OffsetDateTime,
) -> Frames {
    let midnight = now.to_offset(offset).replace_time(time::Time::MIDNIGHT);
    let ask = |group: Option<GroupName>| ReportAsk {
        from: midnight,
        to: now + time::Duration::days(1),
        group,
        by: By::Total,
        offset,
    };
    let facts = Facts::of_calls(today);
    let team = report(&facts, &[], routing, &ask(None));
    let groups: Vec<GroupToday> = routing
        .groups
        .values()
        .map(|group| {
            let figures = report(&facts, &[], routing, &ask(Some(group.name.clone())));
            GroupToday {
                name: group.name.as_str().to_owned(),
                sl_seconds: figures.sl_seconds,
                today: figures.total,
            }
        })
        .collect();
    let ringing: Vec<Ringing> = today
        .iter()
        .filter(|c| !c.test && c.ringing_at(now, RINGING_HORIZON))
        .map(|c| Ringing {
            phone: c.phone.clone(),
            contact: c.contact_name.clone(),
            since: c.first_seen,
            groups: match routing.audience(&CallRoute::of_call(c)) {
                Audience::Everyone => Vec::new(),
                Audience::Some { groups, .. } => {
                    groups.iter().map(|g| g.as_str().to_owned()).collect()
                }
            },
        })
        .collect();
    let agents: Vec<Agent> = view.members.iter().map(agent).collect();
    let mut frames = Frames::default();
    let team_board = Board {
        at: now,
        group: None,
        sl_seconds: team.sl_seconds,
        today: &team.total,
        groups: groups.iter().collect(),
        ringing: ringing.iter().collect(),
        not_called_back: view.waiting as u32,
        agents: agents.iter().collect(),
    };
    frames.0.insert(None, encode(&team_board));
    for group in &groups {
        let name = group.name.as_str();
        let mine = |list: &[String]| list.iter().any(|g| g == name);
        let board = Board {
            at: now,
            group: Some(name),
            sl_seconds: group.sl_seconds,
            today: &group.today,
            groups: vec![group],
            ringing: ringing
                .iter()
                .filter(|r| r.groups.is_empty() || mine(&r.groups))
                .collect(),
            not_called_back: view
                .missed
                .iter()
                .filter(|m| m.cleared.is_none() && (m.groups.is_empty() || mine(&m.groups)))
                .count() as u32,
            agents: agents.iter().filter(|a| mine(&a.groups)).collect(),
        };
        frames.0.insert(Some(name.to_owned()), encode(&board));
    }
    frames
}

fn agent(member: &Member) -> Agent {
    Agent {
        ext: member.ext.clone(),
        name: member.name.clone(),
        state: member.state,
        status: member.status.clone(),
        since: member.since,
        groups: member.groups.clone(),
    }
}

fn encode(board: &Board<'_>) -> Arc<str> {
    serde_json::to_string(board).expect("serialises").into()
}
