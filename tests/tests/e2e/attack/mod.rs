//! Attacks on loopback, bounded in count and time (SECURITY.md): what anyone
//! who can reach the relay or the listener, another agent, or another user of
//! the machine could try, and what each defence answers.
//!
//! - [`network`]: slow and idle clients, descriptor exhaustion, the relay's
//!   WebSocket bounds, note floods, revocation;
//! - [`local`]: what the product writes and shows: CSV formulas, file modes,
//!   pop markup, the PBX token over plain http.

mod local;
mod network;
