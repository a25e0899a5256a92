//! An agent's status on a relay: *available*, on a *break* (with a reason from
//! the admin's list), or in *after-call work* (for a group's N seconds after
//! each call, or until the agent ends it). *Offline* is not a status: the
//! board says whether the agent's app is connected. An agent on a break or in
//! after-call work gets no ring pops and is not rung on the board.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The longest break reason, in characters.
pub const MAX_REASON: usize = 40;
/// The most break reasons a relay's list holds.
pub const MAX_REASONS: usize = 20;

/// What an agent is doing between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Takes calls.
    Available,
    /// On a break.
    Break,
    /// After-call work.
    Acw,
}

impl AgentState {
    /// As stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Available => "available",
            AgentState::Break => "break",
            AgentState::Acw => "acw",
        }
    }

    /// As stored.
    pub fn parse(stored: &str) -> Option<AgentState> {
        match stored {
            "available" => Some(AgentState::Available),
            "break" => Some(AgentState::Break),
            "acw" => Some(AgentState::Acw),
            _ => None,
        }
    }
}

/// One status change from a relay's log: which agent, and what it changed to
/// when (`since`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedStatus {
    /// The agent.
    pub ext: String,
    /// What it changed to, and when.
    pub status: AgentStatus,
}

/// An agent's status since when (and, in after-call work, until when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentStatus {
    /// Available, break or after-call work.
    pub state: AgentState,
    /// A break's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub since: OffsetDateTime,
    /// After-call work ends by itself then.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub until: Option<OffsetDateTime>,
}

impl AgentStatus {
    /// Available since `since`.
    pub fn available(since: OffsetDateTime) -> AgentStatus {
        AgentStatus {
            state: AgentState::Available,
            reason: None,
            since,
            until: None,
        }
    }

    /// The status at `now`: after-call work past its end is available again.
    pub fn at(&self, now: OffsetDateTime) -> AgentStatus {
        match self.until {
            Some(until) if self.state == AgentState::Acw && until <= now => {
                AgentStatus::available(until)
            }
            _ => self.clone(),
        }
    }

    /// The status now ([`AgentStatus::at`] this moment).
    pub fn now(&self) -> AgentStatus {
        self.at(OffsetDateTime::now_utc())
    }

    /// Whether calls ring for the agent at `now` (available).
    pub fn takes_calls(&self, now: OffsetDateTime) -> bool {
        self.at(now).state == AgentState::Available
    }
}

/// What an agent asks of its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum StatusChange {
    /// Take calls again (ends a break or after-call work).
    Available,
    /// A break, for a reason on the relay's list.
    Break {
        /// The reason, in any letter case.
        reason: String,
    },
    /// End after-call work now.
    AcwEnd,
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusRefused {
    /// A reason not on the relay's list.
    #[error("`{reason}` is not a break reason here ({known}); pick one of those, or ask your admin to add it")]
    UnknownReason {
        /// The reason given.
        reason: String,
        /// The list, comma-separated (or "none set").
        known: String,
    },
    /// `acw-end` while not in after-call work.
    #[error("you are not in after-call work")]
    NotInAcw,
    /// A reason list that is too long, or a reason that is empty or too long.
    #[error("break reasons are up to {MAX_REASONS}, each 1 to {MAX_REASON} characters")]
    BadList,
}

/// The reasons a relay's admin allows, each trimmed, once, in the order given.
pub fn parse_reasons<S: AsRef<str>>(given: &[S]) -> Result<Vec<String>, StatusRefused> {
    let mut reasons: Vec<String> = Vec::new();
    for reason in given {
        let reason = reason.as_ref().trim();
        let fits = (1..=MAX_REASON).contains(&reason.chars().count())
            && !reason.chars().any(char::is_control);
        if !fits {
            return Err(StatusRefused::BadList);
        }
        if !reasons.iter().any(|r| r.eq_ignore_ascii_case(reason)) {
            reasons.push(reason.to_owned());
        }
    }
    match reasons.len() <= MAX_REASONS {
        true => Ok(reasons),
        false => Err(StatusRefused::BadList),
    }
}

impl StatusChange {
    /// The status this change makes at `now`, for an agent whose status is
    /// `current`, with the relay's break `reasons`.
    pub fn apply(
        &self,
        current: Option<&AgentStatus>,
        reasons: &[String],
        now: OffsetDateTime,
    ) -> Result<AgentStatus, StatusRefused> {
        match self {
            StatusChange::Available => Ok(AgentStatus::available(now)),
            StatusChange::Break { reason } => {
                let listed = reasons
                    .iter()
                    .find(|r| r.to_lowercase() == reason.trim().to_lowercase())
                    .ok_or_else(|| StatusRefused::UnknownReason {
                        reason: reason.trim().to_owned(),
                        known: match reasons.is_empty() {
                            true => "none set".into(),
                            false => reasons.join(", "),
                        },
                    })?;
                Ok(AgentStatus {
                    state: AgentState::Break,
                    reason: Some(listed.clone()),
                    since: now,
                    until: None,
                })
            }
            StatusChange::AcwEnd => match current.map(|s| s.at(now).state) {
                Some(AgentState::Acw) => Ok(AgentStatus::available(now)),
                _ => Err(StatusRefused::NotInAcw),
            },
        }
    }
}

/// After-call work of `seconds` from `ended` for an agent whose status is
/// `current`: none for 0 seconds or an agent on a break.
pub fn after_call(
    current: Option<&AgentStatus>,
    ended: OffsetDateTime,
    seconds: u32,
) -> Option<AgentStatus> {
    let on_break = current.is_some_and(|s| s.state == AgentState::Break);
    (seconds > 0 && !on_break).then(|| AgentStatus {
        state: AgentState::Acw,
        reason: None,
        since: ended,
        until: Some(ended + time::Duration::seconds(i64::from(seconds))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
    }

    #[test]
    fn a_break_takes_a_listed_reason_spelled_as_listed() {
        let reasons = parse_reasons(&["Lunch", " Training ", "lunch", "Meeting"]).unwrap();
        assert_eq!(reasons, ["Lunch", "Training", "Meeting"]);
        let lunch = StatusChange::Break {
            reason: "LUNCH".into(),
        };
        let status = lunch.apply(None, &reasons, t0()).unwrap();
        assert_eq!(status.reason.as_deref(), Some("Lunch"));
        assert!(
            !status.takes_calls(t0() + Duration::hours(2)),
            "a break lasts until ended"
        );
        let nap = StatusChange::Break {
            reason: "Nap".into(),
        };
        assert!(matches!(
            nap.apply(None, &reasons, t0()),
            Err(StatusRefused::UnknownReason { known, .. }) if known == "Lunch, Training, Meeting"
        ));
        assert_eq!(parse_reasons(&[""]), Err(StatusRefused::BadList));
        assert_eq!(
            parse_reasons(&["x".repeat(41)]),
            Err(StatusRefused::BadList)
        );
    }

    #[test]
    fn after_call_work_ends_by_itself_or_when_the_agent_ends_it() {
        let acw = after_call(None, t0(), 30).unwrap();
        assert!(!acw.takes_calls(t0() + Duration::seconds(29)));
        assert!(acw.takes_calls(t0() + Duration::seconds(30)));
        assert_eq!(
            acw.at(t0() + Duration::minutes(5)).since,
            t0() + Duration::seconds(30)
        );
        let ended = StatusChange::AcwEnd.apply(Some(&acw), &[], t0() + Duration::seconds(5));
        assert!(ended.unwrap().takes_calls(t0() + Duration::seconds(5)));
        let late = StatusChange::AcwEnd.apply(Some(&acw), &[], t0() + Duration::seconds(31));
        assert_eq!(late, Err(StatusRefused::NotInAcw));
        assert_eq!(after_call(None, t0(), 0), None, "0 s: no after-call work");
        let lunch = AgentStatus {
            state: AgentState::Break,
            reason: Some("Lunch".into()),
            since: t0(),
            until: None,
        };
        assert_eq!(after_call(Some(&lunch), t0(), 30), None, "a break is kept");
    }
}
