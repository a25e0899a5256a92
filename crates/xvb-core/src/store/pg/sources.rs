//! Contact sources on a relay cluster (`schema_sources.sql`): the same as a
//! single store's (`store/sources.rs`, `store/source_cards.rs`), shared by
//! every node. A sync takes [`PgStore::sync_turn`] so one node syncs at a
//! time; a copy that changes moves the book's revision, which every node
//! follows.

use super::contacts::bump_revision;
use super::PgStore;
use crate::contacts::sources::carddav::{Card, Changes, Kept};
use crate::contacts::sources::{
    digest_of, ordered, Entry, Found, SourceConfig, SourceError, SourceName, SourceNumber,
    SourceStatus, LOCAL,
};
use crate::store::sources::from_json;
use crate::CoreError;
use time::OffsetDateTime;

/// The advisory lock a node holds while it syncs the sources.
const SYNC_LOCK: i64 = 0x7876_6273_6f75_7263; // "xvbsourc"
/// Rows inserted per statement when a copy is saved.
const CHUNK: usize = 10_000;

/// One node's turn to sync: the lock is held on a connection of its own,
/// closed (and so released) when the turn is dropped.
pub struct SyncTurn {
    _client: deadpool_postgres::ClientWrapper,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("settings and errors serialise")
}

impl PgStore {
    /// This node's turn to sync, unless another node is syncing.
    pub async fn sync_turn(&self) -> Result<Option<SyncTurn>, CoreError> {
        let client = deadpool_postgres::Object::take(self.client().await?);
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&SYNC_LOCK])
            .await?
            .get(0);
        Ok(got.then_some(SyncTurn { _client: client }))
    }

    /// Every source with its status, in the order they are asked.
    pub async fn sources(&self) -> Result<Vec<SourceStatus>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT name, config, synced_at, tried_at, entries, numbers, error,
                        (SELECT count(*) FROM relay_contacts), (SELECT count(*) FROM relay_contact_phones)
                 FROM relay_contact_sources ORDER BY position",
                &[],
            )
            .await?;
        let mut sources = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            let name: String = row.get(0);
            let (entries, numbers) = if name == LOCAL {
                (row.get::<_, i64>(7) as u32, row.get::<_, i64>(8) as u32)
            } else {
                (row.get::<_, i32>(4) as u32, row.get::<_, i32>(5) as u32)
            };
            sources.push(SourceStatus {
                name,
                position: i as u32 + 1,
                config: from_json(row.get(1))?,
                synced_at: row.get(2),
                tried_at: row.get(3),
                entries,
                numbers,
                error: from_json(row.get(6))?,
            });
        }
        Ok(sources)
    }

    /// Adds a source, asked last; false if its name is taken.
    pub async fn add_source(&self, config: &SourceConfig) -> Result<bool, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let added = tx
            .execute(
                "INSERT INTO relay_contact_sources (name, position, config)
                 SELECT $1, coalesce(max(position), 0) + 1, $2 FROM relay_contact_sources
                 ON CONFLICT (name) DO NOTHING",
                &[&config.name.as_str(), &json(config)],
            )
            .await?;
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(added == 1)
    }

    /// Removes a source and its copy; false if there was none.
    pub async fn remove_source(&self, name: &SourceName) -> Result<bool, CoreError> {
        self.changing(
            "DELETE FROM relay_contact_sources WHERE name = $1",
            name.as_str(),
        )
        .await
    }

    /// Tells every node that `name`'s password changed; false if there is no such source.
    pub async fn password_changed(&self, name: &SourceName) -> Result<bool, CoreError> {
        self.changing(
            "SELECT 1 FROM relay_contact_sources WHERE name = $1",
            name.as_str(),
        )
        .await
    }

    /// Runs `sql` on `name` and moves the book's revision; whether it touched a row.
    async fn changing(&self, sql: &str, name: &str) -> Result<bool, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let touched = tx.execute(sql, &[&name]).await?;
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(touched == 1)
    }

    /// Puts `first` first, in that order; the rest keep theirs after them.
    /// Unknown names are returned, nothing changed.
    pub async fn order_sources(&self, first: &[String]) -> Result<Vec<String>, CoreError> {
        let known = self.sources().await?.into_iter().map(|s| s.name).collect();
        let order = match ordered(known, first) {
            Ok(order) => order,
            Err(unknown) => return Ok(unknown),
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for (i, name) in order.iter().enumerate() {
            tx.execute(
                "UPDATE relay_contact_sources SET position = $2 WHERE name = $1",
                &[name, &(i as i32)],
            )
            .await?;
        }
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(Vec::new())
    }

    /// Replaces the copy of `name` (see `Database::save_copy`): only a copy
    /// with another digest is written and moves the revision.
    pub async fn save_copy(
        &self,
        name: &SourceName,
        entries: usize,
        numbers: &mut [SourceNumber],
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        let digest = digest_of(numbers);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let kept: Option<i64> = tx
            .query_one(
                "SELECT digest FROM relay_contact_sources WHERE name = $1 FOR UPDATE",
                &[&name.as_str()],
            )
            .await?
            .get(0);
        if kept != Some(digest) {
            tx.execute(
                "DELETE FROM relay_source_numbers WHERE source = $1",
                &[&name.as_str()],
            )
            .await?;
            for chunk in numbers.chunks(CHUNK) {
                let column = |f: fn(&SourceNumber) -> Option<&str>| -> Vec<Option<&str>> {
                    chunk.iter().map(f).collect()
                };
                tx.execute(
                    "INSERT INTO relay_source_numbers (source, phone_norm, raw, name, responsible)
                     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
                    &[
                        &name.as_str(),
                        &column(|n| Some(&n.phone_norm)),
                        &column(|n| Some(&n.raw)),
                        &column(|n| Some(&n.name)),
                        &column(|n| n.responsible.as_deref()),
                    ],
                )
                .await?;
            }
            tx.execute(
                "UPDATE relay_contact_sources SET digest = $2 WHERE name = $1",
                &[&name.as_str(), &digest],
            )
            .await?;
            bump_revision(&tx).await?;
        }
        tx.execute(
            "UPDATE relay_contact_sources SET synced_at = $2, tried_at = $2, entries = $3,
                 numbers = $4, error = NULL WHERE name = $1",
            &[
                &name.as_str(),
                &at,
                &(entries as i32),
                &(numbers.len() as i32),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records why a sync of `name` failed at `at`; its copy stays.
    pub async fn save_failure(
        &self,
        name: &SourceName,
        error: &SourceError,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE relay_contact_sources SET tried_at = $2, error = $3 WHERE name = $1",
                &[&name.as_str(), &at, &json(error)],
            )
            .await?;
        Ok(())
    }

    /// Records that `name` (a CRM) answered at `at`.
    pub async fn save_answered(
        &self,
        name: &SourceName,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE relay_contact_sources SET synced_at = $2, tried_at = $2, error = NULL WHERE name = $1",
                &[&name.as_str(), &at],
            )
            .await?;
        Ok(())
    }

    /// What the last sync of the CardDAV source `name` kept.
    pub async fn kept_cards(&self, name: &SourceName) -> Result<Kept, CoreError> {
        let client = self.client().await?;
        let sync_token = client
            .query_one(
                "SELECT sync_token FROM relay_contact_sources WHERE name = $1",
                &[&name.as_str()],
            )
            .await?
            .get(0);
        let etags = client
            .query(
                "SELECT href, etag FROM relay_source_cards WHERE source = $1",
                &[&name.as_str()],
            )
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(Kept { sync_token, etags })
    }

    /// Applies a CardDAV sync's `changes` to the cards of `name`, then gives
    /// every card's entry.
    pub async fn save_cards(
        &self,
        name: &SourceName,
        changes: &Changes,
    ) -> Result<Vec<Entry>, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM relay_source_cards WHERE source = $1 AND href = ANY($2)",
            &[&name.as_str(), &changes.gone],
        )
        .await?;
        // One statement per CHUNK cards; an href twice in a statement would
        // be refused, so the last of each counts.
        let mut last: std::collections::HashMap<&str, &Card> = std::collections::HashMap::new();
        for card in &changes.cards {
            last.insert(card.href.as_str(), card);
        }
        let cards: Vec<&Card> = last.into_values().collect();
        for chunk in cards.chunks(CHUNK) {
            let column = |f: fn(&Card) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(|c| f(c)).collect()
            };
            tx.execute(
                "INSERT INTO relay_source_cards (source, href, etag, name, numbers, responsible)
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                 ON CONFLICT (source, href) DO UPDATE SET etag = excluded.etag,
                     name = excluded.name, numbers = excluded.numbers,
                     responsible = excluded.responsible",
                &[
                    &name.as_str(),
                    &column(|c| Some(c.href.clone())),
                    &column(|c| Some(c.etag.clone())),
                    &column(|c| c.entry.as_ref().map(|e| e.name.clone())),
                    &column(|c| Some(c.entry.as_ref().map(|e| e.numbers.join("\n")).unwrap_or_default())),
                    &column(|c| c.entry.as_ref().and_then(|e| e.responsible.clone())),
                ],
            )
            .await?;
        }
        tx.execute(
            "UPDATE relay_contact_sources SET sync_token = $2 WHERE name = $1",
            &[&name.as_str(), &changes.sync_token],
        )
        .await?;
        tx.commit().await?;
        let rows = client
            .query(
                "SELECT name, numbers, responsible FROM relay_source_cards
                 WHERE source = $1 AND name IS NOT NULL",
                &[&name.as_str()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Entry::stored(r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// Every source that knows `phone_norm`, in the order they are asked.
    pub async fn who_knows(&self, phone_norm: &str) -> Result<Vec<Found>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT s.name, k.name, k.responsible, k.raw FROM relay_contact_sources s
                 CROSS JOIN LATERAL (
                     SELECT c.name, c.responsible, p.raw FROM relay_contact_phones p
                     JOIN relay_contacts c ON c.id = p.contact_id
                     WHERE s.name = 'local' AND p.phone_norm = $1
                     UNION ALL
                     SELECT n.name, n.responsible, n.raw FROM relay_source_numbers n
                     WHERE n.source = s.name AND n.phone_norm = $1
                     LIMIT 1
                 ) k ORDER BY s.position",
                &[&phone_norm],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Found {
                source: r.get(0),
                name: r.get(1),
                responsible: r.get(2),
                raw: r
                    .get::<_, Option<String>>(3)
                    .unwrap_or_else(|| phone_norm.to_owned()),
            })
            .collect())
    }
}
