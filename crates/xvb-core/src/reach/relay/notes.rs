//! Agents' notes on the relay: each checked against the team's tags, stored
//! through the writer (which journals it, so it streams to every agent like an
//! event), and the tags themselves, read again every few seconds so a change
//! made with `xvb relay tags set` (on any node) reaches every agent.

use super::agents::RelayStore;
use super::server::RelayState;
use super::wire::ToAgent;
use crate::notes::{NoteDraft, Tag};
use crate::store::{AgentRow, NoteWrite};
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};

/// How often the relay reads its tags again.
const TAGS_EVERY: Duration = Duration::from_secs(5);

/// Keeps `tags` equal to the store's list, until nobody listens.
pub(super) async fn keep_tags_fresh(store: RelayStore, tags: watch::Sender<Vec<Tag>>) {
    let mut every = tokio::time::interval(TAGS_EVERY);
    while !tags.is_closed() {
        every.tick().await;
        match store.team_tags().await {
            Ok(fresh) => {
                tags.send_if_modified(|current| {
                    let changed = *current != fresh;
                    if changed {
                        *current = fresh;
                    }
                    changed
                });
            }
            Err(e) => tracing::warn!(error = %e, "could not read the team's tags; will retry"),
        }
    }
}

/// Stores `agent`'s note `draft` and answers on `replies`: refused (a tag not
/// on the list, no such call), or stored — every agent then receives it
/// (holding `permit` until answered).
pub(super) fn answer_note(
    relay: &RelayState,
    agent: &AgentRow,
    replies: &mpsc::Sender<ToAgent>,
    id: u64,
    draft: NoteDraft,
    permit: OwnedSemaphorePermit,
) {
    let tags = relay.tags.borrow().clone();
    let (writer, ext, replies) = (
        relay.hook.writer.clone(),
        agent.ext.clone(),
        replies.clone(),
    );
    tokio::spawn(async move {
        let stored = match draft.checked(&tags) {
            Ok(draft) => {
                let write = NoteWrite::Author {
                    draft,
                    by: Some(ext.clone()),
                };
                writer.record_note(write, None).await
            }
            Err(refused) => Err(refused.into()),
        };
        let reply = match stored {
            Ok(stored) => {
                tracing::info!(ext, "an agent wrote a note");
                ToAgent::Replied {
                    id,
                    ok: true,
                    message: stored.note.id,
                    seq: Some(stored.seq),
                }
            }
            Err(e) => ToAgent::Replied {
                id,
                ok: false,
                message: e.to_string(),
                seq: None,
            },
        };
        let _ = replies.send(reply).await;
        drop(permit);
    });
}
