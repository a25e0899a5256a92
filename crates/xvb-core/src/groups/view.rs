//! The team view by group: which board rows and missed callers an agent gets
//! (its groups' members and callers; a supervisor everything), each labelled
//! with its groups, and at which extensions a ringing call rings (its group's
//! members).

use super::{Audience, CallRoute, DefaultGroup, GroupName, Routing, Viewer};
use crate::pbx::call::Call;
use crate::pbx::protocol::Direction;
use crate::team::{GroupLines, TeamView};
use std::collections::BTreeSet;

/// Which team view an agent gets: agents of the same groups share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ViewKey {
    /// The whole view: no groups defined, a supervisor, or an agent in no group.
    Everything,
    /// The members and callers of these groups.
    Groups(BTreeSet<GroupName>),
}

impl CallRoute {
    /// A stored call's route (the responsible extension is the book's, added apart).
    pub fn of_call(call: &Call) -> CallRoute {
        let outgoing = call.direction == Some(Direction::Out);
        CallRoute {
            line: call.line_number.clone(),
            dialled_by: call.ext.clone().filter(|_| outgoing),
            answered_by: call.answered_by.clone().filter(|_| !outgoing),
            responsible: None,
        }
    }
}

impl Routing {
    /// Which team view `viewer` gets.
    pub fn view_key(&self, viewer: &Viewer) -> ViewKey {
        if !self.in_use() || viewer.supervisor || viewer.groups.is_empty() {
            ViewKey::Everything
        } else {
            ViewKey::Groups(viewer.groups.clone())
        }
    }

    /// Whether a ringing call no extension was named for rings at `ext`: at
    /// the members of its group (everyone's phone without groups, or on a
    /// line that goes to every agent).
    pub fn rings_at(&self, call: &Call, ext: &str) -> bool {
        match self.audience(&CallRoute::of_call(call)) {
            Audience::Everyone => true,
            Audience::Some { groups, .. } => groups
                .iter()
                .filter_map(|name| self.groups.get(name))
                .any(|group| group.members.contains(ext)),
        }
    }

    /// What of `view` the agents of `key` get: their groups' members on the
    /// board, and the missed callers of their groups' lines (and of lines
    /// that go to every agent).
    pub fn team_view_for(&self, view: &TeamView, key: &ViewKey) -> TeamView {
        let ViewKey::Groups(mine) = key else {
            return view.clone();
        };
        let in_mine = |groups: &BTreeSet<GroupName>| !groups.is_disjoint(mine);
        let members = view
            .members
            .iter()
            .filter(|member| in_mine(&self.groups_of(&member.ext)))
            .cloned()
            .collect();
        let missed: Vec<_> = view
            .missed
            .iter()
            .filter(|entry| {
                let route = CallRoute {
                    line: entry.line_number.clone(),
                    ..CallRoute::default()
                };
                match self.audience(&route) {
                    Audience::Everyone => true,
                    Audience::Some { groups, .. } => groups.iter().any(|g| mine.contains(g)),
                }
            })
            .cloned()
            .collect();
        TeamView {
            at: view.at,
            members,
            waiting: missed.iter().filter(|m| m.cleared.is_none()).count(),
            missed,
            breaks: view.breaks.clone(),
            groups: view
                .groups
                .iter()
                .filter(|g| mine.iter().any(|name| name.as_str() == g.name))
                .cloned()
                .collect(),
        }
    }

    /// Writes the groups into `view`: each member's, each missed caller's
    /// (its line's), and the list a view can be narrowed to.
    pub fn label(&self, view: &mut TeamView) {
        let names = |groups: &mut dyn Iterator<Item = &GroupName>| {
            groups.map(|g| g.as_str().to_owned()).collect::<Vec<_>>()
        };
        for member in &mut view.members {
            member.groups = names(&mut self.groups_of(&member.ext).iter());
        }
        for entry in &mut view.missed {
            let route = CallRoute {
                line: entry.line_number.clone(),
                ..CallRoute::default()
            };
            entry.groups = match self.audience(&route) {
                Audience::Everyone => Vec::new(),
                Audience::Some { groups, .. } => names(&mut groups.iter()),
            };
        }
        view.groups = self
            .groups
            .values()
            .map(|group| GroupLines {
                name: group.name.as_str().to_owned(),
                lines: group.lines.iter().map(|l| l.as_str().to_owned()).collect(),
                default: self.default == DefaultGroup::Named(group.name.clone()),
            })
            .collect();
    }
}
