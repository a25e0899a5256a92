//! History back-fill: an agent put in a group (or made a supervisor) gets the
//! calls of the last [`BACKFILL`] it may see now and could not before, as
//! history — stored, never popped — once: when the change reaches its
//! connection, or, if it was away then, when it next connects (the groups it
//! joined since its position). Newer calls reach it the usual way.

use super::state::{encode, RelayState};
use super::wire::ToAgent;
use crate::groups::Viewer;
use crate::store::JournalEntry;
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;

/// How far back an agent new to a group gets that group's calls.
pub(super) const BACKFILL: time::Duration = time::Duration::hours(24);
/// Entries read back from the store at a time.
const PAGE: usize = 1000;

/// Who an agent was to the groups and who it is now, up to its position.
pub(super) struct Joined<'a> {
    /// Who it was (what it has had).
    pub(super) was: &'a Viewer,
    /// Who it is now.
    pub(super) now: &'a Viewer,
    /// Its position: entries after it reach it the usual way.
    pub(super) through: i64,
    /// Whether it takes notes.
    pub(super) notes: bool,
}

/// The entries up to `joined.through` from the last [`BACKFILL`] that the
/// agent sees now and did not before, oldest first.
async fn newly_seen(
    relay: &RelayState,
    joined: &Joined<'_>,
) -> Result<Vec<JournalEntry>, axum::Error> {
    let since = time::OffsetDateTime::now_utc() - BACKFILL;
    let mut found = Vec::new();
    let mut before = joined.through + 1;
    loop {
        let page = relay
            .store
            .events_before(before, PAGE, joined.notes)
            .await
            .map_err(axum::Error::new)?;
        let full = page.len() == PAGE;
        for entry in page {
            if entry.received_time() < since {
                found.reverse();
                return Ok(found);
            }
            before = entry.seq;
            let audience = relay.audience(&entry).await;
            if audience.reaches(joined.now) && !audience.reaches(joined.was) {
                found.push(entry);
            }
        }
        if !full {
            found.reverse();
            return Ok(found);
        }
    }
}

/// Sends the agent what it may see since it joined (see the module); how many.
pub(super) async fn send_backfill(
    relay: &RelayState,
    out: &mut SplitSink<WebSocket, Message>,
    joined: Joined<'_>,
) -> Result<usize, axum::Error> {
    if joined.now == joined.was || joined.through == 0 {
        return Ok(0);
    }
    let entries = newly_seen(relay, &joined).await?;
    let count = entries.len();
    for entry in entries {
        let message = ToAgent::Backfill(relay.streamed(entry));
        out.feed(Message::Text(encode(&message))).await?;
    }
    out.flush().await?;
    if count > 0 {
        tracing::info!(
            ext = joined.now.ext,
            count,
            "an agent new to a group got its recent calls"
        );
    }
    Ok(count)
}

/// Sends an agent connecting at position `after` the recent calls of the
/// groups it joined while away (see the module); how many.
pub(super) async fn send_joined_while_away(
    relay: &RelayState,
    out: &mut SplitSink<WebSocket, Message>,
    viewer: &Viewer,
    after: i64,
    notes: bool,
) -> Result<usize, axum::Error> {
    // The groups joined are among its groups now: in none, nothing to ask the store.
    if viewer.groups.is_empty() {
        return Ok(0);
    }
    let joined = relay
        .store
        .groups_joined_since(&viewer.ext, after)
        .await
        .map_err(axum::Error::new)?;
    let mut was = viewer.clone();
    was.groups.retain(|group| !joined.contains(group));
    let joined = Joined {
        was: &was,
        now: viewer,
        through: after,
        notes,
    };
    send_backfill(relay, out, joined).await
}
