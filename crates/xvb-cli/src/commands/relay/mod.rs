//! `xvb relay …`: the team relay and its agents (admins), and joining or
//! leaving one (agents). What agents run against a relay lives with its
//! command (`serve --relay` in `serve.rs`, `call --relay` in `call.rs`);
//! finding the relay is `relay_access.rs`.
//!
//! - this file — the `xvb relay` clap tree and its dispatch: `serve`,
//!   `board`, `missed`, `import-sqlite`, `join`, `leave` (`tags` and `note`
//!   go to `notes.rs`, `report` to `report.rs`, the board's printing is `team.rs`'s);
//! - `agents` — `xvb relay agent …` and `xvb relay status`;
//! - `groups` — `xvb relay group …`;
//! - `wallboards` — `xvb relay wallboard …`.

mod agents;
mod groups;
mod wallboards;

use super::relay_access::relay_store;
use super::{current_thread_runtime, multi_thread_runtime, shutdown_signal, WHOLE};
use crate::error::CliError;
use crate::outside::out;
use agents::AgentCommand;
use clap::Subcommand;
use groups::GroupCommand;
use std::net::SocketAddr;
use std::path::PathBuf;
use xvb_core::config::DataDir;
use xvb_core::reach::relay::{derive_view, relay_app, serve_relay, JoinCode, RelayStore};
use xvb_core::secret::{SecretKind, TokenStore};
use xvb_core::team::TeamView;

/// `xvb relay` subcommands.
#[derive(Subcommand)]
pub(crate) enum RelayCommand {
    /// Run the relay: the PBX's webhooks in, every agent's stream out.
    Serve {
        /// Listen here instead of the configured address.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// TLS certificate chain (PEM); with --tls-key the relay serves HTTPS itself.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// The agents allowed to connect.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Call-centre groups: the lines each answers, its members, the default group.
    #[command(subcommand)]
    Group(GroupCommand),
    /// The office wallboard's links: add, list, revoke.
    #[command(subcommand)]
    Wallboard(wallboards::WallboardCommand),
    /// The reasons agents may give for a break: set or list.
    #[command(subcommand)]
    Breaks(groups::BreaksCommand),
    /// Connected agents, the last PBX request, events today, what is kept (and, on
    /// PostgreSQL, every node and the database's standbys).
    Status,
    /// The team's board as the relay sees it: one line per extension.
    Board {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Supervisors' figures: calls offered, answered, missed, service level,
    /// speed of answer, handle time… for a period, a group, by hour, day or agent.
    Report {
        /// Only this group's calls (and, by agent, its members).
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        #[command(flatten)]
        args: super::report::ReportArgs,
    },
    /// The team's missed-call queue as the relay sees it.
    Missed {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The tags agents may put on notes (dispositions): set or list.
    #[command(subcommand)]
    Tags(super::notes::TagsCommand),
    /// Agents' notes: remove one (its author and every agent see it go).
    #[command(subcommand)]
    Note(super::notes::RelayNoteCommand),
    /// Move a single relay's SQLite file (events, calls, agents, contacts) into this
    /// node's `relay_database`; running it again changes nothing.
    ImportSqlite {
        /// The old relay's `xvb.sqlite3` (copied while that relay is stopped).
        file: PathBuf,
    },
    /// (Agents) Join a team relay with the join code from the admin: `xvb serve`
    /// and `xvb call` then go through it (the token goes to the keyring).
    Join {
        /// The join code (`https://relay.example.com#…`).
        code: String,
    },
    /// (Agents) Leave the team relay: back to listening directly.
    Leave,
}

/// Runs one `xvb relay` command.
pub(crate) fn run(data: &DataDir, command: RelayCommand) -> Result<(), CliError> {
    let config = data.load_config()?;
    match command {
        RelayCommand::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let addr = listen.unwrap_or(config.listen);
            let mut config = config;
            // Read while the process has one thread (the time crate refuses later).
            config.local_offset = time::UtcOffset::current_local_offset().ok();
            multi_thread_runtime()?.block_on(async {
                let mut shown = config.clone();
                let trusted_proxies = config.relay_trusted_proxies.clone();
                let app = relay_app(data, config).await?;
                let ready = |url: String| {
                    if shown.public_url.is_none() {
                        shown.public_url = Some(url.clone());
                    }
                    out!("relay listening on {url}");
                    out!("webhook URL: {} {}", shown.masked_webhook_url(), WHOLE);
                };
                serve_relay(
                    app,
                    addr,
                    tls_cert.zip(tls_key),
                    trusted_proxies,
                    ready,
                    shutdown_signal(),
                )
                .await?;
                Ok(())
            })
        }
        RelayCommand::Tags(command) => super::notes::tags(data, command),
        RelayCommand::Note(command) => super::notes::relay_note(data, command),
        RelayCommand::Board { json } => {
            let view = relay_store(data, &config, team_view)?;
            super::team::print_board(&view, json);
            Ok(())
        }
        RelayCommand::Missed { json } => {
            let view = relay_store(data, &config, team_view)?;
            super::team::print_missed(&view, json);
            Ok(())
        }
        RelayCommand::Report { group, args } => {
            super::report::relay_report(data, &config, &args, group.as_deref())
        }
        RelayCommand::Agent(command) => agents::run(data, &config, command),
        RelayCommand::Group(command) => groups::run(data, &config, command),
        RelayCommand::Breaks(command) => groups::breaks(data, &config, command),
        RelayCommand::Wallboard(command) => wallboards::run(data, &config, command),
        RelayCommand::ImportSqlite { file } => {
            let Some(url) = config.relay_database() else {
                return Err(CliError::Failed(
                    "set relay_database (or XVB_RELAY_DATABASE) to the cluster's PostgreSQL first"
                        .into(),
                ));
            };
            if !file.is_file() {
                return Err(CliError::Failed(format!(
                    "{} is not a file; pass the old relay's xvb.sqlite3",
                    file.display()
                )));
            }
            let old = xvb_core::store::Database::open(&file)?;
            let imported = current_thread_runtime()?.block_on(async {
                let pg = xvb_core::store::pg::PgStore::connect(&url).await?;
                pg.import_sqlite(&old).await
            })?;
            out!(
                "moved {} new event(s), {} new agent(s) and {} contact(s) into PostgreSQL ({} note version(s))",
                imported.events, imported.agents, imported.contacts, imported.notes
            );
            Ok(())
        }
        RelayCommand::Join { code } => {
            let code = JoinCode::parse(&code).map_err(|e| CliError::Failed(e.to_string()))?;
            code.store_token(config.access_code.as_deref())?;
            let mut config = config;
            config.relay_url = Some(code.relay.as_str().trim_end_matches('/').to_owned());
            data.save_config(&config)?;
            out!(
                "joined the relay at {}; `xvb serve` now takes the team's events from it",
                code.relay.as_str().trim_end_matches('/')
            );
            Ok(())
        }
        RelayCommand::Leave => {
            TokenStore::of_kind(config.access_code.as_deref(), SecretKind::RelayToken)?.clear()?;
            let mut config = config;
            config.relay_url = None;
            data.save_config(&config)?;
            out!("left the relay; `xvb serve` listens directly again");
            Ok(())
        }
        RelayCommand::Status => agents::status(data, &config),
    }
}

/// The team view derived from the relay's store and contact book.
async fn team_view(store: RelayStore) -> Result<TeamView, xvb_core::CoreError> {
    let contacts = store.contact_index().await?;
    derive_view(&store, &contacts).await
}
