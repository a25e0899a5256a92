//! What an agent asks the relay over its link (dials, claims, releases,
//! reassignments, notes, status changes) and handing each answer back to whoever asked.

use crate::notes::NoteDraft;
use crate::reach::relay::wire::FromAgent;
use crate::reach::relay::RelayError;
use crate::team::StatusChange;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// How long a dial waits for the relay's answer.
const DIAL_WAIT: Duration = Duration::from_secs(20);
/// How long a note the relay stored may take to come back on the stream.
const STREAMED_BACK: Duration = Duration::from_secs(5);

/// What an agent asks the relay.
pub(super) enum Ask {
    /// Call this number from my extension.
    Dial(String),
    /// I'll call this missed caller back.
    Claim(String),
    /// I won't call them back after all.
    Release(String),
    /// (A supervisor) this agent calls them back: the number, the extension.
    Reassign(String, String),
    /// Store this note for the team.
    Note(NoteDraft),
    /// Change my status.
    Status(StatusChange),
    /// (A supervisor) the team's figures.
    Report(crate::reports::ReportRequest),
}

impl Ask {
    pub(super) fn message(self, id: u64) -> FromAgent {
        match self {
            Ask::Dial(to) => FromAgent::Dial { id, to },
            Ask::Claim(phone) => FromAgent::Claim { id, phone },
            Ask::Release(phone) => FromAgent::Release { id, phone },
            Ask::Reassign(phone, to) => FromAgent::Reassign { id, phone, to },
            Ask::Note(note) => FromAgent::Note { id, note },
            Ask::Status(change) => FromAgent::Status { id, change },
            Ask::Report(ask) => FromAgent::Report { id, ask },
        }
    }
}

/// What the relay answered: its message and, for a note, the note's sequence number.
pub(super) type Answer = Result<(String, Option<i64>), RelayError>;

pub(super) type DialJob = (Ask, oneshot::Sender<Answer>);

/// Asks the relay through a [`RelayLink`](super::RelayLink): dials, claims, releases, notes.
pub struct RelayDialer {
    pub(super) asks: mpsc::Sender<DialJob>,
    /// The relay's sequence number this link last stored.
    pub(super) stored: watch::Receiver<i64>,
}

impl RelayDialer {
    /// Asks the relay to call `to` from this agent's extension; the PBX's reply.
    pub async fn dial(&self, to: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Dial(to.to_owned())).await?.0)
    }

    /// Claims the team's missed caller `phone` ("I'll call back"); what the relay said.
    pub async fn claim(&self, phone: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Claim(phone.to_owned())).await?.0)
    }

    /// Gives the missed caller `phone` back to the team's queue; what the relay said.
    pub async fn release(&self, phone: &str) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Release(phone.to_owned())).await?.0)
    }

    /// (A supervisor) gives the missed caller `phone`'s callback to agent
    /// `to`; what the relay said.
    pub async fn reassign(&self, phone: &str, to: &str) -> Result<String, RelayError> {
        Ok(self
            .ask(Ask::Reassign(phone.to_owned(), to.to_owned()))
            .await?
            .0)
    }

    /// Changes this agent's status (a break, back, after-call work ended);
    /// what the relay said.
    pub async fn status(&self, change: StatusChange) -> Result<String, RelayError> {
        Ok(self.ask(Ask::Status(change)).await?.0)
    }

    /// (A supervisor) the team's figures for a period, from the relay.
    pub async fn report(
        &self,
        ask: crate::reports::ReportRequest,
    ) -> Result<crate::reports::Report, RelayError> {
        let (text, _) = self.ask(Ask::Report(ask)).await?;
        // The link hands answers on as text; a report travels as its JSON.
        serde_json::from_str(&text).map_err(|e| RelayError::Connection(e.to_string()))
    }

    /// Stores a note for the team (the relay checks its tags); the note's id,
    /// once the stream has brought that version back into this agent's store.
    pub async fn note(&self, draft: NoteDraft) -> Result<String, RelayError> {
        let (id, seq) = match self.ask(Ask::Note(draft)).await? {
            (id, Some(seq)) => (id, seq),
            (_, None) => {
                return Err(RelayError::Dial(
                    "the relay is older than this app and cannot keep notes; ask your admin to update it"
                        .into(),
                ))
            }
        };
        let mut stored = self.stored.clone();
        let back = tokio::time::timeout(STREAMED_BACK, stored.wait_for(|at| *at >= seq))
            .await
            .map(|waited| waited.is_ok());
        match back {
            Ok(true) => Ok(id),
            Ok(false) => Err(RelayError::NotConnected),
            Err(_) => Err(RelayError::NotBackYet),
        }
    }

    async fn ask(&self, ask: Ask) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.asks
            .send((ask, reply))
            .await
            .map_err(|_| RelayError::NotConnected)?;
        tokio::time::timeout(DIAL_WAIT, answer)
            .await
            .map_err(|_| {
                RelayError::Dial(
                    "the relay did not answer in time; check the call history before trying again"
                        .into(),
                )
            })?
            .map_err(|_| RelayError::NotConnected)?
    }
}

/// Hands the relay's answer to request `id` to whoever asked.
pub(super) fn answer(
    waiting: &mut HashMap<u64, oneshot::Sender<Answer>>,
    id: u64,
    ok: bool,
    message: String,
    seq: Option<i64>,
) {
    if let Some(reply) = waiting.remove(&id) {
        let _ = reply.send(if ok {
            Ok((message, seq))
        } else {
            Err(RelayError::Dial(message))
        });
    }
}
