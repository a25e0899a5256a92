//! The contact book: who the agents' clients are. The model and its checks
//! are here; the book's tables are in the store (`store/contacts.rs`).
//!
//! - [`import`] — reading CSV and vCard files;
//! - [`export`] — the book as CSV that imports again;
//! - [`index`] — the in-memory index that answers `cmd=contact` without
//!   touching the database;
//! - [`sources`] — LDAP and other directories synced into the book.

pub mod export;
pub mod import;
pub mod index;
pub mod sources;

pub use import::{parse_csv, parse_file, parse_vcards, FileRefused, Parsed, RowError, SkipReason};
pub use index::{BookLoader, ContactAnswer, ContactIndex, UNKNOWN_CALLER};

use crate::pbx::phone;
use serde::{Deserialize, Serialize};

/// One client in the contact book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Contact {
    /// Row id in the store (0 before it is stored).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The name agents see, e.g. `Вася/Рога и копыта`.
    pub name: String,
    /// Phone numbers as entered.
    pub phones: Vec<String>,
    /// Extension of the responsible agent.
    pub responsible: Option<String>,
    /// Link to the client's CRM card.
    pub crm_url: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// A contact that failed validation: why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidContact {
    /// No name.
    #[error("the name is empty")]
    NoName,
    /// No usable phone number.
    #[error("no phone number with digits")]
    NoPhone,
    /// A phone without enough digits.
    #[error("phone `{0}` has fewer than 2 or more than 20 digits")]
    BadPhone(String),
    /// Responsible extension is not digits.
    #[error("responsible `{0}` is not an extension (digits only)")]
    BadResponsible(String),
}

impl Contact {
    /// Whether the contact matches text typed in a search: its name (any
    /// case), or one of its numbers in any spelling ([`phone::looked_for_as`],
    /// as history's search). Empty text matches every contact.
    pub fn matches(&self, typed: &str) -> bool {
        let typed = typed.trim();
        if typed.is_empty() || self.name.to_lowercase().contains(&typed.to_lowercase()) {
            return true;
        }
        if !phone::is_typed_number(typed) || !typed.contains(|c: char| c.is_ascii_digit()) {
            return false;
        }
        let wanted = phone::looked_for_as(typed);
        self.phones.iter().any(|number| {
            let stored = phone::normalize(number);
            wanted.iter().any(|w| stored.contains(w.as_str()))
        })
    }

    /// Checks the contact and trims its fields; the name loses any control
    /// characters (an escape sequence would reach every agent's terminal).
    pub fn validated(mut self) -> Result<Self, InvalidContact> {
        self.name = self.name.replace(char::is_control, "").trim().to_owned();
        if self.name.is_empty() {
            return Err(InvalidContact::NoName);
        }
        self.phones.retain(|p| !p.trim().is_empty());
        if self.phones.is_empty() {
            return Err(InvalidContact::NoPhone);
        }
        for raw in &self.phones {
            let digits = phone::normalize(raw).len();
            if !(2..=20).contains(&digits) {
                return Err(InvalidContact::BadPhone(raw.clone()));
            }
        }
        let blank_to_none =
            |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.responsible = blank_to_none(self.responsible);
        self.crm_url = blank_to_none(self.crm_url);
        self.note = blank_to_none(self.note);
        if let Some(ext) = &self.responsible {
            if !phone::is_extension(ext) {
                return Err(InvalidContact::BadResponsible(ext.clone()));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests;
