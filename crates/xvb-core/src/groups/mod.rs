//! Call-centre groups on a team relay: which group a call belongs to, and
//! who sees it. Pure rules, no storage (the store keeps groups, members and
//! roles; the relay reads them into a [`Routing`] and asks it).
//!
//! - A group answers one or more of the PBX's lines (`line_number`, the
//!   number dialled on an incoming call) and has members (extensions).
//! - An incoming call belongs to the group of its line; on a line no group
//!   claims, to the default group ([`DefaultGroup`]: everyone, or one named).
//!   An outgoing call belongs to the dialling agent's groups. The responsible
//!   extension of the caller (from the contact book) always sees its caller,
//!   and an agent always sees the calls it dialled or answered.
//! - A supervisor sees every group.
//! - With no group defined, everyone sees everything (a relay before groups).
//!
//! - this file — [`Routing`], [`CallRoute`], [`Audience`], [`Viewer`];
//! - `names` — group names, lines and roles as typed, checked on parse;
//! - `view` — the team view by group, and where a ringing call rings.

mod names;
mod view;

pub use names::{GroupError, GroupName, Line, Role, MAX_NAME};
pub use view::ViewKey;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where calls on a line no group claims go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DefaultGroup {
    /// Every agent.
    #[default]
    Everyone,
    /// One group.
    Named(GroupName),
}

/// One group as the admin set it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    /// Its name.
    pub name: GroupName,
    /// The lines it answers.
    pub lines: Vec<Line>,
    /// Its members' extensions.
    pub members: BTreeSet<String>,
    /// After-call work after each call, in seconds (0: none).
    pub acw_seconds: u32,
    /// A call answered within this many seconds counts toward the service level.
    pub sl_seconds: u32,
}

/// The relay's groups, default group and supervisors, as last read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Routing {
    /// Every group, by name.
    pub groups: BTreeMap<GroupName, Group>,
    /// Where calls on an unclaimed line go.
    pub default: DefaultGroup,
    /// The supervisors' extensions.
    pub supervisors: BTreeSet<String>,
}

/// What routing needs of a call: read from its events as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallRoute {
    /// Incoming: the line dialled.
    pub line: Option<String>,
    /// Outgoing: the dialling agent.
    pub dialled_by: Option<String>,
    /// The agent who answered it, if any.
    pub answered_by: Option<String>,
    /// The caller's responsible extension in the contact book.
    pub responsible: Option<String>,
}

/// Who sees a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every agent (no groups defined, or the default group is everyone).
    Everyone,
    /// The members of these groups, the supervisors, and these extensions.
    Some {
        /// The call's groups.
        groups: Vec<GroupName>,
        /// Extensions that see it besides (dialler, answerer, responsible).
        exts: Vec<String>,
    },
}

/// An agent as routing sees it: its extension, role and groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Its extension.
    pub ext: String,
    /// Whether it sees every group.
    pub supervisor: bool,
    /// Its groups.
    pub groups: BTreeSet<GroupName>,
}

impl Routing {
    /// Whether any group is defined (else everyone sees everything).
    pub fn in_use(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The group answering `line` (in any spelling), if any.
    pub fn group_of_line(&self, line: &str) -> Option<&Group> {
        let line = crate::pbx::phone::normalize(line);
        self.groups
            .values()
            .find(|g| g.lines.iter().any(|l| l.as_str() == line))
    }

    /// The groups `ext` is a member of.
    pub fn groups_of(&self, ext: &str) -> BTreeSet<GroupName> {
        self.groups
            .values()
            .filter(|g| g.members.contains(ext))
            .map(|g| g.name.clone())
            .collect()
    }

    /// `ext` as routing sees it.
    pub fn viewer(&self, ext: &str) -> Viewer {
        Viewer {
            ext: ext.to_owned(),
            supervisor: self.supervisors.contains(ext),
            groups: self.groups_of(ext),
        }
    }

    /// Who sees the call `route`.
    pub fn audience(&self, route: &CallRoute) -> Audience {
        if !self.in_use() {
            return Audience::Everyone;
        }
        let groups: Vec<GroupName> = match (&route.line, &route.dialled_by) {
            (_, Some(agent)) => self.groups_of(agent).into_iter().collect(),
            (Some(line), None) => match self.group_of_line(line) {
                Some(group) => vec![group.name.clone()],
                None => match &self.default {
                    DefaultGroup::Everyone => return Audience::Everyone,
                    DefaultGroup::Named(name) => vec![name.clone()],
                },
            },
            (None, None) => match &self.default {
                DefaultGroup::Everyone => return Audience::Everyone,
                DefaultGroup::Named(name) => vec![name.clone()],
            },
        };
        let exts = [&route.dialled_by, &route.answered_by, &route.responsible]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        Audience::Some { groups, exts }
    }

    /// The seconds of after-call work after a call of `groups` (the longest of them).
    pub fn acw_seconds(&self, groups: &[GroupName]) -> u32 {
        groups
            .iter()
            .filter_map(|name| self.groups.get(name))
            .map(|g| g.acw_seconds)
            .max()
            .unwrap_or(0)
    }
}

impl Audience {
    /// Whether `viewer` sees a call with this audience.
    pub fn reaches(&self, viewer: &Viewer) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Some { groups, exts } => {
                viewer.supervisor
                    || exts.contains(&viewer.ext)
                    || groups.iter().any(|g| viewer.groups.contains(g))
            }
        }
    }
}

/// One change an admin makes to the relay's groups (or an agent's role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    /// A new group answering these lines.
    Add {
        /// Its name.
        name: GroupName,
        /// Its lines.
        lines: Vec<Line>,
    },
    /// Lines given to a group, or taken from it.
    Lines {
        /// The group.
        name: GroupName,
        /// Lines to give it.
        add: Vec<Line>,
        /// Lines to take away.
        remove: Vec<Line>,
    },
    /// Agents put in a group, or taken out.
    Members {
        /// The group.
        name: GroupName,
        /// Extensions to add (each an agent of the relay).
        add: Vec<String>,
        /// Extensions to take out.
        remove: Vec<String>,
    },
    /// A group removed (its lines' calls go to the default group).
    Remove(GroupName),
    /// Where calls on unclaimed lines go.
    Default(DefaultGroup),
    /// One of a group's settings in seconds.
    Seconds {
        /// The group.
        name: GroupName,
        /// Which.
        setting: GroupSeconds,
        /// How long.
        seconds: u32,
    },
    /// An agent's role.
    Role {
        /// The agent's extension.
        ext: String,
        /// Its role.
        role: Role,
    },
}

/// A group's settings in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSeconds {
    /// After-call work after each call (0: none).
    Acw,
    /// The service level's threshold (reports).
    ServiceLevel,
}

impl GroupSeconds {
    /// Its column in `relay_groups`.
    pub fn column(self) -> &'static str {
        match self {
            GroupSeconds::Acw => "acw_seconds",
            GroupSeconds::ServiceLevel => "sl_seconds",
        }
    }
}

/// A routing shared by the relay's tasks, swapped whole when the admin changes it.
pub type SharedRouting = Arc<Routing>;

#[cfg(test)]
mod tests;
