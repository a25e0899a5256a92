//! Notes and tags on calls — kept by the team relay when joined (it checks the
//! tags and streams each note to every agent), else in this computer's store
//! with the tags of its settings — and the history exported as CSV.

use super::downloads::save_in_downloads;
use super::{Companion, ErrorCode, HistoryExport, UiError};
use crate::notes::{Note, NoteDraft, Tag};
use crate::pbx::pop::Language;
use crate::reach::relay::RelayError;
use crate::store::history::csv::{export_csv, CsvOptions};
use crate::store::{Database, HistoryQuery, NoteWrite};
use crate::words::RelaySaid;

impl Companion {
    /// The tags a note may carry (the relay's list when joined).
    pub fn tags(&self) -> Vec<Tag> {
        self.state.tags()
    }

    /// The tags as they change: the relay's arriving or changing (`None` in direct mode).
    pub fn tags_watch(&self) -> tokio::sync::watch::Receiver<Option<Vec<Tag>>> {
        self.state.team_tags.subscribe()
    }

    /// Saves a note (new, or an edit of `draft.id`); the note as stored here.
    /// Through a relay, the relay checks it against the team's tags.
    pub async fn save_note(&self, draft: NoteDraft) -> Result<Note, UiError> {
        let Some(relay) = self.relay_dialer().await else {
            let draft = draft
                .checked(&self.tags())
                .map_err(crate::CoreError::from)?;
            let by = self.config().extension.clone();
            let stored = self
                .state
                .writer
                .record_note(NoteWrite::Author { draft, by }, None)
                .await?;
            return Ok(stored.note);
        };
        let id = relay.note(draft).await.map_err(refused)?;
        let db = self.reader.lock().expect("reader lock");
        db.note(&id)?
            .ok_or_else(|| UiError::new(ErrorCode::Relay, &RelayError::NotBackYet))
    }

    /// Writes every call matching `query` as CSV into the Downloads folder
    /// (`;` between fields with `semicolon`, times at `utc_offset_minutes`).
    pub async fn export_history(
        &self,
        query: HistoryQuery,
        semicolon: bool,
        utc_offset_minutes: i32,
    ) -> Result<HistoryExport, UiError> {
        let offset = time::UtcOffset::from_whole_seconds(utc_offset_minutes * 60)
            .unwrap_or(time::UtcOffset::UTC);
        let options = CsvOptions {
            separator: if semicolon { b';' } else { b',' },
            offset,
            language: Language::pick(self.config().language.as_deref()),
        };
        let database = self.data.database_path();
        let name = time::OffsetDateTime::now_utc()
            .to_offset(offset)
            .format(time::macros::format_description!(
                "history-[year]-[month]-[day]-[hour][minute].csv"
            ))
            .expect("the name formats");
        let (path, calls) = save_in_downloads(name, move |file| {
            let db = Database::open(&database)?;
            Ok(export_csv(&db, &query, options, file)?)
        })
        .await?;
        Ok(HistoryExport { path, calls })
    }
}

fn refused(error: RelayError) -> UiError {
    match error {
        RelayError::Dial(message) => UiError::new(ErrorCode::Note, &RelaySaid(message)),
        other => UiError::new(ErrorCode::Relay, &other),
    }
}
