//! The team's shared contact book on PostgreSQL: the same rules as the SQLite
//! book (a number already in the book updates its contact, so an import run
//! twice changes nothing), and a revision every node watches to reload its
//! in-memory book.

use super::PgStore;
use crate::contacts::sources::LOCAL;
use crate::contacts::{BookLoader, Contact, Parsed};
use crate::pbx::phone;
use crate::store::ImportReport;
use crate::CoreError;
use tokio_postgres::Transaction;

/// Inserts or updates a contact by its numbers; `(id, was_new)`.
async fn upsert_contact(tx: &Transaction<'_>, contact: &Contact) -> Result<(i64, bool), CoreError> {
    let numbers: Vec<(String, &str)> = contact
        .phones
        .iter()
        .map(|raw| (phone::normalize(raw), raw.as_str()))
        .collect();
    let norms: Vec<&str> = numbers.iter().map(|(n, _)| n.as_str()).collect();
    let existing: Option<i64> = tx
        .query_opt(
            "SELECT contact_id FROM relay_contact_phones WHERE phone_norm = ANY($1) LIMIT 1",
            &[&norms],
        )
        .await?
        .map(|r| r.get(0));
    let id = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE relay_contacts SET name = $2, responsible = $3, crm_url = $4, note = $5 WHERE id = $1",
                &[&id, &contact.name, &contact.responsible, &contact.crm_url, &contact.note],
            )
            .await?;
            id
        }
        None => tx
            .query_one(
                "INSERT INTO relay_contacts (name, responsible, crm_url, note)
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[
                    &contact.name,
                    &contact.responsible,
                    &contact.crm_url,
                    &contact.note,
                ],
            )
            .await?
            .get(0),
    };
    for (number, raw) in numbers {
        tx.execute(
            "INSERT INTO relay_contact_phones (phone_norm, contact_id, raw) VALUES ($1, $2, $3)
             ON CONFLICT (phone_norm) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw",
            &[&number, &id, &raw],
        )
        .await?;
    }
    Ok((id, existing.is_none()))
}

pub(super) async fn bump_revision(tx: &Transaction<'_>) -> Result<(), CoreError> {
    tx.execute(
        "UPDATE relay_head SET contacts_rev = contacts_rev + 1 WHERE id = 1",
        &[],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// A counter that changes whenever the contact book does.
    pub async fn contacts_revision(&self) -> Result<i64, CoreError> {
        let client = self.client().await?;
        Ok(client
            .query_one("SELECT contacts_rev FROM relay_head WHERE id = 1", &[])
            .await?
            .get(0))
    }

    /// Every number of the shared book and of each source's copy with its
    /// name and responsible, into `loader` as the rows arrive: the source
    /// asked last first, so the first asked wins a number both know.
    pub async fn load_book(&self, loader: &mut BookLoader) -> Result<(), CoreError> {
        use futures_util::TryStreamExt;
        let client = self.client().await?;
        let order: Vec<String> = client
            .query(
                "SELECT name FROM relay_contact_sources ORDER BY position DESC",
                &[],
            )
            .await?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        for source in order {
            let rows = if source == LOCAL {
                client
                    .query_raw(
                        "SELECT p.phone_norm, c.name, c.responsible
                         FROM relay_contact_phones p JOIN relay_contacts c ON c.id = p.contact_id
                         ORDER BY p.contact_id",
                        std::iter::empty::<&str>(),
                    )
                    .await?
            } else {
                client
                    .query_raw(
                        "SELECT phone_norm, name, responsible FROM relay_source_numbers WHERE source = $1",
                        [source.as_str()],
                    )
                    .await?
            };
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = rows.try_next().await? {
                loader.add(row.get(0), row.get(1), row.get(2));
            }
        }
        Ok(())
    }

    /// Adds or updates parsed contacts in one transaction.
    pub async fn import(&self, parsed: Parsed) -> Result<ImportReport, CoreError> {
        let mut report = ImportReport {
            errors: parsed.errors,
            ..ImportReport::default()
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for (_, contact) in parsed.contacts {
            if upsert_contact(&tx, &contact).await?.1 {
                report.added += 1;
            } else {
                report.updated += 1;
            }
        }
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Adds one contact (or updates the one that has its number); its id.
    pub async fn add_contact(&self, contact: Contact) -> Result<i64, CoreError> {
        let contact = contact.validated()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (id, _) = upsert_contact(&tx, &contact).await?;
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes the contact with this id (`#12`), or the one owning this number; true when found.
    pub async fn remove_contact(&self, id_or_phone: &str) -> Result<bool, CoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let id: Option<i64> = match id_or_phone.trim().strip_prefix('#') {
            Some(id) => id.parse().ok(),
            None => tx
                .query_opt(
                    "SELECT contact_id FROM relay_contact_phones WHERE phone_norm = $1",
                    &[&phone::normalize(id_or_phone)],
                )
                .await?
                .map(|r| r.get(0)),
        };
        let removed = match id {
            Some(id) => {
                tx.execute("DELETE FROM relay_contacts WHERE id = $1", &[&id])
                    .await?
                    > 0
            }
            None => false,
        };
        bump_revision(&tx).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Every contact, by name.
    pub async fn contacts(&self) -> Result<Vec<Contact>, CoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT c.id, c.name, c.responsible, c.crm_url, c.note, p.raw
                 FROM relay_contacts c LEFT JOIN relay_contact_phones p ON p.contact_id = c.id
                 ORDER BY c.name, c.id, p.position",
                &[],
            )
            .await?;
        let mut contacts: Vec<Contact> = Vec::new();
        for r in rows {
            let id: i64 = r.get(0);
            if contacts.last().map(|c| c.id) != Some(id) {
                contacts.push(Contact {
                    id,
                    name: r.get(1),
                    responsible: r.get(2),
                    crm_url: r.get(3),
                    note: r.get(4),
                    phones: Vec::new(),
                });
            }
            if let Some(raw) = r.get::<_, Option<String>>(5) {
                contacts.last_mut().expect("pushed above").phones.push(raw);
            }
        }
        Ok(contacts)
    }
}
