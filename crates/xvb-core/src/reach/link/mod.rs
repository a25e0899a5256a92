//! An agent's side of the team relay: one outbound WebSocket that streams the
//! team's events into the local store (each with its relay sequence number, in
//! the same transaction, so a reconnect resumes exactly after the last stored
//! one), the agent's own notification decisions, and dialing through the relay.
//! Reconnects back off exponentially (0.5 s to 30 s) with jitter.
//! Its state is [`LinkStatus`], shown as part of [`super::Reach`].
//!
//! - this file — [`RelayLink`], what a running link hands out;
//! - `status` — [`LinkStatus`] and its wording;
//! - `ask` — [`RelayDialer`]: asking the relay and waiting for its answer;
//! - `session` — the connection loop, reconnecting with backoff;
//! - `stored` — storing the streamed events and notes.

mod ask;
mod session;
mod status;
mod stored;

pub use ask::RelayDialer;
pub use status::LinkStatus;

use super::relay::{JoinCode, RelayError};
use crate::listener::HookState;
use crate::team::TeamView;
use ask::DialJob;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The team's board and missed-call queue as the relay last sent it.
pub type TeamWatch = watch::Receiver<Option<Arc<TeamView>>>;

/// A running link to a relay; dropping it disconnects.
pub struct RelayLink {
    dials: mpsc::Sender<DialJob>,
    stored: watch::Receiver<i64>,
    status: watch::Receiver<LinkStatus>,
    team: TeamWatch,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RelayLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RelayLink {
    /// Connects (and keeps reconnecting) to the relay of `code`, storing events
    /// through `state` into the database at `database`.
    pub fn start(state: HookState, database: PathBuf, code: JoinCode) -> RelayLink {
        let (status_tx, status) = watch::channel(LinkStatus::Connecting);
        // A new relay's view and tags, not the last one's (no tags until it sends
        // them: this computer's own list is for direct mode).
        state.team.send_replace(None);
        state.team_tags.send_replace(Some(Vec::new()));
        let team = state.team.subscribe();
        let (dials, dial_rx) = mpsc::channel(16);
        let (stored_tx, stored) = watch::channel(0);
        let link = Link {
            state,
            database,
            code,
            status: status_tx,
            stored: stored_tx,
        };
        let task = tokio::spawn(session::keep_connected(link, dial_rx));
        RelayLink {
            dials,
            stored,
            status,
            team,
            task,
        }
    }

    /// The team's board and missed-call queue, updated as the relay sends them.
    pub fn team(&self) -> TeamWatch {
        self.team.clone()
    }

    /// The link's state, updated as it changes.
    pub fn status(&self) -> watch::Receiver<LinkStatus> {
        self.status.clone()
    }

    /// A handle that dials through this link (without holding on to the link).
    pub fn dialer(&self) -> RelayDialer {
        RelayDialer {
            asks: self.dials.clone(),
            stored: self.stored.clone(),
        }
    }

    /// Asks the relay to call `to` from this agent's extension; the PBX's reply.
    pub async fn dial(&self, to: &str) -> Result<String, RelayError> {
        self.dialer().dial(to).await
    }
}

/// What a link's connections share.
struct Link {
    state: HookState,
    database: PathBuf,
    code: JoinCode,
    status: watch::Sender<LinkStatus>,
    /// The relay's sequence number last stored (what a note's author waits for).
    stored: watch::Sender<i64>,
}
