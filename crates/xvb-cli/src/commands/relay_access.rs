//! Reaching a team relay from a command: an agent's join code (the command
//! line, `XVB_RELAY`, or the relay joined), and the relay's own store for the
//! admin's commands on the relay's machine. Shared by `serve`, `call`, `note`,
//! `board`/`missed` and `relay`; imports no other command family.

use super::current_thread_runtime;
use crate::error::CliError;
use xvb_core::config::{Config, DataDir};
use xvb_core::reach::relay::{JoinCode, RelayStore};

/// Environment variable that can carry a join code (instead of the command line, which `ps` shows).
const JOIN_ENV: &str = "XVB_RELAY";

/// A join code from the command line or `XVB_RELAY`, else the relay joined
/// with `xvb relay join` (its token from the keyring).
pub(crate) fn join_code(
    data: &DataDir,
    given: Option<String>,
) -> Result<Option<JoinCode>, CliError> {
    let given = given.or_else(|| {
        std::env::var(JOIN_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
    });
    match given {
        Some(text) => Ok(Some(
            JoinCode::parse(&text).map_err(|e| CliError::Failed(e.to_string()))?,
        )),
        None => Ok(JoinCode::joined(&data.load_config()?)?),
    }
}

/// Runs `query` on the relay's store (its SQLite file, or `relay_database`).
pub(crate) fn relay_store<T, F: std::future::Future<Output = Result<T, xvb_core::CoreError>>>(
    data: &DataDir,
    config: &Config,
    query: impl FnOnce(RelayStore) -> F,
) -> Result<T, CliError> {
    current_thread_runtime()?.block_on(async {
        let store = RelayStore::open(data, config).await?;
        Ok(query(store).await?)
    })
}
