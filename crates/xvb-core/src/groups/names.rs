//! What an admin types for groups, checked on parse: a group's name, a line
//! (the number dialled), a role.

use std::fmt;

/// The longest group name, in characters.
pub const MAX_NAME: usize = 32;

/// Why a group command was refused (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// Not 1–32 letters, digits, `-` or `_`, or the reserved word `all`.
    #[error("`{0}` is not a group name: use 1 to {MAX_NAME} letters, digits, - or _ (and not `all`, which means every agent)")]
    BadName(String),
    /// A line that is not a phone number.
    #[error(
        "`{0}` is not a line: give the number the PBX sends as line_number, such as 74950000001"
    )]
    BadLine(String),
    /// Neither `agent` nor `supervisor`.
    #[error("`{0}` is not a role: use agent or supervisor")]
    BadRole(String),
    /// No such group.
    #[error("there is no group `{0}`; see `xvb relay group list`")]
    NoGroup(String),
    /// The group exists already.
    #[error("there is a group `{0}` already; change its lines with `xvb relay group lines`")]
    Exists(String),
    /// A line another group answers.
    #[error("line {line} belongs to group `{group}` already; a line goes to one group")]
    LineTaken {
        /// The line.
        line: String,
        /// The group that has it.
        group: String,
    },
    /// An extension that is no agent of the relay.
    #[error("extension {0} is not an agent of this relay; add it first with `xvb relay agent add --ext {0}`")]
    NoAgent(String),
}

/// A group's name: 1–32 letters (any alphabet), digits, `-` or `_`; not `all`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct GroupName(String);

impl GroupName {
    /// `given` trimmed, if it is a group's name.
    pub fn parse(given: &str) -> Result<GroupName, GroupError> {
        let name = given.trim();
        let fits = (1..=MAX_NAME).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            && !name.eq_ignore_ascii_case("all");
        match fits {
            true => Ok(GroupName(name.to_owned())),
            false => Err(GroupError::BadName(given.to_owned())),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl GroupName {
    /// Whether this group may take `line`, which `owner` answers now (if any
    /// group does): `true` to write it, `false` when it is this group's already.
    pub fn may_take(&self, line: &Line, owner: Option<String>) -> Result<bool, GroupError> {
        match owner {
            None => Ok(true),
            Some(owner) if owner == self.0 => Ok(false),
            Some(group) => Err(GroupError::LineTaken {
                line: line.as_str().to_owned(),
                group,
            }),
        }
    }
}

/// A PBX line (the number dialled), normalised as numbers are
/// (`+7 (495) 000-00-01` → `74950000001`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Line(String);

impl Line {
    /// `given` normalised, if it is 3 to 20 digits written as numbers are.
    pub fn parse(given: &str) -> Result<Line, GroupError> {
        let written = given
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = crate::pbx::phone::normalize(given);
        match written && (3..=20).contains(&digits.len()) {
            true => Ok(Line(digits)),
            false => Err(GroupError::BadLine(given.to_owned())),
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an agent of the relay may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Its groups' calls; releases only its own claims.
    #[default]
    Agent,
    /// Every group; releases and reassigns anyone's claim.
    Supervisor,
}

impl Role {
    /// `agent` or `supervisor`.
    pub fn parse(given: &str) -> Result<Role, GroupError> {
        match given.trim().to_ascii_lowercase().as_str() {
            "agent" => Ok(Role::Agent),
            "supervisor" => Ok(Role::Supervisor),
            _ => Err(GroupError::BadRole(given.to_owned())),
        }
    }

    /// As stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
        }
    }
}
