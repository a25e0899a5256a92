//! What the relay keeps beyond the common store: its agents (by token hash)
//! and the event stream's reads — in its SQLite file, or in PostgreSQL shared
//! by relay nodes ([`RelayStore`]). The SQL lives in the store
//! (`store/relay_agents.rs`, `store/pg/`).
//!
//! - this file — [`RelayStore`]: each of its reads and writes, on either;
//! - `rows` — what it hands back: [`RelayStatus`], [`TeamInputs`], a token's hash;
//! - `sqlite` — [`SqliteRelayStore`], a single node's store;
//! - `groups` — call-centre groups and roles, and the calls routing reads;
//! - `wallboards` — the office wallboards' codes.

mod groups;
mod rows;
mod sqlite;
mod wallboards;

pub use rows::{token_hash, RelayStatus, TeamInputs};
pub(super) use sqlite::blocking;
pub use sqlite::SqliteRelayStore;

use crate::config::DataDir;
use crate::contacts::{BookLoader, ContactIndex};
use crate::notes::Tag;
use crate::store::{AgentRow, JournalEntry, Kept};
use crate::team::Claim;
use crate::CoreError;
use std::sync::Arc;
use time::OffsetDateTime;

/// Where the relay keeps its agents and reads its stream back: its own SQLite
/// file (one node), or PostgreSQL shared by several nodes (`relay_database`).
#[derive(Clone)]
pub enum RelayStore {
    /// One relay node, in the same SQLite file as its journal and calls.
    Sqlite(Arc<SqliteRelayStore>),
    /// Relay nodes sharing one PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(crate::store::pg::PgStore),
}

impl RelayStore {
    /// The relay's store as `config` says: PostgreSQL when `relay_database` (or
    /// `XVB_RELAY_DATABASE`) is set, else the SQLite file in `data`.
    pub async fn open(
        data: &DataDir,
        config: &crate::config::Config,
    ) -> Result<RelayStore, CoreError> {
        match config.relay_database() {
            #[cfg(feature = "postgres")]
            Some(url) => Ok(RelayStore::Postgres(
                crate::store::pg::PgStore::connect(&url).await?,
            )),
            #[cfg(not(feature = "postgres"))]
            Some(_) => Err(CoreError::Config(
                "this build has no PostgreSQL support; use the xvb command line for relay_database"
                    .into(),
            )),
            None => Ok(RelayStore::Sqlite(Arc::new(SqliteRelayStore::open(data)?))),
        }
    }

    /// Adds an agent with `ext` whose token hashes to `token_hash`; its id.
    pub async fn add_agent(&self, ext: &str, token_hash: &str) -> Result<i64, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let (ext, hash) = (ext.to_owned(), token_hash.to_owned());
                blocking(db, move |db| db.add_agent(&ext, &hash)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.add_agent(ext, token_hash).await,
        }
    }

    /// Revokes the agents with this id or extension; how many.
    pub async fn revoke(&self, id_or_ext: &str) -> Result<usize, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let id_or_ext = id_or_ext.to_owned();
                blocking(db, move |db| db.revoke(&id_or_ext)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.revoke_agents(id_or_ext).await,
        }
    }

    /// The agent (not revoked) holding the token with this hash.
    pub async fn agent_for_token(&self, token_hash: &str) -> Result<Option<AgentRow>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let hash = token_hash.to_owned();
                blocking(db, move |db| db.agent_for_token(&hash)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.agent_for_token(token_hash).await,
        }
    }

    /// The ids of every revoked agent (a connected one is let go at once).
    pub async fn revoked(&self) -> Result<std::collections::HashSet<i64>, CoreError> {
        let ids = match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.revoked()).await?,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.revoked_agent_ids().await?,
        };
        Ok(ids.into_iter().collect())
    }

    /// Counts a connection of agent `id` (to this node) in or out.
    pub async fn set_connected(&self, id: i64, connected: bool) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, move |db| db.set_connected(id, connected)).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.set_agent_connected(id, connected).await,
        }
    }

    /// This relay (node) starting: it has no connections yet.
    pub async fn reset_connections(&self) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.reset_connections()).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.register_node().await,
        }
    }

    /// Stored events (and notes, with `notes`) after `seq`, oldest first.
    pub async fn events_after(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |db| db.events_after(seq, limit, notes)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.events_after(seq, limit, notes).await,
        }
    }

    /// Stored events (and notes, with `notes`) before `seq`, newest first.
    pub async fn events_before(
        &self,
        seq: i64,
        limit: usize,
        notes: bool,
    ) -> Result<Vec<JournalEntry>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |db| db.events_before(seq, limit, notes)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.events_before(seq, limit, notes).await,
        }
    }

    /// The newest sequence number (0 before any request) and what was pruned.
    pub async fn kept(&self) -> Result<Kept, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.kept()).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.kept().await,
        }
    }

    /// What the team view is derived from, since `since`: each agent's
    /// extension (connected or not), the calls and the claims.
    pub async fn team_inputs(&self, since: OffsetDateTime) -> Result<TeamInputs, CoreError> {
        let (agents, calls, claims, names) = match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |db| {
                    let db = db.db();
                    Ok((
                        db.agents()?,
                        db.calls_since(since)?,
                        db.claims_since(since)?,
                        db.team_names()?,
                    ))
                })
                .await?
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => (
                pg.agents().await?,
                pg.calls_since(since).await?,
                pg.claims_since(since).await?,
                pg.team_names().await?,
            ),
        };
        let mut roster: Vec<(String, bool)> = Vec::new();
        for agent in agents.into_iter().filter(|a| a.revoked_at.is_none()) {
            match roster.iter_mut().find(|(ext, _)| *ext == agent.ext) {
                Some((_, connected)) => *connected |= agent.connected,
                None => roster.push((agent.ext, agent.connected)),
            }
        }
        Ok(TeamInputs {
            roster,
            calls,
            claims,
            names: names.into_iter().collect(),
        })
    }

    /// Names `ext` on the board; `None` removes its name.
    pub async fn set_team_name(&self, ext: &str, name: Option<&str>) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let (ext, name) = (ext.to_owned(), name.map(str::to_owned));
                blocking(db, move |db| db.db().set_team_name(&ext, name.as_deref())).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.set_team_name(ext, name).await,
        }
    }

    /// The team's tags, in the order shown.
    pub async fn team_tags(&self) -> Result<Vec<Tag>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.db().team_tags()).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.team_tags().await,
        }
    }

    /// Replaces the team's tags (agents get the new list within seconds).
    pub async fn set_team_tags(&self, tags: Vec<Tag>) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, move |db| db.db().set_team_tags(&tags)).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.set_team_tags(&tags).await,
        }
    }

    /// Records `claim` unless another agent claimed the number since
    /// `open_since`; whether it was recorded.
    pub async fn claim(&self, claim: Claim, open_since: OffsetDateTime) -> Result<bool, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |db| db.db().claim(&claim, open_since)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.claim(&claim, open_since).await,
        }
    }

    /// Drops `ext`'s claim on `phone_normalized`, if it holds one.
    pub async fn release(&self, phone_normalized: &str, ext: &str) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let (phone, ext) = (phone_normalized.to_owned(), ext.to_owned());
                blocking(db, move |db| db.db().release(&phone, &ext)).await
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.release(phone_normalized, ext).await,
        }
    }

    /// The team's contact book (for `xvb relay board`: who a caller's responsible agent is).
    pub async fn contact_index(&self) -> Result<ContactIndex, CoreError> {
        let mut loader = BookLoader::default();
        match self {
            RelayStore::Sqlite(db) => {
                loader = blocking(db, move |db| {
                    db.db().load_book(&mut loader)?;
                    Ok(loader)
                })
                .await?
            }
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => pg.load_book(&mut loader).await?,
        }
        let index = ContactIndex::default();
        index.load(loader);
        Ok(index)
    }

    /// Agents, last request, events today.
    pub async fn status(&self) -> Result<RelayStatus, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |db| db.status()).await,
            #[cfg(feature = "postgres")]
            RelayStore::Postgres(pg) => Ok(RelayStatus {
                agents: pg.agents().await?,
                last_pbx_request: pg.last_request_at().await?,
                events_today: pg.events_today().await?,
                kept: pg.kept().await?,
                nodes: pg.nodes().await?,
                standbys: pg.standbys().await?,
            }),
        }
    }
}
