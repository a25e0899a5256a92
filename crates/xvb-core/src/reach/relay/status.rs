//! Agents' status on the relay: an agent's change (a break for a listed
//! reason, back, after-call work ended) checked and stored, and after-call
//! work started by itself when a call an agent answered ends (its group's N
//! seconds). Either way the team view is derived again, so the board shows it.

use super::state::RelayState;
use super::wire::ToAgent;
use crate::groups::Audience;
use crate::store::{AgentRow, JournalEntry};
use crate::team::status::after_call;
use crate::team::{AgentState, StatusChange};
use crate::CoreError;
use time::OffsetDateTime;
use tokio::sync::{mpsc, OwnedSemaphorePermit};

/// Changes `agent`'s status as it asked, answering on `replies` (holding
/// `permit` until then).
pub(super) fn answer_status(
    relay: &RelayState,
    agent: &AgentRow,
    replies: &mpsc::Sender<ToAgent>,
    id: u64,
    change: StatusChange,
    permit: OwnedSemaphorePermit,
) {
    let (relay, ext, replies) = (relay.clone(), agent.ext.clone(), replies.clone());
    tokio::spawn(async move {
        let result = change_status(&relay, &ext, &change).await;
        let reply = ToAgent::replied(id, result.map_err(|e| e.to_string()));
        let _ = replies.send(reply).await;
        drop(permit);
    });
}

async fn change_status(
    relay: &RelayState,
    ext: &str,
    change: &StatusChange,
) -> Result<String, CoreError> {
    let now = OffsetDateTime::now_utc();
    let reasons = relay.store.break_reasons().await?;
    let current = relay.store.statuses().await?.remove(ext);
    let status = change.apply(current.as_ref(), &reasons, now)?;
    relay.store.set_status(ext, status.clone()).await?;
    relay.team_changed.notify_one();
    tracing::info!(
        ext,
        state = status.state.as_str(),
        "an agent changed its status"
    );
    Ok(match (status.state, &status.reason) {
        (AgentState::Break, Some(reason)) => {
            format!("you are on a break ({reason}): no calls ring for you")
        }
        _ => "you are available: calls ring for you".to_owned(),
    })
}

/// Starts after-call work for the agent who answered the call `entry` ends,
/// when its groups have some (`audience` names them).
pub(super) fn after_call_work(relay: &RelayState, entry: &JournalEntry, audience: &Audience) {
    let (Some(ext), Audience::Some { groups, .. }) = (entry.field("ext"), audience) else {
        return;
    };
    let answered = entry.field("event") == Some("COMPLETED")
        && entry.field("type") != Some("out")
        && entry.field("duration").is_some_and(|d| d != "0");
    let seconds = relay.routing.borrow().acw_seconds(groups);
    if !answered || seconds == 0 {
        return;
    }
    // Every node sees every entry: each computes the same work from the entry's time.
    let (ended, ext, relay) = (entry.received_time(), ext.to_owned(), relay.clone());
    tokio::spawn(async move {
        let started = async {
            let current = relay.store.statuses().await?.remove(&ext);
            if let Some(acw) = after_call(current.as_ref(), ended, seconds) {
                relay.store.set_status(&ext, acw).await?;
                relay.team_changed.notify_one();
            }
            Ok::<_, CoreError>(())
        };
        if let Err(e) = started.await {
            tracing::warn!(error = %e, "could not start after-call work");
        }
    });
}
