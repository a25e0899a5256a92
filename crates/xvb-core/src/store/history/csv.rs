//! History as CSV that Excel opens as it is, Cyrillic included: UTF-8 with a
//! byte-order mark, `,` or `;` between fields (Excel in a Russian locale
//! expects `;`), one row per call with its tags, notes, duration and
//! recording link, written as a [`Sheet`] (no cell runs as a formula).

use super::HistoryQuery;
use crate::pbx::call::Call;
use crate::pbx::pop::Language;
use crate::spreadsheet::Sheet;
use crate::store::Database;
use crate::CoreError;
use std::io::Write;
use time::{format_description::FormatItem, macros::format_description, UtcOffset};

/// How an export is written.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// `b','` or `b';'`.
    pub separator: u8,
    /// Times are written in this offset (the agent's local time).
    pub offset: UtcOffset,
    /// The header row's language.
    pub language: Language,
}

/// Calls given their notes and written at a time.
const CHUNK: usize = 500;

const TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

const HEADER_EN: [&str; 13] = [
    "Started",
    "Direction",
    "Number",
    "Contact",
    "Line",
    "Extension",
    "Status",
    "Missed",
    "Duration (s)",
    "Tags",
    "Notes",
    "Recording",
    "Call ID",
];

const HEADER_RU: [&str; 13] = [
    "Начало",
    "Направление",
    "Номер",
    "Контакт",
    "Линия",
    "Добавочный",
    "Статус",
    "Пропущен",
    "Длительность (с)",
    "Теги",
    "Заметки",
    "Запись",
    "ID звонка",
];

/// Writes every call matching `query` (newest first; its limit and offset
/// ignored) to `out`; how many calls were written.
pub fn export_csv(
    db: &Database,
    query: &HistoryQuery,
    options: CsvOptions,
    out: impl Write,
) -> Result<usize, CoreError> {
    let mut sheet = Sheet::start(out, options.separator)?;
    let header = match options.language {
        Language::En => HEADER_EN,
        Language::Ru => HEADER_RU,
    };
    sheet.row(header.map(String::from))?;
    let written = db.each_call(query, CHUNK, |calls| {
        for call in calls {
            sheet.row(row(call, options))?;
        }
        Ok(())
    })?;
    sheet.finish()?;
    Ok(written)
}

/// One call's fields, in [`HEADER_EN`]'s order.
fn row(call: &Call, options: CsvOptions) -> [String; 13] {
    let started = call
        .first_seen
        .to_offset(options.offset)
        .format(TIME)
        .unwrap_or_default();
    let notes = call
        .notes
        .iter()
        .map(|note| {
            let by = note.by.as_deref().unwrap_or("?");
            let at = note
                .at
                .map(|s| format!(" @{}:{:02}", s as u64 / 60, s as u64 % 60))
                .unwrap_or_default();
            format!("{by}{at}: {}", note.text)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        started,
        call.direction
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default(),
        text(&call.phone),
        text(&call.contact_name),
        text(&call.line_number),
        text(&call.ext),
        call.status.clone(),
        if call.is_missed() { "1" } else { "0" }.to_owned(),
        call.duration.map(|d| d.to_string()).unwrap_or_default(),
        call.tags.join(", "),
        notes,
        text(&call.record_link),
        call.callid.clone(),
    ]
}
