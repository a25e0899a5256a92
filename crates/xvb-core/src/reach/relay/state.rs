//! What the relay's parts share, below all of them: the state every handler
//! holds, stored entries encoded once for every agent's connection, the team
//! view's frame, and where an agent's stream starts. Imports none of the
//! relay's handlers (`server`, `stream`, `team`, `notes`), which all use it.

use super::agents::RelayStore;
use super::guard::Guard;
use super::routes::Routes;
use super::wire::{StreamedEvent, ToAgent};
use crate::groups::{Audience, Routing, ViewKey};
use crate::listener::HookState;
use crate::notes::Tag;
use crate::store::JournalEntry;
use crate::team::TeamView;
use axum::extract::ws::Utf8Bytes;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch, Notify};

/// What the relay's handlers share.
#[derive(Clone)]
pub(super) struct RelayState {
    /// Agents and stream reads.
    pub(super) store: RelayStore,
    /// Stored events, encoded once for every agent.
    pub(super) live: broadcast::Sender<Encoded>,
    /// The webhook's state: settings, writer, contact book.
    pub(super) hook: HookState,
    /// The team's board and missed-call queue, as last derived.
    pub(super) team: watch::Receiver<TeamFrame>,
    /// Told when claims or connections change here: the view is derived again.
    pub(super) team_changed: Arc<Notify>,
    /// The team's tags, as last read from the store.
    pub(super) tags: watch::Receiver<Vec<Tag>>,
    /// Connections per agent, rates, revocations.
    pub(super) guard: Guard,
    /// The groups, default group and supervisors, as last read.
    pub(super) routing: watch::Receiver<Arc<Routing>>,
    /// Recent calls' routes: who sees each entry.
    pub(super) routes: Arc<Routes>,
    /// On PostgreSQL: how recently this node read the shared stream (its health).
    #[cfg(feature = "postgres")]
    pub(super) tail: Option<Arc<super::tail::Freshness>>,
}

impl RelayState {
    /// Who sees `entry` under the groups as they are now.
    pub(super) async fn audience(&self, entry: &JournalEntry) -> Audience {
        let routing = self.routing.borrow().clone();
        self.routes
            .audience(&routing, entry, &self.store, &self.hook)
            .await
    }

    /// An entry with its caller from the shared book.
    pub(super) fn streamed(&self, entry: JournalEntry) -> StreamedEvent {
        let caller = entry
            .field("phone")
            .and_then(|phone| self.hook.known_caller(phone));
        StreamedEvent { entry, caller }
    }
}

/// A live event, already encoded for the wire (once for every agent); `None`
/// when the encoder fell behind and agents must catch up from the store.
#[derive(Clone)]
pub(super) struct Encoded(pub(super) Option<Live>);

/// One stored entry as every agent's connection gets it.
#[derive(Clone)]
pub(super) struct Live {
    /// Its sequence number.
    pub(super) seq: i64,
    /// Whether it is a note (sent only to agents that asked for notes).
    pub(super) note: bool,
    /// The `event` message.
    pub(super) text: Utf8Bytes,
    /// Who sees it.
    pub(super) audience: Arc<Audience>,
}

/// A message as a text frame's payload.
pub(super) fn encode(message: &ToAgent) -> Utf8Bytes {
    serde_json::to_string(message)
        .expect("messages serialise")
        .into()
}

/// The latest team view, and its frames for the wire.
pub(super) type TeamFrame = Option<Arc<TeamFrames>>;

/// The team's whole view under the groups it was derived with, and its frame
/// for each kind of agent ([`ViewKey`]), encoded once when first asked for.
pub(super) struct TeamFrames {
    view: TeamView,
    routing: Arc<Routing>,
    encoded: Mutex<HashMap<ViewKey, TeamPart>>,
}

/// One kind of agent's part of the team view, and its frame.
pub(super) type TeamPart = Arc<(TeamView, Utf8Bytes)>;

impl TeamFrames {
    pub(super) fn new(view: TeamView, routing: Arc<Routing>) -> TeamFrames {
        TeamFrames {
            view,
            routing,
            encoded: Mutex::default(),
        }
    }

    /// The team's whole view.
    pub(super) fn view(&self) -> &TeamView {
        &self.view
    }

    /// Whether these frames already show `view` under `routing`.
    pub(super) fn shows(&self, view: &TeamView, routing: &Arc<Routing>) -> bool {
        self.view.shows_as(view) && Arc::ptr_eq(&self.routing, routing)
    }

    /// The part agent `ext` gets (its groups'), with its frame.
    pub(super) fn part_for(&self, ext: &str) -> TeamPart {
        let key = self.routing.view_key(&self.routing.viewer(ext));
        let mut encoded = self.encoded.lock().expect("team frames lock");
        encoded
            .entry(key)
            .or_insert_with_key(|key| {
                let part = self.routing.team_view_for(&self.view, key).for_agents();
                let frame = encode(&ToAgent::Team(Box::new(part.clone())));
                Arc::new((part, frame))
            })
            .clone()
    }
}

#[derive(Deserialize)]
pub(super) struct After {
    #[serde(default)]
    pub(super) after: i64,
    /// The stream epoch the agent's position belongs to (0: unknown).
    #[serde(default)]
    pub(super) epoch: i64,
    /// Whether the agent wants the team view (agents before it did not ask).
    #[serde(default)]
    pub(super) team: bool,
    /// Whether the agent takes notes in its stream (agents before notes did not ask).
    #[serde(default)]
    pub(super) notes: bool,
}
