//! Puts the parts together: store writer, contact index (kept fresh), listener.

use crate::config::{Config, DataDir};
use crate::contacts::sources::crm::CrmLookups;
use crate::contacts::sources::SourceStore;
use crate::contacts::{BookLoader, ContactIndex};
use crate::listener::{router, HookState};
use crate::net::Limits;
use crate::pbx::notifier::Notifier;
use crate::store::{Database, Feed, Writer};
use crate::CoreError;
use arc_swap::ArcSwap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How often a running listener checks for contact-book changes made by other processes.
pub const CONTACTS_REFRESH: Duration = Duration::from_millis(500);

/// Connections a listener keeps open at most (fewer where the descriptor limit is lower).
pub const LISTENER_CONNECTIONS: usize = 4096;

/// A ready-to-serve engine.
pub struct Engine {
    /// The listener's shared state.
    pub state: HookState,
}

impl Engine {
    /// Opens the store of `data` and starts the writer; the contact index loads
    /// in the background (requests wait for its first load, the socket need not)
    /// and reloads whenever another process changes the book.
    pub fn open(
        data: &DataDir,
        config: Config,
        notifier: Arc<dyn Notifier>,
    ) -> Result<Engine, CoreError> {
        Engine::open_with_feed(data, config, notifier, None)
    }

    /// [`Engine::open`], also sending every stored event to `feed` (a relay's stream).
    pub fn open_with_feed(
        data: &DataDir,
        config: Config,
        notifier: Arc<dyn Notifier>,
        feed: Option<Feed>,
    ) -> Result<Engine, CoreError> {
        let database = data.database_path();
        let writer = Writer::start_with_feed(&database, feed)?;
        let contacts = Arc::new(ContactIndex::default());
        let db = Database::open(&database)?;
        let index = Arc::clone(&contacts);
        let (path, access_code) = (database.clone(), config.access_code.clone());
        std::thread::Builder::new()
            .name("xvb-contacts".into())
            .spawn(move || keep_index_fresh(db, &index, &path, access_code.as_deref()))
            .map_err(|e| CoreError::io(&database, e))?;
        Ok(Engine::assemble(config, writer, contacts, notifier))
    }

    /// An engine from its parts: a relay node on PostgreSQL brings its own
    /// writer and keeps `contacts` loaded from the shared book itself.
    pub fn assemble(
        config: Config,
        writer: Writer,
        contacts: Arc<ContactIndex>,
        notifier: Arc<dyn Notifier>,
    ) -> Engine {
        Engine {
            state: HookState {
                config: Arc::new(ArcSwap::from_pointee(config)),
                writer,
                contacts,
                notifier,
                team: Arc::new(tokio::sync::watch::channel(None).0),
                team_tags: Arc::new(tokio::sync::watch::channel(None).0),
                refusals: Arc::default(),
                ringing: Arc::default(),
            },
        }
    }

    /// Serves the listener on `listener` until `shutdown` resolves, every
    /// connection bounded ([`crate::net`]).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) {
        let limits = Limits::public(LISTENER_CONNECTIONS);
        crate::net::serve(listener, router(self.state), None, limits, shutdown).await;
    }
}

/// Loads the index (and the CRM sources), then reloads it whenever the
/// book's revision changes.
fn keep_index_fresh(
    db: Database,
    index: &ContactIndex,
    path: &std::path::Path,
    access_code: Option<&str>,
) {
    // For the CRM sources' store, read the way every node reads it.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "the contact book will not load");
            return;
        }
    };
    let mut loaded = None;
    loop {
        match db.contacts_revision() {
            Ok(rev) if Some(rev) != loaded => {
                match load_index(&db, index, path, access_code, &runtime) {
                    Ok(()) => loaded = Some(rev),
                    Err(e) => {
                        tracing::error!(error = %e, "could not load the contact book; answering as if it were empty until it loads");
                        if loaded.is_none() {
                            index.replace(std::iter::empty());
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not check the contact book; will retry"),
        }
        std::thread::sleep(CONTACTS_REFRESH);
    }
}

fn load_index(
    db: &Database,
    index: &ContactIndex,
    path: &std::path::Path,
    access_code: Option<&str>,
    runtime: &tokio::runtime::Runtime,
) -> Result<(), CoreError> {
    let mut loader = BookLoader::default();
    db.load_book(&mut loader)?;
    index.load(loader);
    tracing::info!(numbers = index.len(), "contact book loaded");
    // Then the CRMs (their tokens from the keyring): a CRM that cannot be
    // read never keeps the book from answering.
    let store = SourceStore::Sqlite(path.to_owned());
    let crms = CrmLookups::follow(&store, index, access_code.map(str::to_owned));
    if let Err(e) = runtime.block_on(crms) {
        tracing::warn!(error = %e, "could not read the CRM sources");
    }
    Ok(())
}
