//! `xvb relay …`: the team relay and its agents (admins), and what agents run
//! against it: `xvb serve --relay`, `xvb call --relay`.

use super::serve::{shutdown_signal, ServeNotifier};
use super::{current_thread_runtime, multi_thread_runtime};
use crate::error::CliError;
use clap::Subcommand;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use xvb_core::config::{new_secret, DataDir};
use xvb_core::listener::Engine;
use xvb_core::reach::link::RelayLink;
use xvb_core::reach::relay::{
    derive_view, relay_app, serve_relay, token_hash, JoinCode, RelayStore,
};
use xvb_core::reach::Reach;
use xvb_core::secret::{SecretKind, TokenStore};
use xvb_core::store::AgentRow;
use xvb_core::team::TeamView;

/// Environment variable that can carry a join code (instead of the command line, which `ps` shows).
pub(crate) const JOIN_ENV: &str = "XVB_RELAY";

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
    /// Connected agents, the last PBX request, events today, what is kept (and, on
    /// PostgreSQL, every node and the database's standbys).
    Status,
    /// The team's board as the relay sees it: one line per extension.
    Board {
        /// Print JSON.
        #[arg(long)]
        json: bool,
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

/// `xvb relay agent` subcommands.
#[derive(Subcommand)]
pub(crate) enum AgentCommand {
    /// Add an agent; prints the one-line join code to paste into its settings.
    Add {
        /// The agent's extension (its calls are placed from it).
        #[arg(long)]
        ext: String,
        /// The relay's address as agents reach it (default: public_url, else the listen address).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The agent's name, shown beside the extension on the team board.
        #[arg(long)]
        name: Option<String>,
    },
    /// Name an extension on the team board (an empty NAME removes it).
    Name {
        /// The extension.
        ext: String,
        /// What the board shows beside it.
        name: String,
    },
    /// List agents.
    List,
    /// Revoke an agent (by id or extension): its join code stops working at once.
    Revoke {
        /// The id from `agent list`, or the extension.
        agent: String,
    },
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
            multi_thread_runtime()?.block_on(async {
                let mut shown = config.clone();
                let trusted_proxies = config.relay_trusted_proxies.clone();
                let app = relay_app(data, config).await?;
                let ready = |url: String| {
                    if shown.public_url.is_none() {
                        shown.public_url = Some(url.clone());
                    }
                    println!("relay listening on {url}");
                    println!(
                        "webhook URL: {} {}",
                        shown.masked_webhook_url(),
                        super::serve::WHOLE
                    );
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
        RelayCommand::Agent(AgentCommand::Add { ext, url, name }) => {
            check_extension(&ext)?;
            let base = url
                .or(config.public_url.clone())
                .unwrap_or_else(|| format!("http://{}", config.listen));
            let token = new_secret();
            let code = JoinCode::parse(&format!("{base}#{token}")).map_err(|e| {
                CliError::Failed(format!(
                    "{e} (relay address `{base}`; pass --url https://…)"
                ))
            })?;
            let hash = token_hash(&token);
            let id = relay_store(data, &config, |s| {
                let ext = ext.clone();
                async move { s.add_agent(&ext, &hash).await }
            })?;
            if let Some(name) = name {
                name_extension(data, &config, &ext, &name)?;
            }
            println!(
                "agent {id} (extension {ext}) added; its join code (show it only to that agent):"
            );
            println!("{}", code.to_line());
            Ok(())
        }
        RelayCommand::Agent(AgentCommand::Name { ext, name }) => {
            check_extension(&ext)?;
            name_extension(data, &config, &ext, &name)?;
            match name.trim() {
                "" => println!("extension {ext} has no name on the board now"),
                name => println!("extension {ext} is shown as \"{name}\" on the board"),
            }
            Ok(())
        }
        RelayCommand::Agent(AgentCommand::List) => {
            for agent in relay_store(data, &config, |s| async move { s.status().await })?.agents {
                println!("{}", agent_line(&agent));
            }
            Ok(())
        }
        RelayCommand::Agent(AgentCommand::Revoke { agent }) => {
            let which = agent.clone();
            match relay_store(data, &config, |s| async move { s.revoke(&which).await })? {
                0 => Err(CliError::Failed(format!(
                    "no active agent `{agent}`; see `xvb relay agent list`"
                ))),
                n => {
                    println!("revoked {n} agent(s); their join codes no longer work");
                    Ok(())
                }
            }
        }
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
            println!(
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
            println!(
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
            println!("left the relay; `xvb serve` listens directly again");
            Ok(())
        }
        RelayCommand::Status => {
            let status = relay_store(data, &config, |s| async move { s.status().await })?;
            let connected = status.agents.iter().filter(|a| a.connected).count();
            println!(
                "agents connected: {connected} of {}",
                status
                    .agents
                    .iter()
                    .filter(|a| a.revoked_at.is_none())
                    .count()
            );
            for agent in &status.agents {
                println!("  {}", agent_line(agent));
            }
            println!(
                "last PBX request: {}",
                status.last_pbx_request.as_deref().unwrap_or("none yet")
            );
            println!("events today: {}", status.events_today);
            println!("newest sequence number: {}", status.kept.head);
            println!(
                "keeps {} days of events (relay_keep_days); {}",
                config.relay_keep_days,
                match &status.kept.pruned_before {
                    Some(before) => format!("those received before {before} were dropped"),
                    None => "none dropped yet".to_owned(),
                }
            );
            for node in &status.nodes {
                println!(
                    "node {}: {}, {} agent(s), last PBX request {}",
                    node.node_id,
                    if node.alive { "alive" } else { "gone" },
                    node.agents,
                    node.last_request_at.as_deref().unwrap_or("none yet")
                );
            }
            for standby in &status.standbys {
                println!("database standby: {standby}");
            }
            Ok(())
        }
    }
}

fn agent_line(agent: &AgentRow) -> String {
    let state = if agent.revoked_at.is_some() {
        "revoked"
    } else if agent.connected {
        "connected"
    } else {
        "offline"
    };
    format!(
        "{:>3}  ext {:<6} {state:<9} added {}  last seen {}",
        agent.id,
        agent.ext,
        agent.created_at,
        agent.last_seen_at.as_deref().unwrap_or("never")
    )
}

/// A join code from the command line or `XVB_RELAY`, else the relay joined
/// with `xvb relay join` (its token from the keyring).
pub(crate) fn join_code(
    data: &DataDir,
    given: Option<String>,
) -> Result<Option<JoinCode>, CliError> {
    let given = given.or_else(|| {
        std::env::var(JOIN_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
    });
    match given {
        Some(text) => Ok(Some(
            JoinCode::parse(&text).map_err(|e| CliError::Failed(e.to_string()))?,
        )),
        None => Ok(JoinCode::joined(&data.load_config()?)?),
    }
}

/// The team view derived from the relay's store and contact book.
async fn team_view(store: RelayStore) -> Result<TeamView, xvb_core::CoreError> {
    let contacts = store.contact_index().await?;
    derive_view(&store, &contacts).await
}

/// Runs `query` on the relay's store (its SQLite file, or `relay_database`).
pub(crate) fn relay_store<T, F: std::future::Future<Output = Result<T, xvb_core::CoreError>>>(
    data: &DataDir,
    config: &xvb_core::config::Config,
    query: impl FnOnce(RelayStore) -> F,
) -> Result<T, CliError> {
    current_thread_runtime()?.block_on(async {
        let store = RelayStore::open(data, config).await?;
        Ok(query(store).await?)
    })
}

/// `xvb serve --relay`: a headless agent connected to a relay, printing its decisions.
pub(crate) fn serve_agent(
    data: &DataDir,
    code: JoinCode,
    notifier: ServeNotifier,
) -> Result<(), CliError> {
    let config = data.load_config()?;
    multi_thread_runtime()?.block_on(async {
        let engine = Engine::open(data, config, Arc::new(notifier))?;
        println!("relay: {}", code.relay.as_str().trim_end_matches('/'));
        let link = RelayLink::start(engine.state, data.database_path(), code);
        let mut status = link.status();
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                changed = status.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    let link = status.borrow_and_update().clone();
                    println!("{}", Reach::Relay { link });
                }
            }
        }
    })
}

/// `xvb call --relay`: the relay places the call from this agent's extension.
pub(crate) fn call_through(data: &DataDir, code: JoinCode, number: &str) -> Result<(), CliError> {
    let config = data.load_config()?;
    current_thread_runtime()?.block_on(async {
        let engine = Engine::open(data, config, Arc::new(ServeNotifier::new(None)))?;
        let link = RelayLink::start(engine.state, data.database_path(), code);
        let reply = link
            .dial(number)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        println!(
            "the relay asked the PBX to call {number} from your extension: accepted{}",
            if reply.is_empty() {
                String::new()
            } else {
                format!(" ({reply})")
            }
        );
        Ok(())
    })
}

fn check_extension(ext: &str) -> Result<(), CliError> {
    if xvb_core::pbx::phone::is_extension(ext) {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the extension must be digits, got `{ext}`"
        )))
    }
}

/// Names `ext` on the team board (an empty or blank `name` removes it).
fn name_extension(
    data: &DataDir,
    config: &xvb_core::config::Config,
    ext: &str,
    name: &str,
) -> Result<(), CliError> {
    let name = Some(name.trim())
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if name.as_ref().is_some_and(|n| n.chars().count() > 60) {
        return Err(CliError::Failed(
            "a name for the board is at most 60 characters".into(),
        ));
    }
    let ext = ext.to_owned();
    relay_store(data, config, |s| async move {
        s.set_team_name(&ext, name.as_deref()).await
    })
}
