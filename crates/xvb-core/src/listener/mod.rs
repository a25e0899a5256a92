//! Taking the PBX's webhooks: the HTTP endpoint (`POST /hook/<secret>`), and
//! the engine that wires it to the store's writer, the contact book and the
//! notification decisions.
//!
//! - [`hook`] — the router: the checks in order, storing and deciding;
//! - [`checks`] — each check a request must pass, and its status and reason;
//! - [`engine`] — opening the parts together and serving;
//! - [`refusals`] — requests refused, told to the agent.
//!
//! Uses `pbx`, `store`, `contacts` and the settings.

pub mod checks;
pub mod engine;
pub mod hook;
pub mod refusals;

pub use engine::Engine;
pub use hook::{router, HookState, KnownCaller, Taken};

#[cfg(test)]
mod tests;
