//! The relay's call-centre groups and roles ([`crate::groups`]) and the calls
//! routing reads, on either store.

#[cfg(feature = "postgres")]
use super::RelayStore::Postgres;
use super::{blocking, RelayStore};
use crate::groups::{GroupChange, Routing};
use crate::pbx::call::Call;
use crate::CoreError;

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
}
