//! Puts the parts together: store writer, contact index (kept fresh), listener.

use crate::config::{Config, DataDir};
use crate::contacts::ContactIndex;
use crate::listener::{router, HookState};
use crate::notifier::Notifier;
use crate::store::{Database, Writer};
use crate::CoreError;
use arc_swap::ArcSwap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How often a running listener checks for contact-book changes made by other processes.
pub const CONTACTS_REFRESH: Duration = Duration::from_millis(500);

/// A ready-to-serve engine.
pub struct Engine {
    /// The listener's shared state.
    pub state: HookState,
    database: PathBuf,
}

impl Engine {
    /// Opens the store of `data`, loads the contact index and starts the writer.
    pub fn open(
        data: &DataDir,
        config: Config,
        notifier: Arc<dyn Notifier>,
    ) -> Result<Engine, CoreError> {
        let database = data.database_path();
        let writer = Writer::start(&database)?;
        let contacts = Arc::new(ContactIndex::default());
        load_index(&Database::open(&database)?, &contacts)?;
        Ok(Engine {
            state: HookState {
                config: Arc::new(ArcSwap::from_pointee(config)),
                writer,
                contacts,
                notifier,
            },
            database,
        })
    }

    /// Reloads the contact index whenever another process changes the book.
    pub fn watch_contacts(&self) -> Result<(), CoreError> {
        let db = Database::open(&self.database)?;
        let index = Arc::clone(&self.state.contacts);
        let mut seen = db.contacts_revision()?;
        std::thread::Builder::new()
            .name("xvb-contacts-watch".into())
            .spawn(move || loop {
                std::thread::sleep(CONTACTS_REFRESH);
                match db.contacts_revision() {
                    Ok(rev) if rev != seen => match load_index(&db, &index) {
                        Ok(()) => seen = rev,
                        Err(e) => tracing::warn!(error = %e, "could not reload contacts"),
                    },
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not check contacts"),
                }
            })
            .map_err(|e| CoreError::io(&self.database, e))?;
        Ok(())
    }

    /// Serves the listener on `listener` until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), CoreError> {
        let addr = listener
            .local_addr()
            .map_err(|e| CoreError::io(Path::new("listener"), e))?;
        axum::serve(listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| CoreError::Listen { addr, source: e })
    }
}

fn load_index(db: &Database, index: &ContactIndex) -> Result<(), CoreError> {
    let rows = db.index_rows()?;
    index.replace(
        rows.iter()
            .map(|(n, name, r)| (n.as_str(), name.as_str(), r.as_deref())),
    );
    tracing::debug!(numbers = index.len(), "contact index loaded");
    Ok(())
}
