//! A source synced: now (`xvb contacts sync`), and in the background of
//! `xvb serve`, the app and `xvb relay serve` — at start and every few minutes.
//! A sync that fails records why and leaves the last copy in use.

use super::{
    carddav, ldap, numbers_of, Entry, SourceConfig, SourceError, SourceSettings, SourceStore,
};
use crate::secret::{Secret, TokenError, TokenStore};
use crate::words::Language;
use crate::CoreError;
use std::time::Duration;
use time::OffsetDateTime;

/// How often the background checks which sources are due.
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// What a good sync read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    /// Entries with a name.
    pub entries: usize,
    /// Their numbers.
    pub numbers: usize,
}

/// Why a sync did not copy the source.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The source: recorded with its status.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The store.
    #[error(transparent)]
    Store(#[from] CoreError),
}

/// The environment variable a headless server gives `name`'s password in.
pub fn password_variable(name: &str) -> String {
    format!(
        "XVB_SOURCE_PASSWORD_{}",
        name.to_ascii_uppercase().replace('-', "_")
    )
}

/// The password `config` binds with: none if it needs none; else the
/// environment's (headless servers), else the keyring's.
pub fn password_for(
    access_code: Option<&str>,
    config: &SourceConfig,
) -> Result<Option<Secret>, SourceError> {
    if !config.settings.needs_password() {
        return Ok(None);
    }
    if let Ok(text) = std::env::var(password_variable(config.name.as_str())) {
        if let Ok(secret) = Secret::new(text) {
            return Ok(Some(secret));
        }
    }
    // No keyring at all: only what was wrong, as SourceError says what to do
    // (the token's own advice, XVB_TOKEN, is not a source's).
    let keyring = |e: TokenError| SourceError::NoKeyring {
        reason: match e {
            TokenError::NoKeyring(detail) => detail,
            other => other.to_string(),
        },
    };
    match TokenStore::for_source(access_code, config.name.as_str())
        .map_err(keyring)?
        .load()
    {
        Ok(secret) => Ok(Some(secret)),
        Err(TokenError::SecretNotSet { .. }) => Err(SourceError::NoPassword),
        Err(e) => Err(keyring(e)),
    }
}

/// Reads `config`'s source now with its password (the environment's or the
/// keyring's, read on a blocking thread: the keyring's client blocks and
/// starts a runtime of its own) and stores its copy in `store`; when the
/// source fails, why is stored and the copy stays.
pub async fn sync_source(
    store: &SourceStore,
    config: &SourceConfig,
    access_code: Option<String>,
) -> Result<Synced, SyncError> {
    let reading = config.clone();
    let password =
        tokio::task::spawn_blocking(move || password_for(access_code.as_deref(), &reading))
            .await
            .expect("the keyring does not panic");
    let read = match password {
        Ok(password) => read(store, config, password.as_ref()).await,
        Err(e) => Err(e.into()),
    };
    let (name, at) = (config.name.clone(), OffsetDateTime::now_utc());
    match read {
        Ok(entries) => {
            let numbers = numbers_of(&entries, &config.rewrite);
            let synced = Synced {
                entries: entries.len(),
                numbers: numbers.len(),
            };
            drop(entries);
            store.save_copy(name, synced.entries, numbers, at).await?;
            give_back_memory();
            tracing::info!(source = %config.name, entries = synced.entries, numbers = synced.numbers, "source synced");
            Ok(synced)
        }
        Err(SyncError::Store(e)) => Err(SyncError::Store(e)),
        Err(SyncError::Source(error)) => {
            store.save_failure(name, error.clone(), at).await?;
            let why = error.worded(config.name.as_str(), Language::En);
            tracing::warn!(source = %config.name, error = %why, "source not synced; its last copy stays");
            Err(error.into())
        }
    }
}

/// Every entry `config`'s source has now: an LDAP directory read whole; a
/// CardDAV book's changes stored with its cards, then all its cards.
async fn read(
    store: &SourceStore,
    config: &SourceConfig,
    password: Option<&Secret>,
) -> Result<Vec<Entry>, SyncError> {
    match &config.settings {
        SourceSettings::Ldap(settings) => Ok(ldap::fetch(settings, password).await?),
        SourceSettings::CardDav(settings) => {
            let kept = store.kept_cards(config.name.clone()).await?;
            let changes = carddav::fetch(settings, password, &kept).await?;
            drop(kept);
            Ok(store.save_cards(config.name.clone(), changes).await?)
        }
        // A CRM keeps no copy: it is asked per caller (`crm::CrmLookups`).
        SourceSettings::Crm(_) => Ok(Vec::new()),
    }
}

/// Hands the memory a sync freed back to the system: glibc keeps it in the
/// thread's arena otherwise, and a 100,000-entry sync would leave the
/// listener tens of MB bigger for as long as it runs.
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Starts [`keep_synced`] on a thread of its own (with its own small runtime,
/// so a slow directory never takes a worker from the listener).
pub fn start(store: SourceStore, access_code: Option<String>) {
    let started = std::thread::Builder::new()
        .name("xvb-sources".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(keep_synced(store, access_code)),
                Err(e) => tracing::error!(error = %e, "contact sources will not sync"),
            }
        });
    if let Err(e) = started {
        tracing::error!(error = %e, "contact sources will not sync");
    }
}

/// Syncs each source of `store` when it is due — at start, then every its
/// minutes — for as long as the process runs. On a relay cluster a node syncs
/// only in its turn: the others skip the round (and find the sources synced).
pub async fn keep_synced(store: SourceStore, access_code: Option<String>) {
    loop {
        match store.sync_turn().await {
            Ok(Some(turn)) => {
                sync_due(&store, &access_code).await;
                drop(turn);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not take a turn to sync the contact sources; will retry")
            }
        }
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

/// Syncs each source of `store` whose minutes have passed since it was last tried.
async fn sync_due(store: &SourceStore, access_code: &Option<String>) {
    let sources = match store.sources().await {
        Ok(sources) => sources,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the contact sources; will retry");
            return;
        }
    };
    let now = OffsetDateTime::now_utc();
    for source in sources {
        let Some(config) = source.config.filter(|c| c.settings.synced()) else {
            continue;
        };
        let every = time::Duration::minutes(i64::from(config.every_minutes.max(1)));
        if source.tried_at.is_some_and(|tried| now - tried < every) {
            continue;
        }
        tracing::info!(source = %config.name, "syncing a contact source");
        // A source's failure is logged and recorded by `sync_source`; the store's is not.
        if let Err(SyncError::Store(e)) = sync_source(store, &config, access_code.clone()).await {
            tracing::warn!(source = %config.name, error = %e, "could not store a source's copy; will retry");
        }
    }
}
