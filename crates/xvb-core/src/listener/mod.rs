//! Taking the PBX's webhooks: the HTTP endpoint (`POST /hook/<secret>`), and
//! the engine that wires it to the store's writer, the contact book and the
//! notification decisions.
//!
//! - [`hook`] — the router, its checks and status codes, storing and deciding;
//! - [`engine`] — opening the parts together and serving;
//! - [`refusals`] — requests refused, told to the agent.
//!
//! Uses `pbx`, `store`, `contacts` and the settings.

pub mod engine;
pub mod hook;
pub mod refusals;

pub use engine::Engine;
pub use hook::{router, HookState, KnownCaller, Taken};

#[cfg(test)]
mod tests;
