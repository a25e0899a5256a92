//! The in-memory index that answers `cmd=contact`: pre-encoded answers by
//! normalised number, swapped whole when the book changes.

use crate::pbx::phone;
use arc_swap::ArcSwap;
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The reply to `cmd=contact` for one caller, already encoded.
#[derive(Debug, Clone)]
pub struct ContactAnswer {
    /// Contact name.
    pub name: Arc<str>,
    /// Responsible extension.
    pub responsible: Option<Arc<str>>,
    /// The JSON body sent to the PBX.
    pub body: Bytes,
}

#[derive(Serialize)]
struct AnswerBody<'a> {
    contact_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    responsible: Option<&'a str>,
}

impl ContactAnswer {
    fn new(name: &str, responsible: Option<&str>) -> Self {
        let body = serde_json::to_vec(&AnswerBody {
            contact_name: name,
            responsible,
        })
        .expect("strings serialise");
        ContactAnswer {
            name: name.into(),
            responsible: responsible.map(Into::into),
            body: Bytes::from(body),
        }
    }
}

/// The reply for an unknown caller.
pub const UNKNOWN_CALLER: &[u8] = b"{}";

/// Normalised number → answer, swapped whole on change so readers never wait
/// (except once, at start-up, until the first load is done: see [`ContactIndex::ready`]).
#[derive(Debug)]
pub struct ContactIndex {
    map: ArcSwap<HashMap<String, ContactAnswer>>,
    loaded: tokio::sync::watch::Sender<bool>,
}

impl Default for ContactIndex {
    fn default() -> Self {
        ContactIndex {
            map: ArcSwap::default(),
            loaded: tokio::sync::watch::Sender::new(false),
        }
    }
}

impl ContactIndex {
    /// Whether the index has been loaded once.
    pub fn is_loaded(&self) -> bool {
        *self.loaded.borrow()
    }

    /// Waits until the index has been loaded once (at once afterwards).
    pub async fn ready(&self) {
        if *self.loaded.borrow() {
            return;
        }
        let _ = self.loaded.subscribe().wait_for(|loaded| *loaded).await;
    }

    /// Replaces the whole index from `(number, name, responsible)` rows.
    pub fn replace<'a>(&self, rows: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a str>)>) {
        let map: HashMap<String, ContactAnswer> = rows
            .into_iter()
            .map(|(number, name, responsible)| {
                (number.to_owned(), ContactAnswer::new(name, responsible))
            })
            .collect();
        self.map.store(Arc::new(map));
        self.loaded.send_replace(true);
    }

    /// The answer for a caller's number as the PBX sent it.
    pub fn lookup(&self, raw_phone: &str) -> Option<ContactAnswer> {
        if phone::is_withheld(raw_phone) {
            return None;
        }
        self.map.load().get(&phone::normalize(raw_phone)).cloned()
    }

    /// How many numbers are indexed.
    pub fn len(&self) -> usize {
        self.map.load().len()
    }

    /// Whether no number is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
