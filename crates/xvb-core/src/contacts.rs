//! The contact book: model, CSV and vCard import, and the in-memory index that
//! answers `cmd=contact` without touching the database.

use crate::phone;
use arc_swap::ArcSwap;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

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
    /// Checks the contact and trims its fields.
    pub fn validated(mut self) -> Result<Self, InvalidContact> {
        self.name = self.name.trim().to_owned();
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

/// One input row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line in the file.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// Contacts read from a file, with the rows that failed.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Valid contacts with the line they start on.
    pub contacts: Vec<(u64, Contact)>,
    /// Rows that were skipped.
    pub errors: Vec<RowError>,
}

impl Parsed {
    fn push(&mut self, line: u64, contact: Contact) {
        match contact.validated() {
            Ok(c) => self.contacts.push((line, c)),
            Err(e) => self.errors.push(RowError {
                line,
                reason: e.to_string(),
            }),
        }
    }
}

/// Reads contacts from a file's text: vCard when it starts with `BEGIN:VCARD`, else CSV.
pub fn parse_file(text: &str) -> Result<Parsed, crate::CoreError> {
    let text = text.trim_start_matches('\u{feff}');
    if text
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCARD")
    {
        Ok(parse_vcards(text))
    } else {
        parse_csv(text)
    }
}

/// Reads CSV with header `name,phone,responsible,crm_url` (plus optional `note`);
/// other columns are ignored, several numbers in `phone` are separated by `;`.
pub fn parse_csv(text: &str) -> Result<Parsed, crate::CoreError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| crate::CoreError::Import(format!("cannot read the CSV header: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(name_col), Some(phone_col)) = (column("name"), column("phone")) else {
        return Err(crate::CoreError::Import(
            "the CSV header must name the columns `name` and `phone` (and optionally `responsible`, `crm_url`, `note`)".into(),
        ));
    };
    let (responsible_col, crm_col, note_col) =
        (column("responsible"), column("crm_url"), column("note"));
    let mut parsed = Parsed::default();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                parsed.errors.push(RowError {
                    line,
                    reason: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |col: Option<usize>| col.and_then(|c| record.get(c)).map(str::to_owned);
        parsed.push(
            line,
            Contact {
                name: cell(Some(name_col)).unwrap_or_default(),
                phones: record
                    .get(phone_col)
                    .unwrap_or_default()
                    .split(';')
                    .map(|p| p.trim().to_owned())
                    .collect(),
                responsible: cell(responsible_col),
                crm_url: cell(crm_col),
                note: cell(note_col),
                id: 0,
            },
        );
    }
    Ok(parsed)
}

/// Reads vCard 3.0 / 4.0 cards: `FN` (or `N`), every `TEL`, `URL` as the CRM
/// link, `NOTE`, and `X-XVB-RESPONSIBLE` for the responsible extension.
///
/// Hand-written rather than a crate: we need the line number of each bad card
/// and only five properties; the parser is line unfolding plus a split on `:`.
pub fn parse_vcards(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut card: Option<(u64, Contact, Option<String>)> = None;
    for (line_no, line) in unfold(text) {
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let mut parts = head.split(';');
        let property = parts.next().unwrap_or_default();
        // Drop a group prefix such as `item1.TEL`.
        let property = property
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let value = unescape(value.trim());
        match (property.as_str(), card.as_mut()) {
            ("BEGIN", _) if value.eq_ignore_ascii_case("VCARD") => {
                card = Some((line_no, Contact::default(), None));
            }
            ("END", Some(_)) if value.eq_ignore_ascii_case("VCARD") => {
                let (start, mut contact, structured_name) = card.take().expect("inside a card");
                if contact.name.trim().is_empty() {
                    contact.name = structured_name.unwrap_or_default();
                }
                parsed.push(start, contact);
            }
            ("FN", Some((_, c, _))) => c.name = value,
            ("N", Some((_, _, n))) => {
                let mut pieces = value.split(';');
                let family = pieces.next().unwrap_or_default();
                let given = pieces.next().unwrap_or_default();
                *n = Some(format!("{given} {family}").trim().to_owned());
            }
            ("TEL", Some((_, c, _))) => {
                c.phones.push(value.trim_start_matches("tel:").to_owned());
            }
            ("URL", Some((_, c, _))) => c.crm_url = Some(value),
            ("NOTE", Some((_, c, _))) => c.note = Some(value),
            ("X-XVB-RESPONSIBLE", Some((_, c, _))) => c.responsible = Some(value),
            _ => {}
        }
    }
    if let Some((start, _, _)) = card {
        parsed.errors.push(RowError {
            line: start,
            reason: "card has no END:VCARD".into(),
        });
    }
    parsed
}

/// Joins folded lines (continuations start with a space or tab), keeping the first line's number.
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut lines: Vec<(u64, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => lines.push((i as u64 + 1, raw.to_owned())),
        }
    }
    lines
}

fn unescape(value: &str) -> String {
    value
        .replace("\\n", "\n")
        .replace("\\N", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_imports_good_rows_and_reports_bad_ones_by_line() {
        let text = "name,phone,responsible,crm_url,city\n\
                    Вася/Рога и копыта,+7 (920) 111-96-13;84951234567,100,https://crm/1,Тула\n\
                    ,79000000000,,,\n\
                    Петя,79001112233,,,\n\
                    Нет телефона,,101,,\n\
                    Плохой,79001112244,abc,,\n";
        let parsed = parse_csv(text).unwrap();
        let names: Vec<_> = parsed
            .contacts
            .iter()
            .map(|(_, c)| c.name.as_str())
            .collect();
        assert_eq!(names, ["Вася/Рога и копыта", "Петя"]);
        assert_eq!(parsed.contacts[0].1.phones.len(), 2);
        assert_eq!(parsed.contacts[0].1.responsible.as_deref(), Some("100"));
        let lines: Vec<_> = parsed.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 6]);
        assert!(parsed.errors[0].reason.contains("name"));
    }

    #[test]
    fn csv_without_the_needed_columns_is_refused() {
        assert!(parse_csv("fio,tel\nA,1\n").is_err());
    }

    #[test]
    fn vcards_3_and_4() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Иванов;Иван;;;\r\nTEL;TYPE=CELL:+7 920 111\r\n 9613\r\nX-XVB-RESPONSIBLE:100\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\nVERSION:4.0\nFN:Acme\\, Inc.\nTEL;VALUE=uri;TYPE=work:tel:+7-495-123-45-67\nitem1.URL:https://crm/acme\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nFN:No phone\nEND:VCARD\n";
        let parsed = parse_vcards(text);
        assert_eq!(parsed.contacts.len(), 2);
        let ivan = &parsed.contacts[0].1;
        assert_eq!(ivan.name, "Иван Иванов");
        assert_eq!(phone::normalize(&ivan.phones[0]), "79201119613");
        assert_eq!(ivan.responsible.as_deref(), Some("100"));
        let acme = &parsed.contacts[1].1;
        assert_eq!(acme.name, "Acme, Inc.");
        assert_eq!(acme.crm_url.as_deref(), Some("https://crm/acme"));
        assert_eq!(phone::normalize(&acme.phones[0]), "74951234567");
        assert_eq!(
            parsed.errors,
            [RowError {
                line: 14,
                reason: "no phone number with digits".into()
            }]
        );
    }

    #[test]
    fn index_answers_in_any_spelling_and_omits_empty_responsible() {
        let index = ContactIndex::default();
        index.replace([
            ("79201119613", "Вася/Рога и копыта", Some("100")),
            ("74950000000", "Офис", None),
        ]);
        let hit = index.lookup("8 920 111-96-13").unwrap();
        assert_eq!(
            std::str::from_utf8(&hit.body).unwrap(),
            r#"{"contact_name":"Вася/Рога и копыта","responsible":"100"}"#
        );
        assert_eq!(
            std::str::from_utf8(&index.lookup("+74950000000").unwrap().body).unwrap(),
            r#"{"contact_name":"Офис"}"#
        );
        assert!(index.lookup("79999999999").is_none());
    }
}
