//! What a relay's team view reads ([`crate::team`]): the recent calls, the
//! `team_claims` table (who is calling back which missed caller) and the
//! `team_names` table (the name shown beside each extension).

use super::{from_unix_ms, unix_ms, Database};
use crate::pbx::call::Call;
use crate::team::{Claim, WINDOW};
use crate::CoreError;
use rusqlite::params;
use time::OffsetDateTime;

impl Database {
    /// Calls first seen at or after `since`, oldest first.
    pub fn calls_since(&self, since: OffsetDateTime) -> Result<Vec<Call>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT record FROM calls WHERE first_seen_ms >= ?1 ORDER BY first_seen_ms",
        )?;
        let rows = stmt.query_map([unix_ms(since)], |r| r.get::<_, String>(0))?;
        rows.map(|record| serde_json::from_str(&record?).map_err(CoreError::corrupt))
            .collect()
    }

    /// Every claim made at or after `since`.
    pub fn claims_since(&self, since: OffsetDateTime) -> Result<Vec<Claim>, CoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT phone_norm, ext, claimed_at_ms FROM team_claims WHERE claimed_at_ms >= ?1",
        )?;
        let rows = stmt.query_map([unix_ms(since)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?))
        })?;
        rows.map(|row| {
            let (phone_normalized, ext, ms) = row?;
            Ok(Claim {
                phone_normalized,
                ext,
                at: from_unix_ms(ms)?,
            })
        })
        .collect()
    }

    /// Records `claim` unless another agent claimed the number since `open_since`
    /// (when its queue entry opened): whether it was recorded. Drops claims too
    /// old to matter ([`WINDOW`]).
    pub fn claim(&self, claim: &Claim, open_since: OffsetDateTime) -> Result<bool, CoreError> {
        self.conn
            .prepare_cached("DELETE FROM team_claims WHERE claimed_at_ms < ?1")?
            .execute([unix_ms(claim.at - WINDOW)])?;
        let recorded = self
            .conn
            .prepare_cached(
                "INSERT INTO team_claims (phone_norm, ext, claimed_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(phone_norm) DO UPDATE SET ext = excluded.ext,
                     claimed_at_ms = excluded.claimed_at_ms
                 WHERE team_claims.ext = excluded.ext OR team_claims.claimed_at_ms < ?4",
            )?
            .execute(params![
                claim.phone_normalized,
                claim.ext,
                unix_ms(claim.at),
                unix_ms(open_since)
            ])?;
        Ok(recorded == 1)
    }

    /// Drops `ext`'s claim on `phone_normalized`, if it holds one.
    pub fn release(&self, phone_normalized: &str, ext: &str) -> Result<(), CoreError> {
        self.conn
            .prepare_cached("DELETE FROM team_claims WHERE phone_norm = ?1 AND ext = ?2")?
            .execute(params![phone_normalized, ext])?;
        Ok(())
    }
}

impl Database {
    /// Names `ext` on the board; `None` removes its name.
    pub fn set_team_name(&self, ext: &str, name: Option<&str>) -> Result<(), CoreError> {
        match name {
            Some(name) => self.conn.execute(
                "INSERT INTO team_names (ext, name) VALUES (?1, ?2)
                 ON CONFLICT(ext) DO UPDATE SET name = excluded.name",
                params![ext, name],
            )?,
            None => self
                .conn
                .execute("DELETE FROM team_names WHERE ext = ?1", [ext])?,
        };
        Ok(())
    }

    /// Every extension's name.
    pub fn team_names(&self) -> Result<Vec<(String, String)>, CoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ext, name FROM team_names")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
