//! A team relay's store on PostgreSQL (`relay_database`), shared by every relay
//! node: the event stream with dense sequence numbers in commit order, merged
//! calls, agents, nodes and their connections. SQLite stays the single-node store.
//!
//! - `schema.sql` — the tables, created at a node's start under an advisory lock;
//! - [`writer`] — group commit: each batch takes its numbers from the head row;
//! - `stream_writes` — what every write into the stream does: lock the head row,
//!   key an event against retries, re-merge its call;
//! - `events` — the stream read back, retention;
//! - `agents` — agents, nodes and who is connected where;
//! - `contacts` — the team's shared contact book and its revision;
//! - [`team`] — recent calls and missed-call claims for the team view;
//! - `schema_team.sql`, `schema_notes.sql`, `schema_removals.sql`, `schema_groups.sql`,
//!   `schema_status.sql`, `schema_group_columns.sql`, `schema_report_columns.sql` — what was added since
//!   version 1, created if missing at every start;
//! - `notes` — agents' notes in the stream, the team's tags;
//! - `groups` — call-centre groups, their lines and members, roles (`schema_groups.sql`);
//! - `status` — agents' status and its log, the break reasons (`schema_status.sql`);
//! - `reports` — what a report reads: a period's calls (their columns) and status changes;
//! - `wallboards` — the relay's wallboards (`schema_wallboards.sql`);
//! - [`sources`] — contact sources, their copies, one node's turn to sync (`schema_sources.sql`);
//! - [`import`] — a single relay's SQLite file moved in.

mod agents;
mod contacts;
pub(crate) mod events;
mod groups;
pub mod import;
mod notes;
mod reports;
pub mod sources;
mod status;
mod stream_writes;
pub mod team;
mod wallboards;
pub mod writer;

use crate::CoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::StreamExt;
use std::str::FromStr;
use tokio::sync::mpsc;

/// The schema, version 1.
const SCHEMA: &str = include_str!("schema.sql");
const SCHEMA_TEAM: &str = include_str!("schema_team.sql");
const SCHEMA_NOTES: &str = include_str!("schema_notes.sql");
const SCHEMA_REMOVALS: &str = include_str!("schema_removals.sql");
const SCHEMA_GROUPS: &str = include_str!("schema_groups.sql");
const SCHEMA_STATUS: &str = include_str!("schema_status.sql");
const SCHEMA_GROUP_COLUMNS: &str = include_str!("schema_group_columns.sql");
const SCHEMA_WALLBOARDS: &str = include_str!("schema_wallboards.sql");
const SCHEMA_REPORT_COLUMNS: &str = include_str!("schema_report_columns.sql");
const SCHEMA_SOURCES: &str = include_str!("schema_sources.sql");
/// The advisory lock nodes take while creating or upgrading the schema.
const SCHEMA_LOCK: i64 = 0x7876_6272_656c_6179; // "xvbrelay"
/// Connections a node keeps to the database (writer, tailer, readers).
const POOL_SIZE: usize = 16;

/// The relay's PostgreSQL database, as one node sees it.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    config: std::sync::Arc<tokio_postgres::Config>,
    /// This node's name in `relay_nodes` (host and process id).
    pub node_id: String,
}

impl PgStore {
    /// Connects to `url` (a libpq connection string or URL; several hosts and
    /// `target_session_attrs=read-write` allowed) and creates the schema if new.
    pub async fn connect(url: &str) -> Result<PgStore, CoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| CoreError::Config(format!("relay_database is not a PostgreSQL connection string ({e}); it looks like postgresql://user@host:5432/dbname")))?;
        let manager = Manager::from_config(
            config.clone(),
            tls(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| CoreError::Config(format!("relay_database: {e}")))?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
        let store = PgStore {
            pool,
            config: std::sync::Arc::new(config),
            node_id: format!("{host}-{}", std::process::id()),
        };
        store.create_schema().await?;
        Ok(store)
    }

    async fn create_schema(&self) -> Result<(), CoreError> {
        let client = self.client().await?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&SCHEMA_LOCK])
            .await?;
        let created = async {
            let exists = |table: &'static str| {
                let client = &client;
                async move {
                    let row = client
                        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
                        .await?;
                    Ok::<bool, tokio_postgres::Error>(row.get(0))
                }
            };
            if !exists("relay_head").await? {
                client.batch_execute(SCHEMA).await?;
                tracing::info!("created the relay's tables in PostgreSQL");
            }
            // Only when missing: even `CREATE INDEX IF NOT EXISTS` waits for the
            // other nodes' writes to relay_calls (and holds new ones behind it).
            if !exists("relay_names").await? {
                client.batch_execute(SCHEMA_TEAM).await?;
            }
            if !exists("relay_tags").await? {
                client.batch_execute(SCHEMA_NOTES).await?;
            }
            if !exists("relay_note_removals").await? {
                client.batch_execute(SCHEMA_REMOVALS).await?;
            }
            if !exists("relay_roles").await? {
                client.batch_execute(SCHEMA_GROUPS).await?;
            }
            if !exists("relay_status_log").await? {
                client.batch_execute(SCHEMA_STATUS).await?;
            }
            // A column: even `ADD COLUMN IF NOT EXISTS` locks the table first.
            let has_newest_column = client
                .query_one(
                    "SELECT count(*) > 0 FROM information_schema.columns
                     WHERE table_name = 'relay_groups' AND column_name = 'sl_seconds'",
                    &[],
                )
                .await?
                .get::<_, bool>(0);
            if !has_newest_column {
                client.batch_execute(SCHEMA_GROUP_COLUMNS).await?;
            }
            if !exists("relay_wallboards").await? {
                client.batch_execute(SCHEMA_WALLBOARDS).await?;
            }
            if !exists("relay_calls_first_seen").await? {
                client.batch_execute(SCHEMA_REPORT_COLUMNS).await?;
            }
            if !exists("relay_contact_sources").await? {
                client.batch_execute(SCHEMA_SOURCES).await?;
            }
            Ok::<_, tokio_postgres::Error>(())
        }
        .await;
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&SCHEMA_LOCK])
            .await?;
        Ok(created?)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, CoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| CoreError::Postgres(e.to_string()))
    }

    /// A connection of its own, outside the pool, listening on `channel`: a
    /// message per notification, closed when the connection drops. Keep the
    /// client: dropping it closes the connection.
    pub(crate) async fn listen(
        &self,
        channel: &str,
    ) -> Result<(tokio_postgres::Client, mpsc::UnboundedReceiver<()>), CoreError> {
        let (client, mut connection) = self.config.connect(tls()).await?;
        let (hints, notified) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(Ok(message)) = messages.next().await {
                if let tokio_postgres::AsyncMessage::Notification(_) = message {
                    if hints.send(()).is_err() {
                        return;
                    }
                }
            }
            tracing::info!("the relay's listening connection ended; reconnecting");
        });
        client.batch_execute(&format!("LISTEN {channel}")).await?;
        Ok((client, notified))
    }
}

/// A pooled connection one task keeps (the writer, the tailer), so it never
/// queues for one behind the agents' reads — a storm of reconnecting agents,
/// say. Given back when it fails; the next use takes another.
pub(crate) struct Held {
    store: PgStore,
    client: Option<deadpool_postgres::Object>,
}

impl Held {
    /// Nothing held yet: the first use takes a connection.
    pub(crate) fn new(store: PgStore) -> Held {
        Held {
            store,
            client: None,
        }
    }

    /// The store it belongs to.
    pub(crate) fn store(&self) -> &PgStore {
        &self.store
    }

    /// The held connection, taken from the pool if none is held.
    pub(crate) async fn client(&mut self) -> Result<&mut deadpool_postgres::Object, CoreError> {
        match self.client {
            Some(ref mut client) => Ok(client),
            None => Ok(self.client.insert(self.store.client().await?)),
        }
    }

    /// Gives the connection back (after it failed).
    pub(crate) fn release(&mut self) {
        self.client = None;
    }
}

/// TLS as libpq's `sslmode` asks (`prefer` by default), checked against the
/// system's trust store like every other connection of the product.
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    tokio_postgres_rustls::MakeRustlsConnect::new((*crate::tls::client_config()).clone())
}

impl From<tokio_postgres::Error> for CoreError {
    fn from(e: tokio_postgres::Error) -> CoreError {
        CoreError::Postgres(e.to_string())
    }
}
