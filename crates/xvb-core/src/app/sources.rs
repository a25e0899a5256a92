//! The contact sources in the app's Settings: the contact book and each
//! source in the order they are asked, with its last sync and, when the
//! last try failed, why in the agent's language; *Sync now*; a source added
//! (checked as the CLI checks it, its password to the keyring) or removed.

use super::error::ErrorCode;
use super::{Companion, UiError};
use crate::contacts::sources::sync::{sync_source, SyncError};
use crate::contacts::sources::{
    BadSource, Rewrite, SourceConfig, SourceName, SourceSettings, SourceStatus, SourceStore,
    DEFAULT_EVERY_MINUTES, LOCAL,
};
use crate::secret::{Secret, TokenStore};
use crate::words::Language;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A source as Settings shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceView {
    /// `local` (the contact book) or the source's name.
    pub name: String,
    /// `local`, `ldap`, `carddav` or `crm`.
    pub kind: String,
    /// Entries in its copy (contacts, for the book).
    pub entries: u32,
    /// Numbers in its copy.
    pub numbers: u32,
    /// The last sync that read it.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub synced_at: Option<OffsetDateTime>,
    /// Why the last try failed, in English (its copy stays in use).
    pub error_en: Option<String>,
    /// The same in Russian.
    pub error_ru: Option<String>,
}

impl From<SourceStatus> for SourceView {
    fn from(status: SourceStatus) -> SourceView {
        let worded = |language| {
            status
                .error
                .as_ref()
                .map(|e| e.worded(&status.name, language))
        };
        SourceView {
            kind: status
                .config
                .as_ref()
                .map_or(LOCAL, |c| c.settings.kind())
                .to_owned(),
            entries: status.entries,
            numbers: status.numbers,
            synced_at: status.synced_at,
            error_en: worded(Language::En),
            error_ru: worded(Language::Ru),
            name: status.name,
        }
    }
}

/// A source as the form gives it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceDraft {
    /// Its name.
    pub name: String,
    /// What it is.
    pub settings: SourceSettings,
    /// Digits put before 7-digit local numbers.
    pub local_prefix: Option<String>,
    /// Its password (a CRM's token), for the keyring; none when it needs none.
    pub password: Option<String>,
}

impl Companion {
    /// Adds a source asked after the others (its password to the keyring),
    /// syncs it if it is a directory, then the sources.
    pub async fn add_source(&self, draft: SourceDraft) -> Result<Vec<SourceView>, UiError> {
        let name = SourceName::parse(draft.name.trim())
            .map_err(|e| UiError::new(ErrorCode::Source, &e))?;
        let config = SourceConfig {
            name: name.clone(),
            settings: draft.settings,
            rewrite: Rewrite {
                local_prefix: draft.local_prefix.filter(|p| !p.trim().is_empty()),
            },
            every_minutes: DEFAULT_EVERY_MINUTES,
        };
        config
            .check()
            .map_err(|e| UiError::new(ErrorCode::Source, &e))?;
        let account = self.state.config.load().access_code.clone();
        if let Some(password) = draft.password.filter(|p| !p.is_empty()) {
            let (source, account) = (name.clone(), account.clone());
            tokio::task::spawn_blocking(move || {
                TokenStore::for_source(account.as_deref(), source.as_str())?
                    .store(&Secret::new(password)?)
            })
            .await
            .expect("the keyring does not panic")?;
        }
        let store = SourceStore::Sqlite(self.data.database_path());
        if !store.add_source(config.clone()).await? {
            let taken = BadSource::Taken(name.to_string());
            return Err(UiError::new(ErrorCode::Source, &taken));
        }
        if config.settings.synced() {
            // A failure is recorded with the source, and shown under it.
            if let Err(SyncError::Store(e)) = sync_source(&store, &config, account).await {
                return Err(e.into());
            }
        }
        self.contact_sources().await
    }

    /// Removes the source `name` and its copy; then the sources.
    pub async fn remove_source(&self, name: String) -> Result<Vec<SourceView>, UiError> {
        let name = SourceName::parse(&name).map_err(|e| UiError::new(ErrorCode::Source, &e))?;
        SourceStore::Sqlite(self.data.database_path())
            .remove_source(name)
            .await?;
        self.contact_sources().await
    }

    /// The sources in their order, with their last sync.
    pub async fn contact_sources(&self) -> Result<Vec<SourceView>, UiError> {
        let db = self.reader.lock().expect("reader lock");
        Ok(db.sources()?.into_iter().map(SourceView::from).collect())
    }

    /// Reads every synced source now (a failure is recorded with it, its copy
    /// stays), then the sources as [`Companion::contact_sources`].
    pub async fn sync_sources(&self) -> Result<Vec<SourceView>, UiError> {
        let store = SourceStore::Sqlite(self.data.database_path());
        let account = self.state.config.load().access_code.clone();
        let configs: Vec<_> = {
            let db = self.reader.lock().expect("reader lock");
            let configs = db.sources()?.into_iter().filter_map(|s| s.config);
            configs.filter(|c| c.settings.synced()).collect()
        };
        for config in &configs {
            // A source's failure is recorded with it (the list says how it went); the store's is not.
            if let Err(SyncError::Store(e)) = sync_source(&store, config, account.clone()).await {
                return Err(e.into());
            }
        }
        self.contact_sources().await
    }
}
