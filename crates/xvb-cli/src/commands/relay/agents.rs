//! `xvb relay agent …` (the agents allowed to connect) and `xvb relay status`
//! (who is connected, what is kept, the cluster's nodes).

use crate::commands::relay_access::relay_store;
use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use xvb_core::config::{new_secret, Config, DataDir};
use xvb_core::groups::{GroupChange, Role};
use xvb_core::reach::relay::{token_hash, JoinCode};
use xvb_core::store::AgentRow;

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
        /// `agent` (its groups' calls) or `supervisor` (every group).
        #[arg(long, default_value = "agent")]
        role: String,
    },
    /// Make an agent a supervisor (every group), or an agent again.
    Role {
        /// The extension.
        ext: String,
        /// `agent` or `supervisor`.
        role: String,
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

/// Runs one `xvb relay agent` command.
pub(super) fn run(data: &DataDir, config: &Config, command: AgentCommand) -> Result<(), CliError> {
    match command {
        AgentCommand::Add {
            ext,
            url,
            name,
            role,
        } => {
            check_extension(&ext)?;
            let role = Role::parse(&role).map_err(|e| CliError::Failed(e.to_string()))?;
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
            let id = relay_store(data, config, |s| {
                let ext = ext.clone();
                async move { s.add_agent(&ext, &hash).await }
            })?;
            if let Some(name) = name {
                name_extension(data, config, &ext, &name)?;
            }
            if role != Role::Agent {
                set_role(data, config, &ext, role)?;
            }
            out!("agent {id} (extension {ext}) added; its join code (show it only to that agent):");
            out!("{}", code.to_line());
            Ok(())
        }
        AgentCommand::Name { ext, name } => {
            check_extension(&ext)?;
            name_extension(data, config, &ext, &name)?;
            match name.trim() {
                "" => out!("extension {ext} has no name on the board now"),
                name => out!("extension {ext} is shown as \"{name}\" on the board"),
            }
            Ok(())
        }
        AgentCommand::Role { ext, role } => {
            check_extension(&ext)?;
            let role = Role::parse(&role).map_err(|e| CliError::Failed(e.to_string()))?;
            set_role(data, config, &ext, role)?;
            out!("extension {ext} is {} now", role.as_str());
            Ok(())
        }
        AgentCommand::List => {
            for agent in relay_store(data, config, |s| async move { s.status().await })?.agents {
                out!("{}", agent_line(&agent));
            }
            Ok(())
        }
        AgentCommand::Revoke { agent } => {
            let which = agent.clone();
            match relay_store(data, config, |s| async move { s.revoke(&which).await })? {
                0 => Err(CliError::Failed(format!(
                    "no active agent `{agent}`; see `xvb relay agent list`"
                ))),
                n => {
                    out!("revoked {n} agent(s); their join codes no longer work");
                    Ok(())
                }
            }
        }
    }
}

/// Gives extension `ext` `role` (a supervisor sees every group).
fn set_role(data: &DataDir, config: &Config, ext: &str, role: Role) -> Result<(), CliError> {
    let change = GroupChange::Role {
        ext: ext.to_owned(),
        role,
    };
    relay_store(
        data,
        config,
        |s| async move { s.change_groups(change).await },
    )
}

/// Prints `xvb relay status`.
pub(super) fn status(data: &DataDir, config: &Config) -> Result<(), CliError> {
    let status = relay_store(data, config, |s| async move { s.status().await })?;
    let connected = status.agents.iter().filter(|a| a.connected).count();
    out!(
        "agents connected: {connected} of {}",
        status
            .agents
            .iter()
            .filter(|a| a.revoked_at.is_none())
            .count()
    );
    for agent in &status.agents {
        out!("  {}", agent_line(agent));
    }
    out!(
        "last PBX request: {}",
        status.last_pbx_request.as_deref().unwrap_or("none yet")
    );
    out!("events today: {}", status.events_today);
    out!("newest sequence number: {}", status.kept.head);
    out!(
        "keeps {} days of events (relay_keep_days); {}",
        config.relay_keep_days,
        match &status.kept.pruned_before {
            Some(before) => format!("those received before {before} were dropped"),
            None => "none dropped yet".to_owned(),
        }
    );
    for node in &status.nodes {
        out!(
            "node {}: {}, {} agent(s), last PBX request {}",
            node.node_id,
            if node.alive { "alive" } else { "gone" },
            node.agents,
            node.last_request_at.as_deref().unwrap_or("none yet")
        );
    }
    for standby in &status.standbys {
        out!("database standby: {standby}");
    }
    Ok(())
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

/// Refuses an extension that is not digits.
pub(super) fn check_extension(ext: &str) -> Result<(), CliError> {
    if xvb_core::pbx::phone::is_extension(ext) {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the extension must be digits, got `{ext}`"
        )))
    }
}

/// Names `ext` on the team board (an empty or blank `name` removes it).
fn name_extension(data: &DataDir, config: &Config, ext: &str, name: &str) -> Result<(), CliError> {
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
