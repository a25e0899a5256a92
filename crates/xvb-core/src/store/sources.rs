//! The `contact_sources` and `source_numbers` tables: the sources in their
//! order (the local book is the row `local`), what each last sync did, and
//! each one's copy of numbers, which the book is loaded from.

use super::contacts::bump_contacts_revision;
use super::{from_unix_ms, unix_ms, Database};
use crate::contacts::sources::{
    digest_of, ordered, Found, SourceConfig, SourceError, SourceName, SourceNumber, SourceStatus,
    LOCAL,
};
use crate::CoreError;
use rusqlite::{params, OptionalExtension};
use time::OffsetDateTime;

impl Database {
    /// Every source with its status, in the order they are asked.
    pub fn sources(&self) -> Result<Vec<SourceStatus>, CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT name, position, config, synced_ms, tried_ms, entries, numbers, error
             FROM contact_sources ORDER BY position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut sources = Vec::new();
        for (i, row) in rows.enumerate() {
            let (name, config, synced, tried, entries, numbers, error) = row?;
            let time = |ms: Option<i64>| ms.map(from_unix_ms).transpose();
            let (entries, numbers) = if name == LOCAL {
                (
                    self.count("SELECT count(*) FROM contacts")?,
                    self.count("SELECT count(*) FROM contact_phones")?,
                )
            } else {
                (entries, numbers)
            };
            sources.push(SourceStatus {
                name,
                position: i as u32 + 1,
                config: from_json(config)?,
                synced_at: time(synced)?,
                tried_at: time(tried)?,
                entries,
                numbers,
                error: from_json(error)?,
            });
        }
        Ok(sources)
    }

    /// A write transaction that takes the write lock at once (waiting out the
    /// writer's commits): a deferred one that read first would be refused
    /// when the listener's writer committed in between.
    pub(super) fn write(&mut self) -> Result<rusqlite::Transaction<'_>, CoreError> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    fn count(&self, sql: &str) -> Result<u32, CoreError> {
        Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
    }

    /// The source `name`'s settings, if there is one.
    pub fn source(&self, name: &SourceName) -> Result<Option<SourceConfig>, CoreError> {
        let config: Option<String> = self
            .conn
            .query_row(
                "SELECT config FROM contact_sources WHERE name = ?1",
                [name.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        from_json(config)
    }

    /// Adds a source, asked last; false if its name is taken. Running
    /// listeners take it (a CRM is asked from then on).
    pub fn add_source(&mut self, config: &SourceConfig) -> Result<bool, CoreError> {
        let json = serde_json::to_string(config).expect("settings serialise");
        let tx = self.write()?;
        let added = tx.execute(
            "INSERT INTO contact_sources (name, position, config)
             SELECT ?1, coalesce(max(position), 0) + 1, ?2 FROM contact_sources WHERE true
             ON CONFLICT(name) DO NOTHING",
            params![config.name.as_str(), json],
        )?;
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(added == 1)
    }

    /// Tells running listeners that `name`'s password changed (they read
    /// a CRM's token again); false if there is no such source.
    pub fn password_changed(&mut self, name: &SourceName) -> Result<bool, CoreError> {
        if self.source(name)?.is_none() {
            return Ok(false);
        }
        let tx = self.write()?;
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(true)
    }

    /// Removes a source and its copy; false if there was none.
    pub fn remove_source(&mut self, name: &SourceName) -> Result<bool, CoreError> {
        let tx = self.write()?;
        let removed = tx.execute(
            "DELETE FROM contact_sources WHERE name = ?1",
            [name.as_str()],
        )?;
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(removed == 1)
    }

    /// Puts `first` (source names or `local`) first, in that order; the rest
    /// keep theirs after them. Unknown names are returned, nothing changed.
    pub fn order_sources(&mut self, first: &[String]) -> Result<Vec<String>, CoreError> {
        let known = self.sources()?.into_iter().map(|s| s.name).collect();
        let order = match ordered(known, first) {
            Ok(order) => order,
            Err(unknown) => return Ok(unknown),
        };
        let tx = self.write()?;
        for (i, name) in order.iter().enumerate() {
            tx.execute(
                "UPDATE contact_sources SET position = ?2 WHERE name = ?1",
                params![name, i as i64],
            )?;
        }
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(Vec::new())
    }

    /// Replaces the copy of `name` with a sync's `numbers` of `entries` entries
    /// (read at `at`); the book reloads only when the copy changed, which a
    /// digest of the sorted numbers tells without reading the old copy back.
    pub fn save_copy(
        &mut self,
        name: &SourceName,
        entries: usize,
        numbers: &mut [SourceNumber],
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        let digest = digest_of(numbers);
        let tx = self.write()?;
        let kept: Option<i64> = tx.query_row(
            "SELECT digest FROM contact_sources WHERE name = ?1",
            [name.as_str()],
            |r| r.get(0),
        )?;
        if kept != Some(digest) {
            tx.execute(
                "DELETE FROM source_numbers WHERE source = ?1",
                [name.as_str()],
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO source_numbers (source, phone_norm, raw, name, responsible)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for n in numbers.iter() {
                insert.execute(params![
                    name.as_str(),
                    n.phone_norm,
                    n.raw,
                    n.name,
                    n.responsible
                ])?;
            }
            drop(insert);
            tx.execute(
                "UPDATE contact_sources SET digest = ?2 WHERE name = ?1",
                params![name.as_str(), digest],
            )?;
            bump_contacts_revision(&tx)?;
        }
        tx.execute(
            "UPDATE contact_sources SET synced_ms = ?2, tried_ms = ?2, entries = ?3, numbers = ?4,
                 error = NULL WHERE name = ?1",
            params![
                name.as_str(),
                unix_ms(at),
                entries as i64,
                numbers.len() as i64
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that `name` (a CRM) answered at `at`.
    pub fn save_answered(
        &mut self,
        name: &SourceName,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE contact_sources SET synced_ms = ?2, tried_ms = ?2, error = NULL WHERE name = ?1",
            params![name.as_str(), unix_ms(at)],
        )?;
        Ok(())
    }

    /// Records why a sync of `name` failed at `at`; its copy stays.
    pub fn save_failure(
        &mut self,
        name: &SourceName,
        error: &SourceError,
        at: OffsetDateTime,
    ) -> Result<(), CoreError> {
        self.conn.execute(
            "UPDATE contact_sources SET tried_ms = ?2, error = ?3 WHERE name = ?1",
            params![
                name.as_str(),
                unix_ms(at),
                serde_json::to_string(error).expect("errors serialise")
            ],
        )?;
        Ok(())
    }

    /// Every source that knows `phone_norm`, in the order they are asked:
    /// the first answers the PBX.
    pub fn who_knows(&self, phone_norm: &str) -> Result<Vec<Found>, CoreError> {
        let mut found = Vec::new();
        for source in self.sources()? {
            let hit = if source.name == LOCAL {
                self.conn
                    .query_row(
                        "SELECT c.name, c.responsible, p.raw FROM contact_phones p
                         JOIN contacts c ON c.id = p.contact_id WHERE p.phone_norm = ?1",
                        [phone_norm],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?)),
                    )
                    .optional()?
            } else {
                self.conn
                    .query_row(
                        "SELECT name, responsible, raw FROM source_numbers
                         WHERE source = ?1 AND phone_norm = ?2 LIMIT 1",
                        params![source.name, phone_norm],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?)),
                    )
                    .optional()?
            };
            if let Some((name, responsible, raw)) = hit {
                found.push(Found {
                    source: source.name,
                    name,
                    responsible,
                    raw: raw.unwrap_or_else(|| phone_norm.to_owned()),
                });
            }
        }
        Ok(found)
    }
}

/// A stored JSON column, if set (SQLite's and PostgreSQL's sources tables).
pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    text: Option<String>,
) -> Result<Option<T>, CoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(CoreError::corrupt))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::sources::{LdapSettings, Rewrite, SourceSettings};

    fn number(phone: &str, name: &str) -> SourceNumber {
        SourceNumber {
            phone_norm: phone.into(),
            raw: phone.into(),
            name: name.into(),
            responsible: None,
        }
    }

    #[test]
    fn the_book_reloads_only_when_a_sync_brings_another_copy() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::open(&dir.path().join("db.sqlite3")).unwrap();
        let name = SourceName::parse("corp").unwrap();
        let settings = SourceSettings::Ldap(LdapSettings {
            url: "ldap://dc1".into(),
            starttls: false,
            bind_dn: None,
            base: "dc=example".into(),
            filter: "(cn=*)".into(),
            name_attr: "cn".into(),
            number_attrs: vec!["telephoneNumber".into()],
            responsible_attr: None,
        });
        assert!(db
            .add_source(&SourceConfig {
                name: name.clone(),
                settings,
                rewrite: Rewrite::default(),
                every_minutes: 15,
            })
            .unwrap());
        let now = OffsetDateTime::now_utc();
        let mut save = |numbers: &mut [SourceNumber]| {
            db.save_copy(&name, numbers.len(), numbers, now).unwrap();
            db.contacts_revision().unwrap()
        };
        let first = save(&mut [number("74951", "Анна"), number("74952", "Борис")]);
        let same = save(&mut [number("74952", "Борис"), number("74951", "Анна")]);
        assert_eq!(first, same, "the same copy, in another order");
        let renamed = save(&mut [number("74951", "Анна"), number("74952", "Борис Б.")]);
        assert_ne!(renamed, same);
        let found = db.who_knows("74952").unwrap();
        assert_eq!(
            (found[0].source.as_str(), found[0].name.as_str()),
            ("corp", "Борис Б.")
        );
    }
}
