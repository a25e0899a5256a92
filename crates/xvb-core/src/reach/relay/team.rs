//! The team view on a relay node: derived from the store whenever an event is
//! stored (by any node), a claim or a connection changes (on PostgreSQL every
//! node hears of it on channel `relay_team`), and every few seconds (states
//! age, and a node that died takes its agents offline); encoded once and
//! handed to every agent's connection when it changed. Also the agents'
//! claims and releases, and a supervisor's reassigning of a callback.

use super::agents::RelayStore;
use super::state::{RelayState, TeamFrame, TeamFrames};
use super::wire::ToAgent;
use crate::contacts::ContactIndex;
use crate::groups::Routing;
use crate::pbx::phone;
use crate::store::AgentRow;
use crate::store::JournalEntry;
use crate::team::{check_claim, Claim, ClaimRefused, MissedEntry, TeamView, WINDOW};
use crate::CoreError;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, watch, Notify, OwnedSemaphorePermit};

/// How often the view is derived again with nothing stored.
const REFRESH: Duration = Duration::from_secs(5);
/// Changes within this are derived once (a burst of events, one view).
const SETTLE: Duration = Duration::from_millis(50);
/// At most two views a second: each goes whole to every agent showing the board.
const MIN_GAP: Duration = Duration::from_millis(500);

/// Derives the team's whole view from `store` now, under its groups.
pub async fn derive_view(
    store: &RelayStore,
    contacts: &ContactIndex,
) -> Result<TeamView, CoreError> {
    derive_under(store, contacts, &store.routing().await?).await
}

/// Derives the team's whole view from `store` now: a ringing call rings its
/// group's members under `routing`.
async fn derive_under(
    store: &RelayStore,
    contacts: &ContactIndex,
    routing: &Routing,
) -> Result<TeamView, CoreError> {
    let now = OffsetDateTime::now_utc();
    let inputs = store.team_inputs(now - WINDOW).await?;
    let statuses = store.statuses().await?;
    // A ringing call rings its group's members who take calls now.
    let rings_at = |call: &crate::pbx::call::Call, ext: &str| {
        routing.rings_at(call, ext) && statuses.get(ext).is_none_or(|s| s.takes_calls(now))
    };
    let responsible = |phone: &str| {
        contacts
            .lookup(phone)
            .and_then(|answer| answer.responsible.as_deref().map(str::to_owned))
    };
    let mut view = TeamView::derive(
        &inputs.calls,
        &inputs.roster,
        &inputs.claims,
        &responsible,
        &rings_at,
        now,
    );
    for member in &mut view.members {
        member.name = inputs.names.get(&member.ext).cloned();
        member.status = statuses.get(&member.ext).map(|s| s.at(now));
    }
    view.breaks = store.break_reasons().await?;
    routing.label(&mut view);
    Ok(view)
}

/// What wakes the view up: events stored, claims or connections changed here
/// (`changed`), or on another node (PostgreSQL), or [`REFRESH`].
pub(super) async fn keep_fresh(
    store: RelayStore,
    contacts: Arc<ContactIndex>,
    mut stored: broadcast::Receiver<Arc<JournalEntry>>,
    changed: Arc<Notify>,
    view: watch::Sender<TeamFrame>,
    mut routing: watch::Receiver<Arc<Routing>>,
) {
    #[cfg(feature = "postgres")]
    let mut elsewhere = match &store {
        RelayStore::Postgres(pg) => pg
            .listen(crate::store::pg::team::TEAM_CHANNEL)
            .await
            .map_err(|e| tracing::warn!(error = %e, "cannot hear other nodes' team changes; refreshing every few seconds"))
            .ok(),
        RelayStore::Sqlite(_) => None,
    };
    let mut every = tokio::time::interval(REFRESH);
    let mut last_derived = Instant::now()
        .checked_sub(MIN_GAP)
        .unwrap_or_else(Instant::now);
    loop {
        #[cfg(feature = "postgres")]
        let other_node = async {
            match &mut elsewhere {
                Some((_, hints)) => {
                    if hints.recv().await.is_none() {
                        std::future::pending::<()>().await
                    }
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(feature = "postgres"))]
        let other_node = std::future::pending::<()>();
        tokio::select! {
            event = stored.recv() => if let Err(broadcast::error::RecvError::Closed) = event { return },
            _ = changed.notified() => {}
            _ = other_node => {}
            Ok(()) = routing.changed() => {}
            _ = every.tick() => {}
        }
        // Settle (a call's events come in bursts), and send a view at most every
        // MIN_GAP: each is whole, to every agent that shows the board.
        tokio::time::sleep(SETTLE.max(MIN_GAP.saturating_sub(last_derived.elapsed()))).await;
        last_derived = Instant::now();
        while !matches!(
            stored.try_recv(),
            Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed)
        ) {}
        let groups = routing.borrow_and_update().clone();
        match derive_under(&store, &contacts, &groups).await {
            Ok(fresh) => {
                view.send_if_modified(|current| {
                    let same = current
                        .as_ref()
                        .is_some_and(|frames| frames.shows(&fresh, &groups));
                    if !same {
                        *current = Some(Arc::new(TeamFrames::new(fresh, groups)));
                    }
                    !same
                });
            }
            Err(e) => tracing::warn!(error = %e, "could not derive the team view; will retry"),
        }
    }
}

/// What an agent asks of a missed caller.
pub(super) enum ClaimAsk {
    /// "I'll call back."
    Claim,
    /// "I won't after all" (a supervisor: whoever claimed it won't).
    Release,
    /// A supervisor gives the callback to this agent.
    Reassign(String),
}

/// Claims, releases or reassigns a missed caller for `agent` (`ask` names the
/// caller's number), answering on `replies` (holding `permit` until then).
pub(super) fn answer_claim(
    relay: &RelayState,
    agent: &AgentRow,
    replies: &mpsc::Sender<ToAgent>,
    id: u64,
    ask: (String, ClaimAsk),
    permit: OwnedSemaphorePermit,
) {
    let (relay, ext, replies) = (relay.clone(), agent.ext.clone(), replies.clone());
    tokio::spawn(async move {
        let (phone, ask) = ask;
        let routing = relay.routing.borrow().clone();
        let asker = Asker {
            ext: &ext,
            routing: &routing,
        };
        let result = answer_ask(&relay, asker, &phone, ask).await;
        let _ = replies.send(ToAgent::replied(id, result)).await;
        drop(permit);
    });
}

/// Who asks: an agent, and the groups as they are (which say if it supervises).
#[derive(Clone, Copy)]
struct Asker<'a> {
    ext: &'a str,
    routing: &'a Routing,
}

/// Does what `asker` asks of the missed caller `phone`: what to tell it.
async fn answer_ask(
    relay: &RelayState,
    asker: Asker<'_>,
    phone: &str,
    ask: ClaimAsk,
) -> Result<String, String> {
    let store = &relay.store;
    let supervisor = asker.routing.supervisors.contains(asker.ext);
    let number = phone::normalize(phone);
    // Derived afresh (a claim must see what is stored now), under the groups
    // the relay already holds.
    let view = derive_under(store, &relay.hook.contacts, asker.routing)
        .await
        .map_err(store_failed)?;
    let refused = |refused: ClaimRefused| refused.to_string();
    let entry = view
        .missed
        .iter()
        .find(|e| e.cleared.is_none() && e.phone_normalized == number)
        .cloned()
        .ok_or_else(|| refused(ClaimRefused::NotWaiting(number.clone())))?;
    // A supervisor releases (and reassigns) a claim as the agent who made it.
    let owner = entry.claimed_by.clone().filter(|_| supervisor);
    let answer = match ask {
        ClaimAsk::Claim => {
            check_claim(&view.missed, &number, asker.ext, true).map_err(refused)?;
            claim_for(relay, &entry, asker.ext).await?;
            ClaimAnswer::Claimed(entry.phone)
        }
        ClaimAsk::Release => {
            let by = owner.as_deref().unwrap_or(asker.ext);
            check_claim(&view.missed, &number, by, false).map_err(refused)?;
            store.release(&number, by).await.map_err(store_failed)?;
            ClaimAnswer::Released(entry.phone)
        }
        ClaimAsk::Reassign(to) => {
            if !supervisor {
                return Err(ClaimAnswer::NotSupervisor.to_string());
            }
            may_call_back(asker.routing, &view, &entry, &to)?;
            if owner.as_deref() != Some(to.as_str()) {
                if let Some(owner) = &owner {
                    store.release(&number, owner).await.map_err(store_failed)?;
                }
                claim_for(relay, &entry, &to).await?;
            }
            ClaimAnswer::Reassigned {
                phone: entry.phone,
                to,
            }
        }
    };
    relay.team_changed.notify_one();
    tracing::info!(ext = asker.ext, %answer, "a missed caller was claimed, released or reassigned");
    Ok(answer.to_string())
}

/// Records that `ext` calls back the caller of `entry` (checked free for it).
async fn claim_for(relay: &RelayState, entry: &MissedEntry, ext: &str) -> Result<(), String> {
    let asked = Claim {
        phone_normalized: entry.phone_normalized.clone(),
        ext: ext.to_owned(),
        at: OffsetDateTime::now_utc(),
    };
    if relay
        .store
        .claim(asked, entry.first_missed)
        .await
        .map_err(store_failed)?
    {
        return Ok(());
    }
    // Another agent claimed it between the check and the write: say who, or,
    // if they let it go again meanwhile, that nothing was recorded.
    let view = derive_view(&relay.store, &relay.hook.contacts)
        .await
        .map_err(store_failed)?;
    check_claim(&view.missed, &entry.phone_normalized, ext, true)
        .map_err(|refused| refused.to_string())?;
    Err(ClaimAnswer::Changed(entry.phone.clone()).to_string())
}

/// Whether agent `to` may be given the callback of `entry`: an agent of the
/// relay whose part of the queue holds it.
fn may_call_back(
    routing: &Routing,
    view: &TeamView,
    entry: &MissedEntry,
    to: &str,
) -> Result<(), String> {
    if !view.members.iter().any(|member| member.ext == to) {
        return Err(ClaimAnswer::NotAnAgent(to.to_owned()).to_string());
    }
    let theirs = routing.team_view_for(view, &routing.view_key(&routing.viewer(to)));
    if theirs
        .missed
        .iter()
        .any(|e| e.phone_normalized == entry.phone_normalized)
    {
        Ok(())
    } else {
        Err(ClaimAnswer::NotTheirs {
            phone: entry.phone.clone(),
            to: to.to_owned(),
        }
        .to_string())
    }
}

fn store_failed(e: CoreError) -> String {
    ClaimAnswer::StoreFailed(e.to_string()).to_string()
}

/// What the relay tells an agent of a claim or release, besides a
/// [`ClaimRefused`](crate::team::ClaimRefused): the text its answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimAnswer {
    /// The agent is calling this number back.
    Claimed(String),
    /// The number is back in the team's queue.
    Released(String),
    /// A supervisor gave the callback to agent `to`.
    Reassigned {
        /// The caller's number.
        phone: String,
        /// The agent calling back now.
        to: String,
    },
    /// Only supervisors reassign callbacks.
    NotSupervisor,
    /// The extension is not one of the relay's agents.
    NotAnAgent(String),
    /// The agent is in no group that sees this caller.
    NotTheirs {
        /// The caller's number.
        phone: String,
        /// The agent asked for.
        to: String,
    },
    /// Another agent's claim came between the check and the write, and was let go again.
    Changed(String),
    /// The relay's store failed (what it said).
    StoreFailed(String),
}

impl std::fmt::Display for ClaimAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimAnswer::Claimed(phone) => {
                write!(f, "you are calling back {phone}; the team sees it")
            }
            ClaimAnswer::Released(phone) => write!(f, "{phone} is back in the team's queue"),
            ClaimAnswer::Reassigned { phone, to } => {
                write!(f, "{to} is calling back {phone} now; the team sees it")
            }
            ClaimAnswer::NotSupervisor => write!(
                f,
                "only a supervisor can give a callback to another agent; ask yours"
            ),
            ClaimAnswer::NotAnAgent(ext) => write!(
                f,
                "extension {ext} is not an agent of this relay; see `xvb board`"
            ),
            ClaimAnswer::NotTheirs { phone, to } => write!(
                f,
                "{to} is in no group that sees {phone}; put them in its group first"
            ),
            ClaimAnswer::Changed(phone) => {
                write!(f, "the queue changed while you claimed {phone}; try again")
            }
            ClaimAnswer::StoreFailed(why) => {
                write!(f, "the relay's store failed ({why}); try again")
            }
        }
    }
}
