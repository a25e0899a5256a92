//! Where notification decisions go: the CLI prints them or pops them, the app shows them.

use crate::pbx::call::Call;
use crate::pbx::context::CallerContext;
use crate::pbx::decision::Decision;
use serde::Serialize;
use std::fmt;

/// A decision with what is needed to show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notice {
    /// What to show.
    pub decision: Decision,
    /// The call, merged with the event that caused the decision.
    pub call: Call,
    /// The caller's responsible extension from the contact book.
    pub responsible: Option<String>,
    /// The CRM card link, when a template is set.
    pub crm_url: Option<String>,
    /// The caller's last contact with the team (a new call in from a known number).
    pub context: Option<CallerContext>,
}

/// What happened while an agent was away from a team relay (app closed,
/// laptop asleep), told once when it is back instead of a pop for each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AwaySummary {
    /// Calls that came (and mostly went) meanwhile.
    pub calls: usize,
    /// Of those, the ones that rang for this agent and nobody answered.
    pub missed: usize,
}

/// `AWAY calls=20 missed=7`, as `xvb serve --relay` prints it.
impl fmt::Display for AwaySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AWAY calls={} missed={}", self.calls, self.missed)
    }
}

/// Receives decisions. Called on the listener's task: must not block.
pub trait Notifier: Send + Sync {
    /// Shows (or queues) one notice.
    fn notify(&self, notice: Notice);
    /// Shows what happened while the agent was away, in one notice.
    fn away(&self, summary: AwaySummary);
    /// Tells the agent the listener refused a request (at most once an hour;
    /// the latest is also in Settings). Nothing by default.
    fn refused(&self, _refused: &crate::pbx::refusal::Refused) {}
    /// A note the team relay streamed was stored (a colleague's, an edit, or
    /// a removal): an open call shows it. Nothing by default.
    fn note(&self, _note: &crate::notes::Note) {}
    /// A new event from this computer's own webhook was stored, merged into
    /// `call` (a relay node counts them for its metrics). Nothing by default.
    fn stored(&self, _kind: &crate::pbx::protocol::EventKind, _call: &Call) {}
}

/// Makes no notification: a relay decides nothing of its own.
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _: Notice) {}
    fn away(&self, _: AwaySummary) {}
}

impl Notice {
    /// The caller as agents should read it: the contact name, else the number,
    /// else `hidden number` (a withheld caller ID).
    pub fn caller(&self) -> &str {
        self.call
            .contact_name
            .as_deref()
            .or(self.call.phone.as_deref())
            .unwrap_or("hidden number")
    }
}

/// One line per notice, e.g. `RING 79201119613 "Вася" line=74950000000 responsible=100 callid=…`.
impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match &self.decision {
            Decision::Ring => "RING",
            Decision::AnsweredByMe => "ANSWERED_BY_ME",
            Decision::AnsweredByColleague(_) => "ANSWERED_BY_COLLEAGUE",
            Decision::Missed => "MISSED",
            Decision::Nothing => "NOTHING",
        };
        let phone = self.call.phone.as_deref().unwrap_or("hidden");
        let name = self.call.contact_name.as_deref().unwrap_or("");
        write!(f, "{word} {phone} {name:?}")?;
        if let Decision::AnsweredByColleague(ext) = &self.decision {
            write!(f, " by={ext}")?;
        }
        if let Some(line) = &self.call.line_number {
            write!(f, " line={line}")?;
        }
        if let Some(ext) = &self.responsible {
            write!(f, " responsible={ext}")?;
        }
        write!(f, " callid={}", self.call.callid)
    }
}
