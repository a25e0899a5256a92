//! How the PBX's events reach an agent behind NAT, and the one status line
//! ([`Reach`]) the CLI, the tray and the UI show for it.
//!
//! - [`relay`] — the team relay's server (`xvb relay serve`) and join codes;
//! - [`link`] — an agent's side of the relay (events in, dials out);
//! - [`catch_up`] — coming back without a flood of stale pops;
//! - [`tunnel`] — a single agent's listener exposed on a bore server;
//! - `backoff` — the waits before reconnecting, shared by the link and the tunnel.
//!
//! Uses the listener (to store and decide on events), the store, the dialer
//! and the secrets.

mod backoff;
pub mod catch_up;
pub mod link;
pub mod relay;
pub mod tunnel;

use link::LinkStatus;
use serde::Serialize;
use std::fmt;
use tunnel::TunnelStatus;

/// How the PBX's events reach this agent now. The CLI and the tray print it
/// (its `Display`, in English); the UI gets it as JSON and words it in the
/// agent's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reach {
    /// Not taking events yet (starting, or settings being applied).
    Starting,
    /// The PBX posts to this computer's listener directly.
    Listening {
        /// The address listened on (`127.0.0.1:8787`).
        addr: String,
    },
    /// The PBX posts through a tunnel to the listener.
    Tunnel {
        /// The tunnel's state.
        tunnel: TunnelStatus,
    },
    /// Events come from the team relay.
    Relay {
        /// The link's state.
        link: LinkStatus,
    },
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reach::Starting => write!(f, "starting"),
            Reach::Listening { addr } => write!(f, "listening on {addr}"),
            Reach::Tunnel { tunnel } => write!(f, "tunnel: {tunnel}"),
            Reach::Relay { link } => write!(f, "relay: {link}"),
        }
    }
}

/// A wait, as the reach line words it (`2.5 s`).
fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}
