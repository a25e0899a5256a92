//! What the relay's store hands back beyond stored rows: its status for
//! `xvb relay status`, what the team view is derived from, and a token's
//! stored form.

use crate::pbx::call::Call;
use crate::store::{AgentRow, Kept, NodeRow};
use crate::team::Claim;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The stored form of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `xvb relay status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct RelayStatus {
    /// Every agent, revoked ones too.
    pub agents: Vec<AgentRow>,
    /// When the PBX last sent anything.
    pub last_pbx_request: Option<String>,
    /// Events stored since midnight (UTC).
    pub events_today: i64,
    /// The newest sequence number, and what was pruned.
    pub kept: Kept,
    /// Relay nodes sharing the store (PostgreSQL; empty for one SQLite relay).
    pub nodes: Vec<NodeRow>,
    /// The database's standbys and how far behind they are, where visible.
    pub standbys: Vec<String>,
}

/// What the team view is derived from ([`crate::team::TeamView::derive`]).
pub struct TeamInputs {
    /// Each agent's extension and whether its app is connected (revoked agents left out).
    pub roster: Vec<(String, bool)>,
    /// The calls in the window.
    pub calls: Vec<Call>,
    /// The claims in the window.
    pub claims: Vec<Claim>,
    /// The extensions' names.
    pub names: HashMap<String, String>,
}
