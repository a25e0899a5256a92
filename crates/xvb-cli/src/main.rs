//! `xvb`: the headless XVB Companion — listener, history, contacts and a PBX simulator.
//!
//! This file is the command-line tree (its doc comments are `xvb --help`) and the
//! dispatch; each command's code is in `commands/`, listed in `commands/mod.rs`.

mod commands;
mod error;
mod outside;

use clap::{Parser, Subcommand};
use commands::{
    call, config, contacts, history, notes, recording, relay, report, serve, sim, team, token,
};
use error::CliError;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use xvb_core::config::DataDir;

#[derive(Parser)]
#[command(
    name = "xvb",
    version,
    about = "XVB Companion, headless: webhook listener, call history, contacts, PBX simulator"
)]
struct Cli {
    /// Data directory (config.toml, database). Default: the OS data dir for xvb-companion.
    #[arg(long, global = true, env = "XVB_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show or change settings.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Print the URL to paste into the PBX's "WebHook URL" setting.
    WebhookUrl,
    /// Run the webhook listener and print one line per notification decision.
    Serve {
        /// Listen on this address instead of the configured one.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Take the team's events from a relay instead of listening (the join code
        /// the admin gave; or set XVB_RELAY, which `ps` does not show).
        #[arg(long, value_name = "JOIN_CODE")]
        relay: Option<String>,
        /// Also show decisions as desktop notifications.
        #[arg(long)]
        notify: bool,
    },
    /// List calls, newest first (or export them as CSV with --csv FILE).
    History(history::HistoryArgs),
    /// Your figures: the calls this computer has, and yours (answered, talk time…).
    Report(report::ReportArgs),
    /// Write a note on a call (in relay mode it goes to the relay, and the team sees it).
    Note(notes::NoteArgs),
    /// Every request as received, oldest first (for support).
    Journal {
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most N entries.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// The contact book the PBX asks with `cmd=contact`.
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),
    /// Ask the PBX to call NUMBER from your phone (`makeCall`).
    Call {
        /// The client's number, as pasted (`+7 (920) 111-96-13`, `tel:…`).
        number: String,
        /// Place the call through a team relay (which dials from your own extension).
        #[arg(long, value_name = "JOIN_CODE", conflicts_with = "from")]
        relay: Option<String>,
        /// Call from this extension instead of yours.
        #[arg(long, value_name = "EXT")]
        from: Option<String>,
    },
    /// Call recordings, fetched from the PBX's host and cached.
    #[command(subcommand)]
    Recording(recording::RecordingCommand),
    /// Decode a raw G.722 recording to a 16 kHz mono WAV file.
    DecodeG722 {
        /// The raw G.722 file (as the PBX's record link serves it).
        input: PathBuf,
        /// The WAV file to write.
        output: PathBuf,
        /// Bit rate of the stream: 64, 56 or 48 kbit/s.
        #[arg(long, default_value_t = 64)]
        bits: u32,
    },
    /// The PBX token (or, with --recordings, the recordings password), kept only in the OS keyring.
    Token(token::TokenArgs),
    /// Send requests exactly as the PBX does, or act as a PBX (admins: check the set-up; tests).
    Sim(sim::SimArgs),
    /// The team relay: one webhook URL for the PBX, agents connect out to it.
    #[command(subcommand)]
    Relay(relay::RelayCommand),
    /// (Relay mode) The team's board: each extension ringing, talking, free or offline.
    Board {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only this call-centre group's members.
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
    /// (Relay mode) The team's missed-call queue: list, claim, release, reassign.
    #[command(subcommand)]
    Missed(team::MissedCommand),
    /// (Relay mode) My status: with no change, show it; else available,
    /// break --reason R, or acw-end.
    Status {
        /// The change.
        #[command(subcommand)]
        change: Option<team::StatusCommand>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("XVB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xvb: {}", outside::shown(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// A join code on the command line is shown by `ps` to every user of the
/// computer for as long as the command runs: say so, and what keeps it private.
fn warn_if_code_given(code: Option<&str>) {
    if code.is_some() {
        tracing::warn!(
            "the join code given with --relay is visible to other users of this computer (`ps` shows \
             command lines); set XVB_RELAY instead, or run `xvb relay join CODE` once to keep it in the keyring"
        );
    }
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let data = DataDir::resolve(cli.data_dir)?;
    match cli.command {
        Command::Config(command) => config::run(&data, command)?,
        Command::WebhookUrl => config::webhook_url(&data)?,
        Command::Serve {
            listen,
            relay: code,
            notify,
        } => {
            warn_if_code_given(code.as_deref());
            serve::run(&data, listen, code, notify)?
        }
        Command::History(args) => history::run(&data, args)?,
        Command::Report(args) => report::own_report(&data, &args)?,
        Command::Note(args) => notes::note(&data, args)?,
        Command::Journal { after, limit } => history::journal(&data, after, limit)?,
        Command::Contacts(command) => return contacts::run(&data, command),
        Command::Call {
            number,
            relay: code,
            from,
        } => {
            warn_if_code_given(code.as_deref());
            call::run(&data, &number, code, from)?
        }
        Command::Relay(command) => relay::run(&data, command)?,
        Command::Token(args) => token::run(&data, args)?,
        Command::DecodeG722 {
            input,
            output,
            bits,
        } => recording::decode_g722(&input, &output, bits)?,
        Command::Recording(command) => recording::run(&data, command)?,
        Command::Sim(args) => return sim::run(args),
        Command::Board { json, group } => team::board(&data, json, group.as_deref())?,
        Command::Missed(command) => team::missed(&data, command)?,
        Command::Status { change, json } => team::status(&data, change, json)?,
    }
    Ok(ExitCode::SUCCESS)
}
