//! `xvb relay group …`: the relay's call-centre groups — which lines each
//! answers, who is in it, the default group, after-call work — and `xvb
//! relay breaks` (the reasons agents give for a break). A running relay
//! (every node) applies a change of groups within a second.

use crate::commands::relay_access::relay_store;
use crate::error::CliError;
use crate::outside::out;
use clap::Subcommand;
use xvb_core::config::{Config, DataDir};
use xvb_core::groups::{
    DefaultGroup, GroupChange, GroupError, GroupName, GroupSeconds, Line, Routing,
};
use xvb_core::team::status::parse_reasons;

/// `xvb relay group` subcommands.
#[derive(Subcommand)]
pub(crate) enum GroupCommand {
    /// Add a group answering one or more lines (the number the client dialled).
    Add {
        /// The group's name (letters, digits, - or _).
        name: String,
        /// A line it answers; repeat for several.
        #[arg(long = "line", value_name = "NUMBER", required = true)]
        lines: Vec<String>,
    },
    /// Give a group lines, or take them from it.
    Lines {
        /// The group.
        name: String,
        /// Lines to add (comma-separated or repeated).
        #[arg(long, value_delimiter = ',', value_name = "NUMBER")]
        add: Vec<String>,
        /// Lines to take away.
        #[arg(long, value_delimiter = ',', value_name = "NUMBER")]
        remove: Vec<String>,
    },
    /// Put agents in a group, or take them out.
    Members {
        /// The group.
        name: String,
        /// Extensions to add (comma-separated or repeated).
        #[arg(long, value_delimiter = ',', value_name = "EXT")]
        add: Vec<String>,
        /// Extensions to take out.
        #[arg(long, value_delimiter = ',', value_name = "EXT")]
        remove: Vec<String>,
    },
    /// The groups, their lines and members, the default group and the supervisors.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a group (its lines go to the default group).
    Remove {
        /// The group.
        name: String,
    },
    /// Where calls on lines no group answers go: a group, or `all` (every agent).
    Default {
        /// A group's name, or `all`.
        name: String,
    },
    /// After-call work after each of the group's calls (0 turns it off).
    Acw {
        /// The group.
        name: String,
        /// How long, in seconds.
        #[arg(long)]
        seconds: u32,
    },
    /// The service level's threshold in reports: answered within this many seconds (default 20).
    ServiceLevel {
        /// The group.
        name: String,
        /// How long, in seconds.
        #[arg(long)]
        seconds: u32,
    },
}

/// `xvb relay breaks` subcommands.
#[derive(Subcommand)]
pub(crate) enum BreaksCommand {
    /// Replace the break reasons: `Lunch Training Meeting`.
    Set {
        /// The reasons, in the order agents see them.
        reasons: Vec<String>,
    },
    /// The break reasons, one per line.
    List,
}

/// Runs one `xvb relay breaks` command.
pub(super) fn breaks(
    data: &DataDir,
    config: &Config,
    command: BreaksCommand,
) -> Result<(), CliError> {
    match command {
        BreaksCommand::Set { reasons } => {
            let reasons = parse_reasons(&reasons).map_err(|e| CliError::Failed(e.to_string()))?;
            let count = reasons.len();
            relay_store(data, config, |s| async move {
                s.set_break_reasons(reasons).await
            })?;
            out!("{count} break reason(s) set; agents pick one with `xvb status break --reason R`");
        }
        BreaksCommand::List => {
            for reason in relay_store(data, config, |s| async move { s.break_reasons().await })? {
                out!("{reason}");
            }
        }
    }
    Ok(())
}

/// The longest after-call work an admin may set, in seconds.
const MOST_ACW: u32 = 3600;
/// The longest service-level threshold a group may set, in seconds.
const MOST_SL: u32 = 600;

/// Runs one `xvb relay group` command.
pub(super) fn run(data: &DataDir, config: &Config, command: GroupCommand) -> Result<(), CliError> {
    let store = |change: GroupChange| {
        relay_store(
            data,
            config,
            |s| async move { s.change_groups(change).await },
        )
    };
    match command {
        GroupCommand::Add { name, lines } => {
            let name = GroupName::parse(&name).map_err(refused)?;
            let lines = lines_of(&lines)?;
            store(GroupChange::Add {
                name: name.clone(),
                lines,
            })?;
            out!("group {name} added; put agents in it with `xvb relay group members {name} --add EXT`");
        }
        GroupCommand::Lines { name, add, remove } => {
            let name = GroupName::parse(&name).map_err(refused)?;
            let (add, remove) = (lines_of(&add)?, lines_of(&remove)?);
            store(GroupChange::Lines {
                name: name.clone(),
                add,
                remove,
            })?;
            out!("group {name}'s lines changed");
        }
        GroupCommand::Members { name, add, remove } => {
            let name = GroupName::parse(&name).map_err(refused)?;
            let (add, remove) = (extensions(&add)?, extensions(&remove)?);
            store(GroupChange::Members {
                name: name.clone(),
                add,
                remove,
            })?;
            out!("group {name}'s members changed; connected agents follow within a second");
        }
        GroupCommand::List { json } => {
            let routing = relay_store(data, config, |s| async move { s.routing().await })?;
            print_routing(&routing, json);
        }
        GroupCommand::Remove { name } => {
            let name = GroupName::parse(&name).map_err(refused)?;
            store(GroupChange::Remove(name.clone()))?;
            out!("group {name} removed; its lines' calls go to the default group");
        }
        GroupCommand::Default { name } => {
            let default = match name.trim() {
                all if all.eq_ignore_ascii_case("all") => DefaultGroup::Everyone,
                name => DefaultGroup::Named(GroupName::parse(name).map_err(refused)?),
            };
            store(GroupChange::Default(default))?;
            out!("calls on lines no group answers now go to {name}");
        }
        GroupCommand::Acw { name, seconds } => {
            if seconds > MOST_ACW {
                return Err(CliError::Failed(format!(
                    "after-call work of {seconds} s is too long; give 0 to {MOST_ACW} seconds"
                )));
            }
            let name = GroupName::parse(&name).map_err(refused)?;
            store(GroupChange::Seconds {
                name: name.clone(),
                setting: GroupSeconds::Acw,
                seconds,
            })?;
            match seconds {
                0 => out!("group {name} has no after-call work now"),
                s => out!("group {name}'s agents are in after-call work for {s} s after each call"),
            }
        }
        GroupCommand::ServiceLevel { name, seconds } => {
            if !(1..=MOST_SL).contains(&seconds) {
                return Err(CliError::Failed(format!(
                    "a service level of {seconds} s cannot be; give 1 to {MOST_SL} seconds"
                )));
            }
            let name = GroupName::parse(&name).map_err(refused)?;
            store(GroupChange::Seconds {
                name: name.clone(),
                setting: GroupSeconds::ServiceLevel,
                seconds,
            })?;
            out!("group {name}'s calls answered within {seconds} s count as answered in time");
        }
    }
    Ok(())
}

fn refused(e: GroupError) -> CliError {
    CliError::Failed(e.to_string())
}

fn lines_of(given: &[String]) -> Result<Vec<Line>, CliError> {
    given
        .iter()
        .map(|l| Line::parse(l).map_err(refused))
        .collect()
}

/// Extensions as typed, each checked.
fn extensions(given: &[String]) -> Result<Vec<String>, CliError> {
    given
        .iter()
        .map(|ext| {
            let ext = ext.trim();
            super::agents::check_extension(ext).map(|()| ext.to_owned())
        })
        .collect()
}

fn print_routing(routing: &Routing, json: bool) {
    let default = match &routing.default {
        DefaultGroup::Everyone => "all".to_owned(),
        DefaultGroup::Named(name) => name.to_string(),
    };
    if json {
        let shown = serde_json::json!({
            "groups": routing.groups.values().collect::<Vec<_>>(),
            "default": default,
            "supervisors": routing.supervisors,
        });
        out!("{shown:#}");
        return;
    }
    if routing.groups.is_empty() {
        out!("no groups: every agent sees every call");
    }
    for group in routing.groups.values() {
        let lines: Vec<&str> = group.lines.iter().map(|l| l.as_str()).collect();
        let members: Vec<&str> = group.members.iter().map(String::as_str).collect();
        out!(
            "{}\tlines {}\tmembers {}\tafter-call work {} s\tservice level {} s",
            group.name,
            or_none(&lines.join(", ")),
            or_none(&members.join(", ")),
            group.acw_seconds,
            group.sl_seconds
        );
    }
    out!("default group: {default}");
    let supervisors: Vec<&str> = routing.supervisors.iter().map(String::as_str).collect();
    out!("supervisors: {}", or_none(&supervisors.join(", ")));
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "none"
    } else {
        text
    }
}
