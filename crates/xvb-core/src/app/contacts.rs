//! The contact book in the app's *Contacts* tab: the same store as `xvb
//! contacts` (the listener's index follows every change within a second),
//! imported from a file the agent picks, edited, and exported as CSV.

use super::downloads::save_in_downloads;
use super::{Companion, ContactsExport, UiError};
use crate::contacts::{export::export_csv, parse_file, Contact};
use crate::store::{Database, ImportReport};

impl Companion {
    /// The contacts matching `search` ([`Contact::matches`]; empty: all), by name.
    pub async fn contacts(&self, search: &str) -> Result<Vec<Contact>, UiError> {
        let db = self.reader.lock().expect("reader lock");
        let mut book = db.contacts()?;
        book.retain(|contact| contact.matches(search));
        Ok(book)
    }

    /// Imports the text of a CSV or vCard file: how many were added and
    /// updated, and each line skipped with why (in the agent's language).
    pub async fn import_contacts(&self, text: String) -> Result<ImportReport, UiError> {
        let database = self.data.database_path();
        let language = self.language();
        tokio::task::spawn_blocking(move || {
            let report = Database::open(&database)?.import(parse_file(&text)?)?;
            Ok(report.in_language(language))
        })
        .await?
    }

    /// Saves `contact`: a new one, or — with the id it was read with — that
    /// one changed (its numbers too). Nothing changes when it is not valid.
    pub async fn save_contact(&self, contact: Contact) -> Result<(), UiError> {
        let database = self.data.database_path();
        tokio::task::spawn_blocking(move || {
            let mut db = Database::open(&database)?;
            match contact.id {
                0 => db.add_contact(contact)?,
                id => db.replace_contact(id, contact)?,
            };
            Ok(())
        })
        .await?
    }

    /// Removes the contact `id`.
    pub async fn remove_contact(&self, id: i64) -> Result<(), UiError> {
        let database = self.data.database_path();
        tokio::task::spawn_blocking(move || {
            Database::open(&database)?.remove_contact(&format!("#{id}"))?;
            Ok(())
        })
        .await?
    }

    /// Writes the whole book as CSV (the columns import reads) into Downloads.
    pub async fn export_contacts(&self) -> Result<ContactsExport, UiError> {
        let contacts = self.contacts("").await?;
        let count = contacts.len();
        let (path, ()) = save_in_downloads("contacts.csv".into(), move |file| {
            Ok(export_csv(&contacts, file)?)
        })
        .await?;
        Ok(ContactsExport {
            path,
            contacts: count,
        })
    }
}
