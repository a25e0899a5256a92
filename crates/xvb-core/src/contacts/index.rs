//! The in-memory index that answers `cmd=contact`: pre-encoded answers by
//! normalised number, swapped whole when the book changes.

use crate::contacts::sources::crm::{said, CrmLookups};
use crate::pbx::phone;
use arc_swap::{ArcSwap, ArcSwapOption};
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// The reply to `cmd=contact` for one caller, already encoded.
#[derive(Debug, Clone)]
pub struct ContactAnswer {
    /// Contact name.
    pub name: Arc<str>,
    /// Responsible extension.
    pub responsible: Option<Arc<str>>,
    /// The client's card in a CRM (a CRM source's answers only).
    pub card: Option<Arc<str>>,
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
    /// The answer naming `name`, with its responsible and CRM card.
    pub(crate) fn new(name: &str, responsible: Option<&str>, card: Option<&str>) -> Self {
        let body = serde_json::to_vec(&AnswerBody {
            contact_name: name,
            responsible,
        })
        .expect("strings serialise");
        ContactAnswer {
            name: name.into(),
            responsible: responsible.map(Into::into),
            card: card.map(Into::into),
            body: Bytes::from(body),
        }
    }
}

/// A caller's number as the book keys it; none when it is withheld.
fn number_of(raw_phone: &str) -> Option<String> {
    (!phone::is_withheld(raw_phone)).then(|| phone::normalize(raw_phone))
}

/// The reply for an unknown caller.
pub const UNKNOWN_CALLER: &[u8] = b"{}";

/// A loaded book: every number (as a packed key, sorted) with where its
/// contact's name and responsible start in one shared text. About 50 bytes a
/// number where a map of strings took about 500; a look-up is a binary search.
#[derive(Debug, Default)]
struct Book {
    /// `(packed number, start of its contact in text)`, sorted by number.
    numbers: Vec<(u64, u32)>,
    /// Numbers too long to pack (over 17 digits), as text.
    long: HashMap<String, u32>,
    /// Each contact once: `name \0 responsible \0`.
    text: String,
}

/// Numbers of up to 17 digits pack into a `u64` with their length (so leading zeros count).
const PACKED_DIGITS: usize = 17;

fn pack(number: &str) -> Option<u64> {
    if number.len() > PACKED_DIGITS || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = number.parse::<u64>().unwrap_or(0);
    Some(((number.len() as u64) << 59) | value)
}

impl Book {
    /// The contact text at `start`: name and responsible.
    fn contact(&self, start: u32) -> (&str, Option<&str>) {
        let rest = &self.text[start as usize..];
        let (name, rest) = rest.split_once('\0').expect("stored with its end");
        let (responsible, _) = rest.split_once('\0').expect("stored with its end");
        (name, Some(responsible).filter(|r| !r.is_empty()))
    }

    fn get(&self, number: &str) -> Option<(&str, Option<&str>)> {
        let start = match pack(number) {
            Some(key) => {
                let at = self.numbers.binary_search_by_key(&key, |&(k, _)| k).ok()?;
                self.numbers[at].1
            }
            None => *self.long.get(number)?,
        };
        Some(self.contact(start))
    }

    fn len(&self) -> usize {
        self.numbers.len() + self.long.len()
    }
}

/// A book being loaded, one number at a time; [`ContactIndex::load`] puts it in service.
#[derive(Debug, Default)]
pub struct BookLoader {
    book: Book,
    /// Where the last contact added starts (a contact's numbers come together and share it).
    last: Option<u32>,
}

impl BookLoader {
    /// Adds a normalised `number` of the contact `name` (an empty `responsible` is none).
    pub fn add(&mut self, number: &str, name: &str, responsible: Option<&str>) {
        let responsible = responsible.unwrap_or_default();
        let same = self.last.is_some_and(|start| {
            self.book.contact(start) == (name, Some(responsible).filter(|r| !r.is_empty()))
        });
        let start = match self.last {
            Some(start) if same => start,
            _ => {
                let start = self.book.text.len() as u32;
                for field in [name, responsible] {
                    self.book.text.push_str(&field.replace('\0', " "));
                    self.book.text.push('\0');
                }
                self.last = Some(start);
                start
            }
        };
        match pack(number) {
            Some(key) => self.book.numbers.push((key, start)),
            None => {
                self.book.long.insert(number.to_owned(), start);
            }
        }
    }

    fn finish(mut self) -> Book {
        // A number listed twice keeps the contact that came last, as a map would.
        self.book.numbers.reverse();
        self.book.numbers.sort_by_key(|&(key, _)| key);
        self.book.numbers.dedup_by_key(|&mut (key, _)| key);
        self.book.numbers.shrink_to_fit();
        self.book.text.shrink_to_fit();
        self.book
    }
}

/// Normalised number → answer, swapped whole on change so readers never wait
/// (except once, at start-up, until the first load is done: see [`ContactIndex::ready`]).
/// A number no synced source knows is asked of the CRM sources, if any.
pub struct ContactIndex {
    book: ArcSwap<Book>,
    loaded: tokio::sync::watch::Sender<bool>,
    crm: ArcSwapOption<CrmLookups>,
}

impl Default for ContactIndex {
    fn default() -> Self {
        ContactIndex {
            book: ArcSwap::default(),
            loaded: tokio::sync::watch::Sender::new(false),
            crm: ArcSwapOption::empty(),
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
        let mut loader = BookLoader::default();
        for (number, name, responsible) in rows {
            loader.add(number, name, responsible);
        }
        self.load(loader);
    }

    /// Replaces the whole index with the book `loader` holds.
    pub fn load(&self, loader: BookLoader) {
        self.book.store(Arc::new(loader.finish()));
        self.loaded.send_replace(true);
    }

    /// The answer for a caller's number as the PBX sent it, from memory: the
    /// book, then what a CRM said of it before.
    pub fn lookup(&self, raw_phone: &str) -> Option<ContactAnswer> {
        self.remembered(&number_of(raw_phone)?)
    }

    /// What memory says of a normalised number: the book, then a CRM's cache.
    fn remembered(&self, number: &str) -> Option<ContactAnswer> {
        match self.book.load().get(number) {
            Some((name, responsible)) => Some(ContactAnswer::new(name, responsible, None)),
            None => self.crm.load().as_ref()?.cached(number).flatten(),
        }
    }

    /// [`ContactIndex::lookup`], else the CRM sources asked, waited for at
    /// most their timeout (`cmd=contact`: the PBX waits on it).
    pub async fn answer(&self, raw_phone: &str) -> Option<ContactAnswer> {
        let number = number_of(raw_phone)?;
        if let Some(known) = self.remembered(&number) {
            return Some(known);
        }
        let crm = self.crm.load_full()?;
        crm.answer(&number, crm.timeout()).await
    }

    /// For a caller [`ContactIndex::lookup`] did not name, the CRM sources'
    /// answer to come (a request already running is joined; none without CRM
    /// sources, when they said before what they know of it, or when too many
    /// requests run).
    pub fn asked(&self, raw_phone: &str) -> Option<impl Future<Output = Option<ContactAnswer>>> {
        let pending = self.crm.load_full()?.ask(&number_of(raw_phone)?)?;
        Some(said(pending))
    }

    /// Puts `crm` in service (none: no CRM source).
    pub fn set_crm(&self, crm: Option<Arc<CrmLookups>>) {
        self.crm.store(crm);
    }

    /// The CRM sources in service.
    pub fn crm(&self) -> Option<Arc<CrmLookups>> {
        self.crm.load_full()
    }

    /// How many numbers are indexed.
    pub fn len(&self) -> usize {
        self.book.load().len()
    }

    /// Whether no number is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
