//! What the team knows of a caller from their earlier calls, as plain values:
//! a [`Notice`](super::notifier::Notice) carries it, the ring pop words it
//! ([`super::pop`]) and the live view shows it. `team::context` folds
//! it from stored calls; nothing here knows where it came from.

use super::protocol::Direction;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the team knows of a caller from their earlier calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallerContext {
    /// The latest earlier call that reached someone (or was dialled out), if any.
    pub last: Option<LastContact>,
    /// Their calls nobody answered since then, within the queue's window (24 h).
    pub missed: u32,
    /// Who claimed them in the team's missed queue ("is calling back").
    pub calling_back: Option<String>,
    /// The newest note on any of their earlier calls.
    #[serde(default)]
    pub last_note: Option<LastNote>,
}

/// The newest note on a caller's earlier calls: "Last: 101, 2 days ago — promised the invoice".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastNote {
    /// Who wrote it.
    pub by: Option<String>,
    /// Seconds between it and the call this context is for.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds_before: i64,
    /// What it says.
    pub text: String,
    /// Its tags.
    pub tags: Vec<String>,
}

/// The latest earlier call that was not a missed call in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastContact {
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    /// Seconds between it and the call this context is for.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds_before: i64,
    /// The extension that talked to them (or dialled them).
    pub with: Option<String>,
    /// Whether they talked (an outgoing call may have gone unanswered).
    pub answered: bool,
    /// How long, in seconds.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub duration: Option<u64>,
    /// Who called whom.
    pub direction: Option<Direction>,
}
