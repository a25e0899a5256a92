//! The relay's wire format: JSON text frames over the agent's WebSocket —
//! to the agent `hello`, `event` (a call's event, or a note: `cmd` says),
//! `caught_up`, `backfill`, `team`, `tags`, `dialed`, `replied`, `reported`;
//! from the agent `dial`, `claim`, `release`, `reassign`, `note`, `status`, `report`.

use crate::listener::KnownCaller;
use crate::notes::{NoteDraft, Tag};
use crate::store::JournalEntry;
use crate::team::{StatusChange, TeamView};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The agents' WebSocket endpoint.
pub const AGENT_PATH: &str = "/relay/agent";
/// Where a load balancer asks whether a relay node can take requests (200) or not (503).
pub const HEALTH_PATH: &str = "/relay/health";
/// How often the relay pings each agent (an agent gives up after three missed).
pub const PING_EVERY: Duration = Duration::from_secs(20);

/// What the relay sends an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToAgent {
    /// Sent first: the agent's extension, the newest sequence number, and what
    /// the relay no longer keeps.
    Hello {
        /// The extension the admin gave this agent.
        ext: String,
        /// The newest event's sequence number on the relay.
        head: i64,
        /// The newest event pruned (0: none): an agent that stored less missed some.
        #[serde(default)]
        pruned_event: i64,
        /// Events received before this time (RFC 3339) are no longer on the relay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pruned_before: Option<String>,
        /// The stream's epoch (0 from relays before epochs): the agent sends it back when it resumes.
        #[serde(default)]
        epoch: i64,
        /// The agent's position belonged to another stream (the relay's database was
        /// replaced or restored): it starts over from what the relay keeps.
        #[serde(default)]
        reset: bool,
    },
    /// One stored event.
    Event(StreamedEvent),
    /// Sent once, after the events the agent had not seen when it connected:
    /// what follows is live. (An agent talking to a relay older than this
    /// message ends its catch-up at the first event past the hello's `head`.)
    CaughtUp {
        /// The last sequence number sent before it.
        seq: i64,
    },
    /// An earlier stored event (or note) the agent may see since it joined a
    /// group: history to store, never a pop, and not a position to resume
    /// from. Sent after `caught_up`, oldest first.
    Backfill(StreamedEvent),
    /// The team's board and missed-call queue: sent after `caught_up`, then
    /// whenever it changes (each one whole: nothing to resume).
    Team(Box<TeamView>),
    /// The team's tags (what notes may carry): sent after `caught_up`, then
    /// whenever the admin changes them.
    Tags {
        /// In the order shown.
        tags: Vec<Tag>,
    },
    /// The answer to a `claim`, `release` or `note`.
    Replied {
        /// The request's id.
        id: u64,
        /// Whether it was done.
        ok: bool,
        /// What was done, or why not (for a `note`: the note's id).
        message: String,
        /// For a stored `note`: its sequence number in the stream (the agent
        /// has it once its position reaches this).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<i64>,
    },
    /// The answer to a `report` (a refusal comes as `replied`).
    Reported {
        /// The `report`'s id.
        id: u64,
        /// The team's figures.
        report: Box<crate::reports::Report>,
    },
    /// The answer to a `dial`.
    Dialed {
        /// The `dial`'s id.
        id: u64,
        /// Whether the PBX accepted.
        ok: bool,
        /// The PBX's reply, or why it failed.
        message: String,
    },
}

impl ToAgent {
    /// The answer to request `id`: done (what was done) or refused (why).
    pub fn replied(id: u64, result: Result<String, String>) -> ToAgent {
        let (ok, message) = match result {
            Ok(message) => (true, message),
            Err(message) => (false, message),
        };
        ToAgent::Replied {
            id,
            ok,
            message,
            seq: None,
        }
    }
}

/// A stored event as streamed: the journal row and the caller from the shared book.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreamedEvent {
    /// The journal row.
    #[serde(flatten)]
    pub entry: JournalEntry,
    /// The caller in the relay's shared contact book, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<KnownCaller>,
}

/// What an agent sends the relay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum FromAgent {
    /// Call `to` from my extension (there is no `from`: the relay uses the agent's own).
    Dial {
        /// Chosen by the agent, returned in `dialed`.
        id: u64,
        /// The number, as typed.
        to: String,
    },
    /// "I'll call back": claim the missed-call queue's entry for `phone`.
    Claim {
        /// Chosen by the agent, returned in `replied`.
        id: u64,
        /// The caller's number, in any spelling.
        phone: String,
    },
    /// Give a claimed entry back to the team.
    Release {
        /// Chosen by the agent, returned in `replied`.
        id: u64,
        /// The caller's number, in any spelling.
        phone: String,
    },
    /// A supervisor gives a missed caller's callback to agent `to` (taking
    /// it from whoever had claimed it).
    Reassign {
        /// Chosen by the agent, returned in `replied`.
        id: u64,
        /// The caller's number, in any spelling.
        phone: String,
        /// The agent's extension.
        to: String,
    },
    /// A note on a call (new, or an edit): stored and streamed to every agent.
    Note {
        /// Chosen by the agent, returned in `replied`.
        id: u64,
        /// What the agent wrote.
        note: NoteDraft,
    },
    /// (A supervisor) the team's figures for a period.
    Report {
        /// Chosen by the agent, returned in `reported` or `replied`.
        id: u64,
        /// What to report.
        ask: crate::reports::ReportRequest,
    },
    /// My status: available, a break (with a listed reason), after-call work ended.
    Status {
        /// Chosen by the agent, returned in `replied`.
        id: u64,
        /// What to change it to.
        change: StatusChange,
    },
}
