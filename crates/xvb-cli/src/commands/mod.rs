//! The code of each `xvb` command family; `main.rs` parses and dispatches here.
//!
//! - `config.rs`: `xvb config set/show`, `xvb webhook-url`.
//! - `serve.rs`: `xvb serve` (direct or `--relay`), the `ServeNotifier` that prints
//!   each decision, `shutdown_signal`; `serve/popup.rs`: the `--notify` desktop pops.
//! - `history.rs`: `xvb history` (also `--csv`), `xvb journal`.
//! - `notes.rs`: `xvb note`, and `xvb relay tags set/list` on the relay.
//! - `contacts.rs`: `xvb contacts import/list/add/remove`.
//! - `call.rs`: `xvb call` (direct, or handed to `relay.rs` with `--relay`).
//! - `recording.rs`: `xvb recording fetch/export`, `xvb decode-g722`.
//! - `token.rs`: `xvb token set/status/clear` (and `--recordings`, `--tunnel`).
//! - `sim.rs`: `xvb sim …`, the PBX simulator.
//! - `relay.rs`: `xvb relay …`, and the relay side of `serve --relay` and `call --relay`.
//! - `team.rs`: `xvb board`, `xvb missed …` through the relay, and how both print.
//!
//! A family's clap subcommands (`ContactsCommand`, `TokenArgs`, …) live in its file;
//! the top-level `Command` tree stays in `main.rs`. This file holds what several
//! families share: starting a Tokio runtime and binding a listen address.

pub(crate) mod call;
pub(crate) mod config;
pub(crate) mod contacts;
pub(crate) mod history;
pub(crate) mod notes;
pub(crate) mod recording;
pub(crate) mod relay;
pub(crate) mod serve;
pub(crate) mod sim;
pub(crate) mod team;
pub(crate) mod token;

use crate::error::CliError;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// A single-threaded runtime, for commands that make a request or two.
pub(crate) fn current_thread_runtime() -> Result<Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start: {e}")))
}

/// A multi-threaded runtime, for the long-running servers (`serve`, `relay serve`).
pub(crate) fn multi_thread_runtime() -> Result<Runtime, CliError> {
    Runtime::new().map_err(|e| CliError::Failed(e.to_string()))
}

/// Listens on `addr` (port 0 picks a free one); returns the listener and the address it got.
pub(crate) async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), CliError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| CliError::Bind { addr, source })?;
    Ok((listener, bound))
}
