//! A relay's wallboards on PostgreSQL (as `store/wallboards.rs` in SQLite).

use super::PgStore;
use crate::store::{Thresholds, WallboardRow};
use crate::CoreError;

const COLUMNS: &str =
    "id, group_name, wait_amber, wait_red, sl_amber, sl_red, created_at, revoked_at IS NOT NULL";

fn row(r: &tokio_postgres::Row) -> WallboardRow {
    let number = |i: usize| u32::try_from(r.get::<_, i32>(i)).unwrap_or(0);
    WallboardRow {
        id: r.get(0),
        group: r.get(1),
        thresholds: Thresholds {
            wait_amber: number(2),
            wait_red: number(3),
            sl_amber: number(4),
            sl_red: number(5),
        },
        created: r.get(6),
        revoked: r.get(7),
    }
}

impl PgStore {
    /// Adds a wallboard whose code hashes to `code_hash`; its id.
    pub async fn add_wallboard(
        &self,
        code_hash: &str,
        group: Option<&str>,
        t: Thresholds,
    ) -> Result<i64, CoreError> {
        let number = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let row = self
            .client()
            .await?
            .query_one(
                "INSERT INTO relay_wallboards
                 (code_hash, group_name, wait_amber, wait_red, sl_amber, sl_red)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    &code_hash,
                    &group,
                    &number(t.wait_amber),
                    &number(t.wait_red),
                    &number(t.sl_amber),
                    &number(t.sl_red),
                ],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Every wallboard, oldest first.
    pub async fn wallboards(&self) -> Result<Vec<WallboardRow>, CoreError> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {COLUMNS} FROM relay_wallboards ORDER BY id"),
                &[],
            )
            .await?;
        Ok(rows.iter().map(row).collect())
    }

    /// The wallboard whose code hashes to `code_hash`, unless revoked.
    pub async fn wallboard_for(&self, code_hash: &str) -> Result<Option<WallboardRow>, CoreError> {
        let found = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM relay_wallboards
                     WHERE code_hash = $1 AND revoked_at IS NULL"
                ),
                &[&code_hash],
            )
            .await?;
        Ok(found.as_ref().map(row))
    }

    /// Revokes wallboard `id`; whether there was one to revoke.
    pub async fn revoke_wallboard(&self, id: i64) -> Result<bool, CoreError> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE relay_wallboards SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
                &[&id],
            )
            .await?;
        Ok(changed == 1)
    }
}
