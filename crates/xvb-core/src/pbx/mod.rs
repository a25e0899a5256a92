//! The PBX as this product sees it: its webhook protocol, merging a call's
//! events, what to tell the agent about each event, phone numbers, asking the
//! PBX to dial (`makeCall`), and a simulator that speaks its exact bytes.
//!
//! - [`fields`] — a request's fields, read strictly and within limits, and why
//!   a request is refused;
//! - [`protocol`] — commands and typed call events;
//! - [`call`] — a call's record from its events, in any order;
//! - [`context`] — what the team knows of a caller, as plain values;
//! - [`decision`] — ring / withdrawn / in call / missed, as pure decisions;
//! - [`notifier`] — where those decisions go (the CLI prints, the app pops);
//! - [`phone`] — number normalisation and finding a number in text;
//! - [`pop`] — what a screen-pop says, in the agent's language;
//! - [`refusal`] — a request the listener refused, as the agent is told of it;
//! - [`dialer`] — `makeCall`;
//! - [`sim`] — requests as the PBX's Perl LWP sends them, and a stand-in PBX
//!   (`sim_error`: why one did not arrive; `sim_pbx`: the stand-in PBX).
//!
//! Uses only the settings and secrets (for the dialer's token); everything
//! else in the crate builds on this.

pub mod call;
pub mod context;
pub mod decision;
pub mod dialer;
pub mod fields;
pub mod notifier;
pub mod phone;
pub mod pop;
pub mod protocol;
pub mod refusal;
pub mod sim;
mod sim_error;
mod sim_pbx;
