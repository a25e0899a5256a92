//! The team relay (`xvb relay serve`): one public webhook URL for the PBX, and
//! agents' apps behind NAT connected to it over one outbound WebSocket each.
//!
//! The relay takes the PBX's requests with the same listener, authentication,
//! merging and durable store as direct mode, and answers `cmd=contact` from its
//! shared contact book. Every stored event has a sequence number (its journal
//! row); an agent connects to `GET /relay/agent?after=N` with its own token
//! (`Authorization: Bearer …`) and receives every event after `N`, first from
//! the store, then live, in order. An agent's `makeCall` goes through the relay,
//! which keeps the PBX token and always dials from that agent's extension.
//!
//! - [`wire`] — the messages on the agent's WebSocket;
//! - [`join_code`] — the line an admin hands an agent;
//! - [`agents`] — the relay's agents and stream reads ([`RelayStore`]);
//! - `server` — the relay's HTTP application and its retention;
//! - `state` — what the handlers share: the state, live events encoded once,
//!   the team view's frame, where a stream starts (imports none of them);
//! - `stream` — one agent's connection: backlog, live events, dials;
//! - `backfill` — an agent new to a group gets its last 24 hours as history;
//! - `dial` — an agent's call placed with the relay's PBX token;
//! - `guard` — connections per agent, request rates, revocations;
//! - `team` — the team view kept fresh, claims of missed callers and their reassigning;
//! - `status` — agents' status changes, after-call work after each answered call;
//! - `notes` — agents' notes checked and stored, the team's tags kept fresh;
//! - `report` — a supervisor's report of the team's figures;
//! - `routes` — who sees each entry: its call's route and the groups, read every second;
//! - `tail` — a node on PostgreSQL following what every node stored;
//! - `metrics` — Prometheus metrics on their own address;
//! - `wallboard` — the office wallboard: its page, its code, its live board;
//! - `serve` — listening, with TLS or on loopback.
//!
//! Uses the listener, the store, the dialer and the secrets; the agent's side
//! of the link is [`crate::reach::link`].

pub mod agents;
mod backfill;
mod dial;
mod guard;
pub mod join_code;
mod metrics;
mod notes;
mod report;
mod routes;
mod serve;
mod server;
mod state;
mod status;
mod stream;
#[cfg(feature = "postgres")]
mod tail;
mod team;
mod wallboard;
pub mod wire;

pub use agents::{token_hash, RelayStatus, RelayStore, SqliteRelayStore};
pub(crate) use guard::TooMany;
pub use join_code::JoinCode;
pub use report::{check_group, ReportRefused};
pub use serve::serve_relay;
pub use server::{relay_app, AGENT_MESSAGE_LIMIT};
pub use team::derive_view;
pub(crate) use team::ClaimAnswer;
pub use wallboard::WALLBOARD_PATH;

use crate::CoreError;

/// Why a join code, a relay connection or a relayed dial failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Not `https://host[:port]#token`.
    #[error("this is not a join code (it looks like https://relay.example:8443#…); paste the whole line the admin gave you")]
    BadJoinCode,
    /// Plain `http://` to a relay that is not on this computer.
    #[error("the join code uses plain http:// to another computer; relays are reached over https:// (plain http only on this computer's loopback)")]
    Insecure,
    /// The relay refused the token.
    #[error(
        "the relay refused this join code (revoked, or mistyped); ask your admin for a new one"
    )]
    Refused,
    /// Network or protocol trouble.
    #[error("cannot reach the relay: {0}")]
    Connection(String),
    /// No connection right now.
    #[error(
        "not connected to the relay right now; it reconnects by itself — try again in a moment"
    )]
    NotConnected,
    /// The relay could not place the call.
    #[error("{0}")]
    Dial(String),
    /// The relay stored a note, which did not come back on the stream in time.
    #[error("the relay stored the note but has not sent it back yet; it appears when the connection catches up")]
    NotBackYet,
    /// The local store failed.
    #[error(transparent)]
    Core(#[from] CoreError),
}
