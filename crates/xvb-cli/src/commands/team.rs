//! `xvb board` and `xvb missed …`: the team's board and missed-call queue, for
//! an agent in relay mode (through the relay, which derives them), and how
//! they print — shared with `xvb relay board` / `xvb relay missed` on the relay.

use super::current_thread_runtime;
use super::relay_access::join_code;
use crate::error::CliError;
use crate::outside::{out, say};
use clap::Subcommand;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use xvb_core::config::DataDir;
use xvb_core::listener::Engine;
use xvb_core::pbx::notifier::Silent;
use xvb_core::reach::link::{RelayDialer, RelayLink};
use xvb_core::team::{
    clock, AgentState, AgentStatus, MemberState, Reached, StatusChange, TeamView,
};

/// How long to wait for the relay's view.
const VIEW_WAIT: Duration = Duration::from_secs(20);

/// `xvb missed` subcommands.
#[derive(Subcommand)]
pub(crate) enum MissedCommand {
    /// The team's missed callers: waiting ones oldest first, then those reached.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only the callers of this call-centre group's lines.
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
    /// "I'll call back": everyone sees you are calling NUMBER back.
    Claim {
        /// The caller's number, in any spelling.
        number: String,
    },
    /// Give NUMBER back to the team's queue (a supervisor: whoever claimed it).
    Release {
        /// The caller's number, in any spelling.
        number: String,
    },
    /// (Supervisors) give NUMBER's callback to another agent.
    Reassign {
        /// The caller's number, in any spelling.
        number: String,
        /// The agent's extension.
        #[arg(long, value_name = "EXT")]
        to: String,
    },
}

/// `xvb status`'s change, if any.
#[derive(Subcommand)]
pub(crate) enum StatusCommand {
    /// Take calls again (ends a break or after-call work).
    Available,
    /// Take a break, for a reason on the relay's list (`xvb relay breaks list`).
    Break {
        /// The reason.
        #[arg(long)]
        reason: String,
    },
    /// End after-call work now.
    AcwEnd,
}

/// Runs `xvb status`: this agent's status, or a change of it.
pub(crate) fn status(
    data: &DataDir,
    command: Option<StatusCommand>,
    json: bool,
) -> Result<(), CliError> {
    let change = match command {
        None => {
            let ext = data.load_config()?.extension.unwrap_or_default();
            let view = through_relay(data, |_, view| async move { Ok(view) })?;
            let me = view.members.iter().find(|m| m.ext == ext);
            let status = me.and_then(|m| m.status.clone());
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&status).expect("serialises")
                );
            } else {
                say!(
                    "{}",
                    status_text(status.as_ref(), OffsetDateTime::now_utc())
                );
            }
            return Ok(());
        }
        Some(StatusCommand::Available) => StatusChange::Available,
        Some(StatusCommand::Break { reason }) => StatusChange::Break { reason },
        Some(StatusCommand::AcwEnd) => StatusChange::AcwEnd,
    };
    let said = through_relay(data, |asker, _| async move {
        asker
            .status(change)
            .await
            .map_err(|e| CliError::Failed(e.to_string()))
    })?;
    say!("{said}");
    Ok(())
}

/// `available`, `break Lunch 0:02:10`, `acw 0:00:12`: a status and for how long.
fn status_text(status: Option<&AgentStatus>, now: OffsetDateTime) -> String {
    let Some(status) = status.map(|s| s.at(now)) else {
        return "available".into();
    };
    let reason = status
        .reason
        .as_deref()
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    match status.state {
        AgentState::Available => "available".into(),
        state => format!(
            "{}{reason} {}",
            state.as_str(),
            since(Some(status.since), now)
        ),
    }
}

/// Runs `xvb board` (of one group with `group`).
pub(crate) fn board(data: &DataDir, json: bool, group: Option<&str>) -> Result<(), CliError> {
    let view = team_view(data, group)?;
    print_board(&view, json);
    Ok(())
}

/// The team view from the relay, narrowed to `group` if named.
pub(crate) fn team_view(data: &DataDir, group: Option<&str>) -> Result<TeamView, CliError> {
    let view = through_relay(data, |_, view| async move { Ok(view) })?;
    match group {
        None => Ok(view),
        Some(name) => narrowed(&view, name),
    }
}

/// `view` narrowed to group `name`, or why not.
pub(crate) fn narrowed(view: &TeamView, name: &str) -> Result<TeamView, CliError> {
    view.of_group(name).ok_or_else(|| {
        CliError::Failed(if view.groups.is_empty() {
            format!("there is no group `{name}`: your relay has no groups")
        } else {
            format!(
                "there is no group `{name}` on your board; yours: {}",
                view.group_names()
            )
        })
    })
}

/// Runs one `xvb missed` command.
pub(crate) fn missed(data: &DataDir, command: MissedCommand) -> Result<(), CliError> {
    if let MissedCommand::List { json, group } = command {
        let view = team_view(data, group.as_deref())?;
        print_missed(&view, json);
        return Ok(());
    }
    let said = through_relay(data, |asker, _| async move {
        match command {
            MissedCommand::List { .. } => unreachable!("listed above"),
            MissedCommand::Claim { number } => asker.claim(&number).await,
            MissedCommand::Release { number } => asker.release(&number).await,
            MissedCommand::Reassign { number, to } => asker.reassign(&number, &to).await,
        }
        .map_err(|e| CliError::Failed(e.to_string()))
    })?;
    say!("{said}");
    Ok(())
}

/// Connects to the joined relay (or `XVB_RELAY`), waits for its team view and runs `then`.
fn through_relay<T, F: std::future::Future<Output = Result<T, CliError>>>(
    data: &DataDir,
    then: impl FnOnce(RelayDialer, TeamView) -> F,
) -> Result<T, CliError> {
    let code = join_code(data, None)?.ok_or_else(|| {
        CliError::Failed(
            "the board and the missed-call queue come from the team relay; join it first with `xvb relay join CODE` (or set XVB_RELAY)".into(),
        )
    })?;
    let config = data.load_config()?;
    current_thread_runtime()?.block_on(async {
        let engine = Engine::open(data, config, Arc::new(Silent))?;
        let link = RelayLink::start(engine.state, data.database_path(), code);
        let (mut team, mut status) = (link.team(), link.status());
        let view = tokio::time::timeout(VIEW_WAIT, async {
            loop {
                if let Some(view) = team.borrow_and_update().clone() {
                    return Ok((*view).clone());
                }
                if let Some(failure) = status.borrow_and_update().failure() {
                    return Err(CliError::Failed(failure));
                }
                tokio::select! {
                    _ = team.changed() => {}
                    _ = status.changed() => {}
                }
            }
        })
        .await
        .map_err(|_| {
            CliError::Failed(
                "the relay sent no team view in 20 s; it may be older than this app (update the relay)".into(),
            )
        })??;
        then(link.dialer(), view).await
    })
}

/// One line per extension: `101 talking 79201119613 "Вася" 00:03:12`, `102 free`.
pub(crate) fn print_board(view: &TeamView, json: bool) {
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&view.members).expect("serialises")
        );
        return;
    }
    let now = OffsetDateTime::now_utc();
    for member in &view.members {
        let state = member.state.as_str();
        // A break or after-call work, after the line: `102 free (break Lunch 00:02:10)`.
        let paused = match member.status.as_ref().map(|s| s.at(now)) {
            Some(s) if s.state != AgentState::Available => {
                format!(" ({})", status_text(Some(&s), now))
            }
            _ => String::new(),
        };
        match member.state {
            MemberState::Free | MemberState::Offline => say!("{} {state}{paused}", member.ext),
            _ => say!(
                "{} {state} {} \"{}\" {}{paused}",
                member.ext,
                member.phone.as_deref().unwrap_or("-"),
                member.contact.as_deref().unwrap_or(""),
                since(member.since, now)
            ),
        }
    }
}

/// One line per caller: waiting ones (and who is calling back), then those reached.
pub(crate) fn print_missed(view: &TeamView, json: bool) {
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&view.missed).expect("serialises")
        );
        return;
    }
    let now = OffsetDateTime::now_utc();
    for entry in &view.missed {
        let head = format!(
            "{} \"{}\" missed {}×",
            entry.phone,
            entry.contact.as_deref().unwrap_or(""),
            entry.count
        );
        match (&entry.cleared, &entry.claimed_by) {
            (Some(cleared), _) => {
                let how = match cleared.how {
                    Reached::CalledBack => "called back",
                    Reached::CalledIn => "called in",
                };
                let by = cleared.by.as_deref().unwrap_or("someone");
                say!(
                    "{head} cleared: {by} {how}, {} ago",
                    since(Some(cleared.at), now)
                );
            }
            (None, claimed) => {
                let waiting = since(Some(entry.first_missed), now);
                match claimed {
                    Some(ext) => say!("{head} waiting {waiting}, {ext} is calling back"),
                    None => say!("{head} waiting {waiting}"),
                }
            }
        }
    }
}

fn since(at: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    at.map(|at| clock((now - at).whole_seconds()))
        .unwrap_or_default()
}
