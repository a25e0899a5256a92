//! A supervisor's report through the relay: the team's figures for a period
//! ([`crate::reports`]), read from the relay's store. Agents are refused (their
//! own figures come from their own history).

use super::state::RelayState;
use super::wire::ToAgent;
use crate::groups::Routing;
use crate::reports::{full_report, ReportAsk, ReportRequest};
use crate::store::AgentRow;
use time::OffsetDateTime;
use tokio::sync::{mpsc, OwnedSemaphorePermit};

/// Why a report is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefused {
    /// Only supervisors see the team's figures.
    #[error("only supervisors see the team's reports; your own figures are under My calls")]
    NotSupervisor,
    /// No such group.
    #[error("there is no group `{0}` on this relay; see `xvb relay group list`")]
    NoGroup(String),
}

/// Whether `ask`'s group (if any) is one of `routing`'s: a report of a group
/// the relay does not have is refused, not an empty one.
pub fn check_group(routing: &Routing, ask: &ReportAsk) -> Result<(), ReportRefused> {
    match &ask.group {
        Some(group) if !routing.groups.contains_key(group) => {
            Err(ReportRefused::NoGroup(group.to_string()))
        }
        _ => Ok(()),
    }
}

/// Answers `agent`'s report request on `replies` (holding `permit` until then).
pub(super) fn answer_report(
    relay: &RelayState,
    agent: &AgentRow,
    replies: &mpsc::Sender<ToAgent>,
    id: u64,
    asked: ReportRequest,
    permit: OwnedSemaphorePermit,
) {
    let (relay, ext, replies) = (relay.clone(), agent.ext.clone(), replies.clone());
    tokio::spawn(async move {
        let reply = match team_report(&relay, &ext, &asked).await {
            Ok(report) => ToAgent::Reported {
                id,
                report: Box::new(report),
            },
            Err(why) => ToAgent::replied(id, Err(why)),
        };
        let _ = replies.send(reply).await;
        drop(permit);
    });
}

async fn team_report(
    relay: &RelayState,
    ext: &str,
    asked: &ReportRequest,
) -> Result<crate::reports::Report, String> {
    let routing = relay.routing.borrow().clone();
    if !routing.supervisors.contains(ext) {
        return Err(ReportRefused::NotSupervisor.to_string());
    }
    let ask = asked.ask(OffsetDateTime::now_utc())?;
    check_group(&routing, &ask).map_err(|refused| refused.to_string())?;
    let (calls, statuses) = relay
        .store
        .report_inputs(ask.from, ask.to)
        .await
        .map_err(|e| format!("the relay's store failed ({e}); try again"))?;
    tracing::info!(ext, days = asked.days, "a supervisor asked for a report");
    Ok(full_report(&calls, &statuses, &routing, &ask))
}
