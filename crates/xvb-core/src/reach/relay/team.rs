//! The team view on a relay node: derived from the store whenever an event is
//! stored (by any node), a claim or a connection changes (on PostgreSQL every
//! node hears of it on channel `relay_team`), and every few seconds (states
//! age, and a node that died takes its agents offline); encoded once and
//! handed to every agent's connection when it changed. Also the agents'
//! claims and releases.

use super::agents::RelayStore;
use super::state::{TeamFrame, TeamFrames};
use crate::contacts::ContactIndex;
use crate::groups::Routing;
use crate::pbx::phone;
use crate::store::JournalEntry;
use crate::team::{check_claim, Claim, TeamView, WINDOW};
use crate::CoreError;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch, Notify};

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

/// An agent's claim (`claim`) or release of the missed caller `phone`: what
/// to tell the agent. A `supervisor` releases anyone's claim.
pub(super) async fn claim_or_release(
    store: &RelayStore,
    contacts: &ContactIndex,
    changed: &Notify,
    ext: &str,
    phone: &str,
    claim: bool,
    supervisor: bool,
) -> Result<String, String> {
    let number = phone::normalize(phone);
    let failed = |e: CoreError| ClaimAnswer::StoreFailed(e.to_string()).to_string();
    let view = derive_view(store, contacts).await.map_err(failed)?;
    // A supervisor releases a claim as the agent who made it.
    let owner = (supervisor && !claim)
        .then(|| {
            view.missed
                .iter()
                .find(|e| e.cleared.is_none() && e.phone_normalized == number)
                .and_then(|e| e.claimed_by.clone())
        })
        .flatten();
    let ext = owner.as_deref().unwrap_or(ext);
    check_claim(&view.missed, &number, ext, claim).map_err(|refused| refused.to_string())?;
    let entry = view
        .missed
        .iter()
        .find(|e| e.cleared.is_none() && e.phone_normalized == number)
        .expect("checked: the entry is open");
    if claim {
        let asked = Claim {
            phone_normalized: number.clone(),
            ext: ext.to_owned(),
            at: OffsetDateTime::now_utc(),
        };
        if !store
            .claim(asked, entry.first_missed)
            .await
            .map_err(failed)?
        {
            // Another agent claimed it between the check and the write: say who,
            // or, if they let it go again meanwhile, that nothing was recorded.
            let view = derive_view(store, contacts).await.map_err(failed)?;
            check_claim(&view.missed, &number, ext, true).map_err(|refused| refused.to_string())?;
            return Err(ClaimAnswer::Changed(entry.phone.clone()).to_string());
        }
    } else {
        store.release(&number, ext).await.map_err(failed)?;
    }
    changed.notify_one();
    tracing::info!(ext, claim, "an agent claimed or released a missed caller");
    let phone = entry.phone.clone();
    Ok(if claim {
        ClaimAnswer::Claimed(phone)
    } else {
        ClaimAnswer::Released(phone)
    }
    .to_string())
}

/// What the relay tells an agent of a claim or release, besides a
/// [`ClaimRefused`](crate::team::ClaimRefused): the text its answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimAnswer {
    /// The agent is calling this number back.
    Claimed(String),
    /// The number is back in the team's queue.
    Released(String),
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
            ClaimAnswer::Changed(phone) => {
                write!(f, "the queue changed while you claimed {phone}; try again")
            }
            ClaimAnswer::StoreFailed(why) => {
                write!(f, "the relay's store failed ({why}); try again")
            }
        }
    }
}
