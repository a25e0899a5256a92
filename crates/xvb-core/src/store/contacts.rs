//! The contact book's tables (`contacts`, `contact_phones`) and the revision
//! counter the in-memory index watches.

use super::{meta, Database};
use crate::contacts::sources::LOCAL;
use crate::contacts::{BookLoader, Contact, Parsed, RowError};
use crate::pbx::phone;
use crate::CoreError;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// How a contact import went.
#[derive(Debug, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// New contacts.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub added: usize,
    /// Contacts that matched an existing one by number and were updated.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated: usize,
    /// Rows skipped, with their line and reason.
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// The report with the skipped rows' reasons in `language`.
    pub fn in_language(self, language: crate::words::Language) -> ImportReport {
        ImportReport {
            errors: self
                .errors
                .into_iter()
                .map(|row| row.in_language(language))
                .collect(),
            ..self
        }
    }
}

/// Moves the book's revision on, so every running listener reloads it.
pub(super) fn bump_contacts_revision(conn: &Connection) -> Result<(), CoreError> {
    conn.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'contacts_rev'",
        [],
    )?;
    Ok(())
}

/// Inserts or updates a contact by its numbers; returns `(id, was_new)`.
fn upsert_contact(conn: &Connection, contact: &Contact) -> Result<(i64, bool), CoreError> {
    let numbers: Vec<(String, &str)> = contact
        .phones
        .iter()
        .map(|raw| (phone::normalize(raw), raw.as_str()))
        .collect();
    let mut existing = None;
    for (number, _) in &numbers {
        existing = conn
            .prepare_cached("SELECT contact_id FROM contact_phones WHERE phone_norm = ?1")?
            .query_row([number], |r| r.get::<_, i64>(0))
            .optional()?;
        if existing.is_some() {
            break;
        }
    }
    let id = match existing {
        Some(id) => {
            conn.prepare_cached(
                "UPDATE contacts SET name = ?2, responsible = ?3, crm_url = ?4, note = ?5 WHERE id = ?1",
            )?
            .execute(params![id, contact.name, contact.responsible, contact.crm_url, contact.note])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO contacts (name, responsible, crm_url, note) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                contact.name,
                contact.responsible,
                contact.crm_url,
                contact.note
            ])?;
            conn.last_insert_rowid()
        }
    };
    for (number, raw) in numbers {
        conn.prepare_cached(
            "INSERT INTO contact_phones (phone_norm, contact_id, raw) VALUES (?1, ?2, ?3)
             ON CONFLICT(phone_norm) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw",
        )?
        .execute(params![number, id, raw])?;
    }
    Ok((id, existing.is_none()))
}

impl Database {
    /// A counter that changes whenever the contact book does.
    pub fn contacts_revision(&self) -> Result<i64, CoreError> {
        meta(&self.conn, "contacts_rev")
    }

    /// Every number of the book with its contact's name and responsible, into
    /// `loader` one row at a time (a million contacts never sit in memory twice):
    /// each source's copy and the local book, the source asked last first, so
    /// that where two know a number the one asked first wins.
    pub fn load_book(&self, loader: &mut BookLoader) -> Result<(), CoreError> {
        let order: Vec<String> = self
            .conn
            .prepare("SELECT name FROM contact_sources ORDER BY position DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for source in order {
            if source == LOCAL {
                self.load_local_book(loader)?;
            } else {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT phone_norm, name, responsible FROM source_numbers WHERE source = ?1",
                )?;
                load_rows(stmt.query([&source])?, loader)?;
            }
        }
        Ok(())
    }

    fn load_local_book(&self, loader: &mut BookLoader) -> Result<(), CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.phone_norm, c.name, c.responsible FROM contact_phones p
             JOIN contacts c ON c.id = p.contact_id ORDER BY p.contact_id",
        )?;
        let loaded = load_rows(stmt.query([])?, loader);
        loaded
    }

    /// Adds or updates parsed contacts in one transaction.
    ///
    /// A contact whose number is already in the book updates that contact,
    /// so importing the same file twice changes nothing.
    pub fn import(&mut self, parsed: Parsed) -> Result<ImportReport, CoreError> {
        let mut report = ImportReport {
            errors: parsed.errors,
            ..ImportReport::default()
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (_, contact) in parsed.contacts {
            if upsert_contact(&tx, &contact)?.1 {
                report.added += 1;
            } else {
                report.updated += 1;
            }
        }
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Adds one contact (or updates the one that has its number); returns its id.
    pub fn add_contact(&mut self, contact: Contact) -> Result<i64, CoreError> {
        self.save_contact(None, contact)
    }

    /// Puts `contact` in place of contact `id` (its numbers too), in one
    /// transaction: nothing changes when it is not valid. Returns its id.
    pub fn replace_contact(&mut self, id: i64, contact: Contact) -> Result<i64, CoreError> {
        self.save_contact(Some(id), contact)
    }

    fn save_contact(&mut self, replaced: Option<i64>, contact: Contact) -> Result<i64, CoreError> {
        let contact = contact.validated()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(id) = replaced {
            tx.execute("DELETE FROM contacts WHERE id = ?1", [id])?;
        }
        let (id, _) = upsert_contact(&tx, &contact)?;
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Removes the contact with this id, or the one owning this number; true when found.
    pub fn remove_contact(&mut self, id_or_phone: &str) -> Result<bool, CoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = match id_or_phone.trim().strip_prefix('#') {
            Some(id) => id.parse().ok(),
            None => tx
                .query_row(
                    "SELECT contact_id FROM contact_phones WHERE phone_norm = ?1",
                    [phone::normalize(id_or_phone)],
                    |r| r.get(0),
                )
                .optional()?,
        };
        let removed = match id {
            Some(id) => tx.execute("DELETE FROM contacts WHERE id = ?1", [id])? > 0,
            None => false,
        };
        bump_contacts_revision(&tx)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Every contact, by name.
    pub fn contacts(&self) -> Result<Vec<Contact>, CoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.name, c.responsible, c.crm_url, c.note, p.raw
             FROM contacts c LEFT JOIN contact_phones p ON p.contact_id = c.id
             ORDER BY c.name, c.id, p.rowid",
        )?;
        let mut rows = stmt.query([])?;
        let mut contacts: Vec<Contact> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if contacts.last().map(|c| c.id) != Some(id) {
                contacts.push(Contact {
                    id,
                    name: r.get(1)?,
                    responsible: r.get(2)?,
                    crm_url: r.get(3)?,
                    note: r.get(4)?,
                    phones: Vec::new(),
                });
            }
            if let Some(raw) = r.get::<_, Option<String>>(5)? {
                contacts.last_mut().expect("pushed above").phones.push(raw);
            }
        }
        Ok(contacts)
    }
}

/// Adds `(number, name, responsible)` rows to `loader`.
fn load_rows(mut rows: rusqlite::Rows<'_>, loader: &mut BookLoader) -> Result<(), CoreError> {
    while let Some(row) = rows.next()? {
        let text = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_str_or_null()?));
        loader.add(
            text(0)?.unwrap_or_default(),
            text(1)?.unwrap_or_default(),
            text(2)?,
        );
    }
    Ok(())
}
