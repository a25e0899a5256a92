//! The relay's call-centre groups and roles ([`crate::groups`]), agents'
//! status and break reasons, the calls routing reads, and what a report
//! reads ([`crate::reports`]), on either store.

#[cfg(feature = "postgres")]
use super::RelayStore::Postgres;
use super::{blocking, RelayStore};
use crate::groups::{GroupChange, GroupName, Routing};
use crate::pbx::call::Call;
use crate::reports::Facts;
use crate::team::{AgentStatus, LoggedStatus};
use crate::CoreError;
use std::collections::HashMap;
use time::OffsetDateTime;

impl RelayStore {
    /// The groups, the default group and the supervisors.
    pub async fn routing(&self) -> Result<Routing, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |s| s.db().routing()).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.routing().await,
        }
    }

    /// Makes an admin's `change` to the groups, all or nothing.
    pub async fn change_groups(&self, change: GroupChange) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, move |s| s.db().change_groups(&change)).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.change_groups(&change).await,
        }
    }

    /// The groups agent `ext` joined when the stream stood at `seq` or later
    /// (while it was away, for an agent whose position is `seq`).
    pub async fn groups_joined_since(
        &self,
        ext: &str,
        seq: i64,
    ) -> Result<Vec<GroupName>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let ext = ext.to_owned();
                blocking(db, move |s| s.db().groups_joined_since(&ext, seq)).await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.groups_joined_since(ext, seq).await,
        }
    }

    /// The break reasons agents may give, in the order shown.
    pub async fn break_reasons(&self) -> Result<Vec<String>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |s| s.db().break_reasons()).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.break_reasons().await,
        }
    }

    /// Replaces the break reasons (checked already).
    pub async fn set_break_reasons(&self, reasons: Vec<String>) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |s| s.db().set_break_reasons(&reasons)).await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.set_break_reasons(&reasons).await,
        }
    }

    /// Every agent's current status, by extension.
    pub async fn statuses(&self) -> Result<HashMap<String, AgentStatus>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, |s| s.db().statuses()).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.statuses().await,
        }
    }

    /// Sets agent `ext`'s status and logs the change.
    pub async fn set_status(&self, ext: &str, status: AgentStatus) -> Result<(), CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let ext = ext.to_owned();
                blocking(db, move |s| s.db().set_status(&ext, &status)).await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.set_status(ext, &status).await,
        }
    }

    /// The call `callid` as merged, if stored (a route for one that started earlier).
    pub async fn call(&self, callid: &str) -> Result<Option<Call>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                let callid = callid.to_owned();
                blocking(db, move |s| s.db().call(&callid)).await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.call(callid).await,
        }
    }

    /// What a report of `from` up to `to` reads: the calls first seen in it,
    /// and the status changes in it with each agent's last one before it.
    pub async fn report_inputs(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<(Facts, Vec<LoggedStatus>), CoreError> {
        match self {
            RelayStore::Sqlite(db) => {
                blocking(db, move |s| {
                    let db = s.db();
                    Ok((
                        db.call_facts_between(from, to)?,
                        db.status_changes(from, to)?,
                    ))
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Postgres(pg) => Ok((
                pg.call_facts_between(from, to).await?,
                pg.status_changes(from, to).await?,
            )),
        }
    }

    /// The calls first seen from `from` up to `to`, whole, oldest first.
    pub async fn calls_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Call>, CoreError> {
        match self {
            RelayStore::Sqlite(db) => blocking(db, move |s| s.db().calls_between(from, to)).await,
            #[cfg(feature = "postgres")]
            Postgres(pg) => pg.calls_between(from, to).await,
        }
    }
}
