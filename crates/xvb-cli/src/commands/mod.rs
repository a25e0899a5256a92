//! The code of each `xvb` command family; `main.rs` parses and dispatches here.
//!
//! - `config.rs`: `xvb config set/show`, `xvb webhook-url`.
//! - `serve.rs`: `xvb serve` (direct or as a relay's agent with `--relay`), the
//!   `ServeNotifier` that prints each decision; `serve/popup.rs`: the `--notify` desktop pops.
//! - `history.rs`: `xvb history` (also `--csv`), `xvb journal`.
//! - `notes.rs`: `xvb note`, and `xvb relay tags set/list` on the relay.
//! - `contacts.rs`: `xvb contacts import/list/add/remove`.
//! - `call.rs`: `xvb call` (direct, or through the relay with `--relay`).
//! - `recording.rs`: `xvb recording fetch/export`, `xvb decode-g722`.
//! - `token.rs`: `xvb token set/status/clear` (and `--recordings`, `--tunnel`).
//! - `sim.rs`: `xvb sim …`, the PBX simulator.
//! - `relay/`: `xvb relay …` (mod.rs), its `agent …` and `status` (agents.rs).
//! - `team.rs`: `xvb board`, `xvb missed …` through the relay, and how both print.
//! - `report.rs`: `xvb report` (an agent's own figures) and `xvb relay report`.
//! - `relay_access.rs`: finding the relay (a join code, or the relay's own store),
//!   for every family that talks to one.
//!
//! A family's clap subcommands (`ContactsCommand`, `TokenArgs`, …) live in its file;
//! the top-level `Command` tree stays in `main.rs`. This file holds what several
//! families share: starting a Tokio runtime, binding a listen address, waiting
//! for a stop signal, reading a typed day. Imports run one way: `relay`
//! dispatches to `notes`, `team` and `report`, and `call` uses `serve`'s printer; otherwise families use only this
//! file and `relay_access.rs`, never one another.

pub(crate) mod call;
pub(crate) mod config;
pub(crate) mod contacts;
pub(crate) mod history;
pub(crate) mod notes;
pub(crate) mod recording;
pub(crate) mod relay;
mod relay_access;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod sim;
pub(crate) mod sources;
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

/// Said after a webhook URL shown with its secret hidden.
pub(crate) const WHOLE: &str = "(secret hidden: `xvb webhook-url` prints it whole)";

/// Resolves on Ctrl-C or SIGTERM (on Windows: Ctrl-C, Ctrl-Break, the console
/// closing or the system shutting down), logging "stopping": when `serve` and
/// `relay serve` end.
pub(crate) async fn shutdown_signal() {
    stop_requested().await;
    tracing::info!("stopping");
}

#[cfg(unix)]
async fn stop_requested() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler installs");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}

#[cfg(windows)]
async fn stop_requested() {
    use tokio::signal::windows;
    let mut brk = windows::ctrl_break().expect("Ctrl-Break handler installs");
    let mut close = windows::ctrl_close().expect("console-close handler installs");
    let mut shutdown = windows::ctrl_shutdown().expect("shutdown handler installs");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = brk.recv() => {},
        _ = close.recv() => {},
        _ = shutdown.recv() => {},
    }
}

/// A day as typed (`2026-12-31`), for `--since`, `--from` and the like.
pub(crate) fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("`{text}` is not a date; write it as 2026-12-31"))
}

/// The start of `day` in `offset`, as Unix milliseconds.
pub(crate) fn day_start_ms(day: time::Date, offset: time::UtcOffset) -> i64 {
    let start = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT).assume_offset(offset);
    (start.unix_timestamp_nanos() / 1_000_000) as i64
}

/// How a listing is written: lines (default), JSON, or a CSV file for Excel.
#[derive(clap::Args)]
pub(crate) struct Output {
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub(crate) json: bool,
    /// Write it to FILE as CSV (UTF-8 with BOM, which Excel opens as it is).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<std::path::PathBuf>,
    /// Separate CSV fields with `;` (what Excel in a Russian locale expects).
    #[arg(long, requires = "csv")]
    pub(crate) semicolon: bool,
}

impl Output {
    /// The CSV field separator asked for.
    pub(crate) fn separator(&self) -> u8 {
        if self.semicolon {
            b';'
        } else {
            b','
        }
    }
}
