//! A CardDAV address book (Nextcloud, Radicale, SOGo) kept in step: a
//! `sync-collection` report from the last sync's token says which cards
//! changed and which are gone (a server without it is listed whole with
//! `PROPFIND` and the ETags compared), then the changed cards are read with
//! `addressbook-multiget` and go through the product's vCard reader.
//!
//! - this file — the settings, and one sync's changes;
//! - `request` — the HTTP requests, their limits, and what a status means;
//! - `multistatus` — WebDAV's replies read.
//!
//! The cards and the token are kept in the store (`store/source_cards.rs`);
//! the book's copy is built from all of them.

mod multistatus;
mod request;

use super::{Entry, SourceError, MOST_ENTRIES};
use crate::contacts::import::parse_vcards;
use crate::secret::Secret;
use request::Book;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Cards asked for per `addressbook-multiget`.
const BATCH: usize = 100;
/// The most rounds of a listing a server cuts short (`507`).
const MOST_ROUNDS: usize = 1_000;

/// A CardDAV source's settings (its password is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CardDavSettings {
    /// The address book's own URL (`https://cloud.example/remote.php/dav/addressbooks/users/anna/contacts/`).
    pub url: String,
    /// The login (none: no authentication).
    #[serde(default)]
    pub user: Option<String>,
}

/// What the store kept from the last sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The token the server gave (none before the first sync, or when it had none).
    pub sync_token: Option<String>,
    /// Each card's href and ETag.
    pub etags: HashMap<String, String>,
}

/// A card read: where it is, its version, and the entry it gives (none when
/// it has no name or no number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Its path on the server.
    pub href: String,
    /// Its ETag.
    pub etag: String,
    /// What agents see of it.
    pub entry: Option<Entry>,
}

/// What changed since the last sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The token to start the next sync from.
    pub sync_token: Option<String>,
    /// Cards new or changed.
    pub cards: Vec<Card>,
    /// Hrefs of cards deleted.
    pub gone: Vec<String>,
}

/// The changes to the book at `settings.url` since `kept`.
pub(super) async fn fetch(
    settings: &CardDavSettings,
    password: Option<&Secret>,
    kept: &Kept,
) -> Result<Changes, SourceError> {
    let book = Book::new(settings, password)?;
    let mut changes = Changes::default();
    // The book listed whole: a kept card it does not list is gone too.
    let mut whole = false;
    let listed = match &kept.sync_token {
        Some(token) => book.sync_collection(token).await?,
        None => None,
    };
    let mut listing = match listed {
        Some(listing) => listing,
        None => {
            // No token, or the server forgot it: everything from the start.
            whole = true;
            match book.sync_collection("").await? {
                Some(listing) => listing,
                None => book.propfind().await?,
            }
        }
    };
    let mut members = std::mem::take(&mut listing.members);
    let mut rounds = 0;
    loop {
        if members.len() > MOST_ENTRIES {
            return Err(SourceError::TooMany { most: MOST_ENTRIES });
        }
        if !listing.truncated {
            break;
        }
        // Cut short (507): the rest from the token it gave.
        let token = listing.sync_token.clone().unwrap_or_default();
        rounds += 1;
        if rounds > MOST_ROUNDS || token.is_empty() {
            return Err(SourceError::BadReply {
                reason: "the server kept cutting the listing short".into(),
            });
        }
        listing = book
            .sync_collection(&token)
            .await?
            .ok_or_else(|| SourceError::BadReply {
                reason: "the server refused the token it had just given".into(),
            })?;
        members.append(&mut listing.members);
    }
    changes.sync_token = listing.sync_token;

    // Hrefs compared and kept by their decoded path (`%40` and `@` are one card).
    let listed: HashSet<&str> = members.iter().map(|m| m.key.as_str()).collect();
    if whole {
        changes.gone = (kept.etags.keys())
            .filter(|key| !listed.contains(key.as_str()))
            .cloned()
            .collect();
    }
    let mut wanted = Vec::new();
    for member in &members {
        if member.gone() {
            changes.gone.push(member.key.clone());
        } else if !member.collection
            && (member.etag.is_none() || member.etag.as_ref() != kept.etags.get(&member.key))
        {
            wanted.push(member);
        }
    }
    for batch in wanted.chunks(BATCH) {
        let hrefs: Vec<&str> = batch.iter().map(|m| m.href.as_str()).collect();
        let mut missing: HashSet<&str> = batch.iter().map(|m| m.key.as_str()).collect();
        for member in book.multiget(&hrefs).await?.members {
            missing.remove(member.key.as_str());
            match (member.gone(), member.card) {
                (true, _) => changes.gone.push(member.key),
                (false, Some(text)) => changes.cards.push(Card {
                    entry: entry_of(&text),
                    etag: member.etag.unwrap_or_default(),
                    href: member.key,
                }),
                (false, None) => {}
            }
        }
        // A card asked for and not sent: the sync fails (the token does not
        // move on, so the next sync asks again), rather than miss a change.
        if !missing.is_empty() {
            return Err(SourceError::BadReply {
                reason: format!(
                    "the server did not send {} of the cards it listed",
                    missing.len()
                ),
            });
        }
    }
    Ok(changes)
}

/// The entry a vCard gives, if it has a name and a number.
fn entry_of(card: &str) -> Option<Entry> {
    let contact = parse_vcards(card).contacts.into_iter().next()?.1;
    Some(Entry::new(
        &contact.name,
        contact.phones,
        contact.responsible,
    ))
}
