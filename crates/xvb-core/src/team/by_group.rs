//! The team view narrowed to one call-centre group (a supervisor's filter, or
//! an agent in several groups): the group's members on the board, and the
//! callers of its lines and of lines that go to every agent.

use super::TeamView;
use serde::{Deserialize, Serialize};

/// A group the view can be narrowed to, and the lines it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupLines {
    /// Its name.
    pub name: String,
    /// The PBX lines it answers.
    #[serde(default)]
    pub lines: Vec<String>,
    /// Whether calls on lines no group answers go to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

impl TeamView {
    /// The view narrowed to group `name` (any letter case), or `None` when it
    /// is not one of the view's groups.
    pub fn of_group(&self, name: &str) -> Option<TeamView> {
        let group = self
            .groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name.trim()))?;
        let mine = |groups: &[String]| groups.contains(&group.name);
        let missed: Vec<_> = self
            .missed
            .iter()
            .filter(|entry| entry.groups.is_empty() || mine(&entry.groups))
            .cloned()
            .collect();
        Some(TeamView {
            at: self.at,
            members: self
                .members
                .iter()
                .filter(|member| mine(&member.groups))
                .cloned()
                .collect(),
            waiting: missed.iter().filter(|m| m.cleared.is_none()).count(),
            missed,
            breaks: self.breaks.clone(),
            groups: vec![group.clone()],
        })
    }

    /// The names of the view's groups, for a message: `sales, support`.
    pub fn group_names(&self) -> String {
        let names: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        names.join(", ")
    }
}
