//! A relay's wallboards on SQLite: a read-only code each (its hash kept), a
//! group or the whole team, and the thresholds of its tiles.

use super::{from_unix_ms, unix_ms, Database};
use crate::CoreError;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use time::OffsetDateTime;

/// When a wallboard's tiles turn amber and red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// A caller waiting this many seconds turns the waiting tile amber.
    pub wait_amber: u32,
    /// … and this many, red.
    pub wait_red: u32,
    /// A service level under this per cent turns its tile amber.
    pub sl_amber: u32,
    /// … and under this, red.
    pub sl_red: u32,
}

/// One wallboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WallboardRow {
    /// Its number on this relay.
    pub id: i64,
    /// The group it shows (`None`: the whole team).
    pub group: Option<String>,
    /// Its tiles' thresholds.
    pub thresholds: Thresholds,
    /// When it was added.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Whether it was revoked.
    pub revoked: bool,
}

const COLUMNS: &str =
    "id, group_name, wait_amber, wait_red, sl_amber, sl_red, created_ms, revoked_ms IS NOT NULL";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(WallboardRow, i64)> {
    let thresholds = Thresholds {
        wait_amber: r.get(2)?,
        wait_red: r.get(3)?,
        sl_amber: r.get(4)?,
        sl_red: r.get(5)?,
    };
    Ok((
        WallboardRow {
            id: r.get(0)?,
            group: r.get(1)?,
            thresholds,
            created: OffsetDateTime::UNIX_EPOCH,
            revoked: r.get(7)?,
        },
        r.get(6)?,
    ))
}

fn with_time((mut board, created): (WallboardRow, i64)) -> Result<WallboardRow, CoreError> {
    board.created = from_unix_ms(created)?;
    Ok(board)
}

impl Database {
    /// Adds a wallboard whose code hashes to `code_hash`; its id.
    pub fn add_wallboard(
        &self,
        code_hash: &str,
        group: Option<&str>,
        thresholds: Thresholds,
    ) -> Result<i64, CoreError> {
        let t = thresholds;
        self.conn.execute(
            "INSERT INTO relay_wallboards
             (code_hash, group_name, wait_amber, wait_red, sl_amber, sl_red, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                code_hash,
                group,
                t.wait_amber,
                t.wait_red,
                t.sl_amber,
                t.sl_red,
                unix_ms(OffsetDateTime::now_utc())
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every wallboard, oldest first.
    pub fn wallboards(&self) -> Result<Vec<WallboardRow>, CoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM relay_wallboards ORDER BY id"
        ))?;
        let rows = stmt.query_map([], row)?;
        rows.map(|r| with_time(r?)).collect()
    }

    /// The wallboard whose code hashes to `code_hash`, unless revoked.
    pub fn wallboard_for(&self, code_hash: &str) -> Result<Option<WallboardRow>, CoreError> {
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM relay_wallboards
                     WHERE code_hash = ?1 AND revoked_ms IS NULL"
                ),
                [code_hash],
                row,
            )
            .optional()?;
        found.map(with_time).transpose()
    }

    /// Revokes wallboard `id`; whether there was one to revoke.
    pub fn revoke_wallboard(&self, id: i64) -> Result<bool, CoreError> {
        let changed = self.conn.execute(
            "UPDATE relay_wallboards SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms IS NULL",
            params![id, unix_ms(OffsetDateTime::now_utc())],
        )?;
        Ok(changed == 1)
    }
}
