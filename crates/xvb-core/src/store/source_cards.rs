//! The `source_cards` table and `contact_sources.sync_token`: a CardDAV
//! source's cards as its last sync left them, which the next sync compares
//! with and the copy of its numbers is built from.

use super::Database;
use crate::contacts::sources::carddav::{Changes, Kept};
use crate::contacts::sources::{Entry, SourceName};
use crate::CoreError;
use rusqlite::params;

impl Database {
    /// What the last sync of `name` kept: its token and each card's ETag.
    pub fn kept_cards(&self, name: &SourceName) -> Result<Kept, CoreError> {
        let sync_token = self.conn.query_row(
            "SELECT sync_token FROM contact_sources WHERE name = ?1",
            [name.as_str()],
            |r| r.get(0),
        )?;
        let mut stmt = self
            .conn
            .prepare("SELECT href, etag FROM source_cards WHERE source = ?1")?;
        let etags = stmt
            .query_map([name.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Kept { sync_token, etags })
    }

    /// Applies a sync's `changes` to the cards of `name` (and keeps its new
    /// token), then gives every card's entry: the copy is built from them all.
    pub fn save_cards(
        &mut self,
        name: &SourceName,
        changes: &Changes,
    ) -> Result<Vec<Entry>, CoreError> {
        let tx = self.write()?;
        {
            let mut remove =
                tx.prepare("DELETE FROM source_cards WHERE source = ?1 AND href = ?2")?;
            for href in &changes.gone {
                remove.execute(params![name.as_str(), href])?;
            }
            let mut upsert = tx.prepare(
                "INSERT INTO source_cards (source, href, etag, name, numbers, responsible)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (source, href) DO UPDATE SET etag = excluded.etag,
                     name = excluded.name, numbers = excluded.numbers,
                     responsible = excluded.responsible",
            )?;
            for card in &changes.cards {
                let entry = card.entry.as_ref();
                upsert.execute(params![
                    name.as_str(),
                    card.href,
                    card.etag,
                    entry.map(|e| e.name.as_str()),
                    entry.map(|e| e.numbers.join("\n")).unwrap_or_default(),
                    entry.and_then(|e| e.responsible.as_deref()),
                ])?;
            }
        }
        tx.execute(
            "UPDATE contact_sources SET sync_token = ?2 WHERE name = ?1",
            params![name.as_str(), changes.sync_token],
        )?;
        tx.commit()?;
        let mut stmt = self.conn.prepare(
            "SELECT name, numbers, responsible FROM source_cards
             WHERE source = ?1 AND name IS NOT NULL",
        )?;
        let entries = stmt
            .query_map([name.as_str()], |r| {
                Ok(Entry::stored(r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(entries)
    }
}
