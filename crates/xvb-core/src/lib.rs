//! XVB Companion's engine, free of any GUI. The `xvb` CLI and the desktop app
//! are thin shells over it. The map, one folder per concern:
//!
//! - [`pbx`] — the PBX's webhook protocol, call merging, notification
//!   decisions, phone numbers, `makeCall`, the PBX simulator;
//! - [`listener`] — the webhook endpoint and the engine behind it;
//! - [`net`] — serving HTTP with every connection bounded (deadlines, caps);
//! - [`store`] — the SQLite store, one file per table (journal, calls, contacts,
//!   relay agents), the writer thread, history queries and their CSV export;
//! - [`contacts`] — the contact book: CSV/vCard import and export, the in-memory index;
//! - [`spreadsheet`] — CSV cells made safe for spreadsheets (no formulas);
//! - [`audio`] — recordings: fetching, G.722 decoding, WAV export, playback;
//! - [`reach`] — the team relay, an agent's link to it, the tunnel, and the
//!   [`reach::Reach`] line;
//! - [`notes`] — call notes and tags (dispositions);
//! - [`team`] — the team's board and shared missed-call queue, derived from stored calls;
//! - [`groups`] — call-centre groups on a relay: which group a call belongs to, who sees it;
//! - [`app`] — what the desktop app does, as one [`app::Companion`];
//! - [`words`] — the core's messages in Russian ([`words::Worded`]), for the app;
//! - `notifications` — the desktop's notification server over D-Bus (Linux);
//! - [`config`] and [`secret`] — settings in `config.toml`, secrets in the keyring;
//! - [`private`] — files only this user reads (the data dir, database, exports, logs);
//! - [`CoreError`] — what can go wrong, each with what to do about it.

#![warn(missing_docs)]

pub mod app;
pub mod audio;
pub mod config;
pub mod contacts;
mod error;
pub mod groups;
pub mod listener;
pub mod net;
pub mod notes;
#[cfg(unix)]
pub mod notifications;
pub mod pbx;
pub mod private;
pub mod reach;
pub mod reports;
pub mod secret;
pub mod spreadsheet;
pub mod store;
pub mod team;
mod tls;
pub mod words;

pub use error::CoreError;
