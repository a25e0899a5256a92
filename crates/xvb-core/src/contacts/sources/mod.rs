//! Where caller names come from besides the local book: directories the
//! company keeps (LDAP / Active Directory now), copied into the store by a
//! sync and so into the in-memory book — a PBX request never waits on the
//! network, and a source that is down leaves its last good copy in use.
//!
//! - this file — a source's name, settings, number rewriting and entries;
//! - `ldap` — an LDAP directory read whole ([`LdapSettings`]);
//! - `carddav` — a CardDAV address book kept in step ([`CardDavSettings`]);
//! - `crm` — a CRM asked over HTTP for a number no synced source knows
//!   ([`CrmSettings`]; cached, never synced);
//! - `check` — settings checked before they are stored ([`BadSource`]);
//! - `error` — why a sync failed, in words an admin acts on ([`SourceError`]);
//! - `sync` — a source synced now, and every few minutes in the background;
//! - `store` — where they are kept: a node's SQLite (`store/sources.rs`,
//!   `store/source_cards.rs`) or a relay cluster's PostgreSQL (`store/pg/sources.rs`).

pub mod carddav;
mod check;
pub mod crm;
mod error;
pub mod ldap;
pub mod store;
pub mod sync;

pub use carddav::CardDavSettings;
pub use check::BadSource;
pub use crm::CrmSettings;
pub use error::SourceError;
pub use ldap::LdapSettings;
pub use store::SourceStore;

use crate::pbx::phone;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The local book's place in the order (it is not a source one adds or removes).
pub const LOCAL: &str = "local";
/// An HTTP client for a source at `url`, made by `settings` from the
/// product's TLS and user agent; a failure is worded as an unreachable source.
fn http_client(
    url: &str,
    settings: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
) -> Result<reqwest::Client, SourceError> {
    let builder = reqwest::Client::builder()
        .tls_backend_preconfigured((*crate::tls::client_config()).clone())
        .user_agent(concat!("xvb-companion/", env!("CARGO_PKG_VERSION")));
    settings(builder)
        .build()
        .map_err(|e| SourceError::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        })
}

/// Where `first` puts the sources `known` (in their order): `first` in its
/// order, then the rest in theirs; the names of `first` not known, if any.
pub fn ordered(known: Vec<String>, first: &[String]) -> Result<Vec<String>, Vec<String>> {
    let unknown: Vec<String> = first
        .iter()
        .filter(|n| !known.contains(n))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let rest = known.into_iter().filter(|n| !first.contains(n));
    Ok(first.iter().cloned().chain(rest).collect())
}

/// The most entries a source may hold (a bigger one is refused, not cut).
pub const MOST_ENTRIES: usize = 2_000_000;
/// How often a source is synced unless the admin says otherwise.
pub const DEFAULT_EVERY_MINUTES: u32 = 15;

/// A source's name: 1 to 32 lowercase letters, digits, `-` or `_`; not `local`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceName(String);

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` cannot name a source: use 1 to 32 lowercase letters, digits, - or _ (and not `local`, the local book's)")]
pub struct BadSourceName(pub(crate) String);

impl SourceName {
    /// Checks `text` as a source's name.
    pub fn parse(text: &str) -> Result<SourceName, BadSourceName> {
        let ok = (1..=32).contains(&text.len())
            && text != LOCAL
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(SourceName(text.to_owned()))
        } else {
            Err(BadSourceName(text.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SourceName {
    type Error = BadSourceName;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        SourceName::parse(&text)
    }
}

impl From<SourceName> for String {
    fn from(name: SourceName) -> String {
        name.0
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a source is and how it is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceSettings {
    /// An LDAP directory or Active Directory.
    Ldap(LdapSettings),
    /// A CardDAV address book.
    #[serde(rename = "carddav")]
    CardDav(CardDavSettings),
    /// A CRM asked per caller.
    Crm(CrmSettings),
}

impl SourceSettings {
    /// `ldap`, `carddav` or `crm`, as lists show it.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSettings::Ldap(_) => "ldap",
            SourceSettings::CardDav(_) => "carddav",
            SourceSettings::Crm(_) => "crm",
        }
    }

    /// Whether a password (a CRM's token) is needed: a bind DN or a login is
    /// set, or a CRM's header says `{token}`.
    pub fn needs_password(&self) -> bool {
        match self {
            SourceSettings::Ldap(ldap) => ldap.bind_dn.is_some(),
            SourceSettings::CardDav(book) => book.user.is_some(),
            SourceSettings::Crm(crm) => crm.needs_token(),
        }
    }

    /// Whether the source is copied by a sync (a CRM is asked per caller instead).
    pub fn synced(&self) -> bool {
        !matches!(self, SourceSettings::Crm(_))
    }
}

/// A source as the admin configured it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceConfig {
    /// Its name.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub name: SourceName,
    /// What it is.
    pub settings: SourceSettings,
    /// Its numbers' rewriting.
    #[serde(default)]
    pub rewrite: Rewrite,
    /// Synced every this many minutes.
    pub every_minutes: u32,
}

/// How a source's numbers become the book's: a local number (7 digits, as
/// `123-45-67` in a city's directory) gets `local_prefix` (`7495`); then the
/// product's normaliser (`+7 (495) …`, `8 495 …` → `7495…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rewrite {
    /// Digits put before a 7-digit number.
    #[serde(default)]
    pub local_prefix: Option<String>,
}

impl Rewrite {
    /// The book's spelling of `raw`, if it has digits.
    pub fn number(&self, raw: &str) -> Option<String> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let digits = match &self.local_prefix {
            Some(prefix) if digits.len() == 7 && !raw.trim_start().starts_with('+') => {
                format!("{prefix}{digits}")
            }
            _ => digits,
        };
        Some(phone::normalize(&digits)).filter(|n| !n.is_empty())
    }
}

/// One entry a source gave: a name, its numbers as the source spells them,
/// and the responsible agent's extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name agents see.
    pub name: String,
    /// Its numbers, as written in the source.
    pub numbers: Vec<String>,
    /// Its responsible agent, if the source names one.
    pub responsible: Option<String>,
}

/// The most characters of a name kept, and numbers of an entry read.
const LONGEST_NAME: usize = 200;
const MOST_NUMBERS: usize = 20;

impl Entry {
    /// An entry with its name cleaned of control characters and cut to 200
    /// characters, and its first 20 numbers.
    pub fn new(
        name: &str,
        numbers: impl IntoIterator<Item = String>,
        responsible: Option<String>,
    ) -> Entry {
        Entry {
            name: name
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(LONGEST_NAME)
                .collect(),
            numbers: numbers.into_iter().take(MOST_NUMBERS).collect(),
            responsible,
        }
    }
}

impl Entry {
    /// An entry as the store keeps a card's: its numbers one per line.
    pub fn stored(name: String, numbers: String, responsible: Option<String>) -> Entry {
        Entry {
            name,
            numbers: numbers.lines().map(str::to_owned).collect(),
            responsible,
        }
    }
}

/// A number of a source's copy, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceNumber {
    /// The book's spelling.
    pub phone_norm: String,
    /// The source's.
    pub raw: String,
    /// The entry's name.
    pub name: String,
    /// Its responsible extension (an extension only: other text is dropped).
    pub responsible: Option<String>,
}

/// Sorts a copy's numbers and gives its digest: the same copy in any order
/// has the same digest, so a sync that finds it again writes nothing.
pub fn digest_of(numbers: &mut [SourceNumber]) -> i64 {
    use std::hash::{Hash, Hasher};
    numbers.sort_unstable_by(|a, b| {
        (&a.phone_norm, &a.raw, &a.name, &a.responsible).cmp(&(
            &b.phone_norm,
            &b.raw,
            &b.name,
            &b.responsible,
        ))
    });
    let mut hasher = rustc_hash::FxHasher::default();
    for n in numbers.iter() {
        (&n.phone_norm, &n.raw, &n.name, &n.responsible).hash(&mut hasher);
    }
    hasher.finish() as i64
}

/// What a sync copies: each number of each entry, rewritten.
pub fn numbers_of(entries: &[Entry], rewrite: &Rewrite) -> Vec<SourceNumber> {
    entries
        .iter()
        .flat_map(|entry| {
            let responsible = entry.responsible.clone().filter(|r| phone::is_extension(r));
            entry.numbers.iter().filter_map(move |raw| {
                Some(SourceNumber {
                    phone_norm: rewrite.number(raw)?,
                    raw: raw.clone(),
                    name: entry.name.clone(),
                    responsible: responsible.clone(),
                })
            })
        })
        .collect()
}

/// A source in the order, with what its last sync did (the local book has no
/// settings and no sync).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceStatus {
    /// `local`, or the source's name.
    pub name: String,
    /// Asked in this place (1 first).
    pub position: u32,
    /// Its settings (none for the local book).
    pub config: Option<SourceConfig>,
    /// The last sync that read the source.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub synced_at: Option<time::OffsetDateTime>,
    /// The last try, good or not.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub tried_at: Option<time::OffsetDateTime>,
    /// Entries in the copy (contacts, for the local book).
    pub entries: u32,
    /// Numbers in the copy.
    pub numbers: u32,
    /// Why the last try failed (the copy from `synced_at` is in use).
    pub error: Option<SourceError>,
}

/// Which source answers for a number, and how it spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// `local` or the source's name.
    pub source: String,
    /// The name agents see.
    pub name: String,
    /// The responsible extension.
    pub responsible: Option<String>,
    /// The number as the source has it.
    pub raw: String,
}

#[cfg(test)]
mod tests;
