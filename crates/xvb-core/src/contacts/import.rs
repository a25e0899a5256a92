//! Importing contacts: CSV with a header, or vCard 3.0/4.0 cards, with the
//! line and reason of every row that could not be read.

use super::{Contact, InvalidContact};
use crate::words::{Language, Worded};
use serde::Serialize;

/// One input row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    /// 1-based line in the file.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    /// Why: in English, or in the agent's language after
    /// [`RowError::in_language`].
    pub reason: String,
    /// Why, in Russian.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    russian: String,
}

impl RowError {
    /// Line `line` skipped because of `why`.
    pub fn new(line: u64, why: &SkipReason) -> RowError {
        RowError {
            line,
            reason: why.to_string(),
            russian: why.russian(),
        }
    }

    /// The row with its reason in `language`.
    pub fn in_language(self, language: Language) -> RowError {
        match language {
            Language::En => self,
            Language::Ru => RowError {
                reason: self.russian.clone(),
                ..self
            },
        }
    }
}

/// Why a row was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The contact is not valid.
    #[error(transparent)]
    Invalid(#[from] InvalidContact),
    /// A CSV row that does not read (what the CSV reader said).
    #[error("not valid CSV: {0}")]
    NotCsv(String),
    /// A vCard that never ends.
    #[error("card has no END:VCARD")]
    NoEnd,
}

/// Why a contacts file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefused {
    /// The CSV header does not read.
    #[error("cannot read the CSV header: {0}")]
    Header(String),
    /// The header lacks `name` or `phone`.
    #[error("the CSV header must name the columns `name` and `phone` (and optionally `responsible`, `crm_url`, `note`)")]
    Columns,
}

/// Contacts read from a file, with the rows that failed.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Valid contacts with the line they start on.
    pub contacts: Vec<(u64, Contact)>,
    /// Rows that were skipped.
    pub errors: Vec<RowError>,
    /// Lines of contacts imported with control characters dropped from the name.
    pub cleaned: Vec<u64>,
}

impl Parsed {
    fn push(&mut self, line: u64, contact: Contact) {
        let had_controls = contact.name.contains(char::is_control);
        match contact.validated() {
            Ok(c) => {
                if had_controls {
                    self.cleaned.push(line);
                }
                self.contacts.push((line, c));
            }
            Err(e) => self.errors.push(RowError::new(line, &e.into())),
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
        .map_err(|e| FileRefused::Header(e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(name_col), Some(phone_col)) = (column("name"), column("phone")) else {
        return Err(FileRefused::Columns.into());
    };
    let (responsible_col, crm_col, note_col) =
        (column("responsible"), column("crm_url"), column("note"));
    let mut parsed = Parsed::default();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                parsed
                    .errors
                    .push(RowError::new(line, &SkipReason::NotCsv(e.to_string())));
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
        parsed.errors.push(RowError::new(start, &SkipReason::NoEnd));
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
