//! Storing what the relay streams: each event and note with its relay
//! sequence number, in the same transaction, so a reconnect resumes exactly
//! after the last one stored.

use crate::listener::{HookState, Taken};
use crate::pbx::protocol::{CallEvent, Fields};
use crate::reach::relay::wire::StreamedEvent;
use crate::reach::relay::RelayError;
use crate::store::{note_of_fields, JournalEntry, NoteWrite, Relayed};

/// Stores a note the relay streamed (and its sequence number), as the relay
/// stored it, and tells the window.
pub(super) async fn store_note(state: &HookState, entry: JournalEntry) -> Result<(), RelayError> {
    let Some(note) = note_of_fields(&entry.fields) else {
        tracing::warn!(
            seq = entry.seq,
            "skipped a relayed note this version cannot read"
        );
        return Ok(());
    };
    let relayed = Relayed {
        seq: entry.seq,
        received_at: entry.received_time(),
    };
    let stored = state
        .writer
        .record_note(NoteWrite::Apply(note), Some(relayed))
        .await?;
    state.notifier.note(&stored.note);
    Ok(())
}

/// Stores one relayed event (and its sequence number); what this agent would
/// be shown, not shown yet. `None` for an event this version cannot read.
pub(super) async fn store(
    state: &HookState,
    streamed: StreamedEvent,
) -> Result<Option<Taken>, RelayError> {
    let entry = streamed.entry;
    let relayed = Relayed {
        seq: entry.seq,
        received_at: entry.received_time(),
    };
    match CallEvent::parse(Fields(entry.fields)) {
        Ok(event) => Ok(Some(
            state
                .store_event(event, Some(relayed), streamed.caller)
                .await?,
        )),
        Err(e) => {
            // The relay stored it, so this build cannot read what a newer one sent.
            tracing::warn!(seq = entry.seq, error = %e, "skipped a relayed event this version cannot read");
            Ok(None)
        }
    }
}
