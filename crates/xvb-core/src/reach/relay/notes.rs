//! Agents' notes on the relay: each checked against the team's tags, stored
//! through the writer (which journals it, so it streams to every agent like an
//! event), and the tags themselves, read again every few seconds so a change
//! made with `xvb relay tags set` (on any node) reaches every agent. An
//! admin's removals (`xvb relay note remove`) are asked through the store and
//! taken by the running relay within a second, through the same writer.

use super::agents::{blocking, RelayStore};
use super::state::RelayState;
use super::wire::ToAgent;
use crate::notes::{NoteDraft, NoteRefused, Tag};
use crate::store::{AgentRow, NoteWrite, Writer};
use crate::CoreError;
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};

/// How often the relay reads its tags again.
const TAGS_EVERY: Duration = Duration::from_secs(5);
/// How often the relay looks for notes an admin asked to remove.
const REMOVALS_EVERY: Duration = Duration::from_secs(1);
/// Who removed a note, as the note says.
const ADMIN: &str = "admin";

impl RelayStore {
    /// Asks the running relay to remove note `id`; false when there is no such note.
    pub async fn ask_note_removal(&self, id: &str) -> Result<bool, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let id = id.to_owned();
                blocking(db, move |db| db.db().ask_note_removal(&id)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.ask_note_removal(id).await,
        }
    }

    async fn note_removals(&self) -> Result<Vec<String>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.db().note_removals()).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.note_removals().await,
        }
    }
}

/// Removes the notes an admin asked to remove, through `writer` (journalled
/// and streamed to every agent, whose stores then delete them). Reading the
/// requests is a read: only the writer writes.
pub(super) async fn take_removals(store: RelayStore, writer: Writer) {
    let mut every = tokio::time::interval(REMOVALS_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let ids = match store.note_removals().await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the notes to remove; will retry");
                continue;
            }
        };
        for id in ids {
            let removal = NoteWrite::Remove {
                id: id.clone(),
                by: ADMIN.into(),
            };
            match writer.record_note(removal, None).await {
                Ok(_) => tracing::info!(note = id, "removed a note as the admin asked"),
                Err(CoreError::Note(NoteRefused::NoNote(_))) => {
                    tracing::info!(
                        note = id,
                        "a note the admin asked to remove was gone already"
                    )
                }
                Err(e) => {
                    tracing::warn!(note = id, error = %e, "could not remove a note; will retry")
                }
            }
        }
    }
}

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
