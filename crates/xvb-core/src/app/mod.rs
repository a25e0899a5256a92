//! What the desktop app does, as one object its Tauri commands delegate to in
//! a line each: [`Companion`]. The `xvb` CLI uses the same parts directly.
//!
//! - `reach` — the listener (restartable when settings change), the team relay
//!   joined or the tunnel, and the [`Reach`] line;
//! - `settings` — the settings screen, saving, secrets in the keyring;
//! - `dialing` — the dial pad, `tel:` links and selected text, the test call;
//! - `recordings` — playing and saving recordings;
//! - `team` — the team's board and missed-call queue (relay mode), claims;
//! - `reports` — the Reports tab's figures (the team's, or the agent's own);
//! - `notes` — notes and tags on calls (through the relay when joined), CSV export;
//! - `contacts` — the contact book: import, edit, export;
//! - [`views`] — what the screens receive; [`error`]: what they show on failure,
//!   in the agent's language ([`Companion::language`]); `messages`: the app's
//!   own messages, where no error of the engine says it.
//!
//! Uses every other part of the crate; nothing uses it but the shells.

mod contacts;
mod dialing;
mod downloads;
pub mod error;
pub(crate) mod messages;
mod notes;
mod reach;
mod recordings;
mod reports;
mod settings;
mod sources;
mod team;
pub mod views;

pub use error::{ErrorCode, UiError};
pub use sources::{SourceDraft, SourceView};
pub use views::{
    ContactsExport, DialRequest, HistoryExport, HistoryPage, RecordingView, SettingsView,
};

use crate::audio::playback::PlaybackServer;
use crate::config::{Config, DataDir};
use crate::listener::{Engine, HookState};
use crate::pbx::notifier::Notifier;
use crate::reach::Reach;
use crate::store::{Database, HistoryQuery};
use crate::words::Language;
use crate::CoreError;
use reach::{Running, RunningListener};
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, OnceCell};

/// The desktop app's engine.
pub struct Companion {
    data: DataDir,
    state: HookState,
    reader: Mutex<Database>,
    listener: tokio::sync::Mutex<Option<RunningListener>>,
    playback: OnceCell<PlaybackServer>,
    running: tokio::sync::Mutex<Option<Running>>,
    reach: Arc<watch::Sender<Reach>>,
    link_pace: dialing::LinkPace,
}

impl Companion {
    /// Opens the data dir shared with the `xvb` CLI.
    pub fn open(data: DataDir, notifier: Arc<dyn Notifier>) -> Result<Companion, CoreError> {
        let config = data.load_config()?;
        let access_code = config.access_code.clone();
        let engine = Engine::open(&data, config, notifier)?;
        crate::contacts::sources::sync::start(
            crate::contacts::sources::SourceStore::Sqlite(data.database_path()),
            access_code,
        );
        Ok(Companion {
            reader: Mutex::new(Database::open(&data.database_path())?),
            data,
            state: engine.state,
            listener: tokio::sync::Mutex::new(None),
            playback: OnceCell::new(),
            running: tokio::sync::Mutex::new(None),
            reach: Arc::new(watch::channel(Reach::Starting).0),
            link_pace: dialing::LinkPace::default(),
        })
    }

    /// The current settings.
    pub fn config(&self) -> Arc<Config> {
        self.state.config.load_full()
    }

    /// The language the agent reads: the setting, else the session's. Errors
    /// ([`UiError::in_language`]) and texts the app shows follow it.
    pub fn language(&self) -> Language {
        Language::pick(self.config().language.as_deref())
    }

    /// A page of history.
    pub fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, UiError> {
        let db = self.reader.lock().expect("reader lock");
        Ok(HistoryPage {
            calls: db.history(query)?,
            total: db.history_count(query)?,
        })
    }
}

#[cfg(test)]
mod tests;
